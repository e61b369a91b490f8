"""In-place ops (``add_``, ``x[k] = v``, ``copy_``, ``fill_``, ...), ``out=``, and ``resize_``.

Every in-place op is its out-of-place twin plus a write back (``apply_inplace``): the result is cast
to the tensor's dtype (torch's "result type Float can't be cast to the desired output type Long"
when that loses the category), the memory is overwritten and the version counter, shared by all
views of that memory, is bumped. Under autograd the tensor takes the result's history; when the
tensor is a view of a base that needs grad, the base's history is rewritten (torch's CopySlices),
so ``y = x * 1; y[y < 0] = 0`` and ``y[0].mul_(2)`` back-propagate correctly.

>>> import ember
>>> x = ember.tensor([-1.0, 2.0], requires_grad=True)
>>> y = x * 1
>>> y[y < 0] = 0
>>> y.sum().backward(); x.grad
tensor([0., 1.])
"""
from __future__ import annotations

import numpy as np

from ..autograd.grad_mode import STATE
from ..tensor import _ptr, Tensor, UntypedStorage, wrap
from ..autograd.function import Node, records
from ._common import _write, broadcast_shapes_or_raise, method, Op, resize_storage, shape_arg
from .creation import _dense_non_overlapping

__all__ = ["fill_", "zero_", "resize_as_"]  # torch has these three as functions too; the rest are methods


def _check_leaf(self: Tensor) -> None:
    if not STATE.enabled:
        return
    if self._requires_grad and self._grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    base = self._base
    if base is not None and base._requires_grad and base._grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                           "operation.")


_PARTIAL_OVERLAP = ("unsupported operation: some elements of the input tensor and the written-to tensor refer to "
                    "a single memory location. Please clone() the tensor before performing the operation.")


