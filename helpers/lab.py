"""The gradient-descent lab: sliders and buttons around a training step that the notebook writes out.

    lab = DescentLab(model, loss_fn, train_epoch, OPTIMIZERS, train_val_split(t_u, t_c), scale_inputs)
    lab.show()                          # the live panel, carrying a picture of its starting state
    lab.set(lr=1e-2, scaling=False)     # what moving the controls does, from code
    lab.run(epochs=200)                 # train; shows the readout and a picture of both plots

The notebook owns the mechanism: the model, the loss, one epoch (forward, loss, zero_grad, backward, step)
and how each optimizer is built. This module only schedules epochs, records them, draws and wires widgets.
Run pressed in the browser trains in the background (an asyncio task on the kernel's event loop), so the
plots update live and Stop, Reset and the sliders still answer while it runs.
"""
from __future__ import annotations

import asyncio
import base64
import io
import math
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping

import ipywidgets as widgets
import numpy as np
import torch
from PIL import Image

from helpers.errors import CourseError, positive_int, positive_number
from helpers.live_plot import LossPlot, TrajectoryPlot
from helpers.style import scale
from helpers.widget_display import show_with_picture

PREVIEW_EPOCHS = 20  # a learning-rate, optimizer or scaling change starts over and trains this many epochs
FRAME_SECONDS = 0.15  # live frames about 6-7 times a second, whatever one epoch costs
YIELD_SECONDS = 0.002  # after each frame, let the kernel answer the browser (Stop, sliders)
LR_MIN, LR_MAX = 1e-5, 1.0
MAX_EPOCHS = 20_000
STEP_SIZES = (1, 10, 100)
GRID_POINTS = 41  # the loss surface behind the (w, b) path is computed on GRID_POINTS x GRID_POINTS


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
        raise CourseError(f"The lab runs at most {MAX_EPOCHS} epochs, but got {epochs}; try 2000.")
    return epochs


def _check_callable(fn: Any, name: str) -> None:
    if not callable(fn):
        raise CourseError(f"{name} must be the function itself (its name, no parentheses), but got {_describe(fn)}.")


def _check_data(data: Any) -> tuple[torch.Tensor, ...]:
    names = ("x_train", "y_train", "x_val", "y_val")
    if not isinstance(data, (tuple, list)) or len(data) != 4:
        raise CourseError(
            "data must be the four tensors (x_train, y_train, x_val, y_val) that train_val_split returns; "
            f"got {type(data).__name__} of length {len(data) if hasattr(data, '__len__') else '?'}."
        )
    for name, t in zip(names, data):
        if not isinstance(t, torch.Tensor):
            raise CourseError(f"{name} must be a tensor, like torch.tensor([1.0, 2.0]), but got {_describe(t)}.")
        if not t.is_floating_point():
            raise CourseError(
                f"{name} must hold floats, but its dtype is {t.dtype}; use the tensors from thermometer()."
            )
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


def _describe(value: Any) -> str:
    """A short description of `value` for an error sentence (never a multi-line repr)."""
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}"
    text = repr(value)
    return text if len(text) <= 40 and "\n" not in text else f"a {type(value).__name__}"


def _why(err: BaseException) -> str:
    """An exception as one line: its type and the first line of its message."""
    lines = str(err).strip().splitlines()
    return f"{type(err).__name__}: {lines[0]}" if lines else type(err).__name__


def _losses(result: Any) -> tuple[float, float]:
    """The (train loss, validation loss) that one epoch returned, as floats."""
    try:
        train, val = result
        return float(train), float(val)
    except (TypeError, ValueError, RuntimeError):
        raise CourseError(
            f"train_epoch must return two numbers, (train loss, validation loss), but returned {_describe(result)};"
            " end it with `return train_loss.item(), val_loss.item()`."
        ) from None


class _History:
    """One row per epoch (epoch 0 is the start): epoch, train loss, validation loss, w, b."""

    def __init__(self) -> None:
        self._rows = np.empty((256, 5))
        self.n = 0

    def clear(self, w: float, b: float) -> None:
        self.n = 0
        self.append(0, math.nan, math.nan, w, b)

    def append(self, epoch: int, train: float, val: float, w: float, b: float) -> None:
        if self.n == len(self._rows):
            self._rows = np.concatenate([self._rows, np.empty_like(self._rows)])
        self._rows[self.n] = (epoch, train, val, w, b)
        self.n += 1

    def column(self, i: int) -> np.ndarray:
        return self._rows[: self.n, i]


