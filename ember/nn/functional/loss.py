"""Losses, part 1: regression, cross-entropy / NLL, binary cross-entropy, KL, Poisson and Gaussian NLL.

Every loss takes ``reduction`` = 'none' | 'mean' | 'sum' (and torch's deprecated ``size_average`` /
``reduce``). Notation: x the input (prediction), y the target, w a weight, N the batch, C classes.

``cross_entropy`` is one fused, numerically stable kernel: log p = x - m - log sum e^(x - m) (never
log of softmax); its input gradient is (softmax(x) - smoothed one-hot) scaled by the weights, and the
softmax buffer of the forward is reused for it.

>>> import ember
>>> import ember.nn.functional as F
>>> F.mse_loss(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 4.0]))
tensor(2.)
>>> round(F.cross_entropy(ember.zeros(1, 4), ember.tensor([2])).item(), 4)  # log 4
1.3863
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ..._autocast import autocast_policy
from ... import dtypes as _dt
from ...autograd.function import Op, name_node
from ...ops._common import float_arr
from ...ops.ternary import where
from ...ops.views import broadcast_to
from ...tensor import Tensor, wrap
from ._reduction import _red, legacy_get_string, reduce_loss
from .activation import log_softmax, softmax, softplus

__all__ = ["l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "poisson_nll_loss",
           "gaussian_nll_loss"]


def _warn_size(input: Tensor, target: Tensor) -> None:
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have "
                      "the same size.", stacklevel=3)


# --------------------------------------------------------------------------- regression
@autocast_policy("fp32")
def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """l_i = |x_i - y_i|; d/dx = sign(x - y)."""
    reduction = _red(size_average, reduce, reduction)
    _warn_size(input, target)
    loss = (input - target).abs()
    return reduce_loss(loss * weight if weight is not None else loss, reduction)


@autocast_policy("fp32")
def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
             weight: Tensor | None = None) -> Tensor:
    """l_i = (x_i - y_i)^2; d/dx = 2 (x - y)."""
    reduction = _red(size_average, reduce, reduction)
    _warn_size(input, target)
    loss = (input - target).square()
    return _named(reduce_loss(loss * weight if weight is not None else loss, reduction), "MseLossBackward0")


@autocast_policy("fp32")
def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """l_i = 0.5 d^2 / beta if |d| < beta else |d| - 0.5 beta (d = x - y; beta = 0 is L1);
    d/dx = d / beta or sign(d)."""
    reduction = _red(size_average, reduce, reduction)
    _warn_size(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    d = input - target
    if beta == 0:
        return _named(reduce_loss(d.abs(), reduction), "SmoothL1LossBackward0")
    a = d.abs()
    q = d.masked_fill(a >= beta, 0)  # the quadratic branch sees |d| < beta (and NaN) only: not 0 * inf in backward
    loss = where(a < beta, 0.5 * q * q / beta, a - 0.5 * beta)
    return _named(reduce_loss(loss, reduction), "SmoothL1LossBackward0")


@autocast_policy("fp32")
def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """l_i = 0.5 d^2 if |d| < delta else delta (|d| - 0.5 delta); d/dx = d or delta sign(d)."""
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    _warn_size(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    d = input - target
    a = d.abs()
    q = d.masked_fill(a >= delta, 0)  # the quadratic branch sees |d| < delta (and NaN) only: not 0 * inf in backward
    loss = where(a < delta, 0.5 * q * q, delta * (a - 0.5 * delta))
    return reduce_loss(loss * weight if weight is not None else loss, reduction)


# --------------------------------------------------------------------------- classification layouts
def _classes_last(input: Tensor) -> np.ndarray:
    """(N, C, d1, ...) or (C,) -> a (M, C) array (a view when possible)."""
    x = float_arr(input._data)
    if x.ndim == 1:
        return x[None]
    if x.ndim == 2:
        return x
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _classes_back(g2: np.ndarray, shape: tuple) -> np.ndarray:
    if len(shape) <= 2:
        return g2.reshape(shape)
    moved = (shape[0],) + tuple(shape[2:]) + (shape[1],)
    return np.moveaxis(g2.reshape(moved), -1, 1)


def _check_index_target(input: Tensor, target: Tensor, weight: Tensor | None, fname: str) -> int:
    """torch's checks for class-index targets; returns C."""
    C = input.shape[1] if input.ndim >= 2 else input.shape[0]
    if target._data.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{_dt.scalar_type_name(target.dtype)}")
    if input.ndim == 0:
        raise ValueError("Expected input to have at least 1 dimension, got 0")
    if input.ndim == 1:
        if target.ndim > 1 or (target.ndim == 1 and target.shape[0] != 1):
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {target.shape[0]}")
    else:
        if target.ndim == 0 or target.shape[0] != input.shape[0]:
            tb = target.shape[0] if target.ndim else 1
            raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size ({tb}).")
        expected = (input.shape[0],) + tuple(input.shape[2:])
        if tuple(target.shape) != expected:
            if input.ndim == 2:
                raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
            raise RuntimeError(f"Expected target size {list(expected)}, got {list(target.shape)}")
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != C):
        raise RuntimeError(f"weight tensor should be defined either for all {C} classes or no classes but got "
                           f"weight tensor of shape: {list(weight.shape)}")
    return C


