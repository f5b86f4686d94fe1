"""Lesson 3's exercises answer each usual slip in building a reverse-mode engine with its own sentence."""
from __future__ import annotations

import math

import pytest

from helpers.exercises import EXERCISES
from helpers.exercises.lesson3 import Node as Value
from checking import run_check


def test_the_three_exercises_belong_to_lesson_three():
    assert {EXERCISES[name].lesson for name in ("value_exp", "backward_in_order", "reading_gradient")} == {3}


# --- value_exp -----------------------------------------------------------------------------------------


def exp_with_rule(rule):
    """A value_exp whose forward pass is right and whose backward rule is `rule(a, out)`."""

    def value_exp(a):
        out = Value(math.exp(a.data), (a,), "exp")
        out._backward = lambda: rule(a, out)
        return out

    return value_exp


def replace(a, out):
    a.grad = out.data * out.grad


def add_attr(node, value):
    node.grad += value


@pytest.mark.parametrize(
    "rule, sentence",
    [
        (replace, "replaced a.grad (=) instead of adding to it (+=)"),
        (lambda a, out: add_attr(a, out.data), "forgot out.grad"),
        (lambda a, out: add_attr(a, a.data * out.grad), "multiplied by a's value"),
        (lambda a, out: add_attr(a, out.grad), "exp's local derivative is exp(a), not 1"),
        (lambda a, out: None, "did not change when the rule ran"),
        (lambda a, out: add_attr(a, 2 * out.data * out.grad), "should be 3.54744, but yours is 6.84489"),
    ],
    ids=["equals-not-plus-equals", "no-chain-rule", "wrong-derivative", "derivative-one", "no-rule", "other"],
)
def test_each_wrong_exp_rule_names_its_misconception(rule, sentence, capsys):
    out = run_check("value_exp", exp_with_rule(rule), capsys)
    assert out.startswith("✗ A new operation: exp:") and sentence in out


def test_a_result_without_its_parent_is_named(capsys):
    out = run_check("value_exp", lambda a: Value(math.exp(a.data)), capsys)
    assert "does not list a among its parents" in out


def test_a_plain_number_instead_of_a_value_is_named(capsys):
    assert "returned a plain number" in run_check("value_exp", lambda a: math.exp(a.data), capsys)


def test_a_wrong_forward_value_is_named(capsys):
    def value_exp(a):
        return Value(a.data, (a,), "exp")

    assert "a's own value: the result's number is math.exp(a.data)" in run_check("value_exp", value_exp, capsys)


def test_a_rule_run_during_the_forward_pass_is_named(capsys):
    def value_exp(a):
        out = Value(math.exp(a.data), (a,), "exp")
        a.grad += out.data
        return out

    assert "changed a.grad already" in run_check("value_exp", value_exp, capsys)


# --- backward_in_order ---------------------------------------------------------------------------------


def rules_as_reached(output):
    output.grad = 1.0
    to_visit, seen = [output], set()
    while to_visit:
        v = to_visit.pop()
        if v not in seen:
            seen.add(v)
            v._backward()
            to_visit.extend(v._parents)


def leaves_first(output):
    order, seen = [], set()

    def visit(v):
        if v not in seen:
            seen.add(v)
            for parent in v._parents:
                visit(parent)
            order.append(v)

    visit(output)
    output.grad = 1.0
    for v in order:
        v._backward()


def no_seen_set(output):
    order = []

    def visit(v):
        for parent in v._parents:
            visit(parent)
        order.append(v)

    visit(output)
    output.grad = 1.0
    for v in reversed(order):
        v._backward()


@pytest.mark.parametrize(
    "walk, sentence",
    [
        (rules_as_reached, "ran its rule as soon as it was reached"),
        (leaves_first, "the rules ran from the leaves up"),
        (no_seen_set, "ran its rule twice"),
        (lambda output: None, "seed the output with output.grad = 1.0"),
    ],
    ids=["no-topological-order", "not-reversed", "visited-twice", "no-seed"],
)
def test_each_wrong_walk_names_its_misconception(walk, sentence, capsys):
    out = run_check("backward_in_order", walk, capsys)
    assert out.startswith("✗ backward() in topological order:") and sentence in out


def test_calling_the_engines_own_backward_is_redirected_to_writing_the_walk(capsys):
    out = run_check("backward_in_order", lambda output: output.backward(), capsys)
    assert "this exercise rebuilds backward() itself" in out and "AttributeError" not in out


def test_the_broken_walk_is_wrong_exactly_where_a_node_is_shared(capsys):
    # y = w * x + b has no shared node: running rules as reached is right there, so the check must go on.
    y_line = Value(4.0) * Value(3.0) + Value(5.0)
    rules_as_reached(y_line)
    assert y_line._parents[0]._parents[0].grad == 3.0
    w = Value(2.0)
    a = w * 3.0
    rules_as_reached(a * a + a)
    assert w.grad == 3.0  # 39 by the chain rule: a passed on its gradient before it was complete


# --- reading_gradient ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number, sentence",
    [
        (2 * 7.35 / 11, "that is the gradient of the first prediction t_p[0]"),
        (2 * 7.35 / 11 * 35.7, "gives each factor the gradient times the *other* factor"),
        (2 * 7.35 * 0.5, "the mean is missing"),
        (7.35 / 11 * 0.5, "the factor 2 of the square is missing"),
        (-2 * 7.35 / 11 * 0.5, "the sign is flipped"),
        (7.35**2 / 11, "a value; the question asks for a gradient"),
        (6.4, "lesson 2's t_p.grad[0]"),
        (1.0, "should be 0.668182, but yours is 1"),
    ],
    ids=["stopped-at-prediction", "times-own-value", "no-mean", "no-two", "sign", "loss-term", "lesson-2", "other"],
)
def test_each_wrong_hand_gradient_names_its_misconception(number, sentence, capsys):
    out = run_check("reading_gradient", lambda: number, capsys)
    assert out.startswith("✗ The gradient of one node, by hand:") and sentence in out


def test_a_rounded_hand_gradient_is_accepted(capsys):
    assert run_check("reading_gradient", lambda: 0.668, capsys).startswith("✓")


def test_a_plain_number_is_accepted_like_a_function_returning_it(capsys):
    assert run_check("reading_gradient", 0.668182, capsys).startswith("✓")
    assert "the mean is missing" in run_check("reading_gradient", 7.35, capsys)


def test_a_whole_value_instead_of_its_gradient_is_named(capsys):
    assert "pass the number itself, its .grad" in run_check("reading_gradient", lambda: Value(0.668), capsys)


def test_forgetting_return_in_the_hand_gradient_is_named(capsys):
    assert "returned None" in run_check("reading_gradient", lambda: None, capsys)
