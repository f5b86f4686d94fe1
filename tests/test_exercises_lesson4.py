"""Lesson 04's exercises: each usual zeroing, ordering and scaling slip gets its own sentence."""
from __future__ import annotations

import pytest
import torch

from helpers.exercises import EXERCISES
from helpers.exercises.reference import loss_fn, model
from checking import run_check


def test_lesson_four_has_its_four_exercises():
    names = {name for name, ex in EXERCISES.items() if ex.lesson == 4}
    assert names >= {"train_repaired", "reset_gradients", "training_step", "train_accumulating"}


# --- train_repaired ---------------------------------------------------------------------------------------


def make_repair(reset="top", returns=True, set_to_none=True):
    """The notebook's optimizer loop with its reset at `reset`: top, end (PyTorch's tutorials), between, never."""

    def train_repaired(w, b, x, y, lr, steps):
        optimizer = torch.optim.SGD([w, b], lr=lr)
        losses = []
        for step in range(steps):
            if reset == "top":
                optimizer.zero_grad(set_to_none=set_to_none)
            loss = loss_fn(model(x, w, b), y)
            loss.backward()
            if reset == "between":
                optimizer.zero_grad(set_to_none=set_to_none)
            optimizer.step()
            if reset == "end":
                optimizer.zero_grad(set_to_none=set_to_none)
            losses.append(loss.item())
        return losses if returns else None

    return train_repaired


def hand_written(w, b, x, y, lr, steps):
    losses = []
    for step in range(steps):
        w.grad = None
        b.grad = None
        loss = loss_fn(model(x, w, b), y)
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        losses.append(loss)  # tensors, not floats: accepted too
    return losses


@pytest.mark.parametrize(
    "repaired",
    [make_repair("top"), make_repair("end"), make_repair("top", set_to_none=False), hand_written],
    ids=["reset-at-top", "reset-after-step", "zeros-at-top", "hand-written"],
)
def test_a_reset_anywhere_outside_backward_to_step_repairs_the_loop(repaired, capsys):
    assert run_check("train_repaired", repaired, capsys).startswith("✓")


@pytest.mark.parametrize(
    "loop, sentence",
    [
        (make_repair("between"), "w and b never moved, so the curve is still flat"),
        (make_repair("between", set_to_none=False), "a bigger learning rate cannot help"),
        (make_repair("never"), "now nothing resets the gradients"),
        (make_repair("top", returns=False), "keep `return losses` at the end"),
    ],
    ids=["still-between", "zeros-between", "reset-removed", "no-return"],
)
def test_train_repaired_slips(loop, sentence, capsys):
    out = run_check("train_repaired", loop, capsys)
    assert out.startswith("✗ Repair the loop from its curve:") and sentence in out, out


def test_train_repaired_hand_written_reset_between_backward_and_update_is_a_sentence(capsys):
    def train_repaired(w, b, x, y, lr, steps):
        for step in range(steps):
            loss_fn(model(x, w, b), y).backward()
            w.grad = None
            b.grad = None
            with torch.no_grad():
                w -= lr * w.grad
                b -= lr * b.grad

    out = run_check("train_repaired", train_repaired, capsys)
    assert "reset the gradients before backward(), not between backward() and the update" in out, out



# --- reset_gradients ------------------------------------------------------------------------------------


def each_param(body):
    def reset_gradients(params):
        for p in params:
            body(p)

    return reset_gradients


def set_to_none(p):
    p.grad = None


def unguarded_zero(p):
    p.grad.zero_()


def zero_the_parameter(p):
    p.zero_()


def zero_the_parameter_quietly(p):
    with torch.no_grad():
        p.zero_()


def assign_zero(p):
    p.grad = 0


def multiply_without_storing(p):
    if p.grad is not None:
        p.grad * 0


def test_reset_by_setting_none_is_also_right(capsys):
    assert run_check("reset_gradients", each_param(set_to_none), capsys).startswith("✓")


@pytest.mark.parametrize(
    "body, sentence",
    [
        (unguarded_zero, "b has no gradient yet (its .grad is None)"),
        (zero_the_parameter, "p.zero_() would zero the parameter itself, not its gradient"),
        (zero_the_parameter_quietly, "you changed the parameters themselves"),
        (assign_zero, "p.grad must be a tensor or None"),
        (multiply_without_storing, "w.grad still holds 3.0"),
    ],
    ids=["unguarded", "zeroes-parameter", "zeroes-parameter-under-no-grad", "assigns-int", "no-effect"],
)
def test_reset_gradients_slips(body, sentence, capsys):
    out = run_check("reset_gradients", each_param(body), capsys)
    assert out.startswith("✗ Reset the gradients:") and sentence in out, out


def test_reset_gradients_broken_code_is_a_sentence(capsys):
    def reset_gradients(params):
        for p in params:
            p.grad.zero()  # the learner's typo

    out = run_check("reset_gradients", reset_gradients, capsys)
    assert out.startswith("✗") and "raised AttributeError" in out


# --- training_step --------------------------------------------------------------------------------------


def make_step(zero="none", update="no_grad", sign=1.0, update_b=True, returns="loss"):
    """A training_step with one configurable slip."""

    def training_step(w, b, x, y, lr):
        if zero == "none":
            w.grad = None
            b.grad = None
        elif zero == "unguarded":
            w.grad.zero_()
            b.grad.zero_()
        loss = ((w * x + b - y) ** 2).mean()
        loss.backward()
        if zero == "after_backward":
            w.grad.zero_()
            b.grad.zero_()
        if zero == "none_after_backward":
            w.grad = None
            b.grad = None
        if update == "no_grad":
            with torch.no_grad():
                w -= sign * lr * w.grad
                if update_b:
                    b -= sign * lr * b.grad
        elif update == "in_place_recorded":
            w -= lr * w.grad
            b -= lr * b.grad
        elif update == "rebind":
            w = w - lr * w.grad
            b = b - lr * b.grad
        return {"loss": loss, "none": None, "float": loss.item()}[returns]

    return training_step


