"""The toolkit exercises are written with: the Exercise record, the `exercise` decorator, and the
building blocks a test uses to answer a wrong answer with one sentence.

Learners never import this module: notebooks use ``from helpers.exercises import check, hint``.
Each lesson's exercises live in ``helpers/exercises/lessonN.py``, and ``helpers/exercises/__init__.py``
lists those modules explicitly, so this module knows nothing about them (the imports point downward).
"""
from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import torch

from helpers.errors import first_line, in_one_line

__all__ = [
    "Exercise", "exercise", "Wrong", "NotAttempted", "call", "expect", "expect_close",
    "first_slip", "explain_error",
]


class Wrong(Exception):
    """Raised by an exercise's test with one sentence saying what is off and what to do."""


class NotAttempted(Exception):
    """The learner's code still raises NotImplementedError.

    Its message, if any, says what to replace (e.g. "Replace `...` with your prediction"); without one the
    learner is told to replace `raise NotImplementedError` with their code.
    """


@dataclass
class Exercise:
    """One checked exercise: its test, its hints (nudge, pointer, ...) and the solution shown last."""

    name: str
    lesson: int
    title: str
    hints: tuple[str, ...]
    solution: str
    test: Callable[[Any], None]
    given: Callable[[], dict[str, Any]]
    hints_given: int = field(default=0, compare=False)


def exercise(
    name: str,
    *,
    lesson: int,
    title: str,
    hints: tuple[str, ...],
    solution: str,
    given: Callable[[], dict[str, Any]] = dict,
) -> Callable[[Callable[[Any], None]], Exercise]:
    """Turn the decorated test function into the :class:`Exercise` called `name`.

    `solution` is the code a learner is shown after the last hint; run in a namespace holding `torch`
    and what `given()` returns (the names the notebook has defined by then), it must define `name`.
    The test receives what the learner passed to `check` and raises `Wrong` when it is off.
    """
    if len(hints) < 2:
        raise ValueError(f"exercise {name!r} needs at least two hints before its solution")

    def make(test: Callable[[Any], None]) -> Exercise:
        return Exercise(name, lesson, title, tuple(hints), textwrap.dedent(solution).strip(), test, given)

    return make


# --- building blocks for the tests in helpers/exercises/ ---------------------------------------------


def _describe(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        if value.numel() == 1:
            return f"{value.item():.6g} (a tensor of shape {tuple(value.shape)})"
        return f"a tensor of shape {tuple(value.shape)}"
    if isinstance(value, float):
        return f"{value:.6g}"
    if value is None:
        return "None (did you forget `return`?)"
    return f"{value!r} (a {type(value).__name__})"


def call(fn: Any, *args: Any, what: str) -> Any:
    """Call the learner's `fn(*args)`; turn anything it raises into a plain :class:`Wrong` sentence.

    `what` says how the call looks to the learner, e.g. ``"central_difference(f, 2.0, 0.1)"``.
    """
    if not callable(fn):
        raise Wrong(
            f"expected your function itself (its name, without parentheses), but got {_describe(fn)}."
        )
    try:
        return fn(*args)
    except NotImplementedError:
        raise NotAttempted() from None
    except Exception as err:  # the learner's code: explain it, do not dump a traceback
        raise Wrong(
            f"calling {what} raised {in_one_line(err)}. Fix that line and run the cell again."
        ) from None


def expect(condition: bool, sentence: str) -> None:
    """Raise :class:`Wrong` with `sentence` unless `condition` holds."""
    if not condition:
        raise Wrong(sentence)


def expect_close(got: Any, expected: float | torch.Tensor, what: str, rtol: float = 1e-4, atol: float = 1e-6) -> None:
    """Check that `got` (number or tensor) equals `expected` to the given tolerance, or say how it differs."""
    if got is None:
        raise Wrong(f"{what} is None: did you forget to `return` it?")
    if isinstance(got, bool) or not isinstance(got, (int, float, torch.Tensor)):
        raise Wrong(f"{what} should be a number or a tensor, but it is {_describe(got)}.")
    expected_t = torch.as_tensor(expected, dtype=torch.float64)
    got_t = torch.as_tensor(got.detach() if isinstance(got, torch.Tensor) else got, dtype=torch.float64)
    if got_t.shape != expected_t.shape and not (got_t.numel() == 1 == expected_t.numel()):
        raise Wrong(f"{what} has shape {tuple(got_t.shape)}, but it should have shape {tuple(expected_t.shape)}.")
    got_t = got_t.reshape(expected_t.shape)
    if not torch.isfinite(got_t).all():
        raise Wrong(f"{what} contains NaN or infinity ({_describe(got)}); look for a division by zero or a huge step.")
    if not torch.allclose(got_t, expected_t, rtol=rtol, atol=atol):
        if expected_t.numel() == 1:
            e, g = expected_t.item(), got_t.item()
            extra = " (the sign is flipped)" if math.isclose(e, -g, rel_tol=rtol, abs_tol=atol) else ""
            raise Wrong(f"{what} should be {e:.6g}, but yours is {g:.6g}{extra}.")
        worst = (got_t - expected_t).abs().argmax().item()
        raise Wrong(
            f"{what} differs from the expected values: at index {worst} it is {got_t.flatten()[worst].item():.6g}"
            f" instead of {expected_t.flatten()[worst].item():.6g}."
        )


def first_slip(got: Any, slips: Iterable[tuple[Any, str]], same: Callable[[Any, Any], bool]) -> None:
    """Raise :class:`Wrong` with the sentence of the first slip whose value is `same` as `got`.

    `slips` pairs what a typical mistake returns with the sentence that names that mistake.
    """
    for value, sentence in slips:
        if same(got, value):
            raise Wrong(sentence)


def explain_error(err: Wrong, known: Iterable[tuple[str, str]]) -> None:
    """Re-raise `err` as the sentence of the first `(fragment, sentence)` whose fragment its text contains.

    Torch's own messages are long and name its internals; `known` maps the ones a lesson expects to
    the sentence that fixes them. An unknown message is re-raised cut to its first line.
    """
    text = str(err)
    for fragment, sentence in known:
        if fragment in text:
            raise Wrong(sentence) from None
    short = first_line(err) + "."
    if short != text:
        raise Wrong(short) from None
    raise err
