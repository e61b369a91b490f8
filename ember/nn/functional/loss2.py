"""Losses, part 2: margin and embedding losses, and CTC.

Notation as in ``loss.py``: x the input, y the target, N the batch, C the classes; [P] is 1 when P
holds. Gradients come from the composition except for CTC (a fused alpha-beta kernel).

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
from ... import where
from ...autograd.function import Op
from ...tensor import Tensor, wrap
from .distance import pairwise_distance
from .loss import _red, reduce_loss

__all__ = ["margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss", "multilabel_soft_margin_loss",
           "cosine_embedding_loss", "multi_margin_loss", "multilabel_margin_loss", "triplet_margin_loss",
           "triplet_margin_with_distance_loss", "ctc_loss"]


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
    from .activation import logsigmoid

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
        from ... import minimum

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
        from ... import minimum

        d_neg = minimum(d_neg, dist(positive, negative))
    return reduce_loss((margin + d_pos - d_neg).clamp_min(0), reduction)


# --------------------------------------------------------------------------- CTC
def _lse(*arrs):
    """log(sum exp) of same-shape arrays, safe when all are -inf."""
    m = arrs[0]
    for a in arrs[1:]:
        m = np.maximum(m, a)
    ms = np.where(np.isfinite(m), m, 0)
    s = sum(np.exp(a - ms) for a in arrs)
    with np.errstate(divide="ignore"):
        return np.log(s) + ms


def _shift(a: np.ndarray, k: int, fill=-np.inf) -> np.ndarray:
    """a shifted right by k along the last axis (a[..., s - k]), -inf filled."""
    out = np.full_like(a, fill)
    out[..., k:] = a[..., :-k] if k else a
    return out


class CTC(Op):
    """Connectionist temporal classification: -log sum over alignments of prod_t p_t(pi_t), by the
    alpha (forward) and beta (backward) recursions in log space, vectorised over the batch.

    With l' the target with blanks around each label (length L = 2S + 1):
    alpha_t(s) = lp_t(l'_s) + lse(alpha_{t-1}(s), alpha_{t-1}(s-1), alpha_{t-1}(s-2) if l'_s != blank and
    l'_s != l'_{s-2}); loss = -lse(alpha_{T-1}(L-1), alpha_{T-1}(L-2)). beta runs the mirror recursion.
    Gradient (as torch, which assumes log-softmax inputs): dl/dlp_t(c) = e^(lp_t(c)) -
    e^(lse_{s: l'_s = c}(alpha_t(s) + beta_t(s)) + loss - lp_t(c)). No double backward.
    """

    @staticmethod
    def forward(ctx, log_probs, ext, in_len, tgt_len, blank, reduction, zero_infinity):
        lp = log_probs._data.astype(np.float64)  # (T, N, C)
        T, N, C = lp.shape
        L = ext.shape[1]
        n_idx = np.arange(N)[:, None]
        lpe = lp[:, n_idx, ext]  # (T, N, L): log-prob of each extended label
        skip = np.zeros((N, L), bool)
        skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
        ext_len = 2 * tgt_len + 1
        s_ar = np.arange(L)[None, :]
        alpha = np.full((T, N, L), -np.inf)
        alpha[0, :, 0] = lpe[0, :, 0]
        alpha[0, :, 1:2] = np.where((tgt_len > 0)[:, None], lpe[0, :, 1:2], -np.inf) if L > 1 else alpha[0, :, 1:2]
        for t in range(1, T):
            a = alpha[t - 1]
            alpha[t] = _lse(a, _shift(a, 1), np.where(skip, _shift(a, 2), -np.inf)) + lpe[t]
        last = alpha[in_len - 1, np.arange(N)]  # (N, L)
        end1 = last[np.arange(N), ext_len - 1]
        end2 = np.where(tgt_len > 0, last[np.arange(N), np.maximum(ext_len - 2, 0)], -np.inf)
        nll = -_lse(end1, end2)
        inf = np.isinf(nll)
        if zero_infinity:
            nll = np.where(inf, 0.0, nll)
        if ctx.next is not None:
            ctx.vals = (lp, lpe, ext, skip, ext_len, in_len, tgt_len, s_ar, alpha, nll, inf)
            ctx.blank, ctx.reduction, ctx.zero_inf, ctx.dtype = blank, reduction, zero_infinity, log_probs._data.dtype
        out = _ctc_reduce(nll, tgt_len, reduction)
        return np.asarray(out, dtype=log_probs._data.dtype)

    @staticmethod
    def backward(ctx, g):
        lp, lpe, ext, skip, ext_len, in_len, tgt_len, s_ar, alpha, nll, inf = ctx.vals
        T, N, C = lp.shape
        L = ext.shape[1]
        valid_s = s_ar < ext_len[:, None]
        skip_next = np.zeros((N, L), bool)  # beta may jump s -> s + 2
        skip_next[:, :-2] = skip[:, 2:]
        beta = np.full((T, N, L), -np.inf)
        nxt = np.full((N, L), -np.inf)
        for t in range(T - 1, -1, -1):
            start = (in_len - 1 == t)[:, None]
            init = np.where((s_ar == ext_len[:, None] - 1) | ((s_ar == ext_len[:, None] - 2) & (tgt_len > 0)[:, None]),
                            lpe[t], -np.inf)
            back = _lse(nxt, _unshift(nxt, 1), np.where(skip_next, _unshift(nxt, 2), -np.inf)) + lpe[t]
            cur = np.where(start, init, np.where((t < in_len - 1)[:, None], back, -np.inf))
            cur = np.where(valid_s, cur, -np.inf)
            beta[t] = cur
            nxt = cur
        ab = alpha + beta  # (T, N, L): log alpha beta (each holds y_t once)
        m = ab.max(axis=2, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        e = np.exp(ab - m)
        onehot = np.zeros((N, L, C))
        onehot[np.arange(N)[:, None], s_ar, ext] = valid_s
        summed = np.matmul(e.transpose(1, 0, 2), onehot).transpose(1, 0, 2)  # (T, N, C)
        with np.errstate(divide="ignore"):
            lcab = np.log(summed) + m
        grad = np.exp(lp) - np.exp(lcab + nll[None, :, None] - lp)
        grad[np.arange(T)[:, None] >= in_len[None, :]] = 0
        gd = g._data
        scale = _ctc_grad_scale(gd, tgt_len, ctx.reduction, N)
        if ctx.zero_inf:
            scale = np.where(inf, 0.0, scale)
        grad = grad * scale[None, :, None]
        grad = np.where(np.isnan(grad) & ctx.zero_inf, 0.0, grad)
        return wrap(grad.astype(ctx.dtype)),


def _unshift(a: np.ndarray, k: int) -> np.ndarray:
    """a[..., s + k], -inf filled."""
    out = np.full_like(a, -np.inf)
    out[..., :-k] = a[..., k:]
    return out


def _ctc_reduce(nll: np.ndarray, tgt_len: np.ndarray, reduction: str):
    if reduction == "mean":
        return (nll / np.maximum(tgt_len, 1)).mean()
    if reduction == "sum":
        return nll.sum()
    return nll


def _ctc_grad_scale(gd: np.ndarray, tgt_len: np.ndarray, reduction: str, N: int) -> np.ndarray:
    if reduction == "mean":
        return np.full(N, float(gd)) / np.maximum(tgt_len, 1) / N
    if reduction == "sum":
        return np.full(N, float(gd))
    return gd.astype(np.float64).reshape(N)


def _lengths(x, name: str) -> np.ndarray:
    if isinstance(x, Tensor):
        return x._data.astype(np.int64).reshape(-1)
    return np.asarray(x, dtype=np.int64).reshape(-1)


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """CTC loss of (T, N, C) log-probabilities (or (T, C) unbatched) against padded (N, S) targets or
    concatenated 1-D targets. 'mean' divides each loss by its target length, then averages."""
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    unbatched = log_probs.ndim == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
        targets = targets.unsqueeze(0) if targets.ndim == 1 else targets
    T, N, C = log_probs.shape
    in_len, tgt_len = _lengths(input_lengths, "input_lengths"), _lengths(target_lengths, "target_lengths")
    if in_len.size != N:
        raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value {in_len.size}")
    if (in_len > T).any():
        raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value {in_len.max()} "
                           "(while checking arguments for ctc_loss_allocate_outputs)")
    td = targets._data.astype(np.int64)
    S = int(tgt_len.max()) if tgt_len.size else 0
    ext = np.full((N, 2 * S + 1), blank, dtype=np.int64)
    if td.ndim == 2:
        if td.shape[1] < S:
            raise RuntimeError(f"Expected tensor to have size at least {S} at dimension 1, but got size "
                               f"{td.shape[1]} for argument #2 'targets' (while checking arguments for "
                               "ctc_loss_allocate_outputs)")
        lab = td[:, :S]
    else:
        if td.size != tgt_len.sum():
            raise RuntimeError(f"Expected tensor to have size at least {tgt_len.sum()} at dimension 0, but got "
                               f"size {td.size} for argument #2 'targets'")
        lab = np.full((N, S), blank, dtype=np.int64)
        starts = np.r_[0, np.cumsum(tgt_len)[:-1]]
        for n in range(N):
            lab[n, :tgt_len[n]] = td[starts[n]:starts[n] + tgt_len[n]]
    keep = np.arange(S)[None, :] < tgt_len[:, None]
    ext[:, 1::2] = np.where(keep, lab, blank)
    out = CTC.apply(log_probs, ext, in_len, tgt_len, blank, reduction, zero_infinity)
    if unbatched and reduction == "none":
        out = out.reshape(())
    return out
