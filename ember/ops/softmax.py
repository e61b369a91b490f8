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
from .._grad_mode import STATE
from ..tensor import Tensor, wrap
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
        if d.ndim == 0:
            return np.ones_like(d)
        e = np.subtract(d, d.max(axis=dim, keepdims=True, initial=-np.inf))  # initial: zero-size inputs
        np.exp(e, out=e)
        e /= e.sum(axis=dim, keepdims=True)
        return e

    @staticmethod
    def backward(ctx, g):
        y = ctx.output
        if not y.ndim:
            return g * 0
        if not STATE.enabled:  # no create_graph: raw arrays, g y - y sum(g y) in two passes
            yd = y._data
            r = np.multiply(g._data, yd)
            s = r.sum(ctx.dim, keepdims=True)
            r -= np.multiply(yd, s, out=np.empty_like(r)) if r.dtype == yd.dtype else yd * s
            return wrap(r)
        return y * (g - (g * y).sum(ctx.dim, keepdim=True))


class LogSoftmax(Op):
    """y = x - max - log sum exp(x - max) along ``dim`` (fused for stability);
    d/dx = g - exp(y) * sum(g)."""

    save_output = True

    @staticmethod
    def forward(ctx, x, dim, dtype=None):
        d = _softmax_input(x, dtype, "log_softmax")
        ctx.dim = dim
        if d.ndim == 0:
            return np.zeros_like(d)
        z = np.subtract(d, d.max(axis=dim, keepdims=True, initial=-np.inf))  # initial: zero-size inputs
        e = np.exp(z)
        z -= np.log(e.sum(axis=dim, keepdims=True))
        return z

    @staticmethod
    def backward(ctx, g):
        y = ctx.output
        if not y.ndim:
            return g * 0
        if not STATE.enabled:  # no create_graph: raw arrays, g - exp(y) sum(g)
            gd = g._data
            r = np.exp(y._data)
            r *= gd.sum(ctx.dim, keepdims=True)
            if r.dtype != gd.dtype:
                return wrap(gd - r)
            np.subtract(gd, r, out=r)
            return wrap(r)
        return g - y.exp() * g.sum(ctx.dim, keepdim=True)


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

