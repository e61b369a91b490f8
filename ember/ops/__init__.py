"""ember's ops. ``install(Tensor)`` binds them as Tensor methods and operators (one definition each);
``public_functions()`` lists the ones exported as ``ember.<name>``: the names in each op module's ``__all__``.
Both pass every op through ``calling.bind``, which gives it torch's keyword spellings (``axis``, ``keepdims``,
``size=``, ``out=``) once, from its signature (see calling.py)."""
from __future__ import annotations

import inspect
import types

from . import (arith, binary, contract, convert, creation, gather_scatter, indexing, inplace, joining, linalg, linalg_toplevel, random,
               reduction, scan, shape, softmax, sort, special, spectral, splitting, statistics, strided, ternary, unary,
               views)
from ._common import METHODS
from .calling import bind
from .reduction import return_types  # noqa: F401 - ember.return_types
from .indexing import getitem, setitem
from .inplace import apply_inplace, INPLACE, inplace_of

MODULES = [unary, arith, binary, ternary, special, reduction, softmax, scan, statistics, views, strided, splitting, shape, indexing,
           gather_scatter, sort, joining, contract, linalg, linalg_toplevel, spectral, creation, random, convert, inplace]


def register_module(mod) -> None:
    """Add a later op module (e.g. ops breadth) to the exported functions and methods."""
    if mod not in MODULES:
        MODULES.append(mod)


def public_functions() -> dict:
    """``{name: op}`` for ``ember.<name>``: each module's ``__all__``, with torch's calling conventions."""
    out = {}
    for mod in MODULES:
        for name in mod.__all__:
            obj = getattr(mod, name)
            out[name] = bind(obj, name) if isinstance(obj, types.FunctionType) else obj
    return out


def _inplace_meta(fn_name):
    def op_(self, *args, **kwargs):
        v = getattr(self, fn_name)(*args, **kwargs)
        self._data = v._data
        return self

    op_.__name__ = fn_name + "_"
    return op_


def _same_signature(op_, fn):
    """An in-place method takes the keywords of the method it writes back (``inspect.signature`` shows them)."""
    try:
        op_.__signature__ = inspect.signature(fn)
    except (TypeError, ValueError):
        pass
    return op_


def install(Tensor) -> None:

    for name, fn in METHODS.items():
        setattr(Tensor, name, bind(fn, name, method=True))
    for name, fn in getattr(unary, "METHODS_EXTRA", {}).items():
        setattr(Tensor, name, bind(fn, name, method=True))
    for name, fn in list(vars(Tensor).items()):  # the Tensor's own methods (size(dim), stride(dim), ...)
        if not name.startswith("_") and name not in METHODS and isinstance(fn, types.FunctionType):
            setattr(Tensor, name, bind(fn, name, method=True))
    for name, fn in arith.OPERATORS.items():
        setattr(Tensor, name, fn)
    for name, fn in views.PROPERTIES.items():
        setattr(Tensor, name, property(fn))
    Tensor.__getitem__ = getitem
    Tensor.__setitem__ = setitem
    Tensor.__neg__ = unary.neg
    Tensor.__pos__ = lambda self: self
    Tensor.__abs__ = unary.abs
    Tensor.__invert__ = lambda self: unary.logical_not(self) if self._data.dtype.kind == "b" \
        else unary.bitwise_not(self)
    Tensor.__matmul__ = contract.matmul
    Tensor.__rmatmul__ = lambda self, other: contract.matmul(other, self)
    for name in INPLACE:
        fn = getattr(Tensor, name, None)
        if fn is not None and not hasattr(Tensor, name + "_"):
            setattr(Tensor, name + "_", _same_signature(inplace_of(fn, name + "_"), fn))
    for name in ("t", "transpose", "squeeze", "unsqueeze", "swapaxes", "swapdims", "as_strided"):
        setattr(Tensor, name + "_", _same_signature(_inplace_meta(name), getattr(Tensor, name)))
    ops = {"__iadd__": "add_", "__isub__": "sub_", "__imul__": "mul_", "__itruediv__": "div_",
           "__ifloordiv__": "floor_divide_", "__ipow__": "pow_", "__imod__": "remainder_",
           "__iand__": "bitwise_and_", "__ior__": "bitwise_or_", "__ixor__": "bitwise_xor_"}
    for dunder, name in ops.items():
        setattr(Tensor, dunder, getattr(Tensor, name))
    _ = apply_inplace
