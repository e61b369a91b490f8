"""``Parameter``: a Tensor that a Module registers as learnable (``requires_grad=True`` by default).

>>> import ember
>>> p = ember.nn.Parameter(ember.zeros(2))
>>> p
Parameter containing:
tensor([0., 0.], requires_grad=True)
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..tensor import Tensor, _init


class Parameter(Tensor):
    """A leaf tensor on the same memory as ``data`` that modules treat as a weight."""

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        t = object.__new__(cls)
        if data is None:
            _init(t, np.empty((0,), dtype=_dt.get_default_dtype().np), requires_grad)
            return t
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): data must be a Tensor, got {type(data).__name__}")
        _init(t, data._data, False)
        t._vc = data._version_cell()
        if requires_grad:
            t.requires_grad_(True)
        return t

    def __init__(self, data=None, requires_grad: bool = True) -> None:
        pass

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Buffer(Tensor):
    """``nn.Buffer``: a tensor a module registers as state (marker class, as torch 2.5+)."""

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True):
        t = object.__new__(cls)
        _init(t, data._data if data is not None else np.empty((0,), np.float32), False)
        return t


class UninitializedParameter(Parameter):
    """The weight of a Lazy* module before its first call: shape unknown until then."""

    __slots__ = ()

    def __new__(cls, requires_grad: bool = True, device=None, dtype=None):
        t = Parameter.__new__(cls, None, requires_grad)
        return t

    def materialize(self, shape, device=None, dtype=None) -> None:
        d = _dt.to_dtype(dtype).np if dtype is not None else self._data.dtype
        self._data = np.empty(tuple(shape), dtype=d)
        self.__class__ = Parameter

    @property
    def shape(self):
        raise RuntimeError("Can't access the shape of an uninitialized parameter or buffer. This error usually happens "
                           "in `load_state_dict` when trying to load an uninitialized parameter into an initialized "
                           "one. Call `forward` to initialize the parameters before accessing their attributes.")

    def __repr__(self) -> str:
        return "<UninitializedParameter>"


def is_lazy(param) -> bool:
    return isinstance(param, UninitializedParameter)
