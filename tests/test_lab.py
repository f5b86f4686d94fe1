"""The lab panel: controls step, reset, preview and run as documented; divergence and bad input are sentences."""
from __future__ import annotations

import asyncio
import base64
import io
import math

import numpy as np
import pytest
import torch
from PIL import Image

from helpers import lab as lab_module
from helpers import style, widget_display
from helpers.data import thermometer, train_val_split
from helpers.errors import CourseError
from helpers.lab import PREVIEW_EPOCHS, DescentLab, check_epochs, check_lr

# --- what the notebook defines (notebooks/08_lab.ipynb) --------------------------------------------------


def model(t_u, w, b):
    return w * t_u + b


def loss_fn(t_p, t_c):
    return ((t_p - t_c) ** 2).mean()


def train_epoch(params, optimizer, x_train, y_train, x_val, y_val):
    train_loss = loss_fn(model(x_train, *params), y_train)
    optimizer.zero_grad()
    train_loss.backward()
    optimizer.step()
    with torch.no_grad():
        val_loss = loss_fn(model(x_val, *params), y_val)
    return train_loss.item(), val_loss.item()


def scale_inputs(t_u):
    return 0.1 * t_u


OPTIMIZERS = {
    "SGD": lambda params, lr: torch.optim.SGD(params, lr=lr),
    "SGD with momentum": lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=0.9),
    "Adam": lambda params, lr: torch.optim.Adam(params, lr=lr),
}
DATA = train_val_split(*thermometer())


def make_lab(**changes) -> DescentLab:
    args = {"model": model, "loss_fn": loss_fn, "train_epoch": train_epoch, "optimizers": OPTIMIZERS,
            "data": DATA, "scale_inputs": scale_inputs}
    args.update(changes)
    return DescentLab(**args)


@pytest.fixture
def lab() -> DescentLab:
    return make_lab()


def one_sentence(err: pytest.ExceptionInfo) -> str:
    text = str(err.value)
    assert "\n" not in text and text.endswith(".") and len(text) < 300, text
    return text


def png_size(png: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(png)).size


# --- the controls -----------------------------------------------------------------------------------------


def test_every_control_carries_its_browser_test_class(lab):
    hooks = {
        lab.lr_slider: "descent-lr", lab.epochs_box: "descent-epochs", lab.run_button: "descent-run",
        lab.step_button: "descent-step", lab.reset_button: "descent-reset", lab.optimizer_menu: "descent-optimizer",
        lab.scaling_box: "descent-scaling", lab.readout: "descent-readout", lab.loss_image: "descent-loss-plot",
        lab.trajectory_image: "descent-trajectory-plot",
    }
    for widget, hook in hooks.items():
        assert hook in widget._dom_classes


def test_no_widget_without_a_description_has_a_tooltip(lab):
    # ipywidgets 8.1's browser side reads description.length to show a tooltip: an Image with one fails to render
    def walk(widget):
        yield widget
        for child in getattr(widget, "children", ()):
            yield from walk(child)

    for widget in walk(lab.panel):
        if not widget.has_trait("description"):
            assert not widget.tooltip, type(widget).__name__


def test_it_starts_at_epoch_zero_with_both_plots_drawn(lab):
    assert lab.epoch == 0
    assert "epoch 0 of 1000" in lab.readout.value and "press Run or Step" in lab.readout.value
    assert png_size(lab.loss_image.value) == (420, 300) and png_size(lab.trajectory_image.value) == (420, 300)
    assert lab.lr_slider.value == 1e-2 and lab.optimizer_menu.value == "SGD" and lab.scaling_box.value is True


def test_step_advances_the_epoch_by_exactly_its_size(lab):
    lab.step(1)
    assert lab.epoch == 1 and "epoch 1 of" in lab.readout.value
    lab.step(10)
    assert lab.epoch == 11
    lab.step_size.value = 100
    lab.step_button.click()
    assert lab.epoch == 111 and "epoch 111 of" in lab.readout.value


def test_reset_after_a_divergence_clears_the_diverged_hook(lab):
    lab.set(scaling=False)
    assert "descent-diverged" in lab.loss_image._dom_classes
    lab.reset()
    assert "descent-diverged" not in lab.loss_image._dom_classes


