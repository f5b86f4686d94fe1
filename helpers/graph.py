"""Draw a computation graph: the one autograd recorded behind a tensor, or the one behind a Value of lesson 03.

    from helpers.graph import draw_graph, draw_values
    draw_graph(y, names={"w": w, "b": b})   # a tensor's real grad_fn chain: a matplotlib Figure
    draw_values(y, names={"w": w, "y": y})  # a Value of lesson 03's engine (data, grad, _parents, _op)

Both build a Graph (nodes and forward edges), place it (a column per longest path from the output, so every
arrow points right) and draw it with one routine. In draw_graph, operations (`grad_fn` nodes) are circles and
leaf tensors boxes with their value and `.grad`; a tensor with no graph (`requires_grad=False`) is one grey box
that says so. In draw_values every Value is a box with its data and grad: leaves blue, results orange; a Value
used twice by one operation (`a * a`) gets two arrows. The drawn output is a dashed box on the right. Arrows
run forward, from inputs to results; `backward()` walks them the other way.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch

from helpers.errors import CourseError

MAX_NODES = 40  # draw_graph
MAX_VALUES = 30  # draw_values
ROW = 1.45  # vertical distance between two nodes of one column, in units where columns are 2 apart
INCH = 0.8  # inches per unit
_COLORS = {"leaf": "#cfe2f3", "operation": "#fce5cd", "result": "#fce5cd", "output": "white", "constant": "#eeeeee"}


@dataclass
class Node:
    """One circle or box of the drawing; `column` counts from the left, `row` upwards; `source` is what it shows."""

    kind: str  # "leaf", "operation" (a circle), "result" (a box), "output", or "constant" (a tensor with no graph)
    label: str
    column: int = 0
    row: float = 0.0
    source: Any = None


@dataclass
class Graph:
    """The nodes (the output drawn comes first) and the arrows between them."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[tuple[int, int]] = field(default_factory=list)  # (input, consumer), forward; repeated if used twice

    @property
    def values(self) -> list[Any]:
        return [node.source for node in self.nodes]

    @property
    def labels(self) -> list[str]:
        return [node.label for node in self.nodes]

    @property
    def kinds(self) -> list[str]:
        return [node.kind for node in self.nodes]

    @property
    def positions(self) -> list[tuple[float, float]]:
        return [(2.0 * node.column, node.row) for node in self.nodes]


def _number(value: float) -> str:
    if math.isfinite(value) and value == int(value) and abs(value) < 1e6:
        return f"{value:.1f}"
    return f"{value:.5g}"


# ---- builder 1: the graph autograd recorded behind a tensor ----

def _values(t: torch.Tensor) -> str:
    t = t.detach()
    if t.numel() == 1:
        return _number(t.item())
    if t.numel() <= 3:
        return "[" + ", ".join(_number(v) for v in t.flatten().tolist()) + "]"
    return f"shape {tuple(t.shape)}"


def _name_of(t: torch.Tensor, names: dict[str, torch.Tensor], default: str) -> str:
    return next((name for name, value in names.items() if value is t), default)


def _check_input(tensor: Any, names: Any) -> dict[str, torch.Tensor]:
    if not isinstance(tensor, torch.Tensor):
        raise CourseError(
            f"draw_graph needs a torch tensor, but got {type(tensor).__name__}; pass the result of a computation, "
            f"e.g. draw_graph(y)."
        )
    if names is None:
        return {}
    if not isinstance(names, dict) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in names.items()
    ):
        raise CourseError('names must be a dict from names to tensors, e.g. names={"w": w, "b": b}.')
    return names


def build_graph(tensor: torch.Tensor, names: dict[str, torch.Tensor] | None = None) -> Graph:
    """Read the nodes and edges of the graph behind `tensor`; `names` labels the tensors you know."""
    names = _check_input(tensor, names)
    graph = Graph()
    name = _name_of(tensor, names, "output")
    if tensor.grad_fn is None:  # a leaf: nothing was recorded behind it
        if tensor.requires_grad:
            grad = "None" if tensor.grad is None else _values(tensor.grad)
            graph.nodes.append(Node("leaf", f"{name} = {_values(tensor)}\ngrad = {grad}", source=tensor))
        else:
            label = f"{name} = {_values(tensor)}\nrequires_grad=False:\nno graph"
            graph.nodes.append(Node("constant", label, source=tensor))
        return graph

    lines = [f"{name} = {_values(tensor)}"]
    if tensor.retains_grad:
        lines.append(f"grad = {'None' if tensor.grad is None else _values(tensor.grad)}")
    graph.nodes.append(Node("output", "\n".join(lines), source=tensor))
    index: dict[Any, int] = {}

    def visit(fn: Any, consumer: int) -> None:
        if fn not in index:
            if type(fn).__name__ == "AccumulateGrad":
                leaf = fn.variable
                grad = "None" if leaf.grad is None else _values(leaf.grad)
                label = f"{_name_of(leaf, names, 'leaf')} = {_values(leaf)}\ngrad = {grad}"
                graph.nodes.append(Node("leaf", label, source=leaf))
            else:
                graph.nodes.append(Node("operation", type(fn).__name__, source=fn))
            if len(graph.nodes) > MAX_NODES:
                raise CourseError(
                    f"This graph has more than {MAX_NODES} nodes, too many to draw clearly; "
                    f"try draw_graph on a smaller expression."
                )
            index[fn] = len(graph.nodes) - 1
            for child, _ in fn.next_functions:
                if child is not None:
                    visit(child, index[fn])
        if (index[fn], consumer) not in graph.edges:  # autograd's picture: one arrow per pair
            graph.edges.append((index[fn], consumer))

    visit(tensor.grad_fn, 0)
    _place(graph)
    return graph


