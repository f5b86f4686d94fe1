"""What notebooks/08_lab.ipynb defines before it builds the lab, for the lab's and the training run's tests."""
from __future__ import annotations

import pytest
import torch

from helpers.data import thermometer, train_val_split


def model(t_u, w, b):
    return w * t_u + b


def loss_fn(t_p, t_c):
    return ((t_p - t_c) ** 2).mean()


def train_epoch(params, optimizer, x_train, y_train, x_val, y_val, batch_size, generator):
    order = torch.randperm(len(x_train), generator=generator)
    step_losses = []
    for start in range(0, len(x_train), batch_size):
        batch = order[start:start + batch_size]
        optimizer.zero_grad()
        loss = loss_fn(model(x_train[batch], *params), y_train[batch])
        loss.backward()
        optimizer.step()
        step_losses.append(loss.item())
    with torch.no_grad():
        val_loss = loss_fn(model(x_val, *params), y_val)
    return step_losses, val_loss.item()


OPTIMIZERS = {
    "SGD": lambda params, lr: torch.optim.SGD(params, lr=lr),
    "SGD with momentum": lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=0.9),
    "Adam": lambda params, lr: torch.optim.Adam(params, lr=lr),
}
DATA = train_val_split(*thermometer())
MEAN, STD = DATA[0].mean(), DATA[0].std()
INPUTS = {"raw": lambda t: t, "rescaled ×0.1": lambda t: 0.1 * t, "standardised": lambda t: (t - MEAN) / STD}


def one_sentence(err: pytest.ExceptionInfo) -> str:
    """The error's text, checked to be one sentence a learner can read."""
    text = str(err.value)
    assert "\n" not in text and text.endswith(".") and len(text) < 300, text
    return text
