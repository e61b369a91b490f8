"""The convolution ops' path through a library plan (``kernels.conv_plan``: oneDNN when installed).

A plan works on 2-d arrays in NCHW or channels-last storage; 1-d convolutions run as 2-d ones of height 1
(a free reshape). The op keeps its inputs (version-checked, as torch) and hands them to the plan's
backward passes; nothing else is saved.
"""
from __future__ import annotations

import numpy as np

from ..._autocast import AUTOCAST
from ...autograd.function import records
from ...backends import kernels
from ...tensor import Tensor, wrap


def _as4d(a: np.ndarray) -> np.ndarray:
    return a if a.ndim == 4 else a.reshape(a.shape[:2] + (1,) + a.shape[2:])


def _back(a: np.ndarray, nd: int) -> np.ndarray:
    return a if nd == 2 else a[:, :, 0]


def _channels_last(d: np.ndarray) -> bool:
    return d.ndim == 4 and not d.flags.c_contiguous and np.moveaxis(d, 1, -1).flags.c_contiguous


def _bias_grad(g4: np.ndarray) -> np.ndarray:
    return g4.sum((0, 2, 3), dtype=np.float32)


def conv_forward(ctx, plan, x, w, b) -> np.ndarray:
    """y = conv(x, w) + b through ``plan``; records what backward needs on ``ctx``."""
    xd = x._data
    cl = _channels_last(xd)
    y = plan.forward(_as4d(xd), _as4d(w._data), None if b is None else b._data, cl)
    if ctx.next is not None:
        ctx.save_for_backward(x, w)
        ctx.fast, ctx.plan, ctx.cl = "library", plan, cl
    return _back(y, xd.ndim - 2)


def conv_backward(ctx, gd: np.ndarray) -> tuple:
    x, w = ctx.saved_tensors
    need = ctx.needs_input_grad
    nd = gd.ndim - 2
    g4 = _as4d(gd.astype(np.float32, copy=False))
    bias = len(need) > 2 and need[2]
    dx, dw, db = ctx.plan.backward(_as4d(x._data), _as4d(w._data), g4, need[0], need[1], bias and need[1], ctx.cl)
    gx = None if dx is None else wrap(_back(dx, nd))
    gw = None if dw is None else wrap(dw.reshape(w.shape))
    gb = wrap(db) if db is not None else wrap(_bias_grad(g4)) if bias else None
    return gx, gw, gb


def conv_transpose_forward(ctx, plan, x, w, b) -> np.ndarray:
    """y = conv_transpose(x, w) + b: the backward-data pass of the plan's convolution."""
    xd = x._data
    cl = _channels_last(xd)
    y = plan.backward_data(_as4d(xd), _as4d(w._data), cl)
    if b is not None:
        y += b._data.reshape(-1, 1, 1)
    if ctx.next is not None:
        ctx.save_for_backward(x, w)
        ctx.plan, ctx.cl = plan, cl
    return _back(y, xd.ndim - 2)


def conv_transpose_backward(ctx, gd: np.ndarray) -> tuple:
    x, w = ctx.saved_tensors
    need = ctx.needs_input_grad
    nd = gd.ndim - 2
    g4 = _as4d(gd.astype(np.float32, copy=False))
    gx = gw = gb = None
    if need[0]:
        gx = wrap(_back(ctx.plan.forward(g4, _as4d(w._data), None, ctx.cl), nd))
    if need[1]:
        gw = wrap(ctx.plan.backward_weights(g4, _as4d(x._data), False)[0].reshape(w.shape))
    if len(need) > 2 and need[2]:
        gb = wrap(_bias_grad(g4))
    return gx, gw, gb


def conv2d_relu(conv, relu, input: Tensor) -> Tensor | None:
    """relu(conv(input)) as one oneDNN convolution whose ReLU is a post-op (the output is written once), for
    a plain ``nn.Conv2d`` (zero padding, no hooks) followed by ``nn.ReLU`` in inference (grad mode off or
    nothing requiring grad; no autocast), float32 NCHW or channels-last, input, weight and bias finite. None
    where not covered: the caller runs the two layers (as it also does for bad input, so that errors are the
    op's own, and for NaN, which the two layers keep as torch does)."""
    from ..modules import Conv2d, ReLU  # nn.modules imports nn.functional: a late import
    from ..modules.hooks import _GLOBAL_HOOKS
    from .conv import _conv_pads

    if kernels.library() != "onednn" or type(conv) is not Conv2d or type(relu) is not ReLU or AUTOCAST.active:
        return None
    if conv.padding_mode != "zeros" or _GLOBAL_HOOKS or any(
            m._forward_pre_hooks or m._forward_hooks or m._backward_hooks or m._backward_pre_hooks
            for m in (conv, relu)):
        return None
    w, b = conv.weight, conv.bias
    if records(input, w, b):
        return None
    xd, wd = input._data, w._data
    f32 = np.dtype(np.float32)
    if not isinstance(xd, np.ndarray) or xd.ndim != 4 or xd.dtype != f32 or wd.dtype != f32 or \
            (b is not None and b._data.dtype != f32) or xd.shape[1] != wd.shape[1] * conv.groups:
        return None
    pads = _conv_pads(conv.padding, tuple(wd.shape[2:]), conv.stride, conv.dilation, 2)
    if any(s + lo + hi < d * (k - 1) + 1 for s, (lo, hi), k, d in zip(xd.shape[2:], pads, wd.shape[2:], conv.dilation)):
        return None
    if not _all_finite(xd, wd, None if b is None else b._data):
        return None  # oneDNN's ReLU is max(y, 0) by vmaxps, which turns NaN into 0 where torch keeps NaN
    from ...backends import kernels_onednn
    plan = kernels_onednn.conv_plan(xd.shape, wd.shape, conv.stride, pads, conv.dilation, conv.groups, b is not None,
                                    False, relu=True)
    return wrap(plan.forward(xd, wd, None if b is None else b._data, _channels_last(xd)))


def _all_finite(*arrays) -> bool:
    """No NaN or infinity in any of ``arrays`` (one read-only pass each: a sum is finite only then, and one that
    overflows only sends the call to the unfused path)."""
    return all(a is None or np.isfinite(np.add.reduce(a, axis=None, dtype=np.float32)) for a in arrays)
