"""Lesson 8's exercises: the regimes, the largest learning rate and the batch recipe name each misconception."""
from __future__ import annotations

import pytest

from checking import run_check
from helpers.exercises import EXERCISES
from helpers.exercises.lesson8 import REGIMES, edge, full_loss, inputs_named, lesson_data, train


def test_lesson_eight_has_three_exercises_in_teaching_order():
    assert [name for name, ex in EXERCISES.items() if ex.lesson == 8] == ["regimes", "largest_lr", "batch_recipe"]


def test_the_regimes_table_is_what_200_epochs_of_gradient_descent_do():
    _, y, _ = lesson_data()
    best = 2.9793
    for (inputs, lr), regime in REGIMES.items():
        x = inputs_named(inputs)
        params = train(x, y, lr, 200, 9)
        if regime == "diverges":
            assert params is None and lr > edge(x)
        else:
            loss = full_loss(params, x, y)
            assert (loss > 1.5 * best) == (regime == "stalls"), (inputs, lr, loss)


def test_the_edges_are_the_lessons_numbers():
    assert [f"{edge(inputs_named(name)):.2g}" for name in ("raw", "rescaled ×0.1", "standardised")] == \
        ["0.00034", "0.033", "1"]


@pytest.mark.parametrize("case, word, words", [
    (("raw", 1e-3), "stalls", "looks small, but the edge on raw inputs is 0.00034"),
    (("standardised", 1.5), "converges", "did not remove it"),
    (("rescaled ×0.1", 3e-2), "converges", "the flat direction crawls"),
    (("standardised", 0.5), "stalls", "round: it converges fast"),
    (("standardised", 0.5), "...", "replace it with one of"),
])
def test_each_wrong_regime_names_its_misconception(case, word, words, capsys):
    out = run_check("regimes", {**REGIMES, case: word}, capsys)
    assert out.startswith("✗") and words in out


def test_a_regimes_answer_that_is_not_a_dict_is_one_sentence(capsys):
    assert "must be a dict" in run_check("regimes", ["diverges"], capsys)


@pytest.mark.parametrize("answer, ok", [(0.99, True), (0.95, True), (0.9, True), (0.85, False), (0.5, False), (1.0, False),
                                        (1.2, False)])
def test_the_largest_lr_must_be_just_below_the_edge(answer, ok, capsys):
    assert run_check("largest_lr", answer, capsys).startswith("✓" if ok else "✗")


@pytest.mark.parametrize("answer, words", [
    (1.0, "At exactly the edge"),
    (1.2, "past the edge"),
    (0.5, "so do larger learning rates"),
    ("0.99", "must be a number"),
    (..., "Replace the ..."),
])
def test_each_wrong_largest_lr_says_why(answer, words, capsys):
    assert words in run_check("largest_lr", answer, capsys)


@pytest.mark.parametrize("answer", [(3, 0.1), (1, 0.03), (2, 0.05), (4, 0.1)])
def test_batch_recipes_that_reach_the_target_pass(answer, capsys):
    assert run_check("batch_recipe", answer, capsys).startswith("✓")


@pytest.mark.parametrize("answer, words", [
    ((1, 0.01), "steps are too small"),
    ((1, 0.3), "jitters around the minimum"),
    ((1, 3.0), "diverged"),
    ((9, 0.5), "smaller than the full batch of 9"),
    ((0, 0.1), "whole number from 1 to 8"),
    ((2.5, 0.1), "whole number from 1 to 8"),
    ((3, "0.1"), "must be a number"),
    ((3, -0.1), "must be a number above 0"),
    (3, "two numbers"),
    ((..., ...), "Replace each ..."),
])
def test_each_wrong_batch_recipe_says_why(answer, words, capsys):
    out = run_check("batch_recipe", answer, capsys)
    assert out.startswith("✗") and words in out
