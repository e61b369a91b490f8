"""Selection: sort/topk/kthvalue/median/mode, unique, index_copy/index_fill/masked_scatter/scatter_reduce,
bincount/histc/histogram, searchsorted/bucketize and isin.

The order statistics compute their indices with NumPy (stable sorts, NaN sorting as the largest
value, as torch) and then take their values with ``gather``, so their gradient (a scatter of g into
the chosen positions) comes for free. Counting and searching ops return integers and have no gradient.

>>> import ember
>>> x = ember.tensor([3., 1., 2.])
>>> x.sort()
ember.return_types.sort(
values=tensor([1., 2., 3.]),
indices=tensor([1, 2, 0]))
>>> x.topk(2).indices, ember.searchsorted(ember.tensor([1, 3, 5]), ember.tensor([3, 4]))
(tensor([0, 2]), tensor([1, 2]))
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor, wrap
from ._common import METHODS, Op, broadcast_shapes_or_raise, method, type_name, wrap_dim, write_out
from .indexing import _scatter_index, argwhere as _argwhere
from .reduction import _namedtuple, return_types

__all__ = ["sort", "argsort", "msort", "topk", "kthvalue", "median", "nanmedian", "mode", "unique",
           "unique_consecutive", "index_copy", "index_fill", "masked_scatter", "scatter_reduce", "put", "bincount",
           "histc", "histogram", "searchsorted", "bucketize", "isin"]

# torch.return_types entries that reduction.py does not define
return_types.nanmedian = _namedtuple("nanmedian")
return_types.histogram = _namedtuple("histogram", ("hist", "bin_edges"))
method(_argwhere)


_out = write_out  # the one out= helper (tuples too)


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
        return _out(return_types.sort(input.clone(), _long(0)), out)
    dim = wrap_dim(dim, input._data.ndim)
    idx = _sort_idx(input._data, dim, descending)
    return _out(return_types.sort(*_take(input, dim, idx, node="SortBackward0")), out)


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
        return _out(return_types.topk(input.clone(), _long(0)), out)
    idx = np.take(_sort_idx(d, dim, largest), np.arange(k), axis=dim)
    return _out(return_types.topk(*_take(input, dim, idx, node="TopkBackward0")), out)


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
        return _out(return_types.kthvalue(input.clone(), _long(0)), out)
    idx = np.take(_sort_idx(d, dim, False), [k - 1], axis=dim)
    return _out(return_types.kthvalue(*_take(input, dim, idx, keepdim, "KthvalueBackward0")), out)


class SelectAll(Op):
    """One order statistic of all elements; ties share the gradient evenly (torch's rule)."""

    @staticmethod
    def forward(ctx, x, value):
        d = x._data
        mask = (d == value) | (np.isnan(d) & np.isnan(value)) if d.dtype.kind == "f" else d == value
        ctx.share = (mask / max(int(mask.sum()), 1)).astype(d.dtype)
        return np.asarray(value, dtype=d.dtype)

    @staticmethod
    def backward(ctx, g):
        return g * wrap(ctx.share)


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
        if flat.size == 0:
            return wrap(np.asarray(np.nan, d.dtype))
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


# --------------------------------------------------------------------------- index/mask writes
def _check_index(index: Tensor, name: str) -> None:
    if index._data.dtype != np.int64:
        raise IndexError(f"{name}(): Expected dtype int64 for index.")


class IndexCopy(Op):
    """out = x with out.select(dim, index[i]) = src.select(dim, i);
    grads: x gets g off the copied slices, src gets g at them."""

    @staticmethod
    def forward(ctx, x, dim, index, src):
        d, idx = x._data, index._data.reshape(-1)
        n_src = src._data.shape[dim] if src._data.ndim else 1
        if idx.shape[0] != n_src:
            raise IndexError(f"index_copy_(): Number of indices ({idx.shape[0]}) should be equal to "
                             f"source.size(dim) ({n_src})")
        if src._data.dtype != d.dtype:
            raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got "
                               f"(self) {type_name(d.dtype)} and (source) {type_name(src._data.dtype)}")
        out = d.copy()
        key = (slice(None),) * dim + (idx,)
        out[key] = src._data.reshape(out[key].shape)
        ctx.dim, ctx.index = dim, wrap(idx)
        return out

    @staticmethod
    def backward(ctx, g):
        gx = g.index_fill(ctx.dim, ctx.index, 0) if ctx.needs_input_grad[0] else None
        gs = g.index_select(ctx.dim, ctx.index) if ctx.needs_input_grad[3] else None
        return gx, None, None, gs


@method
def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """Copy the slices of ``source`` into ``input`` at positions ``index`` along ``dim``.

    >>> ember.zeros(3).index_copy(0, ember.tensor([2]), ember.tensor([5.]))
    tensor([0., 0., 5.])
    """
    if index._data.dtype != np.int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got {type_name(index._data.dtype)}")
    return IndexCopy.apply(input, wrap_dim(dim, input._data.ndim), index, source)


