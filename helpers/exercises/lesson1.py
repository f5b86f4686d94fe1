"""Lesson 1 (finite differences): a backward difference, the best step for float32, a gradient by hand."""
from __future__ import annotations

import math
from typing import Any

import torch

from helpers.checks import Wrong, call, exercise
from helpers.data import thermometer


def _number(got: Any, what: str) -> float:
    """`got` as a float, or a sentence saying why it is not one number."""
    if got is None:
        raise Wrong(f"{what} returned None: did you forget `return`?")
    if isinstance(got, torch.Tensor) and got.numel() != 1:
        raise Wrong(f"{what} returned a tensor of shape {tuple(got.shape)}, but it should return one number.")
    if isinstance(got, bool):
        raise Wrong(f"{what} returned {got}, but it should return a number.")
    try:
        value = float(got)
    except (TypeError, ValueError):
        raise Wrong(f"{what} should return a number, but returned {got!r}.") from None
    if not math.isfinite(value):
        raise Wrong(f"{what} returned {value}: look for a division by zero.")
    return value


# --- 1. a backward difference (fill in one line) ----------------------------------------------------


def _cube(x: float) -> float:
    return x**3


_BACKWARD_CASES = ((2.0, 0.1), (-1.0, 0.5))


def _backward_slips(f: Any, x: float, h: float) -> tuple[tuple[float, str], ...]:
    """What the usual slips return at (x, h), and what to tell the learner about each."""
    return (
        ((f(x + h) - f(x)) / h, "this looks like a forward difference: it looks ahead to x + h, but a backward "
         "difference looks back, comparing f(x) with f(x - h)"),
        ((f(x + h) - f(x - h)) / (2 * h), "this looks like a central difference: a backward difference uses only "
         "f(x) and f(x - h)"),
        (f(x) - f(x - h), "you forgot to divide by h: the rise f(x) - f(x - h) becomes a slope once divided by the run h"),
        ((f(x) - f(x - h)) / (2 * h), "divide by h, not 2 * h: the points x - h and x are only h apart"),
        ((f(x - h) - f(x)) / h, "the sign is flipped: subtract the earlier value from the later one, f(x) - f(x - h)"),
        (f(x) - f(x - h) / h, "mind the brackets: without them only f(x - h) is divided by h; "
         "write (f(x) - f(x - h)) / h"),
    )


@exercise(
    "backward_difference",
    lesson=1,
    title="A backward difference",
    hints=(
        "A backward difference is a forward difference turned around: instead of nudging x up to x + h, "
        "step back to x - h, and divide the change in f by the step h.",
        "The rise is f(x) - f(x - h) and the run is h. Put brackets around the rise before dividing.",
    ),
    solution="""
        def backward_difference(f, x, h):
            return (f(x) - f(x - h)) / h
    """,
)
def _backward_difference(answer: Any) -> None:
    for x, h in _BACKWARD_CASES:
        what = f"backward_difference(f, {x}, {h}) with f(x) = x**3"
        got = _number(call(answer, _cube, x, h, what=what), what)
        want = (_cube(x) - _cube(x - h)) / h
        if math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12):
            continue
        for value, why in _backward_slips(_cube, x, h):
            if math.isclose(got, value, rel_tol=1e-9, abs_tol=1e-12):
                raise Wrong(f"{what} gave {got:.6g}, not {want:.6g}: {why}.")
        raise Wrong(f"{what} should be {want:.6g}, but yours is {got:.6g}; compare f(x) with f(x - h) and divide by h.")


# --- 2. the best step for a central difference (one line, and the reason) --------------------------


@exercise(
    "best_central_step",
    lesson=1,
    title="The best step for a central difference",
    hints=(
        "A central difference's truncation error shrinks like h², its round-off error grows like ε / h. "
        "The best h is where the two meet: h² ≈ ε / h.",
        "h² ≈ ε / h gives h³ ≈ ε, so h ≈ ε ** (1 / 3). Read ε for the dtype you are given with "
        "torch.finfo(dtype).eps.",
    ),
    solution="""
        def best_central_step(dtype):
            return torch.finfo(dtype).eps ** (1 / 3)
    """,
)
def _best_central_step(answer: Any) -> None:
    steps = {}
    for dtype in (torch.float32, torch.float64, torch.float16):
        what = f"best_central_step({dtype})"
        got = _number(call(answer, dtype, what=what), what)
        steps[dtype] = got
        eps = torch.finfo(dtype).eps
        best = eps ** (1 / 3)
        if got <= 0:
            raise Wrong(f"{what} gave {got:.3g}, but a step must be greater than zero; its size should be about ∛ε.")
        if 0.3 * best <= got <= 3.5 * best:
            continue
        if dtype != torch.float32 and math.isclose(got, steps[torch.float32], rel_tol=1e-6):
            raise Wrong(
                f"{what} gave {got:.3g}, the same step as for float32: read ε for the dtype you are given, "
                f"with torch.finfo(dtype).eps."
            )
        if 0.3 * eps**0.5 <= got <= 3.5 * eps**0.5:
            raise Wrong(
                f"{what} gave {got:.3g}, about √ε: that is the best step for a forward difference. A central "
                f"difference's truncation error shrinks like h², faster, so it can afford a larger step: ∛ε ≈ {best:.3g}."
            )
        if math.isclose(got, eps, rel_tol=0.05):
            raise Wrong(
                f"{what} gave {got:.3g}, which is ε itself: with a step that small, x + h barely differs from x and "
                f"round-off swamps the estimate. Balance h² against ε / h instead."
            )
        if got > best:
            raise Wrong(
                f"{what} gave {got:.3g}, too large: at that step the truncation error (about h²) is bigger than the "
                f"round-off, so a smaller step is better. Balance h² against ε / h."
            )
        raise Wrong(
            f"{what} gave {got:.3g}, too small: at that step round-off (about ε / h) outweighs the truncation error, "
            f"so a larger step is better. Balance h² against ε / h."
        )


