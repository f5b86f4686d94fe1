"""Lesson 3 (reverse mode from scratch): a new operation, the order of the rules, one gradient by hand.

The lesson's engine, `Value`, is written in the notebook. The checks build their test graphs from
`Node`, a bare copy of its interface (`data`, `grad`, `_parents`, `_op`, `_backward`), so that they can
try a learner's function on graphs of their own. `Node` has no `backward()` method on purpose: the
exercise `backward_in_order` is to write that walk.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import torch

from helpers.checks import Wrong, call, exercise, expect, expect_close, explain_error, first_slip


class Node:
    """A scalar that records its parents and its local backward rule, like the notebook's Value."""

    def __init__(self, data: float, parents: tuple["Node", ...] = (), op: str = "") -> None:
        self.data = float(data)
        self.grad = 0.0
        self._parents = parents
        self._op = op
        self._backward: Callable[[], None] = lambda: None

    def __repr__(self) -> str:
        return f"Value(data={self.data:.4f}, grad={self.grad:.4f})"

    def _binary(self, other: Any, op: str) -> tuple["Node", "Node"]:
        other = other if isinstance(other, Node) else Node(other)
        data = {"+": self.data + other.data, "-": self.data - other.data, "*": self.data * other.data}[op]
        return other, Node(data, (self, other), op)

    def __add__(self, other: Any) -> "Node":
        other, out = self._binary(other, "+")

        def rule() -> None:
            self.grad += out.grad
            other.grad += out.grad

        out._backward = rule
        return out

    def __sub__(self, other: Any) -> "Node":
        other, out = self._binary(other, "-")

        def rule() -> None:
            self.grad += out.grad
            other.grad -= out.grad

        out._backward = rule
        return out

    def __mul__(self, other: Any) -> "Node":
        other, out = self._binary(other, "*")

        def rule() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = rule
        return out

    def __pow__(self, k: int) -> "Node":
        out = Node(self.data**k, (self,), f"**{k}")

        def rule() -> None:
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = rule
        return out


def _given_value() -> dict[str, Any]:
    """What the solutions need from the notebook: its Value class (here, its stand-in) and math."""
    return {"Value": Node, "math": math}


def _close(a: float, b: float, rtol: float = 1e-6) -> bool:
    return math.isclose(a, b, rel_tol=rtol, abs_tol=1e-9)


# --- exercise 1: a new operation, exp -------------------------------------------------------------------


def _torch_exp_gradient(x: float, upstream: float) -> float:
    """The gradient that reaches x from exp(x) when exp(x) has gradient `upstream`, by PyTorch, in float64."""
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    torch.exp(xt).backward(torch.tensor(upstream, dtype=torch.float64))
    return xt.grad.item()


_EXP_POINTS = (0.5, -1.0, 2.0)
_EARLIER = 0.25  # the gradient x already holds from another path, before exp's rule runs
_UPSTREAM = 2.0  # the gradient of the result, out.grad, when exp's rule runs


