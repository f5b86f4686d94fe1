"""Lesson 05 (the training loop and its regimes): the update step, the whole loop, and the book's quadratic model.

Each check runs the learner's function on small cases, compares with the right answer, and names the
usual slips (wrong sign, gradients never reset, update outside `torch.no_grad()`, a stalled or diverging
run, ...) in one sentence.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

import torch

from helpers.exercises.reference import loss_fn, model, model_and_loss
from helpers.checks import Wrong, call, exercise, expect_close, first_slip
from helpers.data import thermometer

_LEAF_ERROR = "a leaf Variable that requires grad is being used in an in-place operation"
_NO_GRAD_SENTENCE = (
    "PyTorch refused to change params in place because autograd is watching it: put the update inside "
    "`with torch.no_grad():`."
)
_REBOUND_SENTENCE = (
    "`params = params - ...` makes a new tensor and gives it the old name, so the next epoch has no .grad to use:"
    " change params itself with `params -= learning_rate * params.grad` inside `with torch.no_grad():`."
)


_given = model_and_loss


def _scaled_data() -> tuple[torch.Tensor, torch.Tensor]:
    t_u, t_c = thermometer()
    return 0.1 * t_u, t_c


def _call_quietly(fn: Callable[..., Any], *args: Any, what: str) -> Any:
    """Call the learner's function; turn the usual autograd errors and warnings into their own sentences."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = call(fn, *args, what=what)
        except Wrong as wrong:
            message = str(wrong)
            if _LEAF_ERROR in message:
                raise Wrong(_NO_GRAD_SENTENCE) from None
            if any("not a leaf Tensor" in str(w.message) for w in caught) or "does not require grad" in message:
                raise Wrong(_REBOUND_SENTENCE) from None
            if "'NoneType' object has no attribute 'zero_'" in message:
                raise Wrong(
                    "params.grad is None until the first backward(), so zero_() has nothing to act on: reset with"
                    " `params.grad = None` at the top of each epoch instead."
                ) from None
            if "NoneType" in message:
                raise Wrong(
                    f"{what} found no gradient in params.grad (it was None): call `loss.backward()` before the"
                    " update, and keep updating the same params tensor."
                ) from None
            raise
    if any("not a leaf Tensor" in str(w.message) for w in caught):
        raise Wrong(_REBOUND_SENTENCE)
    return result


def _close(a: torch.Tensor, b: torch.Tensor, rtol: float = 1e-4, atol: float = 1e-4) -> bool:
    return a.shape == b.shape and bool(torch.isfinite(a).all()) and torch.allclose(a, b, rtol=rtol, atol=atol)


# --- exercise 1: one line, the update -------------------------------------------------------------


def _update_cases() -> list[tuple[torch.Tensor, float]]:
    """(params holding a gradient, learning rate): a real gradient of the lesson's loss, then a made-up one."""
    t_un, t_c = _scaled_data()
    real = torch.tensor([1.0, 0.0], requires_grad=True)
    loss_fn(model(t_un, *real), t_c).backward()
    made_up = torch.tensor([3.0, -1.0], requires_grad=True)
    made_up.grad = torch.tensor([2.0, -4.0])
    return [(real, 1e-2), (made_up, 0.25)]


