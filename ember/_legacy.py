"""torch's legacy typed-tensor names: ``ember.FloatTensor(2, 3)``, ``ember.LongTensor([1, 2])``, and
``isinstance(x, ember.FloatTensor)`` (true when ``x`` has that dtype), as torch.

>>> import ember
>>> ember.LongTensor([1, 2]).dtype, isinstance(ember.zeros(1), ember.FloatTensor)
(ember.int64, True)
"""
from __future__ import annotations

import numpy as np

from . import dtypes as _dt
from .tensor import Tensor, wrap


class _TypedMeta(type):
    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype


def _typed(name: str, dtype) -> type:
    def __new__(cls, *args):
        if len(args) == 1 and isinstance(args[0], Tensor):
            return args[0].to(dtype)
        if args and all(isinstance(a, int) for a in args):
            return wrap(np.empty(args, dtype=dtype.np))
        if len(args) == 1:
            return wrap(np.array(args[0], dtype=dtype.np))
        return wrap(np.empty((0,), dtype=dtype.np))

    return _TypedMeta(name, (), {"__new__": __new__, "dtype": dtype, "__doc__": f"A {dtype} tensor (legacy)."})


FloatTensor = _typed("FloatTensor", _dt.float32)
DoubleTensor = _typed("DoubleTensor", _dt.float64)
HalfTensor = _typed("HalfTensor", _dt.float16)
LongTensor = _typed("LongTensor", _dt.int64)
IntTensor = _typed("IntTensor", _dt.int32)
ShortTensor = _typed("ShortTensor", _dt.int16)
CharTensor = _typed("CharTensor", _dt.int8)
ByteTensor = _typed("ByteTensor", _dt.uint8)
BoolTensor = _typed("BoolTensor", _dt.bool)
