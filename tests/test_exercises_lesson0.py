"""Lesson 00's exercises answer each usual slip, or misread order of runs, with its own sentence."""
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


# --- the two predictions ----------------------------------------------------------------------------------


def test_lesson_zero_has_a_written_exercise_and_two_predictions():
    assert {name for name, ex in EXERCISES.items() if ex.lesson == 0} >= {"straight_line", "order_of_runs", "estimate_at_h"}


@pytest.mark.parametrize("answer", [lambda: 22, 22, 22.0], ids=["function", "int", "float"])
def test_order_of_runs_accepts_the_prediction_returned_or_given_plainly(answer, capsys):
    assert run_check("order_of_runs", answer, capsys).startswith("✓")


@pytest.mark.parametrize(
    "prediction, sentence",
    [
        (12, "12 is what the page order a, b, c gives"),
        (11, "b ran last and doubled it"),
        (2, "c ran too, before b"),
        (1, "x after cell a alone"),
        (7, "follow x through the cells in the order they ran"),
    ],
    ids=["page-order", "forgot-b", "forgot-c", "only-a", "other"],
)
def test_order_of_runs_names_the_misread_order(prediction, sentence, capsys):
    out = run_check("order_of_runs", lambda: prediction, capsys)
    assert out.startswith("✗ Predict: the order of runs:") and sentence in out, out


def test_a_prediction_that_is_not_a_number_is_named(capsys):
    assert "should give a number" in run_check("order_of_runs", lambda: "22", capsys)
    assert "returned None: write `return`" in run_check("order_of_runs", lambda: None, capsys)


@pytest.mark.parametrize("answer", [lambda: 6.001, 6.000999999999479], ids=["rounded", "float64"])
def test_estimate_at_h_accepts_six_plus_h(answer, capsys):
    assert run_check("estimate_at_h", answer, capsys).startswith("✓")


@pytest.mark.parametrize(
    "prediction, sentence",
    [
        (6, "6 is the true slope, but an estimate with a step h > 0 is off"),
        (6.01, "6.01 is the estimate at h = 0.01, where the slider starts"),
        (6.0001, "the estimate at h = 0.0001"),
        (6.1, "the estimate at h = 0.1"),
        (5.999, "is not the estimate at h = 0.001"),
    ],
    ids=["true-slope", "start-value", "h-1e-4", "h-1e-1", "other"],
)
def test_estimate_at_h_names_the_misread_step(prediction, sentence, capsys):
    out = run_check("estimate_at_h", lambda: prediction, capsys)
    assert out.startswith("✗ Predict, then slide:") and sentence in out, out
