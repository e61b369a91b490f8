"""``softmax`` and ``log_softmax`` (functions and Tensor methods): fused primitives, for numerical
stability and speed (one max-shifted pass; backward on raw arrays unless a double backward is recorded).

softmax: y = exp(x - max) / sum exp(x - max);  d/dx = y * (g - sum(g * y))
log_softmax: y = x - max - log sum exp(x - max);  d/dx = g - exp(y) * sum(g)

>>> import ember
>>> ember.tensor([1.0, 1.0]).softmax(0)
tensor([0.5000, 0.5000])
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..tensor import Tensor
from ._common import Op, in_float32, is_low_precision, method, type_name, wrap_dim

__all__ = ["softmax", "log_softmax"]


# --------------------------------------------------------------------------- softmax
def _softmax_input(input: Tensor, dtype, name: str) -> np.ndarray:
    d = input._data
    if dtype is not None:
        d = d.astype(_dt.to_dtype(dtype).np)
    if d.dtype.kind not in "fc":
        raise NotImplementedError(f"\"{name}_lastdim_kernel_impl\" not implemented for '{type_name(d.dtype)}'")
    return d


class Softmax(Op):
    """y = exp(x - max) / sum exp(x - max) along ``dim`` (fused: stable, one pass);
    d/dx = y * (g - sum(g * y))."""

    save_output = True

    @staticmethod
    def forward(ctx, x, dim, dtype=None):
        d = _softmax_input(x, dtype, "softmax")
        ctx.dim = dim
        if d.ndim == 0:  # one element: exp(x - x) / 1, so NaN for a NaN or infinite x, as torch
            e = np.exp(d - d)
            return e / e
        e = np.subtract(d, d.max(axis=dim, keepdims=True, initial=-np.inf))  # initial: zero-size inputs
        np.exp(e, out=e)
        e /= e.sum(axis=dim, keepdims=True)
        return e

    @staticmethod
    def backward(ctx, g):
        y = ctx.output
        if not y.ndim:  # the formula below on one element (not g * 0: a NaN y gives NaN, as torch)
            return y * (g - g * y)
        return SoftmaxBackward.apply(g, y, ctx.dim)


class SoftmaxBackward(Op):
    """The backward op of softmax (torch's ``_softmax_backward_data``): dx = y (g - sum(g y)) along ``dim``,
    raw arrays in two passes. It is linear in g, so d/dg is this same op; d/dy = gg (g - sum(g y)) - g sum(gg y)."""

    node_name = "SoftmaxBackwardDataBackward0"

    @staticmethod
    def forward(ctx, g, y, dim):
        ctx.save_for_backward(g, y)
        ctx.dim = dim
        gd, yd = g._data, y._data
        r = np.multiply(gd, yd)
        s = r.sum(dim, keepdims=True)
        r -= np.multiply(yd, s, out=np.empty_like(r)) if r.dtype == yd.dtype else yd * s
        return r

    @staticmethod
    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        need, dim = ctx.needs_input_grad, ctx.dim
        dg = SoftmaxBackward.apply(gg, y, dim) if need[0] else None
        dy = gg * (g - (g * y).sum(dim, keepdim=True)) - g * (gg * y).sum(dim, keepdim=True) if need[1] else None
        return dg, dy


class LogSoftmax(Op):
    """y = x - max - log sum exp(x - max) along ``dim`` (fused for stability);
    d/dx = g - exp(y) * sum(g)."""

    save_output = True

    @staticmethod
    def forward(ctx, x, dim, dtype=None):
        d = _softmax_input(x, dtype, "log_softmax")
        ctx.dim = dim
        if d.ndim == 0:  # x - max - log(1): NaN for a NaN or infinite x, as torch
            return d - d
        z = np.subtract(d, d.max(axis=dim, keepdims=True, initial=-np.inf))  # initial: zero-size inputs
        e = np.exp(z)
        z -= np.log(e.sum(axis=dim, keepdims=True))
        return z

    @staticmethod
    def backward(ctx, g):
        y = ctx.output
        if not y.ndim:  # g - exp(y) g on one element: NaN for a NaN y
            return g - y.exp() * g
        return LogSoftmaxBackward.apply(g, y, ctx.dim)


class LogSoftmaxBackward(Op):
    """The backward op of log_softmax (torch's ``_log_softmax_backward_data``): dx = g - exp(y) sum(g) along
    ``dim``, raw arrays. Its gradients: d/dg = gg - sum(gg exp(y)), d/dy = -gg exp(y) sum(g)."""

    node_name = "LogSoftmaxBackwardDataBackward0"

    @staticmethod
    def forward(ctx, g, y, dim):
        ctx.save_for_backward(g, y)
        ctx.dim = dim
        gd = g._data
        r = np.exp(y._data)
        r *= gd.sum(dim, keepdims=True)
        if r.dtype != gd.dtype:
            return gd - r
        np.subtract(gd, r, out=r)
        return r

    @staticmethod
    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        need, dim = ctx.needs_input_grad, ctx.dim
        e = y.exp()
        dg = gg - (gg * e).sum(dim, keepdim=True) if need[0] else None
        dy = -gg * e * g.sum(dim, keepdim=True) if need[1] else None
        return dg, dy


@method
def softmax(input: Tensor, dim: int, dtype=None, *, _stacklevel: int = 3) -> Tensor:
    """exp(x_i) / sum_j exp(x_j) along ``dim`` (cast to ``dtype`` first when given).

    >>> ember.tensor([0., 0.]).softmax(0)
    tensor([0.5000, 0.5000])
    """
    dim = wrap_dim(dim, input._data.ndim)
    if dtype is None and is_low_precision(input):  # computed in float32 and rounded, as torch's kernels do
        return in_float32(Softmax.apply, input, dim)
    return Softmax.apply(input, dim, dtype) if dtype is not None else Softmax.apply(input, dim)


@method
def log_softmax(input: Tensor, dim: int, dtype=None, *, _stacklevel: int = 3) -> Tensor:
    """log(softmax(x)) along ``dim``, computed stably.

    >>> ember.tensor([0., 0.]).log_softmax(0)
    tensor([-0.6931, -0.6931])
    """
    dim = wrap_dim(dim, input._data.ndim)
    if dtype is None and is_low_precision(input):  # computed in float32 and rounded, as torch's kernels do
        return in_float32(LogSoftmax.apply, input, dim)
    return LogSoftmax.apply(input, dim, dtype) if dtype is not None else LogSoftmax.apply(input, dim)

