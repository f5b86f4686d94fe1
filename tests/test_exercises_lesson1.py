"""Lesson 1's exercises: typical wrong answers each get their own friendly sentence, never a traceback."""
from __future__ import annotations

import pytest
import torch

from helpers.data import thermometer
from checking import run_check

t_u, t_c = thermometer(torch.float64)




# --- backward_difference -------------------------------------------------------------------------


def test_backward_difference_accepts_a_correct_answer(capsys):
    assert run_check("backward_difference", lambda f, x, h: (f(x) - f(x - h)) / h, capsys).startswith("✓")


@pytest.mark.parametrize(
    "wrong, sentence",
    [
        (lambda f, x, h: (f(x + h) - f(x)) / h, "this is a forward difference"),
        (lambda f, x, h: (f(x + h) - f(x - h)) / (2 * h), "this is a central difference"),
        (lambda f, x, h: f(x) - f(x - h), "you forgot to divide by h"),
        (lambda f, x, h: (f(x) - f(x - h)) / (2 * h), "divide by h, not 2 * h"),
        (lambda f, x, h: (f(x - h) - f(x)) / h, "the sign is flipped"),
        (lambda f, x, h: f(x) - f(x - h) / h, "mind the brackets"),
        (lambda f, x, h: (f(x) - f(x - h)) / h + 1, "should be 11.41, but yours is 12.41"),
    ],
)
def test_backward_difference_names_the_slip(wrong, sentence, capsys):
    out = run_check("backward_difference", wrong, capsys)
    assert out.startswith("✗ A backward difference:") and sentence in out, out


def test_backward_difference_forgotten_return_and_stub(capsys):
    def forgot_return(f, x, h):
        (f(x) - f(x - h)) / h

    def stub(f, x, h):
        raise NotImplementedError

    assert "did you forget `return`?" in run_check("backward_difference", forgot_return, capsys)
    assert "not done yet" in run_check("backward_difference", stub, capsys)


def test_backward_difference_broken_code_is_a_sentence(capsys):
    out = run_check("backward_difference", lambda f, x, h: (f(x) - f(x - h)) / undefined_name, capsys)  # noqa: F821
    assert "raised NameError: name 'undefined_name' is not defined" in out


def test_backward_difference_value_instead_of_function(capsys):
    assert "expected your function itself" in run_check("backward_difference", 11.41, capsys)


# --- forward_gradient ----------------------------------------------------------------------------


def forward_gradient(loss_of, params, h):
    base = loss_of(params)
    grad = torch.zeros_like(params)
    for i in range(len(params)):
        nudged = params.clone()
        nudged[i] += h
        grad[i] = (loss_of(nudged) - base) / h
    return grad


def recomputes_the_base(loss_of, params, h):
    grad = torch.zeros_like(params)
    for i in range(len(params)):
        nudged = params.clone()
        nudged[i] += h
        grad[i] = (loss_of(nudged) - loss_of(params)) / h
    return grad


def central(loss_of, params, h):
    grad = torch.zeros_like(params)
    for i in range(len(params)):
        up, down = params.clone(), params.clone()
        up[i] += h
        down[i] -= h
        grad[i] = (loss_of(up) - loss_of(down)) / (2 * h)
    return grad


def nudges_the_caller(loss_of, params, h):
    base = loss_of(params)
    grad = torch.zeros_like(params)
    for i in range(len(params)):
        nudged = params  # not a copy
        nudged[i] += h
        grad[i] = (loss_of(nudged) - base) / h
    return grad


def one_copy_for_all(loss_of, params, h):
    base = loss_of(params)
    grad = torch.zeros_like(params)
    nudged = params.clone()
    for i in range(len(params)):
        nudged[i] += h
        grad[i] = (loss_of(nudged) - base) / h
    return grad


def all_at_once(loss_of, params, h):
    return torch.full_like(params, ((loss_of(params + h) - loss_of(params)) / h).item())


def test_forward_gradient_accepts_a_loop_with_p_plus_one_passes_and_a_list_answer(capsys):
    assert run_check("forward_gradient", forward_gradient, capsys).startswith("✓")
    as_list = lambda loss_of, params, h: forward_gradient(loss_of, params, h).tolist()  # noqa: E731
    assert run_check("forward_gradient", as_list, capsys).startswith("✓")


@pytest.mark.parametrize(
    "wrong, sentence",
    [
        (recomputes_the_base, "gives the right slopes but called loss_of 6 times; it needs only P + 1 = 4"),
        (central, "this is the central difference (2 passes per parameter)"),
        (nudges_the_caller, "changed the caller's params"),
        (one_copy_for_all, "the nudges pile up"),
        (all_at_once, "you nudged all parameters at once"),
        (lambda loss_of, params, h: -forward_gradient(loss_of, params, h), "the sign is flipped"),
        (lambda loss_of, params, h: forward_gradient(loss_of, params, h) * h, "you forgot to divide by h"),
        (lambda loss_of, params, h: forward_gradient(loss_of, params, h) / 2, "divide by h, not 2 * h"),
        (lambda loss_of, params, h: loss_of(params), "returned 1 number, but a gradient holds one slope per parameter"),
        (lambda loss_of, params, h: None, "did you forget `return`?"),
        (lambda loss_of, params, h: "steep", "should return a tensor shaped like params"),
        (lambda loss_of, params, h: forward_gradient(loss_of, params, h) + 1, "the slope of parameter"),
    ],
)
def test_forward_gradient_names_the_misconception(wrong, sentence, capsys):
    out = run_check("forward_gradient", wrong, capsys)
    assert out.startswith("✗ A whole gradient in P + 1 passes:") and sentence in out, out


