"""Lesson 4's exercises answer each usual slip in the training loop with its own friendly sentence."""
from __future__ import annotations

import pytest
import torch

from helpers.exercises import EXERCISES
from checking import run_check


def model(t_u, w, b):
    return w * t_u + b


def loss_fn(t_p, t_c):
    return ((t_p - t_c) ** 2).mean()




def test_lesson_four_has_three_exercises_in_teaching_order():
    names = [name for name, ex in EXERCISES.items() if ex.lesson == 5]
    assert names == ["update_step", "train", "validation_loss"]



# --- exercise 1: the update step ------------------------------------------------------------------


def update_minus(params, learning_rate):
    with torch.no_grad():
        params -= learning_rate * params.grad


def update_plus(params, learning_rate):
    with torch.no_grad():
        params += learning_rate * params.grad


def update_without_learning_rate(params, learning_rate):
    with torch.no_grad():
        params -= params.grad


def update_with_fixed_rate(params, learning_rate):
    with torch.no_grad():
        params -= 0.01 * params.grad


def update_outside_no_grad(params, learning_rate):
    params -= learning_rate * params.grad


def update_by_rebinding(params, learning_rate):
    with torch.no_grad():
        params = params - learning_rate * params.grad  # noqa: F841 (the learner's slip)


def update_by_rebinding_and_returning(params, learning_rate):
    with torch.no_grad():
        return params - learning_rate * params.grad


def update_the_gradient(params, learning_rate):
    with torch.no_grad():
        params.grad -= learning_rate * params.grad


def update_twice_as_far(params, learning_rate):
    with torch.no_grad():
        params -= 2 * learning_rate * params.grad


def test_update_step_solution_passes(capsys):
    assert run_check("update_step", update_minus, capsys).startswith("✓")


@pytest.mark.parametrize(
    "wrong, sentence",
    [
        (update_plus, "params moved uphill"),
        (update_without_learning_rate, "multiply the gradient by learning_rate"),
        (update_with_fixed_rate, "use the argument learning_rate, not a fixed number"),
        (update_outside_no_grad, "put the update inside `with torch.no_grad():`"),
        (update_by_rebinding, "only builds a new tensor inside your function"),
        (update_by_rebinding_and_returning, "params itself did not change"),
        (update_the_gradient, "your line changed params.grad, not params"),
        (update_twice_as_far, "params after update_step(params, 0.01)"),
    ],
    ids=["plus", "no-lr", "fixed-lr", "outside-no-grad", "rebinding", "returned-copy", "changed-grad", "other"],
)
def test_update_step_slips_get_their_own_sentence(wrong, sentence, capsys):
    out = run_check("update_step", wrong, capsys)
    assert out.startswith("✗ Exercise 1: the update step:") and sentence in out


def test_update_step_broken_code_is_a_sentence(capsys):
    def update_step(params, learning_rate):
        with torch.no_grad():
            params -= learning_rate * param.grad  # noqa: F821 (the learner's typo)

    assert "raised NameError: name 'param' is not defined" in run_check("update_step", update_step, capsys)


# --- exercise 2: the training loop ----------------------------------------------------------------


def make_train(zero="before", sign=-1.0, epochs_offset=0, ret="params", no_grad=True, use_globals=False, backward=True):
    """A training loop with one slip switched on; the defaults give the right answer."""
    from helpers.data import thermometer

    t_u, t_c = thermometer()
    global_x, global_y = 0.1 * t_u, t_c

    def train(n_epochs, learning_rate, params, x, y):
        if use_globals:
            x, y = global_x, global_y
        losses = []
        for epoch in range(n_epochs + epochs_offset):
            loss = loss_fn(model(x, *params), y)
            if zero == "before" and params.grad is not None:
                params.grad.zero_()
            if zero == "always":
                params.grad.zero_()
            if backward:
                loss.backward()
            if zero == "after-backward":
                params.grad.zero_()
            if no_grad:
                with torch.no_grad():
                    params += sign * learning_rate * params.grad
            else:
                params += sign * learning_rate * params.grad
            losses.append(loss.item())
        if ret == "params":
            return params
        if ret == "loss":
            return loss
        if ret == "both":
            return params, losses
        return None

    return train


