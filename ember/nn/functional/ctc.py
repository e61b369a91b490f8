"""Connectionist temporal classification loss (Graves et al., 2006): the negative log-likelihood of a target
sequence summed over every alignment of it to the input frames (with blanks and repeats), computed by the
alpha-beta recursion in log space as one fused op (a Python loop over alignments would be exponential).

>>> import ember
>>> import ember.nn.functional as F
>>> lp = ember.randn(5, 1, 3).log_softmax(2)
>>> F.ctc_loss(lp, ember.tensor([[1, 2]]), [5], [2]).shape
ember.Size([])
"""
from __future__ import annotations

import numpy as np

from ...autograd.function import Op
from ...tensor import Tensor
from ._fused import finish_backward

__all__ = ["ctc_loss"]


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
            ctx.log_probs = log_probs  # what the gradient depends on, for finish_backward
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
        # no double backward, as torch (its _ctc_loss_backward has no derivative): create_graph ties the
        # gradient to a node that raises when differentiated
        return finish_backward("ctc_loss", (g,), [grad.astype(ctx.dtype)], (ctx.log_probs,))


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
