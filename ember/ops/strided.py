"""Strided views: ops that pick a part of the input's storage by an offset and strides, sharing its memory
(``is_view = True``), with torch's rules: basic indexing (``Slice``, behind ``x[1:3, None, 0]``), ``narrow``,
``select``, ``as_strided``, ``diagonal`` and ``unfold`` (sliding windows).

The backward of each writes the gradient back where the view read it, into zeros of the input's shape; where
that scatter is worth an op of its own it is a backward op (``StorageBackward``, ``DiagonalBackward``,
``UnfoldBackward``), linear in the gradient, whose own backward is the view again.

>>> import ember
>>> a = ember.arange(12.).view(3, 4)
>>> d = a.diagonal()
>>> d[0] = 100.
>>> a[0, 0], a.narrow(1, 1, 2).shape, a.unfold(1, 2, 2).shape
(tensor(100.), ember.Size([3, 2]), ember.Size([3, 2, 2]))
"""
from __future__ import annotations

import numpy as np

from ..tensor import _root, wrap
from ._common import method, Op, wrap_dim

__all__ = ["narrow", "select", "as_strided", "diagonal"]

_as_strided = np.lib.stride_tricks.as_strided


def _slice_node(key) -> str:
    """torch's node for basic indexing: that of its last step that is not a whole-dim slice."""
    for k in reversed(key if isinstance(key, tuple) else (key,)):
        if k is None:
            return "UnsqueezeBackward0"
        if isinstance(k, slice):
            if k != slice(None):
                return "SliceBackward0"
        elif k is not Ellipsis:
            return "SelectBackward0"
    return "AliasBackward0"


class Slice(Op):
    """Basic indexing (ints, slices, None, Ellipsis): a view; backward scatters into zeros."""

    is_view = True

    @staticmethod
    def forward(ctx, x, key):
        ctx.shape, ctx.key = x._data.shape, key
        if ctx.next is not None:
            ctx.rename(_slice_node(key))
        return x._data[key]

    @staticmethod
    def backward(ctx, g):
        z = wrap(np.zeros(ctx.shape, dtype=g._data.dtype))
        if g._requires_grad:  # double backward: the recorded scatter (Tensor.index_put, from indexing.py)
            return z.index_put(ctx.key, g)
        z._data[ctx.key] = g._data
        return z


@method
def narrow(input, dim: int, start, length: int):
    d = input._data
    dim = wrap_dim(dim, d.ndim)
    start = int(start)
    n = d.shape[dim]
    if start < 0:
        start += n
    if not 0 <= start <= n or length < 0 or start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    key = (slice(None),) * dim + (slice(start, start + length),)
    return Slice.apply(input, key)


@method
def select(input, dim: int, index: int):
    d = input._data
    if d.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = wrap_dim(dim, d.ndim)
    n = d.shape[dim]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(d.shape)} at "
                         f"dimension {dim}")
    return Slice.apply(input, (slice(None),) * dim + (index % n,))


