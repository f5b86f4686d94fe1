"""Static pictures of simple widgets, for helpers.widget_display.show_with_picture.

A notebook read without a kernel (GitHub, nbviewer, a fresh download) shows this picture where the
live widget would be, so it should look like the widget in its default state.
"""
from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure


def log_slider_picture(slider: widgets.FloatLogSlider, readout: str) -> Figure:
    """A drawing of a log-scale slider at its current value, with the text shown beside it."""
    low, high = slider.base**slider.min, slider.base**slider.max
    fig = Figure(figsize=(6.4, 1.3))
    ax = fig.add_axes((0.2, 0.55, 0.72, 0.2))
    ax.set_xscale("log", base=slider.base)
    ax.set_xlim(low, high)
    ax.set_ylim(-1, 1)
    ax.plot([low, high], [0, 0], color="0.75", linewidth=5, solid_capstyle="round")
    ax.plot([low, slider.value], [0, 0], color="tab:blue", linewidth=5, solid_capstyle="round")
    ax.plot([slider.value], [0], "o", color="white", markeredgecolor="tab:blue", markersize=13, markeredgewidth=2)
    ax.set_yticks([])
    ax.grid(False)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="x", labelsize=8)
    fig.text(0.19, 0.65, slider.description, ha="right", va="center", fontsize=10)
    fig.text(0.2, 0.08, readout, ha="left", va="bottom", fontsize=10)
    fig.text(0.99, 0.97, "a picture: run the cell for the live slider", ha="right", va="top", fontsize=8,
             color="0.45", style="italic")
    return fig
