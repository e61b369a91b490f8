"""Scans along one dim: cumsum, cumprod, cummax/cummin, logcumsumexp, and diff.

Primitives: cumsum (backward: the reversed cumsum of g) and cumprod; the rest compose.

>>> import ember
>>> x = ember.tensor([1., 2., 3.])
>>> x.cumsum(0), x.cumprod(0), ember.diff(x)
(tensor([1., 3., 6.]), tensor([1., 2., 6.]), tensor([1., 1.]))
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor, wrap
from ._common import method, Op, type_name, wrap_dim, write_out
from .reduction import _sum_dtype, return_types
from .inplace import apply_inplace
from .joining import cat

__all__ = ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "diff"]



# --------------------------------------------------------------------------- scans
class Cumsum(Op):
    """out_i = sum_{j<=i} x_j along ``dim``; d/dx_j = sum_{i>=j} g_i (a reversed cumsum)."""

    @staticmethod
    def forward(ctx, x, dim, dtype=None):
        d = x._data
        ctx.dim, ctx.dtype = dim, d.dtype
        if d.ndim == 0:
            return d.astype(_sum_dtype(d, dtype) or d.dtype)
        return np.cumsum(d, axis=dim, dtype=_sum_dtype(d, dtype))

    @staticmethod
    def backward(ctx, g):
        if g._data.ndim == 0:
            return g
        return Cumsum.apply(g.flip(ctx.dim), ctx.dim).flip(ctx.dim)


@method
def cumsum(input: Tensor, dim: int, *, dtype=None, out=None) -> Tensor:
    """Running sum along ``dim``: out_i = x_0 + ... + x_i (ints and bools sum to int64).

    >>> ember.tensor([1, 2, 3]).cumsum(0)
    tensor([1, 3, 6])
    """
    dim = wrap_dim(dim, input._data.ndim)
    return write_out(Cumsum.apply(input, dim, dtype) if dtype is not None else Cumsum.apply(input, dim), out)


class Cumprod(Op):
    """out_i = prod_{j<=i} x_j; d/dx_j = sum_{i>=j} g_i out_i / x_j when no x is 0, else
    sum_{i>=j} g_i prod_{k<=i, k!=j} x_k (``_cumprod_grad_zeros``); both in ember ops, so differentiable again."""

    @staticmethod
    def forward(ctx, x, dim, dtype=None):
        d = x._data
        ctx.dim = dim
        if ctx.next is not None:
            ctx.save_for_backward(x)
        if d.ndim == 0:
            return d.astype(_sum_dtype(d, dtype) or d.dtype)
        return np.cumprod(d, axis=dim, dtype=_sum_dtype(d, dtype))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if x._data.ndim == 0:
            return g
        dim = ctx.dim
        if not (x._data == 0).any():
            out = Cumprod.apply(x, dim)
            return Cumsum.apply((g * out).flip(dim), dim).flip(dim) / x
        return _cumprod_grad_zeros(x, g, dim)


def _cumprod_grad_zeros(x: Tensor, g: Tensor, dim: int) -> Tensor:
    """sum_{i>=j} g_i prod_{k<=i, k!=j} x_k (no division, so zeros are fine) = E_j S_j, with E the exclusive
    cumprod (prod_{k<j} x_k) and S_j = g_j + x_{j+1} S_{j+1} (a reverse recurrence), in ember ops."""
    xs, gs = x.movedim(dim, -1), g.movedim(dim, -1)
    n = xs.shape[-1]
    left = Cumprod.apply(cat([xs[..., :1].new_ones(xs[..., :1].shape), xs[..., :-1]], -1), xs.ndim - 1)
    s = [gs[..., n - 1:]]
    for j in range(n - 2, -1, -1):
        s.append(gs[..., j:j + 1] + xs[..., j + 1:j + 2] * s[-1])
    return (left * cat(s[::-1], -1)).movedim(-1, dim)


@method
def cumprod(input: Tensor, dim: int, *, dtype=None, out=None) -> Tensor:
    """Running product along ``dim``: out_i = x_0 * ... * x_i.

    >>> ember.tensor([1., 2., 3.]).cumprod(0)
    tensor([1., 2., 6.])
    """
    dim = wrap_dim(dim, input._data.ndim)
    return write_out(Cumprod.apply(input, dim, dtype) if dtype is not None else Cumprod.apply(input, dim), out)


def _cum_(self: Tensor, op, dim: int, dtype, name: str) -> Tensor:
    """The in-place scans keep self's dtype (torch computes them with ``dtype=self.dtype``)."""
    if self._data.dtype == np.bool_ and self._data.size and self._data.ndim:  # a 0-d one is a copy in torch
        raise NotImplementedError(f'"{name}_out_cpu" not implemented for \'Bool\'')
    return apply_inplace(self, lambda s: op(s, dim, dtype=dtype if dtype is not None else s.dtype))


