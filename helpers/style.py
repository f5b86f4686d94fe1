"""One look for every figure and widget, and a presenter mode for projectors.

    from helpers.style import course_style, sizing
    course_style()                 # the default look; presenter mode if DESCENT_PRESENTER=1 is set
    course_style(presenter=True)   # bigger fonts, figures and widgets for the back row
    sizes = sizing()               # what a widget reads ONCE when it is built: sizes.px(440), sizes.zoom

Widgets take `presenter=None` (follow course_style's choice) or True/False, and size themselves from the
Sizing they get then; nothing reads the choice again later.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl

from helpers.errors import CourseError

_chosen = {"presenter": False}  # what course_style() chose last; read by sizing() when a widget is built
_BASE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "font.size": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.5,  # matplotlib's default, restored when presenter mode is turned off
}
_PRESENTER_CHANGES = {"figure.figsize": (8.0, 5.0), "figure.dpi": 130, "font.size": 15, "lines.linewidth": 2.5}
# Enlarges every ipywidget (sliders, buttons, readouts) through the widgets' own size variables, which do not
# compound in nested boxes the way a relative font-size does.
_PRESENTER_CSS = """<style>
.jp-OutputArea {
  --jp-widgets-font-size: 20px;
  --jp-widgets-inline-height: 42px;
  --jp-widgets-inline-label-width: 120px;
  --jp-widgets-inline-width-tiny: 84px;
  --jp-widgets-inline-width-short: 130px;
}
.jp-OutputArea .widget-html-content { font-size: 20px; }
/* A slider without a width of its own: a longer track. A width set by its layout still wins (an inline style), and
   the track shrinks to fit it (a min-width on the track pushed the readout over the next widget). */
.jp-OutputArea .widget-hslider { width: 680px; }
.jp-OutputArea .jp-RenderedText pre, .jp-OutputArea .widget-output pre { font-size: 140%; }
</style>"""


@dataclass(frozen=True)
class Sizing:
    """The screen sizes of one widget: in presenter mode, controls and plots are half as big again."""

    presenter: bool = False

    @property
    def zoom(self) -> float:
        """How much larger than the default a plot is drawn (1.5 in presenter mode)."""
        return 1.5 if self.presenter else 1.0

    def px(self, pixels: int) -> int:
        """A size in screen pixels: `pixels`, enlarged by half in presenter mode."""
        return int(pixels * self.zoom)


def _presenter_flag(presenter: Any, where: str) -> bool | None:
    if presenter is None or isinstance(presenter, bool):
        return presenter
    raise CourseError(f"{where} takes presenter=True, presenter=False or nothing, but got presenter={presenter!r}.")


def sizing(presenter: bool | None = None) -> Sizing:
    """The sizes for a widget built now: `presenter` if given, else the mode course_style() chose."""
    flag = _presenter_flag(presenter, "this widget")
    return Sizing(_chosen["presenter"] if flag is None else flag)


def course_style(presenter: bool | None = None) -> None:
    """Apply the course's plot style; `presenter=None` follows the DESCENT_PRESENTER environment variable."""
    flag = _presenter_flag(presenter, "course.setup()")
    if flag is None:
        flag = os.environ.get("DESCENT_PRESENTER", "") not in ("", "0")
    _chosen["presenter"] = flag
    mpl.rcParams.update(_BASE)
    if flag:
        mpl.rcParams.update(_PRESENTER_CHANGES)
        from IPython.display import HTML, display

        display(HTML(_PRESENTER_CSS))