# ---- builder 2: the graph behind a Value of lesson 03's engine ----

def _is_value(v: Any) -> bool:
    return all(hasattr(v, name) for name in ("data", "grad", "_parents"))


def _check_values(output: Any, names: Any) -> dict[int, str]:
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


def build_value_graph(output: Any, names: dict[str, Any] | None = None) -> Graph:
    """Read every Value `output` was computed from (only data, grad, _parents and _op) and place it."""
    named = _check_values(output, names)
    graph = Graph()
    index: dict[int, int] = {}
    to_visit = [output]  # depth first from the output, parents in their order: the same picture every run
    while to_visit:
        v = to_visit.pop()
        if id(v) in index:
            continue
        index[id(v)] = len(graph.nodes)
        title = named.get(id(v)) or ("" if v._parents else "leaf")
        op = getattr(v, "_op", "")
        if v._parents and op:
            title = f"{title} ({op})" if title else op
        kind = "output" if v is output else ("result" if v._parents else "leaf")
        graph.nodes.append(Node(kind, f"{title}\ndata {_number(v.data)}\ngrad {_number(v.grad)}", source=v))
        if len(graph.nodes) > MAX_VALUES:
            raise CourseError(
                f"this graph has more than {MAX_VALUES} Values, too many to read in a drawing; draw a smaller "
                "expression, e.g. the loss of one reading."
            )
        to_visit.extend(reversed(v._parents))
    missing = [name for key, name in named.items() if key not in index]
    if missing:
        raise CourseError(f"{', '.join(missing)} is not in the graph of this output: leave it out of names.")
    for node in graph.nodes:  # one arrow per use: a * a has two
        graph.edges.extend((index[id(parent)], index[id(node.source)]) for parent in node.source._parents)
    _place(graph)
    return graph


# ---- one placement and one drawing for both ----

def _place(graph: Graph) -> None:
    """Column: the longest path from the output (node 0), so every arrow points right. Row: near the consumers."""
    depth = {0: 0}
    changed = True
    while changed:
        changed = False
        for node, consumer in graph.edges:
            if consumer in depth and depth.get(node, -1) < depth[consumer] + 1:
                depth[node] = depth[consumer] + 1
                changed = True
    width = max(depth.values())
    for i, node in enumerate(graph.nodes):
        node.column = width - depth[i]
    inputs: dict[int, list[int]] = {i: [] for i in range(len(graph.nodes))}
    for node, consumer in graph.edges:
        if node not in inputs[consumer]:
            inputs[consumer].append(node)
    _place_rows(graph, inputs)


def _place_rows(graph: Graph, inputs: dict[int, list[int]]) -> None:
    """Put each node near its consumers (first input on top), at least ROW apart within a column."""
    columns = max(node.column for node in graph.nodes)
    for column in range(columns, -1, -1):
        members = [i for i, node in enumerate(graph.nodes) if node.column == column]
        wanted = {}
        for i in members:
            near = [c for c, ins in inputs.items() if i in ins and graph.nodes[c].column == column + 1]
            spots = []  # beside the consumers in the next column; arrows that skip columns bend around boxes
            for c in near or [c for c, ins in inputs.items() if i in ins]:
                side = [j for j in inputs[c] if graph.nodes[j].column == column]
                spots.append(graph.nodes[c].row - ROW * (side.index(i) - (len(side) - 1) / 2) if i in side
                             else graph.nodes[c].row)
            wanted[i] = sum(spots) / len(spots) if spots else 0.0
        order = sorted(members, key=lambda i: (-wanted[i], i))
        rows = [wanted[i] for i in order]
        for k in range(1, len(rows)):
            rows[k] = min(rows[k], rows[k - 1] - ROW)
        shift = (sum(wanted.values()) - sum(rows)) / len(rows)
        for i, row in zip(order, rows):
            graph.nodes[i].row = row + shift


def _size(node: Node) -> tuple[float, float]:
    """Width and height of a node's shape, in plot units."""
    if node.kind == "operation":
        return 1.2, 1.2
    lines = node.label.splitlines()
    return max(1.56, 0.095 * max(len(line) for line in lines) + 0.2), 0.33 + 0.22 * len(lines)


