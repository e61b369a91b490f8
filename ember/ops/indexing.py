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
from ._common import broadcast_shapes_or_raise, method, Op, wrap_dim
from .strided import Slice
from .views import expand
from .inplace import apply_inplace, check_no_partial_overlap

__all__ = ["index_select", "masked_select", "nonzero", "argwhere", "take", "index_put"]


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


def _dims_taken(k) -> int:
    """How many dims of the indexed tensor one (converted) index entry takes."""
    if k is None or k is Ellipsis or isinstance(k, bool):
        return 0
    return k.ndim if isinstance(k, np.ndarray) and k.dtype == np.bool_ else 1


def _check_bounds(shape, key) -> None:
    dim = 0
    for k in key:
        if k is None or isinstance(k, bool):  # a bool adds a dim (as None) and takes none
            continue
        if k is Ellipsis:
            dim = len(shape) - sum(_dims_taken(j) for j in key) + dim
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


def _split_basic(key: tuple):
    """torch applies the ints, slices, None and ``...`` of an index first (a view), then the tensors: the
    (basic, advanced) keys, or None when there is nothing to apply first. An int between index tensors is a
    select in torch, not an index that broadcasts with them (NumPy's ``x[0, :, [1, 2]]`` puts the indexed dim
    first; torch's result is (4, 2) for x of shape (3, 4, 5))."""
    full = slice(None)
    if all(k is Ellipsis or isinstance(k, (np.ndarray, bool)) or k == full for k in key):
        return None
    basic, advanced = [], []
    for k in key:
        if isinstance(k, np.ndarray):
            basic += [full] * (k.ndim if k.dtype == np.bool_ else 1)
            advanced.append(k)
        elif isinstance(k, bool):  # takes no dim
            advanced.append(k)
        elif isinstance(k, int):
            basic.append(k)
        else:  # a slice, None or Ellipsis: applied now; a full slice (or ...) in its place afterwards
            basic.append(k)
            advanced.append(Ellipsis if k is Ellipsis else full)
    return tuple(basic), tuple(advanced)


def _torch_order(x: np.ndarray, key: tuple):
    """The order (slowest to fastest) of ``x[key]``'s dims in torch's result, or None for C order. ``key`` holds
    index arrays, full slices and ``...``. torch's index kernel is a TensorIterator over x restrided (0 strides
    at the indexed dims, which go first when they are not adjacent) and the broadcast index tensors; its output
    is allocated dense in the order TensorIterator sorts the dims by the operands' strides (``reorder_dimensions``,
    an insertion sort where the first operand with two nonzero strides decides, and equal strides put the smaller
    dim first)."""
    if any(isinstance(k, bool) for k in key):
        return None
    arrays = [k for k in key if isinstance(k, np.ndarray)]
    if len(arrays) == 1 and (arrays[0].ndim == 1 or arrays[0].dtype == np.bool_) and all(
            a > b for a, b in zip(x.strides, x.strides[1:])):
        return None  # the common x[idx], x[:, idx], x[mask] of a C-ordered x: always C order (the fast exit)
    n_used = sum(_dims_taken(k) for k in key)
    entries = []
    for k in key:
        if k is Ellipsis:
            entries += [None] * (x.ndim - n_used)
        elif isinstance(k, np.ndarray) and k.dtype == np.bool_:
            entries += list(np.nonzero(k)) if k.ndim else [None]
        else:
            entries.append(k if isinstance(k, np.ndarray) else None)
    entries += [None] * (x.ndim - len(entries))
    dims = [d for d, e in enumerate(entries) if e is not None]
    if not dims:
        return None
    idx = np.broadcast_arrays(*[entries[d] for d in dims])
    bshape = idx[0].shape
    shape, strides = list(x.shape), list(x.strides)
    if dims != list(range(dims[0], dims[0] + len(dims))):  # not adjacent: torch moves the indexed dims first
        order = dims + [d for d in range(x.ndim) if d not in dims]
        shape, strides = [shape[d] for d in order], [strides[d] for d in order]
        before = 0
    else:
        before = dims[0]
    after = len(shape) - before - len(dims)
    out_shape = shape[:before] + list(bshape) + shape[before + len(dims):]
    operands = [strides[:before] + [0] * len(bshape) + strides[before + len(dims):]]
    for i in idx:  # torch reshapes each index to (1,) * before + bshape + (1,) * after (a view)
        lead, trail = i.shape[0] * i.strides[0], i.strides[-1]  # the strides view() gives the added 1s
        operands.append([lead if out_shape[d] == 1 else 0 for d in range(before)] + list(i.strides)
                        + [trail if out_shape[d] == 1 else 0 for d in range(len(out_shape) - after, len(out_shape))])
    perm = list(range(len(out_shape)))[::-1]  # fastest first, as TensorIterator starts (C order)

    def should_swap(d0: int, d1: int) -> int:
        for st in operands:
            s0, s1 = st[d0], st[d1]
            if s0 == 0 or s1 == 0:
                continue
            if s0 != s1:
                return -1 if s0 < s1 else 1
            if out_shape[d0] > out_shape[d1]:
                return 1
        return 0

    for i in range(1, len(perm)):
        d1 = i
        for d0 in range(i - 1, -1, -1):
            c = should_swap(perm[d0], perm[d1])
            if c > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif c < 0:
                break
    if perm == list(range(len(out_shape)))[::-1]:
        return None
    return perm[::-1]


