"""``F.scaled_dot_product_attention`` (one fused op) and ``F.multi_head_attention_forward``.

Attention(Q, K, V) = softmax(Q K^T * scale + M) V, scale = 1/sqrt(E) unless given; M is the mask
(bool: True = may attend, False = -inf; float: added), causal = lower-triangular (top-left aligned).
Rows whose every key is masked give zeros (torch's safe softmax).

Gradients, with P the probabilities and D the dropout mask scaled by 1/(1-p):
dV = (P D)^T dO;  dP = (dO V^T) D;  dS = P (dP - rowsum(dP P));  dQ = scale dS K;  dK = scale dS^T Q.
The fused op saves only P (and the bool dropout mask); its softmax is stable and in place. Its
backward runs on raw arrays; under ``create_graph=True`` it is the same formula in ember ops (P recomputed
from Q and K, the same dropout mask), so it has a double backward.

>>> import ember
>>> import ember.nn.functional as F
>>> q = k = v = ember.randn(2, 4, 8, 16)                 # (N, heads, L, E)
>>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
ember.Size([2, 4, 8, 16])
"""
from __future__ import annotations

import math

import numpy as np

from ..._autocast import autocast_policy
from ...autograd.function import Op, records
from ...ops.creation import zeros
from ...ops.contract import matmul
from ...ops.joining import cat
from ...ops.softmax import SoftmaxBackward, softmax
from ...random import np_rng
from ...tensor import Tensor, wrap
from .linear import linear

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _sum_to(a: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum a broadcast gradient back to ``shape``."""
    if a.shape == tuple(shape):
        return a
    lead = a.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and a.shape[i + lead] != 1)
    return a.sum(axis=axes, keepdims=True).reshape(shape)


def _softmax_(s: np.ndarray) -> np.ndarray:
    """Stable softmax over the last axis, in place; fully masked (-inf) rows become zeros."""
    m = s.max(axis=-1, keepdims=True)
    m[~np.isfinite(m)] = 0.0
    s -= m
    np.exp(s, out=s)
    tot = s.sum(axis=-1, keepdims=True)
    tot[tot == 0] = 1.0
    s /= tot
    return s


class ScaledDotProductAttention(Op):
    """softmax(Q K^T scale + mask) V, fused; optionally also returns the probabilities P (for
    ``need_weights``). A double backward through ember ops (``_composite_backward``)."""

    materialize = False

    @staticmethod
    def forward(ctx, q, k, v, mask, dropout_p, scale, is_causal, return_probs):
        qd, kd, vd = q._data, k._data, v._data
        s = np.matmul(qd, np.swapaxes(kd, -1, -2))
        s *= s.dtype.type(scale)
        if mask is not None:
            if mask.dtype == np.bool_:
                np.copyto(s, -np.inf, where=~mask)
            else:
                s += mask
        if is_causal:
            L, S = s.shape[-2], s.shape[-1]
            np.copyto(s, -np.inf, where=~np.tri(L, S, dtype=bool))
        p = _softmax_(s)
        keep = None
        pd = p
        if dropout_p > 0.0:
            keep = np_rng(None).random(p.shape) >= dropout_p
            pd = p * keep
            pd *= pd.dtype.type(1.0 / (1.0 - dropout_p))
        out = np.matmul(pd, vd)
        if ctx.next is not None:
            ctx.p, ctx.keep, ctx.scale, ctx.dropout_p = p, keep, scale, dropout_p
            ctx.mask, ctx.is_causal = mask, is_causal
            ctx.save_for_backward(q, k, v)
        if return_probs:
            return out, p.copy() if ctx.next is not None else p
        return out

    @staticmethod
    def backward(ctx, g_out, g_p=None):
        q, k, v = ctx.saved_tensors
        if records(g_out, g_p, q, k, v):  # create_graph: the composite in ember ops, differentiable again
            return _composite_backward(ctx, g_out, g_p, q, k, v)
        qd, kd, vd, p, keep = q._data, k._data, v._data, ctx.p, ctx.keep
        need = ctx.needs_input_grad
        inv_keep = p.dtype.type(1.0 / (1.0 - ctx.dropout_p)) if keep is not None else None
        dq = dk = dv = None
        if g_out is not None:
            g = g_out._data
            if need[2]:
                pd = p if keep is None else (p * keep) * inv_keep
                dv = _sum_to(np.matmul(np.swapaxes(pd, -1, -2), g), vd.shape)
            dp = np.matmul(g, np.swapaxes(vd, -1, -2))
            if keep is not None:
                dp *= keep
                dp *= inv_keep
            if g_p is not None:
                dp += g_p._data
        else:
            dp = g_p._data.copy()
        dp -= (dp * p).sum(axis=-1, keepdims=True)
        dp *= p  # dS
        dp *= dp.dtype.type(ctx.scale)
        if need[0]:
            dq = _sum_to(np.matmul(dp, kd), qd.shape)
        if need[1]:
            dk = _sum_to(np.matmul(np.swapaxes(dp, -1, -2), qd), kd.shape)
        return tuple(None if d is None else wrap(d) for d in (dq, dk, dv))


def _composite_backward(ctx, g_out, g_p, q, k, v) -> tuple:
    """The gradients above in ember ops, with P recomputed from q and k (softmax, its backward op, the same
    dropout mask), so that ``create_graph=True`` records them and they have derivatives of every order."""
    need = ctx.needs_input_grad
    s = matmul(q, k.transpose(-2, -1)) * ctx.scale
    if ctx.mask is not None:
        m = wrap(ctx.mask)
        s = s.masked_fill(~m, -math.inf) if ctx.mask.dtype == np.bool_ else s + m
    if ctx.is_causal:
        s = s.masked_fill(wrap(~np.tri(s.shape[-2], s.shape[-1], dtype=bool)), -math.inf)
    p = softmax(s, -1)
    drop = None if ctx.keep is None else wrap(ctx.keep * p._data.dtype.type(1.0 / (1.0 - ctx.dropout_p)))
    dq = dk = dv = None
    dp = g_p
    if g_out is not None:
        if need[2]:
            dv = matmul((p if drop is None else p * drop).transpose(-2, -1), g_out).sum_to_size(v.shape)
        dpd = matmul(g_out, v.transpose(-2, -1))
        dpd = dpd if drop is None else dpd * drop
        dp = dpd if dp is None else dpd + dp
    ds = SoftmaxBackward.apply(dp, p, -1) * ctx.scale
    if need[0]:
        dq = matmul(ds, k).sum_to_size(q.shape)
    if need[1]:
        dk = matmul(ds.transpose(-2, -1), q).sum_to_size(k.shape)
    return dq, dk, dv


def _mask_array(attn_mask, dtype) -> np.ndarray | None:
    if attn_mask is None:
        return None
    m = attn_mask._data if isinstance(attn_mask, Tensor) else np.asarray(attn_mask)
    return m if m.dtype == np.bool_ else m.astype(dtype, copy=False)


@autocast_policy("lower")
def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(Q K^T * scale + mask) V over the last two dims; Q (..., Hq, L, E), K (..., H, S, E),
    V (..., H, S, Ev) -> (..., Hq, L, Ev). With ``enable_gqa``, Hq may be a multiple of H (grouped
    query attention: each group of Hq/H query heads shares one K/V head)."""
    if query.dtype != key.dtype or query.dtype != value.dtype:
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{query.dtype} key.dtype: {key.dtype} and value.dtype: {value.dtype} instead.")
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError(f"Expected query and key to have the same last dimension (embedding size), but got "
                           f"{query.shape[-1]} and {key.shape[-1]}")
    E = query.shape[-1]
    sc = 1.0 / math.sqrt(E) if scale is None else float(scale)
    mask = _mask_array(attn_mask, query._data.dtype)
    hq, hk = (query.shape[-3], key.shape[-3]) if query.dim() >= 3 and key.dim() >= 3 else (1, 1)
    if enable_gqa and hq != hk:
        if hq % hk:
            raise RuntimeError(f"number of heads in query ({hq}) must be a multiple of the number of heads in "
                               f"key/value ({hk}) for grouped query attention")
        return _gqa(query, key, value, mask, dropout_p, is_causal, sc, hq // hk)
    return ScaledDotProductAttention.apply(query, key, value, mask, float(dropout_p), sc, is_causal, False)


def _gqa(query, key, value, mask, dropout_p, is_causal, scale, groups):
    """Grouped-query attention without repeating K/V: fold each head group into the query length."""
    lead, L = tuple(query.shape[:-3]), query.shape[-2]
    hk = key.shape[-3]
    q = query.reshape(*lead, hk, groups * L, query.shape[-1])
    if mask is not None or is_causal:
        S = key.shape[-2]
        full = np.ones((L, S), bool) if mask is None else mask
        if is_causal:
            full = full & np.tri(L, S, dtype=bool) if full.dtype == np.bool_ else \
                np.where(np.tri(L, S, dtype=bool), full, -np.inf).astype(full.dtype)
        full = np.broadcast_to(full, (*lead, hk * groups, L, S)).reshape(*lead, hk, groups * L, S)
        mask = full
    out = ScaledDotProductAttention.apply(q, key, value, mask, float(dropout_p), scale, False, False)
    return out.reshape(*lead, hk * groups, L, value.shape[-1])


# ------------------------------------------------------------------ multi-head attention
def _float_mask(mask, name: str, dtype) -> np.ndarray | None:
    """torch's canonical mask: bool (True = masked out) -> 0 / -inf floats; floats as given."""
    if mask is None:
        return None
    m = mask._data
    if m.dtype == np.bool_:
        return np.where(m, -np.inf, 0.0).astype(dtype)
    if m.dtype.kind != "f":
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return m.astype(dtype, copy=False)


def _in_projection(query, key, value, num_heads, w, b, separate, q_w, k_w, v_w):
    E = query.shape[-1]
    if not separate:
        if query is key and key is value:
            proj = linear(query, w, b)
            return proj[..., :E], proj[..., E:2 * E], proj[..., 2 * E:]
        bq, bkv = (None, None) if b is None else (b[:E], b[E:])
        q = linear(query, w[:E], bq)
        if key is value:
            kv = linear(key, w[E:], bkv)
            return q, kv[..., :E], kv[..., E:]
        bk, bv = (None, None) if b is None else (b[E:2 * E], b[2 * E:])
        return q, linear(key, w[E:2 * E], bk), linear(value, w[2 * E:], bv)
    bq, bk, bv = (None, None, None) if b is None else (b[:E], b[E:2 * E], b[2 * E:])
    return linear(query, q_w, bq), linear(key, k_w, bk), linear(value, v_w, bv)


def multi_head_attention_forward(query, key, value, embed_dim_to_check: int, num_heads: int, in_proj_weight,
                                 in_proj_bias, bias_k, bias_v, add_zero_attn: bool, dropout_p: float,
                                 out_proj_weight, out_proj_bias, training: bool = True, key_padding_mask=None,
                                 need_weights: bool = True, attn_mask=None, use_separate_proj_weight: bool = False,
                                 q_proj_weight=None, k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights: bool = True, is_causal: bool = False):
    """torch's multi-head attention on sequence-first inputs (L, N, E) or unbatched (L, E);
    returns (output (L, N, E), weights (N, L, S) averaged over heads, (N, H, L, S), or None)."""
    batched = query.dim() == 3
    if not batched:
        query, key, value = (t.unsqueeze(1) for t in (query, key, value)) if not (query is key is value) \
            else (query.unsqueeze(1),) * 3
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    L, N, E = query.shape
    if E != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {E}")
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    H = num_heads
    hd = E // H
    if hd * H != E:
        raise AssertionError(f"embed_dim {E} not divisible by num_heads {H}")
    dt = query._data.dtype
    q, k, v = _in_projection(query, key, value, H, in_proj_weight, in_proj_bias, use_separate_proj_weight,
                             q_proj_weight, k_proj_weight, v_proj_weight)
    mask = _float_mask(attn_mask, "attn_mask", dt)
    if mask is not None:
        if mask.ndim == 2:
            if mask.shape != (L, key.shape[0]):
                raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(mask.shape)}, but should be "
                                   f"{(L, key.shape[0])}.")
            mask = mask[None]
        elif mask.shape != (N * H, L, key.shape[0]):
            raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(mask.shape)}, but should be "
                               f"{(N * H, L, key.shape[0])}.")
    kpm = _float_mask(key_padding_mask, "key_padding_mask", dt)
    if bias_k is not None and bias_v is not None:
        k = cat([k, bias_k.expand(1, N, E)])
        v = cat([v, bias_v.expand(1, N, E)])
        mask = None if mask is None else np.pad(mask, ((0, 0), (0, 0), (0, 1)))
        kpm = None if kpm is None else np.pad(kpm, ((0, 0), (0, 1)))
    q = q.reshape(L, N * H, hd).transpose(0, 1)
    k = (k.reshape(k.shape[0], N * H, hd).transpose(0, 1) if static_k is None else static_k)
    v = (v.reshape(v.shape[0], N * H, hd).transpose(0, 1) if static_v is None else static_v)
    if add_zero_attn:
        k = cat([k, zeros(N * H, 1, hd, dtype=k.dtype)], 1)
        v = cat([v, zeros(N * H, 1, hd, dtype=v.dtype)], 1)
        mask = None if mask is None else np.pad(mask, ((0, 0), (0, 0), (0, 1)))
        kpm = None if kpm is None else np.pad(kpm, ((0, 0), (0, 1)))
    S = k.shape[1]
    if kpm is not None:
        if kpm.shape != (N, S):
            raise AssertionError(f"expecting key_padding_mask shape of {(N, S)}, but got {tuple(kpm.shape)}")
        kpm = np.broadcast_to(kpm[:, None, None, :], (N, H, 1, S)).reshape(N * H, 1, S)
        mask = kpm if mask is None else mask + kpm
    p = dropout_p if training else 0.0
    res = ScaledDotProductAttention.apply(q, k, v, mask, float(p), 1.0 / math.sqrt(hd), False, need_weights)
    out, probs = res if need_weights else (res, None)
    out = out.transpose(0, 1).reshape(L * N, E)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(L, N, E)
    if probs is not None:
        probs = probs.reshape(N, H, L, S)
        if average_attn_weights:
            probs = probs.mean(1)
        if not batched:
            probs = probs.squeeze(0)
    if not batched:
        out = out.squeeze(1)
    return out, probs
