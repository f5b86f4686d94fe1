"""Plain errors for learners: bad input gets one sentence, not a deep traceback."""
from __future__ import annotations

import math
from numbers import Real
from typing import Any


class CourseError(ValueError):
    """Bad input to something a learner calls. Its message says what is wrong and what to do."""


def _one_line(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: int | None = None) -> None:
    shell._showtraceback(etype, value, [f"{etype.__name__}: {value}"])


def first_line(err: BaseException, limit: int = 200) -> str:
    """The first line of an error's message, without a final full stop, cut to `limit` characters (its type's
    name if it has no message). Torch's messages can run to several lines and a thousand characters."""
    lines = str(err).strip().splitlines()
    text = lines[0].strip().rstrip(".") if lines else type(err).__name__
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def in_one_line(err: BaseException) -> str:
    """An error as one line for a sentence: its type and the first line of its message."""
    return f"{type(err).__name__}: {first_line(err)}" if str(err).strip() else type(err).__name__


def use_short_errors() -> None:
    """In IPython, show a CourseError as its one sentence instead of a full traceback."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to change
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((CourseError,), _one_line)


def positive_number(value: Any, name: str, example: str) -> float:
    """Return `value` as a float if it is a finite number above zero; otherwise raise one plain sentence."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise CourseError(f"{name} must be a number, but got {value!r}; try {example}.")
    if math.isnan(value) or math.isinf(value):
        raise CourseError(f"{name} must be a finite number, but got {value}; try {example}.")
    if value <= 0:
        raise CourseError(f"{name} must be greater than zero, but got {value}; try {example}.")
    return float(value)


def positive_int(value: Any, name: str, example: str) -> int:
    """Return `value` if it is a whole number above zero; otherwise raise one plain sentence."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise CourseError(f"{name} must be a whole number, but got {value!r}; try {example}.")
    if value <= 0:
        raise CourseError(f"{name} must be at least 1, but got {value}; try {example}.")
    return value
