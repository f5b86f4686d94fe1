"""The first cell of every lesson: `from helpers import course; course.setup()`."""
from __future__ import annotations

from helpers.errors import use_short_errors
from helpers.style import course_style


def setup(presenter: bool | None = None) -> None:
    """Apply the course's plot style and plain one-line errors.

    `presenter=True` enlarges fonts, figures and widgets for a projector; by default it follows the
    DESCENT_PRESENTER environment variable (`./course present` sets it).
    """
    use_short_errors()  # first, so that a bad `presenter` (refused by course_style) already shows as one line
    course_style(presenter)
