"""The warm-up exercise of lesson 0 answers each usual slip with its own friendly sentence."""
from __future__ import annotations

import pytest
import torch

from helpers.exercises import EXERCISES
from checking import run_check





def test_warm_up_is_registered_for_lesson_zero():
    assert EXERCISES["straight_line"].lesson == 0


def test_the_stub_is_reported_as_not_done_yet(capsys):
    def straight_line(x, w, b):
        raise NotImplementedError  # replace this line with your code

    out = run_check("straight_line", straight_line, capsys)
    assert "not done yet" in out and 'hint("straight_line")' in out


@pytest.mark.parametrize(
    "wrong, sentence",
    [
        (lambda x, w, b: b * x + w, "w and b are swapped"),
        (lambda x, w, b: w * (x + b), "only x is multiplied by w"),
        (lambda x, w, b: w * x, "the offset b is missing"),
        (lambda x, w, b: w * x - b, "add b instead of subtracting it"),
        (lambda x, w, b: w + x + b, "multiply x by w instead of adding it"),
        (lambda x, w, b: x, "should be 6.25, but yours is 2"),
    ],
    ids=["swapped", "bracketed", "no-offset", "subtracted", "added", "other"],
)
def test_each_usual_slip_gets_its_own_sentence(wrong, sentence, capsys):
    out = run_check("straight_line", wrong, capsys)
    assert out.startswith("✗ Warm-up: a straight line:") and sentence in out


def test_forgetting_return_is_named(capsys):
    def straight_line(x, w, b):
        w * x + b

    assert "did you forget `return`?" in run_check("straight_line", straight_line, capsys)


def test_a_non_number_is_named(capsys):
    assert "should return a number, but returned 'wx+b'" in run_check("straight_line", lambda x, w, b: "wx+b", capsys)


def test_broken_code_is_a_sentence_not_a_traceback(capsys):
    def straight_line(x, w, b):
        return w * x + c  # noqa: F821 (the learner's typo)

    out = run_check("straight_line", straight_line, capsys)
    assert "raised NameError: name 'c' is not defined" in out and "Traceback" not in out


def test_passing_the_result_instead_of_the_function_is_explained(capsys):
    assert "expected your function itself" in run_check("straight_line", 6.25, capsys)


def test_a_one_element_tensor_counts_as_a_number(capsys):
    out = run_check("straight_line", lambda x, w, b: torch.tensor(w * x + b, dtype=torch.float64), capsys)
    assert out.startswith("✓")
