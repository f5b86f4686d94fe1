"""Lesson 05's exercises answer each usual slip in the training loop, and in training the book's quadratic, with its own sentence."""
from __future__ import annotations

import pytest
import torch

from helpers.exercises import EXERCISES
from checking import run_check


def model(t_u, w, b):
    return w * t_u + b


def loss_fn(t_p, t_c):
    return ((t_p - t_c) ** 2).mean()




def test_lesson_five_has_three_exercises_in_teaching_order():
    names = [name for name, ex in EXERCISES.items() if ex.lesson == 5]
    assert names == ["update_step", "train", "quadratic_loss"]



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


def make_train(zero="top", sign=-1.0, epochs_offset=0, ret="params", no_grad=True, use_globals=False, backward=True):
    """A training loop with one slip switched on; the defaults give the right answer."""
    from helpers.data import thermometer

    t_u, t_c = thermometer()
    global_x, global_y = 0.1 * t_u, t_c

    def train(n_epochs, learning_rate, params, x, y):
        if use_globals:
            x, y = global_x, global_y
        losses = []
        for epoch in range(n_epochs + epochs_offset):
            if zero == "top":
                params.grad = None
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
    [make_train(), make_train(zero="before"), make_train(ret="both"), train_with_sgd],
    ids=["lesson-loop", "guarded-zero-before-backward", "returns-params-and-losses", "torch-optim-sgd"],
)
def test_train_accepts_correct_loops(answer, capsys):
    assert run_check("train", answer, capsys).startswith("✓")


@pytest.mark.parametrize(
    "wrong, sentence",
    [
        (make_train(zero="never"), "never resets the gradient"),
        (make_train(sign=+1.0), "your params moved uphill"),
        (make_train(no_grad=False), "put the update inside `with torch.no_grad():`"),
        (make_train(ret=None), "returned None: end the function with `return params`"),
        (make_train(ret="loss"), "a single number (is it the loss?)"),
        (make_train(epochs_offset=-1), "one epoch too few"),
        (make_train(epochs_offset=+1), "one epoch too many"),
        (make_train(zero="after-backward"), "params did not move"),
        (make_train(zero="always"), "reset with `params.grad = None` at the top"),
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


# --- exercise 3: the book's quadratic model -------------------------------------------------------


def quadratic_run(inputs="standardised", lr=0.2, epochs=200, square=True, reduce="mean", ret="losses"):
    """Gradient descent on w2 * x**2 + w1 * x + b; the defaults converge."""
    from helpers.data import thermometer

    t_u, t_c = thermometer()
    x = {"standardised": (t_u - t_u.mean()) / t_u.std(), "rescaled": 0.1 * t_u, "raw": t_u}[inputs]

    def quadratic_loss():
        params = torch.zeros(3, requires_grad=True)
        losses = []
        for epoch in range(epochs):
            params.grad = None
            t_p = (params[0] * x**2 if square else 0) + params[1] * x + params[2]
            errors = (t_p - t_c) ** 2
            loss = errors.mean() if reduce == "mean" else errors.sum()
            loss.backward()
            with torch.no_grad():
                params -= lr * params.grad
            losses.append(loss.item())
        if reduce == "sum-reported":
            return [value / 1 for value in losses]
        return {"losses": losses, "last": losses[-1], "none": None, "tensor": torch.tensor(losses)}[ret]

    return quadratic_loss


def quadratic_least_squares_losses():
    from helpers.data import thermometer

    t_u, t_c = (v.double() for v in thermometer())
    X = torch.stack([t_u**2, t_u, torch.ones_like(t_u)], dim=1)
    coefficients = torch.linalg.lstsq(X, t_c.unsqueeze(1)).solution.squeeze(1)
    return [5.0, loss_fn(X @ coefficients, t_c).item()]


@pytest.mark.parametrize(
    "answer",
    [quadratic_run(), quadratic_run(ret="tensor"), quadratic_least_squares_losses],
    ids=["standardised-loop", "tensor-of-losses", "least-squares"],
)
def test_quadratic_loss_accepts_any_run_that_reaches_the_best_quadratic(answer, capsys):
    assert run_check("quadratic_loss", answer, capsys).startswith("✓")


@pytest.mark.parametrize(
    "wrong, sentence",
    [
        (quadratic_run(inputs="rescaled", lr=1e-2, epochs=50), "your loss grew"),
        (quadratic_run(inputs="raw", lr=1e-4, epochs=20), "your loss grew"),
        (quadratic_run(inputs="rescaled", lr=5e-4, epochs=2000), "worse than the straight line"),
        (lambda: [2.6] * 10 + [2.5] * 10, "beats the line but not the best quadratic"),
        (quadratic_run(epochs=20, lr=0.05), "still falling fast"),
        (quadratic_run(square=False), "the w2 term is missing"),
        (quadratic_run(reduce="sum", lr=0.02), "the sum of the squared errors"),
        (quadratic_run(ret="last"), "return the list of losses"),
        (quadratic_run(ret="none"), "returned None"),
        (lambda: [5.0, 1.5], "below the lowest any quadratic can reach"),
        (lambda: ["low", "lower"], "a list of numbers"),
    ],
    ids=["diverges-rescaled", "diverges-raw", "stalls-rescaled", "stalls-below-line", "too-few-epochs", "no-square-term", "summed",
         "one-number", "no-return", "too-low", "strings"],
)
def test_quadratic_loss_slips_get_their_own_sentence(wrong, sentence, capsys):
    out = run_check("quadratic_loss", wrong, capsys)
    assert out.startswith("✗ Exercise 3: the book's quadratic model:") and sentence in out
