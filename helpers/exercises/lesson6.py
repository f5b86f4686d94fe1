"""Lesson 06 (optimizers, validation and early stopping): fix a loop from its loss curve, the validation loss,
and early stopping that keeps the best parameters.

Each check runs the learner's function on small cases and names the usual slips in one sentence.
"""
from __future__ import annotations

from typing import Any, Callable

import torch

from helpers.exercises.reference import loss_fn, model, model_and_loss
from helpers.checks import Wrong, call, exercise, expect_close
from helpers.data import thermometer


_given = model_and_loss


def _call_quietly(fn: Callable[..., Any], *args: Any, what: str) -> Any:
    """Call the learner's function; name the in-place error autograd raises for an update outside no_grad."""
    try:
        return call(fn, *args, what=what)
    except Wrong as wrong:
        if "leaf Variable that requires grad" in str(wrong):
            raise Wrong(
                "PyTorch refused an in-place change of params while autograd watches it: let optimizer.step()"
                " do the update."
            ) from None
        raise


# --- exercise 1: a loop whose loss curve swings (think: what does the curve say?) ------------------


def _reference_fit(n: int, lr: float, x: torch.Tensor, y: torch.Tensor, order: str = "top") -> torch.Tensor:
    """The lesson's loop with an optimizer; `order` moves the reset (or drops it) to copy the usual slips."""
    params = torch.tensor([1.0, 0.0], requires_grad=True)
    optimizer = torch.optim.SGD([params], lr=lr)
    for _ in range(n):
        if order == "top":
            optimizer.zero_grad()
        loss = loss_fn(model(x, *params), y)
        loss.backward()
        if order == "between":
            optimizer.zero_grad()
        optimizer.step()
    return params.detach()


def _fixed_cases() -> list[tuple[int, float, torch.Tensor, torch.Tensor]]:
    t_u, t_c = thermometer()
    z = (t_u - t_u.mean()) / t_u.std()
    return [(40, 0.02, z, t_c), (25, 0.05, z[:6], t_c[:6])]


@exercise(
    "train_fixed",
    lesson=6,
    title="Exercise 1: fix a loop from its loss curve",
    hints=(
        "A loss that falls, then swings up and down and does not settle, means each step is pushed by more than"
        " the current gradient. What does backward() do to a .grad that already holds a number (lesson 04)?",
        "Copy train_broken and add the one call the course puts at the top of every step with an optimizer;"
        " keep everything else.",
    ),
    solution="""
        def train_fixed(n_epochs, optimizer, params, x, y):
            losses = []
            for epoch in range(n_epochs):
                optimizer.zero_grad()
                loss = loss_fn(model(x, *params), y)
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
            return losses
    """,
    given=_given,
)
def _train_fixed(answer: Any) -> None:
    for index, (n, lr, x, y) in enumerate(_fixed_cases()):
        params = torch.tensor([1.0, 0.0], requires_grad=True)
        optimizer = torch.optim.SGD([params], lr=lr)
        what = f"train_fixed({n}, optimizer, params, x, y)"
        got = _call_quietly(answer, n, optimizer, params, x, y, what=what)
        after = params.detach()
        if torch.allclose(after, _reference_fit(n, lr, x, y), rtol=1e-4, atol=1e-5):
            if not isinstance(got, (list, tuple)) or len(got) != n:
                raise Wrong(f"params are right; now return the list of the {n} losses, as train_broken does.")
            continue
        if torch.equal(after, torch.tensor([1.0, 0.0])):
            raise Wrong(
                "params never moved: optimizer.zero_grad() between backward() and step() throws the fresh gradient"
                " away. Reset at the top of the epoch, before the forward pass."
            )
        if torch.allclose(after, _reference_fit(n, lr, x, y, order="never"), rtol=1e-4, atol=1e-5):
            raise Wrong(
                "your params match the broken loop: gradients still pile up in .grad (backward() adds to it), so"
                " each step follows the sum of all past gradients and overshoots. Call optimizer.zero_grad() in"
                " every epoch, not only once."
            )
        for wrong_n, sentence in ((n - 1, "one epoch too few"), (n + 1, "one epoch too many")):
            if torch.allclose(after, _reference_fit(wrong_n, lr, x, y), rtol=1e-4, atol=1e-5):
                raise Wrong(f"your loop ran {sentence}: `range(n_epochs)` gives {n} epochs.")
        if index > 0:
            raise Wrong("your loop got the lesson's readings right but not others: use the arguments x and y.")
        want = _reference_fit(n, lr, x, y)
        raise Wrong(
            f"after {what} params should be [{want[0]:.4f}, {want[1]:.4f}], but yours are"
            f" [{after[0]:.4f}, {after[1]:.4f}]: keep train_broken's lines and add only the reset."
        )


# --- exercise 2: a loss that does not learn -------------------------------------------------------


def _validation_cases() -> list[tuple[list[float], torch.Tensor, torch.Tensor]]:
    """(params, x_val, y_val): the lesson's two validation readings, standardised, then five other ones."""
    t_u, t_c = thermometer()
    z = (t_u - 51.74) / 16.95
    return [([9.0, 10.0], z[[10, 0]], t_c[[10, 0]]), ([2.0, 1.0], z[:5], t_c[:5])]