def test_reset_returns_to_epoch_zero_and_the_starting_plot(lab):
    start_picture = lab.loss_image.value, lab.trajectory_image.value
    lab.step(50)
    lab.reset_button.click()
    assert lab.epoch == 0 and "epoch 0 of" in lab.readout.value
    assert (lab.loss_image.value, lab.trajectory_image.value) == start_picture
    assert lab.params.tolist() == [1.0, 0.0]


def test_a_learning_rate_change_starts_over_and_previews_the_first_epochs(lab):
    lab.step(100)
    lab.lr_slider.value = 2e-2
    assert lab.epoch == PREVIEW_EPOCHS == 20
    assert lab.optimizer.param_groups[0]["lr"] == 2e-2
    assert f"epoch {PREVIEW_EPOCHS} of" in lab.readout.value


@pytest.mark.parametrize("control, value", [("optimizer_menu", "Adam"), ("scaling_box", False)])
def test_an_optimizer_or_scaling_change_also_starts_over_with_a_preview(lab, control, value):
    lab.step(100)
    getattr(lab, control).value = value
    assert lab.epoch == PREVIEW_EPOCHS or lab.diverged_at is not None


def test_changing_the_epochs_only_moves_the_finish_line(lab):
    lab.step(30)
    lab.epochs_box.value = 50
    assert lab.epoch == 30 and "epoch 30 of 50" in lab.readout.value


def test_run_trains_up_to_the_epochs_box_and_starts_over_once_there(lab):
    lab.set(epochs=60)
    lab.run()
    assert lab.epoch == 60 and not lab.running and lab.run_button.description == "Run"
    first_losses = lab.history.column(1).copy()
    lab.run()  # already at 60: starts over, same numbers
    assert lab.epoch == 60 and np.array_equal(lab.history.column(1), first_losses, equal_nan=True)


def test_scaled_inputs_with_momentum_reach_the_best_line(lab):
    lab.set(optimizer="SGD with momentum", lr=1e-2, scaling=True)
    snapshot = lab.run(epochs=500)
    train_loss = lab.history.column(1)[-1]
    assert 2.9 < train_loss < 3.0
    assert snapshot.text.startswith("epoch 500 of 500 · train loss 2.979")


# --- divergence -------------------------------------------------------------------------------------------


def test_raw_inputs_at_lr_1e_2_diverge_and_the_run_ends_cleanly_at_that_epoch(lab):
    lab.set(lr=1e-2, scaling=False, optimizer="SGD")
    snapshot = lab.run(epochs=200)
    assert lab.diverged_at == lab.epoch == 10 and not lab.running
    sentence = "diverged at epoch 10: lower the learning rate or scale the inputs"
    assert sentence in lab.readout.value and sentence in snapshot.text
    assert "diverged at epoch 10" in lab.loss_plot.message.get_text().replace("\n", " ")
    assert lab._trajectory().message.get_text() == "diverged at epoch 10"
    for image in (lab.loss_image, lab.trajectory_image):
        assert "descent-diverged" in image._dom_classes and not image.tooltip
    assert lab.loss_plot.message.get_visible()
    assert math.isfinite(lab.loss_plot.y_lim[1])
    lab.step(5)  # nothing left to train: the epoch stays where it diverged
    assert lab.epoch == 10


def test_with_scaled_inputs_the_divergence_sentence_suggests_only_a_lower_rate(lab):
    lab.set(lr=1e-1, scaling=True)
    lab.run(epochs=200)
    assert "diverged at epoch 26: lower the learning rate" in lab.text()
    assert "scale the inputs" not in lab.text()


def test_a_diverging_preview_shows_the_message_at_once(lab):
    lab.set(scaling=False, lr=1e-2)
    assert lab.diverged_at == 10 and "diverged at epoch 10" in lab.readout.value


# --- bad input: one sentence ------------------------------------------------------------------------------


@pytest.mark.parametrize("lr", [-0.1, 0, 0.0, math.nan, math.inf, "0.01", True, 5.0, 1e-9])
def test_nonsense_learning_rates_are_one_sentence(lab, lr):
    with pytest.raises(CourseError) as err:
        lab.set(lr=lr)
    assert "learning rate" in one_sentence(err)
    with pytest.raises(CourseError):
        check_lr(lr)
    assert lab.lr_slider.value == 1e-2  # nothing changed


