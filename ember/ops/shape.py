"""Shape ops that copy: repeat/tile, flips and rolls, triangles and diagonals, grids and broadcasting,
block_diag/cartesian_prod/combinations, and the ``Tensor.new_*`` constructors.

Primitives (repeat, flip, roll, tril/triu, diag_embed) have a backward that is the adjoint copy:
repeat sums the tiles, flip flips back, roll rolls back, tril keeps the same triangle, and
diag_embed takes the diagonal. The rest compose from them and from views, so they get their
gradient for free.

>>> import ember
>>> x = ember.tensor([[1, 2], [3, 4]])
>>> x.repeat(1, 2), ember.flip(x, [0]), ember.triu(x)
(tensor([[1, 2, 1, 2],
        [3, 4, 3, 4]]), tensor([[3, 4],
        [1, 2]]), tensor([[1, 2],
        [0, 4]]))
"""
from __future__ import annotations

import itertools
import numpy as np
import warnings

from .. import dtypes as _dt
from ..tensor import Size, Tensor, wrap
from ._common import (broadcast_shapes_or_raise, method, METHODS, norm_dims, Op, result_np_dtype, shape_arg, wrap_dim,
                      write_out)
from .joining import cat, stack
from .inplace import apply_inplace

__all__ = ["tile", "repeat_interleave", "flip", "fliplr", "flipud", "roll", "rot90", "tril", "triu", "diag_embed",
           "diag", "diagflat", "block_diag", "broadcast_shapes", "broadcast_tensors", "meshgrid", "atleast_1d",
           "atleast_2d", "atleast_3d", "cartesian_prod", "combinations"]

Shape = tuple
_as_tensor = wrap


def _method_only(fn):
    """Bind ``_name`` as ``Tensor.name`` only (torch has no ``torch.name``)."""
    fn.__name__ = fn.__qualname__ = fn.__name__[1:]
    METHODS[fn.__name__] = fn
    return fn


_out = write_out  # the one out= helper


# --------------------------------------------------------------------------- repeat / tile
class Repeat(Op):
    """out = x tiled ``reps`` times per dim (a copy); d/dx sums the tiles: g viewed as
    (r0, s0, r1, s1, ...) and summed over the r axes."""

    @staticmethod
    def forward(ctx, x, reps):
        d = x._data
        lead = len(reps) - d.ndim
        ctx.shape, ctx.reps = (1,) * lead + d.shape, reps
        ctx.in_shape = d.shape
        return np.tile(d.reshape(ctx.shape), reps)

    @staticmethod
    def backward(ctx, g):
        split = []
        for r, s in zip(ctx.reps, ctx.shape):
            split += [r, s]
        g = g.reshape(tuple(split)).sum(tuple(range(0, len(split), 2)))
        return g.reshape(ctx.in_shape)


@method
def repeat(input: Tensor, *repeats) -> Tensor:
    """Tile ``input`` ``repeats[i]`` times along dim i (a copy; leading new dims allowed).

    >>> ember.tensor([1, 2]).repeat(2, 2)
    tensor([[1, 2, 1, 2],
            [1, 2, 1, 2]])
    """
    reps = shape_arg(repeats)
    if len(reps) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions "
                           "of tensor")
    if any(r < 0 for r in reps):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(reps)}: {list(reps)}")
    return Repeat.apply(input, reps)


@method
def tile(input: Tensor, dims) -> Tensor:
    """``repeat`` with missing leading ``dims`` taken as 1 (numpy.tile).

    >>> ember.tile(ember.tensor([1, 2]), (2,))
    tensor([1, 2, 1, 2])
    """
    dims = shape_arg((dims,)) if not isinstance(dims, int) else (dims,)
    dims = (1,) * (input._data.ndim - len(dims)) + tuple(dims)
    return repeat(input, dims)


