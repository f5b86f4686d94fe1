"""Lesson 8 (the lab): predict the regime, find the largest learning rate that converges, pick a batch recipe.

The checks train the lesson's own model (a line, mean squared error, plain gradient descent through
torch.optim.SGD) on the lesson's split of the readings; the edge is 2 / (the largest curvature of the loss).
"""
from __future__ import annotations

import math
from typing import Any

import torch

from helpers.checks import Wrong, exercise, expect
from helpers.data import thermometer, train_val_split

CHOICES = ("diverges", "stalls", "converges")
REGIMES = {  # 200 epochs of full-batch gradient descent from w = 1, b = 0 (tests/test_exercises_lesson8.py re-runs them)
    ("raw", 1e-3): "diverges",
    ("rescaled ×0.1", 3e-2): "stalls",
    ("standardised", 0.5): "converges",
    ("standardised", 1.5): "diverges",
}
TARGET_LOSS, RECIPE_EPOCHS = 3.0, 10


def lesson_data() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(standardised training inputs, training targets, raw training inputs), as in the lesson."""
    t_u, t_c = thermometer()
    t_u_train, t_c_train, _, _ = train_val_split(t_u, t_c, val_fraction=0.2, seed=0)
    return (t_u_train - t_u_train.mean()) / t_u_train.std(), t_c_train, t_u_train


def inputs_named(name: str) -> torch.Tensor:
    z, _, raw = lesson_data()
    return {"raw": raw, "rescaled ×0.1": 0.1 * raw, "standardised": z}[name]


def edge(x: torch.Tensor) -> float:
    """2 / the largest eigenvalue of the Hessian 2/N XᵀX of the mean squared error of a line on inputs x."""
    X = torch.stack([x.double(), torch.ones(len(x), dtype=torch.float64)], dim=1)
    return 2 / torch.linalg.eigvalsh(2 / len(x) * X.T @ X)[-1].item()


def train(x: torch.Tensor, y: torch.Tensor, lr: float, epochs: int, batch_size: int) -> torch.Tensor | None:
    """The lesson's train_epoch, `epochs` times, seeded as the lab seeds it; the final [w, b], or None if it blew up."""
    params = torch.tensor([1.0, 0.0], requires_grad=True)
    optimizer = torch.optim.SGD([params], lr=lr)
    generator = torch.Generator().manual_seed(0)
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            optimizer.zero_grad()
            loss = ((params[0] * x[batch] + params[1] - y[batch]) ** 2).mean()
            loss.backward()
            optimizer.step()
        if not torch.isfinite(params).all():
            return None
    return params.detach()


