"""Lesson 2 (autograd): the slope of any function, many slopes with one backward(), a loop of fresh
leaves, and one backward pass written node by node and compared with autograd."""
from __future__ import annotations

import math
from typing import Any

import torch

from helpers.checks import Wrong, call, exercise, expect, expect_close, explain_error, first_slip
from helpers.data import thermometer


def _thermometer() -> dict[str, Any]:
    t_u, t_c = thermometer()
    return {"t_u": t_u, "t_c": t_c}


def _hand_slope_along_w(w: float) -> float:
    """dL/dw of the mean squared error of w * t_u (b = 0), in float64."""
    t_u, t_c = thermometer(torch.float64)
    return (2 * (w * t_u - t_c) * t_u).mean().item()


def _hand_loss(w: float) -> float:
    t_u, t_c = thermometer(torch.float64)
    return ((w * t_u - t_c) ** 2).mean().item()


def _as_number(value: Any, what: str) -> float:
    """A number or one-element tensor as a float; anything else is a plain sentence."""
    if value is None:
        raise Wrong(f"{what} is None: call backward() first, then read .grad.")
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return value.item()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise Wrong(f"{what} should be one number, but it is {value!r}.")


# Torch's messages for the usual autograd slips, and the sentence that fixes each.
_AUTOGRAD_ERRORS = (
    ("does not require grad and does not have a grad_fn",
     "backward() found nothing to differentiate: create x with requires_grad=True, e.g. "
     "x = torch.tensor(x_value, requires_grad=True)."),
    ("grad can be implicitly created only for scalar outputs",
     "y holds one value per point, so y.backward() needs a vector v saying how much each output counts; "
     "with a diagonal Jacobian, which v gives every slope at once?"),
    ("Only Tensors of floating point",
     "gradients need floating-point tensors: write torch.tensor(2.0), not torch.tensor(2)."),
)


# --- 1. the slope of any function -----------------------------------------------------------------------

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
        "Do with x what section 1 did with w: autograd differentiates with respect to a leaf that requires grad.",
        "Three steps: make the leaf with torch.tensor(..., requires_grad=True), call backward() on what f returns, "
        "and return the leaf's .grad.",
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
            explain_error(err, _AUTOGRAD_ERRORS)
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


# --- 2. many slopes with one backward() -------------------------------------------------------------------

_POINTS_X = torch.tensor([-1.0, 0.0, 0.5, 2.0])