class Index(Op):
    """Advanced indexing (a copy, in torch's layout: see ``_torch_order``); backward accumulates into zeros
    (duplicates add up)."""

    @staticmethod
    def forward(ctx, x, key):
        ctx.shape, ctx.key = x._data.shape, key
        out = np.asarray(x._data[key])
        order = _torch_order(x._data, key) if out.ndim > 1 else None
        if order is None:  # C order (NumPy may lay out x[:, idx] with the indexed dim outermost)
            return out if out.flags.c_contiguous else out.copy(order="C")
        res = np.empty([out.shape[d] for d in order], dtype=out.dtype).transpose(np.argsort(order))
        res[...] = out
        return res

    @staticmethod
    def backward(ctx, g):
        z = wrap(np.zeros(ctx.shape, dtype=g._data.dtype))
        return index_put(z, ctx.key, g, accumulate=True)


def getitem(self: Tensor, key):

    k, basic = _convert_key(key)
    try:
        _check_bounds(self._data.shape, k)
    except IndexError:
        raise
    if basic:
        return Slice.apply(self, k)
    split = _split_basic(k)
    if split is not None:
        self, k = Slice.apply(self, split[0]), split[1]
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

    k, basic = _convert_key(key)
    _check_bounds(self._data.shape, k)
    if not isinstance(value, Tensor):
        value = wrap(np.asarray(value, dtype=self._data.dtype))
    else:  # torch copies into the slice view (basic keys) or index_put_s into self: each must not partly overlap

        check_no_partial_overlap(self._data[k] if basic else self._data, (value,))
    apply_inplace(self, lambda s, v: IndexPut.apply(s, k, v), value, cast_check=False, overlap_check=False)


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


@method
def masked_select(input, mask):

    shape = broadcast_shapes_or_raise(tuple(input.shape), tuple(mask.shape))
    return getitem(expand(input, shape), expand(mask, shape))


@method
def nonzero(input, *, as_tuple: bool = False):
    idx = np.nonzero(input._data) if input._data.ndim else np.nonzero(input._data.reshape(1))
    if as_tuple:
        return tuple(wrap(np.asarray(i, dtype=np.int64)) for i in idx)
    return wrap(np.stack(idx, axis=1).astype(np.int64) if idx else np.zeros((0, 0), np.int64))


@method
def argwhere(input):
    return nonzero(input)


@method
def take(input, index):
    return getitem(input.reshape(-1), index)
