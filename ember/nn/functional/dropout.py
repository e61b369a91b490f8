"""Dropout: ``F.dropout``, ``dropout1d/2d/3d``, ``alpha_dropout``, ``feature_alpha_dropout``.

Training: y = x m / (1 - p), m_i ~ Bernoulli(1 - p) (one m per element, or per channel for the
feature variants); eval: y = x. The gradient is dy/dx = m / (1 - p). One fused Op stores the mask
(bool) and the scale.

Alpha dropout keeps SELU's mean and variance: dropped units take alpha' = -scale * alpha = -1.7581,
then y = a (x m + alpha' (1 - m)) + b with a = ((1 - p)(1 + p alpha'^2))^(-1/2), b = -a alpha' p;
dy/dx = a m.

>>> import ember
>>> import ember.nn.functional as F
>>> F.dropout(ember.ones(4), p=0.5, training=False)
tensor([1., 1., 1., 1.])
>>> sorted(set(F.dropout(ember.ones(100), p=0.5).tolist()))
[0.0, 2.0]
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ...autograd.function import Op
from ...ops._common import float_arr
from ...ops.inplace import apply_inplace
from ...random import np_rng
from ...tensor import Tensor

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]

_ALPHA_P = -1.7580993408473766  # -SELU scale * SELU alpha


class MaskedScale(Op):
    """y = x m s + c (m ~ Bernoulli(1 - p) of ``mask_shape``, broadcast to x; s and c from p: 1 / (1 - p) and
    none, or alpha dropout's a and (1 - m) a alpha' + b); dy/dx = m s. The mask is drawn inside the op (so
    a replayed graph draws a new one) and stored once, as bool."""

    node_name = "MulBackward0"  # torch's dropout node on CPU

    @staticmethod
    def forward(ctx, x, p, mask_shape, alpha):
        xd = float_arr(x._data)
        mask = np_rng(None).random(mask_shape) >= p
        if alpha:
            scale = 1.0 / math.sqrt((1 - p) * (1 + p * _ALPHA_P ** 2))
            shift = ((~mask) * (scale * _ALPHA_P) - scale * _ALPHA_P * p).astype(xd.dtype)
        else:
            scale, shift = 1.0 / (1.0 - p), None
        ctx.mask, ctx.scale = mask, scale
        y = xd * mask
        y *= xd.dtype.type(scale)
        if shift is not None:
            y += shift
        return y

    @staticmethod
    def backward(ctx, g):
        return MaskScaleBackward.apply(g, ctx.mask, ctx.scale)


class MaskScaleBackward(Op):
    """The backward op of dropout: dx = g m s (m the stored bool mask). Linear in g, so its own backward is
    itself."""

    node_name = "MulBackward0"  # torch's: grad * mask * scale

    @staticmethod
    def forward(ctx, g, mask, scale):
        ctx.mask, ctx.scale = mask, scale
        gd = g._data
        out = gd * mask
        out *= gd.dtype.type(scale)
        return out

    @staticmethod
    def backward(ctx, gg):
        return MaskScaleBackward.apply(gg, ctx.mask, ctx.scale)


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _apply(input: Tensor, p: float, mask_shape: tuple, alpha: bool, inplace: bool) -> Tensor:
    if p == 1:
        return apply_inplace(input, lambda t: t * 0) if inplace else input * 0
    fn = (lambda t: MaskedScale.apply(t, p, mask_shape, alpha))
    return apply_inplace(input, fn) if inplace else fn(input)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1 / (1 - p) (training only)."""
    _check_p(p)
    if not training or p == 0 or input.numel() == 0:
        return input
    return _apply(input, p, input.shape, False, inplace)


def _feature(input: Tensor, p: float, training: bool, inplace: bool, alpha: bool, batched: bool) -> Tensor:
    _check_p(p)
    if not training or p == 0 or input.numel() == 0:
        return input
    shape = tuple(input.shape)
    lead = 2 if batched else 1
    mask_shape = shape[:lead] + (1,) * (len(shape) - lead)
    return _apply(input, p, mask_shape, alpha, inplace)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) input with probability p; scale by 1 / (1 - p)."""
    _check_p(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
                           "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, "
                           "a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    return _feature(input, p, training, inplace, False, input.ndim == 3)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) input (or (C, H, W)) with probability p."""
    _check_p(p)
    nd = input.ndim
    if nd not in (3, 4):
        warnings.warn(f"dropout2d: Received a {nd}-D input to dropout2d, which is deprecated and will result in "
                      "an error in a future release. To retain the behavior and silence this warning, please use "
                      "dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with "
                      "2 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D "
                      "inputs).")
    if nd == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel "
                      "dim. This behavior will change in a future release to interpret the input as one without "
                      "a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout "
                      "behavior, please switch to using dropout1d instead.")
    return _feature(input, p, training, inplace, False, nd >= 2)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) input (or (C, D, H, W)) with probability p."""
    _check_p(p)
    nd = input.ndim
    if nd not in (4, 5):
        warnings.warn(f"dropout3d: Received a {nd}-D input to dropout3d, which is deprecated and will result in "
                      "an error in a future release. To retain the behavior and silence this warning, please use "
                      "dropout instead. Note that dropout3d exists to provide channel-wise dropout on inputs with "
                      "3 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 4D or 5D "
                      "inputs).")
    return _feature(input, p, training, inplace, False, nd != 4)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """Alpha dropout (for SELU nets): dropped units take SELU's negative saturation; mean and variance kept."""
    _check_p(p)
    if not training or p == 0 or input.numel() == 0:
        return input
    return _apply(input, p, input.shape, True, inplace)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """Alpha dropout of whole channels (dim 1) of batched input."""
    return _feature(input, p, training, inplace, True, True)