@method
def repeat_interleave(input: Tensor, repeats=None, dim: int | None = None, *, output_size: int | None = None):
    """Repeat each element ``repeats`` times (an int, or one count per element along ``dim``).

    With only a tensor of counts, returns the indices repeated by those counts.
    The gradient sums the copies (it is an index_select).

    >>> ember.repeat_interleave(ember.tensor([1, 2]), 2)
    tensor([1, 1, 2, 2])
    """
    if repeats is None:  # repeat_interleave(repeats)
        counts = input
        input = wrap(np.arange(counts._data.shape[0] if counts._data.ndim else 1, dtype=np.int64))
        return repeat_interleave(input, counts, 0, output_size=output_size)
    if dim is None:
        input, dim = input.reshape(-1), 0
    dim = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[dim] if input._data.ndim else 1
    r = repeats._data if isinstance(repeats, Tensor) else np.asarray(repeats)
    if r.ndim > 1:
        raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
    if r.dtype.kind not in "iu":
        raise RuntimeError("repeats has to be Long or Int tensor")
    if r.ndim == 1 and r.shape[0] != n and r.shape[0] != 1:
        raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                           f"{r.shape[0]} and input.size({dim}) = {n}")
    if r.size and r.min() < 0:
        raise RuntimeError("Repeats must be non-negative" if r.ndim == 0 else "repeats can not be negative")
    index = np.repeat(np.arange(n, dtype=np.int64), np.broadcast_to(r.reshape(-1), (n,)))
    if output_size is not None and index.shape[0] != output_size:
        raise RuntimeError(f"allocated size does not match required size")
    if input._data.ndim == 0:
        input = input.reshape(1)
    return input.index_select(dim, wrap(index))


# --------------------------------------------------------------------------- flip / roll / rot90
class Flip(Op):
    """Reverse the order along ``dims`` (a copy, as torch); d/dx flips g back."""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.flip(x._data, dims).copy() if dims else x._data.copy()

    @staticmethod
    def backward(ctx, g):
        return Flip.apply(g, ctx.dims)


@method
def flip(input: Tensor, *dims) -> Tensor:
    """Reverse the order of elements along ``dims`` (a copy).

    >>> ember.flip(ember.tensor([1, 2, 3]), [0])
    tensor([3, 2, 1])
    """
    dims = shape_arg(dims) if dims else ()
    return Flip.apply(input, norm_dims(dims, input._data.ndim))


@method
def fliplr(input: Tensor) -> Tensor:
    """Flip left-right: reverse dim 1 (input must be >= 2-d)."""
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return Flip.apply(input, (1,))


@method
def flipud(input: Tensor) -> Tensor:
    """Flip up-down: reverse dim 0 (input must be >= 1-d)."""
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return Flip.apply(input, (0,))


class Roll(Op):
    """out[(i + shift) % n] = x[i] along each dim (flattened when dims is None); d/dx rolls back."""

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims, ctx.shape = shifts, dims, x._data.shape
        if dims is None:
            return np.roll(x._data.reshape(-1), shifts).reshape(x._data.shape)
        return np.roll(x._data, shifts, dims)

    @staticmethod
    def backward(ctx, g):
        return Roll.apply(g, tuple(-s for s in ctx.shifts) if ctx.dims is not None else -ctx.shifts, ctx.dims)


@method
def roll(input: Tensor, shifts, dims=None) -> Tensor:
    """Shift elements cyclically by ``shifts`` along ``dims`` (the flattened tensor when None).

    >>> ember.roll(ember.tensor([1, 2, 3]), 1)
    tensor([3, 1, 2])
    """
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        return Roll.apply(input, shifts[0], None)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    return Roll.apply(input, shifts, tuple(wrap_dim(d, input._data.ndim) for d in dims))


