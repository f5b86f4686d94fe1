"""Lesson 7's exercises answer each usual slip in mini-batch SGD and the everyday loop with its own sentence."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
import torch
from torch import nn

from checking import run_check
from helpers.exercises import EXERCISES
from helpers.exercises import lesson7

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "07_minibatch_sgd.ipynb"


def model(x, w, b):
    return w * x + b


def loss_fn(t_p, t_c):
    return ((t_p - t_c) ** 2).mean()


def test_lesson_seven_has_three_exercises_in_teaching_order():
    names = [name for name, ex in EXERCISES.items() if ex.lesson == 7]
    assert names == ["sgd_epoch", "one_epoch_budget", "train_module"]


def test_the_checks_use_the_readings_the_notebook_generates():
    cells = {cell.id: cell.source for cell in nbformat.read(NOTEBOOK, as_version=4).cells}
    namespace: dict = {"torch": torch, "print": lambda *args, **kwargs: None}
    exec(cells["make-data"] + "\n" + cells["split"], namespace)
    wanted = (namespace["x_train"], namespace["y_train"], namespace["x_val"], namespace["y_val"])
    assert all(torch.equal(a, b) for a, b in zip(lesson7.readings(), wanted))


# --- exercise 1: one epoch of mini-batch SGD ------------------------------------------------------


def make_epoch(shuffle="once", drop_last=False, reset=True, sign=-1.0, per_batch=True, no_grad=True,
               lr_factor=1.0, use_globals=False):
    """One epoch of mini-batch SGD with one slip switched on; the defaults give the right answer."""
    global_x, global_y = lesson7.standardised_thermometer()

    def sgd_epoch(params, x, y, batch_size, learning_rate, generator):
        if use_globals:
            x, y = global_x, global_y
        n = len(x)
        if shuffle == "once":
            order = torch.randperm(n, generator=generator)
        elif shuffle == "unseeded":
            order = torch.randperm(n)
        else:
            order = torch.arange(n)
        stop = n - n % batch_size if drop_last else n
        for start in range(0, stop, batch_size):
            batch = torch.randperm(n, generator=generator)[:batch_size] if shuffle == "per-batch" else \
                order[start:start + batch_size]
            if reset and per_batch:
                params.grad = None
            loss_fn(model(x[batch], *params), y[batch]).backward()
            if per_batch:
                if no_grad:
                    with torch.no_grad():
                        params += sign * lr_factor * learning_rate * params.grad
                else:
                    params += sign * learning_rate * params.grad
        if not per_batch:
            with torch.no_grad():
                params += sign * learning_rate * params.grad

    return sgd_epoch


def epoch_like_the_dataloader(params, x, y, batch_size, learning_rate, generator):
    order = lesson7.dataloader_order(len(x), generator)
    for start in range(0, len(x), batch_size):
        batch = order[start:start + batch_size]
        params.grad = None
        loss_fn(model(x[batch], *params), y[batch]).backward()
        with torch.no_grad():
            params -= learning_rate * params.grad


def epoch_by_rebinding(params, x, y, batch_size, learning_rate, generator):
    order = torch.randperm(len(x), generator=generator)
    for start in range(0, len(x), batch_size):
        batch = order[start:start + batch_size]
        params.grad = None
        loss_fn(model(x[batch], *params), y[batch]).backward()
        with torch.no_grad():
            params = params - learning_rate * params.grad


@pytest.mark.parametrize("answer", [make_epoch(), epoch_like_the_dataloader], ids=["randperm", "dataloader-draws"])
def test_sgd_epoch_accepts_the_lesson_loop_and_the_dataloader_shuffle(answer, capsys):
    assert run_check("sgd_epoch", answer, capsys).startswith("✓")


@pytest.mark.parametrize(
    "wrong, sentence",
    [
        (make_epoch(shuffle="none"), "in their stored order"),
        (make_epoch(shuffle="per-batch"), "a new permutation for every batch"),
        (make_epoch(drop_last=True), "skipped the last, smaller batch"),
        (make_epoch(reset=False), "gradients piled up"),
        (make_epoch(sign=+1.0), "moved uphill"),
        (make_epoch(per_batch=False), "that is full-batch gradient descent"),
        (make_epoch(no_grad=False), "put the update inside `with torch.no_grad():`"),
        (epoch_by_rebinding, "`params = params - ...` makes a new tensor"),
        (make_epoch(use_globals=True), "use the arguments x, y, batch_size and learning_rate"),
        (make_epoch(shuffle="unseeded"), "shuffle exactly once per epoch with `torch.randperm(len(x), generator"),
        (make_epoch(lr_factor=2.0), "after two epochs of"),
    ],
    ids=["no-shuffle", "shuffle-per-batch", "drop-last", "no-reset", "plus", "one-update", "outside-no-grad",
         "rebinding", "uses-globals", "unseeded", "other"],
)
def test_sgd_epoch_slips_get_their_own_sentence(wrong, sentence, capsys):
    out = run_check("sgd_epoch", wrong, capsys)
    assert out.startswith("✗ Exercise 1: one epoch of mini-batch SGD:") and sentence in out


def test_sgd_epoch_broken_code_is_a_sentence(capsys):
    def sgd_epoch(params, x, y, batch_size, learning_rate, generator):
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), batch_size):
            loss = loss_fn(model(x[batch], *params), y[batch])  # noqa: F821 (the learner forgot a line)

    assert "raised NameError: name 'batch' is not defined" in run_check("sgd_epoch", sgd_epoch, capsys)


# --- exercise 2: one epoch, your choice -----------------------------------------------------------


@pytest.mark.parametrize("answer", [(4, 0.01), (32, 0.1), (256, 0.5), [2000, 0.5], (32.0, 0.1)])
def test_one_epoch_budget_accepts_batch_sizes_with_matching_learning_rates(answer, capsys):
    assert run_check("one_epoch_budget", answer, capsys).startswith("✓")


@pytest.mark.parametrize(
    "wrong, sentence",
    [
        ((2000, 0.1), "too few or too short steps, not noise (the full batch has none)"),
        ((32, 0.01), "the same steps on the full gradient reach only"),
        ((1, 0.1), "the noise of batches of 1 keeps the line jumping around"),
        ((4, 0.9), "small batches need a smaller learning rate"),
        ((8, 1.0), "needs a learning rate below 1"),
        ((2000, 1.5), "overshoot even on the full gradient"),
    ],
    ids=["full-batch-too-slow", "too-slow", "too-noisy", "mini-batch-diverges", "lr-1", "lr-above-1"],
)
def test_one_epoch_budget_names_the_force_that_stopped_the_learner(wrong, sentence, capsys):
    out = run_check("one_epoch_budget", wrong, capsys)
    assert out.startswith("✗ Exercise 2: one epoch, your choice:") and sentence in out


@pytest.mark.parametrize(
    "wrong, sentence",
    [
        ((0, 0.1), "between 1 and 2000"),
        ((5000, 0.1), "between 1 and 2000"),
        ((2.5, 0.1), "must be a whole number of readings"),
        ((True, 0.1), "must be a whole number of readings"),
        ((32, -0.1), "greater than zero"),
        ((32, float("nan")), "greater than zero"),
        ((32, "0.1"), "greater than zero"),
        ("fast", "pass two numbers, (batch_size, learning_rate)"),
        ((32, 0.1, 5), "pass two numbers, (batch_size, learning_rate)"),
    ],
    ids=["zero", "larger-than-data", "fraction", "bool", "negative-lr", "nan-lr", "string-lr", "string", "three"],
)
def test_one_epoch_budget_bad_input_is_one_sentence(wrong, sentence, capsys):
    out = run_check("one_epoch_budget", wrong, capsys)
    assert out.startswith("✗ Exercise 2: one epoch, your choice:") and sentence in out


def test_one_epoch_budget_replays_the_notebooks_train_by_hand():
    assert lesson7.one_epoch_validation_loss(2000, 0.1) == pytest.approx(167.3, abs=0.05)
    assert lesson7.one_epoch_validation_loss(32, 0.01) == pytest.approx(22.18, abs=0.005)


# --- exercise 3: the everyday loop ----------------------------------------------------------------


def make_module_loop(zero="top", order="backward-step", epochs_offset=0, fixed_lr=None, squeeze=False,
                     optimizer_per_step=False, new_model=False, adam=False):
    """The everyday loop with one slip switched on; the defaults give the right answer."""

    def train_module(model, loader, learning_rate, n_epochs):
        if new_model:
            model = nn.Linear(1, 1)
        criterion = nn.MSELoss()
        lr = fixed_lr if fixed_lr is not None else learning_rate
        make = (lambda: torch.optim.Adam(model.parameters(), lr=lr)) if adam else \
            (lambda: torch.optim.SGD(model.parameters(), lr=lr))
        optimizer = make()
        for epoch in range(n_epochs + epochs_offset):
            model.train()
            for xb, yb in loader:
                if optimizer_per_step:
                    optimizer = make()
                if zero == "top":
                    optimizer.zero_grad()
                prediction = model(xb).squeeze() if squeeze else model(xb)
                loss = criterion(prediction, yb)
                if order == "step-backward":
                    optimizer.step()
                    loss.backward()
                else:
                    loss.backward()
                    if zero == "before-step":
                        optimizer.zero_grad()
                    optimizer.step()

    return train_module


@pytest.mark.parametrize(
    "answer", [make_module_loop(), make_module_loop(optimizer_per_step=True)],
    ids=["lesson-loop", "optimizer-made-every-step"],
)
def test_train_module_accepts_the_everyday_loop(answer, capsys):
    assert run_check("train_module", answer, capsys).startswith("✓")


@pytest.mark.parametrize(
    "wrong, sentence",
    [
        (make_module_loop(zero="never"), "call optimizer.zero_grad() at the top of every step"),
        (make_module_loop(order="step-backward"), "zero_grad(), loss.backward() and optimizer.step(), in that order"),
        (make_module_loop(order="step-backward", zero="never"), "optimizer.step() ran before loss.backward()"),
        (make_module_loop(zero="before-step"), "the model you were given did not change"),
        (make_module_loop(squeeze=True), "differ in shape"),
        (make_module_loop(epochs_offset=-1), "one epoch too few"),
        (make_module_loop(epochs_offset=+1), "one epoch too many"),
        (make_module_loop(fixed_lr=0.1), "pass lr=learning_rate"),
        (make_module_loop(new_model=True), "the model you were given did not change"),
        (make_module_loop(adam=True), "the weight and bias after train_module"),
    ],
    ids=["never-zeroed", "step-before-backward", "step-before-backward-never-zeroed", "zeroed-before-step", "squeezed", "epoch-too-few",
         "epoch-too-many", "fixed-lr", "new-model", "adam"],
)
def test_train_module_slips_get_their_own_sentence(wrong, sentence, capsys):
    out = run_check("train_module", wrong, capsys)
    assert out.startswith("✗ Exercise 3: the everyday loop:") and sentence in out


def test_train_module_broken_code_is_a_sentence(capsys):
    def train_module(model, loader, learning_rate, n_epochs):
        optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
        for xb, yb in loader:
            criterion(model(xb), yb).backward()  # noqa: F821 (the learner forgot the criterion)

    assert "raised NameError: name 'criterion' is not defined" in run_check("train_module", train_module, capsys)