@pytest.mark.parametrize("epochs", [0, -5, 2.5, "10", 10**6])
def test_nonsense_epochs_are_one_sentence(lab, epochs):
    with pytest.raises(CourseError) as err:
        lab.run(epochs=epochs)
    assert "epochs" in one_sentence(err)
    with pytest.raises(CourseError):
        check_epochs(epochs)


@pytest.mark.parametrize("n", [0, -1, 1.5, 10**6])
def test_stepping_by_nonsense_is_one_sentence(lab, n):
    with pytest.raises(CourseError) as err:
        lab.step(n)
    one_sentence(err)
    assert lab.epoch == 0


@pytest.mark.parametrize("changes, words", [
    ({"optimizer": "RMSprop"}, "no optimizer called 'RMSprop'"),
    ({"optimizer": ["SGD"]}, "no optimizer called ['SGD']"),
    ({"scaling": "yes"}, "True or False"),
    ({"step_size": 7}, "step_size must be one of 1, 10, 100"),
])
def test_other_nonsense_settings_are_one_sentence(lab, changes, words):
    with pytest.raises(CourseError) as err:
        lab.set(**changes)
    assert words in one_sentence(err)


def test_a_nan_learning_rate_from_the_slider_goes_to_the_readout_not_a_crash(lab):
    lab.lr_slider.value = math.nan  # the slider's own clamping lets NaN through
    assert "finite number" in lab.readout.value and lab.problem
    lab.lr_slider.value = 1e-3
    assert not lab.problem and lab.epoch == PREVIEW_EPOCHS


def short_x_train():
    x_train, y_train, x_val, y_val = DATA
    return x_train[:-1], y_train, x_val, y_val


@pytest.mark.parametrize("data, words", [
    (short_x_train(), "x_train has 8 values but y_train has 9"),
    ((torch.tensor([]), torch.tensor([]), DATA[2], DATA[3]), "non-empty"),
    (DATA[:3], "four tensors"),
    ((DATA[0].long(), DATA[1], DATA[2], DATA[3]), "floats"),
    ((DATA[0].reshape(3, 3), DATA[1].reshape(3, 3), DATA[2], DATA[3]), "1-D"),
    (([1.0, 2.0], DATA[1], DATA[2], DATA[3]), "must be a tensor"),
    ((DATA[0], DATA[1], torch.tensor([math.nan, 1.0]), DATA[3]), "NaN"),
])
def test_bad_data_is_one_sentence(data, words):
    with pytest.raises(CourseError) as err:
        make_lab(data=data)
    assert words in one_sentence(err)


def test_a_train_epoch_with_mismatched_shapes_inside_is_one_sentence():
    def broken(params, optimizer, x_train, y_train, x_val, y_val):
        return train_epoch(params, optimizer, x_train, y_train[:4], x_val, y_val)

    with pytest.raises(CourseError) as err:
        make_lab(train_epoch=broken)
    assert one_sentence(err).startswith("train_epoch raised RuntimeError")


def test_a_train_epoch_that_returns_nothing_is_one_sentence():
    def forgot_return(params, optimizer, x_train, y_train, x_val, y_val):
        train_epoch(params, optimizer, x_train, y_train, x_val, y_val)

    with pytest.raises(CourseError) as err:
        make_lab(train_epoch=forgot_return)
    assert "must return two numbers" in one_sentence(err) and "None" in str(err.value)


@pytest.mark.parametrize("changes, words", [
    ({"optimizers": {"SGD": lambda params, lr: "fast"}}, "must return a torch.optim optimizer"),
    ({"optimizers": {}}, "optimizers must be a dict"),
    ({"model": model(1.0, 2.0, 3.0)}, "model must be the function itself"),
    ({"scale_inputs": lambda t: t[:2]}, "scale_inputs must return"),
    ({"start": (1.0,)}, "start must be two numbers"),
    ({"lr": -1}, "learning rate"),
    ({"epochs": 0}, "epochs"),
])
def test_bad_arguments_to_the_lab_are_one_sentence(changes, words):
    with pytest.raises(CourseError) as err:
        make_lab(**changes)
    assert words in one_sentence(err)


def test_an_error_during_a_button_press_goes_to_the_readout_not_a_traceback():
    calls = {"n": 0}

    def fails_later(*args):
        calls["n"] += 1
        if calls["n"] > 5:
            raise ValueError("something broke")
        return train_epoch(*args)

    lab = make_lab(train_epoch=fails_later)
    lab.step_size.value = 10
    lab.step_button.click()  # must not raise
    assert "train_epoch raised ValueError: something broke" in lab.readout.value
    assert "stopped" in lab.loss_plot.message.get_text()


