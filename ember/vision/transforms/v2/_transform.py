"""The ``Transform`` base of ``transforms.v2``: one call transforms a whole sample consistently.

A sample is any nesting of tuples, lists and dicts. Its leaves are dispatched by kind:

* images: ``tv_tensors.Image``, PIL images, NumPy arrays (HW or HWC) and, when the sample holds none of
  those, the first plain ember tensor (..., C, H, W) (torchvision's rule for pure tensors);
* ``tv_tensors.Mask`` (..., H, W): moved like the image, resampled with nearest, filled with 0;
* ``tv_tensors.BoundingBoxes``: moved with the image (boxes follow flips, crops, resizes and warps);
* anything else (labels, strings, other tensors) is passed through untouched.

Random parameters are drawn once per call from ember's default generator, so ``ember.manual_seed``
makes runs repeat. Each leaf comes back as the type it came in as.
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ember import random as _random
from ember.tensor import Tensor, wrap

from ... import tv_tensors
from ...ops.boxes import box_convert
from .. import _geometry as G


def rng() -> np.random.Generator:
    """ember's default generator (seeded by ``ember.manual_seed``)."""
    return _random.np_rng()


def is_pil(x) -> bool:
    return type(x).__module__.startswith("PIL.") and hasattr(x, "mode")


def to_chw(img) -> tuple:
    """(array (..., C, H, W), restore) for an image of any supported type; restore(array) rebuilds that type."""
    if isinstance(img, Tensor):
        a = img._data
        if a.ndim == 2:
            return a[None], lambda out: _like_tensor(img, out[..., 0, :, :] if out.shape[-3] == 1 else out)
        return a, lambda out: _like_tensor(img, out)
    if is_pil(img):
        a = np.asarray(img)
        mode = img.mode
        chw = a[None] if a.ndim == 2 else a.transpose(2, 0, 1)
        return chw, lambda out: _to_pil(out, mode)
    if isinstance(img, np.ndarray):
        if img.ndim == 2:
            return img[None], lambda out: np.ascontiguousarray(out[0] if out.shape[0] == 1 else out.transpose(1, 2, 0))
        return img.transpose(2, 0, 1), lambda out: np.ascontiguousarray(out.transpose(1, 2, 0))
    raise TypeError(f"img should be a PIL Image, NumPy array or ember Tensor. Got {type(img)}")


def _like_tensor(t: Tensor, out: np.ndarray) -> Tensor:
    out = np.ascontiguousarray(out)
    return tv_tensors.Image(out) if isinstance(t, tv_tensors.Image) else wrap(out)


def _to_pil(a: np.ndarray, mode: str | None):
    from PIL import Image as PILImage

    hwc = a[0] if a.shape[0] == 1 else a.transpose(1, 2, 0)
    out = PILImage.fromarray(np.ascontiguousarray(hwc))
    same_bands = mode is not None and PILImage.getmodebands(mode) == (1 if hwc.ndim == 2 else hwc.shape[2])
    return out.convert(mode) if same_bands and out.mode != mode else out


def kind_of(x) -> str | None:
    if isinstance(x, tv_tensors.BoundingBoxes):
        return "boxes"
    if isinstance(x, tv_tensors.Mask):
        return "mask"
    if isinstance(x, tv_tensors.Image) or is_pil(x) or isinstance(x, np.ndarray):
        return "image"
    if isinstance(x, Tensor):
        return "tensor"
    return None


def flatten(sample) -> tuple:
    """Leaves of a nested tuple/list/dict and a function that rebuilds the nesting from new leaves."""
    if isinstance(sample, (tuple, list)):
        parts = [flatten(s) for s in sample]
        counts = [len(p[0]) for p in parts]

        def rebuild(leaves):
            out, i = [], 0
            for (_, r), n in zip(parts, counts):
                out.append(r(leaves[i:i + n]))
                i += n
            return type(sample)(out)
        return [x for p in parts for x in p[0]], rebuild
    if isinstance(sample, dict):
        keys = list(sample)
        inner, rebuild_inner = flatten([sample[k] for k in keys])
        return inner, lambda leaves: dict(zip(keys, rebuild_inner(leaves)))
    return [sample], lambda leaves: leaves[0]