@method
def cumsum_(self: Tensor, dim: int, *, dtype=None) -> Tensor:
    """In place: self <- cumsum(self, dim), in self's dtype."""
    return _cum_(self, cumsum, dim, dtype, "cumsum")


@method
def cumprod_(self: Tensor, dim: int, *, dtype=None) -> Tensor:
    """In place: self <- cumprod(self, dim), in self's dtype."""
    return _cum_(self, cumprod, dim, dtype, "cumprod")


def _cum_ext(input: Tensor, dim: int, is_max: bool, rt):
    d = input._data
    dim = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        return rt(input.clone(), wrap(np.asarray(0, np.int64)))
    if d.size == 0:
        return rt(input.clone(), wrap(np.zeros(d.shape, np.int64)))
    acc = (np.maximum if is_max else np.minimum).accumulate(d, axis=dim)
    pos = np.arange(d.shape[dim]).reshape([-1 if i == dim else 1 for i in range(d.ndim)])
    here = d == acc
    if d.dtype.kind == "f":
        nan_seen = np.logical_or.accumulate(np.isnan(d), axis=dim)
        first_nan = np.isnan(d) & ~np.concatenate([np.zeros_like(np.take(nan_seen, [0], dim)),
                                                    np.take(nan_seen, np.arange(d.shape[dim] - 1), dim)], dim)
        here = (here & ~nan_seen) | first_nan
    idx = np.maximum.accumulate(np.where(here, pos, 0), axis=dim)
    return rt(input.gather(dim, wrap(idx.astype(np.int64))), wrap(idx.astype(np.int64)))


@method
def cummax(input: Tensor, dim: int):
    """Running maximum along ``dim`` and the index where it was (last) attained.

    >>> ember.cummax(ember.tensor([1, 3, 2]), 0).values
    tensor([1, 3, 3])
    """
    return _cum_ext(input, dim, True, return_types.cummax)


@method
def cummin(input: Tensor, dim: int):
    """Running minimum along ``dim`` and the index where it was (last) attained."""
    return _cum_ext(input, dim, False, return_types.cummin)


@method
def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """out_i = log sum_{j<=i} exp(x_j), computed as m + log cumsum exp(x - m) with m = max(x) (stable).

    >>> ember.logcumsumexp(ember.tensor([0., 0.]), 0)
    tensor([0.0000, 0.6931])
    """
    if input._data.dtype.kind not in "fc":
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{type_name(input._data.dtype)}'")
    dim = wrap_dim(dim, input._data.ndim)
    if input._data.size == 0:
        return input.clone()
    m = input.amax(dim, keepdim=True).detach()
    m = m.masked_fill(~m.isfinite(), 0)
    return (input - m).exp().cumsum(dim).log() + m


@method
def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,
         append: Tensor | None = None, *, out=None) -> Tensor:
    """The ``n``-th forward difference along ``dim``: out_i = x_{i+1} - x_i (repeated n times),
    after joining ``prepend`` and ``append``.

    >>> ember.diff(ember.tensor([1, 4, 9]))
    tensor([3, 5])
    """

    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    dim = wrap_dim(dim, input._data.ndim)
    parts = [t for t in (prepend, input, append) if t is not None]
    x = cat(parts, dim) if len(parts) > 1 else input
    for _ in range(n):
        k = x._data.shape[dim]
        if k == 0:
            break
        a, b = x.narrow(dim, 1, k - 1), x.narrow(dim, 0, k - 1)
        x = a ^ b if x._data.dtype == np.bool_ else a - b
    return write_out(x, out)
