"""Array backends: the array module ``xp`` (NumPy, or CuPy on a GPU) behind a tiny Device."""
from .device import Device, device, get_device, cpu_device, array_device
from . import cudnn  # noqa: F401  (torch's flags; scripts set ember.backends.cudnn.benchmark)
from . import mps  # noqa: F401  (scripts probe torch.backends.mps.is_available())

__all__ = ["Device", "device", "get_device", "cpu_device", "array_device"]
