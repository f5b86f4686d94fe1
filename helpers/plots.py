"""Static figures that take many lines of matplotlib but teach nothing by their code."""
from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

_KIND_COLORS = {"forward": "tab:orange", "central": "tab:green"}
_DTYPE_LINES = {torch.float64: "-", torch.float32: "--"}


def plot_error_vs_step(hs: torch.Tensor, errors: dict[tuple[str, str, torch.dtype], torch.Tensor]) -> Figure:
    """Log-log error against step h, one panel per function, from `errors[function, kind, dtype]`.

    Each curve's best h is marked with a dot; dotted vertical lines mark √ε and ∛ε of both precisions.
    Smaller h is to the right, so "zooming in" reads left to right.
    """
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
            for root, sign in [(eps ** (1 / 2), "√"), (eps ** (1 / 3), "∛")]:
                ax.axvline(root, color="0.6", lw=0.8, ls=":")
                ax.text(root, 1.02, f"{sign}ε{bits}", transform=ax.get_xaxis_transform(), ha="center", fontsize=8)
        ax.set_xlabel("step h")
        ax.set_ylabel("|estimate − exact| (median)")
        ax.set_title(fname, pad=16)
        ax.invert_xaxis()
    axes[0][-1].legend(loc="lower left", fontsize="small")
    return fig
