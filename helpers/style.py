"""One look for every figure and widget, and a presenter mode for projectors.

    from helpers.style import course_style
    course_style()                 # the default look; presenter mode if DESCENT_PRESENTER=1 is set
    course_style(presenter=True)   # bigger fonts, figures and widgets for the back row
"""
from __future__ import annotations

import os

import matplotlib as mpl

_PRESENTER = False
_BASE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "font.size": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
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


def presenter_mode() -> bool:
    """True while presenter mode is on: widget helpers use it to size their plots and controls."""
    return _PRESENTER


def scale(pixels: int) -> int:
    """A size in pixels, enlarged by half in presenter mode."""
    return int(pixels * 1.5) if _PRESENTER else pixels


def course_style(presenter: bool | None = None) -> None:
    """Apply the course's plot style; `presenter=None` follows the DESCENT_PRESENTER environment variable."""
    global _PRESENTER
    if presenter is None:
        presenter = os.environ.get("DESCENT_PRESENTER", "") not in ("", "0")
    _PRESENTER = bool(presenter)
    mpl.rcParams.update(_BASE)
    if _PRESENTER:
        mpl.rcParams.update(_PRESENTER_CHANGES)
        from IPython.display import HTML, display

        display(HTML(_PRESENTER_CSS))