@exercise(
    "validation_loss",
    lesson=6,
    title="Exercise 2: the validation loss",
    hints=(
        "The validation loss is the same mean squared error as the training loss, measured on other readings;"
        " autograd should record nothing, and nothing should learn from it.",
        "Open a `with torch.no_grad():` block and return loss_fn of the model's predictions for x_val against"
        " y_val (the same two calls as the training loss).",
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
        diffs = model(x, *params.detach()) - y
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


# --- exercise 3: early stopping that keeps the best parameters (think: when to stop, what to keep) ---


class _FakeTraining:
    """A stand-in for one epoch of training: moves params by a fixed step, returns the next validation loss."""

    def __init__(self, val_losses: list[float], max_epochs: int) -> None:
        self.val_losses, self.max_epochs = val_losses, max_epochs
        self.params = torch.zeros(2, requires_grad=True)
        self.calls = 0

    def step(self) -> float:
        if self.calls >= self.max_epochs:
            raise Wrong(f"your loop called step() more than max_epochs = {self.max_epochs} times.")
        self.calls += 1
        with torch.no_grad():
            self.params += torch.tensor([1.0, -0.5])  # after epoch k, params = [k, -k/2]
        return self.val_losses[self.calls - 1]

    @staticmethod
    def params_after(epoch: int) -> torch.Tensor:
        return torch.tensor([1.0, -0.5]) * epoch


# (validation losses, patience, max_epochs, best epoch, epochs run)
_STOP_CASES = (
    ([5.0, 4.0, 3.0, 3.5, 2.5, 2.6, 2.7, 2.8, 2.9, 3.0, 3.1, 3.2], 3, 12, 5, 8),
    ([3.0, 2.0, 2.5, 2.4, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5], 3, 10, 5, 8),
    ([4.0, 3.0, 2.0, 1.5, 1.2], 2, 5, 5, 5),
)


def _first_rise(val_losses: list[float]) -> int | None:
    """The first epoch (from 1) whose validation loss is above the one before, if any."""
    return next((i + 1 for i in range(1, len(val_losses)) if val_losses[i] > val_losses[i - 1]), None)


@exercise(
    "early_stopping",
    lesson=6,
    title="Exercise 3: early stopping that keeps the best parameters",
    hints=(
        "Track two things as you go: the lowest validation loss so far (with its epoch and a snapshot of params"
        " at that moment), and how many epochs have passed since it was set. Training keeps changing params in"
        " place after the best epoch.",
        "Count epochs with `for epoch in range(1, max_epochs + 1):`; a snapshot that later steps cannot change"
        " is `params.detach().clone()`; the stop test compares `epoch - best_epoch` with `patience`.",
    ),
    solution="""
        def early_stopping(step, params, patience, max_epochs):
            best_loss, best_epoch, best_params = float("inf"), 0, None
            for epoch in range(1, max_epochs + 1):
                val_loss = step()
                if val_loss < best_loss:
                    best_loss, best_epoch, best_params = val_loss, epoch, params.detach().clone()
                elif epoch - best_epoch >= patience:
                    break
            return best_params, best_epoch
    """,
)
def _early_stopping(answer: Any) -> None:
    for val_losses, patience, max_epochs, best_epoch, epochs_run in _STOP_CASES:
        run = _FakeTraining(val_losses, max_epochs)
        what = f"early_stopping(step, params, patience={patience}, max_epochs={max_epochs})"
        got = call(answer, run.step, run.params, patience, max_epochs, what=what)
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Wrong(f"{what} should return two things, (best_params, best_epoch), but it returned {got!r}.")
        kept, epoch = got
        if run.calls != epochs_run:
            if epochs_run < max_epochs and run.calls == max_epochs:
                raise Wrong(
                    f"your loop never stopped: with validation losses {val_losses} the lowest is at epoch"
                    f" {best_epoch}, so with patience {patience} it should stop after epoch {epochs_run}."
                )
            if run.calls == _first_rise(val_losses) and patience > 1:
                raise Wrong(
                    "your loop stopped at the first epoch the validation loss went up: patience means waiting"
                    f" {patience} epochs without a new lowest loss, because it may still come down."
                )
            if abs(run.calls - epochs_run) == 1:
                raise Wrong(
                    f"your loop ran {run.calls} epochs instead of {epochs_run}: stop after exactly `patience` epochs"
                    f" without a new lowest loss, i.e. at epoch best_epoch + patience = {best_epoch} + {patience}."
                )
            raise Wrong(
                f"with validation losses {val_losses} and patience {patience}, your loop ran {run.calls} epochs;"
                f" it should run {epochs_run} (the lowest loss is at epoch {best_epoch})."
            )
        if isinstance(epoch, torch.Tensor) and epoch.numel() == 1:
            epoch = epoch.item()
        if epoch == best_epoch - 1:
            raise Wrong("your best_epoch is one too small: count epochs from 1, as `range(1, max_epochs + 1)` does.")
        if epoch != best_epoch:
            raise Wrong(f"best_epoch should be {best_epoch}, the epoch with the lowest validation loss, not {epoch!r}.")
        if not isinstance(kept, torch.Tensor) or kept.shape != run.params.shape:
            raise Wrong(f"best_params should be a tensor like params (a copy of it), but it is {kept!r}.")
        if (kept is run.params or torch.equal(kept.detach(), run.params.detach())) and epochs_run != best_epoch:
            raise Wrong(
                "you kept params itself, which training went on changing after the best epoch: keep a snapshot,"
                " params.detach().clone()."
            )
        if not torch.equal(kept.detach(), run.params_after(best_epoch)):
            others = [k for k in range(1, epochs_run + 1) if torch.equal(kept.detach(), run.params_after(k))]
            where = f"those of epoch {others[0]}" if others else "from no epoch of the run"
            raise Wrong(f"the params you kept are {where}, not those of epoch {best_epoch}, the lowest validation loss.")
