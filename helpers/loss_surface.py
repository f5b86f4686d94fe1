"""The loss map behind the lab's (w, b) path, from the learner's model and loss, with gradient descent's edge.

    plot = loss_map(model, loss_fn, x_train, y_train, start=(1.0, 0.0), inputs="standardised")

The learner's functions are called as the lab calls them, loss_fn(model(x, w, b), y); anything they raise
becomes one sentence saying in which order the lab expects them.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch

from helpers.errors import CourseError, in_one_line
from helpers.live_plot import TrajectoryPlot
from helpers.training_run import describe

GRID_POINTS = 41  # the loss surface is computed on GRID_POINTS x GRID_POINTS values of (w, b)


def _loss_at(model: Callable[..., Any], loss_fn: Callable[..., Any], x: torch.Tensor, y: torch.Tensor,
             w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """loss_fn(model(x, w, b), y), or one sentence naming the order the lab calls them in."""
    try:
        loss = loss_fn(model(x, w, b), y)
    except Exception as err:
        raise CourseError(f"the lab calls loss_fn(model(x, w, b), y), and that raised {in_one_line(err)}: pass the model "
                          "first, then the loss, written as model(x, w, b) and loss_fn(predictions, targets).") from None
    if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
        raise CourseError(f"loss_fn(model(x, w, b), y) must give a one-number tensor, but gave {describe(loss)}; "
                          "end loss_fn with `.mean()`.")
    return loss.reshape(())


def loss_map(model: Callable[..., Any], loss_fn: Callable[..., Any], x: torch.Tensor, y: torch.Tensor,
             start: tuple[float, float], inputs: str, size: tuple[int, int] = (420, 300),
             zoom: float = 1.0) -> TrajectoryPlot:
    """The contour map of loss_fn(model(x, w, b), y) around the start and the best line, titled with gradient
    descent's edge 2 / (largest curvature): the largest learning rate at which it still converges."""
    w_best, b_best = np.polyfit(x.numpy(), y.numpy(), 1)  # only to place the star and frame the map
    w0, b0 = start
    w_flat = float(((y - b0) * x).sum() / (x * x).sum())  # the valley's floor at b = b0
    w_lo, w_hi, b_lo, b_hi = min(w0, w_best, w_flat), max(w0, w_best, w_flat), min(b0, b_best), max(b0, b_best)
    w_pad, b_pad = 0.25 * (w_hi - w_lo) + 1e-3, 0.25 * (b_hi - b_lo) + 1e-3  # the star well inside the map
    w_grid = np.linspace(w_lo - w_pad, w_hi + w_pad, GRID_POINTS)
    b_grid = np.linspace(b_lo - b_pad, b_hi + b_pad, GRID_POINTS)
    one = lambda w, b: _loss_at(model, loss_fn, x, y, w, b)  # noqa: E731
    one(torch.tensor(w0, dtype=torch.float64), torch.tensor(b0, dtype=torch.float64))  # a clear sentence first
    W, B = (torch.tensor(g, dtype=torch.float64) for g in np.meshgrid(w_grid, b_grid))
    with torch.no_grad():
        try:  # all grid points at once, when the learner's functions allow it
            surface = torch.vmap(one)(W.reshape(-1), B.reshape(-1)).reshape(W.shape).numpy()
        except Exception:
            surface = np.array([[float(one(w, b)) for w, b in zip(w_row, b_row)] for w_row, b_row in zip(W, B)])
    try:
        hessian = torch.autograd.functional.hessian(lambda p: one(p[0], p[1]), torch.tensor([w_best, b_best]))
        edge = f"edge lr {2 / float(torch.linalg.eigvalsh(hessian)[-1]):.2g}"
    except Exception:  # a model autograd cannot differentiate twice: the map without its edge
        edge = "edge unknown"
    return TrajectoryPlot(w_grid, b_grid, surface, start, (w_best, b_best), f"(w, b), {inputs} inputs ({edge})",
                          *size, zoom=zoom)
