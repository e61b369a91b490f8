"""Typed tensors for joint transforms, as ``torchvision.tv_tensors``: ``Image`` (..., C, H, W), ``Mask``
(..., H, W), ``BoundingBoxes`` (N, 4) with its ``format`` and ``canvas_size`` (H, W).

A ``transforms.v2`` transform applied to a sample (a tuple, list or dict) changes every image, mask and box
set in it consistently, and passes other leaves (labels, strings, ...) through. Ops on these tensors return
plain ember tensors, as in torchvision.

>>> import ember
>>> from ember.vision import tv_tensors
>>> b = tv_tensors.BoundingBoxes([[1, 2, 5, 6]], format="XYXY", canvas_size=(8, 10))
>>> b.format, b.canvas_size, b.shape
(<BoundingBoxFormat.XYXY: 'XYXY'>, (8, 10), ember.Size([1, 4]))
"""
from __future__ import annotations

import enum

import numpy as np

from ember.dtypes import to_dtype
from ember.tensor import Tensor, _init


class BoundingBoxFormat(enum.Enum):
    XYXY = "XYXY"
    XYWH = "XYWH"
    CXCYWH = "CXCYWH"


def _array(data, dtype=None) -> np.ndarray:
    if isinstance(data, Tensor):
        a = data._data
    elif hasattr(data, "mode") and hasattr(data, "size"):  # a PIL image becomes (C, H, W)
        a = np.asarray(data)
        a = a[None] if a.ndim == 2 else a.transpose(2, 0, 1)
    else:
        a = np.asarray(data)
    return a if dtype is None else a.astype(to_dtype(dtype).np, copy=False)


class Image(Tensor):
    """An image tensor (..., C, H, W); a PIL image becomes (C, H, W) uint8."""

    __slots__ = ()

    def __new__(cls, data, *, dtype=None, requires_grad: bool = False):
        a = _array(data, dtype)
        if a.ndim == 2:
            a = a[None]
        t = object.__new__(cls)
        _init(t, np.ascontiguousarray(a), requires_grad)
        return t

    def __repr__(self) -> str:
        return "Image(" + super().__repr__()[len("tensor("):]


class Mask(Tensor):
    """A segmentation or instance mask (..., H, W), moved with the image but resampled with nearest."""

    __slots__ = ()

    def __new__(cls, data, *, dtype=None, requires_grad: bool = False):
        t = object.__new__(cls)
        _init(t, np.ascontiguousarray(_array(data, dtype)), requires_grad)
        return t

    def __repr__(self) -> str:
        return "Mask(" + super().__repr__()[len("tensor("):]


class BoundingBoxes(Tensor):
    """Boxes (N, 4) in ``format`` on an image of ``canvas_size`` = (H, W)."""

    __slots__ = ("format", "canvas_size")

    def __new__(cls, data, *, format, canvas_size, dtype=None, requires_grad: bool = False):
        a = _array(data, dtype)
        if a.ndim == 1:
            a = a[None]
        if a.ndim != 2 or a.shape[-1] != 4:
            raise ValueError(f"BoundingBoxes: expected data of shape [N, 4], got {list(a.shape)}")
        t = object.__new__(cls)
        _init(t, np.ascontiguousarray(a), requires_grad)
        t.format = BoundingBoxFormat[format.upper()] if isinstance(format, str) else BoundingBoxFormat(format)
        t.canvas_size = tuple(int(v) for v in canvas_size)
        return t

    def __repr__(self) -> str:
        body = super().__repr__()[len("tensor("):-1]
        return f"BoundingBoxes({body}, format={self.format}, canvas_size={self.canvas_size})"


def wrap(data, *, like: Tensor, **kwargs) -> Tensor:
    """A new tv_tensor of ``like``'s type (and metadata, unless given) around ``data``."""
    if isinstance(like, BoundingBoxes):
        return BoundingBoxes(data, format=kwargs.get("format", like.format),
                             canvas_size=kwargs.get("canvas_size", like.canvas_size))
    return type(like)(data)
