"""``nn.MultiheadAttention`` (torch keeps it in activation.py; here it has its own file).

MultiHead(Q, K, V) = concat(head_1, ..., head_h) W_O + b_O,  head_i = softmax(Q W_Qi (K W_Ki)^T / sqrt(d) + M) V W_Vi,
with d = embed_dim / num_heads; the attention itself is the fused ``F.scaled_dot_product_attention`` kernel.

Parameters (torch's names, so checkpoints load): ``in_proj_weight`` (3E, E) xavier-uniform and
``in_proj_bias`` (3E) zeros, or ``q_proj_weight`` (E, E), ``k_proj_weight`` (E, kdim), ``v_proj_weight``
(E, vdim) when kdim/vdim differ from E; ``out_proj`` a Linear (E, E) with zero bias; ``bias_k``,
``bias_v`` (1, 1, E) xavier-normal with ``add_bias_kv``.

Shape: query (L, N, E) ((N, L, E) if batch_first, (L, E) unbatched), key (S, N, kdim), value
(S, N, vdim) -> output like query, weights (N, L, S) (or (N, H, L, S) unaveraged) when need_weights.
Masks: key_padding_mask (N, S) and attn_mask (L, S) or (N*H, L, S); bool True = not allowed, floats added.

>>> import ember
>>> mha = ember.nn.MultiheadAttention(16, 4)
>>> x = ember.randn(5, 2, 16)
>>> out, w = mha(x, x, x)
>>> out.shape, w.shape
(ember.Size([5, 2, 16]), ember.Size([2, 5, 5]))
"""
from __future__ import annotations

from ...ops.creation import empty
from .. import init
from ..functional.attention import multi_head_attention_forward
from ..parameter import Parameter
from .linear import Linear
from .module import Module

__all__ = ["MultiheadAttention", "NonDynamicallyQuantizableLinear"]


class NonDynamicallyQuantizableLinear(Linear):
    """A ``Linear`` (y = x W^T + b) under another name: torch's marker class for
    ``MultiheadAttention.out_proj``, kept so that module trees and checkpoints match torch's.

    Args:
        in_features, out_features, bias: as in ``Linear``.

    Shape:
        - Input: (*, in_features). Output: (*, out_features).

    Attributes:
        weight: (out_features, in_features), bias: (out_features,), both from U(-sqrt(k), sqrt(k)) with
        k = 1 / in_features, as ``Linear`` (``MultiheadAttention`` then zeroes the bias).

    Gradient: that of ``Linear``: dL/dx = g W, dL/dW = g^T x, dL/db = sum over rows of g.

    Examples::

        >>> import ember
        >>> m = ember.nn.NonDynamicallyQuantizableLinear(8, 4)
        >>> m(ember.randn(2, 8)).shape, isinstance(m, ember.nn.Linear)
        (ember.Size([2, 4]), True)
    """