@exercise(
    "value_exp",
    lesson=3,
    title="A new operation: exp",
    hints=(
        "Copy the pattern of __pow__: compute the result, make a new Value that remembers a as its parent, "
        "and give it a rule that adds (local derivative) × out.grad to a.grad. The derivative of exp(x) "
        "is exp(x) itself — a number you have already computed.",
        "out = Value(math.exp(a.data), (a,), 'exp'); inside def _backward(): one line, a.grad += ... * "
        "out.grad, where ... is the value stored in out; then out._backward = _backward and return out.",
    ),
    solution="""
        def value_exp(a):
            out = Value(math.exp(a.data), (a,), "exp")
            def _backward():
                a.grad += out.data * out.grad  # d exp(a)/da = exp(a), which is out.data
            out._backward = _backward
            return out
    """,
    given=_given_value,
)
def _value_exp(answer: Any) -> None:
    for x in _EXP_POINTS:
        a = Node(x)
        a.grad = _EARLIER
        what = f"value_exp(Value({x}))"
        out = call(answer, a, what=what)
        if out is None:
            raise Wrong(f"{what} returned None: return out, the new Value.")
        if isinstance(out, (int, float, torch.Tensor)):
            raise Wrong(
                f"{what} returned a plain number; return a Value, Value(math.exp(a.data), (a,), 'exp'), so that "
                "backward() can reach a through it."
            )
        if not all(hasattr(out, name) for name in ("data", "grad", "_parents", "_backward")):
            raise Wrong(f"{what} should return a Value (with data, grad, _parents and _backward), not {out!r}.")
        expect(out is not a, f"{what} returned a itself: make a new Value for the result and leave a unchanged.")
        if _close(out.data, x) and not _close(math.exp(x), x):
            raise Wrong(f"{what}.data is {x}, a's own value: the result's number is math.exp(a.data).")
        expect_close(out.data, math.exp(x), f"{what}.data", rtol=1e-9)
        expect(
            any(parent is a for parent in out._parents),
            f"{what} does not list a among its parents: write Value(math.exp(a.data), (a,), 'exp'), or "
            "backward() will never visit a.",
        )
        expect(a.grad == _EARLIER, f"{what} changed a.grad already: the rule must only run when backward() calls it.")
        out.grad = _UPSTREAM
        call(out._backward, what=f"the rule of {what}")
        got = a.grad
        want = _EARLIER + _torch_exp_gradient(x, _UPSTREAM)
        if not isinstance(got, (int, float)) or isinstance(got, bool):
            raise Wrong(f"after the rule of {what}, a.grad is {got!r}: it should stay a number.")
        first_slip(
            got,
            [
                (_EARLIER, "a.grad did not change when the rule ran: attach your rule with out._backward = _backward."),
                (
                    _UPSTREAM * math.exp(x),
                    "the rule replaced a.grad (=) instead of adding to it (+=): a gradient that a already had "
                    "from another path was lost.",
                ),
                (
                    _EARLIER + math.exp(x),
                    "the rule forgot out.grad: the chain rule multiplies the local derivative by the gradient that "
                    "reached the result, a.grad += out.data * out.grad.",
                ),
                (
                    _EARLIER + _UPSTREAM * x,
                    "the rule multiplied by a's value: the derivative of exp(a) is exp(a) itself, which is out.data.",
                ),
                (
                    _EARLIER + _UPSTREAM,
                    "the rule passed out.grad on unchanged, as + does: exp's local derivative is exp(a), not 1.",
                ),
            ],
            _close,
        )
        expect_close(got, want, f"a.grad after the rule of {what} (with a.grad = {_EARLIER} before, out.grad = "
                     f"{_UPSTREAM})", rtol=1e-9)


# --- exercise 2: the rules in topological order ---------------------------------------------------------

Leaf = Callable[[float], Any]


def _line(leaf: Leaf) -> tuple[Any, dict[str, Any]]:
    w, x, b = leaf(4.0), leaf(3.0), leaf(5.0)
    return w * x + b, {"w": w, "x": x, "b": b}


def _shared(leaf: Leaf) -> tuple[Any, dict[str, Any]]:
    w = leaf(2.0)
    a = w * 3.0
    return a * a + a, {"w": w}


def _three_readings(leaf: Leaf) -> tuple[Any, dict[str, Any]]:
    w, b = leaf(1.0), leaf(0.0)
    total = (w * 35.7 + b - 0.5) ** 2
    for u, c in ((55.9, 14.0), (58.2, 15.0)):
        total = total + (w * u + b - c) ** 2
    return total * (1 / 3), {"w": w, "b": b}


_GRAPHS = (
    (_line, "y = w * x + b"),
    (_shared, "y = a * a + a with a = w * 3"),
    (_three_readings, "the loss on three thermometer readings"),
)


def _torch_leaf(value: float) -> torch.Tensor:
    return torch.tensor(value, dtype=torch.float64, requires_grad=True)


def _by_torch(build: Callable[[Leaf], tuple[Any, dict[str, Any]]]) -> dict[str, float]:
    out, leaves = build(_torch_leaf)
    out.backward()
    return {name: leaf.grad.item() for name, leaf in leaves.items()}


