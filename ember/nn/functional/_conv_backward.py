"""The backward op of the convolutions: ``ConvBackward`` (torch's node: ConvolutionBackwardBackward0).

A (transposed) convolution's backward runs its forward's raw kernels (col2im, GEMMs, Winograd, oneDNN) on the
arrays its forward kept; as an op, ``create_graph=True`` records it, and its own backward is written with the
convolution ops, so a convolution has derivatives of every order (each written once).

>>> import ember, ember.nn.functional as F
>>> x = ember.randn(1, 2, 5, 5, dtype=ember.float64, requires_grad=True)
>>> w = ember.randn(3, 2, 3, 3, dtype=ember.float64, requires_grad=True)
>>> gx, = ember.autograd.grad(F.conv2d(x, w).pow(2).sum(), x, create_graph=True)
>>> gx.grad_fn.name()
'ConvolutionBackwardBackward0'
>>> ember.autograd.gradgradcheck(lambda x, w: F.conv2d(x, w, padding=1), (x, w))
True
"""
from __future__ import annotations

import numpy as np

from ...autograd.function import SECOND_BACKWARD, Op

__all__ = ["ConvBackward"]


class ConvBackward(Op):
    """The backward op of a (transposed) convolution y = conv(x, W) + b: (dx, dW, db) from g, on raw arrays
    (the forward's own kernels). Its derivative, as torch's convolution_backward: dx is linear in (g, W) and dW
    in (g, x), so with gradients ggx, ggW, ggb of its outputs
        d/dg = conv(ggx, W, ggb) + conv(x, ggW),  d/dx = dx of conv(., ggW) at g,  d/dW = dW of conv(ggx, .) at g,
    the last two being this op again (on ggx, ggW), so every order of derivative is recorded."""

    node_name = "ConvolutionBackwardBackward0"
    materialize = False  # an output gradient that is missing stays None (no zero convolution)

    @staticmethod
    def run(fwd, g, need: tuple) -> tuple:
        """The gradients (dx, dW, db) of the forward node ``fwd`` (None where not needed)."""
        if fwd.xw is None:
            raise RuntimeError(SECOND_BACKWARD)
        x, w = fwd.xw
        fwd.free("xw")
        out = ConvBackward.apply(g, x, w, fwd, need[:3])
        fwd.free("conv")  # the kernel's state (columns, transformed input): torch frees saved tensors so
        return tuple(o if n else None for o, n in zip(out, need[:3]))

    @staticmethod
    def forward(ctx, g, x, w, fwd, need):
        ctx.inputs, ctx.fwd_op, ctx.args = (g, x, w), fwd.fn, fwd.conv_args
        none = np.empty(0, g._data.dtype)  # an output not asked for (its gradient is dropped by run)
        return tuple(none if r is None else r._data for r in fwd.fn.raw_backward(fwd, g))

    @staticmethod
    def backward(ctx, ggx, ggw, ggb):
        g, x, w = ctx.inputs
        op, args = ctx.fwd_op, ctx.args
        need = ctx.needs_input_grad
        dg = dx = dw = None
        if need[0]:
            if ggx is not None or ggb is not None:
                dg = op.apply(ggx if ggx is not None else x.new_zeros(x.shape), w, ggb, *args)
            if ggw is not None:
                t = op.apply(x, ggw, None, *args)
                dg = t if dg is None else dg + t
        want = (need[1] and ggw is not None, need[2] and ggx is not None)
        if any(want):
            zx = ggx if ggx is not None else x.new_zeros(x.shape)
            zw = ggw if ggw is not None else w.new_zeros(w.shape)
            dx, dw = _vjp(op, args, g, zx, zw, want)
        return dg, dx, dw


def _vjp(op, args, g, x, w, want) -> tuple:
    """(dx of op(., w) at g, dW of op(x, .) at g) as a recorded ConvBackward: a forward of op on (x, w) with a
    node that asks for the gradients ``want`` (the raw kernels keep what their backward reads)."""
    fwd = object.__new__(op._node)  # the node a recorded call of op would have, asking for ``want``
    fwd.fn, fwd.next = op, [True if want[0] else None, True if want[1] else None, None]
    op.forward(fwd, x, w, None, *args)
    fwd.conv_args = args
    dx, dw, _ = ConvBackward.apply(g, x, w, fwd, want + (False,))
    return (dx if want[0] else None), (dw if want[1] else None)
