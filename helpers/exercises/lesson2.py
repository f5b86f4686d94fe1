"""Lesson 2 (autograd): from one missing line to a loop of backward() calls."""
from __future__ import annotations

import math
from typing import Any

import torch

from helpers.checks import Wrong, call, exercise, expect, expect_close
from helpers.data import thermometer

# (w, b) points at which loss_gradient is tried: the lesson's start, near the optimum, somewhere else.
_POINTS = ((1.0, 0.0), (5.0, -17.0), (0.5, 2.0))


def _thermometer() -> dict[str, Any]:
    t_u, t_c = thermometer()
    return {"t_u": t_u, "t_c": t_c}


def _hand_gradient(w: float, b: float) -> tuple[float, float]:
    """dL/dw and dL/db of the mean squared error of w * t_u + b, in float64."""
    t_u, t_c = thermometer(torch.float64)
    error = w * t_u + b - t_c
    return (2 * error * t_u).mean().item(), (2 * error).mean().item()


def _hand_loss(w: float, b: float) -> float:
    t_u, t_c = thermometer(torch.float64)
    return ((w * t_u + b - t_c) ** 2).mean().item()


def _as_number(value: Any, what: str) -> float:
    """A number or one-element tensor as a float; anything else is a plain sentence."""
    if value is None:
        raise Wrong(f"{what} is None: call backward() first, then read .grad.")
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return value.item()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise Wrong(f"{what} should be one number, but it is {value!r}.")


def _explain_autograd_error(err: Wrong) -> None:
    """Turn the usual autograd errors inside a learner's function into the sentence that fixes them."""
    text = str(err)
    if "does not require grad and does not have a grad_fn" in text:
        raise Wrong(
            "backward() found nothing to differentiate: create x with requires_grad=True, e.g. "
            "x = torch.tensor(x_value, requires_grad=True)."
        ) from None
    if "grad can be implicitly created only for scalar outputs" in text:
        raise Wrong(
            "y holds one value per point, so y.backward() needs a vector saying how much each one counts: "
            "y.backward(torch.ones_like(y))."
        ) from None
    if "Only Tensors of floating point" in text:
        raise Wrong("gradients need floating-point tensors: write torch.tensor(2.0), not torch.tensor(2).") from None
    raise err


@exercise(
    "loss_gradient",
    lesson=2,
    title="The gradient of the loss, by autograd",
    hints=(
        "Everything is ready: w and b require grad, and the loss was computed from them. One call on the loss "
        "makes autograd fill w.grad and b.grad.",
        "Write `loss.backward()` (with the parentheses) in place of the `raise` line.",
    ),
    solution="""
        def loss_gradient(w_value, b_value):
            w = torch.tensor(w_value, requires_grad=True)
            b = torch.tensor(b_value, requires_grad=True)
            loss = ((w * t_u + b - t_c) ** 2).mean()
            loss.backward()
            return w.grad, b.grad
    """,
    given=_thermometer,
)
def _loss_gradient(answer: Any) -> None:
    for w, b in _POINTS:
        what = f"loss_gradient({w}, {b})"
        got = call(answer, w, b, what=what)
        if not isinstance(got, tuple) or len(got) != 2:
            raise Wrong(
                f"{what} should return two values, (w.grad, b.grad); keep the last line `return w.grad, b.grad`."
            )
        grad_w, grad_b = got
        if grad_w is None and grad_b is None:
            raise Wrong(
                f"{what} returned (None, None): nothing filled the gradients yet; call loss.backward() "
                "(with the parentheses) before the return."
            )
        if grad_b is None and grad_w is not None and _as_number(grad_w, "w.grad") == 1.0:
            raise Wrong("w.grad is 1 and b.grad is None: you called backward() on w; call it on the loss instead.")
        want_w, want_b = _hand_gradient(w, b)
        expect_close(_as_number(grad_w, "w.grad"), want_w, f"dL/dw at w={w}, b={b}", rtol=1e-4, atol=1e-3)
        expect_close(_as_number(grad_b, "b.grad"), want_b, f"dL/db at w={w}, b={b}", rtol=1e-4, atol=1e-3)


# (function, its name in sentences, x, exact slope)
_FUNCTIONS = (
    (lambda x: x**3 + 2 * x, "f(x) = x**3 + 2*x", 2.0, 14.0),
    (torch.sin, "torch.sin", 0.0, 1.0),
    (lambda x: (x - 1) ** 2, "f(x) = (x - 1)**2", 1.0, 0.0),
    (torch.exp, "torch.exp", 1.0, math.e),
)