def _postorder(output: Node, seen: set[Node] | None) -> list[Node]:
    """Every node after its parents; with seen=None a node reached twice is listed twice."""
    order: list[Node] = []

    def visit(v: Node) -> None:
        if seen is not None:
            if v in seen:
                return
            seen.add(v)
        for parent in v._parents:
            visit(parent)
        order.append(v)

    visit(output)
    return order


def _rules_as_reached(output: Node) -> None:
    """The lesson's broken backward: each node's rule runs as soon as the node is reached."""
    output.grad = 1.0
    to_visit, seen = [output], set()
    while to_visit:
        v = to_visit.pop()
        if v in seen:
            continue
        seen.add(v)
        v._backward()
        to_visit.extend(v._parents)


def _leaves_up(output: Node) -> None:
    output.grad = 1.0
    for v in _postorder(output, set()):
        v._backward()


def _twice_reached(output: Node) -> None:
    output.grad = 1.0
    for v in reversed(_postorder(output, None)):
        v._backward()


def _by_walk(build: Callable[[Leaf], tuple[Any, dict[str, Any]]], walk: Callable[[Node], None]) -> dict[str, float]:
    out, leaves = build(Node)
    walk(out)
    return {name: leaf.grad for name, leaf in leaves.items()}


def _same_grads(got: dict[str, float], want: dict[str, float]) -> bool:
    return all(_close(got[name], want[name]) for name in want)


_SLIPS = (
    (
        _rules_as_reached,
        "a node ran its rule as soon as it was reached, before every node that uses it had added its share to its "
        "gradient, so it passed on only part of it: list the nodes in topological order first, then run the rules "
        "from the output down.",
    ),
    (
        _leaves_up,
        "the rules ran from the leaves up, so each one ran before its node had received any gradient: run them in "
        "reversed topological order, from the output down.",
    ),
    (
        _twice_reached,
        "a node reached by two paths ran its rule twice, and passed its gradient on twice: keep a set of the nodes "
        "already visited and list each node once.",
    ),
)


@exercise(
    "backward_in_order",
    lesson=3,
    title="backward() in topological order",
    hints=(
        "A node may run its rule only once its gradient is complete, that is after every node that uses it has "
        "run its own rule. So first list the nodes so that each comes after the nodes it was computed from "
        "(topological order), seed the output's gradient with 1, then run the rules from the output down.",
        "Section 1's Value.backward() is such a walk: its inner visit(v) lists a node after its parents and skips "
        "nodes already seen. Write the same walk as a function of output instead of self, then seed and run the "
        "rules as it does.",
    ),
    solution="""
        def backward_in_order(output):
            order, seen = [], set()
            def visit(v):
                if v not in seen:
                    seen.add(v)
                    for parent in v._parents:
                        visit(parent)
                    order.append(v)  # after all the nodes v was computed from
            visit(output)
            output.grad = 1.0
            for v in reversed(order):  # from the output down to the leaves
                v._backward()
    """,
)
def _backward_in_order(answer: Any) -> None:
    for build, description in _GRAPHS:
        out, leaves = build(Node)
        what = f"backward_in_order(y) for {description}"
        try:
            call(answer, out, what=what)
        except Wrong as err:
            explain_error(
                err,
                [
                    (
                        "has no attribute 'backward'",
                        "this exercise rebuilds backward() itself: walk the nodes through v._parents and call "
                        "each node's own rule, v._backward().",
                    )
                ],
            )
        got = {name: leaf.grad for name, leaf in leaves.items()}
        want = _by_torch(build)
        if _same_grads(got, want):
            continue
        if out.grad == 0 and all(g == 0 for g in got.values()):
            raise Wrong(
                f"after {what} every gradient is still 0: seed the output with output.grad = 1.0, then run the rules."
            )
        first_slip(
            got,
            [(_by_walk(build, walk), sentence) for walk, sentence in _SLIPS if not _same_grads(_by_walk(build, walk), want)],
            _same_grads,
        )
        for name, value in want.items():
            if not isinstance(got[name], (int, float)):
                raise Wrong(f"after {what}, {name}.grad is {got[name]!r}: it should be a number.")
            expect_close(got[name], value, f"the gradient of {name} after {what}", rtol=1e-6, atol=1e-9)


