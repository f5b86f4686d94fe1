"""Draw the graph autograd recorded behind a tensor, read from its real `grad_fn` chain.

    from helpers.graph import draw_graph
    draw_graph(y, names={"w": w, "b": b})   # a matplotlib Figure

Operations (`grad_fn` nodes) are circles, leaf tensors are boxes showing their value and `.grad`,
the tensor you pass is a dashed box on the right. Arrows run forward, from the leaves to the result;
`backward()` walks them the other way, from each `grad_fn` to its `next_functions`.
A tensor with no graph (`requires_grad=False`) is drawn as a single grey box that says so.
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

MAX_NODES = 40
ROW = 1.45  # vertical distance between two nodes of one column, in units where columns are 2 apart
INCH = 0.8  # inches per unit
_COLORS = {"leaf": "#cfe2f3", "operation": "#fce5cd", "output": "white", "constant": "#eeeeee"}


@dataclass
class Node:
    """One circle or box of the drawing; `column` counts from the left, `row` upwards."""

    kind: str  # "leaf", "operation", "output", or "constant" (a tensor with no graph)
    label: str
    column: int = 0
    row: float = 0.0


@dataclass
class Graph:
    """The nodes (the tensor drawn comes first) and the arrows between them."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[tuple[int, int]] = field(default_factory=list)  # (input, consumer), forward direction


def _number(value: float) -> str:
    if math.isfinite(value) and value == int(value) and abs(value) < 1e6:
        return f"{value:.1f}"
    return f"{value:.5g}"


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
            graph.nodes.append(Node("leaf", f"{name} = {_values(tensor)}\ngrad = {grad}"))
        else:
            graph.nodes.append(Node("constant", f"{name} = {_values(tensor)}\nrequires_grad=False:\nno graph"))
        return graph

    lines = [f"{name} = {_values(tensor)}"]
    if tensor.retains_grad:
        lines.append(f"grad = {'None' if tensor.grad is None else _values(tensor.grad)}")
    graph.nodes.append(Node("output", "\n".join(lines)))
    index: dict[Any, int] = {}
    depth: dict[int, int] = {0: 0}
    inputs: dict[int, list[int]] = {0: []}

    def visit(fn: Any, consumer: int) -> None:
        if fn not in index:
            if type(fn).__name__ == "AccumulateGrad":
                leaf = fn.variable
                grad = "None" if leaf.grad is None else _values(leaf.grad)
                label = f"{_name_of(leaf, names, 'leaf')} = {_values(leaf)}\ngrad = {grad}"
                graph.nodes.append(Node("leaf", label))
            else:
                graph.nodes.append(Node("operation", type(fn).__name__))
            if len(graph.nodes) > MAX_NODES:
                raise CourseError(
                    f"This graph has more than {MAX_NODES} nodes, too many to draw clearly; "
                    f"try draw_graph on a smaller expression."
                )
            index[fn] = len(graph.nodes) - 1
            inputs[index[fn]] = []
            for child, _ in fn.next_functions:
                if child is not None:
                    visit(child, index[fn])
        node = index[fn]
        if node not in inputs[consumer]:
            inputs[consumer].append(node)
            graph.edges.append((node, consumer))

    visit(tensor.grad_fn, 0)

    # Longest path from the output decides the column, so every arrow points left to right.
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
    _place_rows(graph, inputs)
    return graph


def _place_rows(graph: Graph, inputs: dict[int, list[int]]) -> None:
    """Put each node near its consumers (first input on top), at least ROW apart within a column."""
    columns = max(node.column for node in graph.nodes)
    for column in range(columns, -1, -1):
        members = [i for i, node in enumerate(graph.nodes) if node.column == column]
        wanted = {}
        for i in members:
            spots = [
                graph.nodes[c].row - ROW * (ins.index(i) - (len(ins) - 1) / 2)
                for c, ins in inputs.items()
                if i in ins
            ]
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


def _legend(graph: Graph, narrow: bool) -> str:
    if graph.nodes[0].kind == "leaf":
        return "a leaf tensor:\nnothing was recorded behind it"
    if graph.nodes[0].kind == "constant":
        return "autograd recorded nothing\nfor this tensor"
    parts = ["boxes: leaf tensors (value, .grad)", "circles: operations (grad_fn)", "dashed: the tensor drawn",
             "arrows run forward; backward() walks them right to left"]
    return "\n".join(parts) if narrow else "   ".join(parts[:3]) + "\n" + parts[3]


def draw_graph(tensor: torch.Tensor, names: dict[str, torch.Tensor] | None = None) -> Figure:
    """Draw the graph autograd recorded behind `tensor` and return the Figure.

    `names` maps names to tensors, e.g. {"w": w, "b": b}, to label their boxes. Call it after
    `backward()` to see the gradients in the leaf boxes.
    """
    graph = build_graph(tensor, names)
    sizes = [_size(node) for node in graph.nodes]
    left = min(2 * n.column - w / 2 for n, (w, _) in zip(graph.nodes, sizes)) - 0.2
    right = max(2 * n.column + w / 2 for n, (w, _) in zip(graph.nodes, sizes)) + 0.2
    narrow = right - left < 8
    if right - left < 3.2:
        left, right = (left + right) / 2 - 1.6, (left + right) / 2 + 1.6
    legend = _legend(graph, narrow)
    high = max(n.row + h / 2 for n, (_, h) in zip(graph.nodes, sizes)) + 0.2
    legend_top = min(n.row - h / 2 for n, (_, h) in zip(graph.nodes, sizes)) - 0.4
    low = legend_top - 0.2 * (legend.count("\n") + 1) - 0.12
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
    for start, end in graph.edges:
        a, b = graph.nodes[start], graph.nodes[end]
        ax.annotate(
            "", xy=(2 * b.column, b.row), xytext=(2 * a.column, a.row),
            arrowprops=dict(arrowstyle="-|>", color="#555555", lw=1.2, shrinkA=1, shrinkB=1,
                            patchA=patches[start], patchB=patches[end]),
        )
    ax.text((left + right) / 2, legend_top, legend, ha="center", va="top", fontsize=8, color="#444444")
    return fig
