"""Fast live plots for widgets: draw the axes once, then only the lines, and encode the PNG quickly.

    plot = LossPlot()
    image = ipywidgets.Image(value=plot.update([1, 2], [9.0, 4.0], [10.0, 5.0]))
    image.value = plot.update([1, 2, 3], [9.0, 4.0, 2.0], [10.0, 5.0, 3.0])   # a few ms: only the lines

Each frame restores a cached picture of the static part (axes, grid, labels, contours) and draws the
moving artists on top of it ("blitting"); the whole figure is drawn again only when the axis limits must
change to limits not seen before (backgrounds are cached per limits). A frame costs a few milliseconds
instead of the 50-100 ms of a fresh figure.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from typing import Hashable, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, NullLocator

from helpers.errors import CourseError
from helpers.widget_display import encode_png

_FONT = {"font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "legend.fontsize": 8}
TRAIN_COLOR, VAL_COLOR, ALERT_COLOR, STEP_COLOR = "tab:blue", "tab:orange", "#c0392b", "#9ecae1"


class BlitFigure:
    """A figure whose static part is drawn once and cached; each frame redraws only the animated artists.

    Use it directly (draw on `fig`, `animate` the moving artists, call `frame`) or subclass it. Whoever
    changes the static part describes it with a hashable `static_key` (e.g. the axis limits): a frame
    reuses the cached background drawn for that key, so going back to earlier limits costs no redraw.
    """

    CACHE_SIZE = 12  # backgrounds kept (each is width x height x 4 bytes, about 0.5 MB)

    def __init__(self, width_px: int = 420, height_px: int = 300, zoom: float = 1.0) -> None:
        """`zoom`: the PNG is `zoom` times width_px x height_px, text and lines included (the same layout,
        larger: e.g. helpers.style.Sizing.zoom in presenter mode)."""
        with mpl.rc_context(_FONT):
            self.fig = Figure(figsize=(width_px / 100, height_px / 100), dpi=100 * zoom)
        self.canvas = FigureCanvasAgg(self.fig)
        self._animated: list[Artist] = []
        self._on_top: list[Artist] = []
        self._backgrounds: OrderedDict[Hashable, object] = OrderedDict()
        self.static_key: Hashable = None
        self.full_redraws = 0  # how often the whole figure was drawn (tests and the benchmark read these)
        self.frames = 0

    def animate(self, *artists: Artist) -> None:
        """Mark `artists` as the moving part: drawn every frame, left out of the cached background."""
        for artist in artists:
            artist.set_animated(True)
            self._animated.append(artist)

    def keep_on_top(self, *artists: Artist) -> None:
        """Keep fixed `artists` (a legend) above the moving ones: they stay in the cached background, and each
        frame copies their area back from it, far cheaper than drawing them again. A moving line is hidden
        under them (also under a see-through legend frame) and stops a pixel or two short of their edge."""
        self._on_top.extend(artists)

    def frame(self) -> bytes:
        """Render the current state to PNG, drawing the static part only if no background is cached for it."""
        background = self._backgrounds.get(self.static_key)
        if background is None:
            self.canvas.draw()  # everything except the animated artists
            background = self.canvas.copy_from_bbox(self.fig.bbox)
            self._backgrounds[self.static_key] = background
            if len(self._backgrounds) > self.CACHE_SIZE:
                self._backgrounds.popitem(last=False)
            self.full_redraws += 1
        else:
            self._backgrounds.move_to_end(self.static_key)
            self.canvas.restore_region(background)
        for artist in self._animated:
            if artist.get_visible():
                self.fig.draw_artist(artist)
        for artist in self._on_top:
            if artist.get_visible():
                self.canvas.restore_region(background, bbox=self._pixels_of(artist), xy=(0, 0))
        self.frames += 1
        return encode_png(self.canvas)

    def _pixels_of(self, artist: Artist) -> tuple[int, int, int, int]:
        """The canvas pixels `artist` covers, two more each side (its edge line, snapping, antialiasing):
        (left, top, right, bottom), all included, counted from the top left (as restore_region reads them)."""
        box = artist.get_window_extent(self.canvas.get_renderer())
        width, height = int(self.fig.bbox.width), int(self.fig.bbox.height)
        return (max(math.floor(box.x0) - 2, 0), max(math.floor(height - box.y1) - 2, 0),
                min(math.ceil(box.x1) + 1, width - 1), min(math.ceil(height - box.y0) + 1, height - 1))


def thin(x: np.ndarray, y: np.ndarray, x_per_pixel: float, y_per_pixel: float) -> np.ndarray:
    """Indices of the points worth drawing: a point on the same pixel as the point before it is left out.

    The line through the points kept is within a pixel of the full line, and a long run that has settled
    draws a few hundred points instead of thousands. NaN points (breaks in the line) are always kept.
    """
    if len(x) < 3:
        return np.arange(len(x))
    px, py = np.floor(x / x_per_pixel), np.floor(y / y_per_pixel)
    keep = np.ones(len(x), dtype=bool)
    keep[1:-1] = (px[1:-1] != px[:-2]) | (py[1:-1] != py[:-2])
    return np.flatnonzero(keep)


def _pixel_size(ax, x_span: float, y_span: float) -> tuple[float, float]:
    """How much of x and of y one pixel of the axes covers."""
    box = ax.get_window_extent()
    return x_span / max(box.width, 1.0), y_span / max(box.height, 1.0)


def _finite_positive(values: np.ndarray) -> np.ndarray:
    return values[np.isfinite(values) & (values > 0)]


def _nice_ceiling(n: float) -> int:
    """The smallest of 10, 20, 50, 100, 200, 500, ... that is at least `n`."""
    decade = 10
    while True:
        for step in (1, 2, 5):
            if step * decade >= n:
                return step * decade
        decade *= 10


def _as_series(values: Sequence[float] | np.ndarray, name: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise CourseError(f"{name} must be a list of numbers, but got {values!r}.") from None
    if array.ndim != 1:
        raise CourseError(f"{name} must be a flat list of numbers, but it has shape {array.shape}.")
    return array


class LossPlot(BlitFigure):
    """Train and validation loss per epoch on a log scale, the loss of every step (mini-batches) behind them,
    and a message on the plot when asked."""

    START_Y_LIM = (1.0, 1e4)  # before there is any loss to show

    def __init__(self, width_px: int = 420, height_px: int = 300, zoom: float = 1.0) -> None:
        super().__init__(width_px, height_px, zoom)
        with mpl.rc_context(_FONT):
            self.ax = ax = self.fig.add_subplot()
            ax.set_yscale("log")
            ax.set_xlabel("epoch")
            ax.set_ylabel("loss (mean squared error)")
            ax.set_title("Loss per epoch (log scale)", y=1.0, pad=6)  # fixed positions: no measuring per redraw
            ax.xaxis.set_label_coords(0.5, -0.11)
            ax.yaxis.set_label_coords(-0.15, 0.5)
            ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
            ax.yaxis.set_minor_locator(NullLocator())  # a grid line per power of ten is enough, and cheaper
            ax.tick_params(labelsize=8)
            (self.step_line,) = ax.plot([], [], color=STEP_COLOR, linewidth=0.8, label="train, each step")
            (self.train_line,) = ax.plot([], [], color=TRAIN_COLOR, linewidth=1.6, label="train")
            (self.val_line,) = ax.plot([], [], color=VAL_COLOR, linewidth=1.6, label="validation")
            self.message = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", fontsize=10,
                                   bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.9})
        self.fig.subplots_adjust(left=0.17, right=0.96, top=0.9, bottom=0.15)
        self.animate(self.step_line, self.train_line, self.val_line, self.message)
        self._legends = {}
        self.x_max = 10
        self.y_lim = self.START_Y_LIM
        self.with_steps = False
        self._set_limits(self.x_max, self.y_lim, self.with_steps)

    def _set_limits(self, x_max: int, y_lim: tuple[float, float], with_steps: bool) -> None:
        self.x_max, self.y_lim, self.with_steps = x_max, y_lim, with_steps
        self.ax.set_xlim(0, x_max)
        self.ax.set_ylim(*y_lim)
        if with_steps not in self._legends:  # the legend names the step line only when there is one
            lines = [self.step_line] * with_steps + [self.train_line, self.val_line]
            with mpl.rc_context(_FONT):
                self._legends[with_steps] = self.ax.legend(handles=lines, loc="upper right")
            self.ax.legend_ = None
        self.ax.legend_ = self._legends[with_steps]
        self.static_key = (x_max, y_lim, with_steps)

    def _y_limits_for(self, values: np.ndarray, spare: int | None) -> tuple[float, float]:
        """Whole decades around `values`. `spare` (frames mid-run, a preview): keep the current ones while they
        fit and are at most `spare` decades wider than the values; otherwise (and when `spare` is None) they
        depend on `values` only, so the same data gives the same picture.

        A curve above 1e12 is blowing up: its top is always 1e40 (past float32's largest number), so that
        diverging runs share one set of limits instead of rescaling at every frame.
        """
        if values.size == 0:
            return self.START_Y_LIM if spare is None else self.y_lim
        low, high = max(float(values.min()), 1e-30), float(values.max())
        lo_now, hi_now = self.y_lim
        fits = lo_now <= low and high <= hi_now
        if spare is not None and fits and math.log10(hi_now / lo_now) <= math.log10(high / low) + spare:
            return self.y_lim
        lo = 10.0 ** math.floor(math.log10(low) - 0.3)
        hi = 1e40 if high > 1e12 else 10.0 ** math.ceil(math.log10(high) + 0.3)
        return lo, hi

    def update(
        self,
        epochs: Sequence[float] | np.ndarray,
        train: Sequence[float] | np.ndarray,
        val: Sequence[float] | np.ndarray,
        x_max: int | None = None,
        message: str = "",
        alert: bool = False,
        mid_run: bool = False,
        steps: tuple[Sequence[float] | np.ndarray, Sequence[float] | np.ndarray] | None = None,
        keep_axis: bool = False,
    ) -> bytes:
        """Draw the curves (non-finite values are left out) and `message` on the plot; return the PNG.

        `x_max` fixes the right end of the epoch axis (e.g. where a run will stop); by default it grows
        in steps of 10, 20, 50, 100, ... as the curves reach it. `alert` shows the message in red.
        `mid_run` (a frame during a run): keep the loss axis while the curves fit it, to avoid full redraws.
        `keep_axis` (a new run's preview): keep the loss axis while the curves fit it, even with up to 8 decades
        to spare (previews at other learning rates then share one axis); a curve that does not fit, or an axis
        far too wide (a divergence's 1e40 top), gets limits from the curves alone in a full redraw.
        `steps` = (x, loss): the loss of each mini-batch step, x counted in epochs (a thin light line).
        """
        epochs, train, val = _as_series(epochs, "epochs"), _as_series(train, "train"), _as_series(val, "val")
        if not len(epochs) == len(train) == len(val):
            raise CourseError(
                f"epochs, train and val must have the same length, but have {len(epochs)}, {len(train)} and "
                f"{len(val)}; record one train and one validation loss per epoch."
            )
        step_x, step_loss = (np.empty(0), np.empty(0)) if steps is None else (
            _as_series(steps[0], "step positions"), _as_series(steps[1], "step losses"))
        if len(step_x) != len(step_loss):
            raise CourseError(f"steps must be (x, loss) of the same length, but have {len(step_x)} and {len(step_loss)}.")
        last_epoch = float(epochs[-1]) if len(epochs) else 0.0
        wanted_x = x_max if x_max is not None and x_max >= last_epoch else _nice_ceiling(max(last_epoch, 1))
        shown = np.concatenate([_finite_positive(train), _finite_positive(val), _finite_positive(step_loss)])
        wanted_y = self._y_limits_for(shown, spare=4 if mid_run else 8 if keep_axis else None)
        with_steps = len(step_x) > 0
        if (wanted_x, wanted_y, with_steps) != (self.x_max, self.y_lim, self.with_steps):
            self._set_limits(wanted_x, wanted_y, with_steps)
        floor = self.y_lim[0]
        x_pixel, y_pixel = _pixel_size(self.ax, self.x_max, math.log10(self.y_lim[1] / self.y_lim[0]))
        for line, x, values in ((self.train_line, epochs, train), (self.val_line, epochs, val),
                                (self.step_line, step_x, step_loss)):
            shown = np.where(np.isfinite(values), np.maximum(values, floor), np.nan)
            keep = thin(x, np.log10(shown), x_pixel, y_pixel)
            line.set_data(x[keep], shown[keep])
        self.message.set_text(message)
        self.message.set_color(ALERT_COLOR if alert else "0.35")
        self.message.set_visible(bool(message))
        return self.frame()


class TrajectoryPlot(BlitFigure):
    """The path of (w, b) on a contour map of the loss surface, with the start and the minimum marked."""

    def __init__(
        self,
        w_grid: np.ndarray,
        b_grid: np.ndarray,
        loss_grid: np.ndarray,
        start: tuple[float, float],
        minimum: tuple[float, float],
        title: str,
        width_px: int = 420,
        height_px: int = 300,
        zoom: float = 1.0,
    ) -> None:
        loss_grid = np.asarray(loss_grid, dtype=float)
        if loss_grid.shape != (len(b_grid), len(w_grid)):
            raise CourseError(
                f"loss_grid must have one row per b and one column per w, shape {(len(b_grid), len(w_grid))}, "
                f"but has shape {loss_grid.shape}."
            )
        super().__init__(width_px, height_px, zoom)
        self.static_key = "map"  # the map never changes
        self._looks: tuple | None = None
        self._png = b""
        self.view = (float(w_grid[0]), float(w_grid[-1]), float(b_grid[0]), float(b_grid[-1]))
        positive = _finite_positive(loss_grid.ravel())
        low, high = (positive.min(), positive.max()) if positive.size else (1e-3, 1.0)
        levels = np.geomspace(low * 1.02, high, 14)
        with mpl.rc_context(_FONT):
            self.ax = ax = self.fig.add_subplot()
            ax.contourf(w_grid, b_grid, np.clip(loss_grid, low, high), levels=levels, norm=LogNorm(),
                        cmap="Blues_r", alpha=0.85)
            ax.contour(w_grid, b_grid, np.clip(loss_grid, low, high), levels=levels, norm=LogNorm(),
                       colors="white", linewidths=0.5, alpha=0.7)
            (start_dot,) = ax.plot(*start, "o", markerfacecolor="none", markeredgecolor="black", markersize=7)
            (minimum_star,) = ax.plot(*minimum, "*", color="gold", markeredgecolor="black", markersize=12)
            ax.set_xlabel("w")
            ax.set_ylabel("b")
            ax.set_title(title, y=1.0, pad=6)
            ax.set_xlim(self.view[0], self.view[1])
            ax.set_ylim(self.view[2], self.view[3])
            ax.grid(False)
            ax.tick_params(labelsize=8)
            label = {"textcoords": "offset points", "ha": "center", "fontsize": 8,
                     "bbox": {"boxstyle": "round,pad=0.2", "facecolor": "white", "alpha": 0.8, "linewidth": 0}}
            ax.annotate("start", start, xytext=(0, -9), va="top", **label)
            ax.annotate("minimum", minimum, xytext=(0, 9), va="bottom", **label)
            (self.path,) = ax.plot([], [], "-", color=ALERT_COLOR, linewidth=1.4)
            (self.head,) = ax.plot([], [], "o", color=ALERT_COLOR, markersize=5)
            self.note = ax.text(0.02, 0.03, "", transform=ax.transAxes, ha="left", va="bottom", fontsize=8,
                                bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.9})
            self.message = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", fontsize=10,
                                   color=ALERT_COLOR,
                                   bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.9})
        self.fig.subplots_adjust(left=0.15, right=0.96, top=0.9, bottom=0.15)
        self.animate(self.path, self.head, start_dot, minimum_star, self.note, self.message)  # markers on top

    def update(
        self, w: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray, message: str = "",
        mid_run: bool = False,
    ) -> bytes:
        """Draw the path through the points (w[i], b[i]) and `message` (in red) on the plot; return the PNG.

        When the last point is off the map, a note says where it is (unless there is a message). `mid_run`
        (a frame during a run): if no point moved by a pixel since the last frame, return that frame again.
        """
        w, b = _as_series(w, "w"), _as_series(b, "b")
        if len(w) != len(b):
            raise CourseError(f"w and b must have the same length, but have {len(w)} and {len(b)}.")
        keep = np.isfinite(w) & np.isfinite(b)
        w, b = w[keep], b[keep]
        w_lo, w_hi, b_lo, b_hi = self.view
        # Points far off the map would draw long meaningless lines: break the path there instead.
        near = (np.abs(w - (w_lo + w_hi) / 2) <= 1.5 * (w_hi - w_lo)) & (
            np.abs(b - (b_lo + b_hi) / 2) <= 1.5 * (b_hi - b_lo)
        )
        w_shown = np.where(near, w, np.nan)
        w_pixel, b_pixel = _pixel_size(self.ax, w_hi - w_lo, b_hi - b_lo)
        keep = thin(w_shown, b, w_pixel, b_pixel)
        off_map = len(w) > 0 and not (w_lo <= w[-1] <= w_hi and b_lo <= b[-1] <= b_hi) and not message
        note = f"(w, b) is off the map: w {w[-1]:.3g}, b {b[-1]:.3g}" if off_map else ""
        # A settled run moves (w, b) by less than a pixel between frames: then the picture is the last one.
        head = (math.floor(w[-1] / w_pixel), math.floor(b[-1] / b_pixel)) if len(w) else None
        looks = (len(keep), head, note, message)
        if mid_run and looks == self._looks:
            return self._png
        self.path.set_data(w_shown[keep], b[keep])
        self.head.set_data(w[-1:], b[-1:])
        self.note.set_text(note)
        self.note.set_visible(off_map)
        self.message.set_text(message)
        self.message.set_visible(bool(message))
        self._looks, self._png = looks, self.frame()
        return self._png
