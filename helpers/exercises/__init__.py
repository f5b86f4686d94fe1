"""The course's exercises, and the two functions learners call: `check` and `hint`.

In a notebook::

    from helpers.exercises import check, hint

    def central_difference(f, x, h):
        raise NotImplementedError  # replace this line with your code

    check("central_difference", central_difference)  # ✓, or one sentence on what is wrong
    hint("central_difference")                        # a nudge; call again for a pointer, then the solution

Every lesson's exercises live in `lessonN.py` beside this file, listed in LESSONS below: adding a lesson
means adding its module there. tests/test_checks.py runs every solution through its own check.
"""
from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from helpers.checks import Exercise, NotAttempted, Wrong
from helpers.errors import in_one_line
from helpers.exercises import lesson0, lesson1, lesson2, lesson3, lesson4, lesson5, lesson6, lesson7, lesson8

__all__ = ["check", "hint", "EXERCISES", "LESSONS", "NO_SOLUTIONS_FILE", "solutions_withheld"]

LESSONS: tuple[ModuleType, ...] = (lesson0, lesson1, lesson2, lesson3, lesson4, lesson5, lesson6, lesson7, lesson8)


def _collect(modules: tuple[ModuleType, ...]) -> dict[str, Exercise]:
    found: dict[str, Exercise] = {}
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, Exercise):
                if value.name in found:
                    raise ValueError(f"two exercises are called {value.name!r}")
                found[value.name] = value
    return found


EXERCISES: dict[str, Exercise] = _collect(LESSONS)
# Hand-outs made with `./course student-copies --no-solutions` hold this file next to the notebooks.
NO_SOLUTIONS_FILE = ".descent-no-solutions"


_MISSING = object()


def _name_first(name: Any, call: str) -> str:
    """The sentence for a name that is not a string: the exercise's name comes first, in quotes."""
    guess = getattr(name, "__name__", None)
    example = f'{call}("{guess}", {guess})' if guess in EXERCISES and call == "check" else (
        f'{call}("{guess}")' if guess in EXERCISES else f'{call}("straight_line"{", straight_line" if call == "check" else ""})')
    return f"{call}() takes the exercise's name first, in quotes, as in {example}."


def _lookup(name: Any, call: str) -> Exercise:
    if not isinstance(name, str):
        raise LookupError(_name_first(name, call))
    if name not in EXERCISES:
        known = ", ".join(sorted(EXERCISES)) or "none yet"
        raise LookupError(f"There is no exercise called {name!r}; the exercises are: {known}.")
    return EXERCISES[name]


def check(name: str, answer: Any = _MISSING) -> None:
    """Run exercise `name`'s test on `answer` and print one line: ✓, or what is wrong and what to do."""
    try:
        ex = _lookup(name, "check")
    except LookupError as err:
        print(f"✗ {err}")
        return
    if answer is _MISSING:
        print(f'✗ check() needs your answer after the name, as in check("{name}", {name}).')
        return
    try:
        ex.test(answer)
    except NotAttempted as not_yet:
        todo = str(not_yet) or "Replace `raise NotImplementedError` with your code and run the cell again"
        print(f'… {ex.title}: not done yet. {todo}; stuck? run hint("{name}").')
    except Wrong as wrong:
        print(f"✗ {ex.title}: {wrong}")
    except Exception as err:  # an answer of a shape the test did not foresee: still one sentence
        print(
            f"✗ {ex.title}: the check could not use your answer ({in_one_line(err)}); "
            f'pass what the exercise asks for, as in check("{name}", {name}).'
        )
    else:
        print(f"✓ {ex.title}: correct. Well done!")


def solutions_withheld() -> bool:
    """True when the kernel runs in a folder holding NO_SOLUTIONS_FILE, or below one."""
    here = Path.cwd()
    return any((folder / NO_SOLUTIONS_FILE).exists() for folder in (here, *here.parents))


def hint(name: str) -> None:
    """Print the next hint for exercise `name`; after the last hint, the solution (unless withheld)."""
    try:
        ex = _lookup(name, "hint")
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
