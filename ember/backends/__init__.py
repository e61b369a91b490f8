"""Array backends: the array module ``xp`` (NumPy, or CuPy on a GPU) behind a tiny Device."""
from .device import Device, device, get_device, cpu_device, array_device

__all__ = ["Device", "device", "get_device", "cpu_device", "array_device"]
