"""Static figures that take many lines of matplotlib but teach nothing by their code: the error of a
difference against its step (lesson 01), and a contour map of a line's loss over (w, b) on equal axes (lesson 05),
where a round bowl looks round and a long valley long."""
from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from helpers.errors import CourseError

_KIND_COLORS = {"forward": "tab:orange", "central": "tab:green", "backward": "tab:purple"}
_DTYPE_LINES = {torch.float64: "-", torch.float32: "--"}
_EXAMPLE = 'errors["sin(x)", "forward", torch.float32] = a tensor of one error per step in hs'


def _check_errors(hs: Any, errors: Any) -> None:
    """One sentence for anything plot_error_vs_step cannot draw, naming what it accepts."""
    if not isinstance(hs, torch.Tensor) or hs.dim() != 1 or len(hs) < 2:
        raise CourseError(
            f"hs must be a 1-D tensor of at least two steps, e.g. 10.0 ** -torch.arange(1.0, 12.0), but got {hs!r}."
        )
    if not isinstance(errors, dict) or not errors:
        got = "an empty dict" if isinstance(errors, dict) else repr(errors)
        raise CourseError(f"errors must be a dict with at least one curve, like {_EXAMPLE}; but got {got}.")
    kinds, dtypes = ", ".join(map(repr, _KIND_COLORS)), "torch.float32 or torch.float64"
    for key, errs in errors.items():
        if not (isinstance(key, tuple) and len(key) == 3):
            raise CourseError(
                f"each key of errors must be (function name, difference kind, dtype), like {_EXAMPLE}; but got {key!r}."
            )
        _, kind, dtype = key
        if kind not in _KIND_COLORS:
            raise CourseError(f"plot_error_vs_step draws the difference kinds {kinds}, but got {kind!r} in {key!r}.")
        if dtype not in _DTYPE_LINES:
            raise CourseError(f"plot_error_vs_step draws the precisions {dtypes}, but got {dtype!r} in {key!r}.")
        if not isinstance(errs, torch.Tensor) or errs.shape != hs.shape:
            shape = tuple(errs.shape) if isinstance(errs, torch.Tensor) else type(errs).__name__
            raise CourseError(
                f"errors[{key!r}] must be a tensor of one error per step, shape {tuple(hs.shape)}, but got {shape}."
            )


def plot_error_vs_step(hs: torch.Tensor, errors: dict[tuple[str, str, torch.dtype], torch.Tensor]) -> Figure:
    """Log-log error against step h, one panel per function, from `errors[function, kind, dtype]`.

    `kind` is "forward", "central" or "backward"; `dtype` torch.float32 or torch.float64. Each curve's best h
    is marked with a dot; dotted vertical lines mark √ε of both precisions (the forward difference's rule of
    thumb; the central one's is left for the learner to find). Smaller h is to the right.
    """
    _check_errors(hs, errors)
    functions = list(dict.fromkeys(name for name, _, _ in errors))
    fig, axes = plt.subplots(1, len(functions), figsize=(6 * len(functions), 4.6), squeeze=False)
    for ax, fname in zip(axes[0], functions):
        for (name, kind, dtype), errs in errors.items():
            if name == fname:
                best = errs.argmin()
                ax.loglog(hs, errs, _DTYPE_LINES[dtype], color=_KIND_COLORS[kind], label=f"{kind}, {str(dtype)[6:]}")
                ax.plot(hs[best], errs[best], "o", color=_KIND_COLORS[kind], ms=7)
        for dtype, bits in [(torch.float32, "32"), (torch.float64, "64")]:
            eps = torch.finfo(dtype).eps
            ax.axvline(eps ** 0.5, color="0.6", lw=0.8, ls=":")
            ax.text(eps ** 0.5, 1.02, f"√ε{bits}", transform=ax.get_xaxis_transform(), ha="center", fontsize=8)
        ax.set_xlabel("step h")
        ax.set_ylabel("|estimate − exact| (median)")
        ax.set_title(fname, pad=16)
        ax.invert_xaxis()
    axes[0][-1].legend(loc="lower left", fontsize="small")
    return fig


# Contours at the lowest loss in the window plus these amounts: each ring twice as far out as the last
# (for a bowl whose curvature is 2 in every direction).
_STEPS = (0.25, 1.0, 4.0, 16.0, 64.0, 256.0)


def _check_map(x: Any, y: Any, center: Any, radius: Any) -> tuple[float, float]:
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
    cw, cb = _check_map(x, y, center, radius)
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
