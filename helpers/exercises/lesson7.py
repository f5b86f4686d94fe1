"""Lesson 7 (mini-batch SGD): one epoch by hand, a batch size and learning rate for a budget, and the
hand-written loop rewritten with nn.Linear, nn.MSELoss and torch.optim.SGD.

Each check runs the learner's code on small cases, compares with the right answer, and names the usual
slips (no shuffle, a shuffle per batch, the last batch skipped, one update per epoch, ...) in one sentence.
"""
from __future__ import annotations

import math
import warnings
from functools import lru_cache
from typing import Any, Callable

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from helpers.exercises.reference import loss_fn, model, model_and_loss
from helpers.checks import Wrong, call, exercise, expect_close
from helpers.data import thermometer


def _given() -> dict[str, Any]:
    """The names the notebook has defined when the exercises come up."""
    return {**model_and_loss(), "nn": nn}


def standardised_thermometer() -> tuple[torch.Tensor, torch.Tensor]:
    """The book's eleven readings, standardised: small data for the checks."""
    t_u, t_c = thermometer()
    return (t_u - t_u.mean()) / t_u.std(), t_c


def _close(a: torch.Tensor, b: torch.Tensor, rtol: float = 1e-5, atol: float = 1e-5) -> bool:
    return a.shape == b.shape and bool(torch.isfinite(a).all()) and torch.allclose(a, b, rtol=rtol, atol=atol)


# --- exercise 1: one epoch of mini-batch SGD ------------------------------------------------------


def dataloader_order(n: int, generator: torch.Generator) -> torch.Tensor:
    """The notebook's epoch_order: what DataLoader(shuffle=True, generator=...) draws in one epoch."""
    torch.empty((), dtype=torch.int64).random_(generator=generator)
    order = torch.randperm(n, generator=generator)
    torch.randperm(n, generator=generator)
    return order


def _reference_epoch(
    params: torch.Tensor, x: torch.Tensor, y: torch.Tensor, batch_size: int, lr: float, generator: torch.Generator,
    shuffle: str = "once", drop_last: bool = False, reset: bool = True, sign: float = -1.0, per_batch: bool = True,
) -> None:
    """One epoch of the lesson's loop, with switches for the usual slips; changes params in place."""
    n = len(x)
    if shuffle == "once":
        order = torch.randperm(n, generator=generator)
    elif shuffle == "dataloader":
        order = dataloader_order(n, generator)
    else:
        order = torch.arange(n)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        if shuffle == "per-batch":
            batch = torch.randperm(n, generator=generator)[:batch_size]
        else:
            batch = order[start:start + batch_size]
        if reset and per_batch:
            params.grad = None
        loss_fn(model(x[batch], *params), y[batch]).backward()
        if per_batch:
            with torch.no_grad():
                params += sign * lr * params.grad
    if not per_batch:
        with torch.no_grad():
            params += sign * lr * params.grad


# (x, y, batch_size, learning_rate, seed): the standardised book readings, then the first eight of them.
def _epoch_cases() -> list[tuple[torch.Tensor, torch.Tensor, int, float, int]]:
    x, y = standardised_thermometer()
    return [(x, y, 4, 0.1, 0), (x[:8], y[:8], 3, 0.05, 1)]


def _two_epochs(fn: Callable[..., Any], x: torch.Tensor, y: torch.Tensor, batch_size: int, lr: float, seed: int,
                what: str, **slip: Any) -> torch.Tensor:
    """params after two epochs from w = 1, b = 0, with one generator seeded `seed`."""
    params = torch.tensor([1.0, 0.0], requires_grad=True)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(2):
        if slip or fn is _reference_epoch:
            _reference_epoch(params, x, y, batch_size, lr, generator, **slip)
        else:
            call(fn, params, x, y, batch_size, lr, generator, what=what)
    return params.detach()


_EPOCH_SLIPS: list[tuple[dict[str, Any], str]] = [
    (
        {"shuffle": "none"},
        "your epochs went through the readings in their stored order: draw `order = torch.randperm(len(x),"
        " generator=generator)` once per epoch and take each batch as `order[start:start + batch_size]`.",
    ),
    (
        {"shuffle": "per-batch"},
        "you drew a new permutation for every batch, so in one epoch some readings come twice and others never:"
        " shuffle once per epoch, then slice that one order.",
    ),
    (
        {"drop_last": True},
        "your loop skipped the last, smaller batch (len(x) % batch_size readings): `range(0, len(x), batch_size)`"
        " visits it too, and a slice past the end simply stops at the end.",
    ),
    (
        {"reset": False},
        "your gradients piled up from batch to batch: `backward()` adds into .grad, so start every step with"
        " `params.grad = None`.",
    ),
    (
        {"sign": 1.0},
        "your params moved uphill, with the gradient: the update subtracts the step,"
        " `params -= learning_rate * params.grad`.",
    ),
    (
        {"per_batch": False},
        "your epoch made one update, after all the batches: that is full-batch gradient descent in pieces."
        " Mini-batch SGD updates once per batch, inside the loop over batches.",
    ),
]


