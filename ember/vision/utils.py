"""``make_grid``, ``save_image``, ``draw_bounding_boxes`` and ``draw_segmentation_masks`` with
torchvision.utils's semantics.

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


_PALETTE = ["red", "green", "blue", "yellow", "cyan", "magenta", "orange", "purple", "lime", "pink"]


def _rgb(color) -> tuple:
    from PIL import ImageColor

    return ImageColor.getrgb(color) if isinstance(color, str) else tuple(int(c) for c in color)


def _colors(colors, n: int) -> list:
    if colors is None:
        return [_rgb(_PALETTE[i % len(_PALETTE)]) for i in range(n)]
    if isinstance(colors, list):
        if len(colors) < n:
            raise ValueError(f"Number of colors must be equal or larger than the number of objects, but got "
                             f"{len(colors)} < {n}.")
        return [_rgb(c) for c in colors[:n]]
    return [_rgb(colors)] * n


def _check_uint8_image(name: str, image: Tensor) -> np.ndarray:
    if not isinstance(image, Tensor) or image.dtype.name != "uint8" or image.ndim != 3 or image.shape[0] not in (1, 3):
        desc = f"{image.dtype} {list(image.shape)}" if isinstance(image, Tensor) else type(image).__name__
        raise ValueError(f"{name}: expected a (C, H, W) uint8 image with C in (1, 3), got {desc}; convert with "
                         "transforms.v2.ToDtype(ember.uint8, scale=True)")
    a = image.numpy()
    return np.repeat(a, 3, axis=0) if a.shape[0] == 1 else a


def draw_bounding_boxes(image: Tensor, boxes: Tensor, labels: list | None = None, colors=None, fill: bool = False,
                        width: int = 1, font: str | None = None, font_size: int | None = None) -> Tensor:
    """Draw (x1, y1, x2, y2) ``boxes`` (pixels) on a uint8 (C, H, W) image with optional ``labels`` above their
    top-left corner; ``fill`` shades the boxes (alpha 0.3). Returns a new uint8 (3, H, W) tensor."""
    from PIL import Image, ImageDraw, ImageFont

    a = _check_uint8_image("draw_bounding_boxes", image)
    b = boxes.detach().numpy()
    if b.ndim != 2 or b.shape[-1] != 4:
        raise ValueError(f"draw_bounding_boxes: boxes should be (N, 4), got {list(b.shape)}")
    if labels is not None and len(labels) != len(b):
        raise ValueError(f"Number of boxes ({len(b)}) and labels ({len(labels)}) mismatch. Please specify one "
                         "label per box.")
    canvas = Image.fromarray(np.ascontiguousarray(a.transpose(1, 2, 0)))
    draw = ImageDraw.Draw(canvas, "RGBA" if fill else None)
    txt_font = ImageFont.truetype(font, size=font_size or 10) if font else ImageFont.load_default()
    for box, color, k in zip(b.tolist(), _colors(colors, len(b)), range(len(b))):
        if fill:
            draw.rectangle(box, width=width, outline=color, fill=color + (76,))
        else:
            draw.rectangle(box, width=width, outline=color)
        if labels is not None:
            draw.text((box[0] + width, box[1] + width), str(labels[k]), fill=color, font=txt_font)
    return wrap(np.ascontiguousarray(np.asarray(canvas).transpose(2, 0, 1)))


def draw_segmentation_masks(image: Tensor, masks: Tensor, alpha: float = 0.8, colors=None) -> Tensor:
    """Blend boolean ``masks`` ((N, H, W) or (H, W)) onto a uint8 (C, H, W) image: inside mask i,
    out = image * (1 - alpha) + color_i * alpha."""
    a = _check_uint8_image("draw_segmentation_masks", image).astype(np.float64)
    m = masks.numpy()
    m = m[None] if m.ndim == 2 else m
    if m.dtype != np.bool_:
        raise ValueError(f"draw_segmentation_masks: masks should be of dtype bool, got {masks.dtype}")
    if m.shape[-2:] != a.shape[-2:]:
        raise ValueError(f"The image and the masks must have the same height and width, got {list(a.shape[-2:])} "
                         f"and {list(m.shape[-2:])}")
    out = a.copy()
    for mask, color in zip(m, _colors(colors, len(m))):
        out[:, mask] = np.asarray(color, dtype=np.float64)[:, None]
    blended = a * (1 - alpha) + out * alpha
    return wrap(blended.astype(np.uint8))
