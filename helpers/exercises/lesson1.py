"""Lesson 1 (finite differences): a backward difference, a whole gradient in P + 1 passes, a gradient by hand,
and (optional) the best step for a central difference."""
from __future__ import annotations

import math
from typing import Any, Callable

import torch

from helpers.checks import Wrong, call, exercise, first_slip
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
        value = float(got.detach() if isinstance(got, torch.Tensor) else got)
    except (TypeError, ValueError):
        raise Wrong(f"{what} should return a number, but returned {got!r}.") from None
    if not math.isfinite(value):
        raise Wrong(f"{what} returned {value}: look for a division by zero.")
    return value


def _close(rel_tol: float, abs_tol: float = 0.0) -> Callable[[float, float], bool]:
    return lambda got, value: math.isclose(got, value, rel_tol=rel_tol, abs_tol=abs_tol)


# --- 1. a backward difference (fill in one line) ----------------------------------------------------


def _cube(x: float) -> float:
    return x**3


_BACKWARD_CASES = ((2.0, 0.1), (-1.0, 0.5))


def _backward_slips(f: Any, x: float, h: float) -> tuple[tuple[float, str], ...]:
    """What the usual slips return at (x, h), and the misconception each one shows."""
    return (
        ((f(x + h) - f(x)) / h, "this is a forward difference: it looks ahead to x + h, but a backward "
         "difference looks back, comparing f(x) with f(x - h)"),
        ((f(x + h) - f(x - h)) / (2 * h), "this is a central difference: a backward difference uses only "
         "f(x) and f(x - h)"),
        (f(x) - f(x - h), "you forgot to divide by h: the rise f(x) - f(x - h) becomes a slope once divided by the run h"),
        ((f(x) - f(x - h)) / (2 * h), "divide by h, not 2 * h: the points x - h and x are only h apart"),
        ((f(x - h) - f(x)) / h, "the sign is flipped: on a rising curve the slope is positive, so subtract the "
         "earlier value from the later one, f(x) - f(x - h)"),
        (f(x) - f(x - h) / h, "mind the brackets: without them only f(x - h) is divided by h; "
         "the whole rise f(x) - f(x - h) is divided by h"),
    )


