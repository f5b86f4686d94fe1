"""draw_values draws lesson 3's engine: one box per Value with its data and grad, arrows from inputs to results."""
from __future__ import annotations

import pytest
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from matplotlib.text import Annotation

from helpers.errors import CourseError
from helpers.exercises.lesson3 import Node as Value
from helpers.graph import MAX_VALUES, build_value_graph, draw_values


def backward(output):
    order, seen = [], set()

    def visit(v):
        if v not in seen:
            seen.add(v)
            for parent in v._parents:
                visit(parent)
            order.append(v)

    visit(output)
    output.grad = 1.0
    for v in reversed(order):
        v._backward()


def shared():
    w = Value(2.0)
    a = w * 3
    y = a * a + a
    backward(y)
    return w, a, y


def test_every_value_gets_one_box_with_its_name_data_and_grad():
    w, a, y = shared()
    plan = build_value_graph(y, names={"w": w, "a": a, "y": y})
    assert len(plan.values) == 5  # w, the constant 3, a, a * a, y
    assert "w\ndata 2.0\ngrad 39.0" in plan.labels
    assert "a (*)\ndata 6.0\ngrad 13.0" in plan.labels
    assert "leaf\ndata 3.0\ngrad 26.0" in plan.labels
    assert plan.kinds.count("output") == 1 and plan.kinds.count("leaf") == 2


def test_a_value_used_twice_by_one_operation_gets_two_arrows_bent_apart():
    w, a, y = shared()
    plan = build_value_graph(y)
    square = next(i for i, v in enumerate(plan.values) if v._op == "*" and v is not a)
    a_index = plan.values.index(a)
    assert plan.edges.count((a_index, square)) == 2
    fig = draw_values(y)
    arrows = [t for t in fig.axes[0].texts if isinstance(t, Annotation)]
    assert len(arrows) == len(plan.edges) == 6
    bends = [arrow.arrow_patch.get_connectionstyle().rad for arrow, edge in zip(arrows, plan.edges)
             if edge == (a_index, square)]
    assert bends[0] == -bends[1] != 0


def test_results_sit_right_of_every_value_they_were_computed_from():
    w, a, y = shared()
    plan = build_value_graph(y)
    for start, end in plan.edges:
        assert plan.positions[start][0] < plan.positions[end][0]


def test_the_drawing_is_a_figure_with_one_box_per_value():
    w, a, y = shared()
    fig = draw_values(y, names={"w": w})
    assert isinstance(fig, Figure)
    assert sum(isinstance(p, FancyBboxPatch) for p in fig.axes[0].patches) == 5


def test_the_same_graph_is_laid_out_the_same_way_every_time():
    assert build_value_graph(shared()[2]).positions == build_value_graph(shared()[2]).positions


def test_anything_but_a_value_is_one_sentence():
    with pytest.raises(CourseError, match="needs a Value of the lesson's engine"):
        draw_values(3.0)


def test_names_must_map_names_to_values_of_this_graph():
    w, a, y = shared()
    with pytest.raises(CourseError, match="names must be a dict"):
        draw_values(y, names=["w"])
    with pytest.raises(CourseError, match="z is not in the graph"):
        draw_values(y, names={"z": Value(1.0)})


def test_a_graph_too_big_to_read_is_refused_with_advice():
    total = Value(0.0)
    for i in range(MAX_VALUES):
        total = total + Value(float(i))
    with pytest.raises(CourseError, match="too many to read"):
        draw_values(total)
