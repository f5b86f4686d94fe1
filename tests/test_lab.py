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
from helpers import widget_display
from helpers.errors import CourseError
from helpers.lab import PREVIEW_EPOCHS, DescentLab

from lab_notebook import DATA, INPUTS, OPTIMIZERS, loss_fn, model, one_sentence, train_epoch

def make_lab(**changes) -> DescentLab:
    args = {"model": model, "loss_fn": loss_fn, "train_epoch": train_epoch, "optimizers": OPTIMIZERS,
            "input_choices": INPUTS, "data": DATA, "inputs": "rescaled ×0.1"}
    args.update(changes)
    return DescentLab(**args)


@pytest.fixture
def lab() -> DescentLab:
    return make_lab()



def png_size(png: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(png)).size


# --- the controls -----------------------------------------------------------------------------------------


def test_every_control_carries_its_browser_test_class(lab):
    hooks = {
        lab.lr_slider: "descent-lr", lab.epochs_box: "descent-epochs", lab.run_button: "descent-run",
        lab.step_button: "descent-step", lab.reset_button: "descent-reset", lab.optimizer_menu: "descent-optimizer",
        lab.inputs_menu: "descent-inputs", lab.batch_menu: "descent-batch-size", lab.readout: "descent-readout", lab.loss_image: "descent-loss-plot",
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
    assert lab.training.epoch == 0
    assert "epoch 0 of 1000" in lab.readout.value and "press Run or Step" in lab.readout.value
    assert png_size(lab.loss_image.value) == (420, 300) and png_size(lab.trajectory_image.value) == (420, 300)
    assert lab.lr_slider.value == 1e-2 and lab.optimizer_menu.value == "SGD" and lab.inputs_menu.value == "rescaled ×0.1" and lab.batch_menu.value == 9


def test_step_advances_the_epoch_by_exactly_its_size(lab):
    lab.step(1)
    assert lab.training.epoch == 1 and "epoch 1 of" in lab.readout.value
    lab.step(10)
    assert lab.training.epoch == 11
    lab.step_size.value = 100
    lab.step_button.click()
    assert lab.training.epoch == 111 and "epoch 111 of" in lab.readout.value


def test_reset_after_a_divergence_clears_the_diverged_hook(lab):
    lab.set(inputs="raw")
    assert "descent-diverged" in lab.loss_image._dom_classes
    lab.reset()
    assert "descent-diverged" not in lab.loss_image._dom_classes


def test_reset_returns_to_epoch_zero_and_the_starting_plot(lab):
    start_picture = lab.loss_image.value, lab.trajectory_image.value
    lab.step(50)
    lab.reset_button.click()
    assert lab.training.epoch == 0 and "epoch 0 of" in lab.readout.value
    assert (lab.loss_image.value, lab.trajectory_image.value) == start_picture
    assert lab.training.params.tolist() == [1.0, 0.0]


def test_a_learning_rate_change_starts_over_and_previews_the_first_epochs(lab):
    lab.step(100)
    lab.lr_slider.value = 2e-2
    assert lab.training.epoch == PREVIEW_EPOCHS == 20
    assert lab.training.optimizer.param_groups[0]["lr"] == 2e-2
    assert f"epoch {PREVIEW_EPOCHS} of" in lab.readout.value


def test_a_preview_whose_curves_fit_the_loss_axis_keeps_it_without_a_full_redraw(lab):
    lab.set(batch_size=1, lr=1e-3)  # single-reading losses reach 1e-6: a wide axis
    limits, redraws = lab.loss_plot.y_lim, lab.loss_plot.full_redraws
    lab.lr_slider.value = 2e-3  # on its own this preview would get narrower limits
    assert lab.training.epoch == PREVIEW_EPOCHS
    assert lab.loss_plot.y_lim == limits and lab.loss_plot.full_redraws == redraws


def test_a_preview_whose_curves_leave_the_loss_axis_gets_new_limits_in_a_full_redraw(lab):
    lab.set(batch_size=1, lr=2e-3)
    limits, redraws = lab.loss_plot.y_lim, lab.loss_plot.full_redraws
    lab.lr_slider.value = 5e-2  # diverges within the preview: the losses pass the top of the axis
    assert lab.training.diverged_at is not None
    assert lab.loss_plot.y_lim != limits and lab.loss_plot.y_lim[1] == 1e40
    assert lab.loss_plot.full_redraws == redraws + 1
    lab.lr_slider.value = 1e-4  # fits under 1e40 but far too loosely: the axis shrinks back to the data
    assert lab.loss_plot.y_lim[1] < 1e12


@pytest.mark.parametrize("control, value", [("optimizer_menu", "Adam"), ("inputs_menu", "raw"), ("batch_menu", 3)])
def test_an_optimizer_inputs_or_batch_change_also_starts_over_with_a_preview(lab, control, value):
    lab.step(100)
    getattr(lab, control).value = value
    assert lab.training.epoch == PREVIEW_EPOCHS or lab.training.diverged_at is not None


def test_changing_the_epochs_only_moves_the_finish_line(lab):
    lab.step(30)
    lab.epochs_box.value = 50
    assert lab.training.epoch == 30 and "epoch 30 of 50" in lab.readout.value


def test_run_trains_up_to_the_epochs_box_and_starts_over_once_there(lab):
    lab.set(epochs=60)
    lab.run()
    assert lab.training.epoch == 60 and not lab.running and lab.run_button.description == "Run"
    first_losses = lab.training.history.column(1).copy()
    lab.run()  # already at 60: starts over, same numbers
    assert lab.training.epoch == 60 and np.array_equal(lab.training.history.column(1), first_losses, equal_nan=True)


def test_scaled_inputs_with_momentum_reach_the_best_line(lab):
    lab.set(optimizer="SGD with momentum", lr=1e-2, inputs="rescaled ×0.1")
    snapshot = lab.run(epochs=500)
    train_loss = lab.training.history.column(1)[-1]
    assert 2.9 < train_loss < 3.0
    assert snapshot.text.startswith("epoch 500 of 500 · train loss 2.979")


# --- divergence -------------------------------------------------------------------------------------------


def test_raw_inputs_at_lr_1e_2_diverge_and_the_run_ends_cleanly_at_that_epoch(lab):
    lab.set(lr=1e-2, inputs="raw", optimizer="SGD")
    snapshot = lab.run(epochs=200)
    assert lab.training.diverged_at == lab.training.epoch == 10 and not lab.running
    sentence = "diverged at epoch 10: lower the learning rate"
    assert sentence in lab.readout.value and sentence in snapshot.text
    assert "diverged at epoch 10" in lab.loss_plot.message.get_text().replace("\n", " ")
    assert lab._map_for("raw").message.get_text() == "diverged at epoch 10"
    for image in (lab.loss_image, lab.trajectory_image):
        assert "descent-diverged" in image._dom_classes and not image.tooltip
    assert lab.loss_plot.message.get_visible()
    assert math.isfinite(lab.loss_plot.y_lim[1])
    lab.step(5)  # nothing left to train: the epoch stays where it diverged
    assert lab.training.epoch == 10


def test_rescaled_inputs_at_lr_1e_1_diverge_at_epoch_26(lab):
    lab.set(lr=1e-1, inputs="rescaled ×0.1")
    lab.run(epochs=200)
    assert "diverged at epoch 26: lower the learning rate" in lab.text()


def test_a_diverging_preview_shows_the_message_at_once(lab):
    lab.set(inputs="raw", lr=1e-2)
    assert lab.training.diverged_at == 10 and "diverged at epoch 10" in lab.readout.value


# --- bad input: one sentence ------------------------------------------------------------------------------


@pytest.mark.parametrize("lr", [-0.1, 0, 0.0, math.nan, math.inf, "0.01", True, 5.0, 1e-9])
def test_nonsense_learning_rates_are_one_sentence(lab, lr):
    with pytest.raises(CourseError) as err:
        lab.set(lr=lr)
    assert "learning rate" in one_sentence(err)
    assert lab.lr_slider.value == 1e-2 and lab.settings().startswith("learning rate 1.0e-02")  # nothing changed


@pytest.mark.parametrize("epochs", [0, -5, 2.5, "10", 10**6])
def test_nonsense_epochs_are_one_sentence(lab, epochs):
    with pytest.raises(CourseError) as err:
        lab.run(epochs=epochs)
    assert "epochs" in one_sentence(err)


@pytest.mark.parametrize("n", [0, -1, 1.5, 10**6])
def test_stepping_by_nonsense_is_one_sentence(lab, n):
    with pytest.raises(CourseError) as err:
        lab.step(n)
    one_sentence(err)
    assert lab.training.epoch == 0


@pytest.mark.parametrize("changes, words", [
    ({"optimizer": "RMSprop"}, "no optimizer called 'RMSprop'"),
    ({"optimizer": ["SGD"]}, "no optimizer called ['SGD']"),
    ({"inputs": True}, "no input choice called True"),
    ({"batch_size": 0}, "batch size must be a whole number from 1 to 9"),
    ({"batch_size": 10}, "batch size must be a whole number from 1 to 9"),
    ({"batch_size": 4.5}, "batch size must be a whole number from 1 to 9"),
    ({"step_size": 7}, "step_size must be one of 1, 10, 100"),
])
def test_other_nonsense_settings_are_one_sentence(lab, changes, words):
    with pytest.raises(CourseError) as err:
        lab.set(**changes)
    assert words in one_sentence(err)


def test_a_nan_learning_rate_from_the_slider_is_refused_and_the_slider_goes_back(lab):
    lab.step(5)
    lab.lr_slider.value = math.nan  # the slider's own clamping lets NaN through
    assert "finite number" in lab.readout.value and lab.notice
    assert lab.lr_slider.value == 1e-2 and lab.training.settings.lr == 1e-2 and lab.training.epoch == 5
    assert lab.settings().startswith("learning rate 1.0e-02")
    lab.lr_slider.value = 1e-3
    assert not lab.notice and lab.training.epoch == PREVIEW_EPOCHS and lab.training.settings.lr == 1e-3


def broken_factory(params, lr):
    raise TypeError("SGD() got an unexpected keyword argument 'learning_rate'")


def test_an_optimizer_that_raises_from_the_menu_is_one_sentence_and_the_menu_goes_back():
    lab = make_lab(optimizers={**OPTIMIZERS, "broken": broken_factory})
    lab.step(7)
    lab.optimizer_menu.value = "broken"  # a widget callback: must not raise
    assert "optimizers[&#x27;broken&#x27;] raised TypeError" in lab.readout.value or \
        "optimizers['broken'] raised TypeError" in lab.readout.value
    assert lab.optimizer_menu.value == "SGD" and lab.training.settings.optimizer == "SGD"
    assert lab.training.epoch == 7 and isinstance(lab.training.optimizer, torch.optim.SGD)
    assert ", SGD, " in lab.settings()
    lab.step(1)
    assert lab.training.epoch == 8 and not lab.notice


def test_an_optimizer_that_raises_from_code_is_one_sentence_and_nothing_changes():
    lab = make_lab(optimizers={**OPTIMIZERS, "broken": broken_factory})
    with pytest.raises(CourseError) as err:
        lab.set(optimizer="broken", lr=3e-2)
    assert "optimizers['broken'] raised TypeError" in one_sentence(err)
    assert lab.optimizer_menu.value == "SGD" and lab.lr_slider.value == 1e-2
    assert lab.settings() == "learning rate 1.0e-02, SGD, rescaled ×0.1 inputs, full batch"


def test_a_batch_size_below_the_data_draws_the_loss_of_every_step(lab):
    lab.set(inputs="standardised", lr=0.1, batch_size=3)
    lab.run(epochs=30)
    assert lab.training.history.n_steps == 90 and len(lab.loss_plot.step_line.get_xdata()) > 0
    assert lab.loss_plot.with_steps and lab.settings().endswith("batches of 3")
    lab.set(batch_size=9)
    assert len(lab.loss_plot.step_line.get_xdata()) == 0 and not lab.loss_plot.with_steps


def test_the_inputs_menu_switches_the_map_and_its_edge(lab):
    assert "rescaled ×0.1 inputs (edge lr 0.033)" in lab._map_for("rescaled ×0.1").ax.get_title()
    lab.inputs_menu.value = "standardised"
    assert lab.training.settings.inputs == "standardised" and lab.training.epoch == PREVIEW_EPOCHS
    assert "standardised inputs (edge lr 1)" in lab._map_for("standardised").ax.get_title()


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
    def broken(params, optimizer, x_train, y_train, x_val, y_val, batch_size, generator):
        return train_epoch(params, optimizer, x_train, y_train[:4], x_val, y_val, batch_size, generator)

    with pytest.raises(CourseError) as err:
        make_lab(train_epoch=broken)
    assert one_sentence(err).startswith("train_epoch raised IndexError")


def test_a_train_epoch_that_returns_nothing_is_one_sentence():
    def forgot_return(*args):
        train_epoch(*args)

    with pytest.raises(CourseError) as err:
        make_lab(train_epoch=forgot_return)
    assert "must return (the list of step losses" in one_sentence(err) and "None" in str(err.value)


@pytest.mark.parametrize("changes, words", [
    ({"optimizers": {"SGD": lambda params, lr: "fast"}}, "must return a torch.optim optimizer"),
    ({"optimizers": {}}, "The optimizers must be a dict"),
    ({"model": model(1.0, 2.0, 3.0)}, "model must be the function itself"),
    ({"input_choices": {"short": lambda t: t[:2]}, "inputs": "short"}, "inputs['short'] must return"),
    ({"model": loss_fn, "loss_fn": model}, "the lab calls loss_fn(model(x, w, b), y)"),
    ({"model": lambda x, params: params[0] * x + params[1]}, "pass the model first"),
    ({"loss_fn": lambda t_p, t_c: (t_p - t_c) ** 2}, "must give a one-number tensor"),
    ({"batch_size": 0}, "batch size"),
    ({"input_choices": DATA, "data": INPUTS}, "The inputs must be a dict from a name to a function"),
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
    assert lab.training.epoch == 4  # the lab's trial epoch made the first call; calls 2-5 trained epochs 1-4


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
            if lab.training.epoch > 0 and lab.loss_plot.frames > 1:
                break
        assert 0 < lab.training.epoch < 20_000 and others_ran > 0
        lab.run_button.click()  # Stop
        stopped_at = lab.training.epoch
        await asyncio.sleep(0.05)
        return stopped_at

    stopped_at = asyncio.run(scenario())
    assert not lab.running and lab.run_button.description == "Run" and lab.training.epoch == stopped_at
    assert f"epoch {stopped_at} of 20000" in lab.readout.value


def test_a_background_run_finishes_at_the_epochs_box(lab):
    async def scenario():
        lab.set(epochs=300)
        lab.run_button.click()
        while lab.running:
            await asyncio.sleep(0.005)

    asyncio.run(scenario())
    assert lab.training.epoch == 300 and "epoch 300 of 300" in lab.readout.value


def test_moving_the_slider_during_a_background_run_stops_it_and_starts_over(lab):
    async def scenario():
        lab.set(epochs=20_000)
        lab.run_button.click()
        await asyncio.sleep(0.05)
        lab.lr_slider.value = 3e-2
        await asyncio.sleep(0.2)

    asyncio.run(scenario())
    assert not lab.running and lab.training.epoch == PREVIEW_EPOCHS


def test_lowering_the_epochs_during_a_background_run_ends_it_there(lab):
    async def scenario():
        lab.set(epochs=20_000)
        lab.run_button.click()
        await asyncio.sleep(0.05)
        lab.epochs_box.value = max(lab.training.epoch, 50)
        while lab.running:
            await asyncio.sleep(0.005)

    asyncio.run(scenario())
    assert lab.training.epoch == lab.epochs_box.value < 20_000 and "running" not in lab.text()


def test_a_background_run_without_frames_still_reads_stop_until_it_ends():
    quiet = make_lab(draw_while_training=False)

    async def scenario():
        quiet.set(epochs=2000)
        quiet.run_button.click()
        assert quiet.running and quiet.run_button.description == "Stop"
        while quiet.running:
            await asyncio.sleep(0.005)

    asyncio.run(scenario())
    assert quiet.training.epoch == 2000 and quiet.run_button.description == "Run"


def test_a_refused_setting_during_a_background_run_lets_the_run_go_on():
    lab = make_lab(optimizers={**OPTIMIZERS, "broken": broken_factory})

    async def scenario():
        lab.set(epochs=20_000)
        lab.run_button.click()
        await asyncio.sleep(0.05)
        lab.optimizer_menu.value = "broken"
        assert lab.running and lab.optimizer_menu.value == "SGD"
        at = lab.training.epoch
        await asyncio.sleep(0.3)
        assert lab.training.epoch > at  # still training
        lab.run_button.click()  # Stop

    asyncio.run(scenario())
    assert not lab.running and lab.training.settings.optimizer == "SGD"


def test_outside_an_event_loop_the_run_button_trains_right_away(lab):
    lab.set(epochs=40)
    lab.run_button.click()
    assert lab.training.epoch == 40 and not lab.running


def test_a_run_draws_frames_by_the_clock(lab, monkeypatch):
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
        "Gradient-descent lab (learning rate 1.0e-02, SGD, rescaled ×0.1 inputs, full batch): "
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


def test_presenter_mode_enlarges_the_plots_and_the_controls_and_keeps_the_plots_on_one_row():
    big = make_lab(presenter=True)
    assert png_size(big.loss_image.value) == (630, 450)
    assert big.lr_slider.layout.width == "660px"
    assert big.loss_image.layout.max_width == "50%" and big.panel.children[-1].layout.flex_flow == "row nowrap"
    assert png_size(make_lab(presenter=False).loss_image.value) == (420, 300)


def test_presenter_must_be_true_false_or_none():
    with pytest.raises(CourseError) as err:
        make_lab(presenter="no")
    assert "presenter=True, presenter=False or nothing" in one_sentence(err)


@pytest.mark.parametrize("settings", [{"inputs": "rescaled ×0.1"}, {"inputs": "raw", "lr": 1e-2}, {"lr": 1e-1}])
def test_a_runs_last_picture_does_not_depend_on_the_frames_drawn_on_the_way(settings, monkeypatch):
    quiet = make_lab(draw_while_training=False)
    quiet.set(**settings)
    expected = quiet.run(epochs=300)
    monkeypatch.setattr(lab_module, "FRAME_SECONDS", 0.0)  # a live frame after every epoch
    busy = make_lab()
    busy.set(**settings)
    got = busy.run(epochs=300)
    assert got.text == expected.text and got.png == expected.png
