"""Creating tensors: ``tensor`` (always copies), ``as_tensor``/``from_numpy`` (share memory), ``zeros``,
``ones``, ``full``, ``empty``, ``arange``, ``linspace``, ``logspace``, ``eye`` and the ``*_like`` family.

dtype inference follows torch: Python floats give the default dtype, ints int64, bools bool.

>>> import ember
>>> ember.tensor([1, 2]).dtype, ember.tensor([1., 2]).dtype, ember.arange(0, 1, 0.25)
(ember.int64, ember.float32, tensor([0.0000, 0.2500, 0.5000, 0.7500]))
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .. import dtypes as _dt
from ..backends.device import get_device
from ..tensor import Tensor, wrap
from ._common import shape_arg, write_out

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "empty", "full", "zeros_like", "ones_like",
           "empty_like", "full_like", "arange", "linspace", "logspace", "eye", "scalar_tensor", "complex", "polar"]


def _finish(data, requires_grad: bool, device=None) -> Tensor:
    if device is not None:
        dev = get_device(device)
        if dev.type != "cpu":
            data = dev.xp.asarray(data)
    t = wrap(data)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _has_float(data) -> bool:
    if isinstance(data, (list, tuple)):
        return any(_has_float(x) for x in data)
    return isinstance(data, float) and not isinstance(data, np.floating)


def _infer(data):
    """Python data to an array of torch's inferred dtype."""
    if isinstance(data, Tensor):
        return data._data.copy()
    if isinstance(data, np.ndarray):
        return data.copy()
    if isinstance(data, np.generic):
        return np.asarray(data)
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat(data)):
        arr = np.array(_to_arrays(data))
    else:
        try:
            arr = np.array(data)
        except ValueError as e:
            raise ValueError(f"expected sequence of length {len(data[0]) if data else 0} at dim 1 "
                             f"(got {len(data[-1])})") from e
    if arr.dtype == object:
        raise TypeError(f"Could not infer dtype of {type(_flat(data)[0]).__name__}")
    if arr.dtype.kind == "f" and arr.dtype == np.float64 and not _explicit_f64(data):
        arr = arr.astype(_dt.get_default_dtype().np)
    elif arr.dtype.kind == "c" and not _explicit_f64(data):
        arr = arr.astype(_dt.default_complex().np)
    elif arr.dtype.kind in "U S".split():
        raise TypeError("new(): invalid data type 'str'")
    elif arr.dtype == np.float64 and arr.size == 0:
        arr = arr.astype(_dt.get_default_dtype().np)
    return arr


def _flat(data) -> list:
    if isinstance(data, (list, tuple)):
        out = []
        for x in data:
            out.extend(_flat(x))
        return out or [0.0]
    return [data]


def _to_arrays(data):
    if isinstance(data, (list, tuple)):
        return [_to_arrays(x) for x in data]
    return data._data if isinstance(data, Tensor) else data


