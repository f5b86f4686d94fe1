"""Static figures that take many lines of matplotlib but teach nothing by their code."""
from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import torch
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
