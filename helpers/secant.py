"""Lesson 1's secant explorer: sliders for w and h over a loss curve; the secants close in on the tangent.

    explorer = SecantExplorer(loss_of_w, {"forward": forward_difference, "central": central_difference},
                              exact_slope=lambda w: dloss_dw(w, 0.0))
    explorer.show()

The notebook passes its own loss and its own difference functions: this module only draws them.
A slider change redraws only what moves (helpers.live_plot.BlitFigure): the curve and the axes are fixed.
"""
from __future__ import annotations

import html
import math
from numbers import Real
from typing import Any, Callable

import ipywidgets as widgets

from helpers.errors import CourseError, in_one_line, positive_number
from helpers.live_plot import BlitFigure
from helpers.style import sizing
from helpers.widget_display import show_with_picture

Curve = Callable[[float], Any]
Difference = Callable[[Curve, float, float], Any]

COLORS = ("tab:orange", "tab:green", "tab:purple", "tab:red")


def _number(value: Any, what: str, fix: str) -> float:
    """`value` (a number or a one-element tensor) as a float, or one plain sentence saying what to change."""
    try:
        if isinstance(value, str):
            raise TypeError(value)
        return float(value.detach() if hasattr(value, "detach") else value)
    except (TypeError, ValueError, RuntimeError):
        shape = getattr(value, "shape", None)
        got = f"a tensor of shape {tuple(shape)}" if shape is not None else repr(value)
        raise CourseError(f"{what} must give one number, but it gave {got}; {fix}.") from None


def _callable(value: Any, name: str, example: str) -> None:
    if not callable(value):
        raise CourseError(f"{name} must be a function (its name, without parentheses), but got {value!r}; try {example}.")


