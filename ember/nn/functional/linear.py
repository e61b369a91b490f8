"""``F.linear`` and ``F.bilinear``.

linear: y = x W^T + b, with x (*, in), W (out, in), b (out,) -> y (*, out).
Gradients: dx = g W, dW = g^T x (summed over the batch dims), db = sum of g over the batch dims.
One GEMM with the bias added in place (a fused primitive, for speed).

>>> import ember
>>> import ember.nn.functional as F
>>> F.linear(ember.ones(2, 3), ember.ones(4, 3), ember.zeros(4)).shape
ember.Size([2, 4])
"""
from __future__ import annotations

import math

import numpy as np

from ..._autocast import autocast_policy
from ...backends import kernels
from ...autograd.function import Op
from ...ops._common import in_float32, is_low_precision, matmul_rows, rows as _rows
from ...ops.contract import einsum, MatMulGradB
from ...tensor import Tensor

__all__ = ["linear", "bilinear"]


# torch's node for linear: (more than 2 dims, with bias) -> the last op of addmm/mm and its reshape
_LINEAR_NODES = {(False, True): "AddmmBackward0", (False, False): "MmBackward0",
                 (True, True): "ViewBackward0", (True, False): "UnsafeViewBackward0"}


class Linear(Op):
    """x W^T + b as one GEMM (the node is named as torch's last op: AddmmBackward0 or MmBackward0 for a
    matrix input, ViewBackward0 or UnsafeViewBackward0 for more dims)."""

    @staticmethod
    def forward(ctx, x, w, b=None):
        xd, wd = x._data, w._data
        if xd.shape[-1] != wd.shape[-1] or wd.ndim != 2:
            rows = int(np.prod(xd.shape[:-1])) if xd.ndim > 1 else 1
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{xd.shape[-1]} and "
                               f"{wd.shape[-1] if wd.ndim == 2 else wd.shape[0]}x{wd.shape[0]})")
        if xd.dtype != wd.dtype:
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {x.dtype.name.capitalize()} "
                               f"and {w.dtype.name.capitalize()}")
        if xd.ndim > 2:  # one GEMM over all leading dims (NumPy would loop a GEMM per batch entry)
            out = matmul_rows(xd, wd.T)
        else:
            out = kernels.gemm(xd, wd.T)
        if b is not None:
            _check_bias(b._data.shape, xd, out.shape)
            out += b._data
        ctx.save_for_backward(x, w)
        if ctx.next is not None and xd.ndim >= 2:
            ctx.rename(_LINEAR_NODES[xd.ndim > 2, b is not None])
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad  # matmul's ops: their forwards are the raw GEMMs, one each over all rows
        gx = g.matmul(w.conj() if w.is_complex() else w) if need[0] else None  # conjugate Wirtinger, as torch
        gw = gb = None
        if need[1]:  # dW = g^T x: matmul's backward op for its second factor (real), else the conjugate product
            gw = MatMulGradB.apply(g, x) if not x.is_complex() else _rows(g).mT.matmul(_rows(x).conj())
        if len(need) > 2 and need[2]:
            gb = g.sum(tuple(range(g.ndim - 1))) if g.ndim > 1 else g
        return gx, gw, gb


def _check_bias(shape: tuple, xd: np.ndarray, out_shape: tuple) -> None:
    """torch adds the bias by addmm on the flattened rows (a matrix or vector input, or a 1-d bias with a contiguous
    input): it must expand to (rows, out_features); otherwise it is added in place to the product: it must
    broadcast to the output's shape. Each with torch's message."""
    if xd.ndim <= 2 or len(shape) == 1 and xd.flags.c_contiguous:
        target = (math.prod(xd.shape[:-1]) if xd.ndim > 1 else 1, out_shape[-1])
        if len(shape) > 2:
            raise RuntimeError(f"expand(torch.FloatTensor{{{list(shape)}}}, size={list(target)}): the number of sizes "
                               f"provided (2) must be greater or equal to the number of dimensions in the tensor "
                               f"({len(shape)})")
        for i, (have, want) in enumerate(zip(reversed(shape), reversed(target))):
            if have != want and have != 1:
                raise RuntimeError(f"The expanded size of the tensor ({want}) must match the existing size ({have}) "
                                   f"at non-singleton dimension {1 - i}.  Target sizes: {list(target)}.  Tensor "
                                   f"sizes: {list(shape)}")
        return
    for i, (have, want) in enumerate(zip(reversed(shape), reversed(out_shape))):
        if have != want and have != 1:
            raise RuntimeError(f"The size of tensor a ({want}) must match the size of tensor b ({have}) at "
                               f"non-singleton dimension {len(out_shape) - 1 - i}")


@autocast_policy("lower")
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b."""
    if is_low_precision(input):
        return in_float32(linear, input, weight, bias)
    if bias is None:
        return Linear.apply(input, weight)
    return Linear.apply(input, weight, bias)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y_k = x1^T W_k x2 + b_k, with W (out, in1, in2)."""
    y = einsum("...i,kij,...j->...k", input1, weight, input2)
    return y + bias if bias is not None else y
