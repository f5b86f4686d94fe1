"""Lesson 2's exercises: the usual autograd slips each get their own sentence, never a traceback."""
from __future__ import annotations

import pytest
import torch

from helpers.exercises import EXERCISES
from helpers.data import thermometer
from checking import run_check

t_u, t_c = thermometer()  # the learner's functions use these globals, as in the notebook


def test_lesson_two_has_four_exercises_one_of_them_a_backward_pass_by_hand():
    names = {name for name, ex in EXERCISES.items() if ex.lesson == 2}
    assert names == {"derivative", "elementwise_slopes", "slopes_along_w", "backward_node_by_node"}


# --- derivative ------------------------------------------------------------------------------------------


def test_derivative_returning_the_value_is_named(capsys):
    def derivative(f, x_value):
        x = torch.tensor(x_value, requires_grad=True)
        y = f(x)
        y.backward()
        return y

    assert "which is f(2.0), the value; return x.grad" in run_check("derivative", derivative, capsys)


def test_derivative_without_requires_grad_is_explained(capsys):
    def derivative(f, x_value):
        x = torch.tensor(x_value)
        y = f(x)
        y.backward()
        return x.grad

    assert "create x with requires_grad=True" in run_check("derivative", derivative, capsys)


def test_derivative_without_backward_is_explained(capsys):
    def derivative(f, x_value):
        x = torch.tensor(x_value, requires_grad=True)
        f(x)
        return x.grad

    assert "returned None: return x.grad after calling y.backward()" in run_check("derivative", derivative, capsys)


def test_derivative_by_finite_difference_is_spotted(capsys):
    def derivative(f, x_value):
        h = 1e-3
        return (f(torch.tensor(x_value + h)) - f(torch.tensor(x_value - h))) / (2 * h)

    assert "looks like a finite difference" in run_check("derivative", derivative, capsys)


def test_derivative_with_an_integer_tensor_is_explained(capsys):
    def derivative(f, x_value):
        x = torch.tensor(int(x_value), requires_grad=True)
        y = f(x)
        y.backward()
        return x.grad

    assert "not torch.tensor(2)" in run_check("derivative", derivative, capsys)


def test_derivative_broken_code_is_a_sentence(capsys):
    def derivative(f, x_value):
        x = torch.tensor(x_value, requires_grad=True)
        y = f(x)
        y.backward()
        return x.grad.itme()  # the learner's typo

    out = run_check("derivative", derivative, capsys)
    assert "raised AttributeError" in out and "itme" in out


# --- slopes_along_w --------------------------------------------------------------------------------------


def test_slopes_along_w_reusing_one_leaf_is_spotted(capsys):
    def slopes_along_w(w_values):
        w = torch.tensor(0.0, requires_grad=True)
        slopes = []
        for w_value in w_values:
            with torch.no_grad():
                w.fill_(w_value)
            ((w * t_u - t_c) ** 2).mean().backward()
            slopes.append(w.grad.item())
        return slopes

    assert "each slope is the sum of the ones before it" in run_check("slopes_along_w", slopes_along_w, capsys)


def test_slopes_along_w_returning_losses_is_spotted(capsys):
    def slopes_along_w(w_values):
        return [((w * t_u - t_c) ** 2).mean().item() for w in w_values]

    assert "those are the loss values" in run_check("slopes_along_w", slopes_along_w, capsys)


def test_slopes_along_w_returning_only_the_last_slope_is_spotted(capsys):
    def slopes_along_w(w_values):
        for w_value in w_values:
            w = torch.tensor(w_value, requires_grad=True)
            ((w * t_u - t_c) ** 2).mean().backward()
        return w.grad.item()

    assert "should return a list with one slope per w value" in run_check("slopes_along_w", slopes_along_w, capsys)


def test_slopes_along_w_wrong_length_is_spotted(capsys):
    def slopes_along_w(w_values):
        slopes = []
        for w_value in w_values[1:]:
            w = torch.tensor(w_value, requires_grad=True)
            ((w * t_u - t_c) ** 2).mean().backward()
            slopes.append(w.grad.item())
        return slopes

    assert "returned 4 values; it should return one slope per w value, 5 in all" in run_check(
        "slopes_along_w", slopes_along_w, capsys
    )


def test_slopes_along_w_reading_grad_before_backward_is_explained(capsys):
    def slopes_along_w(w_values):
        slopes = []
        for w_value in w_values:
            w = torch.tensor(w_value, requires_grad=True)
            slopes.append(w.grad)
        return slopes

    assert "slope number 1 is None: call backward() first" in run_check("slopes_along_w", slopes_along_w, capsys)


def test_slopes_along_w_accepts_a_tensor_of_slopes(capsys):
    def slopes_along_w(w_values):
        slopes = []
        for w_value in w_values:
            w = torch.tensor(w_value, requires_grad=True)
            ((w * t_u - t_c) ** 2).mean().backward()
            slopes.append(w.grad)
        return torch.stack(slopes)

    assert run_check("slopes_along_w", slopes_along_w, capsys).startswith("✓")


# --- elementwise_slopes ----------------------------------------------------------------------------------


def test_elementwise_slopes_without_a_vector_is_explained(capsys):
    def elementwise_slopes(f, xs):
        x = xs.clone().requires_grad_(True)
        y = f(x)
        y.backward()
        return x.grad

    assert "needs a vector v saying how much each output counts" in run_check("elementwise_slopes", elementwise_slopes, capsys)


