"""Lesson 06's exercises: a loop fixed from its loss curve, the validation loss, and early stopping that keeps the
best parameters; each usual slip gets its own sentence."""
from __future__ import annotations

import pytest
import torch

from helpers.exercises import EXERCISES
from checking import run_check


def model(t_u, w, b):
    return w * t_u + b


def loss_fn(t_p, t_c):
    return ((t_p - t_c) ** 2).mean()


def test_lesson_six_has_three_exercises_in_teaching_order():
    names = [name for name, ex in EXERCISES.items() if ex.lesson == 6]
    assert names == ["train_fixed", "validation_loss", "early_stopping"]


# --- exercise 1: fix a loop from its loss curve ---------------------------------------------------


def make_fixed(reset="top", epochs_offset=0, ret="losses", use_globals=False, update="step"):
    """The lesson's loop with an optimizer, with one slip switched on; the defaults are right."""
    from helpers.data import thermometer

    t_u, t_c = thermometer()
    global_x = (t_u - t_u.mean()) / t_u.std()

    def train_fixed(n_epochs, optimizer, params, x, y):
        if use_globals:
            x, y = global_x, t_c
        losses = []
        if reset == "once":
            optimizer.zero_grad()
        for epoch in range(n_epochs + epochs_offset):
            if reset == "top":
                optimizer.zero_grad()
            loss = loss_fn(model(x, *params), y)
            loss.backward()
            if reset == "between":
                optimizer.zero_grad()
            if update == "step":
                optimizer.step()
            else:
                params -= 0.1 * params.grad
            if reset == "after-step":
                optimizer.zero_grad()
            losses.append(loss.item())
        return losses if ret == "losses" else None

    return train_fixed


@pytest.mark.parametrize(
    "answer", [make_fixed(), make_fixed(reset="after-step")], ids=["reset-at-top", "tutorial-order"]
)
def test_train_fixed_accepts_a_reset_every_epoch(answer, capsys):
    assert run_check("train_fixed", answer, capsys).startswith("✓")


@pytest.mark.parametrize(
    "wrong, sentence",
    [
        (make_fixed(reset="never"), "gradients still pile up"),
        (make_fixed(reset="once"), "not only once"),
        (make_fixed(reset="between"), "params never moved"),
        (make_fixed(epochs_offset=-1), "one epoch too few"),
        (make_fixed(epochs_offset=1), "one epoch too many"),
        (make_fixed(ret=None), "now return the list of the 40 losses"),
        (make_fixed(use_globals=True), "use the arguments x and y"),
        (make_fixed(update="by-hand"), "let optimizer.step() do the update"),
    ],
    ids=["never", "once", "between-backward-and-step", "too-few", "too-many", "no-return", "globals", "by-hand"],
)
def test_train_fixed_slips_get_their_own_sentence(wrong, sentence, capsys):
    out = run_check("train_fixed", wrong, capsys)
    assert out.startswith("✗ Exercise 1: fix a loop from its loss curve:") and sentence in out


# --- exercise 2: the validation loss --------------------------------------------------------------


def validation_right(params, x_val, y_val):
    with torch.no_grad():
        return loss_fn(model(x_val, *params), y_val)


def validation_as_float(params, x_val, y_val):
    return loss_fn(model(x_val, *params), y_val).item()


def validation_with_graph(params, x_val, y_val):
    return loss_fn(model(x_val, *params), y_val)


def validation_with_backward(params, x_val, y_val):
    loss = loss_fn(model(x_val, *params), y_val)
    loss.backward()
    return loss.detach()


def validation_per_reading(params, x_val, y_val):
    with torch.no_grad():
        return (model(x_val, *params) - y_val) ** 2


def validation_summed(params, x_val, y_val):
    with torch.no_grad():
        return ((model(x_val, *params) - y_val) ** 2).sum()


def validation_rooted(params, x_val, y_val):
    with torch.no_grad():
        return loss_fn(model(x_val, *params), y_val).sqrt()


def validation_absolute(params, x_val, y_val):
    with torch.no_grad():
        return (model(x_val, *params) - y_val).abs().mean()


def validation_unsquared(params, x_val, y_val):
    with torch.no_grad():
        return (model(x_val, *params) - y_val).mean()


def validation_on_fixed_readings(params, x_val, y_val):
    from helpers.data import thermometer

    t_u, t_c = thermometer()
    with torch.no_grad():
        return loss_fn(model((t_u[[10, 0]] - 51.74) / 16.95, *params), t_c[[10, 0]])


def validation_without_return(params, x_val, y_val):
    with torch.no_grad():
        loss_fn(model(x_val, *params), y_val)