@pytest.mark.parametrize("step", [make_step(), make_step(returns="float")], ids=["tensor-loss", "float-loss"])
def test_training_step_right_answers_pass(step, capsys):
    assert run_check("training_step", step, capsys).startswith("✓")


@pytest.mark.parametrize(
    "step, sentence",
    [
        (make_step(zero="never"), "your second step moved w by the sum of two gradients"),
        (make_step(zero="after_backward"), "the gradients were zeroed after backward()"),
        (make_step(zero="none_after_backward"), "reset the gradients before backward(), not between"),
        (make_step(zero="unguarded"), "w.grad is None until the first backward()"),
        (make_step(update="in_place_recorded"), "put the update inside `with torch.no_grad():`"),
        (make_step(update="rebind"), "w = w - ... only makes a new tensor inside your function"),
        (make_step(sign=-1.0), "w and b moved uphill"),
        (make_step(update_b=False), "update b the same way as w"),
        (make_step(returns="none"), "returned None: return the loss"),
    ],
    ids=["no-zeroing", "zero-after-backward", "none-after-backward", "unguarded-zero", "no-no-grad", "rebinding",
         "uphill", "b-not-updated", "no-return"],
)
def test_training_step_slips(step, sentence, capsys):
    out = run_check("training_step", step, capsys)
    assert out.startswith("✗ One correct training step:") and sentence in out, out


def test_training_step_returning_the_loss_after_the_update_is_spotted(capsys):
    inner = make_step()

    def training_step(w, b, x, y, lr):
        inner(w, b, x, y, lr)
        return ((w * x + b - y) ** 2).mean()

    out = run_check("training_step", training_step, capsys)
    assert "the loss returned by step 1 (computed before the update) should be" in out


# --- train_accumulating --------------------------------------------------------------------------------


def make_loop(scale="sum_over_n", zero="per_step", update="per_step", no_grad=True):
    """A train_accumulating with one configurable slip."""

    def train_accumulating(w, b, batches, lr, steps):
        n = sum(len(x_chunk) for x_chunk, _ in batches)

        def update_now():
            if no_grad:
                with torch.no_grad():
                    w.sub_(lr * w.grad)
                    b.sub_(lr * b.grad)
            else:
                w.sub_(lr * w.grad)
                b.sub_(lr * b.grad)

        for step in range(steps):
            if zero == "per_step":
                w.grad = None
                b.grad = None
            for x_chunk, y_chunk in batches:
                if zero == "per_batch":
                    w.grad = None
                    b.grad = None
                squared_errors = (w * x_chunk + b - y_chunk) ** 2
                loss = {
                    "sum_over_n": squared_errors.sum() / n,
                    "mean": squared_errors.mean(),
                    "mean_over_k": squared_errors.mean() / len(batches),
                    "sum": squared_errors.sum(),
                }[scale]
                loss.backward()
                if update == "per_batch":
                    update_now()
                    w.grad = None
                    b.grad = None
            if update == "per_step":
                update_now()

    return train_accumulating


def test_train_accumulating_one_full_batch_is_also_right(capsys):
    def train_accumulating(w, b, batches, lr, steps):
        x = torch.cat([xb for xb, _ in batches])
        y = torch.cat([yb for _, yb in batches])
        for step in range(steps):
            w.grad = None
            b.grad = None
            ((w * x + b - y) ** 2).mean().backward()
            with torch.no_grad():
                w -= lr * w.grad
                b -= lr * b.grad

    assert run_check("train_accumulating", train_accumulating, capsys).startswith("✓")


def test_train_accumulating_right_answer_passes(capsys):
    assert run_check("train_accumulating", make_loop(), capsys).startswith("✓")


@pytest.mark.parametrize(
    "loop, sentence",
    [
        (make_loop(scale="mean"), "about 3 times too big"),
        (make_loop(scale="mean_over_k"), "exact only when they all have the same size"),
        (make_loop(scale="sum"), "divide each micro-batch's sum by n"),
        (make_loop(zero="never"), "used the gradients of all the steps before it"),
        (make_loop(zero="per_batch"), "only the last micro-batch counted"),
        (make_loop(update="per_batch"), "you updated w and b after every micro-batch"),
        (make_loop(update="never"), "w and b did not move"),
        (make_loop(no_grad=False), "put the update inside `with torch.no_grad():`"),
    ],
    ids=["mean", "mean-over-k", "sum", "no-zeroing", "zero-inside", "update-each", "no-update", "no-no-grad"],
)
def test_train_accumulating_slips(loop, sentence, capsys):
    out = run_check("train_accumulating", loop, capsys)
    assert out.startswith("✗ Train with accumulated micro-batch gradients:") and sentence in out, out


def test_train_accumulating_broken_code_is_a_sentence(capsys):
    def train_accumulating(w, b, batches, lr, steps):
        for x_chunk, y_chunk in batches:
            ((w * x_chunk + b - y_chunk) ** 2).sum() / n  # noqa: F821 (the learner forgot n)

    out = run_check("train_accumulating", train_accumulating, capsys)
    assert "raised NameError: name 'n' is not defined" in out
