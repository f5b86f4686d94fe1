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


def _lookup(name: str) -> Exercise:
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
    except NotAttempted:
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