# --- 3. a gradient by hand for a curved model (write a function) -----------------------------------


def _given_data() -> dict[str, Any]:
    t_u, t_c = thermometer(torch.float64)
    return {"t_u": t_u, "t_c": t_c}


_QUADRATIC_CASES = ((0.0, 1.0, 0.0), (0.001, 0.2, -5.0), (-0.002, 0.5, 3.0))


def _quadratic_slips(w2: float, w1: float, b: float, t_u: torch.Tensor, t_c: torch.Tensor) -> tuple[tuple[float, str], ...]:
    """What the usual slips return at (w2, w1, b), and what to tell the learner about each."""
    t_p = w2 * t_u**2 + w1 * t_u + b
    error = t_p - t_c
    linear_error = w1 * t_u + b - t_c
    return (
        ((2 * error * t_u).mean().item(), "this looks like dL/dw1: w2 multiplies t_u ** 2, so the chain rule brings "
         "down t_u ** 2, not t_u"),
        ((2 * error).mean().item(), "this looks like dL/db: w2 multiplies t_u ** 2, so multiply by t_u ** 2 "
         "inside the mean"),
        ((error * t_u**2).mean().item(), "it is half the right size: the derivative of a square (t_p - t_c) ** 2 "
         "brings down a factor 2"),
        ((2 * (t_c - t_p) * t_u**2).mean().item(), "the sign is flipped: the loss has (t_p - t_c) ** 2, so its "
         "derivative has 2 * (t_p - t_c), not 2 * (t_c - t_p)"),
        ((2 * error * t_u**2).sum().item(), f"it is {len(t_u)} times too large: the loss is a mean over the "
         f"readings, so its gradient is a mean too (use .mean(), not .sum())"),
        ((2 * linear_error * t_u**2).mean().item(), "your prediction leaves out the w2 * t_u ** 2 term: "
         "t_p = w2 * t_u ** 2 + w1 * t_u + b"),
    )


@exercise(
    "dloss_dw2",
    lesson=1,
    title="A gradient by hand for a curved model",
    hints=(
        "Follow section 3: L = mean((t_p - t_c) ** 2) with t_p = w2 * t_u ** 2 + w1 * t_u + b. The derivative of "
        "(t_p - t_c) ** 2 is 2 * (t_p - t_c) times the derivative of t_p, and dt_p/dw2 = t_u ** 2.",
        "Compute t_p from w2, w1 and b, then return (2 * (t_p - t_c) * t_u ** 2).mean(). Check it against "
        "central_difference(lambda v: loss_fn(v * t_u ** 2 + w1 * t_u + b, t_c), w2, 1e-6).",
    ),
    solution="""
        def dloss_dw2(w2, w1, b):
            t_p = w2 * t_u ** 2 + w1 * t_u + b
            return (2 * (t_p - t_c) * t_u ** 2).mean()
    """,
    given=_given_data,
)
def _dloss_dw2(answer: Any) -> None:
    data = _given_data()
    t_u, t_c = data["t_u"], data["t_c"]
    for w2, w1, b in _QUADRATIC_CASES:
        what = f"dloss_dw2({w2}, {w1}, {b})"
        got = call(answer, w2, w1, b, what=what)
        if isinstance(got, torch.Tensor) and got.shape == t_u.shape:
            raise Wrong(
                f"{what} returned {len(t_u)} numbers, one per reading: the loss is their mean, so take .mean()."
            )
        got = _number(got, what)
        t_p = w2 * t_u**2 + w1 * t_u + b
        want = (2 * (t_p - t_c) * t_u**2).mean().item()
        if math.isclose(got, want, rel_tol=1e-4):
            continue
        for value, why in _quadratic_slips(w2, w1, b, t_u, t_c):
            if math.isclose(got, value, rel_tol=1e-4):
                raise Wrong(f"{what} gave {got:.6g}, not {want:.6g}: {why}.")
        raise Wrong(
            f"{what} should be {want:.6g}, but yours is {got:.6g}; compare it with a central difference in w2 "
            f"to see which one is off."
        )
