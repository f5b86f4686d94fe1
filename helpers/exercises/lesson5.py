"""Lesson 4 (gradient descent): the update step, the whole training loop, and a validation loss.

Each check runs the learner's function on small cases, compares with the right answer, and names the
usual slips (wrong sign, gradients never zeroed, update outside `torch.no_grad()`, ...) in one sentence.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

import torch

from helpers.checks import Wrong, call, exercise, expect_close
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


def _model(t_u: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return w * t_u + b


def _loss_fn(t_p: torch.Tensor, t_c: torch.Tensor) -> torch.Tensor:
    return ((t_p - t_c) ** 2).mean()


def _given() -> dict[str, Any]:
    """The names the notebook has defined when the exercises come up."""
    return {"model": _model, "loss_fn": _loss_fn}


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
                    "params.grad is None until the first backward(), so there is nothing to zero yet: write"
                    " `if params.grad is not None: params.grad.zero_()`."
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
    _loss_fn(_model(t_un, *real), t_c).backward()
    made_up = torch.tensor([3.0, -1.0], requires_grad=True)
    made_up.grad = torch.tensor([2.0, -4.0])
    return [(real, 1e-2), (made_up, 0.25)]


@exercise(
    "update_step",
    lesson=5,
    title="Exercise 1: the update step",
    hints=(
        "Gradient descent moves each parameter a small step against its gradient: the new value is the old one"
        " minus learning_rate times the gradient, which autograd left in params.grad.",
        "Change params in place (with `-=`) inside the `with torch.no_grad():` block:"
        " `params -= learning_rate * params.grad`.",
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
        loss = _loss_fn(_model(x, *params), y)
        if zero and params.grad is not None:
            params.grad.zero_()
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
            "your params match a loop that never zeroes the gradient: .grad adds up over backward() calls, so"
            " each epoch must reset it (`params.grad.zero_()`, when it is not None) before `loss.backward()`.",
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
        "Each epoch does five things in order: predict with model(x, *params), compute loss_fn(prediction, y),"
        " zero params.grad (if it is not None), call loss.backward(), then update params under torch.no_grad().",
        "Inside `for epoch in range(n_epochs):` write the five lines of section 1 with x and y in place of"
        " t_un and t_c; after the loop, `return params`.",
    ),
    solution="""
        def train(n_epochs, learning_rate, params, x, y):
            for epoch in range(1, n_epochs + 1):
                t_p = model(x, *params)
                loss = loss_fn(t_p, y)
                if params.grad is not None:
                    params.grad.zero_()
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
                "params did not move: check that the update runs every epoch, and that you zero the gradient"
                " before `loss.backward()`, not between backward() and the update."
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


# --- exercise 3: a loss that does not learn -------------------------------------------------------


def _validation_cases() -> list[tuple[list[float], torch.Tensor, torch.Tensor]]:
    """(params, x_val, y_val): two readings of the lesson's validation kind, then five other ones."""
    t_un, t_c = _scaled_data()
    return [([5.0, -16.0], t_un[[10, 0]], t_c[[10, 0]]), ([2.0, 1.0], t_un[:5], t_c[:5])]


@exercise(
    "validation_loss",
    lesson=5,
    title="Exercise 3: the validation loss",
    hints=(
        "The validation loss is the same mean squared error as the training loss, on x_val and y_val; compute it"
        " inside `with torch.no_grad():` so autograd records nothing, and never call backward() on it.",
        "`with torch.no_grad():` then `return loss_fn(model(x_val, *params), y_val)`.",
    ),
    solution="""
        def validation_loss(params, x_val, y_val):
            with torch.no_grad():
                return loss_fn(model(x_val, *params), y_val)
    """,
    given=_given,
)
def _validation_loss(answer: Any) -> None:
    for index, (start, x, y) in enumerate(_validation_cases()):
        params = torch.tensor(start, requires_grad=True)
        what = "validation_loss(params, x_val, y_val)"
        got = _call_quietly(answer, params, x, y, what=what)
        if got is None:
            raise Wrong(f"{what} returned None: did you forget `return`?")
        if params.grad is not None:
            raise Wrong(
                "your function filled params.grad: the validation loss is only measured, never used to learn,"
                " so do not call backward() on it."
            )
        if isinstance(got, torch.Tensor):
            if got.requires_grad:
                raise Wrong(
                    "your loss still requires grad, so autograd recorded a graph nobody will use: compute it"
                    " inside `with torch.no_grad():`."
                )
            if got.numel() == len(x) and len(x) > 1:
                raise Wrong(
                    f"your function returned {len(x)} values, one per reading: average the squared differences"
                    " into one number with `.mean()`."
                )
        diffs = _model(x, *params.detach()) - y
        want = (diffs**2).mean()
        if isinstance(got, bool) or not isinstance(got, (int, float, torch.Tensor)):
            raise Wrong(f"{what} should return the loss, a number, but it returned {got!r}.")
        value = torch.as_tensor(got.detach() if isinstance(got, torch.Tensor) else got, dtype=torch.float32)
        if value.numel() == 1 and torch.isfinite(value).all() and not torch.isclose(value.reshape(()), want, rtol=1e-4):
            slips = (
                ((diffs**2).sum(), "you summed the squared differences: take their mean, as loss_fn does."),
                ((diffs**2).mean().sqrt(), "you took the square root: the loss is the mean of the squares itself."),
                (diffs.abs().mean(), "you averaged the distances without squaring them: square the differences."),
                (diffs.mean(), "you averaged the differences without squaring them: square them first."),
            )
            for slip, sentence in slips:
                if torch.isclose(value.reshape(()), slip, rtol=1e-4):
                    raise Wrong(sentence)
            if index > 0:
                raise Wrong(
                    "your function gave the right loss for one set of readings but not for another: use the"
                    " arguments params, x_val and y_val, not names from the notebook."
                )
        expect_close(got, want.item(), f"the validation loss for params {start}", rtol=1e-4)