def image_size(leaves: list) -> tuple:
    """(H, W) of the sample: from its first image or mask, else from its boxes' canvas."""
    for x in leaves:
        k = kind_of(x)
        if k in ("image", "tensor", "mask"):
            if is_pil(x):
                return x.size[1], x.size[0]
            a = x._data if isinstance(x, Tensor) else x
            return (a.shape[0], a.shape[1]) if isinstance(x, np.ndarray) else tuple(a.shape[-2:])
    for x in leaves:
        if kind_of(x) == "boxes":
            return x.canvas_size
    raise TypeError("No image, mask or bounding boxes were found in the sample.")


def boxes_xyxy(b: tv_tensors.BoundingBoxes) -> np.ndarray:
    fmt = b.format.value.lower()
    return (box_convert(wrap(b._data), fmt, "xyxy") if fmt != "xyxy" else wrap(b._data))._data.astype(np.float64)


def boxes_back(xyxy: np.ndarray, like: tv_tensors.BoundingBoxes, canvas: tuple) -> tv_tensors.BoundingBoxes:
    fmt = like.format.value.lower()
    arr = xyxy.astype(like._data.dtype) if np.issubdtype(like._data.dtype, np.floating) else \
        np.rint(xyxy).astype(like._data.dtype)
    arr = box_convert(wrap(arr), "xyxy", fmt)._data if fmt != "xyxy" else arr
    return tv_tensors.BoundingBoxes(arr, format=like.format, canvas_size=canvas)


class Transform:
    """Base class: ``make_params(leaves)`` draws the random parameters once, then each leaf goes to
    ``_image(a, params)`` (a: (..., C, H, W) array), ``_mask(a, params)`` ((..., H, W) array) or
    ``_boxes(xyxy, canvas, params) -> (xyxy, canvas)``. The defaults leave masks and boxes unchanged."""

    def __call__(self, *inputs: Any) -> Any:
        sample = inputs if len(inputs) > 1 else inputs[0]
        leaves, rebuild = flatten(sample)
        kinds = [kind_of(x) for x in leaves]
        if "image" in kinds:
            kinds = [None if k == "tensor" else k for k in kinds]
        elif "tensor" in kinds:
            first = kinds.index("tensor")
            kinds = ["image" if i == first else (None if k == "tensor" else k) for i, k in enumerate(kinds)]
        active = [x for x, k in zip(leaves, kinds) if k is not None]
        if not active:
            return sample
        params = self.make_params(active)
        if params is None:  # the transform was skipped (e.g. a flip with probability 1 - p)
            return sample
        return rebuild([self.transform(x, k, params) if k else x for x, k in zip(leaves, kinds)])

    def make_params(self, flat_inputs: list) -> dict | None:
        return {}

    def transform(self, inpt, kind: str, params: dict):
        if kind == "boxes":
            xyxy, canvas = self._boxes(boxes_xyxy(inpt), inpt.canvas_size, params)
            return boxes_back(xyxy, inpt, canvas)
        if kind == "mask":
            return tv_tensors.Mask(self._mask(inpt._data, params))
        a, restore = to_chw(inpt)
        return restore(self._image(a, params))

    def _image(self, a: np.ndarray, params: dict) -> np.ndarray:
        return a

    def _mask(self, a: np.ndarray, params: dict) -> np.ndarray:
        return a

    def _boxes(self, xyxy: np.ndarray, canvas: tuple, params: dict) -> tuple:
        return xyxy, canvas

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"


def setup_size(size, name: str = "size") -> tuple:
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, (list, tuple)) and len(size) == 1:
        return int(size[0]), int(size[0])
    if isinstance(size, (list, tuple)) and len(size) == 2:
        return int(size[0]), int(size[1])
    raise ValueError(f"Please provide only two dimensions (h, w) for {name}, got {size!r}.")


def interp(mode) -> str:
    return str(getattr(mode, "value", mode)).lower()


__all__ = ["G", "Transform", "boxes_back", "boxes_xyxy", "flatten", "image_size", "interp", "rng", "setup_size",
           "to_chw"]