def _dense(a) -> bool:

    isz = a.itemsize
    return min(a.strides, default=0) >= 0 and _dense_non_overlapping(a.shape, tuple(s // isz for s in a.strides))


def _partial_overlap(a, b) -> bool:
    """torch's ``get_overlap_status(a, b) == PARTIAL``: both dense and non-overlapping, their byte ranges
    intersect, and they are not the same range with the same strides (anything else is "too hard": allowed)."""
    if a.size == 0 or b.size == 0 or not _dense(a) or not _dense(b):
        return False
    a0, b0 = _ptr(a), _ptr(b)
    a1, b1 = a0 + a.nbytes, b0 + b.nbytes
    if a0 == b0 and a1 == b1:
        return a.strides != b.strides
    return a0 < b1 and b0 < a1


def check_no_partial_overlap(dst, sources) -> None:
    """Raise torch's RuntimeError when an in-place write into array ``dst`` reads a tensor of ``sources``
    that partly overlaps it (``x[1:].add_(x[:-1])``, ``x.add_(x.t())``)."""
    for s in sources:
        if isinstance(s, Tensor):
            b = s._data
            if b is not dst and np.may_share_memory(dst, b) and _partial_overlap(dst, b):
                raise RuntimeError(_PARTIAL_OVERLAP)


def apply_inplace(self: Tensor, fn, *args, cast_check: bool = True, overlap_check: bool = True) -> Tensor:
    """Compute ``fn(self, *args)`` out of place, write it into ``self``, and fix up the graph."""
    _check_leaf(self)
    if overlap_check:
        check_no_partial_overlap(self._data, args)
    record = records(self, *args)
    if not record:
        res = fn(self, *args)
        _write(self, res._data, cast_check)
        self._bump()
        return self
    alias = wrap(self._data.copy(), self._requires_grad)  # the old value, with the old history
    alias._grad_fn = self._grad_fn
    res = fn(alias, *args)
    if res._data.dtype != self._data.dtype:
        _write(self, res._data, cast_check)
        res = res.to(self.dtype)
    _write(self, res._data, cast_check)
    self._bump()
    base = self._base
    if base is not None and (base._requires_grad or res._requires_grad):
        _rewrite_base(self, base, res)
    else:
        self._grad_fn, self._requires_grad = res._grad_fn, res._requires_grad
    return self


class CopySlices(Op):
    """The base after an in-place op on one of its views: g goes to the old base off the view's
    region, and the view's region of g goes to the op's result."""

    @staticmethod
    def forward(ctx, base, res, steps):
        ctx.steps = steps
        return base._data

    @staticmethod
    def backward(ctx, g):
        gb = g._data.copy()
        region = replay(gb, ctx.steps)
        gr = np.array(region, copy=True)
        region[...] = 0
        return wrap(gb), wrap(gr), None


def replay(arr, steps):
    """Re-apply a chain of view ops to a raw array (the view's region in a tensor of the base's shape)."""

    for cls, a, k in steps:
        ctx = Node.__new__(Node)
        ctx.next = None  # recording nothing
        arr = cls.forward(ctx, wrap(arr), *a, **k)
    return arr


def _rewrite_base(view: Tensor, base: Tensor, res: Tensor) -> None:
    old = wrap(base._data, base._requires_grad)
    old._grad_fn = base._grad_fn
    new = CopySlices.apply(old, res, view._view_fn)
    base._grad_fn, base._requires_grad = new._grad_fn, True
    v = base

    for cls, a, k in view._view_fn:  # the view now reads from the new base
        v = cls.apply(v, *a, **k)
    view._grad_fn, view._requires_grad = v._grad_fn, True


class CopyFrom(Op):
    """``dst.copy_(src)`` out of place: src broadcast to dst's shape and cast to its dtype."""

    broadcasting = True

    @staticmethod
    def forward(ctx, dst, src):
        s = src._data if isinstance(src, Tensor) else src
        out = np.empty_like(dst._data)
        out[...] = s
        return out

    @staticmethod
    def backward(ctx, g):
        return g * 0, g


@method
def copy_(self: Tensor, other, non_blocking: bool = False) -> Tensor:
    """Copy ``other`` into ``self`` (broadcasting, casting to self's dtype)."""
    if isinstance(other, Tensor) and other._data.shape != self._data.shape:

        if broadcast_shapes_or_raise(tuple(self._data.shape), tuple(other._data.shape)) != tuple(self._data.shape):
            raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
                               f"{list(np.broadcast_shapes(self._data.shape, other._data.shape))}")
    check_no_partial_overlap(self._data, (other,))
    if isinstance(other, Tensor) and other._data.dtype != self._data.dtype:
        other = other.to(self.dtype)
    if not records(self, other):
        _check_leaf(self)
        if self._data.size:
            self._data[...] = other._data if isinstance(other, Tensor) else other
        self._bump()
        return self
    return apply_inplace(self, CopyFrom.apply, other, cast_check=False, overlap_check=False)


@method
def fill_(self: Tensor, value) -> Tensor:
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value._data.ndim} dimensions.")
    if not records(self, value):
        _check_leaf(self)
        self._data[...] = value._data if isinstance(value, Tensor) else value
        self._bump()
        return self
    v = value if isinstance(value, Tensor) else wrap(np.asarray(value, self._data.dtype))
    return apply_inplace(self, CopyFrom.apply, v, cast_check=False)


@method
def zero_(self: Tensor) -> Tensor:
    return fill_(self, 0)


@method
def resize_(self: Tensor, *size, memory_format=None) -> Tensor:
    """Resize in place: shrinking keeps the leading elements; growing keeps them and adds uninitialised ones."""

    shape = shape_arg(size)
    if records(self):
        raise RuntimeError("cannot resize variables that require grad")
    resize_storage(self, shape)
    self._bump()
    return self