@pytest.mark.parametrize("answer", [validation_right, validation_as_float], ids=["tensor", "float"])
def test_validation_loss_accepts_a_tensor_or_a_float(answer, capsys):
    assert run_check("validation_loss", answer, capsys).startswith("✓")


@pytest.mark.parametrize(
    "wrong, sentence",
    [
        (validation_with_graph, "compute it inside `with torch.no_grad():`"),
        (validation_with_backward, "do not call backward() on it"),
        (validation_per_reading, "one per reading"),
        (validation_summed, "you summed the squared differences"),
        (validation_rooted, "you took the square root"),
        (validation_absolute, "without squaring them: square the differences"),
        (validation_unsquared, "without squaring them: square them first"),
        (validation_on_fixed_readings, "use the arguments params, x_val and y_val"),
        (validation_without_return, "did you forget `return`?"),
        (lambda params, x_val, y_val: "low", "should return the loss, a number"),
    ],
    ids=["graph", "backward", "per-reading", "summed", "rooted", "absolute", "unsquared", "fixed-readings",
         "no-return", "string"],
)
def test_validation_loss_slips_get_their_own_sentence(wrong, sentence, capsys):
    out = run_check("validation_loss", wrong, capsys)
    assert out.startswith("✗ Exercise 2: the validation loss:") and sentence in out


def test_validation_loss_broken_code_is_a_sentence(capsys):
    def validation_loss(params, x_val, y_val):
        with torch.no_grad():
            return loss_fn(model(x_val, params), y_val)  # forgot the * : model gets two arguments

    out = run_check("validation_loss", validation_loss, capsys)
    assert "raised TypeError" in out and "Fix that line" in out


# --- exercise 3: early stopping -------------------------------------------------------------------


def make_stopping(compare="<", keep="copy", stop_at=0, count_from=1, patience_used=True, ret="pair"):
    """Early stopping with one slip switched on; the defaults are right."""

    def early_stopping(step, params, patience, max_epochs):
        best_loss, best_epoch, best_params = float("inf"), 0, None
        previous = float("inf")
        for epoch in range(1, max_epochs + 1):
            val_loss = step()
            if val_loss < best_loss:
                snapshot = {"copy": params.detach().clone(), "reference": params, "none": None}[keep]
                best_loss, best_epoch, best_params = val_loss, epoch, snapshot
            elif not patience_used and val_loss > previous:
                break
            elif patience_used and epoch - best_epoch >= patience + stop_at:
                break
            previous = val_loss
        if ret == "params":
            return best_params
        return best_params, best_epoch - 1 + count_from

    return early_stopping


def test_early_stopping_solution_passes(capsys):
    assert run_check("early_stopping", make_stopping(), capsys).startswith("✓")


def never_stopping(step, params, patience, max_epochs):
    best_loss, best_epoch, best_params = float("inf"), 0, None
    for epoch in range(1, max_epochs + 1):
        val_loss = step()
        if val_loss < best_loss:
            best_loss, best_epoch, best_params = val_loss, epoch, params.detach().clone()
    return best_params, best_epoch


def keeping_the_last_params(step, params, patience, max_epochs):
    best_loss, best_epoch = float("inf"), 0
    for epoch in range(1, max_epochs + 1):
        val_loss = step()
        if val_loss < best_loss:
            best_loss, best_epoch = val_loss, epoch
        elif epoch - best_epoch >= patience:
            break
    return params.detach().clone(), best_epoch


def running_forever(step, params, patience, max_epochs):
    while True:
        step()


@pytest.mark.parametrize(
    "wrong, sentence",
    [
        (never_stopping, "your loop never stopped"),
        (make_stopping(patience_used=False), "stopped at the first epoch the validation loss went up"),
        (make_stopping(stop_at=1), "stop after exactly `patience` epochs"),
        (make_stopping(stop_at=-1), "stop after exactly `patience` epochs"),
        (make_stopping(count_from=0), "count epochs from 1"),
        (make_stopping(keep="reference"), "keep a snapshot, params.detach().clone()"),
        (keeping_the_last_params, "keep a snapshot, params.detach().clone()"),
        (make_stopping(keep="none"), "best_params should be a tensor"),
        (make_stopping(ret="params"), "should return two things"),
        (running_forever, "more than max_epochs = 12 times"),
    ],
    ids=["never-stops", "no-patience", "one-late", "one-early", "counts-from-0", "reference", "last-params",
         "no-params", "one-thing", "forever"],
)
def test_early_stopping_slips_get_their_own_sentence(wrong, sentence, capsys):
    out = run_check("early_stopping", wrong, capsys)
    assert out.startswith("✗ Exercise 3: early stopping that keeps the best parameters:") and sentence in out