@exercise(
    "sgd_epoch",
    lesson=7,
    title="Exercise 1: one epoch of mini-batch SGD",
    hints=(
        "An epoch is: one shuffle, then a loop over batches, and each batch gets the whole five-line step of"
        " lesson 05 (reset, forward, loss, backward, update), on its own readings only.",
        "Draw the order with torch.randperm before the loop over batches, loop with"
        " `range(0, len(x), batch_size)` and slice that order; inside, lesson 05's step on x[batch] and y[batch],"
        " starting with `params.grad = None`.",
    ),
    solution="""
        def sgd_epoch(params, x, y, batch_size, learning_rate, generator):
            order = torch.randperm(len(x), generator=generator)
            for start in range(0, len(x), batch_size):
                batch = order[start:start + batch_size]
                params.grad = None
                loss = loss_fn(model(x[batch], *params), y[batch])
                loss.backward()
                with torch.no_grad():
                    params -= learning_rate * params.grad
    """,
    given=_given,
)
def _sgd_epoch(answer: Any) -> None:
    for index, (x, y, batch_size, lr, seed) in enumerate(_epoch_cases()):
        what = f"sgd_epoch(params, x, y, {batch_size}, {lr:g}, generator)"
        try:
            got = _two_epochs(answer, x, y, batch_size, lr, seed, what)
        except Wrong as wrong:
            message = str(wrong)
            if "in-place operation" in message:
                raise Wrong(
                    "PyTorch refused to change params in place because autograd is watching it: put the update"
                    " inside `with torch.no_grad():`."
                ) from None
            if "does not require grad" in message:
                raise Wrong(
                    "`params = params - ...` makes a new tensor and gives it the old name, so the next batch has"
                    " nothing to learn: change params itself with `params -= learning_rate * params.grad` inside"
                    " `with torch.no_grad():`."
                ) from None
            if "NoneType" in message:
                raise Wrong(
                    "params.grad was None at the update: call `loss.backward()` after the reset and before the"
                    " update, and keep updating the same params tensor."
                ) from None
            raise
        right = [_two_epochs(_reference_epoch, x, y, batch_size, lr, seed, what, shuffle=way)
                 for way in ("once", "dataloader")]
        if any(_close(got, want) for want in right):
            continue
        start = torch.tensor([1.0, 0.0])
        if torch.equal(got, start):
            raise Wrong(
                "params did not change: update params itself in place (`params -= ...` inside"
                " `with torch.no_grad():`), not a new tensor."
            )
        for slip, sentence in _EPOCH_SLIPS:
            if _close(got, _two_epochs(_reference_epoch, x, y, batch_size, lr, seed, what, **slip)):
                raise Wrong(sentence)
        if index > 0:
            raise Wrong(
                "your epoch gave the right params for one set of readings but not for another: use the arguments"
                " x, y, batch_size and learning_rate, not names from the notebook."
            )
        raise Wrong(
            f"after two epochs of {what} from w = 1, b = 0, params are {got.tolist()} instead of"
            f" {[round(v, 4) for v in right[0].tolist()]}: shuffle exactly once per epoch with"
            " `torch.randperm(len(x), generator=generator)` and compare your step with lesson 05's."
        )


# --- exercise 2: a batch size and a learning rate for a budget of one epoch -----------------------

TARGET = 2.1  # the validation loss to reach in one epoch


@lru_cache(maxsize=1)
def readings() -> tuple[torch.Tensor, ...]:
    """The notebook's 3,000 readings (cells make-data and split), standardised: x/y for training and validation."""
    generator = torch.Generator().manual_seed(0)
    n = 3000
    t_u = 20 + 70 * torch.rand(n, generator=generator)
    t_c = (t_u - 32) * 5 / 9 + 1.5 * torch.randn(n, generator=generator)
    t_u_train, t_u_val = t_u[:2000], t_u[2000:2500]
    mean, std = t_u_train.mean(), t_u_train.std()
    return (t_u_train - mean) / std, t_c[:2000], (t_u_val - mean) / std, t_c[2000:2500]


