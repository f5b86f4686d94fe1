"""One training run, without widgets: what the lab trains and remembers.

    run = TrainingRun(train_epoch, OPTIMIZERS, INPUTS, (x_train, y_train, x_val, y_val))
    run.start_over(run.settings_with(lr=1e-2, optimizer="SGD", inputs="rescaled ×0.1", batch_size=9))
    for epoch in run.advance(100):   # trains epoch by epoch; never draws
        ...
    run.epoch, run.diverged_at, run.history, run.settings

The notebook owns the mechanism: `train_epoch(params, optimizer, x_train, y_train, x_val, y_val, batch_size,
generator)` runs ONE epoch (its mini-batch steps, then the validation loss) and returns (the loss of each
step, the validation loss); each optimizer factory builds a torch.optim optimizer; each input function turns
raw readings into what the model sees. This module only calls them, records the epochs and spots divergence.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterator, Mapping

import numpy as np
import torch

from helpers.errors import CourseError, in_one_line, positive_int, positive_number

LR_MIN, LR_MAX = 1e-5, 3.0
MAX_EPOCHS = 20_000


@dataclass(frozen=True)
class Settings:
    """What a run trains with; changing any of these starts over."""

    lr: float
    optimizer: str
    inputs: str
    batch_size: int


def check_lr(lr: Any) -> float:
    """The learning rate as a float, or one sentence on why it cannot be one."""
    lr = positive_number(lr, "The learning rate", "1e-2")
    if not LR_MIN <= lr <= LR_MAX:
        raise CourseError(f"The learning rate must be between {LR_MIN:g} and {LR_MAX:g}, but got {lr:g}; try 1e-2.")
    return lr


def check_epochs(epochs: Any) -> int:
    """The number of epochs as an int, or one sentence on why it cannot be one."""
    epochs = positive_int(epochs, "The number of epochs", "200")
    if epochs > MAX_EPOCHS:
        raise CourseError(f"The number of epochs must be between 1 and {MAX_EPOCHS}, but got {epochs}; try 200.")
    return epochs


def describe(value: Any) -> str:
    """A short description of `value` for an error sentence (never a multi-line repr)."""
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    text = repr(value)
    return text if len(text) <= 40 and "\n" not in text else f"a {type(value).__name__}"


def check_callable(fn: Any, name: str) -> None:
    if not callable(fn):
        raise CourseError(f"{name} must be the function itself (its name, no parentheses), but got {describe(fn)}.")


def _number(value: Any) -> float:
    """A loss the learner returned (a number or a one-element tensor) as a float, quietly (no autograd warning)."""
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise TypeError
        value = value.detach()
    if isinstance(value, (bool, str)):
        raise TypeError
    return float(value)


def _losses(result: Any) -> tuple[list[float], float]:
    """The (loss of each step, validation loss) that one epoch returned, as floats."""
    try:
        steps, val = result
        steps = [_number(v) for v in steps] if isinstance(steps, (list, tuple)) else [_number(steps)]
        if not steps:
            raise TypeError
        return steps, _number(val)
    except (TypeError, ValueError, RuntimeError):
        raise CourseError(
            f"train_epoch must return (the list of step losses, the validation loss), but returned {describe(result)};"
            " end it with `return step_losses, val_loss.item()`."
        ) from None


def _check_data(data: Any) -> tuple[torch.Tensor, ...]:
    names = ("x_train", "y_train", "x_val", "y_val")
    if not isinstance(data, (tuple, list)) or len(data) != 4:
        raise CourseError(
            "data must be the four tensors (x_train, y_train, x_val, y_val) that train_val_split returns, "
            f"but got {describe(data)}."
        )
    for name, t in zip(names, data):
        if not isinstance(t, torch.Tensor):
            raise CourseError(f"{name} must be a tensor, like torch.tensor([1.0, 2.0]), but got {describe(t)}.")
        if not t.is_floating_point():
            raise CourseError(f"{name} must hold floats, but its dtype is {t.dtype}; use the tensors from thermometer().")
        if t.ndim != 1 or t.numel() == 0:
            raise CourseError(f"{name} must be a non-empty 1-D tensor, but has shape {tuple(t.shape)}.")
        if not torch.isfinite(t).all():
            raise CourseError(f"{name} contains NaN or infinity; use the readings from thermometer().")
    for x_name, y_name, x, y in (("x_train", "y_train", data[0], data[1]), ("x_val", "y_val", data[2], data[3])):
        if x.shape != y.shape:
            raise CourseError(
                f"{x_name} has {len(x)} values but {y_name} has {len(y)}: each input needs its own target; "
                "pass the four tensors from train_val_split in its order."
            )
    return tuple(t.detach() for t in data)


class History:
    """One row per epoch (epoch 0 is the start): epoch, train loss, validation loss, w, b; and one row per
    step: its position in epochs (step 3 of 3 in epoch 2 is at 2.0) and its loss."""

    def __init__(self) -> None:
        self._rows, self._steps = np.empty((256, 5)), np.empty((1024, 2))
        self.n = self.n_steps = 0

    def clear(self, w: float, b: float) -> None:
        self.n = self.n_steps = 0
        self.append(0, [], math.nan, w, b)

    def append(self, epoch: int, steps: list[float], val: float, w: float, b: float) -> None:
        if self.n == len(self._rows):
            self._rows = np.concatenate([self._rows, np.empty_like(self._rows)])
        while self.n_steps + len(steps) > len(self._steps):
            self._steps = np.concatenate([self._steps, np.empty_like(self._steps)])
        k = len(steps)
        self._steps[self.n_steps:self.n_steps + k, 0] = epoch - 1 + np.arange(1, k + 1) / max(k, 1)
        self._steps[self.n_steps:self.n_steps + k, 1] = steps
        self.n_steps += k
        self._rows[self.n] = (epoch, sum(steps) / k if k else math.nan, val, w, b)
        self.n += 1

    def column(self, i: int) -> np.ndarray:
        """0 epoch, 1 train loss (the mean of the epoch's step losses), 2 validation loss, 3 w, 4 b."""
        return self._rows[: self.n, i]

    def steps(self) -> tuple[np.ndarray, np.ndarray]:
        """(position in epochs, loss) of every step so far."""
        return self._steps[: self.n_steps, 0], self._steps[: self.n_steps, 1]


class TrainingRun:
    """Parameters [w, b], an optimizer, the epoch count, the history, and where (if ever) the run diverged."""

    def __init__(
        self,
        train_epoch: Callable[..., Any],
        optimizers: Mapping[str, Callable[..., torch.optim.Optimizer]],
        inputs: Mapping[str, Callable[[torch.Tensor], torch.Tensor]],
        data: Any,
        start: Any = (1.0, 0.0),
        seed: int = 0,
    ) -> None:
        check_callable(train_epoch, "train_epoch")
        for what, table, example in (("optimizers", optimizers, "(params, lr) -> optimizer, like OPTIMIZERS"),
                                     ("inputs", inputs, "of the raw readings, like INPUTS")):
            if not isinstance(table, Mapping) or not table:
                raise CourseError(f"The {what} must be a dict from a name to a function {example}, but got "
                                  f"{describe(table)}; check the order of the arguments.")
            for name, fn in table.items():
                check_callable(fn, f"{what}[{name!r}]")
        if not (isinstance(start, (tuple, list)) and len(start) == 2 and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in start)):
            raise CourseError(f"start must be two numbers (w, b), like (1.0, 0.0), but got {describe(start)}.")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise CourseError(f"seed must be a whole number, like 0, but got {describe(seed)}.")
        self.train_epoch, self.optimizers = train_epoch, dict(optimizers)
        self.x_train, self.y_train, self.x_val, self.y_val = _check_data(data)
        self.inputs = {name: self._transform(name, fn) for name, fn in inputs.items()}
        self.start, self.seed = (float(start[0]), float(start[1])), seed
        self.settings: Settings | None = None
        self.history = History()
        self.epoch, self.goal = 0, 0
        self.diverged_at: int | None = None

    def _transform(self, name: str, fn: Callable[[torch.Tensor], torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        """inputs[name] applied once to the training and the validation readings."""
        out = []
        for x in (self.x_train, self.x_val):
            try:
                result = fn(x)
            except Exception as err:
                raise CourseError(f"inputs[{name!r}] raised {in_one_line(err)}; fix it in the notebook.") from None
            if not isinstance(result, torch.Tensor) or result.shape != x.shape or not torch.isfinite(result).all():
                raise CourseError(
                    f"inputs[{name!r}] must return a tensor of finite numbers shaped like its input {tuple(x.shape)}, "
                    f"but returned {describe(result)}; try `lambda t_u: 0.1 * t_u`."
                )
            out.append(result.detach())
        return out[0], out[1]

    # --- settings -----------------------------------------------------------------------------------------

    def settings_with(self, base: Settings | None = None, **changes: Any) -> Settings:
        """`base` (default: the current settings) with `changes`, each checked; one sentence if one is bad."""
        base = base or self.settings
        known = {"lr", "optimizer", "inputs", "batch_size"}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise CourseError(f"There is no setting called {unknown[0]!r}; the settings are {', '.join(sorted(known))}.")
        if base is None and set(changes) != known:
            raise CourseError(f"A first setting needs all of {', '.join(sorted(known))}.")
        checked = {}
        if "lr" in changes:
            checked["lr"] = check_lr(changes["lr"])
        for key, table, what in (("optimizer", self.optimizers, "optimizer"), ("inputs", self.inputs, "input choice")):
            if key in changes:
                name = changes[key]
                if not isinstance(name, str) or name not in table:
                    raise CourseError(f"There is no {what} called {describe(name)}; choose one of "
                                      f"{', '.join(repr(k) for k in table)}.")
                checked[key] = name
        if "batch_size" in changes:
            checked["batch_size"] = self.check_batch_size(changes["batch_size"])
        return Settings(**checked) if base is None else replace(base, **checked)

    def check_batch_size(self, batch_size: Any) -> int:
        n = len(self.x_train)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not 1 <= batch_size <= n:
            raise CourseError(f"The batch size must be a whole number from 1 to {n} (the training readings; {n} is "
                              f"the full batch), but got {describe(batch_size)}.")
        return batch_size

    # --- training -----------------------------------------------------------------------------------------

    def start_over(self, settings: Settings | None = None) -> None:
        """Back to epoch 0 with `settings` (default: the current ones): fresh params [w, b] (a leaf tensor),
        a fresh optimizer from the notebook, a generator seeded with `seed`. If it fails, nothing changes."""
        settings = settings or self.settings
        if settings is None:
            raise CourseError("start_over needs settings the first time: run.settings_with(lr=..., ...).")
        params = torch.tensor(self.start, requires_grad=True)
        try:
            optimizer = self.optimizers[settings.optimizer]([params], settings.lr)
        except Exception as err:
            raise CourseError(f"optimizers[{settings.optimizer!r}] raised {in_one_line(err)}; fix it in the notebook.") from None
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise CourseError(
                f"optimizers[{settings.optimizer!r}] must return a torch.optim optimizer, like "
                f"torch.optim.SGD(params, lr=lr), but returned {describe(optimizer)}."
            )
        self.settings, self.params, self.optimizer = settings, params, optimizer
        self.generator = torch.Generator().manual_seed(self.seed)
        self.history.clear(*self.start)
        self.epoch = self.goal = 0
        self.diverged_at = None

    def advance(self, epochs: int) -> Iterator[int]:
        """Train up to `epochs` more epochs, yielding the epoch after each; stops early if the run diverges.
        Training goes on while epoch < self.goal: moving `goal` during the advance moves its finish line."""
        if self.settings is None:
            raise CourseError("Call start_over(settings) before training.")
        self.goal = self.epoch + epochs
        while self.epoch < self.goal and self.diverged_at is None:
            self._train_one()
            yield self.epoch

    def train(self, epochs: int) -> None:
        """advance(epochs), all at once."""
        for _ in self.advance(epochs):
            pass

    def _train_one(self) -> None:
        """One epoch of the notebook's train_epoch, recorded; a non-finite loss or (w, b) means it diverged.
        If train_epoch raises, the parameters are put back as they were before the epoch."""
        x_train, x_val = self.inputs[self.settings.inputs]
        before = self.params.detach().clone()
        try:
            result = self.train_epoch(self.params, self.optimizer, x_train, self.y_train, x_val, self.y_val,
                                      self.settings.batch_size, self.generator)
            steps, val = _losses(result)
        except CourseError:
            self._put_back(before)
            raise
        except Exception as err:
            self._put_back(before)
            raise CourseError(
                f"train_epoch raised {in_one_line(err)}; fix it in the notebook, then run its cell and the lab's cell again."
            ) from None
        w, b = self.params.detach().tolist()
        self.epoch += 1
        self.history.append(self.epoch, steps, val, w, b)
        if not all(math.isfinite(v) for v in (*steps, val, w, b)):
            self.diverged_at = self.epoch

    def _put_back(self, before: torch.Tensor) -> None:
        with torch.no_grad():
            self.params.copy_(before)
