"""dtype, device and memory-format conversion: ``to``, ``type``, ``float``/``double``/``long``/..., ``cpu``/``cuda``.

>>> import ember
>>> x = ember.tensor([1.5, -2.5], requires_grad=True)
>>> x.long(), x.to(ember.float64).dtype, x.to(ember.float32) is x
(tensor([ 1, -2]), ember.float64, True)
"""
from __future__ import annotations

import builtins
import numpy as np

from .. import dtypes as _dt
from ..backends.device import _cupy, array_device, Device, get_device
from ..tensor import Tensor, wrap
from ._common import method, Op

__all__ = ["is_floating_point", "is_complex", "numel"]


class ToCopy(Op):
    """A cast (and/or move); the gradient is cast back to the input's dtype."""

    @staticmethod
    def forward(ctx, x, np_dtype, device):
        d = x._data
        ctx.dtype = _dt.from_numpy_dtype(d.dtype)
        ctx.device = array_device(d)
        if device is not None and device != ctx.device:
            if device.type == "cpu":
                d = d.get()
            else:
                d = device.xp.asarray(d)
        return d.astype(np_dtype, copy=True) if np_dtype is not None else d.copy()

    @staticmethod
    def backward(ctx, g):
        if g.is_complex() and not ctx.dtype.is_complex:
            g = g.real
        return g.to(ctx.dtype, device=ctx.device)


def _parse_to(args, kwargs):
    dtype, device, copy = kwargs.get("dtype"), kwargs.get("device"), kwargs.get("copy", False)
    for a in args:
        if isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, (_dt.dtype, builtins.type)) or (hasattr(a, "is_floating_point") and not isinstance(a, (str, Device))):
            dtype = a
        elif isinstance(a, (str, Device, int)):
            device = a
        elif isinstance(a, bool):
            copy = a
    return dtype, device, copy


@method
def to(self, *args, **kwargs):
    """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)``; self when nothing changes."""
    dtype, device, copy = _parse_to(args, kwargs)
    mf = kwargs.get("memory_format")
    np_dtype = None if dtype is None else _dt.to_dtype(dtype).np
    dev = None if device is None else get_device(device)
    same_dtype = np_dtype is None or np_dtype == self._data.dtype
    same_dev = dev is None or dev == array_device(self._data)
    if same_dtype and same_dev and not copy:
        out = self
    else:
        out = ToCopy.apply(self, None if same_dtype else np_dtype, None if same_dev else dev)
    if mf is not None:
        out = out.contiguous(memory_format=mf)
    return out


def _caster(name, d):
    def f(self, memory_format=None):
        return to(self, d)

    f.__name__ = name
    f.__doc__ = f"``self.to({d})``."
    return f


for _n, _d in [("float", _dt.float32), ("double", _dt.float64), ("half", _dt.float16), ("long", _dt.int64),
               ("int", _dt.int32), ("short", _dt.int16), ("char", _dt.int8), ("byte", _dt.uint8),
               ("bool", _dt.bool), ("cfloat", _dt.complex64), ("cdouble", _dt.complex128)]:
    method(_caster(_n, _d))
if _dt.bfloat16 is not None:
    method(_caster("bfloat16", _dt.bfloat16))


@method
def type(self, dtype=None, non_blocking: bool = False):
    """With no argument, torch's type string (``'torch.FloatTensor'``); else a cast."""
    if dtype is None:
        return f"torch.{_dt.scalar_type_name(self.dtype)}Tensor"
    if isinstance(getattr(dtype, "dtype", None), _dt.dtype):  # a legacy class such as ember.DoubleTensor
        dtype = dtype.dtype
    if isinstance(dtype, str):
        name = dtype.rsplit(".", 1)[-1].replace("Tensor", "")
        inv = {v: k for k, v in _dt._TORCH_SCALAR_NAMES.items()}
        return to(self, getattr(_dt, inv[name]))
    return to(self, dtype)


@method
def type_as(self, other):
    return to(self, other.dtype)


@method
def cpu(self, memory_format=None):
    return to(self, "cpu")


@method
def cuda(self, device=None, non_blocking: bool = False, memory_format=None):
    return to(self, get_device("cuda" if device is None else device if not isinstance(device, int) else f"cuda:{device}"))


@method
def pin_memory(self, device=None):
    """A copy in page-locked host memory (so a ``.cuda(non_blocking=True)`` copy can overlap compute) when CuPy
    sees a GPU; without one the tensor itself (NumPy memory cannot be page-locked without a CUDA driver)."""
    if _cupy() is None or not isinstance(self._data, np.ndarray) or self.is_pinned():
        return self
    import cupyx  # type: ignore

    buf = cupyx.empty_pinned(self._data.shape, self._data.dtype)
    buf[...] = self._data
    return wrap(buf)


@method
def share_memory_(self):
    """Move the storage into shared memory (an anonymous shared mapping), in place, as torch does: processes
    forked afterwards (``torch.multiprocessing`` with the fork start method) read and write the same numbers.
    Views taken before the move keep the old storage."""
    if self.is_shared() or not isinstance(self._data, np.ndarray):
        return self
    import mmap

    src = self._data
    buf = mmap.mmap(-1, max(src.nbytes, 1))
    shared = np.frombuffer(buf, dtype=src.dtype, count=src.size).reshape(src.shape)
    shared[...] = src
    self._data = shared
    return self


@method
def view_as_dtype(self, dtype):
    """Reinterpret the bytes as another dtype (``x.view(ember.int32)``)."""
    d = _dt.to_dtype(dtype)

    out = wrap(self._data.view(d.np))
    out._vc = self._version_cell()
    out._base = self._base if self._base is not None else self
    return out


def is_floating_point(input) -> bool:
    return input.is_floating_point()


def is_complex(input) -> bool:
    return input.is_complex()


def numel(input) -> int:
    return input.numel()


def _np(x):
    return np.asarray(x)


# ---------------------------------------------------------------- memory format
class ToChannelsLast(Op):
    """A channels_last copy: NHWC storage seen through NCHW strides (the values and the gradient unchanged)."""

    @staticmethod
    def forward(ctx, x):
        d = x._data
        if d.ndim != 4:
            raise RuntimeError("required rank 4 tensor to use channels_last format")
        return np.ascontiguousarray(d.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)

    @staticmethod
    def backward(ctx, g):
        return g


def to_channels_last(x: Tensor) -> Tensor:
    return ToChannelsLast.apply(x)