@exercise(
    "update_step",
    lesson=5,
    title="Exercise 1: the update step",
    hints=(
        "Gradient descent moves each parameter a small step against its gradient: the new value is the old one"
        " minus learning_rate times the gradient.",
        "Inside the `with torch.no_grad():` block, change params in place with `-=`; the gradient is where"
        " backward() left it, in params.grad.",
    ),
    solution="""
        def update_step(params, learning_rate):
            with torch.no_grad():
                params -= learning_rate * params.grad
    """,
    given=_given,
)
def _update_step(answer: Any) -> None:
    for params, lr in _update_cases():
        before, grad = params.detach().clone(), params.grad.clone()
        what = f"update_step(params, {lr:g})"
        returned = _call_quietly(answer, params, lr, what=what)
        after = params.detach()
        want = before - lr * grad
        if _close(after, want, rtol=1e-6, atol=1e-6):
            continue
        if torch.equal(after, before):
            if isinstance(returned, torch.Tensor) and _close(returned.detach(), want, rtol=1e-6, atol=1e-6):
                raise Wrong(
                    "params itself did not change: `params = params - ...` only builds a new tensor inside your"
                    " function. Change the tensor in place with `params -= learning_rate * params.grad`."
                )
            if params.grad is not None and not torch.equal(params.grad, grad):
                raise Wrong("your line changed params.grad, not params: subtract the step from params itself.")
            raise Wrong(
                f"after {what}, params did not change. If you wrote `params = params - ...`, that only builds a new"
                " tensor inside your function: change params in place with `params -= learning_rate * params.grad`."
            )
        if _close(after, before + lr * grad, rtol=1e-6, atol=1e-6):
            raise Wrong(
                "params moved uphill, in the direction of the gradient: subtract the step (`-=`) instead of adding"
                " it, so the loss goes down."
            )
        if _close(after, before - grad, rtol=1e-6, atol=1e-6):
            raise Wrong(
                "params moved by the whole gradient: multiply the gradient by learning_rate before subtracting it."
            )
        if lr != 1e-2 and _close(after, before - 1e-2 * grad, rtol=1e-6, atol=1e-6):
            raise Wrong(
                f"with learning_rate {lr:g} your step used 0.01: use the argument learning_rate, not a fixed number."
            )
        expect_close(after, want, f"params after {what}", rtol=1e-6, atol=1e-6)


# --- exercise 2: the whole loop -------------------------------------------------------------------


def _reference_train(
    n_epochs: int, lr: float, start: list[float], x: torch.Tensor, y: torch.Tensor, zero: bool = True, sign: float = -1.0
) -> torch.Tensor:
    """The loop of the lesson, with switches for the usual slips; returns the final params."""
    params = torch.tensor(start, requires_grad=True)
    for _ in range(n_epochs):
        if zero:
            params.grad = None
        loss = loss_fn(model(x, *params), y)
        loss.backward()
        with torch.no_grad():
            params += sign * lr * params.grad
    return params.detach()


def _train_cases() -> list[tuple[int, float, list[float], torch.Tensor, torch.Tensor]]:
    """(n_epochs, learning_rate, starting params, x, y): the lesson's scaled data, then a part of it."""
    t_un, t_c = _scaled_data()
    return [(100, 1e-2, [1.0, 0.0], t_un, t_c), (50, 2e-2, [0.5, 1.0], t_un[:8], t_c[:8])]


def _train_slips(n: int, lr: float, start: list[float], x: torch.Tensor, y: torch.Tensor) -> list[tuple[torch.Tensor, str]]:
    return [
        (
            _reference_train(n, lr, start, x, y, zero=False),
            "your params match a loop that never resets the gradient: .grad adds up over backward() calls"
            " (lesson 04), so each epoch must start with `params.grad = None`.",
        ),
        (
            _reference_train(n, lr, start, x, y, sign=1.0),
            "your params moved uphill, with the gradient: the update subtracts the step,"
            " `params -= learning_rate * params.grad`.",
        ),
        (
            _reference_train(n - 1, lr, start, x, y),
            f"your loop ran one epoch too few: `range(n_epochs)` or `range(1, n_epochs + 1)` gives {n} epochs.",
        ),
        (
            _reference_train(n + 1, lr, start, x, y),
            f"your loop ran one epoch too many: `range(n_epochs)` or `range(1, n_epochs + 1)` gives {n} epochs.",
        ),
    ]