def _explicit_f64(data) -> bool:
    """True when the data holds NumPy float64 scalars/arrays (torch keeps their dtype)."""
    for x in _flat(data) if isinstance(data, (list, tuple)) else [data]:
        if isinstance(x, (np.floating, np.complexfloating)) or (isinstance(x, Tensor) and x._data.dtype.kind in "fc"):
            return True
    return False


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays or tensors)."""
    if isinstance(data, Tensor):
        import warnings

        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.clone().detach() "
                      "or sourceTensor.clone().detach().requires_grad_(True), rather than "
                      "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
    arr = _infer(data)
    if dtype is not None:
        arr = arr.astype(_dt.to_dtype(dtype).np, copy=False)
    return _finish(arr if arr.flags.c_contiguous else arr.copy(order="C"), requires_grad, device)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Share memory with an ndarray or tensor when dtype and device allow; copy otherwise."""
    if isinstance(data, Tensor):
        if dtype is None or data.dtype is _dt.to_dtype(dtype):
            return data
        return data.to(dtype)
    if isinstance(data, np.ndarray):
        t = from_numpy(data)
        return t if dtype is None else t.to(dtype)
    return tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy: bool | None = None, requires_grad: bool = False) -> Tensor:
    """torch.asarray: ``obj`` itself (a Tensor) or a tensor on its memory (an ndarray) when dtype and
    device allow, else a copy; ``copy=True`` always copies, ``copy=False`` raises ValueError when it
    cannot alias.

    >>> t = ember.ones(2)
    >>> ember.asarray(t) is t, ember.asarray(t, copy=True) is t
    (True, False)
    """
    if copy is False:
        if not isinstance(obj, (Tensor, np.ndarray)):
            raise ValueError("can't alias arbitrary sequence into a tensor.")
        src = obj.dtype if isinstance(obj, Tensor) else _dt.from_numpy_dtype(obj.dtype)
        if dtype is not None and _dt.to_dtype(dtype) is not src:
            raise ValueError(f"can't alias tensor with dtype '{_dt.scalar_type_name(src)}' into dtype "
                             f"'{_dt.scalar_type_name(_dt.to_dtype(dtype))}'.")
    out = as_tensor(obj, dtype=dtype, device=device)
    if copy and (out is obj or isinstance(obj, np.ndarray) and np.shares_memory(out._data, obj)):
        out = out.clone()
    return out.requires_grad_(True) if requires_grad else out


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor on the same memory as ``ndarray``: writes through either are seen by the other."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dt.from_numpy_dtype(ndarray.dtype)  # raises for unsupported dtypes
    if any(s < 0 for s in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors with negative "
                         "strides are not currently supported. (You can probably work around this by making "
                         "a copy of your array  with array.copy().) ")
    return wrap(ndarray)


def _dtype_np(dtype, default=None):
    if dtype is None:
        return (default or _dt.get_default_dtype()).np
    return _dt.to_dtype(dtype).np


def _out_dtype(out, dtype):
    """torch's factories with ``out=`` and no ``dtype`` make the values in ``out``'s dtype."""
    return out.dtype if out is not None and dtype is None else dtype


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    dtype = _out_dtype(out, dtype)
    return write_out(_finish(np.zeros(shape_arg(size), _dtype_np(dtype)), requires_grad, device), out)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    dtype = _out_dtype(out, dtype)
    return write_out(_finish(np.ones(shape_arg(size), _dtype_np(dtype)), requires_grad, device), out)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad: bool = False,
          pin_memory: bool = False, memory_format=None) -> Tensor:
    dtype = _out_dtype(out, dtype)
    return write_out(_finish(np.empty(shape_arg(size), _dtype_np(dtype)), requires_grad, device), out)


def _fill_dtype(value):
    if isinstance(value, Tensor):
        return value.dtype
    if isinstance(value, bool):
        return _dt.bool
    if isinstance(value, numbers.Integral):
        return _dt.int64
    if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
        return _dt.default_complex()
    return _dt.get_default_dtype()


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    dtype = _out_dtype(out, dtype)
    d = _dt.to_dtype(dtype) if dtype is not None else _fill_dtype(fill_value)
    v = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    y = np.full(shape_arg((size,)) if isinstance(size, int) else tuple(size), v, d.np)
    return write_out(_finish(y, requires_grad, device), out)


def _like(input: Tensor, dtype):
    return (_dt.to_dtype(dtype) if dtype is not None else input.dtype).np


def _dense_non_overlapping(shape: tuple, strides: tuple) -> bool:
    """torch's ``is_non_overlapping_and_dense``: the dims of size >= 2, ordered by stride, tile memory exactly
    (strides in elements, never negative)."""
    need = 1
    for st, size in sorted((st, s) for s, st in zip(shape, strides) if s >= 2):
        if st != need:
            return False
        need *= size
    return True


