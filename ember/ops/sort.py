"""Sorting and order statistics: sort/argsort/msort, topk, kthvalue, median/nanmedian, mode,
unique/unique_consecutive, and searching sorted sequences (searchsorted, bucketize, isin).

>>> import ember
>>> x = ember.tensor([3., 1., 2.])
>>> x.sort().values, x.topk(2).indices, ember.searchsorted(ember.tensor([1., 2., 3.]), ember.tensor([2.5]))
(tensor([1., 2., 3.]), tensor([0, 2]), tensor([2]))
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor, wrap
from ._common import method, Op, wrap_dim, write_out
from .reduction import _namedtuple, return_types

__all__ = ["sort", "argsort", "msort", "topk", "kthvalue", "median", "nanmedian", "mode", "unique",
           "unique_consecutive", "searchsorted", "bucketize", "isin"]

return_types.nanmedian = _namedtuple("nanmedian")  # torch.return_types entries that reduction.py does not define



def _long(a: np.ndarray) -> Tensor:
    return wrap(np.asarray(a, dtype=np.int64))


# --------------------------------------------------------------------------- sorting
def _sort_idx(d: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """Stable sort indices along ``dim``; NaN is the largest value. Descending keeps ties in order."""
    if d.dtype == np.bool_:
        d = d.view(np.uint8)
    if not descending:
        return np.argsort(d, axis=dim, kind="stable")
    n = d.shape[dim]
    rev = np.argsort(np.flip(d, dim), axis=dim, kind="stable")
    return np.flip(n - 1 - rev, dim)


def _take(input: Tensor, dim: int, idx: np.ndarray, keepdim: bool = True, node: str | None = None):
    """(values, indices) at ``idx`` (same ndim as input) along ``dim``; values keep the gradient, in a node
    named ``node`` (torch's: ``SortBackward0``, ...)."""
    values = input.gather(dim, _long(idx))
    indices = _long(idx)
    if not keepdim:
        values, indices = values.squeeze(dim), indices.squeeze(dim)
    if node is not None and values._grad_fn is not None:
        values._grad_fn.rename(node)
    return values, indices


@method
def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False, *, out=None):
    """Sorted values and their original indices along ``dim`` (always stable; NaN sorts last).

    >>> ember.sort(ember.tensor([2, 1, 2]), descending=True).indices
    tensor([0, 2, 1])
    """
    if isinstance(dim, bool):  # sort(x, stable=...) passed positionally in old code
        dim = -1
    if input._data.ndim == 0:
        return write_out(return_types.sort(input.clone(), _long(0)), out)
    dim = wrap_dim(dim, input._data.ndim)
    idx = _sort_idx(input._data, dim, descending)
    return write_out(return_types.sort(*_take(input, dim, idx, node="SortBackward0")), out)