@exercise(
    "train",
    lesson=5,
    title="Exercise 2: write the training loop",
    hints=(
        "Each epoch does the five steps of section 1, in order: reset the gradient, forward, loss, backward,"
        " update under torch.no_grad().",
        "Inside `for epoch in range(n_epochs):` write the five lines of section 1 with x and y in place of"
        " t_u and t_c; after the loop, hand params back.",
    ),
    solution="""
        def train(n_epochs, learning_rate, params, x, y):
            for epoch in range(1, n_epochs + 1):
                params.grad = None
                t_p = model(x, *params)
                loss = loss_fn(t_p, y)
                loss.backward()
                with torch.no_grad():
                    params -= learning_rate * params.grad
            return params
    """,
    given=_given,
)
def _train(answer: Any) -> None:
    for index, (n, lr, start, x, y) in enumerate(_train_cases()):
        params = torch.tensor(start, requires_grad=True)
        what = f"train({n}, {lr:g}, params, x, y)"
        got = _call_quietly(answer, n, lr, params, x, y, what=what)
        if isinstance(got, (tuple, list)) and got and isinstance(got[0], torch.Tensor):
            got = got[0]  # like the lesson's training_loop, which returns (params, losses)
        if got is None:
            raise Wrong(f"{what} returned None: end the function with `return params` (after the loop).")
        if not isinstance(got, torch.Tensor) or got.shape != (2,):
            raise Wrong(
                f"{what} should return params, the tensor [w, b], but it returned {_describe_short(got)}."
            )
        got = got.detach()
        want = _reference_train(n, lr, start, x, y)
        if _close(got, want):
            continue
        if torch.equal(got, torch.tensor(start)):
            raise Wrong(
                "params did not move: check that the update runs every epoch, and that you reset the gradient"
                " at the top of the epoch, not between backward() and the update."
            )
        for slip, sentence in _train_slips(n, lr, start, x, y):
            if _close(got, slip):
                raise Wrong(sentence)
        if index > 0:
            raise Wrong(
                "your loop got the lesson's data right but not other data: use the arguments x and y inside"
                " train, not the notebook's t_un and t_c."
            )
        if not torch.isfinite(got).all():
            raise Wrong(
                f"{what} ended with NaN or infinity in params: the training diverged, so check the sign and size of"
                " the update step."
            )
        raise Wrong(
            f"after {what} params should be [{want[0]:.4f}, {want[1]:.4f}], but yours are"
            f" [{got[0]:.4f}, {got[1]:.4f}]: compare your loop line by line with the five steps of section 1."
        )