@dataclass
class Snapshot:
    """The lab's readout and a picture of both plots: what `run` and `step` return to the notebook."""

    text: str
    png: bytes

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": self.text, "image/png": base64.b64encode(self.png).decode("ascii")}


def side_by_side(*pngs: bytes) -> bytes:
    """One PNG holding the given PNGs next to each other."""
    pictures = [Image.open(io.BytesIO(png)).convert("RGB") for png in pngs]
    sheet = Image.new("RGB", (sum(p.width for p in pictures), max(p.height for p in pictures)), "white")
    x = 0
    for picture in pictures:
        sheet.paste(picture, (x, 0))
        x += picture.width
    out = io.BytesIO()  # stored in the notebook: 256 colours keep it small (about 20 kB) and look the same
    sheet.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(
        out, format="PNG", compress_level=9
    )
    return out.getvalue()


class DescentLab:
    """A panel to train the notebook's model with gradient descent and watch the loss and (w, b) live.

    model(x, w, b) -> predictions; loss_fn(predictions, y) -> loss tensor;
    train_epoch(params, optimizer, x_train, y_train, x_val, y_val) -> (train loss, val loss) runs ONE epoch;
    optimizers maps a name to a function (params, lr) -> torch.optim optimizer;
    data is (x_train, y_train, x_val, y_val); scale_inputs(x) is what the "scale inputs" box applies.
    """

    def __init__(
        self,
        model: Callable[..., torch.Tensor],
        loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
        train_epoch: Callable[..., Any],
        optimizers: Mapping[str, Callable[..., torch.optim.Optimizer]],
        data: Any,
        scale_inputs: Callable[[torch.Tensor], torch.Tensor],
        *,
        start: tuple[float, float] = (1.0, 0.0),
        lr: float = 1e-2,
        epochs: int = 1000,
        optimizer: str | None = None,
        scaling: bool = True,
        live: bool = True,
    ) -> None:
        for fn, name in ((model, "model"), (loss_fn, "loss_fn"), (train_epoch, "train_epoch"),
                         (scale_inputs, "scale_inputs")):
            _check_callable(fn, name)
        if not isinstance(optimizers, Mapping) or not optimizers:
            raise CourseError("optimizers must be a dict from a name to a function (params, lr) -> optimizer.")
        for name, make in optimizers.items():
            _check_callable(make, f"optimizers[{name!r}]")
        self.model, self.loss_fn, self.train_epoch, self.optimizers = model, loss_fn, train_epoch, dict(optimizers)
        self.x_train, self.y_train, self.x_val, self.y_val = _check_data(data)
        self.scale_inputs = scale_inputs
        self._scaled = {False: (self.x_train, self.x_val), True: self._apply_scaling()}
        if not (isinstance(start, (tuple, list)) and len(start) == 2 and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in start)):
            raise CourseError(f"start must be two numbers (w, b), like (1.0, 0.0), but got {_describe(start)}.")
        self.start = (float(start[0]), float(start[1]))
        optimizer = next(iter(self.optimizers)) if optimizer is None else optimizer
        self._check_optimizer_name(optimizer)
        self.live = live  # False: draw only when a run ends (the benchmark's "plot off")

        self._build_widgets(check_lr(lr), check_epochs(epochs), optimizer, self._check_scaling(scaling))
        self.loss_plot = LossPlot(420, 300)
        self._trajectories: dict[bool, TrajectoryPlot] = {}
        self.history = _History()
        self.epoch = 0
        self.diverged_at: int | None = None
        self.problem = ""  # a sentence about a learner's function that raised; shown in the readout
        self.running = False
        self._target: int | None = None
        self._run_id = 0
        self._task: asyncio.Future | None = None
        self._holding = False
        self._reset_state()
        self._train_one()  # a dry run: a broken train_epoch or optimizer says so now, in one sentence
        self._reset_state()
        self._draw()

    # --- widgets ---------------------------------------------------------------------------------------

    def _build_widgets(self, lr: float, epochs: int, optimizer: str, scaling: bool) -> None:
        wide = {"description_width": "initial"}
        self.lr_slider = widgets.FloatLogSlider(
            value=lr, base=10, min=math.log10(LR_MIN), max=math.log10(LR_MAX), step=0.1, description="learning rate",
            readout_format=".1e", continuous_update=True, style=wide, layout={"width": f"{scale(440)}px"})
        self.epochs_box = widgets.BoundedIntText(value=epochs, min=1, max=MAX_EPOCHS, description="epochs",
                                                 style=wide, layout={"width": f"{scale(150)}px"})
        self.optimizer_menu = widgets.Dropdown(options=list(self.optimizers), value=optimizer,
                                               description="optimizer", style=wide,
                                               layout={"width": f"{scale(260)}px"})
        self.scaling_box = widgets.Checkbox(value=scaling, description="scale inputs", indent=False,
                                            layout={"width": f"{scale(130)}px"})
        self.run_button = widgets.Button(description="Run", icon="play", button_style="success",
                                         tooltip="train up to the number of epochs; press again to stop")
        self.step_button = widgets.Button(description="Step", icon="step-forward", tooltip="train the chosen epochs")
        self.step_size = widgets.Dropdown(options=STEP_SIZES, value=1, description="epochs per step", style=wide,
                                          layout={"width": f"{scale(170)}px"})
        self.reset_button = widgets.Button(description="Reset", icon="undo", tooltip="back to epoch 0")
        self.readout = widgets.HTML()
        self.loss_image = widgets.Image(format="png")
        self.trajectory_image = widgets.Image(format="png")
        for widget, hook in (
            (self.lr_slider, "descent-lr"), (self.epochs_box, "descent-epochs"), (self.run_button, "descent-run"),
            (self.step_button, "descent-step"), (self.reset_button, "descent-reset"),
            (self.optimizer_menu, "descent-optimizer"), (self.scaling_box, "descent-scaling"),
            (self.readout, "descent-readout"), (self.loss_image, "descent-loss-plot"),
            (self.trajectory_image, "descent-trajectory-plot"), (self.step_size, "descent-step-size"),
        ):
            widget.add_class(hook)  # hooks for the browser tests
        wrap = {"flex_flow": "row wrap"}  # a narrow window or presenter mode puts the second plot below the first
        self.panel = widgets.VBox([
            widgets.HBox([self.lr_slider, self.optimizer_menu, self.scaling_box], layout=wrap),
            widgets.HBox([self.epochs_box, self.run_button, self.step_button, self.step_size, self.reset_button],
                         layout=wrap),
            self.readout,
            widgets.HBox([self.loss_image, self.trajectory_image], layout=wrap),
        ])
        self.panel.add_class("descent-lab")
        for control in (self.lr_slider, self.optimizer_menu, self.scaling_box):
            control.observe(self._on_setting, names="value")
        self.epochs_box.observe(self._on_epochs, names="value")
        self.run_button.on_click(self._on_run)
        self.step_button.on_click(lambda _: self._guard(lambda: self._step(self.step_size.value)))
        self.reset_button.on_click(lambda _: self._guard(self.reset))

    def _guard(self, action: Callable[[], Any]) -> None:
        """Run a button's action; a CourseError goes to the readout (a callback's exception would be hidden)."""
        try:
            action()
        except CourseError as err:
            self.problem = str(err)
            self._draw()
        except Exception as err:  # a bug must not vanish into the browser's console
            self.problem = f"the lab stopped: {_why(err)}."
            self._draw()

    def _on_setting(self, change: dict) -> None:
        if not self._holding:
            self._guard(self._restart_with_preview)

    def _on_epochs(self, change: dict) -> None:
        if self.running:
            self._target = self.epochs_box.value
        self._draw()

    def _on_run(self, _: Any) -> None:
        if self.running:
            self.stop()
        else:
            self._guard(lambda: self._start(self.epochs_box.value, background=True))

    # --- what the learner can call ---------------------------------------------------------------------

    def show(self) -> None:
        """Display the live panel, carrying a picture of its current state for readers without a kernel."""
        show_with_picture(self.panel, self.picture(), f"Gradient-descent lab ({self.settings()}): {self.text()}")

    def set(self, lr: float | None = None, epochs: int | None = None, optimizer: str | None = None,
            scaling: bool | None = None, step_size: int | None = None) -> None:
        """Move the controls from code. A new lr, optimizer or scaling starts over with a short preview."""
        new = {}
        if lr is not None:
            new[self.lr_slider] = check_lr(lr)
        if optimizer is not None:
            new[self.optimizer_menu] = self._check_optimizer_name(optimizer)
        if scaling is not None:
            new[self.scaling_box] = self._check_scaling(scaling)
        if epochs is not None:
            new[self.epochs_box] = check_epochs(epochs)
        if step_size is not None and step_size not in STEP_SIZES:
            raise CourseError(f"step_size must be one of {', '.join(map(str, STEP_SIZES))}, but got {step_size!r}.")
        restart = any(w is not self.epochs_box and w.value != v for w, v in new.items())
        self._holding = True
        try:
            for widget, value in new.items():
                widget.value = value
            if step_size is not None:
                self.step_size.value = step_size
        finally:
            self._holding = False
        if restart:
            self._restart_with_preview()

    def run(self, epochs: int | None = None) -> Snapshot:
        """Train until epoch `epochs` (default: the epochs box), starting over if already there or diverged."""
        if epochs is not None:
            self.set(epochs=epochs)
        self._start(self.epochs_box.value, background=False)
        return self.snapshot()

    def step(self, epochs: int | None = None) -> Snapshot:
        """Train exactly `epochs` more epochs (default: the step-size menu), unless the loss diverges."""
        n = self.step_size.value if epochs is None else check_epochs(epochs)
        self._step(n)
        return self.snapshot()

    def reset(self) -> None:
        """Back to epoch 0: the starting (w, b), a fresh optimizer, empty plots."""
        self.stop(draw=False)
        self._reset_state()
        self._draw()

    def stop(self, draw: bool = True) -> None:
        """Stop a run in progress where it is (Run becomes Run again)."""
        self._run_id += 1
        self._finish(draw)

    def text(self) -> str:
        """The readout as plain text, e.g. 'epoch 12 of 1000 · train loss 3.21 · val loss 4.1 · w 5.1 · b -16'."""
        head = f"epoch {self.epoch} of {self.epochs_box.value}"
        if self.problem:
            return f"{head} · {self.problem}"
        if self.diverged_at is not None:
            return f"{head} · {self._diverged_sentence()}"
        w, b = self.history.column(3)[-1], self.history.column(4)[-1]
        if self.epoch == 0:
            return f"{head} · w {w:.4g} · b {b:.4g} · press Run or Step to train"
        train, val = self.history.column(1)[-1], self.history.column(2)[-1]
        tail = " · running (press Stop to pause)" if self.running else ""
        return f"{head} · train loss {train:.4g} · val loss {val:.4g} · w {w:.4g} · b {b:.4g}{tail}"

    def settings(self) -> str:
        """The current settings in words, e.g. 'learning rate 1.0e-02, SGD, inputs scaled'."""
        scaled = "inputs scaled" if self.scaling_box.value else "raw inputs"
        return f"learning rate {self.lr_slider.value:.1e}, {self.optimizer_menu.value}, {scaled}"

    def picture(self) -> bytes:
        """Both plots side by side, as one PNG."""
        return side_by_side(self.loss_image.value, self.trajectory_image.value)

    def snapshot(self) -> Snapshot:
        """The readout and both plots, as `run` and `step` return them."""
        return Snapshot(self.text(), self.picture())

    # --- scheduling ------------------------------------------------------------------------------------

    def _start(self, target: int, background: bool) -> None:
        self.stop(draw=False)
        if self.diverged_at is not None or self.problem or self.epoch >= target:
            self._reset_state()
        self._target = target
        self._set_running(True)
        run_id = self._run_id
        steps = self._advance(live=self.live)
        loop = _running_loop() if background else None
        if loop is None:
            try:
                for _ in steps:
                    pass
            finally:
                self._finish()
        else:
            self._task = loop.create_task(self._drive(steps, run_id))

    async def _drive(self, steps: Iterator[None], run_id: int) -> None:
        """Run in the background: after each frame, give the kernel a moment to answer the browser."""
        try:
            for _ in steps:
                await asyncio.sleep(YIELD_SECONDS)
                if run_id != self._run_id:  # Stop, Reset, Step or a new setting took over
                    return
        except CourseError as err:
            self.problem = str(err)
        except Exception as err:  # never lose an error inside a background task
            self.problem = f"the run stopped: {_why(err)}."
        if run_id == self._run_id:
            self._finish()

    def _advance(self, live: bool) -> Iterator[None]:
        """Train until epoch self._target (or divergence); yield every FRAME_SECONDS, after a frame if live."""
        last_frame = time.perf_counter()
        while self._target is not None and self.epoch < self._target and self.diverged_at is None:
            self._train_one()
            if time.perf_counter() - last_frame >= FRAME_SECONDS:
                if live:
                    self._draw(live=True)
                yield
                last_frame = time.perf_counter()

    def _run_to(self, target: int, live: bool) -> None:
        self._target = target
        try:
            for _ in self._advance(live):
                pass
        finally:
            self._target = None

    def _step(self, n: int) -> None:
        self.stop(draw=False)
        if self.diverged_at is None:  # after a divergence there is nothing left to train: Reset first
            self.problem = ""
            self._run_to(self.epoch + n, live=False)
        self._draw()

    def _restart_with_preview(self) -> None:
        self.stop(draw=False)
        self._reset_state()
        self._run_to(min(PREVIEW_EPOCHS, self.epochs_box.value), live=False)
        self._draw()

    def _set_running(self, running: bool) -> None:
        self.running = running
        self.run_button.description = "Stop" if running else "Run"
        self.run_button.icon = "stop" if running else "play"
        self.run_button.button_style = "warning" if running else "success"

    def _finish(self, draw: bool = True) -> None:
        """A run ended or stopped: Run is Run again; the last picture keeps the run's epoch axis."""
        self._set_running(False)
        if draw:
            self._draw()
        self._target = None

    # --- training state --------------------------------------------------------------------------------

    def _reset_state(self) -> None:
        """Back to the start: fresh params [w, b] (a leaf tensor) and a fresh optimizer from the notebook."""
        lr, name = check_lr(self.lr_slider.value), self.optimizer_menu.value
        params = torch.tensor(self.start, requires_grad=True)
        try:
            optimizer = self.optimizers[name]([params], lr)
        except Exception as err:
            raise CourseError(f"optimizers[{name!r}] raised {_why(err)}; fix it in the notebook.") from None
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise CourseError(
                f"optimizers[{name!r}] must return a torch.optim optimizer, like torch.optim.SGD(params, lr=lr), "
                f"but returned {_describe(optimizer)}."
            )
        self.params, self.optimizer = params, optimizer
        self.history.clear(*self.start)
        self.epoch = 0
        self.diverged_at = None
        self.problem = ""

    def _train_one(self) -> None:
        """One epoch of the notebook's train_epoch, recorded; a non-finite loss or (w, b) means it diverged."""
        x_train, x_val = self._scaled[self.scaling_box.value]
        try:
            result = self.train_epoch(self.params, self.optimizer, x_train, self.y_train, x_val, self.y_val)
        except CourseError:
            raise
        except Exception as err:
            raise CourseError(
                f"train_epoch raised {_why(err)}; fix it in the notebook, then run its cell and "
                "the lab's cell again."
            ) from None
        train, val = _losses(result)
        w, b = self.params.detach().tolist()
        self.epoch += 1
        self.history.append(self.epoch, train, val, w, b)
        if not all(math.isfinite(v) for v in (train, val, w, b)):
            self.diverged_at = self.epoch

    def _diverged_sentence(self) -> str:
        fix = "lower the learning rate" if self.scaling_box.value else "lower the learning rate or scale the inputs"
        return f"diverged at epoch {self.diverged_at}: {fix}"

    # --- drawing ---------------------------------------------------------------------------------------

    def _draw(self, live: bool = False) -> None:
        """Show the current state: both plots, the readout. `live`: a frame during a run (may reuse pictures)."""
        h = self.history
        short = ""  # the trajectory plot's message: text is slow to draw, keep it to one line
        if self.problem:
            message = short = "stopped: see the sentence above the plots"
        elif self.diverged_at is not None:
            message = self._diverged_sentence().replace(": ", ":\n", 1).replace(" or ", "\nor ", 1)
            short = f"diverged at epoch {self.diverged_at}"
        elif self.epoch == 0:
            message = "press Run or Step to train"
        else:
            message = ""
        alert = bool(short)
        x_max = self._target if self.diverged_at is None else None  # a divergence: zoom in on its epochs
        self.loss_image.value = self.loss_plot.update(h.column(0), h.column(1), h.column(2), x_max=x_max,
                                                      message=message, alert=alert, live=live)
        self.trajectory_image.value = self._trajectory().update(h.column(3), h.column(4), message=short, live=live)
        for image in (self.loss_image, self.trajectory_image):  # a hook for the browser tests (no tooltip:
            if self.diverged_at is not None:                      # ipywidgets 8.1 cannot show one on an Image)
                image.add_class("descent-diverged")
            else:
                image.remove_class("descent-diverged")
        color = "#c0392b" if alert else "inherit"
        self.readout.value = f'<span style="color: {color}">{self.text()}</span>'

    def _trajectory(self) -> TrajectoryPlot:
        """The contour map for the current scaling, computed once with the notebook's model and loss."""
        scaled = self.scaling_box.value
        if scaled not in self._trajectories:
            self._trajectories[scaled] = self._make_trajectory(scaled)
        return self._trajectories[scaled]

    def _make_trajectory(self, scaled: bool) -> TrajectoryPlot:
        x, y = self._scaled[scaled][0].double(), self.y_train.double()
        w_best, b_best = np.polyfit(x.numpy(), y.numpy(), 1)  # only to place the star and frame the map
        w0, b0 = self.start
        w_flat = float(((y - b0) * x).sum() / (x * x).sum())  # the valley's floor at b = b0
        w_lo, w_hi = min(w0, w_best, w_flat), max(w0, w_best, w_flat)
        b_lo, b_hi = min(b0, b_best), max(b0, b_best)
        w_pad, b_pad = 0.15 * (w_hi - w_lo) + 1e-3, 0.2 * (b_hi - b_lo) + 1e-3
        w_grid = np.linspace(w_lo - w_pad, w_hi + w_pad, GRID_POINTS)
        b_grid = np.linspace(b_lo - b_pad, b_hi + b_pad, GRID_POINTS)
        surface = np.empty((GRID_POINTS, GRID_POINTS))
        with torch.no_grad():
            for i, b in enumerate(b_grid):
                for j, w in enumerate(w_grid):
                    surface[i, j] = float(self.loss_fn(self.model(x, torch.tensor(w), torch.tensor(b)), y))
        title = "(w, b) on the loss surface, " + ("inputs scaled" if scaled else "raw inputs")
        return TrajectoryPlot(w_grid, b_grid, surface, self.start, (w_best, b_best), title, 420, 300)

    # --- checks ----------------------------------------------------------------------------------------

    def _apply_scaling(self) -> tuple[torch.Tensor, torch.Tensor]:
        scaled = []
        for x in (self.x_train, self.x_val):
            try:
                out = self.scale_inputs(x)
            except Exception as err:
                raise CourseError(f"scale_inputs raised {_why(err)}; fix it in the notebook.") from None
            if not isinstance(out, torch.Tensor) or out.shape != x.shape or not torch.isfinite(out).all():
                raise CourseError(
                    f"scale_inputs must return a tensor of finite numbers shaped like its input {tuple(x.shape)}, "
                    f"but returned {_describe(out)}; try `return 0.1 * x`."
                )
            scaled.append(out.detach())
        return scaled[0], scaled[1]

    def _check_optimizer_name(self, name: Any) -> str:
        if not isinstance(name, str) or name not in self.optimizers:
            known = ", ".join(repr(k) for k in self.optimizers)
            raise CourseError(f"There is no optimizer called {name!r}; choose one of {known}.")
        return name

    @staticmethod
    def _check_scaling(scaling: Any) -> bool:
        if not isinstance(scaling, bool):
            raise CourseError(f"scaling must be True or False, but got {scaling!r}.")
        return scaling


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop running this code (the kernel's, inside Jupyter), or None in plain Python."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
