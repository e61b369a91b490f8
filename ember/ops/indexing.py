"""Indexing: ``x[key]`` (basic keys give views, tensor/list/bool keys give copies), ``x[key] = v``,
``index_select``, ``gather``, ``scatter``/``scatter_add``, ``masked_fill``, ``index_put``, ``nonzero``.

>>> import ember
>>> x = ember.arange(6.).reshape(2, 3)
>>> x[:, [0, 2]], x[x > 2]
(tensor([[0., 2.],
        [3., 5.]]), tensor([3., 4., 5.]))
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor, wrap
from ._common import Op, method, wrap_dim

__all__ = ["gather", "take_along_dim", "scatter", "scatter_add", "index_select", "index_add", "masked_fill",
           "masked_select", "nonzero", "argwhere", "take", "index_put"]


def _list_is_tuple(key: list) -> bool:
    """torch's ``treatSequenceAsTuple``: a list shorter than 32 that holds a tensor, a sequence, a slice,
    ``...`` or None is a tuple of indices (``t[[mask]]`` is ``t[mask]``); otherwise it is one index."""
    if len(key) >= 32:
        return False
    return any(isinstance(k, (Tensor, list, tuple, range, np.ndarray, slice)) or k is None or k is Ellipsis
               for k in key)


def _convert_key(key):
    """Turn a torch index into a NumPy one; report whether it is basic (a view)."""
    if type(key) is list and _list_is_tuple(key):
        import warnings

        warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
                      "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted "
                      "as tensor index, x[torch.tensor(seq)], which will result either in an error or a different "
                      "result", UserWarning, stacklevel=3)
        key = tuple(key)
    if not isinstance(key, tuple):
        key = (key,)
    out, basic = [], True
    for k in key:
        if isinstance(k, Tensor):
            a = k._data
            if a.dtype.kind not in "biu":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            if a.ndim == 0 and a.dtype.kind in "iu":
                out.append(int(a))
                basic = False
                continue
            out.append(a)
            basic = False
        elif isinstance(k, (list, np.ndarray)):
            a = np.asarray(k)
            if a.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            out.append(a if a.dtype != object else np.asarray([int(v) for v in k]))
            basic = False
        elif k is None or k is Ellipsis or isinstance(k, slice):
            if isinstance(k, slice) and k.step is not None and k.step <= 0:
                raise ValueError("step must be greater than zero")
            out.append(_slice(k) if isinstance(k, slice) else k)
        elif isinstance(k, (bool, np.bool_)):
            out.append(bool(k))
            basic = False
        elif isinstance(k, (int, np.integer)):
            out.append(int(k))
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                             f"Variables are valid indices (got {type(k).__name__})")
    return tuple(out), basic


def _slice(s: slice) -> slice:
    def v(x):
        return int(x) if isinstance(x, Tensor) else x

    return slice(v(s.start), v(s.stop), v(s.step))


def _check_bounds(shape, key) -> None:
    dim = 0
    for k in key:
        if k is None:
            continue
        if k is Ellipsis:
            dim = len(shape) - (sum(1 for j in key if j is not None and j is not Ellipsis
                                    and not (isinstance(j, np.ndarray) and j.dtype == np.bool_))
                                + sum(j.ndim - 1 for j in key if isinstance(j, np.ndarray) and j.dtype == np.bool_)) + dim
            continue
        if isinstance(k, int) and not isinstance(k, bool):
            if dim >= len(shape):
                raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
            n = shape[dim]
            if not -n <= k < n:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size {n}")
        elif isinstance(k, np.ndarray) and k.dtype != np.bool_ and k.size and dim < len(shape):
            n = shape[dim]
            if k.max() >= n or k.min() < -n:
                bad = k.max() if k.max() >= n else k.min()
                raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {n}")
        dim += k.ndim if isinstance(k, np.ndarray) and k.dtype == np.bool_ else 1


class Index(Op):
    """Advanced indexing (a copy); backward accumulates into zeros (duplicates add up)."""

    @staticmethod
    def forward(ctx, x, key):
        ctx.shape, ctx.key = x._data.shape, key
        out = np.asarray(x._data[key])
        # NumPy may lay out x[:, idx] with the indexed dim outermost; torch's result is contiguous (view() works)
        return out if out.flags.c_contiguous else out.copy(order="C")

    @staticmethod
    def backward(ctx, g):
        z = wrap(np.zeros(ctx.shape, dtype=g._data.dtype))
        return index_put(z, ctx.key, g, accumulate=True)


def getitem(self: Tensor, key):
    from .movement import Slice

    k, basic = _convert_key(key)
    try:
        _check_bounds(self._data.shape, k)
    except IndexError:
        raise
    if basic:
        return Slice.apply(self, k)
    try:
        return Index.apply(self, k)
    except IndexError as e:
        raise IndexError(str(e)) from None


class IndexPut(Op):
    """out = x with out[key] = values (or += with accumulate); grads: x keeps g off the key."""

    broadcasting = True

    @staticmethod
    def forward(ctx, x, key, values, accumulate=False):
        out = x._data.copy()
        v = values._data if isinstance(values, Tensor) else values
        if accumulate:
            np.add.at(out, key, v)
        else:
            out[key] = v
        ctx.key, ctx.acc = key, accumulate
        return out

    @staticmethod
    def backward(ctx, g):
        gx = g
        if not ctx.acc and ctx.needs_input_grad[0]:
            gx = index_put(g, ctx.key, wrap(np.zeros((), g._data.dtype)))
        gv = Index.apply(g, ctx.key) if ctx.needs_input_grad[2] else None
        return gx, None, gv


@method
def index_put(input, indices, values, accumulate: bool = False):
    key = indices if isinstance(indices, tuple) and not any(isinstance(i, Tensor) for i in indices) \
        else _convert_key(indices)[0]
    if not isinstance(values, Tensor):
        values = wrap(np.asarray(values, dtype=input._data.dtype))
    return IndexPut.apply(input, key, values, accumulate)


def setitem(self: Tensor, key, value) -> None:
    from .inplace import apply_inplace

    k, basic = _convert_key(key)
    _check_bounds(self._data.shape, k)
    if not isinstance(value, Tensor):
        value = wrap(np.asarray(value, dtype=self._data.dtype))
    else:  # torch copies into the slice view (basic keys) or index_put_s into self: each must not partly overlap
        from .inplace import check_no_partial_overlap

        check_no_partial_overlap(self._data[k] if basic else self._data, (value,))
    apply_inplace(self, lambda s, v: IndexPut.apply(s, k, v), value, cast_check=False, overlap_check=False)


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
    from .movement import expand

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
        if ctx.reduce is None:
            gx = wrap(g._data.copy())
            gx._data[ctx.key] = 0
        gs = None
        if ctx.needs_input_grad[3]:
            gs = wrap(g._data[ctx.key])
            if gs._data.shape != ctx.src_shape:
                full = np.zeros(ctx.src_shape, g._data.dtype)
                full[tuple(slice(0, n) for n in gs._data.shape)] = gs._data
                gs = wrap(full)
        return gx, None, None, gs


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


class IndexSelect(Op):
    @staticmethod
    def forward(ctx, x, dim, index):
        idx = index._data
        if idx.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        if idx.dtype.kind not in "iu":
            raise RuntimeError("index_select(): Expected dtype int32/int64 for index")
        n = x._data.shape[dim] if x._data.ndim else 1
        if idx.size and (idx.max() >= n or idx.min() < -n):
            raise IndexError(f"index out of range in self")
        ctx.shape, ctx.dim, ctx.idx = x._data.shape, dim, idx.reshape(-1)
        return np.take(x._data, idx.reshape(-1), axis=dim) if x._data.ndim else x._data.copy()

    @staticmethod
    def backward(ctx, g):
        z = wrap(np.zeros(ctx.shape, dtype=g._data.dtype))
        return z.index_add(ctx.dim, wrap(ctx.idx), g), None, None


@method
def index_select(input, dim: int, index):
    return IndexSelect.apply(input, wrap_dim(dim, max(input._data.ndim, 1)), index)


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


@method
def masked_select(input, mask):
    from .movement import expand
    from ._common import broadcast_shapes_or_raise

    shape = broadcast_shapes_or_raise(tuple(input.shape), tuple(mask.shape))
    return getitem(expand(input, shape), expand(mask, shape))


@method
def nonzero(input, *, as_tuple: bool = False):
    idx = np.nonzero(input._data) if input._data.ndim else np.nonzero(input._data.reshape(1))
    if as_tuple:
        return tuple(wrap(np.asarray(i, dtype=np.int64)) for i in idx)
    return wrap(np.stack(idx, axis=1).astype(np.int64) if idx else np.zeros((0, 0), np.int64))


def argwhere(input):
    return nonzero(input)


@method
def take(input, index):
    return getitem(input.reshape(-1), index)
