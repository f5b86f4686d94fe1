"""Lesson 04 (accumulation and zeroing): fix a loop from its curve, reset gradients, one correct step, and a
loop that accumulates on purpose."""
from __future__ import annotations

from typing import Any, Callable

import torch

from helpers.exercises.reference import loss_fn, model, model_and_loss
from helpers.checks import Wrong, call, exercise, expect_close, explain_error, first_slip
from helpers.data import thermometer

_LR = 1e-2
_STEPS = 3


def _data() -> tuple[torch.Tensor, torch.Tensor]:
    t_u, t_c = thermometer()
    return 0.1 * t_u, t_c


def _leaves() -> tuple[torch.Tensor, torch.Tensor]:
    return torch.tensor(1.0, requires_grad=True), torch.tensor(0.0, requires_grad=True)


_notebook = model_and_loss


def _same_params(got: tuple[float, float], want: tuple[float, float]) -> bool:
    return all(abs(g - s) <= 1e-5 * abs(s) + 1e-6 for g, s in zip(got, want))


# The usual errors of an update step, each with the sentence that fixes it (first match wins).
_UPDATE_ERRORS = (
    ("a leaf Variable that requires grad is being used in an in-place operation",
     "autograd refuses to change w in place while it records: put the update inside `with torch.no_grad():`."),
    ("'NoneType' object has no attribute 'zero_'",
     "w.grad is None until the first backward(), and None has no zero_(): guard it with "
     "`if w.grad is not None:`, or reset with w.grad = None."),
    ("NoneType",
     "a gradient was None when your code used it: reset the gradients before backward(), not between "
     "backward() and the update."),
)


# --- train_repaired: the loop of cell `reset-in-wrong-place` (a flat loss curve), repaired ----------

_FIX_STEPS = 20