def test_elementwise_slopes_returning_values_is_spotted(capsys):
    def elementwise_slopes(f, xs):
        x = xs.clone().requires_grad_(True)
        y = f(x)
        y.backward(torch.ones_like(y))
        return y

    assert "returned the values f(x)" in run_check("elementwise_slopes", elementwise_slopes, capsys)


def test_elementwise_slopes_with_a_vector_of_the_wrong_shape_is_a_sentence(capsys):
    def elementwise_slopes(f, xs):
        x = xs.clone().requires_grad_(True)
        y = f(x)
        y.backward(torch.ones(1))
        return x.grad

    out = run_check("elementwise_slopes", elementwise_slopes, capsys)
    assert "raised RuntimeError: Mismatch in shape" in out


def test_elementwise_slopes_returning_one_number_is_spotted(capsys):
    def elementwise_slopes(f, xs):
        x = xs.clone().requires_grad_(True)
        f(x).sum().backward()
        return x.grad.sum()

    assert "it should return one slope per point" in run_check("elementwise_slopes", elementwise_slopes, capsys)


def test_elementwise_slopes_loop_of_backwards_is_also_right(capsys):
    def elementwise_slopes(f, xs):
        slopes = []
        for value in xs:
            x = value.clone().requires_grad_(True)
            f(x).backward()
            slopes.append(x.grad)
        return torch.stack(slopes)

    assert run_check("elementwise_slopes", elementwise_slopes, capsys).startswith("✓")


# --- backward_node_by_node ----------------------------------------------------------------------------------


def node_by_node(d_s=None, d_r=None, d_p=None, d_w=None, d_b=None):
    """The learner's function, with the right line for every node not given (each given one is a slip)."""

    def backward_node_by_node(w, b, x, y):
        r = w * x + b - y
        s = r**2
        ds = d_s(s) if d_s else torch.full_like(s, 1 / len(s))
        dr = d_r(ds, r) if d_r else ds * 2 * r
        dp = d_p(dr) if d_p else dr
        dw = d_w(dp, x) if d_w else (dp * x).sum()
        db = d_b(dp, x) if d_b else dp.sum()
        return ds, dr, dp, dw, db

    return backward_node_by_node


def test_backward_node_by_node_right_answer_passes(capsys):
    assert run_check("backward_node_by_node", node_by_node(), capsys).startswith("✓")


def test_backward_node_by_node_accepts_plain_numbers_for_the_mean_and_the_sums(capsys):
    answer = node_by_node(d_s=lambda s: 1 / len(s), d_w=lambda dp, x: (dp * x).sum().item())
    assert run_check("backward_node_by_node", answer, capsys).startswith("✓")


@pytest.mark.parametrize(
    "slip, sentence",
    [
        (dict(d_s=lambda s: torch.ones_like(s)), "the mean divides by N"),
        (dict(d_r=lambda ds, r: 2 * r), "the chain rule multiplies it by d_s"),
        (dict(d_r=lambda ds, r: ds * r), "the local slope of r**2 is 2·r, not r"),
        (dict(d_p=lambda dr: -dr), "the -1 belongs to y"),
        (dict(d_w=lambda dp, x: dp * x), "d_w holds one value per reading"),
        (dict(d_w=lambda dp, x: (dp * x).mean()), "the 1/N is already inside d_s"),
        (dict(d_w=lambda dp, x: dp.sum()), "each reading's contribution is d_p·x"),
        (dict(d_b=lambda dp, x: dp), "d_b holds one value per reading"),
        (dict(d_b=lambda dp, x: dp.mean()), "d_b is N times too small"),
        (dict(d_b=lambda dp, x: (dp * x).sum()), "b is added, not multiplied by x"),
    ],
    ids=["mean-without-1/N", "forgot-chain", "slope-r", "sign-of-sub", "w-not-summed", "w-averaged",
         "w-without-x", "b-not-summed", "b-averaged", "b-times-x"],
)
def test_backward_node_by_node_slips_name_the_node_and_the_misconception(slip, sentence, capsys):
    out = run_check("backward_node_by_node", node_by_node(**slip), capsys)
    assert out.startswith("✗ One backward pass, node by node:") and sentence in out, out


def test_backward_node_by_node_numbers_worked_out_for_one_case_do_not_pass(capsys):
    def backward_node_by_node(w, b, x, y):  # the lesson's numbers, typed in
        third = torch.full((3,), 1 / 3)
        return third, torch.tensor([2 / 3, 2 / 3, 4 / 3]), torch.tensor([2 / 3, 2 / 3, 4 / 3]), torch.tensor(6.0), torch.tensor(8 / 3)

    out = run_check("backward_node_by_node", backward_node_by_node, capsys)
    assert out.startswith("✗") and "x=[0.5, -1.0, 2.0, 4.0]" in out, out


def test_backward_node_by_node_missing_values_are_a_sentence(capsys):
    out = run_check("backward_node_by_node", lambda w, b, x, y: (1.0, 2.0), capsys)
    assert "should return five values, d_s, d_r, d_p, d_w, d_b" in out


# --- hints: a nudge, then a pointer that is not the solution -------------------------------------------------


@pytest.mark.parametrize("name", ["derivative", "elementwise_slopes", "slopes_along_w", "backward_node_by_node"])
def test_no_hint_of_lesson_two_gives_away_a_line_of_the_solution(name):
    ex = EXERCISES[name]
    lines = [line.strip() for line in ex.solution.splitlines()[1:] if line.strip() and "return" not in line]
    for hint_text in ex.hints:
        assert not any(line in hint_text for line in lines), (name, hint_text)