@exercise(
    "derivative",
    lesson=2,
    title="The slope of any function, by autograd",
    hints=(
        "Do what section 1 did with w: make x a leaf tensor that requires grad, compute y = f(x), call "
        "backward() on y, and read the slope from x.grad.",
        "x = torch.tensor(x_value, requires_grad=True), then y = f(x), then y.backward(), then return x.grad.",
    ),
    solution="""
        def derivative(f, x_value):
            x = torch.tensor(x_value, requires_grad=True)
            y = f(x)
            y.backward()
            return x.grad
    """,
)
def _derivative(answer: Any) -> None:
    for f, name, x, slope in _FUNCTIONS:
        what = f"derivative({name}, {x})"
        try:
            got = call(answer, f, x, what=what)
        except Wrong as err:
            _explain_autograd_error(err)
        if got is None:
            raise Wrong(f"{what} returned None: return x.grad after calling y.backward().")
        value = _as_number(got, f"{what}'s result")
        f_value = f(torch.tensor(x, dtype=torch.float64)).item()
        if not math.isclose(slope, f_value, abs_tol=1e-9) and math.isclose(value, f_value, rel_tol=1e-5, abs_tol=1e-6):
            raise Wrong(f"{what} returned {value:.6g}, which is f({x}), the value; return x.grad, the slope.")
        if not math.isclose(value, slope, rel_tol=1e-5, abs_tol=1e-6) and math.isclose(
            value, slope, rel_tol=1e-2, abs_tol=1e-2
        ):
            raise Wrong(
                f"{what} returned {value:.6g}, close to the exact slope {slope:.6g} but not equal: that looks like "
                "a finite difference; let backward() compute it exactly."
            )
        expect_close(value, slope, f"the slope from {what}", rtol=1e-5, atol=1e-6)


_W_VALUES = [0.0, 0.1, 0.2, 0.3, 0.4]


@exercise(
    "slopes_along_w",
    lesson=2,
    title="Slopes along w, one backward() each",
    hints=(
        "Inside the loop, start fresh for every value: a new leaf w that requires grad, the loss with b = 0, "
        "loss.backward(), then append w.grad.item() to the list.",
        "for w_value in w_values: w = torch.tensor(w_value, requires_grad=True); loss = ((w * t_u - t_c) ** 2)"
        ".mean(); loss.backward(); slopes.append(w.grad.item()) (one statement per line).",
    ),
    solution="""
        def slopes_along_w(w_values):
            slopes = []
            for w_value in w_values:
                w = torch.tensor(w_value, requires_grad=True)
                loss = ((w * t_u - t_c) ** 2).mean()
                loss.backward()
                slopes.append(w.grad.item())
            return slopes
    """,
    given=_thermometer,
)
def _slopes_along_w(answer: Any) -> None:
    what = f"slopes_along_w({_W_VALUES})"
    got = call(answer, list(_W_VALUES), what=what)
    if got is None:
        raise Wrong(f"{what} returned None: return the list of slopes.")
    if isinstance(got, torch.Tensor):
        got = got.flatten().tolist()
    if not isinstance(got, (list, tuple)):
        raise Wrong(f"{what} should return a list with one slope per w value, but returned {got!r}.")
    expect(
        len(got) == len(_W_VALUES),
        f"{what} returned {len(got)} values; it should return one slope per w value, {len(_W_VALUES)} in all.",
    )
    values = [_as_number(v, f"slope number {i + 1}") for i, v in enumerate(got)]
    want = [_hand_gradient(w, 0.0)[0] for w in _W_VALUES]
    if all(math.isclose(v, _hand_loss(w, 0.0), rel_tol=1e-4) for v, w in zip(values, _W_VALUES)):
        raise Wrong("those are the loss values; append w.grad.item(), the slope, after loss.backward().")
    running = [sum(want[: i + 1]) for i in range(len(want))]
    if all(math.isclose(v, r, rel_tol=1e-4) for v, r in zip(values, running)):
        raise Wrong(
            "each slope is the sum of the ones before it: the gradients added up in one w. Create a new "
            "w = torch.tensor(w_value, requires_grad=True) inside the loop (lesson 3 explains the adding up)."
        )
    for w, v, want_w in zip(_W_VALUES, values, want):
        expect_close(v, want_w, f"the slope at w={w}", rtol=1e-4, atol=1e-3)


_POINTS_X = torch.tensor([-1.0, 0.0, 0.5, 2.0])


@exercise(
    "elementwise_slopes",
    lesson=2,
    title="Many slopes with one backward()",
    hints=(
        "Make a copy of xs that requires grad, compute y = f(x) (one value per point), and call backward() "
        "with a vector of ones: each y[i] depends only on x[i], so x.grad holds every slope.",
        "x = xs.clone().requires_grad_(True); y = f(x); y.backward(torch.ones_like(y)); return x.grad.",
    ),
    solution="""
        def elementwise_slopes(f, xs):
            x = xs.clone().requires_grad_(True)
            y = f(x)
            y.backward(torch.ones_like(y))
            return x.grad
    """,
)
def _elementwise_slopes(answer: Any) -> None:
    cases = (
        (lambda x: x**2, "f(x) = x**2", lambda x: 2 * x),
        (torch.sin, "torch.sin", torch.cos),
    )
    for f, name, slope in cases:
        xs = _POINTS_X.clone()
        what = f"elementwise_slopes({name}, {xs.tolist()})"
        try:
            got = call(answer, f, xs, what=what)
        except Wrong as err:
            _explain_autograd_error(err)
        if got is None:
            raise Wrong(f"{what} returned None: return x.grad after the backward() call.")
        if not isinstance(got, torch.Tensor):
            raise Wrong(f"{what} should return a tensor of slopes (x.grad), but returned {got!r}.")
        want = slope(_POINTS_X)
        if got.shape == want.shape and torch.allclose(got.detach(), f(_POINTS_X)) and not torch.allclose(
            want, f(_POINTS_X)
        ):
            raise Wrong(f"{what} returned the values f(x); return x.grad, the slopes.")
        expect_close(got, want, f"the slopes from {what}", rtol=1e-5, atol=1e-6)
