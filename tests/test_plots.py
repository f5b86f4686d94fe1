"""The error-against-step figure shows every curve, marks each best step and √ε; the loss map draws nested
contours on equal axes around the given centre; bad input to either is one sentence."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import torch

from helpers.errors import CourseError
from helpers.plots import draw_loss_map, plot_error_vs_step

HS = 10.0 ** -torch.arange(1.0, 5.0, 1.0, dtype=torch.float64)
CURVE = torch.tensor([4.0, 1.0, 2.0, 3.0], dtype=torch.float64)


def test_error_plot_has_one_panel_per_function_and_a_marked_best_step_per_curve():
    errors = {
        (fname, kind, dtype): CURVE
        for fname in ("f", "g")
        for kind in ("forward", "central")
        for dtype in (torch.float32, torch.float64)
    }
    fig = plot_error_vs_step(HS, errors)
    assert [ax.get_title() for ax in fig.axes] == ["f", "g"]
    for ax in fig.axes:
        curves = [line for line in ax.get_lines() if len(line.get_xdata()) == 4]
        dots = [line for line in ax.get_lines() if line.get_marker() == "o"]
        assert len(curves) == 4 and len(dots) == 4
        assert all(float(dot.get_xdata()[0]) == 1e-2 for dot in dots)  # the smallest error, at h = 1e-2
        # Only the forward difference's rule is drawn: the central one is the lesson's optional exercise.
        assert {t.get_text() for t in ax.texts} == {"√ε32", "√ε64"}
    assert fig.axes[-1].get_legend() is not None
    plt.close(fig)


def test_one_function_gives_one_panel_and_a_backward_difference_has_its_own_colour():
    fig = plot_error_vs_step(HS, {("sin(x)", "backward", torch.float64): CURVE, ("sin(x)", "forward", torch.float64): CURVE})
    [ax] = fig.axes
    colours = {line.get_color() for line in ax.get_lines() if len(line.get_xdata()) == 4}
    assert colours == {"tab:purple", "tab:orange"}
    plt.close(fig)


@pytest.mark.parametrize(
    "hs, errors, sentence",
    [
        (HS, {}, "errors must be a dict with at least one curve"),
        (HS, [CURVE], "errors must be a dict with at least one curve"),
        (HS, {("f", "sideways", torch.float64): CURVE}, "draws the difference kinds 'forward', 'central', 'backward', but got 'sideways'"),
        (HS, {("f", "forward", torch.float16): CURVE}, "draws the precisions torch.float32 or torch.float64"),
        (HS, {("f", "forward"): CURVE}, "each key of errors must be (function name, difference kind, dtype)"),
        (HS, {("f", "forward", torch.float64): CURVE[:3]}, "must be a tensor of one error per step, shape (4,)"),
        (HS, {("f", "forward", torch.float64): [4.0, 1.0, 2.0, 3.0]}, "must be a tensor of one error per step"),
        ([0.1, 0.01], {("f", "forward", torch.float64): CURVE}, "hs must be a 1-D tensor"),
    ],
)
def test_bad_input_is_one_sentence_naming_what_is_accepted(hs, errors, sentence):
    figures = plt.get_fignums()
    with pytest.raises(CourseError) as err:
        plot_error_vs_step(hs, errors)
    assert sentence in str(err.value) and "\n" not in str(err.value), str(err.value)
    assert plt.get_fignums() == figures  # no half-drawn figure is left behind


# --- the loss map (lesson 05) ------------------------------------------------------------------------------

X = torch.tensor([-1.0, 0.0, 1.0])
Y = torch.tensor([1.0, 2.0, 3.0])  # exactly y = x + 2: the minimum is at w = 1, b = 2


def test_map_is_square_on_equal_axes_centred_where_asked_with_the_minimum_starred():
    fig, ax = plt.subplots()
    draw_loss_map(ax, X, Y, center=(1.0, 2.0), radius=3.0, start=(0.0, 0.0), title="t")
    assert ax.get_xlim() == (-2.0, 4.0) and ax.get_ylim() == (-1.0, 5.0)
    assert ax.get_aspect() == 1.0 and ax.get_title() == "t"
    markers = {line.get_marker(): (line.get_xdata()[0], line.get_ydata()[0]) for line in ax.get_lines()}
    assert markers == {"*": (1.0, 2.0), "o": (0.0, 0.0)}
    plt.close(fig)


def test_contours_of_a_centred_input_are_round():
    # x has mean 0 and mean square 2/3, so the loss is (2/3)(w-1)^2 + (b-2)^2: ellipses, not a valley.
    fig, ax = plt.subplots()
    draw_loss_map(ax, X, Y, center=(1.0, 2.0), radius=3.0)
    [contours] = [c for c in ax.get_children() if hasattr(c, "levels")]
    assert len(contours.levels) == 6 and contours.levels[0] == pytest.approx(0.25)
    plt.close(fig)


@pytest.mark.parametrize(
    "x, y, center, radius, fragment",
    [
        (X, Y[:2], (1, 2), 1.0, "same length"),
        ([1.0], [2.0], (1, 2), 1.0, "1-D tensors"),
        (X, Y, 3.0, 1.0, "center must be two numbers"),
        (X, Y, (1, 2), 0, "radius must be a number above 0"),
        (X, Y, (1, 2), "big", "radius must be a number above 0"),
    ],
)
def test_bad_input_is_one_sentence(x, y, center, radius, fragment):
    fig, ax = plt.subplots()
    with pytest.raises(CourseError, match=fragment):
        draw_loss_map(ax, x, y, center=center, radius=radius)
    plt.close(fig)
