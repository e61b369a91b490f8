"""Float32 matrix products by oneDNN's ``dnnl_sgemm``, which runs on the OpenMP pool that oneDNN's convolutions
(and numba's kernels) already use.

Why: NumPy's GEMMs are OpenBLAS's, with their own pthreads pool. On a busy machine a 2-thread OpenBLAS GEMM
waits for its worker whenever that worker shares a core with another process, and the step slows down many
times (a 128x784 @ 784x256 product beside other work: median 17 ms, maximum 88 ms, against 0.5 ms / 3 ms for
oneDNN's; docs/performance.md, "A busy machine"). torch's GEMMs run on OpenMP and degrade far less. With the
GEMMs here too, one pool owns the cores.

``gemm(a, b)`` is a (M, K) @ b (K, N) for float32 2-d arrays in any layout whose rows or columns are contiguous
(so transposed views need no copy: ``dnnl_sgemm`` takes row-major operands with a transpose flag and a leading
dimension); it returns None where it does not cover the call (another dtype, a layout with no unit stride,
an empty or small product), and the kernel switch then runs NumPy's.

Importing this module raises ImportError when oneDNN is missing (see ``ember.backends.onednn``).
"""
from __future__ import annotations

import ctypes as C

import numpy as np

from . import onednn as D

_sgemm = D._lib.dnnl_sgemm
_sgemm.restype = C.c_int
_sgemm.argtypes = [C.c_char, C.c_char, C.c_int64, C.c_int64, C.c_int64, C.c_float, C.c_void_p, C.c_int64,
                   C.c_void_p, C.c_int64, C.c_float, C.c_void_p, C.c_int64]
_F32 = np.dtype(np.float32)
# M*N*K below this stays with NumPy: OpenBLAS runs such products on one thread (its threshold, 4 x 65536), so no
# pool can be kept waiting, and its call costs less than the ctypes call (an MLP at batch 1 beside another process:
# 8.7x slower with oneDNN's 2-thread team on its 200k-multiply GEMMs, against torch's 1.2x)
MIN_WORK = 1 << 18
_N, _T = b"N", b"T"


def _operand(x: np.ndarray):
    """(transpose flag, leading dimension) of a 2-d float32 array as dnnl_sgemm reads it (row-major), or None."""
    r, c = x.shape
    s0, s1 = x.strides
    if (s1 == 4 or c == 1) and s0 > 0 and s0 % 4 == 0 and s0 // 4 >= c:
        return _N, s0 // 4
    if (s0 == 4 or r == 1) and s1 > 0 and s1 % 4 == 0 and s1 // 4 >= r:
        return _T, s1 // 4
    if r == 1 and c == 1:
        return _N, 1
    return None


def gemm(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None):
    """a @ b for float32 (M, K) and (K, N) arrays, into ``out`` (an (M, N) float32 array with unit column stride)
    or a new C-contiguous array; None if not covered (nothing is written then)."""
    if a.dtype is not _F32 or b.dtype is not _F32 or a.ndim != 2 or b.ndim != 2:
        return None
    (m, k), n = a.shape, b.shape[1]
    if m * n * k < MIN_WORK or b.shape[0] != k:
        return None
    fa, fb = _operand(a), _operand(b)
    if fa is None or fb is None:
        return None
    if out is None:
        out, ldc = np.empty((m, n), _F32), n
    else:
        if out.dtype is not _F32 or out.shape != (m, n):
            return None
        fc = _operand(out)
        if fc is None or np.shares_memory(out, a) or np.shares_memory(out, b):
            return None
        if fc[0] is _T:  # a column-major out (the recurrent layers' gate buffers): out^T = b^T a^T, row-major
            if fa[0] is _N and fb[0] is _N:  # b^T a^T would read both transposed, dnnl_sgemm's slow case
                np.copyto(out, _row_major(a, b, fa, fb, m, n, k))
                return out
            return None if gemm(b.T, a.T, out.T) is None else out
        ldc = fc[1]
    _run(a, b, fa, fb, m, n, k, out, ldc)
    return out


def _row_major(a: np.ndarray, b: np.ndarray, fa, fb, m: int, n: int, k: int) -> np.ndarray:
    """a @ b into a per-thread C-contiguous temporary (valid until this thread's next call)."""
    tmp = D.buffer("gemm", 4 * m * n)[:4 * m * n].view(_F32).reshape(m, n)
    _run(a, b, fa, fb, m, n, k, tmp, n)
    return tmp


def _run(a, b, fa, fb, m: int, n: int, k: int, out: np.ndarray, ldc: int) -> None:
    status = _sgemm(fa[0], fb[0], m, n, k, 1.0, a.ctypes.data, fa[1], b.ctypes.data, fb[1], 0.0, out.ctypes.data,
                    ldc)
    if status != D.SUCCESS:
        raise RuntimeError(f"oneDNN dnnl_sgemm failed with status {status} for {a.shape} @ {b.shape}")
