"""ember's ops. ``install(Tensor)`` binds them as Tensor methods and operators (one definition each);
``public_functions()`` lists the ones exported as ``ember.<name>``."""
from __future__ import annotations

import types

from . import (arith, blas, convert, creation, indexing, inplace, joining, linalg, mathx, movement, pointwise,
               pointwisex, random, reduction, selection, shape, softmax, spectral, ternary)
from ._common import METHODS
from .reduction import return_types

MODULES = [arith, pointwise, ternary, reduction, movement, indexing, joining, blas, creation, random, convert, softmax,
           inplace, shape, selection, mathx, pointwisex, linalg, spectral]
METHOD_ONLY = {"to", "type", "type_as", "cpu", "cuda", "pin_memory", "share_memory_", "view_as_dtype",
               "resize_", "resize_as_", "copy_", "fill_", "zero_", "uniform_", "normal_", "bernoulli_",
               "exponential_", "geometric_", "log_normal_", "cauchy_", "random_", "view", "view_as",
               "expand", "expand_as", "contiguous", "sum_to_size", "index_put", "reshape_as", "type"}


def register_module(mod) -> None:
    """Add a later op module (e.g. ops breadth) to the exported functions and methods."""
    if mod not in MODULES:
        MODULES.append(mod)


def public_functions() -> dict:
    out = {}
    for mod in MODULES:
        for name, obj in vars(mod).items():
            if name.startswith("_") or name in METHOD_ONLY or not isinstance(obj, types.FunctionType):
                continue
            if obj.__module__ != mod.__name__ and name not in getattr(mod, "EXPORTS", ()):
                continue
            out[name] = obj
    return out


def _inplace_meta(fn_name):
    def op_(self, *args, **kwargs):
        v = getattr(self, fn_name)(*args, **kwargs)
        self._data = v._data
        return self

    op_.__name__ = fn_name + "_"
    return op_


def install(Tensor) -> None:
    from .indexing import getitem, setitem
    from .inplace import INPLACE, apply_inplace, inplace_of

    for name, fn in METHODS.items():
        setattr(Tensor, name, fn)
    for name, fn in getattr(pointwise, "METHODS_EXTRA", {}).items():
        setattr(Tensor, name, fn)
    for name, fn in arith.OPERATORS.items():
        setattr(Tensor, name, fn)
    for name, fn in movement.PROPERTIES.items():
        setattr(Tensor, name, property(fn))
    Tensor.__getitem__ = getitem
    Tensor.__setitem__ = setitem
    Tensor.__neg__ = pointwise.neg
    Tensor.__pos__ = lambda self: self
    Tensor.__abs__ = pointwise.abs
    Tensor.__invert__ = lambda self: pointwise.logical_not(self) if self._data.dtype.kind == "b" \
        else pointwise.bitwise_not(self)
    Tensor.__matmul__ = blas.matmul
    Tensor.__rmatmul__ = lambda self, other: blas.matmul(other, self)
    for name in INPLACE:
        fn = getattr(Tensor, name, None)
        if fn is not None and not hasattr(Tensor, name + "_"):
            setattr(Tensor, name + "_", inplace_of(fn, name + "_"))
    for name in ("t", "transpose", "squeeze", "unsqueeze", "swapaxes", "swapdims", "as_strided"):
        setattr(Tensor, name + "_", _inplace_meta(name))
    ops = {"__iadd__": "add_", "__isub__": "sub_", "__imul__": "mul_", "__itruediv__": "div_",
           "__ifloordiv__": "floor_divide_", "__ipow__": "pow_", "__imod__": "remainder_",
           "__iand__": "bitwise_and_", "__ior__": "bitwise_or_", "__ixor__": "bitwise_xor_"}
    for dunder, name in ops.items():
        setattr(Tensor, dunder, getattr(Tensor, name))
    _ = apply_inplace