@method
def rot90(input: Tensor, k: int = 1, dims=(0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times in the plane ``dims`` (from the first axis toward the second).

    >>> ember.rot90(ember.tensor([[1, 2], [3, 4]]))
    tensor([[2, 4],
            [1, 3]])
    """
    dims = list(dims)
    nd = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = wrap_dim(dims[0], nd), wrap_dim(dims[1], nd)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}")
    k %= 4
    if k == 1:
        return Flip.apply(input, (d1,)).transpose(d0, d1)
    if k == 2:
        return Flip.apply(input, tuple(sorted((d0, d1))))
    if k == 3:
        return Flip.apply(input, (d0,)).transpose(d0, d1)
    return input.clone()


# --------------------------------------------------------------------------- triangles and diagonals
class Triangle(Op):
    """Keep the lower (tril) or upper (triu) triangle of the last two dims; d/dx keeps g's same triangle."""

    @staticmethod
    def forward(ctx, x, diagonal, upper):
        d = x._data
        if d.ndim < 2:
            raise RuntimeError(f"{'triu' if upper else 'tril'}: input tensor must have at least 2 dimensions")
        ctx.args = (diagonal, upper)
        ctx.rename("TriuBackward0" if upper else "TrilBackward0")
        rows, cols = d.shape[-2:]
        keep = (np.triu if upper else np.tril)(np.ones((rows, cols), dtype=bool), diagonal)
        return np.ascontiguousarray(np.where(keep, d, np.zeros((), d.dtype)))  # torch's result is contiguous

    @staticmethod
    def backward(ctx, g):
        return Triangle.apply(g, *ctx.args)


@method
def tril(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
    """Lower triangle: out[..., i, j] = x[..., i, j] where j - i <= diagonal, else 0.

    >>> ember.tril(ember.ones(2, 2))
    tensor([[1., 0.],
            [1., 1.]])
    """
    return _out(Triangle.apply(input, diagonal, False), out)


@method
def triu(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
    """Upper triangle: out[..., i, j] = x[..., i, j] where j - i >= diagonal, else 0."""
    return _out(Triangle.apply(input, diagonal, True), out)


class DiagEmbed(Op):
    """Place the last dim of x on the ``offset`` diagonal of new dims (dim1, dim2) of zeros;
    d/dx = that diagonal of g."""

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        d = x._data
        n = d.shape[-1] + abs(offset)
        batch = list(d.shape[:-1])
        ctx.args = (offset, dim1, dim2)
        out_nd = d.ndim + 1
        shape = []
        it = iter(batch)
        for i in range(out_nd):
            shape.append(n if i in (dim1, dim2) else next(it))
        out = np.zeros(shape, dtype=d.dtype)
        view = np.diagonal(out, offset, dim1, dim2)
        view.setflags(write=True)
        view[...] = d
        return out

    @staticmethod
    def backward(ctx, g):
        return g.diagonal(*ctx.args)


@method
def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Matrices whose ``offset`` diagonal (in dims dim1, dim2) holds the last dim of ``input``.

    >>> ember.diag_embed(ember.tensor([1, 2]))
    tensor([[1, 0],
            [0, 2]])
    """
    nd = input._data.ndim + 1
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return DiagEmbed.apply(input, offset, d1, d2)


@method
def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """1-D input: a square matrix with it on the ``diagonal``; 2-D input: that diagonal (a copy).

    >>> ember.diag(ember.tensor([1, 2]))
    tensor([[1, 0],
            [0, 2]])
    """
    nd = input._data.ndim
    if nd == 1:
        return DiagEmbed.apply(input, diagonal, 0, 1)
    if nd == 2:
        return input.diagonal(diagonal).clone()
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")


@method
def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """A square matrix with the flattened input on diagonal ``offset``."""
    return DiagEmbed.apply(input.reshape(-1), offset, 0, 1)


def block_diag(*tensors: Tensor) -> Tensor:
    """A block-diagonal matrix of the inputs (0-d and 1-d inputs count as 1x1 and 1xN).

    >>> ember.block_diag(ember.tensor([[1]]), ember.tensor([[2, 3]]))
    tensor([[1, 0, 0],
            [0, 2, 3]])
    """

    mats = []
    for i, t in enumerate(tensors):
        if t._data.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{t._data.ndim} dimensions")
        mats.append(t.reshape(1, -1) if t._data.ndim < 2 else t)
    dt = _dt.from_numpy_dtype(result_np_dtype(*tensors)) if tensors else _dt.get_default_dtype()
    width = sum(m._data.shape[1] for m in mats)
    rows, col = [], 0
    for m in mats:
        r, c = m._data.shape
        left = wrap(np.zeros((r, col), dt.np))
        right = wrap(np.zeros((r, width - col - c), dt.np))
        rows.append(cat([left, m.to(dt), right], 1))
        col += c
    return cat(rows, 0) if rows else wrap(np.zeros((1, 0), dt.np))


@_method_only
def _fill_diagonal_(self: Tensor, fill_value, wrap: bool = False) -> Tensor:
    """Fill the main diagonal in place (all dims equal when ndim > 2; ``wrap`` restarts tall matrices)."""

    d = self._data
    if d.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if d.ndim > 2 and len(set(d.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    mask = np.zeros(d.shape, dtype=bool)
    if d.ndim == 2:
        flat = mask.reshape(-1)
        rows, cols = d.shape
        end = flat.size if wrap else min(rows, cols) * cols
        flat[:end:cols + 1] = True
    else:
        idx = np.arange(d.shape[0])
        mask[(idx,) * d.ndim] = True
    return apply_inplace(self, lambda s: s.masked_fill(_as_tensor(mask), fill_value))


# --------------------------------------------------------------------------- grids and broadcasting
def broadcast_shapes(*shapes) -> Size:
    """The shape that all ``shapes`` broadcast to, with torch's error when they do not.

    >>> ember.broadcast_shapes((2, 1), (3,))
    ember.Size([2, 3])
    """
    out: tuple = ()
    for s in shapes:
        s = (s,) if isinstance(s, int) else tuple(s)
        try:
            out = broadcast_shapes_or_raise(out, s)
        except RuntimeError:
            raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape.  Mismatch is "
                               f"between {list(out)} and {list(s)}.") from None
    return Size(out)


def broadcast_tensors(*tensors: Tensor) -> tuple:
    """Expand every tensor to the common broadcast shape (views, as torch).

    >>> a, b = ember.broadcast_tensors(ember.zeros(2, 1), ember.zeros(3))
    >>> a.shape
    ember.Size([2, 3])
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape: tuple = ()
    for t in tensors:
        shape = broadcast_shapes_or_raise(shape, tuple(t._data.shape))
    return tuple(t.expand(shape) for t in tensors)


def meshgrid(*tensors: Tensor, indexing: str | None = None) -> tuple:
    """Coordinate grids: output i varies along dim i ('ij') or with the first two swapped ('xy').

    >>> gx, gy = ember.meshgrid(ember.tensor([1, 2]), ember.tensor([3, 4, 5]), indexing="ij")
    >>> gx.shape
    ember.Size([2, 3])
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
        if t._data.dtype != tensors[0]._data.dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    ts = list(tensors)
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t.numel() for t in ts)
    out = []
    for i, t in enumerate(ts):
        view = [1] * len(ts)
        view[i] = -1
        out.append(t.reshape(tuple(view)).expand(shape))
    if swap:
        out[0], out[1] = out[1], out[0]
    return tuple(out)


def _atleast(tensors, fn):
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        return fn(tensors[0])
    seq = tensors[0] if len(tensors) == 1 else tensors
    return tuple(fn(t) for t in seq)


def atleast_1d(*tensors):
    """Views with at least 1 dim (0-d becomes shape (1,))."""
    return _atleast(tensors, lambda t: t.reshape(1) if t._data.ndim == 0 else t)


def atleast_2d(*tensors):
    """Views with at least 2 dims: 0-d -> (1, 1), (N,) -> (1, N)."""
    return _atleast(tensors, lambda t: t.reshape(1, -1) if t._data.ndim < 2 else t)


def atleast_3d(*tensors):
    """Views with at least 3 dims: 0-d -> (1, 1, 1), (N,) -> (1, N, 1), (M, N) -> (M, N, 1).

    >>> ember.atleast_3d(ember.zeros(2)).shape
    ember.Size([1, 2, 1])
    """

    def f(t):
        nd = t._data.ndim
        if nd == 0:
            return t.reshape(1, 1, 1)
        if nd == 1:
            return t.reshape(1, -1, 1)
        return t.unsqueeze(-1) if nd == 2 else t

    return _atleast(tensors, f)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """All tuples (a_i, b_j, ...) of the 1-d inputs, one per row, in lexicographic order.

    >>> ember.cartesian_prod(ember.tensor([1, 2]), ember.tensor([3, 4]))
    tensor([[1, 3],
            [1, 4],
            [2, 3],
            [2, 4]])
    """

    for t in tensors:
        if t._data.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """All length-``r`` combinations of the 1-d input's elements, one per row (itertools order).

    >>> ember.combinations(ember.tensor([1, 2, 3]))
    tensor([[1, 2],
            [1, 3],
            [2, 3]])
    """
    if input._data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input._data.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return wrap(np.zeros((0,), input._data.dtype))
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.asarray(list(pick(range(input._data.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return input[wrap(idx)]


# --------------------------------------------------------------------------- Tensor.new_*
def _new_dtype(self: Tensor, dtype) -> np.dtype:
    return (_dt.to_dtype(dtype) if dtype is not None else self.dtype).np


@_method_only
def _new_tensor(self: Tensor, data, *, dtype=None, device=None, requires_grad: bool = False, layout=None,
               pin_memory: bool = False) -> Tensor:
    """A copy of ``data`` with self's dtype (unless given)."""
    arr = data._data if isinstance(data, Tensor) else np.asarray(data)
    return wrap(np.array(arr, dtype=_new_dtype(self, dtype), copy=True), requires_grad)


@_method_only
def _new_zeros(self: Tensor, *size, dtype=None, device=None, requires_grad: bool = False, layout=None,
              pin_memory: bool = False) -> Tensor:
    return wrap(np.zeros(shape_arg(size), _new_dtype(self, dtype)), requires_grad)


@_method_only
def _new_ones(self: Tensor, *size, dtype=None, device=None, requires_grad: bool = False, layout=None,
             pin_memory: bool = False) -> Tensor:
    return wrap(np.ones(shape_arg(size), _new_dtype(self, dtype)), requires_grad)


@_method_only
def _new_empty(self: Tensor, *size, dtype=None, device=None, requires_grad: bool = False, layout=None,
              pin_memory: bool = False) -> Tensor:
    return wrap(np.empty(shape_arg(size), _new_dtype(self, dtype)), requires_grad)


@_method_only
def _new_full(self: Tensor, size, fill_value, *, dtype=None, device=None, requires_grad: bool = False,
             layout=None, pin_memory: bool = False) -> Tensor:
    v = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    return wrap(np.full(shape_arg((size,)), v, _new_dtype(self, dtype)), requires_grad)


@_method_only
def _new(self: Tensor, *args, device=None) -> Tensor:
    """Legacy constructor with self's dtype: ``x.new(2, 3)`` (uninitialised), ``x.new([1, 2])`` (data),
    ``x.new(t)`` (shares t's memory), ``x.new()`` (empty)."""
    if len(args) == 1 and isinstance(args[0], Tensor):
        return wrap(args[0]._data)
    if len(args) == 1 and isinstance(args[0], (list, tuple, np.ndarray)) and not isinstance(args[0], Size):
        return wrap(np.array(args[0], dtype=self._data.dtype))
    if not args:
        return wrap(np.empty((0,), self._data.dtype))
    return wrap(np.empty(shape_arg(args), self._data.dtype))


@_method_only
def _resize(self: Tensor, *sizes) -> Tensor:
    """Deprecated out-of-place resize: a reshape that must keep the element count."""
    warnings.warn("non-inplace resize is deprecated", stacklevel=2)
    shape = shape_arg(sizes)
    n = int(np.prod(shape, dtype=np.int64))
    if n != self._data.size:
        raise RuntimeError(f"requested resize to {'x'.join(map(str, shape))} ({n} elements in total), but the "
                           f"given tensor has a size of {'x'.join(map(str, self._data.shape))} "
                           f"({self._data.size} elements). autograd's resize can only change the shape of a "
                           "given tensor, while preserving the number of elements. ")
    return self.contiguous().view(shape)