class MultiheadAttention(Module):
    """Attends to ``num_heads`` subspaces at once (Vaswani et al., 2017, "Attention Is All You Need"):

        MultiHead(Q, K, V) = concat(head_1, ..., head_h) W_O^T + b_O,
        head_i = softmax(Q W_Qi^T (K W_Ki^T)^T / sqrt(d) + M) V W_Vi^T,   d = embed_dim / num_heads,

    where M is the attention mask (``-inf`` where attention is not allowed). The attention itself is the
    fused ``F.scaled_dot_product_attention`` kernel.

    Args:
        embed_dim: E, the model dim (of the query and the output).
        num_heads: h; embed_dim must be divisible by it.
        dropout: dropout on the attention weights (training mode only). Default: 0.
        bias: if ``False``, no input/output projection biases. Default: ``True``.
        add_bias_kv: if ``True``, learnable ``bias_k``, ``bias_v`` appended to the key and value sequences.
        add_zero_attn: if ``True``, a zero step is appended to the key and value sequences.
        kdim, vdim: features of the key and value (default: E).
        batch_first: if ``True``, inputs and output are (N, L, E) instead of (L, N, E). Default: ``False``.

    ``forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False)``; masks: key_padding_mask (N, S), attn_mask (L, S) or
    (N * h, L, S); a bool True marks a position that may not be attended, a float mask is added.

    Shape (L target length, S source length, N batch):
        - query: (L, N, E), (N, L, E) with batch_first, or (L, E) unbatched.
        - key: (S, N, kdim); value: (S, N, vdim) (batch_first / unbatched likewise).
        - output: the shape of query; attention weights (N, L, S) averaged over heads, or (N, h, L, S) with
          ``average_attn_weights=False``; ``None`` with ``need_weights=False``.

    Attributes:
        in_proj_weight: (3E, E), the stacked W_Q, W_K, W_V, initialised by ``xavier_uniform_`` (when
            kdim = vdim = E; otherwise ``q_proj_weight`` (E, E), ``k_proj_weight`` (E, kdim),
            ``v_proj_weight`` (E, vdim), each ``xavier_uniform_``).
        in_proj_bias: (3E,), zeros.
        out_proj: a Linear(E, E) (W_O, b_O): weight as ``Linear`` (U(-1/sqrt(E), 1/sqrt(E))), bias zeros.
        bias_k, bias_v: (1, 1, E) with add_bias_kv, ``xavier_normal_``.

    Gradient: through the softmax, dL/ds = p * (dL/dp - sum(p * dL/dp)) for the weights p = softmax(s) of each
    query row; the projections' gradients are those of ``Linear``.

    Examples::

        >>> import ember
        >>> mha = ember.nn.MultiheadAttention(16, 4)
        >>> x = ember.randn(5, 2, 16)
        >>> out, w = mha(x, x, x)
        >>> out.shape, w.shape
        (ember.Size([5, 2, 16]), ember.Size([2, 5, 5]))
        >>> causal = ember.triu(ember.ones(5, 5, dtype=ember.bool), diagonal=1)
        >>> out, w = mha(x, x, x, attn_mask=causal, average_attn_weights=False)
        >>> w.shape, float(w[0, 0, 0, 1])
        (ember.Size([2, 4, 5, 5]), 0.0)
        >>> cross = ember.nn.MultiheadAttention(8, 2, kdim=3, vdim=5, batch_first=True)
        >>> cross(ember.randn(2, 4, 8), ember.randn(2, 6, 3), ember.randn(2, 6, 5))[0].shape
        ember.Size([2, 4, 8])
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device=None, dtype=None) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                             f"num_heads={num_heads} instead")
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads, self.dropout, self.batch_first = num_heads, dropout, batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(empty((embed_dim, embed_dim), dtype=dtype))
            self.k_proj_weight = Parameter(empty((embed_dim, self.kdim), dtype=dtype))
            self.v_proj_weight = Parameter(empty((embed_dim, self.vdim), dtype=dtype))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(empty((3 * embed_dim, embed_dim), dtype=dtype))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k = Parameter(empty((1, 1, embed_dim), dtype=dtype))
            self.bias_v = Parameter(empty((1, 1, embed_dim), dtype=dtype))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query, key, value, key_padding_mask=None, need_weights: bool = True, attn_mask=None,
                average_attn_weights: bool = True, is_causal: bool = False):
        batched = query.dim() == 3
        if self.batch_first and batched:
            if key is value:
                if query is key:
                    query = key = value = query.transpose(1, 0)
                else:
                    query, key = query.transpose(1, 0), key.transpose(1, 0)
                    value = key
            else:
                query, key, value = (x.transpose(1, 0) for x in (query, key, value))
        out, weights = multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias,
            self.bias_k, self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight, self.out_proj.bias,
            training=self.training, key_padding_mask=key_padding_mask, need_weights=need_weights,
            attn_mask=attn_mask, use_separate_proj_weight=not self._qkv_same_embed_dim,
            q_proj_weight=self.q_proj_weight, k_proj_weight=self.k_proj_weight,
            v_proj_weight=self.v_proj_weight, average_attn_weights=average_attn_weights, is_causal=is_causal)
        if self.batch_first and batched:
            out = out.transpose(1, 0)
        return out, weights
