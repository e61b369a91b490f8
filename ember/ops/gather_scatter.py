"""Reads and writes by an index tensor along one dim: gather/take_along_dim, scatter/scatter_add/
scatter_reduce, index_add/index_copy/index_fill, masked_fill/masked_scatter and put.

The gradient of a gather is a scatter-add of g, and the gradient of a scatter gathers g back.

>>> import ember
>>> x = ember.tensor([[1., 2.], [3., 4.]])
>>> x.gather(1, ember.tensor([[1], [0]])), ember.zeros(3).index_add(0, ember.tensor([0, 0]), ember.ones(2))
(tensor([[2.],
        [3.]]), tensor([2., 0., 0.]))
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor, wrap
from .indexing import Index
from ._common import broadcast_shapes_or_raise, method, METHODS, Op, type_name, wrap_dim
from .inplace import apply_inplace
from .views import expand
from .joining import cat

__all__ = ["index_copy", "index_fill", "masked_scatter", "scatter_reduce", "put", "gather", "take_along_dim",
           "scatter", "scatter_add", "index_add", "masked_fill"]




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

    save_output = True

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
        ctx.save_for_backward(x, src)
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
        out = ctx.output  # under create_graph it leads back through this node, so d(out)/dx is seen
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

    return apply_inplace(self, lambda s, i, v: put(s, i, v, accumulate), index, source)


class Gather(Op):
    """out[i][j] = x[i][index[i][j]] (dim=1); backward scatter-adds into zeros."""

    @staticmethod
    def forward(ctx, x, dim, index):
        d, idx = x._data, index._data
        if idx.dtype != np.int64:
            raise RuntimeError("gather(): Expected dtype int64 for index")
        if d.ndim != idx.ndim and not (d.ndim == 0 or idx.ndim == 0):
            raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
        for i in range(idx.ndim):
            if i != dim and idx.shape[i] > d.shape[i]:
                raise RuntimeError(f"Size does not match at dimension {i} expected index {list(idx.shape)} to be "
                                   f"smaller than self {list(d.shape)} apart from dimension {dim}")
        if idx.size and (idx.max() >= d.shape[dim] or idx.min() < -d.shape[dim]):
            raise RuntimeError(f"index {idx.max()} is out of bounds for dimension {dim} with size {d.shape[dim]}")
        ctx.shape, ctx.dim, ctx.index = d.shape, dim, index
        sub = d[tuple(slice(0, s) if i != dim else slice(None) for i, s in enumerate(idx.shape))]
        return np.take_along_axis(sub, idx, axis=dim)

    @staticmethod
    def backward(ctx, g):
        z = wrap(np.zeros(ctx.shape, dtype=g._data.dtype))
        return z.scatter_add(ctx.dim, ctx.index, g), None


@method
def gather(input, dim: int, index, *, sparse_grad: bool = False):
    dim = wrap_dim(dim, input._data.ndim)
    if _scalar_like(input, index):  # torch reads a 0-d input or index as one element along dim 0
        return Gather.apply(_as_1d(input), 0, _as_1d(index)).reshape(index._data.shape)
    return Gather.apply(input, dim, index)


def _scalar_like(input, index) -> bool:
    """A 0-d input or index with nothing of more than one dim: gather/scatter work on one element."""
    a, b = input._data.ndim, index._data.ndim
    return (a == 0 or b == 0) and a <= 1 and b <= 1


def _as_1d(t):
    return t.reshape(1) if isinstance(t, Tensor) and t._data.ndim == 0 else t


@method
def take_along_dim(input, indices, dim=None):
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))

    shape = list(np.broadcast_shapes(input._data.shape[:dim] + (1,) + input._data.shape[dim + 1:] if False
                                     else tuple(1 if i == wrap_dim(dim, input.ndim) else s
                                                for i, s in enumerate(input._data.shape)),
                                     tuple(1 if i == wrap_dim(dim, input.ndim) else s
                                           for i, s in enumerate(indices._data.shape))))
    d = wrap_dim(dim, input.ndim)
    ishape = list(shape)
    ishape[d] = indices._data.shape[d]
    xs = list(shape)
    xs[d] = input._data.shape[d]
    return gather(expand(input, tuple(xs)), d, expand(indices, tuple(ishape)))


def _scatter_index(d, dim, idx):
    """Full NumPy index tuples for writing ``src[j...]`` at ``index[j...]`` along ``dim``."""
    grids = np.indices(idx.shape, sparse=True)
    key = list(grids)
    key[dim] = idx
    return tuple(key)


class Scatter(Op):
    """out = x with out[...index...] = src (reduce None) or += src (reduce 'add')."""

    @staticmethod
    def forward(ctx, x, dim, index, src, reduce=None):
        d, idx = x._data, index._data
        if idx.dtype != np.int64:
            raise RuntimeError("scatter(): Expected dtype int64 for index")
        out = d.copy()
        s = src._data if isinstance(src, Tensor) else src
        if isinstance(src, Tensor):
            s = s[tuple(slice(0, n) for n in idx.shape)]
        key = _scatter_index(d, dim, idx)
        if idx.size and (idx.max() >= d.shape[dim] or idx.min() < -d.shape[dim]):
            raise RuntimeError(f"index {idx.max()} is out of bounds for dimension {dim} with size {d.shape[dim]}")
        if reduce in ("add", "sum"):
            np.add.at(out, key, s)
        elif reduce in ("multiply", "prod"):
            np.multiply.at(out, key, s)
        elif reduce is None:
            out[key] = s
        else:
            raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce}")
        ctx.dim, ctx.index, ctx.key, ctx.reduce = dim, index, key, reduce
        ctx.src_shape = getattr(s, "shape", None)
        return out

    @staticmethod
    def backward(ctx, g):
        gx = g
        if ctx.reduce is None:  # the overwritten positions get no gradient
            hit = np.zeros(g.shape, dtype=bool)
            hit[ctx.key] = True
            gx = g.masked_fill(wrap(hit), 0)
        gs = None
        if ctx.needs_input_grad[3]:
            gs = _zero_pad(g.gather(ctx.dim, ctx.index), ctx.src_shape)
        return gx, None, None, gs


def _zero_pad(t: Tensor, shape: tuple) -> Tensor:
    """``t`` grown to ``shape`` with zeros after its end in each dim (src elements that ``index`` never reads)."""
    for i, (have, want) in enumerate(zip(t.shape, shape)):
        if have < want:
            t = cat([t, t.new_zeros(tuple(t.shape[:i]) + (want - have,) + tuple(t.shape[i + 1:]))], i)
    return t


@method
def scatter(input, dim: int, index, src=None, *, value=None, reduce=None):
    if src is None:
        src = value
    if not isinstance(src, Tensor):
        src = float(src) if input.is_floating_point() else src
    return _scatter(input, dim, index, src, reduce)


def _scatter(input, dim, index, src, reduce):
    dim = wrap_dim(dim, input._data.ndim)
    if _scalar_like(input, index):  # one element, as torch
        out = Scatter.apply(_as_1d(input), 0, _as_1d(index), _as_1d(src), reduce)
        return out.reshape(input._data.shape)
    return Scatter.apply(input, dim, index, src, reduce)


@method
def scatter_add(input, dim: int, index, src):
    return _scatter(input, dim, index, src, "add")


class IndexAdd(Op):
    """out = x; out.select(dim, index[i]) += alpha * src.select(dim, i)."""

    @staticmethod
    def forward(ctx, x, dim, index, src, alpha=1):
        out = x._data.copy()
        n = out.shape[dim] if out.ndim else 1
        if index._data.size and (index._data.max() >= n or index._data.min() < -n):
            bad = index._data.max() if index._data.max() >= n else index._data.min()
            raise RuntimeError(f"index_add: index {bad} is out of bounds for dimension {dim} with size {n}")
        key = (slice(None),) * dim + (index._data,)
        np.add.at(out, key, src._data * alpha if alpha != 1 else src._data)
        ctx.key, ctx.alpha = key, alpha
        return out

    @staticmethod
    def backward(ctx, g):
        gs = Index.apply(g, ctx.key) if ctx.needs_input_grad[3] else None
        return g, None, None, (gs * ctx.alpha if gs is not None and ctx.alpha != 1 else gs), None


@method
def index_add(input, dim: int, index, source, *, alpha=1):
    return IndexAdd.apply(input, wrap_dim(dim, input._data.ndim), index, source, alpha)


class MaskedFill(Op):
    broadcasting = True

    @staticmethod
    def forward(ctx, x, mask, value):
        m = mask._data
        if m.dtype != np.bool_:
            raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                               f"{mask.dtype.name}")
        v = value._data if isinstance(value, Tensor) else value
        ctx.mask = m
        return np.where(m, np.asarray(v, dtype=x._data.dtype), x._data)

    @staticmethod
    def backward(ctx, g):
        m = wrap(ctx.mask)
        gv = None
        if ctx.needs_input_grad[2]:
            gv = (g * m).sum()
        return g.masked_fill(m, 0), None, gv


@method
def masked_fill(input, mask, value):
    """Where ``mask`` holds, ``value``; elsewhere ``input`` (gradient flows only there)."""
    if isinstance(value, Tensor) and value._data.ndim != 0:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value._data.ndim} dimension(s).")
    return MaskedFill.apply(input, mask, value)


_put_.__name__ = _put_.__qualname__ = "put_"
METHODS["put_"] = _put_
