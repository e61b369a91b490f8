"""``F.scaled_dot_product_attention`` (one fused op) and ``F.multi_head_attention_forward``.

Attention(Q, K, V) = softmax(Q K^T * scale + M) V, scale = 1/sqrt(E) unless given; M is the mask
(bool: True = may attend, False = -inf; float: added), causal = lower-triangular (top-left aligned).
Rows whose every key is masked give zeros (torch's safe softmax).

Gradients, with P the probabilities and D the dropout mask scaled by 1/(1-p):
dV = (P D)^T dO;  dP = (dO V^T) D;  dS = P (dP - rowsum(dP P));  dQ = scale dS K;  dK = scale dS^T Q.
The fused op saves only P (and the bool dropout mask); its softmax is stable and in place. Its backward is
the backward op ``AttentionBackward`` (these lines on raw arrays), whose own backward is their derivative in
ember ops, so ``create_graph=True`` gives derivatives of every order, each written once.

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
from ...autograd.engine import sum_to
from ...autograd.function import SECOND_BACKWARD, Op
from ...ops.creation import zeros
from ...ops.contract import matmul
from ...ops.joining import cat
from ...ops.softmax import SoftmaxBackward
from ...random import np_rng
from ...tensor import Tensor, wrap
from .linear import linear

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


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
    """softmax(Q K^T scale + mask) V, fused for memory and speed (one (L, S) buffer, the softmax in place);
    optionally also returns the probabilities P (for ``need_weights``). Its backward is ``AttentionBackward``."""

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
            ctx.save_for_backward(q, k, v)
        if return_probs:
            return out, p.copy() if ctx.next is not None else p
        return out

    @staticmethod
    def backward(ctx, g_out, g_p=None):
        q, k, v = ctx.saved_tensors
        p, keep = ctx.p, ctx.keep
        if p is None:
            raise RuntimeError(SECOND_BACKWARD)
        ctx.free("p", "keep")
        probs = AttentionProbs.apply(q, k, p, ctx.scale)
        return AttentionBackward.run(g_out, g_p, q, k, v, probs, keep, ctx.dropout_p, ctx.scale,
                                     ctx.needs_input_grad[:3])


class AttentionProbs(Op):
    """P = softmax(Q K^T scale + M) as a function of Q and K, holding the forward's values (nothing is
    recomputed): the input P of ``AttentionBackward``, so that a derivative of the attention gradient reaches
    Q and K through P too. d/dQ, d/dK of <gP, P> are ``AttentionBackward`` with dO = 0."""

    save_output = True

    @staticmethod
    def forward(ctx, q, k, p, scale):
        ctx.save_for_backward(q, k)
        ctx.scale = scale
        return p

    @staticmethod
    def backward(ctx, gp):
        q, k = ctx.saved_tensors
        need = ctx.needs_input_grad
        dq, dk, _ = AttentionBackward.run(None, gp, q, k, None, ctx.output, None, 0.0, ctx.scale,
                                          (need[0], need[1], False))
        return dq, dk


class AttentionBackward(Op):
    """The backward op of attention O = (P*D) V, P = softmax(S), S = scale Q K^T + M (D: the dropout mask
    scaled by 1/(1-p), or 1). From dO (``g``) and dL/dP (``gp``: the returned weights' gradient), on raw arrays:
        dV = (P*D)^T dO,  dP = (dO V^T)*D + gp,  dS = P*(dP - rowsum(dP*P)),  dQ = scale dS K,  dK = scale dS^T Q.
    P is an input (``AttentionProbs``), so its own backward is the product rule on these lines, in ember ops.
    With a, b, c the gradients of dQ, dK, dV, G = scale (a K^T + Q b^T) (of dS) and gP = SoftmaxBackward(G, P)
    (of dP, as dS is linear in dP and self-adjoint):
        d/dgp = gP,  d/dO = (gP*D) V + (P*D) c,  d/dV = (gP*D)^T dO,  d/dQ = scale dS b,  d/dK = scale dS^T a,
        d/dP = G*(dP - rowsum(dP*P)) - dP*rowsum(G*P) + (dO c^T)*D,
    and ``AttentionProbs`` carries d/dP on to Q and K (this op again): every order of derivative is recorded.

    >>> import ember, ember.nn.functional as F
    >>> q, k, v = (ember.randn(1, 3, 2, dtype=ember.float64, requires_grad=True) for _ in range(3))
    >>> gq, = ember.autograd.grad(F.scaled_dot_product_attention(q, k, v).pow(2).sum(), q, create_graph=True)
    >>> gq.grad_fn.name()
    'AttentionBackwardBackward0'
    >>> ember.autograd.gradgradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
    ...                              (q, k, v))
    True
    """

    materialize = False  # a missing output gradient stays None

    @staticmethod
    def run(g, gp, q, k, v, probs, keep, dropout_p: float, scale: float, need: tuple) -> tuple:
        """(dQ, dK, dV), None where ``need`` (three bools) says not needed (dV also when dO is None)."""
        need = (need[0], need[1], need[2] and g is not None)
        out = AttentionBackward.apply(g, gp, q, k, v, probs, keep, dropout_p, scale, need)
        return tuple(o if n else None for o, n in zip(out, need))

    @staticmethod
    def forward(ctx, g, gp, q, k, v, probs, keep, dropout_p, scale, need):
        ctx.save_for_backward(g, gp, q, k, v, probs)
        ctx.keep, ctx.dropout_p, ctx.scale = keep, dropout_p, scale
        qd, kd, p = q._data, k._data, probs._data
        none = np.empty(0, p.dtype)  # an output not asked for (``run`` drops it)
        inv_keep = p.dtype.type(1.0 / (1.0 - dropout_p)) if keep is not None else None
        dv = none
        if g is not None:
            gd, vd = g._data, v._data
            if need[2]:
                pd = p if keep is None else (p * keep) * inv_keep
                dv = sum_to(np.matmul(np.swapaxes(pd, -1, -2), gd), vd.shape)
            dp = np.matmul(gd, np.swapaxes(vd, -1, -2))
            if keep is not None:
                dp *= keep
                dp *= inv_keep
            if gp is not None:
                dp += gp._data
        else:
            dp = gp._data.copy()
        dp -= (dp * p).sum(axis=-1, keepdims=True)
        dp *= p  # dS
        dp *= dp.dtype.type(scale)
        dq = sum_to(np.matmul(dp, kd), qd.shape) if need[0] else none
        dk = sum_to(np.matmul(np.swapaxes(dp, -1, -2), qd), kd.shape) if need[1] else none
        return dq, dk, dv

    @staticmethod
    def backward(ctx, a, b, c):
        g, gp, q, k, v, p = ctx.saved_tensors
        need, sc = ctx.needs_input_grad, ctx.scale
        drop = None if ctx.keep is None else wrap(ctx.keep * p._data.dtype.type(1.0 / (1.0 - ctx.dropout_p)))

        def dropped(t):  # t*D
            return t if drop is None else t * drop

        def mt(t):
            return t.transpose(-2, -1)

        dp = _plus(None if g is None else dropped(matmul(g, mt(v))), gp)
        d_g = d_gp = dq = dk = dv = d_p = None
        if a is not None or b is not None:
            ds = SoftmaxBackward.apply(dp, p, -1) * sc  # scale dS
            big_g = _plus(None if a is None else matmul(a, mt(k)), None if b is None else matmul(q, mt(b))) * sc
            g_dp = SoftmaxBackward.apply(big_g, p, -1)
            dq = matmul(ds, b).sum_to_size(q.shape) if b is not None and need[2] else None
            dk = matmul(mt(ds), a).sum_to_size(k.shape) if a is not None and need[3] else None
            d_gp = g_dp.sum_to_size(gp.shape) if need[1] else None
            if g is not None:
                d_g = matmul(dropped(g_dp), v) if need[0] else None
                dv = matmul(mt(dropped(g_dp)), g).sum_to_size(v.shape) if need[4] else None
            if need[5]:
                d_p = big_g * (dp - (dp * p).sum(-1, keepdim=True)) - dp * (big_g * p).sum(-1, keepdim=True)
        if c is not None and g is not None:
            d_g = _plus(d_g, matmul(dropped(p), c)) if need[0] else None
            d_p = _plus(d_p, dropped(matmul(g, mt(c)))) if need[5] else None
        d_g = None if d_g is None else d_g.sum_to_size(g.shape)
        d_p = None if d_p is None else d_p.sum_to_size(p.shape)
        return d_g, d_gp, dq, dk, dv, d_p


def _plus(x, y):
    """x + y where either may be None (absent)."""
    return y if x is None else x if y is None else x + y


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