# --- exercise 3: the gradient of one node, by hand --------------------------------------------------------

_W, _B, _U0, _C0, _N = 0.5, -10.0, 35.7, 0.5, 11
_ERROR0 = _W * _U0 + _B - _C0  # 7.35: the first prediction minus the first temperature
_PREDICTION_GRAD = 2 * _ERROR0 / _N  # dL/dt_p[0]
_READING_GRAD = _PREDICTION_GRAD * _W  # dL/dt_u[0]: the answer


@exercise(
    "reading_gradient",
    lesson=3,
    title="The gradient of one node, by hand",
    hints=(
        "Do what backward() does, one operation at a time from the loss down to t_u[0]: the mean, the square, "
        "the subtraction of t_c[0], the addition of b, and the multiplication w * t_u[0]. Each step multiplies "
        "the gradient so far by one local derivative.",
        "With e0 = 0.5 * 35.7 + (-10.0) - 0.5, the gradient of the first prediction is (1 / 11) * 2 * e0 (mean, "
        "then square; + and - pass it on unchanged). Last step: which number does the rule of * multiply by to "
        "give t_u[0] its share — t_u[0]'s own value, or the other factor's?",
    ),
    solution="""
        def reading_gradient():
            e0 = 0.5 * 35.7 + (-10.0) - 0.5     # the first prediction minus the first temperature: 7.35
            return (1 / 11) * 2 * e0 * 0.5      # mean, square; + and - pass it on; * gives t_u[0] w times it
    """,
)
def _reading_gradient(answer: Any) -> None:
    if callable(answer):  # the stub's function; a plain number is accepted too
        answer = call(answer, what="reading_gradient()")
    if answer is None:
        raise Wrong("reading_gradient() returned None: end it with `return` and your number.")
    if isinstance(answer, torch.Tensor) and answer.numel() == 1:
        answer = answer.item()
    if hasattr(answer, "grad") and hasattr(answer, "_parents"):
        raise Wrong("that is a whole Value: pass the number itself, its .grad.")
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        raise Wrong(f"reading_gradient should be one number, but it is {answer!r}.")

    def near(got: float, value: float) -> bool:
        return math.isclose(got, value, rel_tol=2e-3)

    first_slip(
        float(answer),
        [
            (
                _PREDICTION_GRAD,
                "that is the gradient of the first prediction t_p[0]; one step is left: the multiplication "
                "w * t_u[0] passes t_u[0] the gradient times w.",
            ),
            (
                _PREDICTION_GRAD * _U0,
                "you multiplied by t_u[0] itself: that is w's share of the multiplication; the rule of * gives each "
                "factor the gradient times the *other* factor, so t_u[0] gets it times w.",
            ),
            (
                2 * _ERROR0 * _W,
                "the mean is missing: each squared error counts for 1/11 of the loss, so its gradient is 1/11, "
                "not 1.",
            ),
            (
                _ERROR0 / _N * _W,
                "the factor 2 of the square is missing: the local derivative of e ** 2 is 2 * e.",
            ),
            (
                -_READING_GRAD,
                "the sign is flipped: t_u[0] enters the prediction with + w, and the prediction enters the error "
                "with +, so raising t_u[0] raises the error e0 = 7.35 and the loss.",
            ),
            (
                _ERROR0**2 / _N,
                "that is the first reading's share of the loss, a value; the question asks for a gradient.",
            ),
            (
                2 * (_U0 - _C0) / _N,
                "that is lesson 2's t_p.grad[0], the gradient of the first prediction at w = 1, b = 0; this "
                "exercise is at w = 0.5, b = -10, and asks for t_u[0]'s gradient.",
            ),
        ],
        near,
    )
    expect_close(float(answer), _READING_GRAD, "the gradient of the loss with respect to t_u[0]", rtol=2e-3)