def _real(value: Any, name: str, example: str) -> float:
    """`value` as a float if it is a finite number (not a string, not True/False); otherwise one sentence."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise CourseError(f"{name} must be a finite number, but got {value!r}; write it without quotes, e.g. {example}.")
    return float(value)


def _pair(value: Any, name: str, example: str) -> tuple[Any, Any]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise CourseError(f"{name} must be two numbers (smallest, largest), e.g. {name}={example}, but got {value!r}.")
    return value[0], value[1]


def _learner_call(fn: Callable[..., Any], args: tuple[Any, ...], call_text: str, fix: str) -> Any:
    """Call a function the learner passed in; whatever it raises becomes one sentence ending in `fix`."""
    try:
        return fn(*args)
    except CourseError:
        raise
    except Exception as err:  # the learner's code: one sentence, not a traceback through the widget
        raise CourseError(f"{call_text} raised {in_one_line(err)}; {fix}.") from None


_F_FIX = "the explorer calls f with one number w: pass a function of w alone, e.g. f=loss_of_w"
_SLOPE_FIX = (
    "the explorer calls exact_slope with one number w: pass a function of w alone, "
    "e.g. exact_slope=lambda w: dloss_dw(w, 0.0)"
)


class SecantExplorer:
    """Two sliders (w, and h on a log scale) over the curve `f`; each difference's secant, the tangent, the numbers.

    `f(w)` is the loss as a function of one number; `differences` maps a label to a function
    `difference(f, w, h)` that estimates the slope; `exact_slope(w)` is the slope worked out by hand.
    Each secant is drawn through the points where the difference function evaluated `f`.
    """

    def __init__(
        self,
        f: Curve,
        differences: dict[str, Difference],
        exact_slope: Callable[[float], Any],
        w: float = 1.0,
        h: float = 0.5,
        w_range: tuple[float, float] = (-0.5, 1.5),
        h_range: tuple[float, float] = (1e-10, 1.0),
    ) -> None:
        _callable(f, "f", "f=loss_of_w")
        _callable(exact_slope, "exact_slope", "exact_slope=lambda w: dloss_dw(w, 0.0)")
        if not isinstance(differences, dict) or not differences:
            raise CourseError(
                "differences must be a dict of label -> difference function, "
                'e.g. {"forward": forward_difference, "central": central_difference}.'
            )
        for label, difference in differences.items():
            _callable(difference, f"differences[{label!r}]", "forward_difference")
        w = _real(w, "w", "w=1.0")
        w_lo, w_hi = (_real(v, "each end of w_range", "w_range=(-0.5, 1.5)") for v in _pair(w_range, "w_range", "(-0.5, 1.5)"))
        h_lo, h_hi = _pair(h_range, "h_range", "(1e-10, 1.0)")
        h_lo = positive_number(h_lo, "the smallest h", "1e-10")
        h_hi = positive_number(h_hi, "the largest h", "1.0")
        if not (w_lo < w_hi and h_lo < h_hi):
            raise CourseError(f"each range must go from small to large, but got w_range={w_range} and h_range={h_range}.")
        h = positive_number(h, "h", "0.5")
        if not (w_lo <= w <= w_hi and h_lo <= h <= h_hi):
            raise CourseError(f"w must lie in {w_range} and h in {h_range}, but got w={w} and h={h}.")
        self.f, self.differences, self.exact_slope = f, dict(differences), exact_slope
        self.sizes = sizing()  # presenter mode or not, read once: the widget keeps its size
        self._table, self._reverting = "", False

        self.w_slider = widgets.FloatSlider(
            value=w, min=w_lo, max=w_hi, step=0.01, description="w", readout_format=".2f",
            layout=widgets.Layout(width=f"{self.sizes.px(330)}px"),
        )
        # Lay the slider's grid of exponents (step 0.1) through h itself: the browser snaps the value to that grid,
        # and the live readout must agree with the stored picture.
        h_min = math.log10(h) - math.floor(round((math.log10(h) - math.log10(h_lo)) / 0.1, 6)) * 0.1
        h_max = h_min + math.floor(round((math.log10(h_hi) - h_min) / 0.1, 6)) * 0.1
        self.h_slider = widgets.FloatLogSlider(
            value=h, base=10, min=h_min, max=h_max, step=0.1, description="step h",
            readout_format=".1e", layout=widgets.Layout(width=f"{self.sizes.px(330)}px"),
        )
        self.estimate = widgets.HTML()
        self.image = widgets.Image(format="png")
        self.w_slider.add_class("descent-w")
        self.h_slider.add_class("descent-h")
        self.estimate.add_class("descent-estimate")
        self.image.add_class("descent-secant-plot")

        self._figure(w_lo - h_hi, w_hi + h_hi)
        self.redraw()
        self.w_slider.observe(self._on_change, names="value")
        self.h_slider.observe(self._on_change, names="value")
        # Presenter mode: a row that does not fit the window wraps (the table goes below the plot), never off the edge.
        rows = {"flex_flow": "row wrap"} if self.sizes.presenter else {}
        self.widget = widgets.VBox(
            [widgets.HBox([self.w_slider, self.h_slider], layout=rows),
             widgets.HBox([self.image, self.estimate], layout=rows)]
        )

    def _figure(self, x_lo: float, x_hi: float) -> None:
        """Draw what never changes (the curve, the fixed axes) and create the artists that redraw() moves."""
        # Sized for presenter mode here, like the sliders: 720 px wide there, so the table fits beside it at 1280 px.
        width, height = (720, 460) if self.sizes.presenter else (520, 330)
        self.plot = BlitFigure(width, height, zoom=1)
        self.fig = self.plot.fig
        ax = self.ax = self.fig.add_subplot()
        xs = [x_lo + (x_hi - x_lo) * i / 300 for i in range(301)]
        ys = [self._loss(x) for x in xs]
        bad = next((x for x, y in zip(xs, ys) if not math.isfinite(y)), None)
        if bad is not None:
            raise CourseError(
                f"f({bad:.3g}) gave {self._loss(bad)}, but the explorer draws f for every w in w_range, widened by "
                f"the largest h: make f finite there, or narrow w_range or h_range."
            )
        ax.plot(xs, ys, color="tab:blue", lw=2, label="loss")
        ax.set_xlim(x_lo, x_hi)
        y_lo, y_hi = min(ys), max(ys)
        ax.set_ylim(y_lo - 0.05 * (y_hi - y_lo), y_hi + 0.05 * (y_hi - y_lo))
        ax.set_xlabel("w")
        ax.set_ylabel("loss")
        (self.tangent,) = ax.plot([], [], "k--", lw=1.5, label="tangent (by hand)")
        self.secants, self.dots = {}, {}
        for i, label in enumerate(self.differences):
            color = COLORS[i % len(COLORS)]
            (self.secants[label],) = ax.plot([], [], color=color, lw=1.5, label=f"{label} secant")
            # Later labels get smaller dots, so dots at a shared point stay visible inside each other.
            (self.dots[label],) = ax.plot([], [], "o", color=color, ms=max(10 - 3 * i, 4))
        (self.point,) = ax.plot([], [], "ko", ms=5)
        legend = ax.legend(loc="upper center", fontsize="small")
        self.fig.subplots_adjust(left=0.15, right=0.97, top=0.9, bottom=0.14)
        # The lines move; they are drawn over the cached curve and grid, then what a full drawing puts on top of
        # them: the axis lines, the title and the legend (fixed: its pixels are copied back from the cache).
        moving = [self.tangent]
        for label in self.differences:
            moving += [self.secants[label], self.dots[label]]
        self.plot.animate(*moving, self.point, *ax.spines.values(), ax.title)
        self.plot.keep_on_top(legend)

    def _loss(self, x: float) -> float:
        """The learner's f at x, as a float; anything wrong is one sentence."""
        value = _learner_call(self.f, (x,), f"f({x:.4g})", _F_FIX)
        return _number(value, "f(w)", "return the loss as one number, e.g. loss_fn(model(t_u, w, 0.0), t_c)")

    def _slope(self, w: float) -> float:
        """The learner's exact_slope at w, as a float; anything wrong is one sentence."""
        value = _learner_call(self.exact_slope, (w,), f"exact_slope({w:.4g})", _SLOPE_FIX)
        return _number(value, "exact_slope(w)", "return the slope worked out by hand")

    def _estimate(self, label: str, w: float, h: float) -> tuple[float, list[float]]:
        """Run one difference function, recording where it evaluated f."""
        seen: list[float] = []

        def recorded(x: Any) -> Any:
            seen.append(_number(x, f"the point your {label} difference passed to f", "pass one number, e.g. x + h"))
            return _learner_call(self.f, (x,), f"f({seen[-1]:.4g})", _F_FIX)

        value = _learner_call(
            self.differences[label], (recorded, w, h), f"your {label} difference, called as difference(f, w, h),",
            "fix it and run this cell again",
        )
        slope = _number(value, f"your {label} difference", "return the slope estimate, e.g. (f(x + h) - f(x)) / h")
        if not seen:
            raise CourseError(
                f"your {label} difference never called f: it must estimate the slope from values of f, "
                f"e.g. (f(x + h) - f(x)) / h."
            )
        return slope, seen

    def _compute(self, w: float, h: float) -> tuple[float, float, list[tuple[str, float, list[float], list[float]]]]:
        """Everything a frame shows at (w, h), computed before anything is drawn: a failure changes nothing."""
        loss, exact = self._loss(w), self._slope(w)
        found = []
        for label in self.differences:
            slope, seen = self._estimate(label, w, h)
            found.append((label, slope, seen, [self._loss(x) for x in seen]))
        return loss, exact, found

    def numbers(self) -> dict[str, float]:
        """The current estimates and the exact slope, by label (plus "exact")."""
        _, exact, found = self._compute(self.w_slider.value, self.h_slider.value)
        return {**{label: slope for label, slope, _, _ in found}, "exact": exact}

    def _on_change(self, change: Any) -> None:
        """A slider moved: redraw; if the learner's code fails there, say so in the readout and move the slider
        back to the value that is drawn, so the sliders, the table and the picture keep agreeing."""
        if self._reverting:
            return
        try:
            self.redraw()
        except CourseError as err:
            self._reverting = True
            try:
                change["owner"].value = change["old"]
            finally:
                self._reverting = False
            self.estimate.value = (
                f"{self._table}<p class='descent-error' style='color:#b00;max-width:32em'>"
                f"{html.escape(str(err))}</p>"
            )

    def redraw(self, change: Any = None) -> None:
        """Move the secants, the tangent and the dots to the sliders' w and h; update the numbers and the picture."""
        w, h = self.w_slider.value, self.h_slider.value
        loss, exact, found = self._compute(w, h)
        x_lo, x_hi = self.ax.get_xlim()
        self.point.set_data([w], [loss])
        self.tangent.set_data([x_lo, x_hi], [loss + exact * (x_lo - w), loss + exact * (x_hi - w)])
        rows = []
        for label, slope, seen, ys in found:
            mx, my = sum(seen) / len(seen), sum(ys) / len(ys)
            self.secants[label].set_data([x_lo, x_hi], [my + slope * (x_lo - mx), my + slope * (x_hi - mx)])
            self.dots[label].set_data(seen, ys)
            rows.append(
                f"<tr><td>{html.escape(str(label))}</td><td style='text-align:right'>{slope:.4f}</td>"
                f"<td style='text-align:right'>{abs(slope - exact):.2e}</td></tr>"
            )
        self.ax.title.set_text(f"w = {w:.2f}, h = {h:.1e}")
        self._table = (
            f"<table style='font-family:monospace;font-size:{self.sizes.px(13)}px;border-spacing:{self.sizes.px(10)}px 2px'>"
            f"<tr><th style='text-align:left'>slope</th><th>estimate</th><th>error</th></tr>{''.join(rows)}"
            f"<tr><td>by hand</td><td style='text-align:right'>{exact:.4f}</td><td></td></tr></table>"
        )
        self.estimate.value = self._table
        self.png = self.plot.frame()
        self.image.value = self.png

    def caption(self) -> str:
        """One line of text describing the default view (what a notebook without a kernel shows)."""
        found = self.numbers()
        parts = ", ".join(f"{label} {value:.2f}" for label, value in found.items() if label != "exact")
        return (
            f"Secant explorer at w = {self.w_slider.value:.2f}, h = {self.h_slider.value:.1e}: {parts}, "
            f"by hand {found['exact']:.2f}. Run the notebook to move the sliders."
        )

    def show(self) -> None:
        """Display the live widget, with a picture of its current state for readers without a kernel."""
        show_with_picture(self.widget, self.png, self.caption())