def empty_preserving(d, np_dtype=None, memory_format=None):
    """An uninitialised array shaped as ``d``, laid out as torch's ``memory_format``: ``preserve_format``
    (the default) keeps d's strides when d is dense and non-overlapping, else C order; ``channels_last`` is
    NHWC storage under NCHW strides; ``contiguous_format`` is C order."""
    dt = d.dtype if np_dtype is None else np.dtype(np_dtype)
    name = getattr(memory_format, "name", "preserve_format")
    if name == "channels_last" and d.ndim == 4:
        return np.empty((d.shape[0], d.shape[2], d.shape[3], d.shape[1]), dt).transpose(0, 3, 1, 2)
    if name != "preserve_format" or d.ndim < 2 or d.size == 0 or d.flags.c_contiguous:
        return np.empty(d.shape, dt)
    strides = tuple(s // d.itemsize for s in d.strides)
    if min(strides) < 0 or not _dense_non_overlapping(d.shape, strides):
        return np.empty(d.shape, dt)
    flat = np.empty(d.size, dt)
    return np.ndarray(d.shape, dt, buffer=flat, strides=tuple(s * dt.itemsize for s in strides))


def _filled_like(input, value, dtype, memory_format):
    out = empty_preserving(input._data, _like(input, dtype), memory_format)
    if value is not None:
        out[...] = value
    return out


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None) -> Tensor:
    return _finish(_filled_like(input, 0, dtype, memory_format), requires_grad, device)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None) -> Tensor:
    return _finish(_filled_like(input, 1, dtype, memory_format), requires_grad, device)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None) -> Tensor:
    return _finish(_filled_like(input, None, dtype, memory_format), requires_grad, device)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    return _finish(_filled_like(input, fill_value, dtype, memory_format), requires_grad, device)


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad: bool = False) -> Tensor:
    """[start, end) in steps of ``step``; int64 unless an argument is a float."""
    dtype = _out_dtype(out, dtype)
    if end is None:
        start, end = 0, start
    start, end, step = _num(start), _num(end), _num(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    is_float = any(isinstance(v, float) for v in (start, end, step))
    d = _dtype_np(dtype, _dt.get_default_dtype() if is_float else _dt.int64)
    n = max(0, math.ceil((end - start) / step))
    y = (start + np.arange(n, dtype=np.float64 if is_float else np.int64) * step).astype(d)
    return write_out(_finish(y, requires_grad, device), out)


def range_(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """torch.range (deprecated): includes ``end``."""
    return arange(start, end + step / 2 if end is not None else None, step, dtype=dtype or _dt.get_default_dtype(),
                  device=device, requires_grad=requires_grad)


def linspace(start, end, steps: int, *, out=None, dtype=None, layout=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced points from start to end inclusive."""
    dtype = _out_dtype(out, dtype)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    d = _dtype_np(dtype)
    return write_out(_finish(np.linspace(_num(start), _num(end), steps).astype(d), requires_grad, device), out)


def logspace(start, end, steps: int, base: float = 10.0, *, out=None, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    dtype = _out_dtype(out, dtype)
    d = _dtype_np(dtype)
    y = np.power(base, np.linspace(_num(start), _num(end), steps)).astype(d)
    return write_out(_finish(y, requires_grad, device), out)


def eye(n: int, m: int | None = None, *, out=None, dtype=None, layout=None, device=None,
        requires_grad: bool = False) -> Tensor:
    dtype = _out_dtype(out, dtype)
    return write_out(_finish(np.eye(n, m, dtype=_dtype_np(dtype)), requires_grad, device), out)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _finish(np.asarray(s, _dtype_np(dtype)), requires_grad, device)


def complex(real: Tensor, imag: Tensor) -> Tensor:
    return real + imag * 1j


def polar(abs: Tensor, angle: Tensor) -> Tensor:
    return complex(abs * angle.cos(), abs * angle.sin())
