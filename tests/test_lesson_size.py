"""Every lesson is sized for about an hour: its prose, its code cells, its stated time and its exercises."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from helpers.exercises import EXERCISES

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
MAX_WORDS, MAX_CODE_CELLS, MIN_EXERCISES = 2400, 32, 3
TIME_LINE = re.compile(r"\*\*Time:\*\* about (\d+) minutes")


def markdown_words(nb: nbformat.NotebookNode) -> int:
    return sum(len(cell.source.split()) for cell in nb.cells if cell.cell_type == "markdown")


def code_cells(nb: nbformat.NotebookNode) -> int:
    return sum(cell.cell_type == "code" for cell in nb.cells)


def lesson_number(path: Path) -> int:
    return int(path.name[:2])


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_a_lesson_has_at_most_2400_words_of_prose_and_32_code_cells(path):
    nb = nbformat.read(path, as_version=4)
    assert markdown_words(nb) <= MAX_WORDS, f"{path.name}: {markdown_words(nb)} words of markdown"
    assert code_cells(nb) <= MAX_CODE_CELLS, f"{path.name}: {code_cells(nb)} code cells"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_a_lesson_states_its_time_at_the_top(path):
    first_markdown = next(cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "markdown")
    found = TIME_LINE.search(first_markdown.source)
    assert found, f"{path.name}: the first markdown cell should say **Time:** about NN minutes"
    assert 5 <= int(found[1]) <= 75, f"{path.name}: about {found[1]} minutes is not a one-hour lesson"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_a_lesson_has_three_checked_exercises_and_checks_each_in_its_notebook(path):
    names = [name for name, ex in EXERCISES.items() if ex.lesson == lesson_number(path)]
    assert len(names) >= MIN_EXERCISES, f"{path.name}: {len(names)} exercises ({names})"
    sources = "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells)
    for name in names:
        assert f'check("{name}"' in sources, f"{path.name} never checks {name}"
        assert f'hint("{name}")' in sources, f"{path.name} never offers hint(\"{name}\")"


def lesson_sizes() -> list[tuple[str, int, int, int]]:
    """(notebook, words, code cells, exercises) for every lesson, for the test run's summary."""
    rows = []
    for path in LESSONS:
        nb = nbformat.read(path, as_version=4)
        exercises = sum(ex.lesson == lesson_number(path) for ex in EXERCISES.values())
        rows.append((path.name, markdown_words(nb), code_cells(nb), exercises))
    return rows