@method
def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """Fill the slices at positions ``index`` along ``dim`` with ``value`` (a number or 0-d tensor).

    >>> ember.zeros(3).index_fill(0, ember.tensor([0, 2]), 1.)
    tensor([1., 0., 1.])
    """
    _check_index(index, "index_fill_")
    d = input._data
    dim = wrap_dim(dim, d.ndim)
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value._data.ndim} dimension(s).")
    n = d.shape[dim] if d.ndim else 1
    idx = index._data.reshape(-1)
    if idx.size and (idx.max() >= n or idx.min() < -n):
        raise IndexError(f"index {int(idx.max())} is out of bounds for dimension {dim} with size {n}")
    hit = np.zeros(n, dtype=bool)
    hit[idx] = True
    shape = [1] * d.ndim
    if d.ndim:
        shape[dim] = n
    return input.masked_fill(wrap(hit.reshape(shape)), value)


class MaskedScatter(Op):
    """out = x with the positions where mask holds taken, in order, from src's elements;
    grads: x gets g off the mask, src's first mask.sum() elements get g at the mask."""

    @staticmethod
    def forward(ctx, x, mask, src):
        m = np.broadcast_to(mask._data, broadcast_shapes_or_raise(x._data.shape, mask._data.shape))
        out = np.array(np.broadcast_to(x._data, m.shape))
        count = int(m.sum())
        if count > src._data.size:
            raise RuntimeError("Number of elements of source < number of ones in mask")
        out[m] = src._data.reshape(-1)[:count]
        ctx.mask, ctx.count, ctx.src_shape = m, count, src._data.shape
        return out

    @staticmethod
    def backward(ctx, g):
        from .joining import cat

        m = wrap(np.ascontiguousarray(ctx.mask))
        gx = g.masked_fill(m, 0) if ctx.needs_input_grad[0] else None
        gs = None
        if ctx.needs_input_grad[2]:
            n = int(np.prod(ctx.src_shape, dtype=np.int64))
            picked = g[m]
            pad = wrap(np.zeros(n - ctx.count, g._data.dtype))
            gs = cat([picked, pad]).reshape(ctx.src_shape)
        return gx, None, gs


@method
def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """Where ``mask`` holds, the next element of ``source`` (row-major); elsewhere ``input``.

    >>> ember.zeros(3).masked_scatter(ember.tensor([True, False, True]), ember.tensor([1., 2.]))
    tensor([1., 0., 2.])
    """
    if mask._data.dtype != np.bool_:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype "
                           f"{type_name(mask._data.dtype)}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got "
                           f"{type_name(input._data.dtype)} and {type_name(source._data.dtype)}")
    return MaskedScatter.apply(input, mask, source)


_REDUCE = {"sum": np.add, "prod": np.multiply, "mean": np.add, "amax": np.maximum, "amin": np.minimum}


def _identity(reduce: str, dtype: np.dtype):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    info = np.iinfo(dtype) if dtype.kind in "iu" else None
    return (info.min if reduce == "amax" else info.max) if info else (reduce == "amin")


