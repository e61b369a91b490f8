"""Matrix products: matmul (with batch broadcasting), mm, bmm, mv, dot, addmm, outer, baddbmm, addmv.

For C = A B the gradients are dA = g B^T and dB = A^T g; the engine sums broadcast batch dims back.

>>> import ember
>>> a, b = ember.ones(128, 20), ember.ones(30, 40)
>>> try:
...     a @ b
... except RuntimeError as e:
...     print(e)
mat1 and mat2 shapes cannot be multiplied (128x20 and 30x40)
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from .._autocast import autocast_policy
from .._grad_mode import STATE as _STATE
from ..tensor import Tensor, wrap
from ._common import Op, in_float32, is_low_precision, matmul_rows, method, rows as _rows, write_out

__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "outer", "ger", "addmm", "addmv", "baddbmm", "addbmm", "addr"]


def _same_dtype(a: Tensor, b: Tensor, op: str = "m1 and m2") -> None:
    if a._data.dtype != b._data.dtype:
        da, db = _dt.from_numpy_dtype(a._data.dtype), _dt.from_numpy_dtype(b._data.dtype)
        raise RuntimeError(f"expected {op} to have the same dtype, but got: {_c(da)} != {_c(db)}")


def _c(d) -> str:
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
            "int32": "int", "bfloat16": "c10::BFloat16"}.get(d.name, d.name)


class MatMul(Op):
    """np.matmul semantics: 1-d operands are promoted and the added dims dropped; batches broadcast.
    Gradients: dA = g B^T, dB = A^T g (summed over broadcast batch dims); without create_graph they are
    computed on raw arrays (no graph ops), the common case."""

    broadcasting = True

    @staticmethod
    def forward(ctx, a, b):
        x, y = a._data, b._data
        ctx.save_for_backward(a, b)
        if ctx.next is not None:
            ctx.rename(_MATMUL_NODES.get((min(x.ndim, 3), min(y.ndim, 3)), "MatMulBackward0"))
        if x.ndim > 2 and y.ndim == 2:  # one GEMM over all leading dims (NumPy would loop one per batch entry)
            return matmul_rows(x, y)
        return np.asarray(np.matmul(x, y))

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        x, y, gd = a._data, b._data, g._data
        if not _STATE.enabled and x.ndim >= 2 and y.ndim == 2 and x.dtype.kind == "f" and gd.dtype == x.dtype:
            need = ctx.needs_input_grad
            g2 = _rows(gd)
            return (wrap(np.matmul(g2, y.T).reshape(x.shape)) if need[0] else None,
                    wrap(np.matmul(_rows(x).T, g2)) if need[1] else None)
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b
        if a.ndim == 1 or b.ndim == 1:  # back to the 2-d product's shape
            batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
            g = g.reshape(tuple(batch) + (a2.shape[-2], b2.shape[-1]))
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = matmul(g, b2.mH if b2.is_complex() else b2.mT)
            if a.ndim == 1:
                ga = ga.squeeze(-2)
        if ctx.needs_input_grad[1]:
            gb = matmul(a2.mH if a2.is_complex() else a2.mT, g)
            if b.ndim == 1:
                gb = gb.squeeze(-1)
        return ga, gb


# torch's node for a matmul of these ranks (3 stands for 3 or more): the last op of its decomposition
_MATMUL_NODES = {(2, 2): "MmBackward0", (1, 1): "DotBackward0", (2, 1): "MvBackward0", (1, 2): "SqueezeBackward4",
                 (3, 2): "UnsafeViewBackward0", (3, 3): "BmmBackward0", (3, 1): "ViewBackward0"}


def _check_matmul(a: Tensor, b: Tensor) -> None:
    x, y = a._data, b._data
    if x.ndim == 0 or y.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {x.ndim}D and {y.ndim}D")
    k1 = x.shape[-1]
    k2 = y.shape[0] if y.ndim == 1 else y.shape[-2]
    if k1 != k2:
        if x.ndim <= 2 and y.ndim <= 2:
            if x.ndim == 1 and y.ndim == 1:
                raise RuntimeError(f"inconsistent tensor size, expected tensor [{k1}] and src [{k2}] to have the "
                                   f"same number of elements, but got {k1} and {k2} elements respectively")
            if y.ndim == 1:
                raise RuntimeError(f"size mismatch, got input ({x.shape[0]}), mat ({x.shape[0]}x{k1}), vec ({k2})")
            sa = "x".join(map(str, x.shape if x.ndim == 2 else (1,) + x.shape))
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and {y.shape[0]}x{y.shape[1]})")
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{x.shape[0] if x.ndim == 3 else 1}, {k1}] but got: "
                           f"[{y.shape[0] if y.ndim == 3 else 1}, {k2}].")
    ba, bb = x.shape[:-2], y.shape[:-2]  # the batch dims broadcast, with torch's error (NumPy's is a ValueError)
    for i, (p, q) in enumerate(zip(reversed(ba), reversed(bb))):
        if p != q and p != 1 and q != 1:
            raise RuntimeError(f"The size of tensor a ({p}) must match the size of tensor b ({q}) at non-singleton "
                               f"dimension {max(len(ba), len(bb)) - 1 - i}")
    _same_dtype(a, b)


@method
@autocast_policy("lower")
def matmul(input, other, *, out=None):
    """Matrix product with NumPy/torch broadcasting rules (``@``)."""
    _check_matmul(input, other)
    res = in_float32(MatMul.apply, input, other) if is_low_precision(input) else MatMul.apply(input, other)
    return write_out(res, out)


@method
@autocast_policy("lower")
def mm(input, mat2, *, out=None):
    """(n, m) @ (m, p) -> (n, p)."""
    if input.ndim != 2:
        raise RuntimeError(f"self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2, out=out)


@method
@autocast_policy("lower")
def bmm(input, mat2, *, out=None):
    """(b, n, m) @ (b, m, p) -> (b, n, p)."""
    if input.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor")
    if mat2.ndim != 3:
        raise RuntimeError(f"batch2 must be a 3D tensor")
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input.shape[0]}, {input.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}].")
    return matmul(input, mat2, out=out)


@method
def mv(input, vec):
    """(n, m) @ (m,) -> (n,)."""
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.ndim}, {vec.ndim}")
    return matmul(input, vec)


@method
def dot(input, tensor):
    """Inner product of two 1-d tensors."""
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {tensor.ndim}D tensors")
    return matmul(input, tensor)




@method
def vdot(input, other):
    return dot(input.conj(), other)


@method
def outer(input, vec2):
    """out[i, j] = a[i] b[j]."""
    return input.reshape(-1, 1) * vec2.reshape(1, -1)


ger = outer


@method
@autocast_policy("lower")
def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat1 @ mat2)."""
    if mat1.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError("mat1 must be a matrix, got " + f"{mat1.ndim}-D tensor")
    p = mm(mat1, mat2)
    p = p if alpha == 1 else p * alpha
    res = p + (input if beta == 1 else input * beta) if beta != 0 else p
    if res._grad_fn is not None:
        res._grad_fn.rename("AddmmBackward0")  # torch's node for the fused op
    return write_out(res, out)


@method
def addmv(input, mat, vec, *, beta=1, alpha=1):
    p = mv(mat, vec)
    return (input * beta if beta != 1 else input) + (p * alpha if alpha != 1 else p)


@method
@autocast_policy("lower")
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    p = bmm(batch1, batch2)
    return (input * beta if beta != 1 else input) + (p * alpha if alpha != 1 else p)


@method
@autocast_policy("lower")
def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    p = bmm(batch1, batch2).sum(0)
    return (input * beta if beta != 1 else input) + (p * alpha if alpha != 1 else p)


@method
def addr(input, vec1, vec2, *, beta=1, alpha=1):
    p = outer(vec1, vec2)
    return (input * beta if beta != 1 else input) + (p * alpha if alpha != 1 else p)
