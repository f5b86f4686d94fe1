"""Exercise checks: one interface for every lesson.

In a notebook::

    from helpers.checks import check, hint

    def central_difference(f, x, h):
        raise NotImplementedError  # replace this line with your code

    check("central_difference", central_difference)  # ✓, or one sentence on what is wrong
    hint("central_difference")                        # hint 1; call again for hint 2, then the solution

Exercises live in ``helpers/exercises/lesson*.py``; each is a function decorated with
:func:`exercise` that raises :class:`Wrong` with a friendly sentence when the answer is off.
"""
from __future__ import annotations

import importlib
import math
import pkgutil
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch

__all__ = ["check", "hint", "exercise", "Wrong", "call", "expect", "expect_close", "EXERCISES"]


class Wrong(Exception):
    """Raised by an exercise's test with one sentence saying what is off and what to do."""


class _NotAttempted(Exception):
    """The learner's code still raises NotImplementedError."""


@dataclass
class Exercise:
    name: str
    lesson: int
    title: str
    hints: tuple[str, ...]
    solution: str
    test: Callable[[Any], None]
    given: Callable[[], dict[str, Any]]
    hints_given: int = field(default=0, compare=False)


EXERCISES: dict[str, Exercise] = {}
# Hand-outs made with `python -m helpers.student_copies --no-solutions` hold this file next to the notebooks.
NO_SOLUTIONS_FILE = ".descent-no-solutions"


def exercise(
    name: str,
    *,
    lesson: int,
    title: str,
    hints: tuple[str, ...],
    solution: str,
    given: Callable[[], dict[str, Any]] = dict,
):
    """Register the decorated function as the test of exercise `name`.

    `solution` is the code a learner is shown after the last hint; run in a namespace holding `torch`
    and what `given()` returns (the names the notebook has defined by then), it must define `name`.
    The test receives what the learner passed to `check` and raises `Wrong` when it is off.
    """
    if len(hints) < 2:
        raise ValueError(f"exercise {name!r} needs at least two hints before its solution")

    def register(test: Callable[[Any], None]) -> Callable[[Any], None]:
        EXERCISES[name] = Exercise(name, lesson, title, tuple(hints), textwrap.dedent(solution).strip(), test, given)
        return test

    return register


def _load_all() -> None:
    from helpers import exercises

    for module in pkgutil.iter_modules(exercises.__path__):
        importlib.import_module(f"{exercises.__name__}.{module.name}")


def _lookup(name: str) -> Exercise:
    _load_all()
    if name not in EXERCISES:
        known = ", ".join(sorted(EXERCISES)) or "none yet"
        raise LookupError(f"There is no exercise called {name!r}; the exercises are: {known}.")
    return EXERCISES[name]


def check(name: str, answer: Any) -> None:
    """Run exercise `name`'s test on `answer` and print one line: ✓, or what is wrong and what to do."""
    try:
        ex = _lookup(name)
    except LookupError as err:
        print(f"✗ {err}")
        return
    try:
        ex.test(answer)
    except _NotAttempted:
        print(
            f"… {ex.title}: not done yet. Replace `raise NotImplementedError` with your code and run the cell "
            f'again; stuck? run hint("{name}").'
        )
    except Wrong as wrong:
        print(f"✗ {ex.title}: {wrong}")
    else:
        print(f"✓ {ex.title}: correct. Well done!")


def solutions_withheld() -> bool:
    """True when the kernel runs in a folder holding NO_SOLUTIONS_FILE, or below one."""
    here = Path.cwd()
    return any((folder / NO_SOLUTIONS_FILE).exists() for folder in (here, *here.parents))


def hint(name: str) -> None:
    """Print the next hint for exercise `name`; after the last hint, the solution (unless withheld)."""
    try:
        ex = _lookup(name)
    except LookupError as err:
        print(f"✗ {err}")
        return
    level = ex.hints_given
    ex.hints_given += 1
    if level < len(ex.hints):
        print(f"Hint {level + 1} of {len(ex.hints)} for {ex.title}: {ex.hints[level]}")
        if level + 1 < len(ex.hints):
            print(f'(Run hint("{name}") again for hint {level + 2}.)')
        elif not solutions_withheld():
            print(f'(Run hint("{name}") again for the solution.)')
    elif solutions_withheld():
        print(f"Your instructor has turned solutions off for {ex.title}: look again at the hints, or ask them.")
    else:
        print(f"Solution for {ex.title}:\n\n{ex.solution}")


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
        raise _NotAttempted() from None
    except Exception as err:  # the learner's code: explain it, do not dump a traceback
        message = str(err).rstrip(".")
        raise Wrong(f"calling {what} raised {type(err).__name__}: {message}. Fix that line and run the cell again.") from None


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