def _reference_fixed(variant: str) -> tuple[list[float], tuple[float, float]]:
    """Losses and (w, b) after _FIX_STEPS steps of the optimizer loop: fixed, or with no reset at all."""
    x, y = _data()
    w, b = _leaves()
    optimizer = torch.optim.SGD([w, b], lr=_LR)
    losses = []
    for _ in range(_FIX_STEPS):
        if variant == "right":
            optimizer.zero_grad()
        loss = loss_fn(model(x, w, b), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, (w.item(), b.item())


@exercise(
    "train_repaired",
    lesson=4,
    title="Repair the loop from its curve",
    hints=(
        "A flat curve is not a small learning rate: a small one still moves the loss a little, this one moves "
        "it not at all. So each optimizer.step() changed nothing. What does .grad hold when step() runs?",
        "Follow one pass of the loop in order and ask, after each line, what w.grad holds. Then compare the "
        "order of the lines with the order of section 5 (the function `train_with_optimizer`).",
    ),
    solution="""
        def train_repaired(w, b, x, y, lr, steps):
            optimizer = torch.optim.SGD([w, b], lr=lr)
            losses = []
            for step in range(steps):
                optimizer.zero_grad()  # at the top of the step: before backward(), never between it and step()
                loss = loss_fn(model(x, w, b), y)
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
            return losses
    """,
    given=_notebook,
)
def _train_repaired(answer: Any) -> None:
    x, y = _data()
    w, b = _leaves()
    what = f"train_repaired(w, b, t_un, t_c, lr={_LR}, steps={_FIX_STEPS})"
    try:
        losses = call(answer, w, b, x, y, _LR, _FIX_STEPS, what=what)
    except Wrong as err:
        explain_error(err, _UPDATE_ERRORS)
    if w.item() == 1.0 and b.item() == 0.0:
        raise Wrong(
            "w and b never moved, so the curve is still flat (a bigger learning rate cannot help: the step has "
            "nothing to multiply): when optimizer.step() runs, the gradients backward() computed are gone."
        )
    got = (w.item(), b.item())
    first_slip(got, ((_reference_fixed("no_reset")[1],
                      "now nothing resets the gradients, so every step adds its gradient to all the earlier ones: "
                      "the swinging curve of section 2. Keep the reset, in a place where it does no harm."),),
               same=_same_params)
    want_losses, (want_w, want_b) = _reference_fixed("right")
    expect_close(got[0], want_w, f"w after {_FIX_STEPS} steps", rtol=1e-5)
    expect_close(got[1], want_b, f"b after {_FIX_STEPS} steps", rtol=1e-5)
    if losses is None:
        raise Wrong(f"{what} returned None: keep `return losses` at the end, so that you can plot the new curve.")
    try:
        got_losses = [float(v.detach()) if isinstance(v, torch.Tensor) else float(v) for v in losses]
    except (TypeError, ValueError):
        raise Wrong(f"{what} should return the list of losses, one number per step, but returned {losses!r}.") from None
    expect_close(torch.tensor(got_losses), torch.tensor(want_losses), "the losses you returned", rtol=1e-5)


# --- reset_gradients ------------------------------------------------------------------------------------


@exercise(
    "reset_gradients",
    lesson=4,
    title="Reset the gradients",
    hints=(
        "A parameter that never went through backward() has no gradient tensor: p.grad is None, and None has "
        "no zero_(). Section 3 shows two resets that cope with that.",
        "Either put zero_() under an `if` that compares p.grad with None, as the first cell of section 3 does, "
        "or use section 3's second way, which never touches the old gradient.",
    ),
    solution="""
        def reset_gradients(params):
            for p in params:
                if p.grad is not None:
                    p.grad.zero_()
    """,
)
def _reset_gradients(answer: Any) -> None:
    w = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(-1.0, requires_grad=True)  # never had a gradient: its .grad is None
    v = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (3 * w + v.sum()).backward()
    what = "reset_gradients([w, b, v])"
    try:
        call(answer, [w, b, v], what=what)
    except Wrong as err:
        explain_error(err, (
            ("'NoneType' object has no attribute",
             "b has no gradient yet (its .grad is None), so p.grad.zero_() fails on it: guard it with "
             "`if p.grad is not None:`."),
            ("a leaf Variable that requires grad is being used in an in-place operation",
             "p.zero_() would zero the parameter itself, not its gradient: use p.grad."),
            ("assigned grad expected to be a Tensor or None",
             "p.grad must be a tensor or None: write p.grad.zero_() (guarded) or p.grad = None."),
        ))
    for p, value in ((w, 2.0), (b, -1.0), (v, [1.0, 2.0, 3.0])):
        if not torch.equal(p.detach(), torch.tensor(value)):
            raise Wrong("you changed the parameters themselves: reset p.grad, not p.")
    for name, p in (("w", w), ("v", v)):
        if p.grad is not None and bool((p.grad != 0).any()):
            raise Wrong(
                f"{name}.grad still holds {p.grad.tolist()}: zero it with p.grad.zero_() (or set p.grad = None)."
            )


# --- training_step --------------------------------------------------------------------------------------


def _reference_steps(variant: str) -> list[tuple[float, float, float]]:
    """(loss before the update, w after, b after) for each step of a correct or typically wrong step."""
    x, y = _data()
    w, b = _leaves()
    out = []
    for _ in range(_STEPS):
        if variant != "no_zero":
            w.grad = b.grad = None
        loss = ((w * x + b - y) ** 2).mean()
        loss.backward()
        sign = -1.0 if variant == "uphill" else 1.0
        with torch.no_grad():
            w -= sign * _LR * w.grad
            if variant != "no_b":
                b -= sign * _LR * b.grad
        out.append((loss.item(), w.item(), b.item()))
    return out


_STEP_SLIPS = {
    "no_zero": "your second step moved w by the sum of two gradients: reset the gradients (w.grad = None, "
    "b.grad = None) at the start of the step, before backward().",
    "uphill": "w and b moved uphill, and the loss grows: subtract lr * grad (w -= lr * w.grad), do not add it.",
    "no_b": "w moves correctly but b does not: update b the same way as w.",
}


@exercise(
    "training_step",
    lesson=4,
    title="One correct training step",
    hints=(
        "One step has four parts, in the order of section 5: reset the gradients, compute the loss, "
        "backward(), then change w and b in place under torch.no_grad(). Return the loss.",
        "The body of the loop in section 2's train() is one such step: the same lines, with x, y and lr in "
        "place of t_un, t_c and learning_rate, and `return loss` at the end.",
    ),
    solution="""
        def training_step(w, b, x, y, lr):
            w.grad = None
            b.grad = None
            loss = ((w * x + b - y) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                w -= lr * w.grad
                b -= lr * b.grad
            return loss
    """,
)
def _training_step(answer: Any) -> None:
    x, y = _data()
    w, b = _leaves()
    got = []
    for step in range(1, _STEPS + 1):
        what = f"training_step(w, b, x, y, lr={_LR}) (step {step})"
        try:
            loss = call(answer, w, b, x, y, _LR, what=what)
        except Wrong as err:
            explain_error(err, _UPDATE_ERRORS)
        if step == 1 and w.item() == 1.0 and b.item() == 0.0:
            if w.grad is not None and w.grad.item() == 0.0:
                raise Wrong(
                    "w and b did not move: the gradients were zeroed after backward(), so the update added "
                    "nothing. Reset them at the start of the step, before backward()."
                )
            raise Wrong(
                "w and b did not move: update them in place (w -= lr * w.grad inside `with torch.no_grad():`); "
                "w = w - ... only makes a new tensor inside your function."
            )
        if loss is None:
            raise Wrong(f"{what} returned None: return the loss you computed before the update.")
        got.append((loss, w.item(), b.item()))
    right = _reference_steps("right")
    params = [(g[1], g[2]) for g in got]
    first_slip(params, ((
        [(s[1], s[2]) for s in _reference_steps(variant)], sentence) for variant, sentence in _STEP_SLIPS.items()),
        same=lambda mine, slip: all(_same_params(m, s) for m, s in zip(mine, slip)))
    for step, ((loss, w_after, b_after), (want_loss, want_w, want_b)) in enumerate(zip(got, right), start=1):
        expect_close(w_after, want_w, f"w after step {step}", rtol=1e-5)
        expect_close(b_after, want_b, f"b after step {step}", rtol=1e-5)
        expect_close(loss, want_loss, f"the loss returned by step {step} (computed before the update)", rtol=1e-5)


# --- train_accumulating --------------------------------------------------------------------------------


def _batches() -> list[tuple[torch.Tensor, torch.Tensor]]:
    x, y = _data()
    return list(zip(x.split(4), y.split(4)))  # 4, 4 and 3 readings


def _reference_training(variant: str) -> tuple[float, float]:
    """w and b after _STEPS steps of accumulated training, done right or with a typical slip."""
    batches = _batches()
    n = sum(len(xb) for xb, _ in batches)
    w, b = _leaves()
    scale: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
        "mean_unscaled": lambda se: se.mean(),
        "mean_over_k": lambda se: se.mean() / len(batches),
        "sum_unscaled": lambda se: se.sum(),
    }
    for _ in range(_STEPS):
        if variant != "no_zero":
            w.grad = b.grad = None
        for xb, yb in batches:
            if variant == "zero_inside":
                w.grad = b.grad = None
            squared_errors = (w * xb + b - yb) ** 2
            scale.get(variant, lambda se: se.sum() / n)(squared_errors).backward()
            if variant == "update_each":
                with torch.no_grad():
                    w -= _LR * w.grad
                    b -= _LR * b.grad
                w.grad = b.grad = None
        if variant != "update_each":
            with torch.no_grad():
                w -= _LR * w.grad
                b -= _LR * b.grad
    return w.item(), b.item()