@method
def set_(self: Tensor, source=None, storage_offset: int = 0, size=None, stride=None) -> Tensor:
    """Make ``self`` look at ``source``'s memory: a Tensor (its storage, offset, size and strides), a
    storage (``x.untyped_storage()``, with ``storage_offset``, ``size`` and ``stride`` in elements of
    self's dtype), or nothing (an empty tensor). Writes through either side are seen by the other."""

    _check_leaf(self)
    dt = self._data.dtype
    if source is None:
        self._data = np.empty(0, dt)
    elif isinstance(source, Tensor):
        if source._data.dtype != dt:
            raise RuntimeError(f"Could not set tensor of type {self.dtype} to a tensor of type {source.dtype}")
        self._data = source._data
        self._vc = source._version_cell()
        self._base = source._base if source._base is not None else source
    elif isinstance(source, UntypedStorage):
        flat = source._root.reshape(-1).view(np.uint8)  # the storage's bytes
        size = tuple(int(s) for s in (size if size is not None else (flat.size // dt.itemsize - storage_offset,)))
        if stride is None:
            stride = [1] * len(size)
            for i in range(len(size) - 2, -1, -1):
                stride[i] = stride[i + 1] * size[i + 1]
        need = storage_offset + 1 + sum((s - 1) * st for s, st in zip(size, stride)) if 0 not in size else 0
        if need * dt.itemsize > flat.size:
            raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
                               f"{storage_offset}, and itemsize {dt.itemsize} requiring a storage size of "
                               f"{need * dt.itemsize} are out of bounds for storage of size {flat.size}")
        self._data = np.ndarray(size, dt, buffer=flat, offset=storage_offset * dt.itemsize,
                                strides=tuple(s * dt.itemsize for s in stride))
    else:
        raise TypeError(f"set_(): argument 'source' must be Tensor or Storage, not {type(source).__name__}")
    self._bump()
    return self


@method
def resize_as_(self: Tensor, other: Tensor, memory_format=None) -> Tensor:
    return resize_(self, *other.shape)


def inplace_of(fn, name: str):
    """``x.name_(...)`` from ``fn``: the out-of-place op written back into x."""

    def op_(self, *args, **kwargs):
        if kwargs:
            check_no_partial_overlap(self._data, kwargs.values())
        return apply_inplace(self, lambda s, *a: fn(s, *a, **kwargs), *args)

    op_.__name__ = op_.__qualname__ = name
    op_.__doc__ = f"In-place version of :func:`{fn.__name__}`."
    return op_


INPLACE = ["add", "sub", "mul", "div", "pow", "remainder", "fmod", "floor_divide", "clamp", "clamp_min",
           "clamp_max", "clip", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt",
           "square", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh",
           "atanh", "sigmoid", "erf", "erfc", "erfinv", "reciprocal", "neg", "abs", "relu", "floor", "ceil",
           "trunc", "round", "sign", "frac", "masked_fill", "lerp", "addcmul", "addcdiv", "logit",
           "nan_to_num", "atan2", "hypot", "maximum", "minimum", "bitwise_and", "bitwise_or", "bitwise_xor",
           "bitwise_not", "logical_not", "logical_and", "logical_or", "logical_xor", "scatter", "scatter_add",
           "index_add", "index_put", "fix", "negative", "absolute", "subtract", "multiply", "divide",
           "true_divide", "arctan2", "arcsin", "arccos", "arctan", "sgn", "eq", "ne", "lt", "le", "gt", "ge", "tril", "triu", "index_fill", "index_copy",
           "masked_scatter", "digamma", "lgamma", "xlogy", "hardtanh", "leaky_relu", "elu", "celu", "selu",
           "silu", "mish", "float_power", "copysign", "logaddexp", "deg2rad", "rad2deg", "renorm",
           "scatter_reduce", "mvlgamma", "polygamma", "i0", "sinc", "heaviside", "ldexp", "gcd", "lcm",
           "nextafter", "cumsum", "cumprod", "addmm", "addmv", "addbmm", "baddbmm", "addr", "greater", "less", "greater_equal", "less_equal", "not_equal", "bitwise_left_shift",
           "bitwise_right_shift", "arcsinh", "arccosh", "arctanh"]