def test_forward_gradient_works_on_a_column_of_parameters_like_the_notebooks(capsys):
    # The second case is a (4, 1) column: a learner's loop over len(params) passes it too.
    calls = []

    def spy(loss_of, params, h):
        calls.append(tuple(params.shape))
        return forward_gradient(loss_of, params, h)

    assert run_check("forward_gradient", spy, capsys).startswith("✓")
    assert calls == [(3,), (4, 1)]


# --- best_central_step ---------------------------------------------------------------------------


def test_best_central_step_accepts_cube_root_of_eps_and_close_variants(capsys):
    assert run_check("best_central_step", lambda d: torch.finfo(d).eps ** (1 / 3), capsys).startswith("✓")
    assert run_check("best_central_step", lambda d: (3 * torch.finfo(d).eps) ** (1 / 3), capsys).startswith("✓")
    as_tensor = lambda d: torch.tensor(torch.finfo(d).eps, dtype=torch.float64) ** (1 / 3)  # noqa: E731
    assert run_check("best_central_step", as_tensor, capsys).startswith("✓")


@pytest.mark.parametrize(
    "wrong, sentence",
    [
        (lambda d: torch.finfo(d).eps ** 0.5, "about √ε: that is the best step for a forward difference"),
        (lambda d: torch.finfo(d).eps, "which is ε itself"),
        (lambda d: torch.finfo(torch.float32).eps ** (1 / 3), "the same step as for float32"),
        (lambda d: 0.1, "too large"),
        (lambda d: torch.finfo(d).eps ** 0.75, "too small"),
        (lambda d: -torch.finfo(d).eps ** (1 / 3), "must be greater than zero"),
        (lambda d: "small", "should return a number"),
    ],
)
def test_best_central_step_names_the_slip(wrong, sentence, capsys):
    out = run_check("best_central_step", wrong, capsys)
    assert out.startswith("✗ The best step for a central difference:") and sentence in out, out


def test_best_central_step_broken_code_is_a_sentence(capsys):
    out = run_check("best_central_step", lambda d: torch.finfo(d).epsilon, capsys)
    assert "raised AttributeError" in out


# --- dloss_dw2 -----------------------------------------------------------------------------------


def prediction(w2, w1, b):
    return w2 * t_u**2 + w1 * t_u + b


def test_dloss_dw2_accepts_a_correct_answer_in_float32_too(capsys):
    def right(w2, w1, b):
        return (2 * (prediction(w2, w1, b) - t_c) * t_u**2).mean()

    def right_float32(w2, w1, b):
        u, c = t_u.float(), t_c.float()
        return (2 * (w2 * u**2 + w1 * u + b - c) * u**2).mean()

    assert run_check("dloss_dw2", right, capsys).startswith("✓")
    assert run_check("dloss_dw2", right_float32, capsys).startswith("✓")


@pytest.mark.parametrize(
    "wrong, sentence",
    [
        (lambda w2, w1, b: (2 * (prediction(w2, w1, b) - t_c) * t_u).mean(), "this is dL/dw1"),
        (lambda w2, w1, b: (2 * (prediction(w2, w1, b) - t_c)).mean(), "this is dL/db"),
        (lambda w2, w1, b: ((prediction(w2, w1, b) - t_c) * t_u**2).mean(), "half the right size"),
        (lambda w2, w1, b: (2 * (t_c - prediction(w2, w1, b)) * t_u**2).mean(), "the sign is flipped"),
        (lambda w2, w1, b: (2 * (prediction(w2, w1, b) - t_c) * t_u**2).sum(), "11 times too large"),
        (lambda w2, w1, b: 2 * (prediction(w2, w1, b) - t_c) * t_u**2, "returned 11 numbers"),
        (lambda w2, w1, b: (2 * (w1 * t_u + b - t_c) * t_u**2).mean(), "leaves out the w2 * t_u ** 2 term"),
        (lambda w2, w1, b: (4 * w2 * t_u * (prediction(w2, w1, b) - t_c)).mean(), "you differentiated with respect to t_u"),
        (lambda w2, w1, b: (2 * (prediction(w2, w1, b) - t_c) * t_u**3).mean(), "compare it with a central difference"),
        (lambda w2, w1, b: t_u[:2], "returned a tensor of shape (2,)"),
    ],
)
def test_dloss_dw2_names_the_slip(wrong, sentence, capsys):
    out = run_check("dloss_dw2", wrong, capsys)
    assert out.startswith("✗ A gradient by hand for a curved model:") and sentence in out, out


def test_dloss_dw2_broken_code_is_a_sentence(capsys):
    out = run_check("dloss_dw2", lambda w2, w1, b: (t_u @ t_c[:3]), capsys)
    assert "raised RuntimeError" in out and "Fix that line" in out
