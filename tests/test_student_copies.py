"""Student copies are clean hand-outs: valid notebooks, no outputs, no solutions, every exercise stub kept."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from helpers import execute
from helpers.exercises import EXERCISES, hint
from helpers.errors import CourseError
from helpers.student_copies import NO_SOLUTIONS_FILE, main, write_copies

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def squeeze(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def copies(tmp_path_factory) -> list[Path]:
    """Student copies of the course's real notebooks."""
    return write_copies(NOTEBOOKS, tmp_path_factory.mktemp("copies"))


def test_every_notebook_gets_a_copy_that_is_a_valid_notebook(copies):
    assert [p.name for p in copies] == [p.name for p in sorted(NOTEBOOKS.glob("*.ipynb"))]
    for path in copies:
        nbformat.validate(nbformat.read(path, as_version=4))


def test_copies_hold_no_outputs_execution_counts_or_widget_state(copies):
    for path in copies:
        nb = nbformat.read(path, as_version=4)
        assert "widgets" not in nb.metadata, path.name
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, (path.name, cell.id)
            assert "execution" not in cell.metadata, (path.name, cell.id)


def test_copies_contain_no_solution_text(copies):
    assert EXERCISES, "no exercises are registered"
    for path in copies:
        sources = squeeze(" ".join(c.source for c in nbformat.read(path, as_version=4).cells))
        for name, ex in EXERCISES.items():
            assert squeeze(ex.solution) not in sources, f"{path.name} holds the solution of {name}"


def test_every_exercise_stub_is_kept_unchanged(copies):
    by_name = {p.name: nbformat.read(p, as_version=4) for p in copies}
    for source_path in sorted(NOTEBOOKS.glob("*.ipynb")):
        source = nbformat.read(source_path, as_version=4)
        copied = {c.id: c.source for c in by_name[source_path.name].cells}
        for cell in source.cells:
            if cell.cell_type == "code" and re.search(r"\bcheck\(", cell.source):
                assert copied.get(cell.id) == cell.source, (source_path.name, cell.id)


def test_every_exercise_of_a_written_lesson_has_its_stub_in_the_copy(copies):
    code_of = {
        int(p.name[:2]): "\n".join(c.source for c in nbformat.read(p, as_version=4).cells if c.cell_type == "code")
        for p in copies
        if p.name[:2].isdigit()
    }
    for name, ex in EXERCISES.items():
        if ex.lesson in code_of:
            assert re.search(rf"""check\(\s*["']{name}["']""", code_of[ex.lesson]), f"no stub for {name}"


def a_notebook_with_everything_to_remove() -> nbformat.NotebookNode:
    stub = new_code_cell('def f(x):\n    raise NotImplementedError\n\ncheck("f", f)', id="stub", execution_count=3)
    stub.outputs = [new_output("stream", name="stdout", text="… not done yet\n")]
    answer = new_code_cell("def f(x):\n    return 2 * x", id="the-answer", metadata={"tags": ["solution"]})
    notes = new_markdown_cell("Ask the room first.", id="notes", metadata={"tags": ["instructor"]})
    nb = new_notebook(cells=[new_markdown_cell("# Lesson", id="title"), stub, answer, notes])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def test_solution_and_instructor_cells_are_dropped_and_stubs_emptied_of_output(tmp_path):
    (tmp_path / "notebooks").mkdir()
    nbformat.write(a_notebook_with_everything_to_remove(), tmp_path / "notebooks" / "01_x.ipynb")
    [path] = write_copies(tmp_path / "notebooks", tmp_path / "out")
    nb = nbformat.read(path, as_version=4)
    assert [c.id for c in nb.cells] == ["title", "stub"]
    assert nb.cells[1].source.endswith('check("f", f)') and nb.cells[1].outputs == []
    assert "widgets" not in nb.metadata and nb.metadata.kernelspec.name == "python3"


def test_a_notebook_holding_a_solution_is_refused_and_nothing_is_written(tmp_path):
    nb = a_notebook_with_everything_to_remove()
    nb.cells.append(new_code_cell(EXERCISES["straight_line"].solution, id="leak"))
    (tmp_path / "notebooks").mkdir()
    nbformat.write(nb, tmp_path / "notebooks" / "00_x.ipynb")
    with pytest.raises(CourseError, match=r"00_x\.ipynb contains the solution of straight_line: tag that cell"):
        write_copies(tmp_path / "notebooks", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_missing_notebooks_folder_is_one_plain_sentence(tmp_path, capsys):
    assert main(["--notebooks", str(tmp_path / "nope"), str(tmp_path / "out")]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err == f"There is no notebooks folder at {tmp_path / 'nope'}: run this inside a complete copy of the course.\n"


def test_out_dir_that_is_a_file_is_one_plain_sentence_from_the_command_line(tmp_path):
    a_file = tmp_path / "handout.txt"
    a_file.write_text("not a folder")
    run = subprocess.run([sys.executable, "-m", "helpers.student_copies", str(a_file)],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr == f"{a_file} is a file, not a folder: give the name of a folder to write the copies into.\n"


def test_no_solutions_writes_the_marker_and_a_plain_run_removes_it(tmp_path, capsys):
    assert main([str(tmp_path), "--no-solutions"]) == 0
    assert (tmp_path / NO_SOLUTIONS_FILE).exists()
    assert "hint() withholds the solutions" in capsys.readouterr().out
    assert main([str(tmp_path)]) == 0
    assert not (tmp_path / NO_SOLUTIONS_FILE).exists()


def test_hint_withholds_the_solution_in_a_folder_with_the_marker(tmp_path, monkeypatch, capsys):
    (tmp_path / NO_SOLUTIONS_FILE).write_text("")
    monkeypatch.chdir(tmp_path)
    ex = EXERCISES["straight_line"]
    ex.hints_given = 0
    try:
        for _ in range(3):
            hint("straight_line")
    finally:
        ex.hints_given = 0
    out = capsys.readouterr().out
    assert "Hint 2 of 2" in out and ex.solution not in out and "again for the solution" not in out
    assert "Your instructor has turned solutions off" in out


def test_a_copy_runs_top_to_bottom_and_its_stub_says_not_done_yet(tmp_path, monkeypatch):
    [path] = [p for p in write_copies(NOTEBOOKS, tmp_path / "out") if p.name == "00_start_here.ipynb"]
    monkeypatch.setenv("JUPYTER_PATH", "")
    execute.use_this_interpreter(tmp_path / "kernels")
    execute.execute(path, timeout=120)
    nb = nbformat.read(path, as_version=4)
    stub = next(c for c in nb.cells if c.id == "straight-line-stub")
    assert "not done yet" in stub.outputs[0]["text"]