@method
def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The indices that sort ``input`` along ``dim`` (stable)."""
    if input._data.ndim == 0:
        return _long(0)
    dim = wrap_dim(dim, input._data.ndim)
    return _long(_sort_idx(input._data, dim, descending))


@method
def msort(input: Tensor) -> Tensor:
    """Sort along dim 0: ``sort(input, 0).values``."""
    return sort(input, 0).values


@method
def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True, *, out=None):
    """The ``k`` largest (or smallest) values along ``dim`` and their indices, in sorted order.

    >>> ember.topk(ember.tensor([1., 5., 3.]), 2)
    ember.return_types.topk(
    values=tensor([5., 3.]),
    indices=tensor([1, 2]))
    """
    d = input._data
    dim = wrap_dim(dim, d.ndim)
    n = d.shape[dim] if d.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if d.ndim == 0:
        return write_out(return_types.topk(input.clone(), _long(0)), out)
    idx = np.take(_sort_idx(d, dim, largest), np.arange(k), axis=dim)
    return write_out(return_types.topk(*_take(input, dim, idx, node="TopkBackward0")), out)


@method
def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False, *, out=None):
    """The k-th smallest value (1-based) along ``dim`` and its index.

    >>> ember.kthvalue(ember.tensor([3., 1., 2.]), 2).values
    tensor(2.)
    """
    d = input._data
    dim = wrap_dim(dim, d.ndim)
    n = d.shape[dim] if d.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    if d.ndim == 0:
        return write_out(return_types.kthvalue(input.clone(), _long(0)), out)
    idx = np.take(_sort_idx(d, dim, False), [k - 1], axis=dim)
    return write_out(return_types.kthvalue(*_take(input, dim, idx, keepdim, "KthvalueBackward0")), out)


class SelectAll(Op):
    """One order statistic of all elements; ties share the gradient evenly (torch's rule)."""

    @staticmethod
    def forward(ctx, x, value):
        d = x._data
        mask = (d == value) | (np.isnan(d) & np.isnan(value)) if d.dtype.kind == "f" else d == value
        ctx.mask, ctx.count, ctx.shape = mask, max(int(mask.sum()), 1), d.shape
        return np.asarray(value, dtype=d.dtype)

    @staticmethod
    def backward(ctx, g):
        # a select, as torch's evenly_distribute_backward (masked_fill): a NaN g reaches only the chosen elements
        return g.new_zeros(ctx.shape).masked_fill(wrap(ctx.mask), g / ctx.count)


def _lower_median_idx(d: np.ndarray, dim: int, ignore_nan: bool) -> np.ndarray:
    order = _sort_idx(d, dim, False)
    n = d.shape[dim]
    if d.dtype.kind == "f":
        nan = np.isnan(d)
        valid = n - nan.sum(axis=dim, keepdims=True)
        if ignore_nan:
            k = np.maximum(valid - 1, 0) // 2
            return np.take_along_axis(order, k, axis=dim)
        idx = np.take(order, [(n - 1) // 2], axis=dim)
        first_nan = np.expand_dims(np.argmax(nan, axis=dim), dim) if d.ndim else np.argmax(nan)
        return np.where(valid < n, first_nan, idx)
    return np.take(order, [(n - 1) // 2], axis=dim)


def _median(input, dim, keepdim, ignore_nan, rt):
    d = input._data
    if dim is None:
        flat = d.reshape(-1)
        if flat.size == 0:  # NaN, joined to the graph so the input gets its (empty) zero gradient, as torch
            return input.sum() * 0 + np.nan if d.dtype.kind == "f" else wrap(np.asarray(np.nan, d.dtype))
        i = _lower_median_idx(flat, 0, ignore_nan)[0]
        return SelectAll.apply(input, flat[i])
    dim = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        return rt(input.clone(), _long(0))
    if d.shape[dim] == 0:
        raise IndexError(f"median(): Expected reduction dim {dim} to have non-zero size.")
    node = "NanmedianBackward1" if ignore_nan else "MedianBackward1"
    return rt(*_take(input, dim, _lower_median_idx(d, dim, ignore_nan), keepdim, node))


@method
def median(input: Tensor, dim: int | None = None, keepdim: bool = False):
    """The lower median (element (n-1)//2 of the sorted values); NaN if the slice holds a NaN.

    Without ``dim`` a Tensor; with ``dim`` (values, indices).

    >>> ember.median(ember.tensor([1., 4., 2., 3.]))
    tensor(2.)
    """
    return _median(input, dim, keepdim, False, return_types.median)


@method
def nanmedian(input: Tensor, dim: int | None = None, keepdim: bool = False):
    """``median`` ignoring NaN (NaN only when a slice is all NaN)."""
    return _median(input, dim, keepdim, True, return_types.nanmedian)


def _mode_row(row: np.ndarray) -> int:
    vals, counts = np.unique(row, return_counts=True)
    v = vals[np.argmax(counts)]  # the smallest of the most frequent values
    return int(np.nonzero(row == v)[0][-1]) if not (isinstance(v, float) and np.isnan(v)) else 0


@method
def mode(input: Tensor, dim: int = -1, keepdim: bool = False):
    """The most frequent value along ``dim`` (the smallest on ties) and the index of its last occurrence.

    >>> ember.mode(ember.tensor([1, 2, 2, 3, 3])).values
    tensor(2)
    """
    d = input._data
    if d.ndim == 0:
        return return_types.mode(input.clone(), _long(0))
    dim = wrap_dim(dim, d.ndim)
    moved = np.moveaxis(d, dim, -1)
    rows = moved.reshape(-1, moved.shape[-1])
    idx = np.array([_mode_row(r) for r in rows], dtype=np.int64).reshape(moved.shape[:-1])
    return return_types.mode(*_take(input, dim, np.expand_dims(idx, dim), keepdim, "ModeBackward0"))


# --------------------------------------------------------------------------- unique
def _unique_result(values, inverse, counts, return_inverse, return_counts):
    out = [wrap(values)]
    if return_inverse:
        out.append(_long(inverse))
    if return_counts:
        out.append(_long(counts))
    return out[0] if len(out) == 1 else tuple(out)


@method
def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
           dim: int | None = None):
    """The distinct values (sorted), optionally with each element's position in them and their counts.

    No gradient (torch's is not implemented either).

    >>> ember.unique(ember.tensor([3, 1, 3]), return_counts=True)
    (tensor([1, 3]), tensor([1, 2]))
    """
    d = input._data
    if dim is None:
        # each NaN is its own value, as torch (NumPy merges them by default)
        vals, inv, cnt = np.unique(d.reshape(-1), return_inverse=True, return_counts=True, equal_nan=False)
        return _unique_result(vals, inv.reshape(d.shape), cnt, return_inverse, return_counts)
    dim = wrap_dim(dim, d.ndim)
    vals, inv, cnt = np.unique(d, return_inverse=True, return_counts=True, axis=dim)
    return _unique_result(vals, inv.reshape(-1), cnt, return_inverse, return_counts)


@method
def unique_consecutive(input: Tensor, return_inverse: bool = False, return_counts: bool = False,
                       dim: int | None = None):
    """Collapse runs of equal consecutive values (or slices along ``dim``) to one.

    >>> ember.unique_consecutive(ember.tensor([1, 1, 2, 2, 1]))
    tensor([1, 2, 1])
    """
    d = input._data
    if dim is None:
        flat, axis = d.reshape(-1), 0
    else:
        axis = wrap_dim(dim, d.ndim)
        flat = d
    n = flat.shape[axis]
    moved = np.moveaxis(flat, axis, 0).reshape(n, -1)
    new = np.ones(n, dtype=bool)
    if n > 1:
        new[1:] = np.any(moved[1:] != moved[:-1], axis=1)
    starts = np.nonzero(new)[0]
    vals = np.take(flat, starts, axis=axis)
    inv = np.cumsum(new) - 1
    counts = np.diff(np.append(starts, n))
    return _unique_result(vals, inv.reshape(d.shape) if dim is None else inv, counts, return_inverse, return_counts)


def searchsorted(sorted_sequence: Tensor, input, *, out_int32: bool = False, right: bool = False,
                 side: str | None = None, sorter: Tensor | None = None, out=None) -> Tensor:
    """For each value, the index where it would be inserted into the (last dim of) ``sorted_sequence``
    keeping it sorted: the first such index, or the last with ``right=True`` / ``side='right'``.

    >>> ember.searchsorted(ember.tensor([1, 3, 5]), ember.tensor([3, 6]), right=True)
    tensor([2, 3])
    """
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of "
                               "left while right was True")
        right = side == "right"
    seq = sorted_sequence._data
    vals = input._data if isinstance(input, Tensor) else np.asarray(input)
    if sorter is not None:
        seq = np.take_along_axis(seq, sorter._data, axis=-1)
    how = "right" if right else "left"
    if seq.ndim == 1:
        res = np.searchsorted(seq, vals, side=how)
    else:
        if seq.shape[:-1] != vals.shape[:-1]:
            raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                               "dimensions of boundaries tensor and input value tensor must match, but we got "
                               f"boundaries tensor {list(seq.shape)} and input value tensor {list(vals.shape)}")
        rows_s, rows_v = seq.reshape(-1, seq.shape[-1]), vals.reshape(-1, vals.shape[-1])
        res = np.stack([np.searchsorted(s, v, side=how) for s, v in zip(rows_s, rows_v)]).reshape(vals.shape)
    return write_out(wrap(np.asarray(res, dtype=np.int32 if out_int32 else np.int64)), out)


def bucketize(input, boundaries: Tensor, *, out_int32: bool = False, right: bool = False, out=None) -> Tensor:
    """The bucket of each value: i with boundaries[i-1] < x <= boundaries[i] (``<=``/``<`` when right).

    >>> ember.bucketize(ember.tensor([1, 4]), ember.tensor([1, 3, 5]))
    tensor([0, 2])
    """
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """Where each element of ``elements`` occurs in ``test_elements`` (either may be a number).

    >>> ember.isin(ember.tensor([1, 2, 3]), ember.tensor([2, 5]))
    tensor([False,  True, False])
    """
    a = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    b = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    return wrap(np.asarray(np.isin(a, b, invert=invert)))