# --- Run in the background (the Run button inside a kernel) ----------------------------------------------


def test_run_button_trains_in_the_background_and_stop_stops_it(lab):
    async def scenario():
        lab.set(epochs=20_000)
        others_ran = 0
        lab.run_button.click()
        assert lab.running and lab.run_button.description == "Stop"
        for _ in range(40):  # other work (the kernel answering the browser) gets its turn
            await asyncio.sleep(0.01)
            others_ran += 1
            if lab.epoch > 0 and lab.loss_plot.frames > 1:
                break
        assert 0 < lab.epoch < 20_000 and others_ran > 0
        lab.run_button.click()  # Stop
        stopped_at = lab.epoch
        await asyncio.sleep(0.05)
        return stopped_at

    stopped_at = asyncio.run(scenario())
    assert not lab.running and lab.run_button.description == "Run" and lab.epoch == stopped_at
    assert f"epoch {stopped_at} of 20000" in lab.readout.value


def test_a_background_run_finishes_at_the_epochs_box(lab):
    async def scenario():
        lab.set(epochs=300)
        lab.run_button.click()
        while lab.running:
            await asyncio.sleep(0.005)

    asyncio.run(scenario())
    assert lab.epoch == 300 and "epoch 300 of 300" in lab.readout.value


def test_moving_the_slider_during_a_background_run_stops_it_and_starts_over(lab):
    async def scenario():
        lab.set(epochs=20_000)
        lab.run_button.click()
        await asyncio.sleep(0.05)
        lab.lr_slider.value = 3e-2
        await asyncio.sleep(0.2)

    asyncio.run(scenario())
    assert not lab.running and lab.epoch == PREVIEW_EPOCHS


def test_outside_an_event_loop_the_run_button_trains_right_away(lab):
    lab.set(epochs=40)
    lab.run_button.click()
    assert lab.epoch == 40 and not lab.running


def test_a_live_run_draws_frames_by_the_clock(lab, monkeypatch):
    monkeypatch.setattr(lab_module, "FRAME_SECONDS", 0.0)  # a frame after every epoch
    frames_before = lab.loss_plot.frames
    lab.run(epochs=5)
    assert lab.loss_plot.frames - frames_before >= 5


# --- pictures for readers without a kernel ----------------------------------------------------------------


def test_show_displays_the_widget_with_a_picture_and_a_fixed_caption(lab, monkeypatch):
    shown = []
    monkeypatch.setattr(widget_display, "display", lambda bundle, raw: shown.append(bundle))
    lab.show()
    (bundle,) = shown
    assert bundle["text/plain"] == (
        "Gradient-descent lab (learning rate 1.0e-02, SGD, inputs scaled): "
        "epoch 0 of 1000 · w 1 · b 0 · press Run or Step to train"
    )
    assert png_size(base64.b64decode(bundle["image/png"])) == (840, 300)
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_run_and_step_return_the_readout_and_a_picture(lab):
    bundle = lab.step(3)._repr_mimebundle_()
    assert bundle["text/plain"].startswith("epoch 3 of 1000 · train loss ")
    assert png_size(base64.b64decode(bundle["image/png"])) == (840, 300)


def test_the_same_run_gives_the_same_picture(lab):
    first = lab.run(epochs=100).png
    assert make_lab().run(epochs=100).png == first


def test_presenter_mode_enlarges_the_plots_and_the_controls():
    style.course_style(presenter=True)
    try:
        big = make_lab()
    finally:
        style.course_style(presenter=False)
    assert png_size(big.loss_image.value) == (630, 450)
    assert big.lr_slider.layout.width == "660px"


@pytest.mark.parametrize("settings", [{"scaling": True}, {"scaling": False, "lr": 1e-2}, {"lr": 1e-1}])
def test_a_runs_last_picture_does_not_depend_on_the_live_frames_drawn_on_the_way(settings, monkeypatch):
    quiet = make_lab(live=False)
    quiet.set(**settings)
    expected = quiet.run(epochs=300)
    monkeypatch.setattr(lab_module, "FRAME_SECONDS", 0.0)  # a live frame after every epoch
    busy = make_lab()
    busy.set(**settings)
    got = busy.run(epochs=300)
    assert got.text == expected.text and got.png == expected.png