def _describe_short(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        if value.numel() == 1:
            return "a single number (is it the loss?)"
        return f"a tensor of shape {tuple(value.shape)}"
    return f"{value!r}"


# --- exercise 3: the book's quadratic model (think: which inputs, which learning rate?) ------------


def _quadratic_given() -> dict[str, Any]:
    t_u, t_c = thermometer()
    return {"t_u": t_u, "t_c": t_c, "model": model, "loss_fn": loss_fn}


def _best_losses() -> tuple[float, float]:
    """The least-squares losses of the quadratic and of the straight line on all eleven readings (float64)."""
    t_u, t_c = (v.double() for v in thermometer())
    best = []
    for columns in ([t_u**2, t_u, torch.ones_like(t_u)], [t_u, torch.ones_like(t_u)]):
        X = torch.stack(columns, dim=1)
        solution = torch.linalg.lstsq(X, t_c.unsqueeze(1)).solution.squeeze(1)
        best.append(loss_fn(X @ solution, t_c).item())
    return best[0], best[1]


def _as_losses(got: Any) -> list[float]:
    what = "quadratic_loss()"
    if got is None:
        raise Wrong(f"{what} returned None: collect each epoch's loss.item() in a list and `return losses`.")
    if isinstance(got, torch.Tensor):
        got = got.detach().flatten().tolist() if got.numel() > 1 else got.item()
    if isinstance(got, (int, float)) and not isinstance(got, bool):
        raise Wrong(
            f"{what} returned one number: return the list of losses, one per epoch, so the check can see whether"
            " your run diverged, stalled or converged."
        )
    if not isinstance(got, (list, tuple)) or len(got) < 2:
        raise Wrong(f"{what} should return the list of losses, one per epoch, but it returned {got!r}.")
    try:
        return [float(v.item() if isinstance(v, torch.Tensor) else v) for v in got]
    except (TypeError, ValueError, RuntimeError):
        raise Wrong(f"{what} should return a list of numbers (use loss.item() each epoch).") from None


@exercise(
    "quadratic_loss",
    lesson=5,
    title="Exercise 3: the book's quadratic model",
    hints=(
        "The quadratic has three parameters and its own loss valley: the column t_u ** 2 runs to 6,700 on raw"
        " readings (67 rescaled), far from zero and far larger than the others. What made the straight line's"
        " valley round?",
        "Standardise first, z = (t_u - mean) / std, and train t_p = w2 * z ** 2 + w1 * z + b (still a quadratic"
        " in t_u) with params = torch.zeros(3, requires_grad=True) and the loop of section 2; pick the learning"
        " rate below 2 / steepest curvature, which `curvatures` gives for two columns (build the 3-column X"
        " the same way).",
    ),
    solution="""
        def quadratic_loss():
            z = (t_u - t_u.mean()) / t_u.std()             # standardised readings
            params = torch.zeros(3, requires_grad=True)    # [w2, w1, b] of w2 * z**2 + w1 * z + b
            losses = []
            for epoch in range(200):
                params.grad = None
                t_p = params[0] * z ** 2 + params[1] * z + params[2]
                loss = loss_fn(t_p, t_c)
                loss.backward()
                with torch.no_grad():
                    params -= 0.2 * params.grad            # below the edge 2 / 5.28 = 0.38
                losses.append(loss.item())
            return losses
    """,
    given=_quadratic_given,
)
def _quadratic_loss(answer: Any) -> None:
    losses = _as_losses(call(answer, what="quadratic_loss()"))
    best, line = _best_losses()
    last = losses[-1]
    if not all(torch.isfinite(torch.tensor(losses))) or last > losses[0]:
        raise Wrong(
            "your loss grew (or reached inf/nan): the learning rate is past the edge 2 / steepest curvature for"
            " your inputs, and the t_u ** 2 column makes that curvature huge unless you standardise."
        )
    slips = (
        (len(_quadratic_given()["t_u"]) * best, "your last loss is the sum of the squared errors: loss_fn takes"
         " their mean."),
        (line, "your last loss is the straight line's best loss: the w2 term is missing from your model, or w2"
         " never moved from 0."),
    )
    first_slip(last, slips, lambda got, value: abs(got - value) <= 2e-3 * value)
    if last < best * (1 - 1e-3):
        raise Wrong(
            "your last loss is below the lowest any quadratic can reach on these readings: compute loss_fn on all"
            " eleven readings, t_c against your predictions."
        )
    if last <= best * 1.001:
        return
    earlier = losses[-max(2, len(losses) // 10)]
    if earlier - last > 0.01 * last:
        raise Wrong(
            f"your last loss, {last:.4g}, is above the best quadratic's and was still falling fast when your loop"
            " ended: train for more epochs."
        )
    if last > line:
        raise Wrong(
            f"your last loss, {last:.4g}, is worse than the straight line's (a quadratic with w2 = 0 is that line)"
            " and hardly moves any more: a stall in a long valley, where one learning rate cannot serve the steep"
            " t_u ** 2 direction and the flat ones. Standardise the readings, then choose the rate from the"
            " curvature."
        )
    raise Wrong(
        f"your last loss, {last:.4g}, beats the line but not the best quadratic, and it hardly moves any more: a"
        " stall. Standardise the readings so that one larger learning rate suits all three parameters."
    )
