"""Lesson 2's exercises: the usual autograd slips each get their own sentence, never a traceback."""
from __future__ import annotations

import pytest
import torch

from helpers.exercises import EXERCISES
from helpers.data import thermometer
from checking import run_check

t_u, t_c = thermometer()  # the learner's functions use these globals, as in the notebook




def test_lesson_two_has_at_least_three_exercises():
    names = [name for name, ex in EXERCISES.items() if ex.lesson == 2]
    assert set(names) >= {"loss_gradient", "derivative", "slopes_along_w", "elementwise_slopes"}



# --- loss_gradient --------------------------------------------------------------------------------------


def loss_gradient_with(last_step):
    def loss_gradient(w_value, b_value):
        w = torch.tensor(w_value, requires_grad=True)
        b = torch.tensor(b_value, requires_grad=True)
        loss = ((w * t_u + b - t_c) ** 2).mean()
        return last_step(w, b, loss)

    return loss_gradient


def test_loss_gradient_right_answer_passes(capsys):
    def finish(w, b, loss):
        loss.backward()
        return w.grad, b.grad

    assert run_check("loss_gradient", loss_gradient_with(finish), capsys).startswith("✓")


@pytest.mark.parametrize(
    "finish, sentence",
    [
        (lambda w, b, loss: (w.grad, b.grad), "returned (None, None): nothing filled the gradients yet"),
        (lambda w, b, loss: (loss.backward, w.grad, b.grad)[1:], "returned (None, None)"),
        (lambda w, b, loss: (w.backward(), w.grad, b.grad)[1:], "you called backward() on w"),
        (lambda w, b, loss: (loss.backward(), loss.backward(), w.grad)[2:], "raised RuntimeError: Trying to backward"),
        (lambda w, b, loss: loss.backward(), "should return two values"),
        (lambda w, b, loss: (loss.backward(), (b.grad, w.grad))[1], "dL/dw at w=1.0, b=0.0 should be 4517.3"),
        (lambda w, b, loss: (loss.backward(), (-w.grad, -b.grad))[1], "sign is flipped"),
    ],
    ids=["no-backward", "backward-without-parentheses", "backward-on-w", "backward-twice", "no-return",
         "swapped", "negated"],
)
def test_loss_gradient_slips(finish, sentence, capsys):
    out = run_check("loss_gradient", loss_gradient_with(finish), capsys)
    assert out.startswith("✗ The gradient of the loss, by autograd:") and sentence in out, out


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

    assert "y.backward(torch.ones_like(y))" in run_check("elementwise_slopes", elementwise_slopes, capsys)


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


def test_elementwise_slopes_loop_of_backwards_is_also_right(capsys):
    def elementwise_slopes(f, xs):
        slopes = []
        for value in xs:
            x = value.clone().requires_grad_(True)
            f(x).backward()
            slopes.append(x.grad)
        return torch.stack(slopes)

    assert run_check("elementwise_slopes", elementwise_slopes, capsys).startswith("✓")
