"""Lesson 00 (start here): three tiny exercises that show how stubs, checks and hints work.

`straight_line` is written code; `order_of_runs` and `estimate_at_h` are predictions: the learner returns a
number, checks it, then runs the cells (or moves the slider) to see why. A plain number is accepted too.
"""
from __future__ import annotations

import math
from typing import Any

from helpers.checks import Wrong, call, exercise, first_slip

# (x, w, b) triples the check tries; chosen so that each usual slip gives a different number.
_CASES = ((2.0, 3.0, 0.25), (-1.5, 0.5, 4.0), (10.0, -2.0, 0.5))


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _slips(x: float, w: float, b: float) -> tuple[tuple[float, str], ...]:
    """What the usual slips return, and what to tell the learner about each."""
    return (
        (b * x + w, "w and b are swapped (w is the slope)"),
        (w * (x + b), "only x is multiplied by w, so add b after multiplying"),
        (w * x, "the offset b is missing"),
        (w * x - b, "add b instead of subtracting it"),
        (w + x + b, "multiply x by w instead of adding it"),
    )


@exercise(
    "straight_line",
    lesson=0,
    title="Warm-up: a straight line",
    hints=(
        "A straight line multiplies x by its slope w, then adds the offset b.",
        "One line that starts with `return`; Python writes 'times' as `*` and 'plus' as `+`.",
    ),
    solution="""
        def straight_line(x, w, b):
            return w * x + b
    """,
)
def _straight_line(answer: Any) -> None:
    for x, w, b in _CASES:
        what = f"straight_line({x}, {w}, {b})"
        got = call(answer, x, w, b, what=what)
        if got is None:
            raise Wrong(f"{what} returned None: did you forget `return`?")
        try:
            got = float(got)
        except (TypeError, ValueError):
            raise Wrong(f"{what} should return a number, but returned {got!r}.") from None
        want = w * x + b
        if _close(got, want):
            continue
        first_slip(got, ((value, f"{what} gave {got:g}, not {want:g}: {why}.") for value, why in _slips(x, w, b)),
                   same=_close)
        raise Wrong(f"{what} should be {want:g}, but yours is {got:g}.")


def _a_number(answer: Any, name: str) -> float:
    """The learner's prediction: what their function returns (the stub's form), or a plain number."""
    if callable(answer):
        answer = call(answer, what=f"{name}()")
        if answer is None:
            raise Wrong(f"{name}() returned None: write `return` followed by your prediction.")
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        raise Wrong(f"{name} should give a number, such as 3 or 2.5, but it gave {answer!r}.")
    return float(answer)


# --- order_of_runs: cells a (x = 1), b (x = x * 2), c (x = x + 10), run in the order a, c, b -------------


@exercise(
    "order_of_runs",
    lesson=0,
    title="Predict: the order of runs",
    hints=(
        "The kernel does not read the page: it only knows which cells ran, in the order they ran.",
        "Follow x by hand through the three cells in the order a, c, b, writing down x after each one.",
    ),
    solution="""
        def order_of_runs():
            return 22  # a: x = 1; then c: x = 1 + 10 = 11; then b: x = 11 * 2 = 22
    """,
)
def _order_of_runs(answer: Any) -> None:
    got = _a_number(answer, "order_of_runs")
    first_slip(got, (
        (12.0, "12 is what the page order a, b, c gives; the kernel follows the order you ran the cells in: a, c, b."),
        (11.0, "11 is x after a and c; b ran last and doubled it."),
        (2.0, "2 is x after a and b only; c ran too, before b."),
        (1.0, "1 is x after cell a alone; c and b ran after it and changed x."),
    ), same=_close)
    if got != 22.0:
        raise Wrong(f"{got:g} is not it: follow x through the cells in the order they ran, a, then c, then b.")


# --- estimate_at_h: the slider's slope estimate of x**2 at 3 with step h = 0.001 -------------------------

_H = 1e-3
_ESTIMATE = ((3 + _H) ** 2 - 3**2) / _H  # 6.000999999999479 in float64; exactly 6 + h on paper


@exercise(
    "estimate_at_h",
    lesson=0,
    title="Predict, then slide: the estimate at h = 0.001",
    hints=(
        "Look at how far each estimate is from the true slope 6, and compare that distance with h.",
        "Read the readout at h = 0.1 and at h = 0.01 (type the values into the slider's number box): "
        "subtract 6 from each estimate and compare with h.",
    ),
    solution="""
        def estimate_at_h():
            return 6.001  # for x**2 at 3 the estimate is 6 + h: lesson 01 says why
    """,
)
def _estimate_at_h(answer: Any) -> None:
    got = _a_number(answer, "estimate_at_h")
    if math.isclose(got, _ESTIMATE, rel_tol=1e-6):
        return
    first_slip(got, (
        (6.0, "6 is the true slope, but an estimate with a step h > 0 is off by a little: by how much at h = 0.01?"),
        (6.01, "6.01 is the estimate at h = 0.01, where the slider starts: at h = 0.001 it is closer to 6."),
        (6.0001, "6.0001 is the estimate at h = 0.0001; this one asks for h = 0.001."),
        (6.1, "6.1 is the estimate at h = 0.1; this one asks for h = 0.001, a hundred times smaller."),
    ), same=lambda a, b: math.isclose(a, b, rel_tol=1e-6))
    raise Wrong(
        f"{got:g} is not the estimate at h = 0.001: compare estimate − 6 with h at h = 0.1 and h = 0.01, "
        "or type 0.001 into the slider and read it."
    )
