"""The live plots: each frame is a real PNG, only the lines are redrawn, and bad input is one sentence."""
from __future__ import annotations

import io
import math

import numpy as np
import pytest
from PIL import Image

from helpers import style
from helpers.style import Sizing
from helpers.errors import CourseError
from helpers.live_plot import BlitFigure, LossPlot, TrajectoryPlot, _nice_ceiling, thin
from helpers.widget_display import encode_png


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def one_sentence(err: pytest.ExceptionInfo) -> str:
    text = str(err.value)
    assert "\n" not in text and text.endswith(".") and len(text) < 300, text
    return text


def falling(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    epochs = np.arange(1, n + 1, dtype=float)
    train = 3 + 100 * np.exp(-epochs / 50)
    return epochs, train, train * 1.2


def small_map() -> TrajectoryPlot:
    w_grid, b_grid = np.linspace(0, 6, 21), np.linspace(-20, 2, 21)
    loss = (w_grid[None, :] - 5) ** 2 + (b_grid[:, None] + 17) ** 2 / 10 + 3
    return TrajectoryPlot(w_grid, b_grid, loss, start=(1.0, 0.0), minimum=(5.0, -17.0), title="map")


def test_a_frame_is_a_png_of_the_requested_size():
    plot = LossPlot(420, 300)
    picture = Image.open(io.BytesIO(plot.update(*falling(10))))
    assert picture.format == "PNG" and picture.size == (420, 300)


def test_later_frames_with_the_same_limits_redraw_only_the_lines():
    plot = LossPlot()
    epochs, train, val = falling(100)
    plot.update(epochs[:60], train[:60], val[:60], x_max=100, mid_run=True)
    plot.update(epochs[:80], train[:80], val[:80], x_max=100, mid_run=True)
    plot.update(epochs, train, val, x_max=100, mid_run=True)
    assert plot.frames == 3 and plot.full_redraws == 1


def test_a_blitted_frame_looks_exactly_like_a_fresh_full_drawing():
    epochs, train, val = falling(100)
    blitted = LossPlot()
    blitted.update(epochs[:50], train[:50], val[:50], x_max=100)
    blitted_png = blitted.update(epochs, train, val, x_max=100)
    fresh_png = LossPlot().update(epochs, train, val, x_max=100)
    assert np.array_equal(pixels(blitted_png), pixels(fresh_png))


def test_limits_grow_when_a_curve_leaves_them_and_old_limits_come_back_from_the_cache():
    plot = LossPlot()
    plot.update([1, 2], [1e5, 1e3], [1e5, 1e3], mid_run=True)
    first_limits = plot.y_lim
    assert first_limits[0] <= 1e3 and 1e5 <= first_limits[1] and plot.full_redraws == 1
    plot.update([1, 2, 3], [1e5, 1e3, 1e20], [1e5, 1e3, 1e20], mid_run=True)
    assert plot.y_lim[1] >= 1e20 and plot.full_redraws == 2
    plot.update([1, 2], [1e5, 1e3], [1e5, 1e3], mid_run=True)
    assert plot.y_lim == first_limits and plot.full_redraws == 2  # cached background, no redraw


def test_live_frames_keep_limits_that_fit_and_a_final_picture_depends_on_the_data_only():
    plot = LossPlot()
    plot.update([1, 2], [500.0, 400.0], [500.0, 400.0], mid_run=True)
    sticky = plot.y_lim
    plot.update([1, 2, 3], [500.0, 400.0, 30.0], [500.0, 400.0, 30.0], mid_run=True)
    assert plot.y_lim == sticky  # still fits: no full redraw in the middle of a run
    final = plot.update([1, 2, 3], [500.0, 400.0, 30.0], [500.0, 400.0, 30.0])
    assert final == LossPlot().update([1, 2, 3], [500.0, 400.0, 30.0], [500.0, 400.0, 30.0])


def test_diverging_curves_share_one_top_limit():
    plot = LossPlot()
    tops = set()
    for blow_up in (1e15, 1e25, 1e37):
        plot.update([1, 2, 3], [1e3, 1e6, blow_up], [2e3, 2e6, blow_up])
        tops.add(plot.y_lim[1])
    assert tops == {1e40}


def test_infinite_and_nan_losses_are_left_out_and_the_message_is_drawn():
    plot = LossPlot()
    quiet = plot.update([1, 2, 3], [1e3, 1e20, math.inf], [1e3, math.nan, math.inf])
    assert math.isfinite(plot.y_lim[1])
    told = plot.update([1, 2, 3], [1e3, 1e20, math.inf], [1e3, math.nan, math.inf],
                       message="diverged at epoch 3", alert=True)
    assert plot.message.get_text() == "diverged at epoch 3" and plot.message.get_visible()
    assert not np.array_equal(pixels(quiet), pixels(told))


def test_no_data_yet_is_an_empty_plot_with_a_message_not_an_error():
    plot = LossPlot()
    png = plot.update([], [], [], message="press Run or Step to train")
    assert Image.open(io.BytesIO(png)).size == (420, 300)
    assert plot.message.get_visible()


def test_the_epoch_axis_grows_in_round_steps_and_follows_a_given_end():
    assert [_nice_ceiling(n) for n in (1, 10, 11, 20, 21, 51, 999)] == [10, 10, 20, 20, 50, 100, 1000]
    plot = LossPlot()
    plot.update([1, 2, 3], [3.0, 2.0, 1.0], [3.0, 2.0, 1.0], x_max=750)
    assert plot.x_max == 750
    plot.update(np.arange(1, 31), np.ones(30), np.ones(30))
    assert plot.x_max == 50


@pytest.mark.parametrize("train, val", [([1.0, 2.0], [1.0]), ([1.0], [1.0, 2.0])])
def test_series_of_different_lengths_are_one_sentence(train, val):
    with pytest.raises(CourseError) as err:
        LossPlot().update([1, 2], train, val)
    assert "same length" in one_sentence(err)


def test_non_numbers_are_one_sentence():
    with pytest.raises(CourseError) as err:
        LossPlot().update([1], ["a lot"], [1.0])
    assert "numbers" in one_sentence(err)


def test_the_trajectory_draws_a_path_and_says_when_it_leaves_the_map():
    plot = small_map()
    plot.update([1.0, 2.0, 3.0], [0.0, -5.0, -10.0])
    assert not plot.note.get_visible() and plot.full_redraws == 1
    plot.update([1.0, 2.0, 3e9], [0.0, -5.0, -1e8])
    assert plot.note.get_visible() and "off the map" in plot.note.get_text()
    plot.update([1.0, math.inf], [0.0, math.nan], message="diverged at epoch 2")
    assert plot.message.get_text() == "diverged at epoch 2" and not plot.note.get_visible()
    assert plot.full_redraws == 1  # the map is drawn once


def test_a_loss_grid_of_the_wrong_shape_is_one_sentence():
    with pytest.raises(CourseError) as err:
        TrajectoryPlot(np.linspace(0, 1, 5), np.linspace(0, 1, 4), np.ones((5, 5)), (0, 0), (1, 1), "map")
    assert "shape" in one_sentence(err)


def test_w_and_b_of_different_lengths_are_one_sentence():
    with pytest.raises(CourseError) as err:
        small_map().update([1.0, 2.0], [0.0])
    one_sentence(err)


def test_zoom_makes_the_same_plot_larger():
    big = Image.open(io.BytesIO(LossPlot(420, 300, zoom=Sizing(presenter=True).zoom).update(*falling(5))))
    assert big.size == (630, 450)


def test_the_default_zoom_keeps_the_requested_size_whatever_the_presenter_mode():
    style.course_style(presenter=True)  # read by widgets when they are built, never by a plot
    plot = BlitFigure(520, 330)
    style.course_style(presenter=False)
    plot.fig.add_subplot()
    assert Image.open(io.BytesIO(plot.frame())).size == (520, 330)


def test_sizing_reads_the_presenter_choice_once_or_takes_it_explicitly():
    assert style.sizing(True).px(440) == 660 and style.sizing(False).px(440) == 440
    style.course_style(presenter=True)
    chosen = style.sizing()
    style.course_style(presenter=False)
    assert chosen.presenter and not style.sizing().presenter


def test_a_step_line_is_drawn_with_its_own_legend_entry():
    plot = LossPlot(420, 300)
    plot.update([0, 1, 2], [math.nan, 9.0, 4.0], [math.nan, 10.0, 5.0], steps=([0.5, 1.0, 1.5, 2.0], [12, 6, 5, 3]))
    assert plot.with_steps and len(plot.step_line.get_xdata()) == 4
    assert [t.get_text() for t in plot.ax.get_legend().get_texts()] == ["train, each step", "train", "validation"]
    plot.update([0, 1], [math.nan, 9.0], [math.nan, 10.0])
    assert not plot.with_steps and [t.get_text() for t in plot.ax.get_legend().get_texts()] == ["train", "validation"]


def test_an_artist_kept_on_top_stays_above_the_moving_line_and_is_not_redrawn():
    plot = BlitFigure(300, 200)
    ax = plot.fig.add_subplot()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.plot([], [], color="black", label="a fixed legend, on top")
    legend = ax.legend(loc="center", framealpha=1)
    (line,) = ax.plot([0.05, 0.95], [0.5, 0.5], color="tab:red", lw=3)  # right through the legend
    plot.animate(line)
    plot.keep_on_top(legend)
    plot.frame()
    line.set_ydata([0.45, 0.55])  # inside the axes, off the axis lines (drawn over it)
    frame = pixels(plot.frame())
    line.set_animated(False)
    plot.canvas.draw()  # a full drawing: the legend (zorder 5) over the line (zorder 2)
    full = pixels(encode_png(plot.canvas))
    differ = np.argwhere((frame != full).any(axis=2))
    left, top, right, bottom = plot._pixels_of(legend)
    assert all(left <= x <= right and top <= y <= bottom for y, x in differ)  # at most the legend's edge pixels
    assert len(differ) < 0.05 * (right - left) * (bottom - top)
    assert (frame[top:bottom, :left] != full[0, 0]).any()  # the line is drawn up to the legend
    assert plot.full_redraws == 1


def test_thinning_keeps_one_point_per_pixel_and_both_ends():
    x, y = np.arange(10_000.0), np.full(10_000, 5.0)
    keep = thin(x, y, x_per_pixel=100.0, y_per_pixel=1.0)
    assert keep[0] == 0 and keep[-1] == 9_999 and len(keep) <= 102


def test_thinning_keeps_every_zigzag_and_every_break():
    x, y = np.arange(6.0), np.array([0.0, 10.0, 0.0, 10.0, np.nan, 10.0])
    assert thin(x, y, x_per_pixel=10.0, y_per_pixel=1.0).tolist() == [0, 1, 2, 3, 4, 5]


def test_a_long_settled_run_draws_few_points_and_reuses_the_map_picture():
    plot = small_map()
    w = np.concatenate([np.linspace(1, 5, 200), np.full(20_000, 5.0)])
    b = np.concatenate([np.linspace(0, -17, 200), np.full(20_000, -17.0)])
    first = plot.update(w[:10_000], b[:10_000], mid_run=True)
    assert len(plot.path.get_xdata()) < 300
    frames = plot.frames
    assert plot.update(w, b, mid_run=True) is first and plot.frames == frames  # nothing moved by a pixel
    plot.update(w, b)  # not live (a run's last picture): always drawn from the data, so it is reproducible
    assert plot.frames == frames + 1
