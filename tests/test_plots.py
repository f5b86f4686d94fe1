"""The error-against-step figure shows every curve, marks each best step and √ε; bad input is one sentence."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import torch

from helpers.errors import CourseError
from helpers.plots import plot_error_vs_step

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
