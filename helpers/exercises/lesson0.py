"""Lesson 0 (start here): a warm-up exercise that shows how stubs, checks and hints work."""
from __future__ import annotations

import math
from typing import Any

from helpers.checks import Wrong, call, exercise

# (x, w, b) triples the check tries; chosen so that each usual slip gives a different number.
_CASES = ((2.0, 3.0, 0.25), (-1.5, 0.5, 4.0), (10.0, -2.0, 0.5))


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
        "Python writes 'w times x' as `w * x`; add b with `+`, and hand the result back with `return`.",
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
        if math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12):
            continue
        for value, why in _slips(x, w, b):
            if math.isclose(got, value, rel_tol=1e-9):
                raise Wrong(f"{what} gave {got:g}, not {want:g}: {why}.")
        raise Wrong(f"{what} should be {want:g}, but yours is {got:g}.")
