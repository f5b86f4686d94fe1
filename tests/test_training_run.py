"""A training run without widgets: start over, advance, divergence, mini-batches, and bad input as one sentence."""
from __future__ import annotations

import math
import sys
import warnings

import pytest
import torch

from helpers.errors import CourseError
from helpers.training_run import Settings, TrainingRun, check_epochs, check_lr

from lab_notebook import DATA, INPUTS, OPTIMIZERS, loss_fn, model, one_sentence, train_epoch

FULL = Settings(lr=1e-2, optimizer="SGD", inputs="rescaled ×0.1", batch_size=9)


def make_run(**changes) -> TrainingRun:
    args = {"train_epoch": train_epoch, "optimizers": OPTIMIZERS, "inputs": INPUTS, "data": DATA}
    args.update(changes)
    return TrainingRun(**args)


@pytest.fixture
def run() -> TrainingRun:
    run = make_run()
    run.start_over(FULL)
    return run



def test_it_imports_no_widgets():
    assert "ipywidgets" not in sys.modules or all(
        "ipywidgets" not in name for name in vars(sys.modules["helpers.training_run"]))
    source = open(sys.modules["helpers.training_run"].__file__).read()
    assert "ipywidgets" not in source and "matplotlib" not in source


def test_advance_yields_each_epoch_and_records_it(run):
    assert list(run.advance(3)) == [1, 2, 3]
    assert run.epoch == 3 and run.history.column(0).tolist() == [0, 1, 2, 3]
    assert math.isnan(run.history.column(1)[0]) and run.history.column(3)[0] == 1.0  # epoch 0 is the start


def test_full_batch_gives_the_lessons_numbers(run):
    run.train(500)
    assert f"{run.history.column(1)[-1]:.4g}" == "7.349"  # lesson 8's experiment-optimizers, SGD row
    assert run.history.n_steps == 500  # one step per epoch


def test_start_over_gives_the_same_run_again(run):
    run.train(50)
    first = run.history.column(1).copy()
    run.start_over()
    assert run.epoch == 0 and run.params.tolist() == [1.0, 0.0]
    run.train(50)
    assert run.history.column(1)[1:].tolist() == first[1:].tolist()


def test_mini_batches_take_several_steps_per_epoch_and_repeat_with_the_seed(run):
    settings = run.settings_with(batch_size=2, inputs="standardised", lr=0.1)
    run.start_over(settings)
    run.train(3)
    x, losses = run.history.steps()
    assert x.tolist() == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.2, 2.4, 2.6, 2.8, 3.0])
    assert run.history.column(1)[1] == pytest.approx(sum(losses[:5]) / 5)
    first = losses.copy()
    run.start_over(settings)
    run.train(3)
    assert run.history.steps()[1].tolist() == first.tolist()


def test_a_diverging_run_stops_at_the_epoch_that_overflowed(run):
    run.start_over(run.settings_with(inputs="raw"))
    assert list(run.advance(200))[-1] == 10 and run.diverged_at == 10
    run.train(5)
    assert run.epoch == 10


def test_goal_is_where_the_last_advance_aims(run):
    run.train(7)
    gen = run.advance(100)
    next(gen)
    assert run.goal == 107 and run.epoch == 8


@pytest.mark.parametrize("lr", [-0.1, 0, math.nan, math.inf, "0.01", True, 5.0, 1e-9])
def test_nonsense_learning_rates_are_one_sentence(run, lr):
    with pytest.raises(CourseError) as err:
        run.settings_with(lr=lr)
    assert "learning rate" in one_sentence(err)
    with pytest.raises(CourseError):
        check_lr(lr)


@pytest.mark.parametrize("epochs", [0, -5, 2.5, "10", 10**6, True])
def test_nonsense_epochs_are_one_sentence(epochs):
    with pytest.raises(CourseError) as err:
        check_epochs(epochs)
    assert "epochs" in one_sentence(err)


