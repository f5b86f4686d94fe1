"""A learner's slips against the plumbing: each gets one sentence saying what to do, and nothing changes.

Covers check/hint, the data helpers, course.setup, and the command-line tools (`./course execute`,
`./course student-copies`). The lab's and the secant explorer's slips are tested beside them.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib as mpl
import nbformat
import pytest
import torch

from helpers import course
from helpers.checks import Wrong, call, explain_error
from helpers.data import T_C, T_U, thermometer, train_val_split
from helpers.errors import CourseError
from helpers.exercises import EXERCISES, check, hint

ROOT = Path(__file__).resolve().parent.parent


def one_line(capsys) -> str:
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "Traceback" not in out and "0x" not in out, out
    return out


def straight_line(x, w, b):
    return w * x + b


# --- check and hint --------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [(straight_line, "straight_line"), (straight_line,), (straight_line, straight_line)],
                         ids=["swapped", "function-only", "function-twice"])
def test_check_given_a_function_where_the_name_goes_says_the_name_comes_first_in_quotes(args, capsys):
    check(*args)
    assert 'takes the exercise\'s name first, in quotes, as in check("straight_line", straight_line)' in one_line(capsys)


def test_check_without_an_answer_shows_how_to_pass_one(capsys):
    check("straight_line")
    assert 'needs your answer after the name, as in check("straight_line", straight_line)' in one_line(capsys)


def test_hint_given_the_function_says_the_name_comes_first_and_counts_no_hint(capsys):
    before = EXERCISES["straight_line"].hints_given
    hint(straight_line)
    assert 'as in hint("straight_line")' in one_line(capsys)
    assert EXERCISES["straight_line"].hints_given == before


@pytest.mark.parametrize("name", [None, 3, ["straight_line"]])
def test_check_and_hint_with_a_name_that_is_not_text_answer_in_one_line(name, capsys):
    check(name, straight_line)
    assert "name first, in quotes" in one_line(capsys)
    hint(name)
    assert "name first, in quotes" in one_line(capsys)


def test_an_unknown_name_lists_the_exercises_and_counts_no_hint(capsys):
    hint("straight_lines")
    assert "There is no exercise called 'straight_lines'" in one_line(capsys)


def test_an_answer_the_test_cannot_use_is_still_one_sentence(capsys):
    ex = EXERCISES["straight_line"]
    original = ex.test
    ex.test = lambda answer: answer["key"]  # a test that trips over an unforeseen answer
    try:
        check("straight_line", 3)
    finally:
        ex.test = original
    assert "the check could not use your answer (TypeError" in one_line(capsys)


def test_a_long_torch_error_in_learner_code_is_cut_to_its_first_line():
    def shapes_clash():
        raise RuntimeError("Trying to backward through the graph a second time.\n" + "More detail. " * 80)

    with pytest.raises(Wrong) as wrong:
        call(shapes_clash, what="f()")
    assert "\n" not in str(wrong.value) and len(str(wrong.value)) < 300
    assert "backward through the graph a second time" in str(wrong.value)


def test_explain_error_names_a_known_message_and_cuts_an_unknown_one():
    with pytest.raises(Wrong, match="^use no_grad$"):
        explain_error(Wrong("a leaf Variable that requires grad\nmore"), [("leaf Variable", "use no_grad")])
    with pytest.raises(Wrong) as wrong:
        explain_error(Wrong("first line.\nsecond line"), [])
    assert str(wrong.value) == "first line."


# --- the data helpers ----------------------------------------------------------------------------------------


def test_train_val_split_takes_python_lists_like_tensors():
    from_lists = train_val_split(T_U, T_C)
    from_tensors = train_val_split(*thermometer())
    assert all(torch.equal(a, b) for a, b in zip(from_lists, from_tensors))


@pytest.mark.parametrize("args, kwargs, words", [
    (("t_u", T_C), {}, "x must be a 1-D tensor or a list of numbers"),
    ((T_U, T_C[:3]), {}, "the same number of readings"),
    ((T_U, T_C), {"val_fraction": "0.2"}, "val_fraction must be a number between 0 and 1"),
    ((T_U, T_C), {"val_fraction": 1.5}, "val_fraction must be a number between 0 and 1"),
    ((T_U, T_C), {"seed": "0"}, "seed must be a whole number"),
    ((torch.zeros(2, 11), T_C), {}, "x must be 1-D"),
    (([1.0, "2"], [1.0, 2.0]), {}, "list of numbers"),
    (([1.0], [2.0]), {}, "too few to split"),
])
def test_train_val_split_answers_each_slip_with_one_sentence(args, kwargs, words):
    with pytest.raises(CourseError, match=words) as err:
        train_val_split(*args, **kwargs)
    assert "\n" not in str(err.value)


def test_thermometer_takes_a_dtype_name_and_refuses_others_in_one_sentence():
    assert thermometer("float64")[0].dtype == torch.float64
    with pytest.raises(CourseError, match="dtype must be torch.float32 or torch.float64, but got 'float16'"):
        thermometer("float16")


# --- course.setup --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("presenter", ["no", 1, "False"])
def test_setup_refuses_a_presenter_value_that_is_not_true_or_false_and_changes_nothing(presenter):
    before = dict(mpl.rcParams)
    with pytest.raises(CourseError, match=r"course.setup\(\) takes presenter=True, presenter=False or nothing"):
        course.setup(presenter=presenter)
    assert dict(mpl.rcParams) == before


def test_a_course_error_shows_as_one_line_in_a_real_ipython_shell(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        shell.run_cell("from helpers import course\ncourse.setup()")
        capsys.readouterr()
        result = shell.run_cell("from helpers.data import train_val_split\ntrain_val_split('t_u', [1.0])")
    finally:
        InteractiveShell.clear_instance()
    out = capsys.readouterr().out.strip()
    assert isinstance(result.error_in_exec, CourseError)
    assert out == ("CourseError: x must be a 1-D tensor or a list of numbers, but got 't_u'; "
                   "pass a tensor such as t_u from thermometer().")


# --- the command-line tools ----------------------------------------------------------------------------------


def run_tool(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def bad_notebooks(folder: Path) -> dict[str, Path]:
    (folder / "notes.txt").write_text("not a notebook")
    (folder / "broken.ipynb").write_text("{ this is not JSON")
    (folder / "odd.ipynb").write_text('{"cells": 3}')
    return {"missing": folder / "nothere.ipynb", "not a notebook": folder / "notes.txt",
            "corrupt": folder / "broken.ipynb", "invalid": folder / "odd.ipynb", "a folder": folder}


@pytest.mark.parametrize("kind", ["missing", "not a notebook", "corrupt", "invalid", "a folder"])
def test_execute_answers_a_bad_path_with_one_line_and_a_non_zero_exit(kind, tmp_path):
    result = run_tool("helpers.execute", str(bad_notebooks(tmp_path)[kind]))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stdout == ""


def test_execute_reports_a_failing_cell_in_one_line_without_colour_codes_or_kernel_noise(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 / 0", id="oops")])
    path = tmp_path / "fails.ipynb"
    nbformat.write(nb, path)
    result = run_tool("helpers.execute", str(path))
    assert result.returncode == 1
    assert result.stderr.strip() == f"{path}: a cell raised (ZeroDivisionError: division by zero); the notebook was not written."
    assert "\x1b[" not in result.stderr + result.stdout and "without encryption" not in result.stderr


def test_two_executions_give_byte_identical_notebooks(tmp_path):
    path = tmp_path / "00_start_here.ipynb"
    path.write_bytes((ROOT / "notebooks" / "00_start_here.ipynb").read_bytes())
    # The lesson imports helpers from the kernel's working folder: give the copy the course beside it.
    (tmp_path / "helpers").symlink_to(ROOT / "helpers")
    outputs = []
    for _ in range(2):
        result = run_tool("helpers.execute", str(path))
        assert result.returncode == 0, result.stderr
        assert "without encryption" not in result.stderr
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("kind", ["corrupt", "invalid"])
def test_student_copies_names_an_unreadable_lesson_in_one_line(kind, tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    bad_notebooks(notebooks)
    result = run_tool("helpers.student_copies", str(tmp_path / "out"), "--notebooks", str(notebooks))
    assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
    assert "is not a readable notebook" in result.stderr


def test_student_copies_below_a_file_is_one_line_and_writes_nothing(tmp_path):
    (tmp_path / "afile").write_text("x")
    result = run_tool("helpers.student_copies", str(tmp_path / "afile" / "copies"))
    assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
    assert "is a file, so no folder can be made below it" in result.stderr
