"""``nn.utils.fusion``: fold an eval-mode BatchNorm into the convolution or linear layer before it.

    W' = W * gamma / sqrt(running_var + eps)      (per output channel)
    b' = (b - running_mean) * gamma / sqrt(running_var + eps) + beta

computed in float32 as torch computes it, so a fused layer gives torch's fused values.
"""
from __future__ import annotations

import copy

import numpy as np

from ...tensor import wrap
from ..parameter import Parameter

__all__ = ["fuse_conv_bn_eval", "fuse_conv_bn_weights"]


def fuse_conv_bn_weights(conv_w, conv_b, bn_rm, bn_rv, bn_eps: float, bn_w, bn_b, transpose: bool = False) -> tuple:
    """torch.nn.utils.fuse_conv_bn_weights: the (weight, bias) Parameters of a conv (or linear: a 2-d weight)
    with the BatchNorm statistics and affine folded in, in float32 as torch computes them."""
    f32 = np.float32
    w = conv_w.detach().numpy().astype(f32)
    n = w.shape[1] if transpose else w.shape[0]

    def arr(t, fill):
        return np.full(n, fill, f32) if t is None else t.detach().numpy().astype(f32)

    b, gamma, beta = arr(conv_b, 0.0), arr(bn_w, 1.0), arr(bn_b, 0.0)
    rsqrt = (f32(1.0) / np.sqrt(bn_rv.detach().numpy().astype(f32) + f32(bn_eps))).astype(f32)  # float32, as torch
    shape = [1, -1] if transpose else [-1, 1]
    factor = (gamma * rsqrt).reshape(shape + [1] * (w.ndim - 2))
    return (Parameter(wrap((w * factor).astype(f32))),
            Parameter(wrap(((b - bn_rm.detach().numpy().astype(f32)) * rsqrt * gamma + beta).astype(f32))))


def fuse_conv_bn_eval(conv, bn, transpose: bool = False):
    """A copy of ``conv`` (Conv1d/2d/3d or Linear) with the eval-mode BatchNorm ``bn`` folded into its weight and
    bias."""
    if conv.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused = copy.deepcopy(conv)
    fused.weight, fused.bias = fuse_conv_bn_weights(conv.weight, conv.bias, bn.running_mean, bn.running_var, bn.eps,
                                                    bn.weight, bn.bias, transpose)
    return fused
