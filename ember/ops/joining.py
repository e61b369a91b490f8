"""Joining: ``cat`` and ``stack`` (and the h/v/d/column stacks built on them).

>>> import ember
>>> a, b = ember.zeros(2, 1), ember.ones(2, 2)
>>> ember.cat([a, b], dim=1).shape
ember.Size([2, 3])
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from ..autograd.function import name_node
from ..dtypes import from_numpy_dtype
from ._common import Op, result_np_dtype, wrap_dim, write_out

__all__ = ["cat", "concat", "concatenate", "stack", "hstack", "vstack", "row_stack", "dstack", "column_stack"]


class Cat(Op):
    """Concatenate along ``dim``; backward hands each input its slice of g."""

    @staticmethod
    def forward(ctx, dim, *xs):
        rt = result_np_dtype(*xs)  # skipped empty tensors take part in the type promotion, as in torch
        skip = [_skipped(x) for x in xs]
        if all(skip):
            skip = [False] * len(xs)
        arrays = [x._data if x._data.dtype == rt else x._data.astype(rt) for x, s in zip(xs, skip) if not s]
        ctx.dim, ctx.skip = dim, skip
        ctx.sizes = [0 if s else x._data.shape[dim] for x, s in zip(xs, skip)]
        ctx.dtypes = [x._data.dtype for x in xs]
        return np.concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, g):
        out, start = [None], 0
        for n, dt, need, skip in zip(ctx.sizes, ctx.dtypes, ctx.needs_input_grad[1:], ctx.skip):
            if skip:  # a skipped 1-d empty tensor gets an empty zero gradient, as torch (not None)
                out.append(g.new_zeros((0,), dtype=_dtype(dt)) if need else None)
                continue
            piece = g.narrow(ctx.dim, start, n) if need else None
            if piece is not None and piece._data.dtype != dt:
                piece = piece.to(_dtype(dt))
            out.append(piece)
            start += n
        return tuple(out)


def _skipped(t: Tensor) -> bool:
    """torch.cat skips 1-d empty tensors (the legacy ``torch.tensor([])``) whatever the other shapes."""
    return t._data.ndim == 1 and t._data.shape[0] == 0


def _dtype(np_dtype):

    return from_numpy_dtype(np_dtype)


def cat(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Join tensors along an existing dimension (1-d empty tensors are skipped, as torch)."""
    if isinstance(tensors, Tensor):
        raise TypeError("cat(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    xs = [t for t in tensors]
    if not xs:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(xs):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    kept = [(i, t) for i, t in enumerate(xs) if not _skipped(t)] or [(0, xs[0])]
    ref = kept[0][1]
    nd = ref._data.ndim
    d = wrap_dim(dim, nd)
    for i, t in kept:
        if t._data.ndim != nd:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and {t._data.ndim}")
        for k in range(nd):
            if k != d and t._data.shape[k] != ref._data.shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{ref._data.shape[k]} but got size {t._data.shape[k]} for tensor number "
                                   f"{i} in the list.")
    res = Cat.apply(d, *xs)
    return write_out(res, out)


concat = concatenate = cat


def stack(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Join tensors of one shape along a new dimension."""
    xs = list(tensors)
    if not xs:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = xs[0]._data.shape
    for i, t in enumerate(xs):
        if t._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 "
                               f"and {list(t._data.shape)} at entry {i}")
    d = dim % (len(shape) + 1) if -len(shape) - 1 <= dim <= len(shape) else None
    if d is None:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-len(shape) - 1}, "
                         f"{len(shape)}], but got {dim})")

    return name_node(cat([t.unsqueeze(d) for t in xs], d, out=out), "StackBackward0")


def hstack(tensors) -> Tensor:
    xs = [t if t.ndim else t.reshape(1) for t in tensors]
    return cat(xs, 0 if xs[0].ndim == 1 else 1)


def vstack(tensors) -> Tensor:
    return cat([t.reshape(1, -1) if t.ndim < 2 else t for t in tensors], 0)


row_stack = vstack


def dstack(tensors) -> Tensor:
    xs = []
    for t in tensors:
        if t.ndim == 0:
            t = t.reshape(1, 1, 1)
        elif t.ndim == 1:
            t = t.reshape(1, -1, 1)
        elif t.ndim == 2:
            t = t.unsqueeze(-1)
        xs.append(t)
    return cat(xs, 2)


def column_stack(tensors) -> Tensor:
    return cat([t.reshape(-1, 1) if t.ndim < 2 else t for t in tensors], 1)
