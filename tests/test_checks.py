"""The exercise checker: every solution passes its own check, and learners get one plain sentence otherwise."""
from __future__ import annotations

import pytest
import torch

from helpers import checks
from helpers.checks import Wrong, call, expect_close
from helpers.exercises import EXERCISES, check, hint

NAMES = sorted(EXERCISES)


def run_solution(name: str):
    ex = EXERCISES[name]
    namespace = {"torch": torch, **ex.given()}
    exec(ex.solution, namespace)
    assert name in namespace, f"the solution of {name} must define {name}"
    return namespace[name]


@pytest.mark.parametrize("name", NAMES)
def test_every_solution_passes_its_own_check(name, capsys):
    check(name, run_solution(name))
    assert capsys.readouterr().out.startswith("✓"), name


FUNCTION_EXERCISES = [name for name in NAMES if callable(run_solution(name))]


@pytest.mark.parametrize("name", FUNCTION_EXERCISES)
def test_a_shipped_stub_is_reported_as_not_done_yet_with_the_way_to_a_hint(name, capsys):
    def stub(*args):
        raise NotImplementedError

    check(name, stub)
    out = capsys.readouterr().out
    assert out.startswith("…") and "not done yet" in out and f'hint("{name}")' in out


@pytest.mark.parametrize("name", NAMES)
def test_every_exercise_gives_two_hints_then_the_solution(name, capsys):
    EXERCISES[name].hints_given = 0
    hint(name)
    hint(name)
    hint(name)
    out = capsys.readouterr().out
    assert "Hint 1 of" in out and "Hint 2 of" in out
    assert EXERCISES[name].solution in out
    EXERCISES[name].hints_given = 0


def test_unknown_exercise_is_one_sentence_listing_the_known_ones(capsys):
    check("no_such_exercise", 1.0)
    out = capsys.readouterr().out
    assert out.startswith("✗ There is no exercise called 'no_such_exercise'")
    assert out.count("\n") == 1


def test_stub_that_raises_not_implemented_is_reported_as_not_done_yet():
    def stub(*args):
        raise NotImplementedError

    with pytest.raises(checks.NotAttempted):
        call(stub, 1.0, what="stub(1.0)")


def test_exception_in_learner_code_becomes_a_sentence_not_a_traceback():
    with pytest.raises(Wrong, match=r"calling f\(0\.0\) raised ZeroDivisionError: float division by zero"):
        call(lambda x: 1 / x, 0.0, what="f(0.0)")


def test_passing_a_value_instead_of_a_function_is_explained():
    with pytest.raises(Wrong, match="expected your function itself"):
        call(3.0, what="f(1.0)")


def test_expect_close_names_the_expected_and_the_received_value():
    with pytest.raises(Wrong, match="should be 2, but yours is 3"):
        expect_close(3.0, 2.0, "your slope")


def test_expect_close_spots_a_flipped_sign():
    with pytest.raises(Wrong, match="sign is flipped"):
        expect_close(-2.0, 2.0, "your slope")


def test_expect_close_reports_shapes():
    with pytest.raises(Wrong, match=r"has shape \(3,\), but it should have shape \(2,\)"):
        expect_close(torch.zeros(3), torch.zeros(2), "your gradient")


def test_expect_close_reports_none_and_nan():
    with pytest.raises(Wrong, match="forget to `return`"):
        expect_close(None, 1.0, "your value")
    with pytest.raises(Wrong, match="NaN or infinity"):
        expect_close(float("nan"), 1.0, "your value")
