"""The thermometer readings from *Deep Learning with PyTorch* (Stevens, Antiga, Viehmann, Manning 2020),
chapter 5, shipped with the course, and a seeded train/validation split."""
from __future__ import annotations

from numbers import Real
from typing import Any, Sequence

import torch

from helpers.errors import CourseError

# Eleven readings of one thermometer: t_c in degrees Celsius, t_u in a unit we do not know.
T_C = [0.5, 14.0, 15.0, 28.0, 11.0, 8.0, 3.0, -4.0, 6.0, 13.0, 21.0]
T_U = [35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4]
FLOAT_DTYPES = {"float32": torch.float32, "float64": torch.float64}


def _float_dtype(dtype: Any) -> torch.dtype:
    if dtype in FLOAT_DTYPES.values():
        return dtype
    if isinstance(dtype, str) and dtype.removeprefix("torch.") in FLOAT_DTYPES:
        return FLOAT_DTYPES[dtype.removeprefix("torch.")]
    raise CourseError(f"dtype must be torch.float32 or torch.float64, but got {dtype!r}; try dtype=torch.float64.")


def thermometer(dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """Return the readings as two 1-D tensors `(t_u, t_c)` of 11 values each (dtype float32 or float64)."""
    dtype = _float_dtype(dtype)
    return torch.tensor(T_U, dtype=dtype), torch.tensor(T_C, dtype=dtype)


def _readings(values: Any, name: str) -> torch.Tensor:
    """`values` as a 1-D float tensor: a tensor, or a list/tuple of numbers."""
    if isinstance(values, torch.Tensor):
        tensor = values
    elif isinstance(values, (list, tuple)) and all(isinstance(v, Real) and not isinstance(v, bool) for v in values):
        tensor = torch.tensor(values, dtype=torch.float32)
    else:
        raise CourseError(f"{name} must be a 1-D tensor or a list of numbers, but got {_kind(values)}; pass a tensor such as t_u from thermometer().")
    if tensor.ndim != 1:
        raise CourseError(f"{name} must be 1-D (one reading per entry), but has shape {tuple(tensor.shape)}; "
                          f"try {name}.flatten().")
    return tensor


def _kind(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} holding {', '.join(sorted({type(v).__name__ for v in value})) or 'nothing'}"
    return f"{value!r}" if isinstance(value, (str, int, float)) else f"a {type(value).__name__}"


def train_val_split(
    x: torch.Tensor | Sequence[float], y: torch.Tensor | Sequence[float], val_fraction: float = 0.2, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Shuffle with a fixed seed and split into `(x_train, y_train, x_val, y_val)`."""
    x, y = _readings(x, "x"), _readings(y, "y")
    if len(x) != len(y):
        raise CourseError(f"x and y must hold the same number of readings, but hold {len(x)} and {len(y)}.")
    if isinstance(val_fraction, bool) or not isinstance(val_fraction, Real) or not 0 < val_fraction < 1:
        raise CourseError(
            f"val_fraction must be a number between 0 and 1, but got {val_fraction!r}; 0.2 keeps a fifth for validation."
        )
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise CourseError(f"seed must be a whole number, but got {seed!r}; try seed=0.")
    n_val = max(1, int(val_fraction * len(x)))
    if n_val >= len(x):
        raise CourseError(f"{len(x)} readings are too few to split: keep at least one for training.")
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    val, train = order[:n_val], order[n_val:]
    return x[train], y[train], x[val], y[val]