def _named(loss: Tensor, node: str) -> Tensor:
    """A composed loss whose last node carries torch's name (``MseLossBackward0``), as graph tools read it."""
    return name_node(loss, node)


def _valid_targets(t: np.ndarray, C: int, ignore_index: int) -> tuple:
    valid = t != ignore_index
    bad = valid & ((t < 0) | (t >= C))
    if bad.any():
        raise IndexError(f"Target {t[bad][0]} is out of bounds.")
    return valid, np.where(valid, t, 0)


class CrossEntropy(Op):
    """Fused softmax cross-entropy over class indices or class probabilities (see ``cross_entropy``).
    Backward runs on the saved softmax (raw arrays); under create_graph it is rebuilt from ember ops."""

    node_name = "NllLossBackward0"  # torch's cross_entropy ends in nll_loss

    @staticmethod
    def forward(ctx, input, target, weight, ignore_index, reduction, smoothing, probs):
        x = _classes_last(input)
        M, C = x.shape
        s = x - x.max(axis=1, keepdims=True)
        e = np.exp(s)
        sumexp = e.sum(axis=1, keepdims=True)
        s -= np.log(sumexp)  # s is log p now
        w = None if weight is None else weight._data.astype(x.dtype, copy=False)
        if probs:
            q = _classes_last(target).astype(x.dtype, copy=False)
            if smoothing > 0:
                q = q * (1 - smoothing) + smoothing / C
            wq = q * w if w is not None else q
            loss = -(wq * s).sum(axis=1)
            denom = float(M)
            coef = wq.sum(axis=1)  # grad row = p coef - wq
            sub, valid = wq, None
        else:
            t = target._data.reshape(-1)
            valid, tc = _valid_targets(t, C, ignore_index)
            rows = np.arange(M)
            wt = (w[tc] if w is not None else np.ones(M, x.dtype)) * valid
            loss = -(1 - smoothing) * wt * s[rows, tc]
            denom = wt.sum()
            coef = (1 - smoothing) * wt
            sub = None
            if smoothing > 0:
                smooth = -(s * w).sum(axis=1) if w is not None else -s.sum(axis=1)
                loss = loss + smoothing / C * smooth * valid
                coef = coef + smoothing / C * (w.sum() if w is not None else C) * valid
                sub = (smoothing / C) * (np.broadcast_to(w, (M, C)) if w is not None else np.ones((M, C), x.dtype))
                sub = sub * valid[:, None]
            if not valid.all():  # torch never computes an ignored row: 0 there, even where log p is NaN
                loss = np.where(valid, loss, np.zeros((), loss.dtype))
            ctx.tc, ctx.rows, ctx.wt_hard, ctx.valid = tc, rows, (1 - smoothing) * wt, valid
        ctx.denom, ctx.coef, ctx.sub, ctx.reduction, ctx.shape = denom, coef, sub, reduction, tuple(input.shape)
        ctx.probs, ctx.smoothing, ctx.C = probs, smoothing, C
        if ctx.next is not None:
            e /= sumexp
            ctx.p = e  # the softmax buffer, reused for the gradient
            ctx.logp = s if probs else None
            ctx.save_for_backward(input, target, weight)
        if reduction == "none":
            out_shape = ctx.shape[:1] + ctx.shape[2:] if len(ctx.shape) >= 2 else ()
            return loss.reshape(out_shape).astype(x.dtype, copy=False)
        total = loss.sum()
        return np.asarray(total / denom if reduction == "mean" else total, dtype=x.dtype)

    @staticmethod
    def backward(ctx, g):
        input, target, weight = ctx.saved_tensors
        gx = CrossEntropyBackward.apply(g, input, target, weight, ctx)
        gt = None
        if ctx.probs and ctx.needs_input_grad[1]:  # a soft target's own gradient: -(1 - e) gl w log p
            cdim = 1 if input.ndim >= 2 else 0
            gt = -(1 - ctx.smoothing) * _loss_scale(ctx, g, input.ndim) * log_softmax(input, cdim)
            if weight is not None:
                gt = gt * weight.reshape(_class_shape(input.ndim, cdim, ctx.C))
        return gx, gt


