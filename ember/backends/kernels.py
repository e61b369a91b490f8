"""Hot kernels (im2col/col2im, pooling, the LSTM cell, batch/layer norm rows, relu/sigmoid passes), chosen once at
import: numba's when numba is importable, else NumPy's reference ones. An op calls ``kernels.<name>(...)`` and
never knows which one runs: every numba kernel has a NumPy reference with the same contract in ``kernels_numpy``,
and where a numba kernel does not cover an input (a dtype, a layout) it calls that reference itself.

``EMBER_NO_NUMBA=1`` forces NumPy; ``use("numpy" | "numba")`` switches (tests run both).

Convolutions may also go to a library (oneDNN, when ``libdnnl`` loads: the optional ``onednn`` extra),
chosen per call: ``conv_plan``/``conv_transpose_plan`` return a plan with ``forward``, ``backward_data``
and ``backward_weights`` for float32 1-d/2-d convolutions, or None, and the op then runs the kernels
above. ``EMBER_NO_ONEDNN=1`` or ``use_library(None)`` turns the library off (tests run both).
"""
from __future__ import annotations

import os

import numpy as np

from . import kernels_numpy

_F32 = np.dtype(np.float32)

_impl = kernels_numpy
_library = None  # the convolution library module (kernels_onednn) or None


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


def libraries() -> list:
    """The convolution libraries that can run here ([] or ["onednn"])."""
    try:
        from . import kernels_onednn  # noqa: F401
        return ["onednn"]
    except ImportError:
        return []


def use_library(name: str | None) -> None:
    """Route float32 1-d/2-d convolutions to ``"onednn"``, or to ember's own kernels (``None``)."""
    global _library
    if name == "onednn":
        from . import kernels_onednn
        _library = kernels_onednn
    elif name is None:
        _library = None
    else:
        raise ValueError(f"unknown convolution library {name!r}; expected 'onednn' or None")


def library() -> str | None:
    """The convolution (and per-channel/elementwise) library in use: "onednn" or None."""
    return None if _library is None else "onednn"


def conv_plan(x, w, stride, pads, dilation, groups: int, bias: bool, train: bool):
    """A library plan for ``conv{1,2}d`` of arrays ``x``, ``w`` (padding as (lo, hi) pairs), or None."""
    if _library is None or x.dtype != _F32 or w.dtype != _F32:
        return None
    return _library.conv_plan(x.shape, w.shape, stride, pads, dilation, groups, bias, train)


def conv_transpose_plan(x, w, out_shape: tuple, stride, padding, dilation, groups: int):
    """A library plan for ``conv_transpose{1,2}d`` of arrays ``x``, ``w`` into ``out_shape``, or None."""
    if _library is None or x.dtype != _F32 or w.dtype != _F32:
        return None
    return _library.conv_transpose_plan(x.shape, w.shape, out_shape, stride, padding, dilation, groups)


_chained: dict = {}  # name -> the library's kernel falling back to the kernel set's (rebuilt on a switch)


def _chain(first, second):
    def kernel(*args):
        out = first(*args)
        return second(*args) if out is None else out
    kernel.__name__ = getattr(second, "__name__", "kernel")
    return kernel


def __getattr__(name: str):
    if _library is not None:
        first = getattr(_library, "KERNELS", {}).get(name)
        if first is not None:  # the library's kernel, and where it returns None (not covered) the set's
            key = (name, _impl, _library)
            k = _chained.get(key)
            if k is None:
                k = _chained[key] = _chain(first, getattr(_impl, name))
            return k
    return getattr(_impl, name)


if os.environ.get("EMBER_NO_NUMBA", "") not in ("1", "true", "True"):
    try:
        use("numba")
    except ImportError:
        pass

if os.environ.get("EMBER_NO_ONEDNN", "") not in ("1", "true", "True"):
    try:
        use_library("onednn")
    except ImportError:
        pass