class ScatterReduce(Op):
    """out[index[j]] = reduce(x[index[j]] (if include_self), src[j] for all j hitting it) along ``dim``.

    Backward: sum gives (g or g off the hit positions, g gathered); mean divides g by the counts;
    prod gives g * out / x and (g * out) gathered / src (nonzero inputs); amax/amin share g evenly
    among the elements equal to the result.
    """

    @staticmethod
    def forward(ctx, x, dim, index, src, reduce, include_self):
        d, idx, s = x._data, index._data, src._data
        key = _scatter_index(d, dim, idx)
        hit = np.zeros(d.shape, dtype=bool)
        hit[key] = True
        out = d.copy()
        if not include_self:
            out[hit] = _identity(reduce, d.dtype)
        _REDUCE[reduce].at(out, key, s)
        count = np.zeros(d.shape, dtype=np.int64)
        np.add.at(count, key, 1)
        if include_self:
            count += 1
        if reduce == "mean":
            safe = np.maximum(count, 1)
            out = np.where(hit | include_self, out / safe if d.dtype.kind in "fc" else out // safe, out)
            out = out.astype(d.dtype, copy=False)
        ctx.args = (dim, reduce, include_self)
        ctx.index, ctx.hit, ctx.count = index, hit, count
        if ctx.next is not None:
            ctx.save_for_backward(x, src)
            ctx.out = out
        return out

    @staticmethod
    def backward(ctx, g):
        dim, reduce, include_self = ctx.args
        x, src = ctx.saved_tensors
        index, hit = ctx.index, wrap(ctx.hit)
        self_mask = None if include_self else hit
        if reduce in ("sum", "mean"):
            if reduce == "mean":
                g = g / wrap(np.maximum(ctx.count, 1).astype(g._data.dtype))
            gx = g if self_mask is None else g.masked_fill(self_mask, 0)
            return gx, None, None, g.gather(dim, index)
        out = wrap(ctx.out)
        if reduce == "prod":
            go = g * out
            gx = go / x if self_mask is None else (go / x).masked_fill(self_mask, 0)
            return gx, None, None, go.gather(dim, index) / src
        x_tie = (x == out) if self_mask is None else (x == out) & ~self_mask
        s_tie = src == out.gather(dim, index)
        n = x_tie.to(g.dtype).scatter_add(dim, index, s_tie.to(g.dtype))
        share = g / n.masked_fill(n == 0, 1)
        return share * x_tie, None, None, share.gather(dim, index) * s_tie


@method
def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    """Reduce the ``src`` values sent to each position by ``index`` along ``dim`` with ``reduce``
    ('sum', 'prod', 'mean', 'amax', 'amin'), with or without the original value.

    >>> ember.zeros(2).scatter_reduce(0, ember.tensor([0, 0, 1]), ember.tensor([1., 3., 2.]), "amax")
    tensor([3., 2.])
    """
    if reduce not in _REDUCE:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    if index._data.dtype != np.int64:
        raise RuntimeError("scatter_reduce(): Expected dtype int64 for index")
    if src._data.dtype != input._data.dtype:
        raise RuntimeError(f"scatter_reduce(): Expected self.dtype to be equal to src.dtype")
    dim = wrap_dim(dim, input._data.ndim)
    if src._data.shape != index._data.shape:
        src = src[tuple(slice(0, n) for n in index._data.shape)]
    return ScatterReduce.apply(input, dim, index, src, reduce, include_self)


@method
def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """``input`` seen as 1-D, with ``source`` written (or added) at ``index``."""
    flat = input.reshape(-1).index_put((index.reshape(-1),), source.reshape(-1), accumulate)
    return flat.reshape(tuple(input._data.shape))


def _put_(self: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """In-place ``put`` (a method only, as torch)."""
    from .inplace import apply_inplace

    return apply_inplace(self, lambda s, i, v: put(s, i, v, accumulate), index, source)


_put_.__name__ = _put_.__qualname__ = "put_"
METHODS["put_"] = _put_


# --------------------------------------------------------------------------- counting and searching
@method
def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value 0..max occurs in the 1-d non-negative int input (summing ``weights``).

    >>> ember.bincount(ember.tensor([0, 2, 2]))
    tensor([1, 0, 2])
    """
    d = input._data
    if d.dtype.kind not in "iub":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{type_name(d.dtype)}'")
    if d.ndim != 1 or (d.size and d.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return _long(np.bincount(d, minlength=minlength))
    w = weights._data
    dt = w.dtype if w.dtype.kind == "f" else np.dtype(np.float64)
    return wrap(np.bincount(d, w.astype(np.float64), minlength=minlength).astype(dt))


@method
def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0, *, out=None) -> Tensor:
    """Counts in ``bins`` equal-width bins over [min, max] (the data's range when min == max);
    values outside are ignored.

    >>> ember.histc(ember.tensor([1., 2., 1.]), bins=4, min=0, max=3)
    tensor([0., 2., 1., 0.])
    """
    d = input._data
    if d.dtype.kind != "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{type_name(d.dtype)}'")
    if bins <= 0:
        raise RuntimeError("torch.histc(): bins must be > 0, but got " + str(bins) + " for dimension 0")
    lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if lo == hi and d.size:
        lo, hi = float(np.nanmin(d)), float(np.nanmax(d))
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    x = d[(d >= lo) & (d <= hi)].astype(np.float64)
    pos = np.minimum(((x - lo) * bins / (hi - lo)).astype(np.int64), bins - 1)
    return _out(wrap(np.bincount(pos, minlength=bins).astype(d.dtype)), out)


def histogram(input: Tensor, bins=100, *, range=None, weight: Tensor | None = None, density: bool = False):
    """(hist, bin_edges): counts (or weights, or a density) in ``bins`` (a count or the edges)."""
    d = input._data
    if d.dtype.kind != "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{type_name(d.dtype)}'")
    edges = bins._data if isinstance(bins, Tensor) else bins
    w = weight._data if weight is not None else None
    hist, e = np.histogram(d.reshape(-1), edges, range=range, weights=None if w is None else w.reshape(-1),
                           density=density)
    return return_types.histogram(wrap(hist.astype(d.dtype)), wrap(np.asarray(e).astype(d.dtype)))


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
    return _out(wrap(np.asarray(res, dtype=np.int32 if out_int32 else np.int64)), out)


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

