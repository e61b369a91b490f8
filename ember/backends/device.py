"""The ground floor: a :class:`Device` names where a tensor lives and which array module runs it.

Ops are written once against ``dev.xp`` (``numpy`` or ``cupy``); no op tests for a library by name.
CuPy is imported lazily, only when a "cuda" device is asked for.
"""
from __future__ import annotations

import numpy as np

_CUPY = None  # the cupy module once imported, False if unavailable


def _cupy():
    """Import CuPy once; return the module or None when it (or a GPU) is missing."""
    global _CUPY
    if _CUPY is None:
        try:
            import cupy  # type: ignore

            cupy.cuda.runtime.getDeviceCount()
            _CUPY = cupy
        except Exception:  # noqa: BLE001 - any failure means "no usable GPU"
            _CUPY = False
    return _CUPY or None


def to_host(a) -> np.ndarray:
    """A NumPy array of ``a`` (itself when it already is one; a device-to-host copy of a CuPy array)."""
    return a if isinstance(a, np.ndarray) else a.get()


class _NoGPU:
    """The array module of a 'cuda' device on a machine without one: any use raises torch's RuntimeError."""

    def __getattr__(self, name: str):
        if name.startswith("__"):   # introspection (copy, pickle, doctest) is not a use
            raise AttributeError(name)
        raise RuntimeError(
            "ember was asked for a 'cuda' device, but CuPy with a working GPU is not "
            "available. Install the GPU extra (pip install 'ember[cuda]') on a machine "
            "with an NVIDIA GPU, or use device='cpu'."
        )


_NO_GPU = _NoGPU()


class Device:
    """A place for tensors: ``type`` is "cpu" or "cuda", ``index`` the GPU number (None on cpu).

    >>> Device("cpu")
    device(type='cpu')
    >>> Device("cpu") == "cpu"
    True
    """

    __slots__ = ("type", "index", "xp")

    def __init__(self, type: str | "Device" = "cpu", index: int | None = None) -> None:
        if isinstance(type, Device):
            type, index = type.type, type.index if index is None else index
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a string or a device, got {type!r}")
        if ":" in type:
            type, _, idx = type.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in ("cpu", "cuda"):
            raise RuntimeError(
                f"Expected one of cpu, cuda device type at start of device string: {type}"
            )
        if type == "cuda":
            # no GPU: the device can still be named (torch.device('cuda') is a descriptor); using it raises
            self.xp = _cupy() or _NO_GPU
        else:
            self.xp = np
        self.type = type
        self.index = index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = Device(other)
        if not isinstance(other, Device):
            return NotImplemented
        if self.type != other.type:
            return False
        return self.index == other.index or self.type == "cpu" or None in (self.index, other.index)

    def __hash__(self) -> int:
        return hash(self.type)

    def __reduce__(self):
        return (Device, (self.type, self.index))


device = Device
cpu_device = Device("cpu")


def get_device(spec: "str | Device | int | None") -> Device:
    """Turn ``"cpu"``, ``"cuda:0"``, an int (a GPU index) or a Device into a Device."""
    if spec is None:
        return cpu_device
    if isinstance(spec, Device):
        return spec
    if isinstance(spec, int):
        return Device("cuda", spec)
    if spec == "cpu":
        return cpu_device
    return Device(spec)


def array_device(a) -> Device:
    """The Device an array lives on (NumPy arrays on the cpu)."""
    if isinstance(a, np.ndarray) or isinstance(a, np.generic):
        return cpu_device
    cp = _cupy()
    if cp is not None and isinstance(a, cp.ndarray):
        return Device("cuda", a.device.id)
    return cpu_device


def is_cuda_available() -> bool:
    return _cupy() is not None


def cuda_device_count() -> int:
    cp = _cupy()
    return int(cp.cuda.runtime.getDeviceCount()) if cp is not None else 0
