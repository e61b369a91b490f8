"""Margin, ranking and embedding losses (hinge-type: zero once the margin is met).

Notation as in ``loss.py``: x the input, y the target, N the batch, C the classes; [P] is 1 when P
holds. Gradients come from the composition.

>>> import ember
>>> import ember.nn.functional as F
>>> F.margin_ranking_loss(ember.tensor([1.0]), ember.tensor([2.0]), ember.tensor([1.0]))
tensor(1.)
>>> F.multi_margin_loss(ember.tensor([[0.1, 0.2, 0.4, 0.8]]), ember.tensor([3]))
tensor(0.3250)
"""
from __future__ import annotations

import numpy as np

from ..._autocast import autocast_policy
from ...ops.arith import minimum
from ...ops.ternary import where
from ...tensor import Tensor, wrap
from .activation import logsigmoid
from .distance import pairwise_distance
from ._reduction import _red, reduce_loss

__all__ = ["margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss", "multilabel_soft_margin_loss", "cosine_embedding_loss", "multi_margin_loss", "multilabel_margin_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss"]


@autocast_policy("fp32")
def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:
    """l = max(0, -y (x1 - x2) + margin), y in {1, -1}; d/dx1 = -y where the hinge is active."""
    reduction = _red(size_average, reduce, reduction)
    if not (input1.ndim == input2.ndim == target.ndim):
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    return reduce_loss((-target * (input1 - input2) + margin).clamp_min(0), reduction)


@autocast_policy("fp32")
def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average=None, reduce=None,
                         reduction: str = "mean") -> Tensor:
    """l = x if y = 1, max(0, margin - x) if y = -1 (torch: x where y != -1 plus the hinge where y != 1)."""
    reduction = _red(size_average, reduce, reduction)
    hinge = where(target != 1, (margin - input).clamp_min(0), 0.0)
    return reduce_loss(hinge + where(target != -1, input, 0.0), reduction)


@autocast_policy("fp32")
def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """l = log(1 + e^(-y x)); d/dx = -y sigmoid(-y x)."""
    reduction = _red(size_average, reduce, reduction)
    return reduce_loss((-input * target).exp().log1p(), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                                reduce=None, reduction: str = "mean") -> Tensor:
    """l_n = -(1/C) sum_c w_c (y_c log s(x_c) + (1 - y_c) log s(-x_c)), s the sigmoid;
    d/dx_c = w_c (s(x_c) - y_c) / C."""
    reduction = _red(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    cdim = input.ndim - 1
    return reduce_loss(loss.sum(cdim) / input.shape[cdim], reduction)


@autocast_policy("fp32")
def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, size_average=None,
                          reduce=None, reduction: str = "mean") -> Tensor:
    """cos = x1.x2 / sqrt((|x1|^2 + 1e-12)(|x2|^2 + 1e-12)); l = 1 - cos if y = 1,
    max(0, cos - margin) if y = -1."""
    reduction = _red(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim not in (1, 2):
        raise RuntimeError(f"cosine_embedding_loss : Input to cosine_embedding_loss should be either 1D or 2D, "
                           f"got {input1.ndim}D and {input2.ndim}D")
    d = input1.ndim - 1
    prod = (input1 * input2).sum(d)
    m1 = (input1 * input1).sum(d) + 1e-12
    m2 = (input2 * input2).sum(d) + 1e-12
    cos = prod / (m1 * m2).sqrt()
    loss = where(target == 1, 1 - cos, 0.0) + where(target == -1, (cos - margin).clamp_min(0), 0.0)
    return reduce_loss(loss, reduction)


def _onehot_mask(t: np.ndarray, C: int, dtype) -> np.ndarray:
    m = np.zeros((t.size, C), dtype=dtype)
    m[np.arange(t.size), t] = 1
    return m


@autocast_policy("fp32")
def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,
                      size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """The multiclass SVM hinge (EECS 498): l_n = (1/C) sum_{j != y_n} w_{y_n} max(0, margin - x_{y_n} + x_j)^p,
    p in {1, 2}. d/dx_j = w p h^(p-1) / C on active terms (h the hinge), and minus their sum for x_{y_n}."""
    reduction = _red(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    unbatched = input.ndim <= 1
    x = input.reshape(1, -1) if unbatched else input
    t = target._data.reshape(-1).astype(np.int64)
    C = x.shape[1]
    if x.ndim != 2 or t.size != x.shape[0]:
        raise RuntimeError(f"inconsistent target size, expected {x.shape[0]} but got {list(target.shape)}")
    if t.size and (t.min() < 0 or t.max() >= C):
        raise RuntimeError("target out of range")
    xy = x.gather(1, wrap(t[:, None]))
    h = (margin - xy + x).clamp_min(0)
    if p == 2:
        h = h * h
    if weight is not None:
        h = h * weight[wrap(t)].unsqueeze(1)
    loss = (h * wrap(1 - _onehot_mask(t, C, x._data.dtype))).sum(1) / C
    if unbatched:
        loss = loss.reshape(tuple(target.shape)) if target.ndim else loss.reshape(())
    return reduce_loss(loss, reduction)


@autocast_policy("fp32")
def multilabel_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                           reduction: str = "mean") -> Tensor:
    """l_n = sum_{j in targets} sum_{k not in targets} max(0, 1 - (x_j - x_k)) / C, where the targets of
    sample n are y_n's entries before the first -1."""
    reduction = _red(size_average, reduce, reduction)
    unbatched = input.ndim <= 1
    x = input.reshape(1, -1) if unbatched else input
    t = target._data.reshape(x.shape).astype(np.int64)
    N, C = x.shape
    listed = np.cumprod(t >= 0, axis=1).astype(bool)  # entries before the first -1
    tc = np.where(listed, t, 0)
    is_target = np.zeros((N, C), bool)
    rows = np.repeat(np.arange(N), C)
    is_target[rows[listed.reshape(-1)], tc[listed]] = True
    xj = x.gather(1, wrap(tc))  # (N, C): x at each listed target
    h = (1 - xj.unsqueeze(2) + x.unsqueeze(1)).clamp_min(0)  # (N, C, C): j listed, k any
    mask = (listed[:, :, None] & ~is_target[:, None, :]).astype(x._data.dtype)
    loss = (h * wrap(mask)).sum((1, 2)) / C
    if unbatched:
        loss = loss.reshape(())
    return reduce_loss(loss, reduction)


@autocast_policy("fp32")
def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average=None, reduce=None,
                        reduction: str = "mean") -> Tensor:
    """l = max(d(a, p) - d(a, n) + margin, 0) with d the pairwise p-distance (d(a, n) replaced by
    min(d(a, n), d(p, n)) when swap)."""
    reduction = _red(size_average, reduce, reduction)
    if not (anchor.ndim == positive.ndim == negative.ndim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative "
                           f"{negative.ndim}D inputs")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return reduce_loss((margin + d_pos - d_neg).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function=None, margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean") -> Tensor:
    """As ``triplet_margin_loss`` with any distance function (default: the pairwise 2-distance)."""
    if margin <= 0:
        raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {margin} "
                         "instead")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos, d_neg = dist(anchor, positive), dist(anchor, negative)
    if swap:
        d_neg = minimum(d_neg, dist(positive, negative))
    return reduce_loss((margin + d_pos - d_neg).clamp_min(0), reduction)
