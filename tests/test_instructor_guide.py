"""The instructor guide stays aligned with the lessons: every cell and exercise it names exists."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from helpers.exercises import EXERCISES

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "docs" / "instructor_guide.md").read_text()


def lesson_sections() -> dict[int, str]:
    """The text of each '## Lesson NN' section, by lesson number."""
    parts = re.split(r"^## Lesson (\d\d) ", GUIDE, flags=re.M)
    return {int(number): text for number, text in zip(parts[1::2], parts[2::2])}


SECTIONS = lesson_sections()


def notebook_of(lesson: int) -> Path:
    [path] = sorted((ROOT / "notebooks").glob(f"{lesson:02d}_*.ipynb"))
    return path


def test_the_guide_covers_every_lesson():
    assert sorted(SECTIONS) == sorted(int(p.name[:2]) for p in (ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("lesson", sorted(SECTIONS))
def test_every_cell_id_the_guide_names_exists_in_that_lesson(lesson):
    ids = {cell.id for cell in nbformat.read(notebook_of(lesson), as_version=4).cells}
    named = set(re.findall(r"`([a-z][a-z0-9]*(?:-[a-z0-9]+)+)`", SECTIONS[lesson]))
    assert named, f"the section on lesson {lesson} names no cells"
    assert named <= ids, f"not in {notebook_of(lesson).name}: {sorted(named - ids)}"


@pytest.mark.parametrize("lesson", sorted(SECTIONS))
def test_every_exercise_the_guide_names_belongs_to_that_lesson(lesson):
    time_line = re.search(r"^\*\*Time\.\*\*.*?(?=\n\n)", SECTIONS[lesson], flags=re.M | re.S)
    named = set(re.findall(r"`([a-z][a-z0-9]*(?:_[a-z0-9]+)+)`", time_line[0])) if time_line else set()
    for name in named:
        assert name in EXERCISES and EXERCISES[name].lesson == lesson, name


def test_every_link_in_the_guide_points_at_a_file():
    for target in re.findall(r"\]\((\.\./[^)#]+)\)", GUIDE):
        assert (ROOT / "docs" / target).resolve().exists(), target


@pytest.mark.parametrize("lesson", sorted(SECTIONS))
def test_the_guide_times_a_lesson_as_the_lesson_states_at_its_top(lesson):
    heading = re.search(rf"^## Lesson {lesson:02d} · .*\((\d+) min\)$", GUIDE, flags=re.M)
    first_markdown = next(c for c in nbformat.read(notebook_of(lesson), as_version=4).cells if c.cell_type == "markdown")
    stated = re.search(r"\*\*Time:\*\* about (\d+) minutes", first_markdown.source)
    assert heading and stated, f"lesson {lesson}: a time is missing in the guide's heading or the lesson's top"
    assert heading[1] == stated[1], f"lesson {lesson}: the guide says {heading[1]} min, the lesson {stated[1]}"
