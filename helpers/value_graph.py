"""Draw the graph behind a Value of lesson 3's engine: one box per Value, arrows from inputs to results.

    from helpers.value_graph import draw_values
    draw_values(y, names={"w": w, "y": y})   # a matplotlib Figure

Each box shows a Value's name (or the operation that made it, or "leaf"), its `data` and its `grad`.
Arrows run forward, from each Value to the results computed from it; `backward()` walks them the other
way. A Value used twice by one operation (`a * a`) gets two arrows. Only the engine's interface is read
(`data`, `grad`, `_parents`, `_op`), so any class with those attributes can be drawn.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from helpers.errors import CourseError

MAX_VALUES = 30
COLUMN, ROW = 2.4, 1.35  # distance between columns and between rows, in drawing units
INCH = 0.75  # inches per drawing unit
BOX_W, BOX_H = 1.6, 0.95
_COLORS = {"leaf": "#cfe2f3", "operation": "#fce5cd", "output": "white"}


@dataclass
class Layout:
    """Where each Value goes, its box text and kind, and the arrows (input index, result index)."""

    values: list[Any] = field(default_factory=list)
    positions: list[tuple[float, float]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    edges: list[tuple[int, int]] = field(default_factory=list)


def _is_value(v: Any) -> bool:
    return all(hasattr(v, name) for name in ("data", "grad", "_parents"))


def _number(x: float) -> str:
    return f"{x:.1f}" if math.isfinite(x) and x == int(x) and abs(x) < 1e6 else f"{x:.6g}"


def _check(output: Any, names: Any) -> dict[int, str]:
    """The names by id of their Value; one plain sentence for bad input."""
    if not _is_value(output):
        raise CourseError(
            f"draw_values needs a Value of the lesson's engine (with data, grad and _parents), but got "
            f"{type(output).__name__}; pass the result of a computation, e.g. draw_values(y)."
        )
    if names is None:
        return {}
    if not isinstance(names, dict) or not all(isinstance(k, str) and _is_value(v) for k, v in names.items()):
        raise CourseError('names must be a dict from a name to a Value, e.g. names={"w": w, "y": y}.')
    return {id(v): k for k, v in names.items()}


def layout(output: Any, names: dict[str, Any] | None = None) -> Layout:
    """Place every Value `output` was computed from: inputs on the left, `output` on the right."""
    named = _check(output, names)
    order: list[Any] = []  # depth first from the output, parents in their order: the same picture every run
    index: dict[int, int] = {}
    to_visit = [output]
    while to_visit:
        v = to_visit.pop()
        if id(v) in index:
            continue
        index[id(v)] = len(order)
        order.append(v)
        if len(order) > MAX_VALUES:
            raise CourseError(
                f"this graph has more than {MAX_VALUES} Values, too many to read in a drawing; draw a smaller "
                "expression, e.g. the loss of one reading."
            )
        to_visit.extend(reversed(v._parents))
    missing = [name for key, name in named.items() if key not in index]
    if missing:
        raise CourseError(f"{', '.join(missing)} is not in the graph of this output: leave it out of names.")

    level = [0] * len(order)  # the longest path from the output: results always sit right of their inputs
    changed = True
    while changed:
        changed = False
        for i, v in enumerate(order):
            for parent in v._parents:
                j = index[id(parent)]
                if level[j] < level[i] + 1:
                    level[j], changed = level[i] + 1, True
    deepest = max(level)
    result = Layout(values=order)
    rows: dict[int, int] = {}
    column_size = {c: level.count(c) for c in set(level)}
    for i, v in enumerate(order):
        c = level[i]
        row = rows.get(c, 0)
        rows[c] = row + 1
        result.positions.append(((deepest - c) * COLUMN, ((column_size[c] - 1) / 2 - row) * ROW))
        kind = "output" if v is output else ("operation" if v._parents else "leaf")
        title = named.get(id(v)) or ("leaf" if not v._parents else "")
        op = getattr(v, "_op", "")
        if v._parents and op:
            title = f"{title} ({op})" if title else op
        result.kinds.append(kind)
        result.labels.append(f"{title}\ndata {_number(v.data)}\ngrad {_number(v.grad)}")
        result.edges.extend((index[id(parent)], i) for parent in v._parents)
    return result


def draw_values(output: Any, names: dict[str, Any] | None = None) -> Figure:
    """Draw the Values behind `output` with their data and grad; return the Figure."""
    plan = layout(output, names)
    xs = [x for x, _ in plan.positions]
    ys = [y for _, y in plan.positions]
    left, right = min(xs) - BOX_W, max(xs) + BOX_W
    low, high = min(ys) - BOX_H, max(ys) + BOX_H
    fig = plt.figure(figsize=(INCH * (right - left), INCH * (high - low)))
    plt.close(fig)  # returned, not shown twice
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(left, right)
    ax.set_ylim(low, high)
    ax.set_aspect("equal")
    ax.axis("off")
    for (x, y), label, kind in zip(plan.positions, plan.labels, plan.kinds):
        ax.add_patch(FancyBboxPatch(
            (x - BOX_W / 2, y - BOX_H / 2), BOX_W, BOX_H, boxstyle="round,pad=0.04",
            facecolor=_COLORS[kind], edgecolor="black", linestyle="--" if kind == "output" else "-",
        ))
        ax.text(x, y, label, ha="center", va="center", fontsize=9)
    for (start, end), rad in zip(plan.edges, _bends(plan)):
        (x0, y0), (x1, y1) = plan.positions[start], plan.positions[end]
        ax.annotate(
            "", xy=(x1 - BOX_W / 2, y1), xytext=(x0 + BOX_W / 2, y0),
            arrowprops={"arrowstyle": "->", "color": "#555555", "shrinkA": 1, "shrinkB": 1,
                        "connectionstyle": f"arc3,rad={rad}"},
        )
    return fig


def _bends(plan: Layout) -> list[float]:
    """How much each arrow curves: the same arrow twice (a * a) bends both ways; an arrow that skips a column
    bends around the boxes between its ends; the others are straight."""
    bends = []
    for start, end in plan.edges:
        repeats = plan.edges.count((start, end))
        if repeats > 1:
            nth = plan.edges[: len(bends)].count((start, end))
            bends.append(0.25 * (2 * nth / (repeats - 1) - 1))
        elif plan.positions[end][0] - plan.positions[start][0] > 1.5 * COLUMN:
            rising = plan.positions[end][1] > plan.positions[start][1]
            bends.append(0.5 if rising else -0.5)  # below the boxes on the way up, above them otherwise
        else:
            bends.append(0.0)
    return bends
