"""A contour map of a straight line's mean squared error over (w, b), drawn with equal axes.

Equal axes matter: a round bowl then looks round and a long valley looks long, so maps of different
input choices can be compared by eye when they share the same `radius`.
"""
from __future__ import annotations

from typing import Any

import torch
from matplotlib.axes import Axes

from helpers.errors import CourseError

# Contours at the lowest loss in the window plus these amounts: each ring twice as far out as the last
# (for a bowl whose curvature is 2 in every direction).
_STEPS = (0.25, 1.0, 4.0, 16.0, 64.0, 256.0)


def _check(x: Any, y: Any, center: Any, radius: Any) -> tuple[float, float]:
    if not (isinstance(x, torch.Tensor) and isinstance(y, torch.Tensor)) or x.ndim != 1 or x.shape != y.shape:
        raise CourseError("x and y must be 1-D tensors of the same length, e.g. the readings t_u and t_c.")
    try:
        cw, cb = (float(v) for v in center)
    except (TypeError, ValueError):
        raise CourseError(f"center must be two numbers (w, b), e.g. (0.54, -17.3), but got {center!r}.") from None
    if isinstance(radius, bool) or not isinstance(radius, (int, float)) or not radius > 0:
        raise CourseError(f"radius must be a number above 0 (the half-width of the map), but got {radius!r}.")
    return cw, cb


def draw_loss_map(
    ax: Axes, x: torch.Tensor, y: torch.Tensor, *, center: tuple[float, float], radius: float,
    start: tuple[float, float] | None = None, title: str = "", points: int = 201,
) -> None:
    """Contours of mean((w * x + b - y) ** 2) on the square of half-width `radius` around `center`.

    A star marks `center` (pass the minimum), a circle marks `start` when given. Axes: w across, b up.
    """
    cw, cb = _check(x, y, center, radius)
    w = torch.linspace(cw - radius, cw + radius, points, dtype=torch.float64)
    b = torch.linspace(cb - radius, cb + radius, points, dtype=torch.float64)
    ww, bb = torch.meshgrid(w, b, indexing="xy")
    errors = ww[..., None] * x.double() + bb[..., None] - y.double()
    loss = (errors**2).mean(dim=-1)
    levels = [loss.min().item() + step for step in _STEPS]
    ax.contour(ww.numpy(), bb.numpy(), loss.numpy(), levels=levels, cmap="viridis", linewidths=1)
    ax.plot([cw], [cb], "*", color="tab:red", markersize=12, label="minimum")
    if start is not None:
        ax.plot([start[0]], [start[1]], "o", color="black", label="start")
    ax.set(xlim=(cw - radius, cw + radius), ylim=(cb - radius, cb + radius), xlabel="w", ylabel="b", title=title)
    ax.set_aspect("equal")
