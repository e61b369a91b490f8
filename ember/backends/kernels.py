"""The one kernel switch. Hot kernels (im2col/col2im, pooling, the LSTM cell, batch/layer norm rows, relu/sigmoid
passes) come from a kernel set chosen once at import: numba's when numba is importable, else NumPy's reference
ones. An op calls ``kernels.<name>(...)`` and never knows which one runs: every numba kernel has a NumPy reference
with the same contract in ``kernels_numpy``, and where a numba kernel does not cover an input (a dtype, a layout)
it calls that reference itself.

``EMBER_NO_NUMBA=1`` forces NumPy; ``use("numpy" | "numba")`` switches (tests run both).

A library (oneDNN, when ``libdnnl`` loads: the optional ``onednn`` extra) may take a call first, chosen per
call: its kernels answer None where they do not cover the input, and the kernel set's then run.
``EMBER_NO_ONEDNN=1`` or ``use_library(None)`` turns the library off (tests run both).

Convolutions are reached through entries that pick the algorithm here, per call: ``conv_forward``
(oneDNN; else for 2-d ungrouped ones Winograd F(2x2, 3x3), a direct convolution or NCHW im2col; else the
N-d im2col reference ``conv_reference``), ``conv_transpose_forward`` and the inference ``conv2d_relu``. A
forward returns ``(y, state)``; ``conv_backward(state, g, need)`` (or one direction: ``conv_backward_data``,
``conv_backward_weights``) gives the gradients. The op keeps ``state`` and never looks inside it.
"""
from __future__ import annotations

import os

import numpy as np

from . import conv_nchw, conv_reference, conv_winograd, kernels_numpy


_impl = kernels_numpy
_library = None  # the convolution library module (kernels_onednn) or None
_gemm = None  # the library's float32 GEMM (gemm_onednn.gemm) or None


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
    global _library, _gemm
    if name == "onednn":
        from . import gemm_onednn, kernels_onednn
        _library, _gemm = kernels_onednn, gemm_onednn.gemm
    elif name is None:
        _library = _gemm = None
    else:
        raise ValueError(f"unknown convolution library {name!r}; expected 'onednn' or None")


def library() -> str | None:
    """The convolution (and per-channel/elementwise) library in use: "onednn" or None."""
    return None if _library is None else "onednn"


def gemm(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """a @ b for 2-d arrays (into ``out`` when given): the GEMM of matmul, linear, the recurrent layers and their
    backward ops. With the library on, oneDNN's sgemm takes the float32 products it covers (on the OpenMP pool its
    convolutions use, so one pool owns the cores; ``gemm_onednn``), else NumPy's (OpenBLAS)."""
    if _gemm is not None:
        done = _gemm(a, b, out)
        if done is not None:
            return done
    return np.matmul(a, b) if out is None else np.matmul(a, b, out=out)


def conv_forward(x: np.ndarray, w: np.ndarray, b, stride: tuple, pads: tuple, dilation: tuple, groups: int,
                 keep: tuple | None = None):
    """y = conv(x, w) + b for arrays (padding as (lo, hi) pairs per spatial dim): ``(y, state)``. ``keep``:
    None when no backward will run, else (need dx, need dW), the gradients backward will be asked for."""
    if _library is not None:
        done = _library.conv_forward(x, w, b, stride, pads, dilation, groups, keep)
        if done is not None:
            return done
    if x.ndim == 4 and groups == 1 and x.dtype.kind == "f":
        out = conv_reference.out_size(x.shape[2:], pads, w.shape[2:], stride, dilation)
        if conv_winograd.usable(x, w, stride, dilation, out):
            return conv_winograd.forward(_impl, x, w, b, pads, out, keep)
        if conv_nchw.direct_usable(_impl, x, w, stride, dilation):
            return conv_nchw.forward_direct(_impl, x, w, b, pads, keep)
        return conv_nchw.forward(_impl, x, w, b, stride, pads, dilation, keep)
    return conv_reference.forward(_impl, x, w, b, stride, pads, dilation, groups, keep)


def conv_transpose_forward(x: np.ndarray, w: np.ndarray, b, stride: tuple, padding: tuple, output_padding: tuple,
                           dilation: tuple, groups: int, keep: tuple | None = None):
    """y = conv_transpose(x, w) + b for arrays: ``(y, state)``, as ``conv_forward``."""
    if _library is not None:
        done = _library.conv_transpose_forward(x, w, b, stride, padding, output_padding, dilation, groups, keep)
        if done is not None:
            return done
    return conv_reference.transpose_forward(_impl, x, w, b, stride, padding, output_padding, dilation, groups, keep)


def conv_backward(state, g: np.ndarray, need: tuple) -> tuple:
    """(dx, dW, db) of the (transposed) convolution whose forward returned ``state``, for output gradient ``g``;
    None where ``need`` (three flags) says no. The passes share work (one reordered or reshaped ``g``)."""
    return state.backward(g, tuple(need) + (False,) * (3 - len(need)))


def conv_backward_data(state, g: np.ndarray) -> np.ndarray:
    """dx of the convolution whose forward returned ``state`` (with ``keep[0]``)."""
    return state.backward(g, (True, False, False))[0]


def conv_backward_weights(state, g: np.ndarray, bias: bool = False) -> tuple:
    """(dW, db) of the convolution whose forward returned ``state`` (with ``keep[1]``); db is None without
    ``bias``."""
    return state.backward(g, (False, True, bias))[1:]


def conv2d_relu(x: np.ndarray, w: np.ndarray, b, stride: tuple, pads: tuple, dilation: tuple,
                groups: int) -> np.ndarray:
    """max(conv2d(x, w) + b, 0) in inference (NaN kept, as torch's relu): oneDNN's convolution with a ReLU
    post-op where it covers the call, else ``conv_forward`` and an in-place maximum."""
    if _library is not None:
        y = _library.conv2d_relu(x, w, b, stride, pads, dilation, groups)
        if y is not None:
            return y
    y = conv_forward(x, w, b, stride, pads, dilation, groups)[0]
    return np.maximum(y, 0, out=y)  # NaN propagates


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


def _in_forked_child() -> None:
    """A forked child cannot join its parent's OpenMP team: GNU libgomp can hang in the child's first parallel region
    (a oneDNN convolution or GEMM), and numba's ``omp`` layer terminates the child. So a forked child (a DataLoader
    worker, an ``ember.multiprocessing`` process) runs no OpenMP: the NumPy kernel set and no library, as torch runs
    its DataLoader workers on one thread. A spawned process starts fresh and is not affected."""
    use("numpy")
    use_library(None)


os.register_at_fork(after_in_child=_in_forked_child)

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
