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


_chained: dict = {}  # (name, set, library) -> the composed kernel: the library's falling back to the set's, and
#                     the reference below SERIAL_BELOW (rebuilt on a switch)

SERIAL_BELOW = 1 << 14
"""Elements of the first array below which the kernels in ``SERIAL`` run NumPy's single-threaded reference.

oneDNN's primitives and numba's parallel kernels open an OpenMP region on every call, and a region waits until
each thread of the team has run: on a quiet machine that costs a few microseconds, but when another process
holds a core the call waits for the scheduler (measured at 2 threads beside other work: 560-1800 us per call
of oneDNN's or numba's batch norm, pooling or sigmoid on a (1, 6, 28, 28) array, against 3-33 us for NumPy's).
On such arrays NumPy's reference is also as fast or faster on an idle machine (oneDNN's eltwise takes 13 us
for NumPy's 3-5), and it needs no compilation on a first run. torch runs its own CPU loops serially below a
grain of 32,768 elements for the same reason; between 2^14 and 2^15 elements oneDNN's batch norm and pooling
were still faster at one thread, so the bound here is lower. Tests set it to 0 (``tests/conftest.py``) to
exercise every kernel set on small shapes, and test the bound itself."""

SERIAL = frozenset({"max_pool", "max_pool_backward", "window_sum", "window_scatter", "batch_norm_train",
                    "batch_norm_backward", "channel_affine", "sigmoid", "sigmoid_backward"})


def _chain(first, second):
    def kernel(*args):
        out = first(*args)
        return second(*args) if out is None else out
    kernel.__name__ = getattr(second, "__name__", "kernel")
    return kernel


def _serial_when_small(name: str, parallel):
    reference = getattr(kernels_numpy, name)

    def kernel(*args):
        return (reference if args[0].size < SERIAL_BELOW else parallel)(*args)
    kernel.__name__ = name
    return kernel


def __getattr__(name: str):
    key = (name, _impl, _library)
    k = _chained.get(key)
    if k is not None:
        return k
    k = getattr(_impl, name)
    if _library is not None:
        first = getattr(_library, "KERNELS", {}).get(name)
        if first is not None:  # the library's kernel, and where it returns None (not covered) the set's
            k = _chain(first, k)
    if name in SERIAL and k is not getattr(kernels_numpy, name):
        k = _serial_when_small(name, k)
    if k is not getattr(_impl, name):
        _chained[key] = k
    return k


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
