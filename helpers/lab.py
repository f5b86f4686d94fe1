"""The gradient-descent lab: the panel (controls and two live plots) around a training run the notebook writes out.

    lab = DescentLab(model, loss_fn, train_epoch, OPTIMIZERS, INPUTS, train_val_split(t_u, t_c))
    lab.show()                                    # the live panel, carrying a picture of its starting state
    lab.set(lr=1e-2, inputs="standardised")       # what moving the controls does, from code
    lab.run(epochs=200)                           # train; returns the readout and a picture of both plots

The notebook owns the mechanism (model, loss, one epoch, optimizers, input choices); the training state is a
helpers.training_run.TrainingRun. This module is the panel: widgets, ONE way to schedule training (Run, Step,
a preview; from a button or code), and drawing from the run's state. Run pressed in the browser trains in the
background (an asyncio task on the kernel's loop): the plots update live and Stop and the controls answer.
"""
from __future__ import annotations

import asyncio
import math
import time
from typing import Any, Callable, Iterator, Mapping

import ipywidgets as widgets
import torch

from helpers.errors import CourseError, in_one_line
from helpers.live_plot import LossPlot, TrajectoryPlot
from helpers.loss_surface import loss_map
from helpers.style import sizing
from helpers.training_run import (LR_MAX, LR_MIN, MAX_EPOCHS, Settings, TrainingRun, check_callable, check_epochs,
                                  describe)
from helpers.widget_display import Snapshot, show_with_picture, side_by_side

PREVIEW_EPOCHS = 20  # a new learning rate, optimizer, input choice or batch size starts over and trains this many
FRAME_SECONDS = 0.15  # frames during a run about 6-7 times a second, whatever one epoch costs
YIELD_SECONDS = 0.002  # after each frame, let the kernel answer the browser (Stop, sliders)
STEP_SIZES = (1, 10, 100)
PLOT_SIZE = (420, 300)


def sentence(err: BaseException) -> str:
    """An error as the one sentence the readout shows."""
    return str(err) if isinstance(err, CourseError) else f"the lab stopped: {in_one_line(err)}."