@exercise(
    "elementwise_slopes",
    lesson=2,
    title="Many slopes with one backward()",
    hints=(
        "This is backward(v) on a non-scalar output: it returns vᵀJ. Here each output depends only on its own "
        "input, so the Jacobian J is diagonal: which v makes vᵀJ the diagonal itself?",
        "Work on a copy that requires grad (xs.clone().requires_grad_(True)), call backward() on f of it with "
        "a vector made by torch.ones_like, and return the copy's .grad.",
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
            explain_error(err, _AUTOGRAD_ERRORS)
        if got is None:
            raise Wrong(f"{what} returned None: return x.grad after the backward() call.")
        if not isinstance(got, torch.Tensor):
            raise Wrong(f"{what} should return a tensor of slopes (x.grad), but returned {got!r}.")
        want = slope(_POINTS_X)
        if got.shape == want.shape and torch.allclose(got.detach(), f(_POINTS_X)) and not torch.allclose(
            want, f(_POINTS_X)
        ):
            raise Wrong(f"{what} returned the values f(x); return x.grad, the slopes.")
        expect(
            not (got.numel() == 1 and want.numel() > 1),
            f"{what} returned one number, but it should return one slope per point: return x.grad itself.",
        )
        expect_close(got, want, f"the slopes from {what}", rtol=1e-5, atol=1e-6)


# --- 3. slopes along w: a fresh leaf for every backward() -----------------------------------------------

_W_VALUES = [0.0, 0.1, 0.2, 0.3, 0.4]


@exercise(
    "slopes_along_w",
    lesson=2,
    title="Slopes along w, one backward() each",
    hints=(
        "One backward() per value of w, each on a fresh leaf: a .grad that is reused from one call to the next "
        "keeps what the earlier calls put there.",
        "Inside the for loop: make the leaf w with torch.tensor(..., requires_grad=True), compute the loss with "
        "b = 0, call backward() on it, and append the gradient as a plain number with .item().",
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
    want = [_hand_slope_along_w(w) for w in _W_VALUES]
    if all(math.isclose(v, _hand_loss(w), rel_tol=1e-4) for v, w in zip(values, _W_VALUES)):
        raise Wrong("those are the loss values; append w.grad.item(), the slope, after loss.backward().")
    running = [sum(want[: i + 1]) for i in range(len(want))]
    if all(math.isclose(v, r, rel_tol=1e-4) for v, r in zip(values, running)):
        raise Wrong(
            "each slope is the sum of the ones before it: the gradients added up in one w. Create a new "
            "w = torch.tensor(w_value, requires_grad=True) inside the loop (lesson 4 explains the adding up)."
        )
    for w, v, want_w in zip(_W_VALUES, values, want):
        expect_close(v, want_w, f"the slope at w={w}", rtol=1e-4, atol=1e-3)


# --- 4. one backward pass, node by node -------------------------------------------------------------------

# (w, b, x, y): the lesson's small numbers first, then others, so that numbers worked out on paper do not pass.
_BY_HAND_CASES = (
    (2.0, 1.0, [1.0, 2.0, 3.0], [2.0, 4.0, 5.0]),
    (0.5, -1.0, [0.5, -1.0, 2.0, 4.0], [1.0, 0.0, 3.0, -2.0]),
)
_NODES = ("d_s", "d_r", "d_p", "d_w", "d_b")


def _autograd_nodes(w: float, b: float, x: torch.Tensor, y: torch.Tensor) -> dict[str, torch.Tensor]:
    """d loss / d node for every node of mean((w*x + b - y)**2), as autograd computes them."""
    w_t = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    b_t = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    p = w_t * x + b_t
    r = p - y
    s = r**2
    for node in (p, r, s):
        node.retain_grad()
    s.mean().backward()
    return {"d_s": s.grad, "d_r": r.grad, "d_p": p.grad, "d_w": w_t.grad, "d_b": b_t.grad}


def _node_slips(node: str, x: torch.Tensor, r: torch.Tensor, right: dict[str, torch.Tensor]) -> tuple:
    """What the usual slips at `node` give, each with the sentence that names the misconception."""
    n = len(x)
    if node == "d_s":
        return ((torch.ones(n, dtype=x.dtype), f"d_s is 1 for each square, but the mean divides by N: each of the "
                 f"N = {n} squares gets 1/N of the loss's gradient."),)
    if node == "d_r":
        return ((2 * r, "d_r is 2·r, the local slope of r**2 alone: the chain rule multiplies it by d_s, the "
                 "gradient arriving from the node above."),
                (r * right["d_s"], "d_r: the local slope of r**2 is 2·r, not r."),
                (2 * right["d_s"], "d_r: the local slope of r**2 is 2·r; the r is missing."))
    if node == "d_p":
        return ((-right["d_r"], "d_p has the wrong sign: r = p - y grows with p, so its slope with respect to p is "
                 "+1 (the -1 belongs to y)."),)
    d_p = right["d_p"]
    if node == "d_w":
        return ((d_p * x, "d_w holds one value per reading: w is one number used by all of them, so its "
                 "gradient adds up (sums) their contributions d_p·x."),
                ((d_p * x).mean(), "d_w is N times too small: the 1/N is already inside d_s, so sum the "
                 "contributions d_p·x instead of averaging them."),
                (d_p.sum(), "d_w: w is multiplied by x, so each reading's contribution is d_p·x, not d_p."))
    return ((d_p, "d_b holds one value per reading: b is one number used by all of them, so its gradient "
             "adds up (sums) the d_p."),
            (d_p.mean(), "d_b is N times too small: the 1/N is already inside d_s, so sum the d_p instead of "
             "averaging them."),
            ((d_p * x).sum(), "d_b: b is added, not multiplied by x, so each reading passes d_p through unchanged."))


def _same(got: Any, value: torch.Tensor) -> bool:
    return (
        isinstance(got, torch.Tensor) and got.shape == value.shape
        and torch.allclose(got.detach().to(value.dtype), value, rtol=1e-4, atol=1e-6)
    )


@exercise(
    "backward_node_by_node",
    lesson=2,
    title="One backward pass, node by node",
    hints=(
        "Walk back one node at a time, from d(loss)/d(loss) = 1: each node's gradient is the gradient arriving "
        "from the node above times that node's own local slope (the chain rule).",
        "The local slopes: mean of N values → 1/N for each; r**2 → 2·r; p - y → 1 for p; w*x + b → x for w, 1 "
        "for b. w and b are single numbers used by all N readings: their gradients need a .sum().",
    ),
    solution="""
        def backward_node_by_node(w, b, x, y):
            p = w * x + b
            r = p - y
            s = r ** 2
            loss = s.mean()
            d_s = torch.full_like(s, 1 / len(s))
            d_r = d_s * 2 * r
            d_p = d_r * 1
            d_w = (d_p * x).sum()
            d_b = (d_p * 1).sum()
            return d_s, d_r, d_p, d_w, d_b
    """,
)
def _backward_node_by_node(answer: Any) -> None:
    for w, b, xs, ys in _BY_HAND_CASES:
        x = torch.tensor(xs, dtype=torch.float64)
        y = torch.tensor(ys, dtype=torch.float64)
        what = f"backward_node_by_node({w}, {b}, x={xs}, y={ys})"
        got = call(answer, w, b, x.clone(), y.clone(), what=what)
        if not isinstance(got, tuple) or len(got) != len(_NODES):
            raise Wrong(f"{what} should return five values, d_s, d_r, d_p, d_w, d_b; keep the last line.")
        right = _autograd_nodes(w, b, x, y)
        r = w * x + b - y
        for node, value in zip(_NODES, got):
            want = right[node]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = torch.full_like(want, float(value))  # one number stands for every entry
            if not isinstance(value, torch.Tensor):
                raise Wrong(f"{node} should be a tensor or a number, but it is {value!r}.")
            if node == "d_s" and value.numel() == 1:
                value = value.expand(want.shape)
            first_slip(value, ((slip, f"{sentence} (in {what})") for slip, sentence in _node_slips(node, x, r, right)),
                       _same)
            expect_close(value, want, f"{node} in {what}", rtol=1e-4, atol=1e-6)
