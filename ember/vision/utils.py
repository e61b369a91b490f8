"""``make_grid`` and ``save_image`` with torchvision.utils's semantics.

>>> import ember
>>> from ember.vision.utils import make_grid
>>> make_grid(ember.zeros(5, 3, 4, 4), nrow=3).shape  # 2 rows of 3 tiles, 2-pixel padding
ember.Size([3, 14, 20])
"""
from __future__ import annotations

import math
import os

import numpy as np

from ember.tensor import Tensor, wrap


def _batch(tensor) -> np.ndarray:
    if isinstance(tensor, (list, tuple)):
        a = np.stack([t.detach().numpy() for t in tensor])
    elif isinstance(tensor, Tensor):
        a = tensor.detach().numpy()
    else:
        raise TypeError(f"make_grid: tensor or list of tensors expected, got {type(tensor).__name__}")
    if a.ndim == 2:
        a = a[None]
    if a.ndim == 3:
        a = (np.concatenate([a, a, a], 0) if a.shape[0] == 1 else a)[None]
    if a.ndim == 4 and a.shape[1] == 1:
        a = np.concatenate([a, a, a], 1)
    if a.ndim != 4:
        raise ValueError(f"make_grid: expected a (B, C, H, W) batch, got shape {list(a.shape)}")
    return a


def _normalize(a: np.ndarray, value_range) -> np.ndarray:
    lo, hi = (float(a.min()), float(a.max())) if value_range is None else value_range
    return (np.clip(a, lo, hi) - lo) / max(hi - lo, 1e-5)


def make_grid(tensor, nrow: int = 8, padding: int = 2, normalize: bool = False, value_range: tuple | None = None,
              scale_each: bool = False, pad_value: float = 0.0) -> Tensor:
    """Tile a batch (B, C, H, W) (or a list of (C, H, W)) into one (C, H', W') image, ``nrow`` tiles per row,
    ``padding`` pixels of ``pad_value`` around each; one-channel images become three-channel.
    ``normalize`` maps ``value_range`` (default: the min and max, per image when ``scale_each``) to [0, 1]."""
    if value_range is not None and not isinstance(value_range, tuple):
        raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")
    a = _batch(tensor)
    if normalize:
        a = a.astype(np.result_type(a.dtype, np.float32))
        a = np.stack([_normalize(x, value_range) for x in a]) if scale_each else _normalize(a, value_range)
    if a.shape[0] == 1:
        return wrap(np.ascontiguousarray(a[0]))
    n, c, h, w = a.shape
    cols = min(nrow, n)
    rows = int(math.ceil(n / cols))
    th, tw = h + padding, w + padding
    grid = np.full((c, th * rows + padding, tw * cols + padding), pad_value, dtype=a.dtype)
    for k in range(n):
        y, x = divmod(k, cols)
        grid[:, y * th + padding:y * th + padding + h, x * tw + padding:x * tw + padding + w] = a[k]
    return wrap(grid)


def save_image(tensor, fp, format: str | None = None, **kwargs) -> None:
    """``make_grid(tensor, **kwargs)`` scaled by 255, rounded, clamped and saved as an 8-bit image (Pillow)."""
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover
        raise ImportError("save_image needs Pillow: pip install 'ember[vision]'") from e
    grid = make_grid(tensor, **kwargs).numpy()
    arr = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    Image.fromarray(arr[:, :, 0] if arr.shape[2] == 1 else arr).save(os.fspath(fp) if not hasattr(fp, "write")
                                                                     else fp, format=format)
