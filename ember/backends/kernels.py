"""Hot kernels (im2col/col2im, pooling), chosen once at import: numba's when numba is importable,
else NumPy's reference ones. An op calls ``kernels.<name>(...)`` and never knows which one runs.

``EMBER_NO_NUMBA=1`` forces NumPy; ``use("numpy" | "numba")`` switches (tests run both).
"""
from __future__ import annotations

import os

from . import kernels_numpy

_impl = kernels_numpy


def available() -> list:
    """The kernel sets that can run here."""
    try:
        from . import kernels_numba  # noqa: F401
        return ["numpy", "numba"]
    except ImportError:
        return ["numpy"]


def use(name: str) -> None:
    """Select the kernel set: ``"numpy"`` (the reference) or ``"numba"``."""
    global _impl
    if name == "numba":
        from . import kernels_numba
        _impl = kernels_numba
    elif name == "numpy":
        _impl = kernels_numpy
    else:
        raise ValueError(f"unknown kernel set {name!r}; expected 'numpy' or 'numba'")


def current() -> str:
    return "numba" if _impl is not kernels_numpy else "numpy"


def __getattr__(name: str):
    return getattr(_impl, name)


if os.environ.get("EMBER_NO_NUMBA", "") not in ("1", "true", "True"):
    try:
        use("numba")
    except ImportError:
        pass