class CrossEntropyBackward(Op):
    """The backward op of cross_entropy: dx = gl (p Q - q), with gl the incoming gradient scaled by the reduction,
    p = softmax(x) (the forward's saved buffer ``ce.p``: raw arrays, no second softmax), q the weighted, smoothed
    target distribution and Q = sum_c q. Its gradients, written with ember ops: d/dx = gl Q p (gg - sum_c gg p)
    (softmax's backward), d/dgl = sum_c gg (p Q - q) (then the reduction's scale), d/dq = gl (sum_c gg p - gg)."""

    node_name = "LogSoftmaxBackwardDataBackward0"  # torch's cross_entropy is log_softmax then nll_loss

    @staticmethod
    def forward(ctx, g, input, target, weight, ce):
        ctx.ce = ce
        ctx.save_for_backward(g, input, target, weight)
        gd = g._data
        if ce.reduction == "none":
            scale = gd.reshape(-1)
        else:
            scale = np.full(ce.p.shape[0], _mean_scale(ce, gd) if ce.reduction == "mean" else gd)
        grad = ce.p * (ce.coef * scale)[:, None]
        if ce.sub is not None:
            grad -= ce.sub * scale[:, None]
        if not ce.probs:
            grad[ce.rows, ce.tc] -= ce.wt_hard * scale
            if ce.valid is not None and not ce.valid.all():
                # ignored rows: nll_loss's backward gives them 0 (never NaN * 0) and log_softmax's backward then
                # 0 - p * 0, which is NaN only where the row's softmax is NaN
                ign = ~ce.valid.astype(bool)
                grad[ign] = ce.p[ign] * 0
        return _classes_back(grad.astype(gd.dtype, copy=False), ce.shape)

    @staticmethod
    def backward(ctx, gg):
        g, input, target, weight = ctx.saved_tensors
        ce, need = ctx.ce, ctx.needs_input_grad
        cdim = 1 if input.ndim >= 2 else 0
        q = _target_dist(ce, input, target, weight, cdim)
        big_q = q.sum(cdim, keepdim=True)
        p = softmax(input, cdim)
        gl = _loss_scale(ce, g, input.ndim)
        dg = dx = dt = None
        if need[0]:
            h = (gg * (p * big_q - q)).sum(cdim)
            dg = h if ce.reduction == "none" else _mean_scale(ce, h.sum()) if ce.reduction == "mean" else h.sum()
        if need[1]:
            dx = gl * big_q * p * (gg - (gg * p).sum(cdim, keepdim=True))
        if len(need) > 2 and need[2] and ce.probs:
            dt = gl * ((gg * p).sum(cdim, keepdim=True) - gg) * (1 - ce.smoothing)
            if weight is not None:
                dt = dt * weight.reshape(_class_shape(input.ndim, cdim, ce.C))
        return dg, dx, dt, None


def _mean_scale(ctx, g):
    """g / the total weight; 0 when every target is ignored (torch's gradient is 0 there, not 0 * inf)."""
    if ctx.denom == 0 and not ctx.probs and not ctx.valid.any():
        return g * 0
    return g / ctx.denom


def _class_shape(ndim: int, cdim: int, C: int) -> tuple:
    """The shape that broadcasts a per-class vector along the class dim."""
    shape = [1] * ndim
    shape[cdim] = C
    return tuple(shape)


def _loss_scale(ce, g: Tensor, ndim: int) -> Tensor:
    """gl: the incoming gradient of the loss scaled by the reduction and broadcastable against the input."""
    gl = _mean_scale(ce, g) if ce.reduction == "mean" else g
    return gl.unsqueeze(1) if ce.reduction == "none" and ndim >= 2 else gl


def _target_dist(ce, input: Tensor, target: Tensor, weight: Tensor | None, cdim: int) -> Tensor:
    """q: the (smoothed, weighted) target distribution in the input's layout; a constant for class indices."""
    if ce.probs:
        q = target * (1 - ce.smoothing) + ce.smoothing / ce.C if ce.smoothing > 0 else target
    else:
        M, C = ce.p.shape
        oh = np.zeros((M, C), ce.p.dtype)
        oh[ce.rows, ce.tc] = 1 - ce.smoothing
        oh = (oh + ce.smoothing / C) * ce.valid[:, None]
        q = wrap(_classes_back(oh, ce.shape))
    if weight is not None:
        q = q * weight.reshape(_class_shape(input.ndim, cdim, ce.C))
    return q