def train_by_rebinding(n_epochs, learning_rate, params, x, y):
    for epoch in range(n_epochs):
        loss = loss_fn(model(x, *params), y)
        if params.grad is not None:
            params.grad.zero_()
        loss.backward()
        params = params - learning_rate * params.grad
    return params


def train_by_rebinding_under_no_grad(n_epochs, learning_rate, params, x, y):
    for epoch in range(n_epochs):
        loss = loss_fn(model(x, *params), y)
        if params.grad is not None:
            params.grad.zero_()
        loss.backward()
        with torch.no_grad():
            params = params - learning_rate * params.grad
    return params


def train_with_sgd(n_epochs, learning_rate, params, x, y):
    optimizer = torch.optim.SGD([params], lr=learning_rate)
    for epoch in range(n_epochs):
        loss = loss_fn(model(x, *params), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return params


@pytest.mark.parametrize(
    "answer",
    [make_train(), make_train(ret="both"), train_with_sgd],
    ids=["lesson-loop", "returns-params-and-losses", "torch-optim-sgd"],
)
def test_train_accepts_correct_loops(answer, capsys):
    assert run_check("train", answer, capsys).startswith("✓")


@pytest.mark.parametrize(
    "wrong, sentence",
    [
        (make_train(zero="never"), "never zeroes the gradient"),
        (make_train(sign=+1.0), "your params moved uphill"),
        (make_train(no_grad=False), "put the update inside `with torch.no_grad():`"),
        (make_train(ret=None), "returned None: end the function with `return params`"),
        (make_train(ret="loss"), "a single number (is it the loss?)"),
        (make_train(epochs_offset=-1), "one epoch too few"),
        (make_train(epochs_offset=+1), "one epoch too many"),
        (make_train(zero="after-backward"), "params did not move"),
        (make_train(zero="always"), "params.grad is None until the first backward()"),
        (make_train(backward=False), "found no gradient in params.grad"),
        (make_train(use_globals=True), "use the arguments x and y inside train"),
        (train_by_rebinding, "`params = params - ...` makes a new tensor"),
        (train_by_rebinding_under_no_grad, "`params = params - ...` makes a new tensor"),
        (make_train(sign=-2.0), "compare your loop line by line"),
    ],
    ids=[
        "never-zeroed", "plus", "outside-no-grad", "returns-nothing", "returns-loss", "epoch-too-few",
        "epoch-too-many", "zeroed-after-backward", "zeroed-none", "no-backward", "uses-globals", "rebinding",
        "rebinding-under-no-grad", "other",
    ],
)
def test_train_slips_get_their_own_sentence(wrong, sentence, capsys):
    out = run_check("train", wrong, capsys)
    assert out.startswith("✗ Exercise 2: write the training loop:") and sentence in out


def test_train_broken_code_is_a_sentence(capsys):
    def train(n_epochs, learning_rate, params, x, y):
        for epoch in range(n_epochs):
            loss = loss_fn(model(x, *params), y_val)  # noqa: F821 (the learner's typo)
        return params

    assert "raised NameError: name 'y_val' is not defined" in run_check("train", train, capsys)


# --- exercise 3: the validation loss --------------------------------------------------------------


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
        return loss_fn(model(0.1 * t_u[[10, 0]], *params), t_c[[10, 0]])


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
    assert out.startswith("✗ Exercise 3: the validation loss:") and sentence in out


def test_validation_loss_broken_code_is_a_sentence(capsys):
    def validation_loss(params, x_val, y_val):
        with torch.no_grad():
            return loss_fn(model(x_val, params), y_val)  # forgot the * : model gets two arguments

    out = run_check("validation_loss", validation_loss, capsys)
    assert "raised TypeError" in out and "Fix that line" in out