def one_epoch_validation_loss(batch_size: int, learning_rate: float, full_batch_steps: bool = False) -> float:
    """The notebook's train_by_hand(params, batch_size, learning_rate, n_epochs=1) from w = 1, b = 0, seed 0:
    the validation loss after the epoch. With `full_batch_steps`, the same number of steps on the full gradient."""
    x, y, x_val, y_val = readings()
    params = torch.tensor([1.0, 0.0], requires_grad=True)
    generator = torch.Generator().manual_seed(0)
    order = dataloader_order(len(x), generator)
    for start in range(0, len(x), batch_size):
        batch = slice(None) if full_batch_steps else order[start:start + batch_size]
        params.grad = None
        loss_fn(model(x[batch], *params), y[batch]).backward()
        with torch.no_grad():
            params -= learning_rate * params.grad
    with torch.no_grad():
        return loss_fn(model(x_val, *params), y_val).item()


def _batch_size_and_rate(answer: Any) -> tuple[int, float]:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise Wrong(f"pass two numbers, (batch_size, learning_rate), for example (32, 0.1); got {answer!r}.")
    batch_size, lr = answer
    if isinstance(batch_size, float) and batch_size.is_integer():
        batch_size = int(batch_size)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int):
        raise Wrong(f"the batch size must be a whole number of readings, like 32, but it is {batch_size!r}.")
    if not 1 <= batch_size <= 2000:
        raise Wrong(
            f"the batch size must be between 1 and 2000 (the number of training readings), but it is {batch_size}."
        )
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr <= 0:
        raise Wrong(f"the learning rate must be a number greater than zero, like 0.1, but it is {lr!r}.")
    return batch_size, float(lr)


@exercise(
    "one_epoch_budget",
    lesson=7,
    title="Exercise 2: one epoch, your choice",
    hints=(
        "Two forces: the number of steps in one epoch is ceil(2000 / batch_size), and each step must go far"
        " enough for those steps to reach the line; but the smaller the batch, the noisier each step, and the"
        " learning rate multiplies that noise.",
        "Fix a batch size, then search the learning rate by factors of about 3 (0.01, 0.03, 0.1, ...) with"
        " train_by_hand(params, batch_size, learning_rate, n_epochs=1): if the check says too slow, go up; too"
        " noisy or diverging, go down (and stay below 1).",
    ),
    solution="""
        batch_size, learning_rate = 32, 0.1   # 63 steps; (4, 0.01) and (256, 0.5) work too
        one_epoch_budget = (batch_size, learning_rate)
    """,
)
def _one_epoch_budget(answer: Any) -> None:
    batch_size, lr = _batch_size_and_rate(answer)
    steps = math.ceil(2000 / batch_size)
    got = one_epoch_validation_loss(batch_size, lr)
    if math.isfinite(got) and got < TARGET:
        return
    said = f"with {steps} step{'s' if steps > 1 else ''} of {batch_size} reading{'s' if batch_size > 1 else ''}"
    said += f" at learning rate {lr:g}"
    shown = f"{got:.3g}" if math.isfinite(got) else "not a number"
    start = one_epoch_validation_loss(batch_size, 0.0)
    noise_free = one_epoch_validation_loss(batch_size, lr, full_batch_steps=True)
    if lr >= 1 or not math.isfinite(noise_free) or noise_free > start:
        raise Wrong(
            f"{said}, the validation loss ends at {shown}: the steps overshoot even on the full gradient. On"
            " standardised inputs gradient descent needs a learning rate below 1, and small batches need less still."
        )
    if noise_free >= TARGET:
        raise Wrong(
            f"{said}, the validation loss ends at {shown}: too few or too short steps, not noise ("
            + ("the full batch has none" if batch_size == 2000 else
               f"the same steps on the full gradient reach only {noise_free:.3g}")
            + "). Take a larger learning rate, or smaller batches for more steps."
        )
    if not math.isfinite(got) or got > start:
        raise Wrong(
            f"{said}, the loss diverged (validation loss {shown}), though the same rate works on the full gradient:"
            " the loss of a few extreme readings is more sharply curved than the average, so small batches need a"
            " smaller learning rate, or take larger batches."
        )
    raise Wrong(
        f"{said}, the validation loss ends at {shown}, above {TARGET}: the steps are long enough (on the full"
        f" gradient they reach {noise_free:.3g}), but the noise of batches of {batch_size} keeps the line jumping"
        " around: take a smaller learning rate or larger batches."
    )


# --- exercise 3: the everyday loop with nn.Linear, nn.MSELoss and torch.optim.SGD -----------------


def _loader(seed: int, batch_size: int) -> DataLoader:
    x, y = standardised_thermometer()
    return DataLoader(TensorDataset(x.unsqueeze(1), y.unsqueeze(1)), batch_size=batch_size, shuffle=True,
                      generator=torch.Generator().manual_seed(seed))