@autocast_policy("fp32")
def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                  ignore_index: int = -100, reduce=None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """H(y, softmax(x)) over the class dim (dim 1, or dim 0 for unbatched (C,) input).

    Class indices y (N, d1, ...): l_n = -w_{y_n} log p_{n, y_n} (with label smoothing e:
    (1 - e) of that plus e / C * sum_c -w_c log p_{n,c}); 'mean' divides by sum_n w_{y_n} over the
    targets that are not ``ignore_index``. Class probabilities y (same shape as x):
    l_n = -sum_c w_c y_{n,c} log p_{n,c}; 'mean' divides by the number of samples.
    Gradient: dl/dx = w (p - y) (p = softmax(x), y the smoothed one-hot).
    """
    reduction = _red(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    probs = target._data.dtype.kind == "f" and tuple(target.shape) == tuple(input.shape)
    if probs:
        C = input.shape[1] if input.ndim >= 2 else input.shape[0]
        if weight is not None and (weight.ndim != 1 or weight.shape[0] != C):
            raise RuntimeError(f"weight tensor should be defined either for all {C} classes or no classes but got "
                               f"weight tensor of shape: {list(weight.shape)}")
    else:
        _check_index_target(input, target, weight, "cross_entropy")
    if input._data.dtype.kind not in "f":
        input = input.to(_dt.get_default_dtype())
    return CrossEntropy.apply(input, target, weight, ignore_index, reduction, label_smoothing, probs)


@autocast_policy("fp32")
def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """l_n = -w_{y_n} x_{n, y_n} (x holds log-probabilities; class dim 1, or 0 for (C,) input);
    'mean' divides by sum_n w_{y_n} over the targets that are not ``ignore_index``.
    Gradient: dl/dx_{n,c} = -w_c [c = y_n]."""
    reduction = _red(size_average, reduce, reduction)
    C = _check_index_target(input, target, weight, "nll_loss")
    t = target._data.reshape(-1)
    valid, tc = _valid_targets(t, C, ignore_index)
    w = np.ones(C, input._data.dtype) if weight is None else weight._data.astype(input._data.dtype)
    wt = (w[tc] * valid).astype(input._data.dtype)
    if input.ndim == 1:
        x2 = input.unsqueeze(0)
    elif input.ndim == 2:
        x2 = input
    else:
        x2 = input.movedim(1, -1).reshape(-1, C)
    picked = x2.gather(1, wrap(tc.astype(np.int64)[:, None])).squeeze(1)
    loss = -picked * wrap(wt)
    if reduction == "none":
        out = loss.reshape(tuple(target.shape))
    elif reduction == "sum":
        out = loss.sum()
    elif not valid.any():  # every target ignored: NaN as torch, with torch's zero gradient (not 0 * inf)
        out = loss.sum() * 0 + wrap(np.asarray(np.nan, dtype=input._data.dtype))
    else:
        out = loss.sum() / wrap(np.asarray(wt.sum(), dtype=input._data.dtype))
    return _named(out, "NllLossBackward0")


# --------------------------------------------------------------------------- binary
class BinaryCrossEntropy(Op):
    """l = -w (y log x + (1 - y) log(1 - x)), each log clamped to >= -100 (torch);
    dl/dx = w (x - y) / max(x (1 - x), 1e-12), dl/dy = w (log(1 - x) - log x)."""

    @staticmethod
    def forward(ctx, x, y, w):
        xd, yd = x._data, y._data
        if xd.size and ((xd < 0) | (xd > 1)).any():
            raise RuntimeError("all elements of input should be between 0 and 1")
        ctx.save_for_backward(x, y, w)
        lx = np.maximum(np.log(xd), -100)
        l1x = np.maximum(np.log1p(-xd), -100)
        loss = -(yd * lx + (1 - yd) * l1x)
        if w is not None:
            loss = loss * w._data
        return loss.astype(xd.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, y, w = ctx.saved_tensors
        gw = g if w is None else g * w
        gx = gw * (x - y) / (x * (1 - x)).clamp_min(1e-12) if ctx.needs_input_grad[0] else None
        gy = None
        if ctx.needs_input_grad[1]:
            gy = gw * ((1 - x).log().clamp_min(-100) - x.log().clamp_min(-100))
        return gx, gy, None


@autocast_policy("fp32")
def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                         reduce=None, reduction: str = "mean") -> Tensor:
    """l_i = -w_i (y_i log x_i + (1 - y_i) log(1 - x_i)), logs clamped to >= -100 (see BinaryCrossEntropy)."""
    reduction = _red(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}) "
                         "is deprecated. Please ensure they have the same size.")
    if weight is not None and tuple(weight.shape) != tuple(input.shape):
        weight = broadcast_to(weight, tuple(input.shape))
    loss = BinaryCrossEntropy.apply(input, target, weight)
    return _named(reduce_loss(loss, reduction), "BinaryCrossEntropyBackward0")