class AsStrided(Op):
    """A view with explicit sizes and strides into the storage (strides counted in elements)."""

    is_view = True

    @staticmethod
    def forward(ctx, x, size, stride, offset):
        d = x._data
        root = _root(d)
        flat = root.reshape(-1) if root.flags.c_contiguous else root.ravel()
        isz = d.itemsize
        if offset is None:
            offset = (d.__array_interface__["data"][0] - root.__array_interface__["data"][0]) // isz
        need = offset + 1 + sum((s - 1) * st for s, st in zip(size, stride)) if all(size) else 0
        if need > flat.size:
            raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
                               f"{offset}, and itemsize {isz} requiring a storage size of {need * isz} are "
                               f"out of bounds for storage of size {flat.size * isz}")
        ctx.in_geom = (d.shape, tuple(s // isz for s in d.strides),
                       (d.__array_interface__["data"][0] - root.__array_interface__["data"][0]) // isz,
                       flat.size)
        ctx.geom = (size, stride, offset)
        return _as_strided(flat[offset:], shape=size, strides=tuple(s * isz for s in stride))

    @staticmethod
    def backward(ctx, g):
        shape, in_stride, in_off, n = ctx.in_geom
        size, stride, off = ctx.geom
        idx = np.arange(n)
        out_idx = _as_strided(idx[off:], shape=size, strides=tuple(s * idx.itemsize for s in stride))
        in_idx = _as_strided(idx[in_off:], shape=shape, strides=tuple(s * idx.itemsize for s in in_stride))
        return StorageBackward.apply(g, out_idx, in_idx, n)


class StorageBackward(Op):
    """The backward op of as_strided: g summed into the storage at the output's positions ``src`` (storage
    indices), then read at the input's positions ``dst``. Linear in g; its backward is the same op with
    ``src`` and ``dst`` swapped (the adjoint)."""

    @staticmethod
    def forward(ctx, g, src, dst, n):
        ctx.src, ctx.dst, ctx.n = src, dst, n
        storage = np.bincount(src.reshape(-1), weights=g._data.reshape(-1), minlength=n)
        return storage[dst].astype(g._data.dtype)

    @staticmethod
    def backward(ctx, gg):
        return StorageBackward.apply(gg, ctx.dst, ctx.src, ctx.n)


@method
def as_strided(input, size, stride, storage_offset=None):
    return AsStrided.apply(input, tuple(size), tuple(stride), storage_offset)


class Diagonal(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        d = x._data
        ctx.shape, ctx.args = d.shape, (offset, d1, d2)
        n1, n2 = d.shape[d1], d.shape[d2]
        length = max(0, min(n1, n2 - offset) if offset >= 0 else min(n1 + offset, n2))
        rest = [i for i in range(d.ndim) if i not in (d1, d2)]
        shape = tuple(d.shape[i] for i in rest) + (length,)
        strides = tuple(d.strides[i] for i in rest) + (d.strides[d1] + d.strides[d2],)
        if length == 0:
            return np.empty(shape, d.dtype)
        key = [slice(None)] * d.ndim
        if offset >= 0:
            key[d2] = slice(offset, None)
        else:
            key[d1] = slice(-offset, None)
        return _as_strided(d[tuple(key)], shape=shape, strides=strides)

    @staticmethod
    def backward(ctx, g):
        return DiagonalBackward.apply(g, ctx.shape, *ctx.args)


class DiagonalBackward(Op):
    """The backward op of diagonal (torch's ``diagonal_backward``): g written on the diagonal of zeros of the
    input's shape. Linear in g; its backward is the diagonal again."""

    @staticmethod
    def forward(ctx, g, shape, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        z = wrap(np.zeros(shape, dtype=g._data.dtype))
        zd = Diagonal.forward(object.__new__(type(ctx)), z, offset, d1, d2)
        zd[...] = g._data
        return z._data

    @staticmethod
    def backward(ctx, gg):
        return Diagonal.apply(gg, *ctx.args)


@method
def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1):
    nd = input._data.ndim
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, offset, d1, d2)


class Unfold(Op):
    """Sliding windows of ``size`` with ``step`` along ``dim``, as a new last dimension."""

    is_view = True

    @staticmethod
    def forward(ctx, x, dim, size, step):
        d = x._data
        n = d.shape[dim] if d.ndim else 1
        if size > n:
            raise RuntimeError(f"maximum size for tensor at dimension {dim} is {n} but size is {size}")
        if step <= 0:
            raise RuntimeError(f"step is {step} but must be > 0")
        count = (n - size) // step + 1
        shape = d.shape[:dim] + (count,) + d.shape[dim + 1:] + (size,)
        strides = d.strides[:dim] + (d.strides[dim] * step,) + d.strides[dim + 1:] + (d.strides[dim],)
        ctx.shape, ctx.args = d.shape, (dim, size, step, count)
        return _as_strided(d, shape=shape, strides=strides)

    @staticmethod
    def backward(ctx, g):
        return UnfoldBackward.apply(g, ctx.shape, *ctx.args)


class UnfoldBackward(Op):
    """The backward op of unfold (torch's ``unfold_backward``): each window's gradient added back at its
    positions, in a loop over the ``size`` window offsets. Linear in g; its backward is unfold again."""

    @staticmethod
    def forward(ctx, g, shape, dim, size, step, count):
        ctx.args = (dim, size, step)
        out = np.zeros(shape, dtype=g._data.dtype)
        gd = np.moveaxis(g._data, -1, dim + 1)  # (..., count, size, ...)
        for k in range(size):
            idx = (slice(None),) * dim + (slice(k, k + step * (count - 1) + 1, step),)
            out[idx] += np.take(gd, k, axis=dim + 1)
        return out

    @staticmethod
    def backward(ctx, gg):
        return Unfold.apply(gg, *ctx.args)


@method
def unfold(input, dimension: int, size: int, step: int):
    return Unfold.apply(input, wrap_dim(dimension, input._data.ndim), size, step)
