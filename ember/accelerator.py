"""``torch.accelerator``: the current accelerator, device-agnostic. ember's one accelerator is CUDA via CuPy.

>>> import ember
>>> ember.accelerator.is_available() == ember.cuda.is_available()
True
"""
from __future__ import annotations

from . import cuda
from .backends.device import Device


def is_available() -> bool:
    return cuda.is_available()


def device_count() -> int:
    return cuda.device_count()


def current_accelerator(check_available: bool = False):
    """``device('cuda')`` when a GPU is usable, else None (torch returns None when no accelerator is built)."""
    return Device("cuda") if cuda.is_available() else None


def synchronize(device=None) -> None:
    cuda.synchronize(device)