def full_loss(params: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> float:
    return ((params[0] * x + params[1] - y) ** 2).mean().item()


# --- exercise 1: predict the regime -------------------------------------------------------------------------


@exercise(
    "regimes",
    lesson=8,
    title="Exercise 1: predict the regime",
    hints=(
        "Compare each learning rate with its inputs' edge, 2 / steepest: above it, every step overshoots further."
        " Below it, ask how long the valley is (the ratio of curvatures): a long one makes the flat direction crawl.",
        "For each case, read the edge of its inputs in valley-shape's output: lr > edge -> \"diverges\"; lr < edge"
        " with a ratio in the hundreds or more -> \"stalls\"; lr < edge with a ratio near 1 -> \"converges\".",
    ),
    solution="""
        regimes = {
            ("raw", 1e-3): "diverges",          # the raw edge is 3.4e-4
            ("rescaled ×0.1", 3e-2): "stalls",  # just under the edge 3.3e-2, but the valley is long (ratio 358)
            ("standardised", 0.5): "converges", # half the edge 1, in a round bowl
            ("standardised", 1.5): "diverges",  # standardising moved the edge to 1; it did not remove it
        }
    """,
)
def _regimes(answer: Any) -> None:
    expect(isinstance(answer, dict), f"regimes must be a dict from (inputs, learning rate) to a word, but it is a "
                                     f"{type(answer).__name__}.")
    for case, right in REGIMES.items():
        got = answer.get(case)
        expect(got is not None, f"regimes has no entry for {case}: keep the four keys of the cell and fill in the words.")
        expect(got in CHOICES, f"regimes[{case}] is {got!r}: replace it with one of \"diverges\", \"stalls\" or"
                               " \"converges\".")
        if got == right:
            continue
        inputs, lr = case
        limit = edge(inputs_named(inputs))
        if right == "diverges" and inputs == "standardised":
            raise Wrong(f"{case}: standardising raised the edge to {limit:.2g}, it did not remove it; {lr:g} is past it.")
        if right == "diverges":
            raise Wrong(f"{case}: {lr:g} looks small, but the edge on {inputs} inputs is {limit:.2g}: each step overshoots.")
        if right == "stalls":
            raise Wrong(f"{case}: {lr:g} is just under the edge {limit:.2g}, so it does not diverge; but rescaling left the"
                        " valley long (ratio 358), so the flat direction crawls.")
        raise Wrong(f"{case}: {lr:g} is half the edge {limit:.2g} and the standardised bowl is round: it converges fast.")


# --- exercise 2: the largest learning rate that converges ----------------------------------------------------


@exercise(
    "largest_lr",
    lesson=8,
    title="Exercise 2: the largest learning rate that converges",
    hints=(
        "Gradient descent converges while |1 - lr × curvature| < 1 in every direction; the steepest direction sets"
        " the limit. Try learning rates around the edge in the map's title and watch the loss after 200 epochs.",
        "In the lab: `lab.set(inputs=\"standardised\", optimizer=\"SGD\", batch_size=9, lr=...)` then"
        " `lab.run(epochs=200)`; raise lr until the loss stops reaching 2.98. The edge itself is not included.",
    ),
    solution="""
        largest_lr = 0.99  # just under the edge 2 / 2.00 = 1: at exactly 1, b bounces between two values forever
    """,
)
def _largest_lr(answer: Any) -> None:
    expect(answer is not ..., "Replace the ... with the learning rate you found, e.g. `largest_lr = 0.5`.")
    expect(isinstance(answer, (int, float)) and not isinstance(answer, bool) and math.isfinite(answer),
           f"largest_lr must be a number, like 0.5, but it is {answer!r}.")
    limit = edge(inputs_named("standardised"))
    if math.isclose(answer, limit, rel_tol=1e-3):
        raise Wrong(f"At exactly the edge {limit:.3g}, 1 - lr × curvature is -1 in the steepest direction: each step"
                    " lands as far from the minimum as the last, on the other side. It never converges: go just below.")
    if answer > limit:
        raise Wrong(f"{answer:g} is past the edge 2 / (largest curvature) = {limit:.3g}: every step overshoots further"
                    " and it diverges. Go lower.")
    if answer < 0.9 * limit:
        raise Wrong(f"{answer:g} converges, but so do larger learning rates: anything below the edge {limit:.3g} does."
                    " Push it up until you are within a tenth of the edge.")


# --- exercise 3: a batch size and a learning rate ------------------------------------------------------------


@exercise(
    "batch_recipe",
    lesson=8,
    title="Exercise 3: a batch size and a learning rate",
    hints=(
        "Smaller batches take more steps per epoch, but each step is noisier: too large a learning rate and the path"
        " jitters around the star above 3.0; too small and 10 epochs are not enough to get there.",
        "Try `lab.set(inputs=\"standardised\", optimizer=\"SGD\", batch_size=3, lr=...)` with a few learning rates"
        " between 0.01 and 0.5, then `lab.run(epochs=10)`; the training loss is printed in the readout.",
    ),
    solution="""
        batch_recipe = (3, 0.1)
    """,
)
def _batch_recipe(answer: Any) -> None:
    expect(answer is not ... and not (isinstance(answer, (tuple, list)) and ... in answer),
           "Replace each ... with your choice, e.g. `batch_recipe = (3, 0.5)`.")
    expect(isinstance(answer, (tuple, list)) and len(answer) == 2,
           f"batch_recipe must be two numbers, (batch size, learning rate), like (3, 0.1), but it is {answer!r}.")
    batch_size, lr = answer
    expect(isinstance(batch_size, int) and not isinstance(batch_size, bool) and 1 <= batch_size <= 8,
           f"The batch size must be a whole number from 1 to 8 (smaller than the full batch of 9), but it is {batch_size!r}.")
    expect(isinstance(lr, (int, float)) and not isinstance(lr, bool) and math.isfinite(lr) and 0 < lr <= 3,
           f"The learning rate must be a number above 0 and at most 3, but it is {lr!r}.")
    x, y, _ = lesson_data()
    params = train(x, y, float(lr), RECIPE_EPOCHS, batch_size)
    if params is None:
        raise Wrong(f"With batches of {batch_size} at lr {lr:g} the run diverged: a step on few readings can be as steep"
                    " as on all of them, so stay below the edge; try a smaller learning rate.")
    loss = full_loss(params, x, y)
    if loss >= TARGET_LOSS:
        longer = train(x, y, float(lr), 3 * RECIPE_EPOCHS, batch_size)
        slow = longer is not None and full_loss(longer, x, y) < 0.8 * loss  # still falling: the steps are too small
        why = ("the steps are too small to get there in 10 epochs: raise the learning rate" if slow else
               "each step on a few readings pulls toward their own line, so the path jitters around the minimum:"
               " a smaller learning rate or a larger batch calms it")
        raise Wrong(f"After 10 epochs the training loss is {loss:.3f}, not below {TARGET_LOSS}: {why}.")