@exercise(
    "backward_difference",
    lesson=1,
    title="A backward difference",
    hints=(
        "A backward difference is the forward difference turned around: it steps back from x instead of ahead.",
        "Start from forward_difference in section 2 and move its nudged point from x + h to x - h. Then check the "
        "order of the subtraction: on a rising curve a slope is positive.",
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
        slips = [(value, f"{what} gave {got:.6g}, not {want:.6g}: {why}.") for value, why in _backward_slips(_cube, x, h)]
        first_slip(got, slips, _close(1e-9, 1e-12))
        raise Wrong(f"{what} should be {want:.6g}, but yours is {got:.6g}; compare f(x) with f(x - h) and divide by h.")


# --- 2. a whole gradient by nudging, in P + 1 passes (write a loop) -----------------------------------


def _wiggly_loss(params: torch.Tensor) -> torch.Tensor:
    """A loss of any number of parameters that is not a parabola, so forward, central and exact all differ."""
    p = params.reshape(-1)
    return (p**3).sum() + p[0] * p[-1]


# (params, h): a flat vector of 3 and a column of 4 like the notebook's `linear_loss`.
_GRADIENT_CASES = (
    (torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64), 1e-2),
    (torch.tensor([[1.0], [0.3], [-0.7], [1.5]], dtype=torch.float64), 1e-3),
)


def _nudged(params: torch.Tensor, i: int, h: float) -> torch.Tensor:
    moved = params.clone()
    moved[i] += h
    return moved


def _gradient_slips(params: torch.Tensor, h: float) -> list[tuple[torch.Tensor, str]]:
    """What the usual slips return for `_wiggly_loss` at `params`, and the misconception each one shows."""
    L, n = _wiggly_loss, len(params)
    base = L(params)

    def each(slope: Callable[[int], torch.Tensor]) -> torch.Tensor:
        return torch.stack([slope(i).reshape(()) for i in range(n)]).reshape(params.shape)

    forward = each(lambda i: (L(_nudged(params, i, h)) - base) / h)
    cumulative = params.clone()
    walked = []
    for i in range(n):
        cumulative[i] += h
        walked.append((L(cumulative) - base) / h)
    return [
        (each(lambda i: (L(_nudged(params, i, h)) - L(_nudged(params, i, -h))) / (2 * h)),
         "this is the central difference (2 passes per parameter); a forward difference compares each nudged loss "
         "with the one loss at params, computed once"),
        (torch.full_like(params, ((L(params + h) - base) / h).item()),
         "every entry is the same number: you nudged all parameters at once (params + h); nudge one entry at a "
         "time, so that each slope belongs to its own parameter"),
        (torch.stack(walked).reshape(params.shape),
         "the nudges pile up: you made one copy before the loop, so parameter i is measured with all earlier ones "
         "still nudged; make a fresh copy (params.clone()) for each parameter"),
        (-forward, "the sign is flipped: subtract the loss at params from the nudged loss, not the other way round"),
        (forward * h, "you forgot to divide by h: a change in the loss becomes a slope once divided by the step"),
        (forward / 2, "divide by h, not 2 * h: a forward nudge moves a parameter by h only"),
    ]


@exercise(
    "forward_gradient",
    lesson=1,
    title="A whole gradient in P + 1 passes",
    hints=(
        "A forward difference per parameter, as in section 2. The loss at the un-nudged params is the same "
        "number for every parameter, so it needs computing only once.",
        "Take central_gradient from section 5 as a model: call loss_of(params) once before the loop; inside it, "
        "move entry i of a fresh copy (params.clone()) by h, and make one more call per parameter.",
    ),
    solution="""
        def forward_gradient(loss_of, params, h):
            base = loss_of(params)  # one pass at params, shared by every parameter
            grad = torch.zeros_like(params)
            for i in range(len(params)):
                nudged = params.clone()
                nudged[i] += h
                grad[i] = (loss_of(nudged) - base) / h
            return grad
    """,
)
def _forward_gradient(answer: Any) -> None:
    for start, h in _GRADIENT_CASES:
        params, n = start.clone(), len(start)
        what = f"forward_gradient(loss_of, params, {h}) with {n} parameters"
        calls: list[int] = []

        def loss_of(p: torch.Tensor) -> torch.Tensor:
            calls.append(1)
            return _wiggly_loss(p)

        got = call(answer, loss_of, params, h, what=what)
        if not torch.equal(params, start):
            raise Wrong(
                f"{what} changed the caller's params: nudging params itself (or `nudged = params`, the same "
                f"tensor under a second name) moves the model's parameters; nudge a copy made with params.clone()."
            )
        if got is None:
            raise Wrong(f"{what} returned None: did you forget `return`?")
        try:
            grad = torch.as_tensor(got.detach() if isinstance(got, torch.Tensor) else got, dtype=torch.float64)
        except (TypeError, ValueError, RuntimeError):
            raise Wrong(f"{what} should return a tensor shaped like params, but returned {got!r}.") from None
        if grad.numel() != n:
            raise Wrong(
                f"{what} returned {grad.numel()} number{'' if grad.numel() == 1 else 's'}, but a gradient holds "
                f"one slope per parameter: "
                f"{n}, shaped like params (torch.zeros_like(params) is a good start)."
            )
        grad = grad.reshape(start.shape)
        base = _wiggly_loss(start)
        want = torch.stack([((_wiggly_loss(_nudged(start, i, h)) - base) / h).reshape(()) for i in range(n)])
        want = want.reshape(start.shape)
        if torch.allclose(grad, want, rtol=1e-7, atol=1e-10):
            if len(calls) != n + 1:
                raise Wrong(
                    f"{what} gives the right slopes but called loss_of {len(calls)} times; it needs only "
                    f"P + 1 = {n + 1}: you recompute the loss at params, which never changes, so compute it "
                    f"once before the loop."
                )
            continue
        slips = [(value, f"{what} is off: {why}.") for value, why in _gradient_slips(start, h)]
        first_slip(grad, slips, lambda a, b: torch.allclose(a, b, rtol=1e-7, atol=1e-10))
        worst = (grad - want).abs().argmax().item()
        raise Wrong(
            f"{what}: the slope of parameter {worst} should be {want.flatten()[worst].item():.6g}, but yours is "
            f"{grad.flatten()[worst].item():.6g}; compare each nudged loss with the loss at params and divide by h."
        )


# --- 3. a gradient by hand for a curved model (write a function) -----------------------------------


def _given_data() -> dict[str, Any]:
    t_u, t_c = thermometer(torch.float64)
    return {"t_u": t_u, "t_c": t_c}


_QUADRATIC_CASES = ((0.0, 1.0, 0.0), (0.001, 0.2, -5.0), (-0.002, 0.5, 3.0))


def _quadratic_slips(w2: float, w1: float, b: float, t_u: torch.Tensor, t_c: torch.Tensor) -> tuple[tuple[float, str], ...]:
    """What the usual slips return at (w2, w1, b), and the misconception each one shows."""
    t_p = w2 * t_u**2 + w1 * t_u + b
    error = t_p - t_c
    linear_error = w1 * t_u + b - t_c
    return (
        ((2 * error * t_u).mean().item(), "this is dL/dw1: w2 multiplies t_u ** 2, so the chain rule brings "
         "down t_u ** 2, not t_u"),
        ((2 * error).mean().item(), "this is dL/db: the chain rule also multiplies by dt_p/dw2, which is not 1 "
         "for w2"),
        ((error * t_u**2).mean().item(), "it is half the right size: the derivative of a square (t_p - t_c) ** 2 "
         "brings down a factor 2"),
        ((2 * (t_c - t_p) * t_u**2).mean().item(), "the sign is flipped: the loss has (t_p - t_c) ** 2, so its "
         "derivative has 2 * (t_p - t_c), not 2 * (t_c - t_p)"),
        ((2 * error * t_u**2).sum().item(), f"it is {len(t_u)} times too large: the loss is a mean over the "
         f"readings, so its gradient is a mean too (use .mean(), not .sum())"),
        ((2 * linear_error * t_u**2).mean().item(), "your prediction leaves out the w2 * t_u ** 2 term: the "
         "error t_p - t_c must use the whole curved model"),
        ((4 * w2 * t_u * error).mean().item(), "you differentiated with respect to t_u: t_u is data, w2 is the "
         "variable, and d(w2 * t_u ** 2)/dw2 = t_u ** 2"),
    )


@exercise(
    "dloss_dw2",
    lesson=1,
    title="A gradient by hand for a curved model",
    hints=(
        "The same chain rule as in section 3: only the last factor, how t_p changes when w2 moves, is new. "
        "Which number multiplies w2 in t_p?",
        "Compute t_p with all three parameters first. Then copy dloss_dw from section 3 and change only the "
        "factor that came from dt_p/dw (there it was t_u). Test it against central_difference before you check.",
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
        slips = [(value, f"{what} gave {got:.6g}, not {want:.6g}: {why}.")
                 for value, why in _quadratic_slips(w2, w1, b, t_u, t_c)]
        first_slip(got, slips, _close(1e-4))
        raise Wrong(
            f"{what} should be {want:.6g}, but yours is {got:.6g}; compare it with a central difference in w2 "
            f"to see which one is off."
        )


# --- 4. (optional part) the best step for a central difference --------------------------------------


@exercise(
    "best_central_step",
    lesson=1,
    title="The best step for a central difference",
    hints=(
        "Same reasoning as for the forward difference's √ε in 'Reading the picture': the best h is where the two "
        "errors are about equal; only the power of h in the truncation error changes.",
        "Write h² = ε / h, gather the powers of h on one side and take a root; torch.finfo(dtype).eps gives ε for "
        "the dtype you are given.",
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
                f"{what} gave {got:.3g}, the same step as for float32: ε depends on the precision, so read it for "
                f"the dtype you are given, with torch.finfo(dtype).eps."
            )
        if 0.3 * eps**0.5 <= got <= 3.5 * eps**0.5:
            raise Wrong(
                f"{what} gave {got:.3g}, about √ε: that is the best step for a forward difference. A central "
                f"difference's truncation error shrinks like h², faster, so it can afford a larger step: balance "
                f"h² against ε / h."
            )
        if math.isclose(got, eps, rel_tol=0.05):
            raise Wrong(
                f"{what} gave {got:.3g}, which is ε itself: the smallest step is not the best one; with it x + h "
                f"barely differs from x and round-off swamps the estimate. Balance h² against ε / h instead."
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