@pytest.mark.parametrize("batch_size", [0, 10, 2.5, "3", True, -1, None])
def test_bad_batch_sizes_are_one_sentence(run, batch_size):
    with pytest.raises(CourseError) as err:
        run.settings_with(batch_size=batch_size)
    assert "batch size must be a whole number from 1 to 9" in one_sentence(err)


@pytest.mark.parametrize("changes, words", [
    ({"optimizer": "RMSprop"}, "no optimizer called 'RMSprop'"),
    ({"inputs": "normalised"}, "no input choice called 'normalised'"),
    ({"momentum": 0.9}, "no setting called 'momentum'"),
])
def test_unknown_settings_are_one_sentence(run, changes, words):
    with pytest.raises(CourseError) as err:
        run.settings_with(**changes)
    assert words in one_sentence(err)


def test_an_optimizer_factory_that_raises_leaves_the_run_unchanged(run):
    def broken(params, lr):
        raise TypeError("SGD() got an unexpected keyword argument 'learning_rate'")

    run = make_run(optimizers={**OPTIMIZERS, "broken": broken})
    run.start_over(FULL)
    run.train(5)
    with pytest.raises(CourseError) as err:
        run.start_over(run.settings_with(optimizer="broken"))
    assert "optimizers['broken'] raised TypeError" in one_sentence(err)
    assert run.settings == FULL and run.epoch == 5 and isinstance(run.optimizer, torch.optim.SGD)


def test_a_train_epoch_that_raises_puts_the_parameters_back(run):
    def fails_after_the_update(params, optimizer, *rest):
        train_epoch(params, optimizer, *rest)
        raise ValueError("something broke")

    run = make_run(train_epoch=fails_after_the_update)
    run.start_over(FULL)
    with pytest.raises(CourseError) as err:
        run.train(1)
    assert one_sentence(err).startswith("train_epoch raised ValueError: something broke")
    assert run.params.tolist() == [1.0, 0.0] and run.epoch == 0


def test_loss_tensors_returned_by_train_epoch_work_without_a_torch_warning():
    def returns_tensors(params, optimizer, x_train, y_train, x_val, y_val, batch_size, generator):
        optimizer.zero_grad()
        loss = loss_fn(model(x_train, *params), y_train)
        loss.backward()
        optimizer.step()
        return loss, loss_fn(model(x_val, *params), y_val)  # a tensor that requires grad, twice

    run = make_run(train_epoch=returns_tensors)
    run.start_over(FULL)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run.train(3)
    assert run.epoch == 3 and math.isfinite(run.history.column(1)[-1])


@pytest.mark.parametrize("result", [None, 3.0, ([], 1.0), (["a"], 1.0), ([1.0], torch.ones(3))])
def test_a_train_epoch_returning_the_wrong_thing_is_one_sentence(result):
    run = make_run(train_epoch=lambda *args: result)
    run.start_over(FULL)
    with pytest.raises(CourseError) as err:
        run.train(1)
    assert "train_epoch must return (the list of step losses, the validation loss)" in one_sentence(err)


@pytest.mark.parametrize("changes, words", [
    ({"train_epoch": 3}, "train_epoch must be the function itself"),
    ({"optimizers": {}}, "The optimizers must be a dict"),
    ({"inputs": {"raw": "t_u"}}, "inputs['raw'] must be the function itself"),
    ({"inputs": {"short": lambda t: t[:2]}}, "inputs['short'] must return"),
    ({"inputs": {"broken": lambda t: t.nope}}, "inputs['broken'] raised AttributeError"),
    ({"data": DATA[:3]}, "four tensors"),
    ({"data": (DATA[0].long(), *DATA[1:])}, "floats"),
    ({"data": (DATA[0][:-1], *DATA[1:])}, "x_train has 8 values but y_train has 9"),
    ({"start": (1.0,)}, "start must be two numbers"),
    ({"seed": "0"}, "seed must be a whole number"),
])
def test_bad_arguments_are_one_sentence(changes, words):
    with pytest.raises(CourseError) as err:
        make_run(**changes)
    assert words in one_sentence(err)