def _bends(graph: Graph) -> list[float]:
    """How much each arrow curves: the same arrow twice (a * a) bends both ways; an arrow that skips a column
    bends around the boxes between its ends (below them on the way up, above otherwise); the others are straight."""
    bends = []
    for k, (start, end) in enumerate(graph.edges):
        repeats = graph.edges.count((start, end))
        a, b = graph.nodes[start], graph.nodes[end]
        if repeats > 1:
            bends.append(0.3 * (2 * graph.edges[:k].count((start, end)) / (repeats - 1) - 1))
        elif b.column - a.column > 1:
            bends.append(0.4 if b.row > a.row else -0.4)
        else:
            bends.append(0.0)
    return bends


def _legend(graph: Graph, narrow: bool) -> str:
    if graph.nodes[0].kind == "leaf":
        return "a leaf tensor:\nnothing was recorded behind it"
    if graph.nodes[0].kind == "constant":
        return "autograd recorded nothing\nfor this tensor"
    parts = ["boxes: leaf tensors (value, .grad)", "circles: operations (grad_fn)", "dashed: the tensor drawn",
             "arrows run forward; backward() walks them right to left"]
    return "\n".join(parts) if narrow else "   ".join(parts[:3]) + "\n" + parts[3]


def draw(graph: Graph, legend: str | None = None) -> Figure:
    """Draw a placed Graph: circles for operations, boxes for the rest, `legend` (if any) underneath."""
    sizes = [_size(node) for node in graph.nodes]
    left = min(2 * n.column - w / 2 for n, (w, _) in zip(graph.nodes, sizes)) - 0.2
    right = max(2 * n.column + w / 2 for n, (w, _) in zip(graph.nodes, sizes)) + 0.2
    if right - left < 3.2:
        left, right = (left + right) / 2 - 1.6, (left + right) / 2 + 1.6
    high = max(n.row + h / 2 for n, (_, h) in zip(graph.nodes, sizes)) + 0.2
    legend_top = min(n.row - h / 2 for n, (_, h) in zip(graph.nodes, sizes)) - 0.4
    low = legend_top - 0.2 * (legend.count("\n") + 1) - 0.12 if legend else legend_top + 0.2
    # Made by pyplot so that Jupyter knows how to show it; closed so that it is shown once, as the return value.
    fig = plt.figure(figsize=(INCH * (right - left), INCH * (high - low)))
    plt.close(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(left, right)
    ax.set_ylim(low, high)

    patches = []
    for node, (width, height) in zip(graph.nodes, sizes):
        x, y = 2 * node.column, node.row
        if node.kind == "operation":
            patch = Circle((x, y), width / 2, facecolor=_COLORS["operation"], edgecolor="#b45f06", lw=1.2)
        else:
            patch = FancyBboxPatch(
                (x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.02,rounding_size=0.08",
                facecolor=_COLORS[node.kind], edgecolor="#444444", lw=1.2,
                linestyle="--" if node.kind == "output" else "-",
            )
        ax.add_patch(patch)
        patches.append(patch)
        size = 7.5 if node.kind == "operation" else 8.5
        ax.text(x, y, node.label, ha="center", va="center", fontsize=size, family="monospace")
    for (start, end), rad in zip(graph.edges, _bends(graph)):
        a, b = graph.nodes[start], graph.nodes[end]
        ax.annotate(
            "", xy=(2 * b.column, b.row), xytext=(2 * a.column, a.row),
            arrowprops=dict(arrowstyle="-|>", color="#555555", lw=1.2, shrinkA=1, shrinkB=1,
                            patchA=patches[start], patchB=patches[end], connectionstyle=f"arc3,rad={rad}"),
        )
    if legend:
        ax.text((left + right) / 2, legend_top, legend, ha="center", va="top", fontsize=8, color="#444444")
    return fig


def draw_graph(tensor: torch.Tensor, names: dict[str, torch.Tensor] | None = None) -> Figure:
    """Draw the graph autograd recorded behind `tensor` and return the Figure.

    `names` maps names to tensors, e.g. {"w": w, "b": b}, to label their boxes. Call it after
    `backward()` to see the gradients in the leaf boxes.
    """
    graph = build_graph(tensor, names)
    sizes = [_size(node) for node in graph.nodes]
    span = max(2 * n.column + w / 2 for n, (w, _) in zip(graph.nodes, sizes)) + 0.2
    span -= min(2 * n.column - w / 2 for n, (w, _) in zip(graph.nodes, sizes)) - 0.2
    return draw(graph, _legend(graph, narrow=span < 8))


def draw_values(output: Any, names: dict[str, Any] | None = None) -> Figure:
    """Draw the Values behind `output` of lesson 03's engine with their data and grad; return the Figure."""
    return draw(build_value_graph(output, names))
