"""draw_graph reads the real grad_fn chain: one circle per operation, one box per leaf, values and grads."""
from __future__ import annotations

import pytest
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch

from helpers.data import thermometer
from helpers.errors import CourseError
from helpers.graph import MAX_NODES, build_graph, draw_graph


def linear_after_backward():
    x = torch.tensor(3.0)
    w = torch.tensor(4.0, requires_grad=True)
    b = torch.tensor(5.0, requires_grad=True)
    y = w * x + b
    y.backward()
    return x, w, b, y


def labels(graph, kind):
    return [node.label for node in graph.nodes if node.kind == kind]


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].texts]


def test_linear_model_has_two_operations_two_leaves_and_the_output():
    x, w, b, y = linear_after_backward()
    graph = build_graph(y, names={"w": w, "b": b, "y": y})
    assert len(graph.nodes) == 5
    assert labels(graph, "output") == ["y = 17.0"]
    assert labels(graph, "operation") == ["AddBackward0", "MulBackward0"]
    assert labels(graph, "leaf") == ["w = 4.0\ngrad = 3.0", "b = 5.0\ngrad = 1.0"]


def test_input_without_requires_grad_is_not_in_the_graph():
    x, w, b, y = linear_after_backward()
    graph = build_graph(y, names={"x": x, "w": w, "b": b})
    assert not any(node.label.startswith("x") for node in graph.nodes)


def test_edges_run_forward_from_leaves_to_the_output():
    x, w, b, y = linear_after_backward()
    graph = build_graph(y, names={"w": w, "b": b})
    by_label = {node.label.split(" =")[0]: i for i, node in enumerate(graph.nodes)}
    edges = {(graph.nodes[a].label.split(" =")[0], graph.nodes[c].label.split(" =")[0]) for a, c in graph.edges}
    assert edges == {("w", "MulBackward0"), ("MulBackward0", "AddBackward0"), ("b", "AddBackward0"),
                     ("AddBackward0", "output")}
    for a, c in graph.edges:
        assert graph.nodes[a].column < graph.nodes[c].column
    assert graph.nodes[by_label["w"]].column == 0


def test_thermometer_loss_has_five_operations_in_order():
    t_u, t_c = thermometer()
    w = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    loss = ((w * t_u + b - t_c) ** 2).mean()
    loss.backward()
    graph = build_graph(loss, names={"w": w, "b": b, "loss": loss})
    assert len(graph.nodes) == 8
    ops = sorted((n for n in graph.nodes if n.kind == "operation"), key=lambda n: n.column)
    assert [n.label for n in ops] == ["MulBackward0", "AddBackward0", "SubBackward0", "PowBackward0", "MeanBackward0"]
    assert labels(graph, "output") == ["loss = 1763.9"]
    assert labels(graph, "leaf") == ["w = 1.0\ngrad = 4517.3", "b = 0.0\ngrad = 82.6"]


def test_before_backward_the_leaf_boxes_say_grad_none():
    w = torch.tensor(2.0, requires_grad=True)
    graph = build_graph(w * 3.0, names={"w": w})
    assert labels(graph, "leaf") == ["w = 2.0\ngrad = None"]


def test_a_leaf_used_twice_is_one_box():
    w = torch.tensor(2.0, requires_grad=True)
    graph = build_graph(w * w + w, names={"w": w})
    assert len(labels(graph, "leaf")) == 1
    assert len(graph.nodes) == 4  # output, Add, Mul, w


def test_unnamed_tensors_get_generic_labels():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    graph = build_graph(w * 2.0)
    assert labels(graph, "output") == ["output = [2.0, 4.0]"]
    assert labels(graph, "leaf") == ["leaf = [1.0, 2.0]\ngrad = None"]


def test_big_tensors_show_their_shape():
    w = torch.zeros(10, 3, requires_grad=True)
    graph = build_graph(w.sum(), names={"w": w})
    assert labels(graph, "leaf") == ["w = shape (10, 3)\ngrad = None"]


def test_retained_grad_of_a_non_leaf_is_shown():
    w = torch.tensor(2.0, requires_grad=True)
    h = w * 3.0
    h.retain_grad()
    (h * h).backward()
    graph = build_graph(h, names={"w": w, "h": h})
    assert labels(graph, "output") == ["h = 6.0\ngrad = 12.0"]


def test_infinite_and_nan_values_are_labelled_not_a_crash():
    w = torch.tensor(float("inf"), requires_grad=True)
    graph = build_graph(w * float("nan"), names={"w": w})
    assert labels(graph, "leaf") == ["w = inf\ngrad = None"]
    assert labels(graph, "output") == ["output = nan"]


def test_tensor_without_graph_is_one_grey_box_that_says_so():
    x = torch.tensor(3.0)
    graph = build_graph(x, names={"x": x})
    assert [(n.kind, n.label) for n in graph.nodes] == [("constant", "x = 3.0\nrequires_grad=False:\nno graph")]
    assert graph.edges == []
    fig = draw_graph(x, names={"x": x})
    assert "autograd recorded nothing\nfor this tensor" in texts(fig)


def test_detached_tensor_has_no_graph_either():
    w = torch.tensor(2.0, requires_grad=True)
    graph = build_graph((w * 3.0).detach())
    assert [n.kind for n in graph.nodes] == ["constant"]


def test_a_leaf_alone_is_one_box_with_its_grad():
    _, w, _, _ = linear_after_backward()
    graph = build_graph(w, names={"w": w})
    assert [(n.kind, n.label) for n in graph.nodes] == [("leaf", "w = 4.0\ngrad = 3.0")]


def test_figure_has_a_circle_per_operation_and_a_box_per_tensor():
    x, w, b, y = linear_after_backward()
    fig = draw_graph(y, names={"w": w, "b": b, "y": y})
    assert isinstance(fig, Figure)
    patches = fig.axes[0].patches
    assert sum(isinstance(p, Circle) for p in patches) == 2
    assert sum(isinstance(p, FancyBboxPatch) for p in patches) == 3
    assert {"AddBackward0", "MulBackward0", "y = 17.0", "w = 4.0\ngrad = 3.0", "b = 5.0\ngrad = 1.0"} <= set(texts(fig))
    assert len([t for t in texts(fig) if t]) == 6  # five nodes and the legend (arrows have no text)


@pytest.mark.parametrize("not_a_tensor", [3.0, [1.0, 2.0], None, "y"])
def test_non_tensor_input_is_one_sentence(not_a_tensor):
    with pytest.raises(CourseError, match=r"^draw_graph needs a torch tensor, but got \w+; pass the result"):
        draw_graph(not_a_tensor)


@pytest.mark.parametrize("names", [["w"], {"w": 1.0}, {1: torch.tensor(1.0)}])
def test_bad_names_are_one_sentence(names):
    w = torch.tensor(2.0, requires_grad=True)
    with pytest.raises(CourseError, match="names must be a dict from names to tensors"):
        draw_graph(w * 2.0, names=names)


def test_huge_graphs_are_refused_with_a_sentence():
    w = torch.tensor(1.0, requires_grad=True)
    y = w
    for _ in range(MAX_NODES):
        y = y * 1.0
    with pytest.raises(CourseError, match=f"more than {MAX_NODES} nodes"):
        draw_graph(y)