_LOOP_SLIPS = {
    "mean_unscaled": "each micro-batch's mean counts in full, so the summed gradient is about 3 times too big: "
    "divide each micro-batch's sum of squared errors by n, the number of readings in all of them.",
    "mean_over_k": "close, but a few percent off: dividing each mean by the number of micro-batches is exact only "
    "when they all have the same size (these have 4, 4 and 3 readings); divide each sum of squared errors by n.",
    "sum_unscaled": "the summed squared errors are n times the mean squared error: divide each micro-batch's sum by n.",
    "no_zero": "each step also used the gradients of all the steps before it: reset the gradients at the start of "
    "every step, before the micro-batch loop.",
    "zero_inside": "only the last micro-batch counted: a reset inside the micro-batch loop throws away the ones before "
    "it. Reset once per step, before the micro-batch loop.",
    "update_each": "you updated w and b after every micro-batch: accumulate over all of them, then update once "
    "per step.",
}


@exercise(
    "train_accumulating",
    lesson=4,
    title="Train with accumulated micro-batch gradients",
    hints=(
        "Two loops: steps outside, micro-batches inside. The inner loop's backward() calls add up in .grad, so "
        "reset once at the top of each step and update once at its end.",
        "For each micro-batch's loss, use the scaling of section 4 that printed `equals the full batch: True`, "
        "with the n the stub computes for you.",
    ),
    solution="""
        def train_accumulating(w, b, batches, lr, steps):
            n = sum(len(x_chunk) for x_chunk, _ in batches)
            for step in range(steps):
                w.grad = None
                b.grad = None
                for x_chunk, y_chunk in batches:
                    loss = ((w * x_chunk + b - y_chunk) ** 2).sum() / n
                    loss.backward()
                with torch.no_grad():
                    w -= lr * w.grad
                    b -= lr * b.grad
    """,
)
def _train_accumulating(answer: Any) -> None:
    w, b = _leaves()
    what = f"train_accumulating(w, b, batches, lr={_LR}, steps={_STEPS})"
    try:
        call(answer, w, b, _batches(), _LR, _STEPS, what=what)
    except Wrong as err:
        explain_error(err, _UPDATE_ERRORS)
    if w.item() == 1.0 and b.item() == 0.0:
        raise Wrong(
            "w and b did not move: update them in place (w -= lr * w.grad inside `with torch.no_grad():`) "
            "after the micro-batch loop of each step."
        )
    got = (w.item(), b.item())
    first_slip(got, ((_reference_training(variant), sentence) for variant, sentence in _LOOP_SLIPS.items()),
               same=_same_params)
    want_w, want_b = _reference_training("right")
    expect_close(got[0], want_w, f"w after {_STEPS} steps", rtol=1e-5)
    expect_close(got[1], want_b, f"b after {_STEPS} steps", rtol=1e-5)
