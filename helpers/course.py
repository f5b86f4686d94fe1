"""The first cell of every lesson: `from helpers import course; course.setup()`."""
from __future__ import annotations

from helpers.errors import CourseError, use_short_errors
from helpers.style import course_style


def setup(presenter: bool | None = None) -> None:
    """Apply the course's plot style and plain one-line errors.

    `presenter=True` enlarges fonts, figures and widgets for a projector; by default it follows the
    DESCENT_PRESENTER environment variable (`./course present` sets it).
    """
    use_short_errors()  # first, so that a bad argument below already shows as one line
    if presenter is not None and not isinstance(presenter, bool):
        raise CourseError(
            f"presenter must be True, False or left out, but got {presenter!r}; "
            "try course.setup(presenter=True) for a projector."
        )
    course_style(presenter)
