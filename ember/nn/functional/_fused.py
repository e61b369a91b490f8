"""What the fused kernels of ``nn.functional`` share: finishing a backward that ran on raw arrays.

A fused op (the whole-sequence RNN/LSTM/GRU, ``ctc_loss``) computes its backward
on NumPy arrays for speed, so it has no double backward. Under ``create_graph=True`` its gradients
are tied to a node whose own backward raises a clear error, instead of silently being constants.
"""
from __future__ import annotations

from ...autograd.function import Op, records
from ...tensor import Tensor, wrap


class NoDoubleBackward(Op):
    """Passes precomputed gradient arrays through; differentiating them again raises."""

    @staticmethod
    def forward(ctx, name, arrays, *grad_outputs):
        ctx.op_name = name
        return tuple(arrays)

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError(f"{ctx.op_name} has no double backward: its backward is a fused kernel computed "
                           "on raw arrays. Use a composite implementation to take higher-order gradients.")


def finish_backward(name: str, grad_outputs: tuple, grads: list, inputs: tuple = ()) -> tuple:
    """Wrap the input gradients (arrays or None) of a fused op's backward.

    With ``create_graph=True`` (grad mode on during backward) the gradients hang off a
    :class:`NoDoubleBackward` node whose edges are the grad outputs and the op's saved ``inputs``
    (the gradients depend on both), so differentiating them again raises.
    """
    live = [g for g in grads if g is not None]
    deps = [t for t in (*grad_outputs, *inputs) if isinstance(t, Tensor)]
    if live and records(*deps):
        tied = NoDoubleBackward.apply(name, live, *deps)
        it = iter(tied)
        return tuple(next(it) if g is not None else None for g in grads)
    return tuple(wrap(g) if g is not None else None for g in grads)
