"""The error-against-step figure shows every curve, marks each best step, and the precision limits."""
from __future__ import annotations

import matplotlib.pyplot as plt
import torch

from helpers.plots import plot_error_vs_step


def test_error_plot_has_one_panel_per_function_and_a_marked_best_step_per_curve():
    hs = 10.0 ** -torch.arange(1.0, 5.0, 1.0, dtype=torch.float64)
    errors = {
        (fname, kind, dtype): torch.tensor([4.0, 1.0, 2.0, 3.0], dtype=torch.float64)
        for fname in ("f", "g")
        for kind in ("forward", "central")
        for dtype in (torch.float32, torch.float64)
    }
    fig = plot_error_vs_step(hs, errors)
    assert [ax.get_title() for ax in fig.axes] == ["f", "g"]
    for ax in fig.axes:
        curves = [line for line in ax.get_lines() if len(line.get_xdata()) == 4]
        dots = [line for line in ax.get_lines() if line.get_marker() == "o"]
        assert len(curves) == 4 and len(dots) == 4
        assert all(float(dot.get_xdata()[0]) == 1e-2 for dot in dots)  # the smallest error, at h = 1e-2
        assert {t.get_text() for t in ax.texts} == {"√ε32", "∛ε32", "√ε64", "∛ε64"}
    assert fig.axes[-1].get_legend() is not None
    plt.close(fig)