def _linear(w: float, b: float) -> nn.Linear:
    layer = nn.Linear(1, 1)
    with torch.no_grad():
        layer.weight.fill_(w)
        layer.bias.fill_(b)
    return layer


def _reference_module(model: nn.Module, loader: DataLoader, lr: float, n_epochs: int, zero: str = "top",
                      order: str = "backward-step") -> None:
    """The lesson's everyday loop, with switches for the usual slips."""
    criterion = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(n_epochs):
        model.train()
        for xb, yb in loader:
            if zero == "top":
                optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            if order == "step-backward":
                optimizer.step()
                loss.backward()
            else:
                loss.backward()
                if zero == "before-step":
                    optimizer.zero_grad()
                optimizer.step()


# (learning_rate, n_epochs, batch_size, loader seed, starting w and b)
_MODULE_CASES = [(0.1, 3, 4, 0, (1.0, 0.0)), (0.05, 2, 3, 1, (0.5, 2.0))]


def _weights(model: nn.Linear) -> torch.Tensor:
    return torch.cat([model.weight.detach().flatten(), model.bias.detach()])


def _trained(fn: Callable[..., Any] | None, lr: float, n_epochs: int, batch_size: int, seed: int,
             start: tuple[float, float], **slip: Any) -> torch.Tensor:
    model, loader = _linear(*start), _loader(seed, batch_size)
    if fn is None:
        _reference_module(model, loader, lr, n_epochs, **slip)
    else:
        call(fn, model, loader, lr, n_epochs, what=f"train_module(model, loader, {lr:g}, {n_epochs})")
    return _weights(model)


@exercise(
    "train_module",
    lesson=7,
    title="Exercise 3: the everyday loop",
    hints=(
        "Same loop as by hand, one line at a time: the model replaces params, a criterion replaces loss_fn,"
        " optimizer.zero_grad() replaces the reset and optimizer.step() replaces the update.",
        "Two objects before the loops, an nn.MSELoss() and a torch.optim.SGD built on model.parameters(); then"
        " inside `for xb, yb in loader:` the table's lines in order: reset, the loss of model(xb) against yb,"
        " backward, step.",
    ),
    solution="""
        def train_module(model, loader, learning_rate, n_epochs):
            criterion = nn.MSELoss()
            optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
            for epoch in range(n_epochs):
                model.train()
                for xb, yb in loader:
                    optimizer.zero_grad()
                    loss = criterion(model(xb), yb)
                    loss.backward()
                    optimizer.step()
    """,
    given=_given,
)
def _train_module(answer: Any) -> None:
    for lr, n_epochs, batch_size, seed, start in _MODULE_CASES:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            got = _trained(answer, lr, n_epochs, batch_size, seed, start)
        if any("target size" in str(w.message) for w in caught):
            raise Wrong(
                "nn.MSELoss warned that your predictions and targets differ in shape, so it broadcast them: give"
                " both shape (B, 1), as model(xb) and yb already are (do not squeeze only one of them)."
            )
        want = _trained(None, lr, n_epochs, batch_size, seed, start)
        if _close(got, want):
            continue
        if torch.equal(got, torch.tensor(start)):
            raise Wrong(
                "the model you were given did not change: build the optimizer from model.parameters() of the"
                " `model` argument, and in every step call optimizer.zero_grad(), loss.backward() and"
                " optimizer.step(), in that order."
            )
        slips = [
            ({"zero": "never"}, "the gradients piled up from batch to batch: call optimizer.zero_grad() at the top"
                                " of every step."),
            ({"order": "step-backward", "zero": "never"}, "optimizer.step() ran before loss.backward(), so each"
                                                          " step used the gradients of earlier batches: backward"
                                                          " first, then step."),
            ({"zero": "before-step"}, "optimizer.zero_grad() ran between backward() and step(), so every step"
                                      " found no gradient: reset at the top of the step."),
        ]
        for slip, sentence in slips:
            if _close(got, _trained(None, lr, n_epochs, batch_size, seed, start, **slip)):
                raise Wrong(sentence)
        for other, sentence in (
            (n_epochs - 1, "one epoch too few"),
            (n_epochs + 1, "one epoch too many"),
        ):
            if _close(got, _trained(None, lr, other, batch_size, seed, start)):
                raise Wrong(f"your loop ran {sentence}: `for epoch in range(n_epochs):` gives n_epochs epochs.")
        if lr != 0.1 and _close(got, _trained(None, 0.1, n_epochs, batch_size, seed, start)):
            raise Wrong(f"with learning_rate {lr:g} your optimizer used 0.1: pass lr=learning_rate.")
        expect_close(got, want, f"the weight and bias after train_module(model, loader, {lr:g}, {n_epochs})",
                     rtol=1e-5, atol=1e-5)