class BCEWithLogits(Op):
    """l = (1 - y) x + (1 + (q - 1) y) (log(1 + e^-|x|) + max(-x, 0)) (q = pos_weight; stable);
    dl/dx = (1 - y) - (1 + (q - 1) y) sigmoid(-x) (= sigmoid(x) - y without q);
    dl/dy = -x + (q - 1) softplus(-x). Times w."""

    @staticmethod
    def forward(ctx, x, y, w, q):
        xd, yd = x._data, y._data
        sp = np.log1p(np.exp(-np.abs(xd))) + np.maximum(-xd, 0)  # softplus(-x)
        lw = 1 + (q._data - 1) * yd if q is not None else 1
        loss = (1 - yd) * xd + lw * sp
        if w is not None:
            loss = loss * w._data
        ctx.save_for_backward(x, y, w, q)
        return np.asarray(loss, dtype=xd.dtype)

    @staticmethod
    def backward(ctx, g):
        x, y, w, q = ctx.saved_tensors
        gw = g if w is None else g * w
        lw = 1 + (q - 1) * y if q is not None else 1
        gx = gw * ((1 - y) - lw * (-x).sigmoid()) if ctx.needs_input_grad[0] else None
        gy = None
        if ctx.needs_input_grad[1]:
            gy = gw * (-x + (q - 1) * softplus(-x)) if q is not None else -gw * x
        return gx, gy, None, None


@autocast_policy("fp32")
def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average=None, reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """BCE on logits, stable: l = -w (q y log s(x) + (1 - y) log(1 - s(x))), s the sigmoid, q the
    pos_weight (broadcast along the class dim, the last one). Gradient: w (s(x) - y) without q."""
    reduction = _red(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    return _named(reduce_loss(BCEWithLogits.apply(input, target, weight, pos_weight), reduction),
                  "BinaryCrossEntropyWithLogitsBackward0")


# --------------------------------------------------------------------------- distributions
@autocast_policy("fp32")
def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """l_i = y_i (log y_i - x_i) (x are log-probabilities; 0 where y_i = 0), or with log_target
    e^(y_i) (y_i - x_i). 'batchmean' divides the sum by the batch size (the true KL divergence).
    d/dx = -y (or -e^y)."""
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.")
    if reduction not in ("none", "mean", "sum", "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        pos = target > 0
        loss = target * where(pos, target, 1).log() - target * input
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim else loss.sum()
    return reduce_loss(loss, reduction)


@autocast_policy("fp32")
def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None, reduction: str = "mean") -> Tensor:
    """log_input: l = e^x - y x; else l = x - y log(x + eps). full adds Stirling's
    y log y - y + 0.5 log(2 pi y) where y > 1. d/dx = e^x - y (log input) or 1 - y / (x + eps)."""
    reduction = _red(size_average, reduce, reduction)
    loss = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        safe = where(target > 1, target, 1)
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        loss = loss + where(target > 1, stirling, 0)
    return reduce_loss(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """l = 0.5 (log max(var, eps) + (x - y)^2 / max(var, eps)) (+ 0.5 log(2 pi) if full).
    var has input's shape, or one dim less, or a last dim of 1 (homoscedastic), or is a float.
    d/dx = (x - y) / var, d/dvar = 0.5 (1 / var - (x - y)^2 / var^2) (the eps clamp is not
    differentiated, as torch)."""
    if not isinstance(var, Tensor):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = input.new_full(tuple(input.shape), float(var))
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif tuple(input.shape[:-1]) == tuple(var.shape[:-1]) and var.shape[-1] == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    if bool((var._data < 0).any()):
        raise ValueError("var has negative entry/entries")
    var = var + (var.clamp_min(eps) - var).detach()
    loss = 0.5 * (var.log() + (input - target).square() / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return reduce_loss(loss, reduction)