class DescentLab:
    """A panel to train the notebook's model and watch the loss and (w, b) live.

    model(x, w, b) -> predictions; loss_fn(predictions, y) -> loss tensor (the lab draws the loss map with them);
    train_epoch(params, optimizer, x_train, y_train, x_val, y_val, batch_size, generator) runs ONE epoch and
    returns (step losses, val loss); optimizers maps a name to (params, lr) -> optimizer; input_choices maps a
    name to a function of the raw readings; data is (x_train, y_train, x_val, y_val).
    """

    def __init__(
        self, model: Callable[..., Any], loss_fn: Callable[..., Any], train_epoch: Callable[..., Any],
        optimizers: Mapping[str, Callable[..., torch.optim.Optimizer]],
        input_choices: Mapping[str, Callable[[torch.Tensor], torch.Tensor]], data: Any, *,
        start: tuple[float, float] = (1.0, 0.0), seed: int = 0, lr: float = 1e-2, optimizer: str | None = None,
        inputs: str | None = None, batch_size: int | None = None, epochs: int = 1000,
        draw_while_training: bool = True, presenter: bool | None = None,
    ) -> None:
        check_callable(model, "model")
        check_callable(loss_fn, "loss_fn")
        self.model, self.loss_fn = model, loss_fn
        self.training = run = TrainingRun(train_epoch, optimizers, input_choices, data, start, seed)
        settings = run.settings_with(
            lr=lr, optimizer=next(iter(run.optimizers)) if optimizer is None else optimizer,
            inputs=next(iter(run.inputs)) if inputs is None else inputs,
            batch_size=len(run.x_train) if batch_size is None else batch_size)
        epochs = check_epochs(epochs)
        self.draw_while_training = draw_while_training  # False: draw only when a run ends (the benchmark's "off")
        self.sizes = sizing(presenter)
        self._maps: dict[str, TrajectoryPlot] = {}
        self._map_for(settings.inputs)  # a model or loss_fn the map cannot use says so now, in one sentence
        run.start_over(settings)
        run.train(1)  # a dry run: a broken train_epoch or optimizer says so now, in one sentence
        run.start_over()
        self.loss_plot = LossPlot(*PLOT_SIZE, zoom=self.sizes.zoom)
        self.problem = ""  # why the last run stopped early (an error), shown on the plots and in the readout
        self.notice = ""  # a sentence about a setting that was refused, shown in the readout
        self.running, self._job, self._task, self._holding = False, 0, None, False
        self._build_widgets(settings, epochs)
        self._draw()

    # --- widgets ---------------------------------------------------------------------------------------

    def _build_widgets(self, settings: Settings, epochs: int) -> None:
        px, wide = self.sizes.px, {"description_width": "initial"}
        n = len(self.training.x_train)
        self.lr_slider = widgets.FloatLogSlider(
            value=settings.lr, base=10, min=math.log10(LR_MIN), max=math.log10(LR_MAX), step=0.1,
            description="learning rate", readout_format=".1e", style=wide, layout={"width": f"{px(440)}px"})
        self.optimizer_menu = widgets.Dropdown(options=list(self.training.optimizers), value=settings.optimizer,
                                               description="optimizer", style=wide, layout={"width": f"{px(260)}px"})
        self.inputs_menu = widgets.Dropdown(options=list(self.training.inputs), value=settings.inputs,
                                            description="inputs", style=wide, layout={"width": f"{px(230)}px"})
        self.batch_menu = widgets.Dropdown(
            options=[(f"{k} (full batch)" if k == n else str(k), k) for k in range(1, n + 1)],
            value=settings.batch_size, description="batch size", style=wide, layout={"width": f"{px(210)}px"})
        self.epochs_box = widgets.BoundedIntText(value=epochs, min=1, max=MAX_EPOCHS, description="epochs",
                                                 style=wide, layout={"width": f"{px(150)}px"})
        self.run_button = widgets.Button(description="Run", icon="play", button_style="success",
                                         tooltip="train up to the number of epochs; press again to stop")
        self.step_button = widgets.Button(description="Step", icon="step-forward", tooltip="train the chosen epochs")
        self.step_size = widgets.Dropdown(options=STEP_SIZES, value=1, description="epochs per step", style=wide,
                                          layout={"width": f"{px(170)}px"})
        self.reset_button = widgets.Button(description="Reset", icon="undo", tooltip="back to epoch 0")
        self.readout = widgets.HTML()
        # Presenter mode: the two plots share the row (each at most half of it), drawn large and shown scaled to fit.
        picture = {"max_width": "50%", "height": "auto"} if self.sizes.presenter else {}
        self.loss_image = widgets.Image(format="png", layout=picture)
        self.trajectory_image = widgets.Image(format="png", layout=picture)
        self._controls = {"lr": self.lr_slider, "optimizer": self.optimizer_menu, "inputs": self.inputs_menu,
                          "batch_size": self.batch_menu}
        for widget, hook in (
            (self.lr_slider, "lr"), (self.epochs_box, "epochs"), (self.run_button, "run"), (self.step_button, "step"),
            (self.reset_button, "reset"), (self.optimizer_menu, "optimizer"), (self.inputs_menu, "inputs"),
            (self.batch_menu, "batch-size"), (self.readout, "readout"), (self.loss_image, "loss-plot"),
            (self.trajectory_image, "trajectory-plot"), (self.step_size, "step-size"),
        ):
            widget.add_class(f"descent-{hook}")  # hooks for the browser tests
        wrap = {"flex_flow": "row wrap"}  # a narrow window puts the second plot below the first
        plots = {"flex_flow": "row nowrap", "width": "100%"} if self.sizes.presenter else wrap
        self.panel = widgets.VBox([
            widgets.HBox([self.lr_slider, self.optimizer_menu], layout=wrap),
            widgets.HBox([self.inputs_menu, self.batch_menu], layout=wrap),
            widgets.HBox([self.epochs_box, self.run_button, self.step_button, self.step_size, self.reset_button],
                         layout=wrap),
            self.readout,
            widgets.HBox([self.loss_image, self.trajectory_image], layout=plots),
        ])
        self.panel.add_class("descent-presenter" if self.sizes.presenter else "descent-lab")
        for key, control in self._controls.items():
            control.observe(lambda change, key=key: self._on_setting(key, change["new"]), names="value")
        self.epochs_box.observe(self._on_epochs, names="value")
        self.run_button.on_click(lambda _: self.stop() if self.running else self._guard(
            lambda: self._train(self._epochs_to_go(), frames=self.draw_while_training, background=True)))
        self.step_button.on_click(lambda _: self._guard(lambda: self.step()))
        self.reset_button.on_click(lambda _: self._guard(self.reset))

    def _guard(self, action: Callable[[], Any]) -> None:
        """A button's action: an error becomes one sentence in the readout (a callback's would be hidden)."""
        try:
            action()
        except Exception as err:
            self.notice = sentence(err)
            self._draw()

    def _on_epochs(self, change: dict) -> None:
        if self.running:  # a run in progress heads for the new finish line
            self.training.goal = max(self.training.epoch, change["new"])
        self._draw()

    def _on_setting(self, key: str, value: Any) -> None:
        if self._holding:
            return
        try:
            self._apply(self.training.settings_with(**{key: value}))
        except Exception as err:  # refused: the control goes back to what the lab trains with
            self._show_settings(self.training.settings)
            self.notice = sentence(err)
            self._draw()

    # --- what the learner can call ---------------------------------------------------------------------

    def show(self) -> None:
        """Display the live panel, carrying a picture of its current state for readers without a kernel."""
        show_with_picture(self.panel, self.picture(), f"Gradient-descent lab ({self.settings()}): {self.text()}")

    def set(self, lr: float | None = None, epochs: int | None = None, optimizer: str | None = None,
            inputs: str | None = None, batch_size: int | None = None, step_size: int | None = None) -> None:
        """Move the controls from code. A new lr, optimizer, input choice or batch size starts over with a short
        preview. A bad value is one sentence, and then nothing changes."""
        changes = {key: value for key, value in (("lr", lr), ("optimizer", optimizer), ("inputs", inputs),
                                                 ("batch_size", batch_size)) if value is not None}
        settings = self.training.settings_with(**changes)
        epochs = None if epochs is None else check_epochs(epochs)
        if step_size is not None and step_size not in STEP_SIZES:
            raise CourseError(f"step_size must be one of {', '.join(map(str, STEP_SIZES))}, but got {describe(step_size)}.")
        if settings != self.training.settings:
            self._apply(settings, epochs)
        elif epochs is not None:
            self.epochs_box.value = epochs
        if step_size is not None:
            self.step_size.value = step_size

    def run(self, epochs: int | None = None) -> Snapshot:
        """Train until epoch `epochs` (default: the epochs box), starting over if already there or diverged."""
        if epochs is not None:
            self.set(epochs=epochs)
        self._train(self._epochs_to_go(), frames=self.draw_while_training, background=False)
        return self.snapshot()

    def step(self, epochs: int | None = None) -> Snapshot:
        """Train exactly `epochs` more epochs (default: the step-size menu), unless the loss diverges."""
        self._train(self.step_size.value if epochs is None else check_epochs(epochs), frames=False, background=False)
        return self.snapshot()

    def reset(self) -> None:
        """Back to epoch 0: the starting (w, b), a fresh optimizer, empty plots."""
        self._cancel()
        self.training.start_over()
        self.problem = self.notice = ""
        self._draw()

    def stop(self) -> None:
        """Stop a run in progress where it is (Run becomes Run again)."""
        self._cancel()
        self._draw()

    def text(self) -> str:
        """The readout as plain text, e.g. 'epoch 12 of 1000 · train loss 3.21 · val loss 4.1 · w 5.1 · b -16'."""
        run, h = self.training, self.training.history
        head = f"epoch {run.epoch} of {self.epochs_box.value}"
        if self.problem or self.notice:
            return f"{head} · {self.problem or self.notice}"
        if run.diverged_at is not None:
            return f"{head} · diverged at epoch {run.diverged_at}: lower the learning rate"
        w, b = h.column(3)[-1], h.column(4)[-1]
        if run.epoch == 0:
            return f"{head} · w {w:.4g} · b {b:.4g} · press Run or Step to train"
        tail = " · running (press Stop to pause)" if self.running else ""
        return f"{head} · train loss {h.column(1)[-1]:.4g} · val loss {h.column(2)[-1]:.4g} · w {w:.4g} · b {b:.4g}{tail}"

    def settings(self) -> str:
        """What the lab trains with, in words, e.g. 'learning rate 1.0e-02, SGD, standardised inputs, full batch'."""
        s, n = self.training.settings, len(self.training.x_train)
        batch = "full batch" if s.batch_size == n else f"batches of {s.batch_size}"
        return f"learning rate {s.lr:.1e}, {s.optimizer}, {s.inputs} inputs, {batch}"

    def picture(self) -> bytes:
        """Both plots side by side, as one PNG."""
        return side_by_side(self.loss_image.value, self.trajectory_image.value)

    def snapshot(self) -> Snapshot:
        """The readout and both plots, as `run` and `step` return them."""
        return Snapshot(self.text(), self.picture())

    # --- scheduling: the one way the lab trains --------------------------------------------------------

    def _epochs_to_go(self) -> int:
        """Epochs until the epochs box, starting over first if the run is there already, diverged or failed."""
        run = self.training
        if run.diverged_at is not None or self.problem or run.epoch >= self.epochs_box.value:
            run.start_over()
        return self.epochs_box.value - run.epoch

    def _train(self, epochs: int, frames: bool, background: bool, keep_axis: bool = False) -> None:
        """Train `epochs` more epochs, with frames by the clock if `frames`; in the background (a button press
        inside a kernel) or right away (code, a preview). Errors: in the readout, and raised if not background.
        `keep_axis` (a preview): the last picture keeps the loss axis if the curves fit it (no full redraw)."""
        self._cancel()  # a new job: any other run stops at its next frame
        self.problem = self.notice = ""
        job, ticks = self._job, self._ticks(epochs, frames)
        self._set_running(frames or background)  # Run reads Stop while a run can be stopped or is drawn
        loop = _running_loop() if background else None
        if loop is not None:
            self._task = loop.create_task(self._pump_in_background(ticks, job))
            return
        try:
            for _ in ticks:
                pass
        except Exception as err:
            self._end(sentence(err))
            raise CourseError(self.problem) from None
        self._end(keep_axis=keep_axis)

    def _ticks(self, epochs: int, frames: bool) -> Iterator[None]:
        """Train; every FRAME_SECONDS draw a frame (if `frames`) and yield, so that a background run can pause."""
        last = time.perf_counter()
        for _ in self.training.advance(epochs):
            if time.perf_counter() - last >= FRAME_SECONDS:
                if frames:
                    self._draw(mid_run=True)
                yield
                last = time.perf_counter()

    async def _pump_in_background(self, ticks: Iterator[None], job: int) -> None:
        problem = ""
        try:
            for _ in ticks:
                await asyncio.sleep(YIELD_SECONDS)  # the kernel answers the browser (Stop, the controls) here
                if job != self._job:  # Stop, Reset, Step or a new setting took over
                    return
        except Exception as err:  # never lose an error inside a background task
            problem = sentence(err)
        if job == self._job:
            self._end(problem)

    def _end(self, problem: str = "", keep_axis: bool = False) -> None:
        self.problem = problem
        self._set_running(False)
        self._draw(keep_axis=keep_axis)

    def _cancel(self) -> None:
        """End any run in progress (a background one stops at its next frame)."""
        self._job += 1
        self._set_running(False)

    def _set_running(self, running: bool) -> None:
        self.running = running
        self.run_button.description = "Stop" if running else "Run"
        self.run_button.icon = "stop" if running else "play"
        self.run_button.button_style = "warning" if running else "success"

    def _apply(self, settings: Settings, epochs: int | None = None) -> None:
        """Start over with `settings` and preview; if that fails (e.g. the optimizer factory raises), nothing
        changes and the controls keep showing what the lab trains with."""
        self._map_for(settings.inputs)
        self.training.start_over(settings)  # the first two may refuse: then a run in progress goes on
        self._cancel()
        self._show_settings(settings, epochs)
        self._train(min(PREVIEW_EPOCHS, self.epochs_box.value), frames=False, background=False, keep_axis=True)

    def _show_settings(self, settings: Settings, epochs: int | None = None) -> None:
        self._holding = True
        try:
            for key, control in self._controls.items():
                control.value = getattr(settings, key)
            if epochs is not None:
                self.epochs_box.value = epochs
        finally:
            self._holding = False

    # --- drawing: from the run's state -----------------------------------------------------------------

    def _draw(self, mid_run: bool = False, keep_axis: bool = False) -> None:
        """Show the run's state: both plots and the readout. `mid_run`: a frame during a run (may reuse pictures);
        `keep_axis`: keep the loss axis if the curves fit it (a preview)."""
        run, h = self.training, self.training.history
        short = ""  # the trajectory plot's message: text is slow to draw, keep it to one line
        if self.problem:
            message = short = "stopped: see the sentence above the plots"
        elif run.diverged_at is not None:
            short = f"diverged at epoch {run.diverged_at}"
            message = f"{short}:\nlower the learning rate"
        else:
            message = "press Run or Step to train" if run.epoch == 0 else ""
        x_max = max(run.goal, 10) if run.diverged_at is None else None  # a divergence: zoom in on its epochs
        full = run.settings.batch_size == len(run.x_train)
        self.loss_image.value = self.loss_plot.update(
            h.column(0), h.column(1), h.column(2), x_max=x_max, message=message, alert=bool(short),
            mid_run=mid_run, steps=None if full else h.steps(), keep_axis=keep_axis)
        self.trajectory_image.value = self._map_for(run.settings.inputs).update(
            h.column(3), h.column(4), message=short, mid_run=mid_run)
        for image in (self.loss_image, self.trajectory_image):  # a hook for the browser tests (no tooltip:
            if run.diverged_at is not None:                     # ipywidgets 8.1 cannot show one on an Image)
                image.add_class("descent-diverged")
            else:
                image.remove_class("descent-diverged")
        color = "#c0392b" if short or self.notice else "inherit"
        self.readout.value = f'<span style="color: {color}">{self.text()}</span>'

    def _map_for(self, inputs: str) -> TrajectoryPlot:
        """The loss map for an input choice, computed once with the notebook's model and loss."""
        if inputs not in self._maps:
            x, y = (t.double() for t in (self.training.inputs[inputs][0], self.training.y_train))
            self._maps[inputs] = loss_map(self.model, self.loss_fn, x, y, self.training.start, inputs,
                                          PLOT_SIZE, zoom=self.sizes.zoom)
        return self._maps[inputs]


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop running this code (the kernel's, inside Jupyter), or None in plain Python."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
