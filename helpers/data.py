"""The thermometer readings from *Deep Learning with PyTorch*, chapter 5, shipped with the course."""
from __future__ import annotations

import torch

from helpers.errors import CourseError

# Eleven readings of one thermometer: t_c in degrees Celsius, t_u in a unit we do not know.
T_C = [0.5, 14.0, 15.0, 28.0, 11.0, 8.0, 3.0, -4.0, 6.0, 13.0, 21.0]
T_U = [35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4]


def thermometer(dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the readings as two 1-D tensors `(t_u, t_c)` of 11 values each."""
    return torch.tensor(T_U, dtype=dtype), torch.tensor(T_C, dtype=dtype)


def train_val_split(
    x: torch.Tensor, y: torch.Tensor, val_fraction: float = 0.2, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Shuffle with a fixed seed and split into `(x_train, y_train, x_val, y_val)`."""
    if x.shape != y.shape or x.ndim != 1:
        raise CourseError(
            f"x and y must be 1-D tensors of the same length, but got shapes {tuple(x.shape)} and {tuple(y.shape)}."
        )
    if not 0 < val_fraction < 1:
        raise CourseError(f"val_fraction must be between 0 and 1 (got {val_fraction}); 0.2 keeps a fifth for validation.")
    n_val = max(1, int(val_fraction * len(x)))
    if n_val >= len(x):
        raise CourseError(f"{len(x)} samples are too few to split: keep at least one for training.")
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    val, train = order[:n_val], order[n_val:]
    return x[train], y[train], x[val], y[val]
