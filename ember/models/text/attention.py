"""Attention scoring as d2l builds it: ``DotProductAttention``, ``AdditiveAttention`` and d2l's
``MultiHeadAttention`` (heads folded into the batch axis, scaled dot products inside).

Each layer keeps the weights of its last call in ``attention_weights`` (for heat maps and decoding).
"""
from __future__ import annotations

import math

import ember
from ember import nn
from ember.tensor import Tensor

from .masking import masked_softmax

__all__ = ["DotProductAttention", "AdditiveAttention", "MultiHeadAttention"]


class DotProductAttention(nn.Module):
    """Scaled dot-product attention: softmax(Q K^T / sqrt(d), masked by ``valid_lens``) V.

    Shape: queries (N, Q, d), keys (N, K, d), values (N, K, v), ``valid_lens`` None, (N,) or (N, Q).
    Output (N, Q, v); ``attention_weights`` (N, Q, K). Dropout acts on the weights (train mode).
    No parameters.

    >>> import ember
    >>> att = DotProductAttention(dropout=0.0)
    >>> att(ember.ones(2, 1, 4), ember.ones(2, 3, 4), ember.arange(6.).reshape(2, 3, 1), ember.tensor([2, 3]))
    tensor([[[0.5000]],
    <BLANKLINE>
            [[4.0000]]])
    """

    def __init__(self, dropout: float) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries: Tensor, keys: Tensor, values: Tensor, valid_lens: Tensor | None = None) -> Tensor:
        d = queries.shape[-1]
        scores = ember.bmm(queries, keys.transpose(1, 2)) / math.sqrt(d)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return ember.bmm(self.dropout(self.attention_weights), values)


class AdditiveAttention(nn.Module):
    """Additive (Bahdanau) attention: score(q, k) = w_v^T tanh(W_q q + W_k k), then masked softmax over
    the keys and a weighted sum of the values.

    d2l builds ``W_q``, ``W_k``, ``w_v`` as lazy layers; here their input sizes are ``query_size`` and
    ``key_size`` (default ``num_hiddens``, what every d2l model feeds them). Parameters: ``W_q.weight``
    (h, query_size), ``W_k.weight`` (h, key_size), ``w_v.weight`` (1, h), no biases, torch's Linear init.

    Shape: queries (N, Q, query_size), keys (N, K, key_size), values (N, K, v). Output (N, Q, v);
    ``attention_weights`` (N, Q, K).

    >>> import ember
    >>> att = AdditiveAttention(8, 0.0, key_size=2, query_size=20)
    >>> att(ember.ones(2, 1, 20), ember.ones(2, 10, 2), ember.ones(2, 10, 4), ember.tensor([2, 6])).shape
    ember.Size([2, 1, 4])
    """

    def __init__(self, num_hiddens: int, dropout: float, key_size: int | None = None,
                 query_size: int | None = None) -> None:
        super().__init__()
        self.W_k = nn.Linear(key_size or num_hiddens, num_hiddens, bias=False)
        self.W_q = nn.Linear(query_size or num_hiddens, num_hiddens, bias=False)
        self.w_v = nn.Linear(num_hiddens, 1, bias=False)
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries: Tensor, keys: Tensor, values: Tensor, valid_lens: Tensor | None) -> Tensor:
        queries, keys = self.W_q(queries), self.W_k(keys)
        features = ember.tanh(queries.unsqueeze(2) + keys.unsqueeze(1))  # (N, Q, K, h)
        scores = self.w_v(features).squeeze(-1)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return ember.bmm(self.dropout(self.attention_weights), values)


class MultiHeadAttention(nn.Module):
    """d2l's multi-head attention: each of ``num_heads`` heads attends with scaled dot products on its
    num_hiddens / num_heads slice of W_q q, W_k k, W_v v; the heads are concatenated and mixed by W_o:

        head_i = softmax(Q_i K_i^T / sqrt(h / heads)) V_i,   out = [head_1, ..., head_heads] W_o^T

    (``nn.MultiheadAttention`` is torch's fused layer; this is the book's, with its parameter names.)
    Parameters ``W_q``, ``W_k``, ``W_v`` (h, query/key/value_size, default h) and ``W_o`` (h, h),
    biases when ``bias``; torch's Linear init.

    Shape: queries (N, Q, query_size), keys (N, K, key_size), values (N, K, value_size), ``valid_lens``
    None, (N,) or (N, Q). Output (N, Q, h); ``attention.attention_weights`` (N * heads, Q, K).

    >>> import ember
    >>> att = MultiHeadAttention(100, 5, 0.5).eval()
    >>> att(ember.ones(2, 4, 100), ember.ones(2, 6, 100), ember.ones(2, 6, 100), ember.tensor([3, 2])).shape
    ember.Size([2, 4, 100])
    """

    def __init__(self, num_hiddens: int, num_heads: int, dropout: float, bias: bool = False,
                 query_size: int | None = None, key_size: int | None = None, value_size: int | None = None) -> None:
        super().__init__()
        if num_hiddens % num_heads:
            raise ValueError(f"MultiHeadAttention: num_hiddens ({num_hiddens}) must be divisible by num_heads "
                             f"({num_heads})")
        self.num_heads = num_heads
        self.attention = DotProductAttention(dropout)
        self.W_q = nn.Linear(query_size or num_hiddens, num_hiddens, bias=bias)
        self.W_k = nn.Linear(key_size or num_hiddens, num_hiddens, bias=bias)
        self.W_v = nn.Linear(value_size or num_hiddens, num_hiddens, bias=bias)
        self.W_o = nn.Linear(num_hiddens, num_hiddens, bias=bias)

    def forward(self, queries: Tensor, keys: Tensor, values: Tensor, valid_lens: Tensor | None) -> Tensor:
        queries = self.transpose_qkv(self.W_q(queries))
        keys = self.transpose_qkv(self.W_k(keys))
        values = self.transpose_qkv(self.W_v(values))
        if valid_lens is not None:
            valid_lens = ember.repeat_interleave(valid_lens, repeats=self.num_heads, dim=0)
        output = self.attention(queries, keys, values, valid_lens)
        return self.W_o(self.transpose_output(output))

    def transpose_qkv(self, X: Tensor) -> Tensor:
        """(N, L, h) -> (N * heads, L, h / heads): the heads move into the batch axis."""
        X = X.reshape(X.shape[0], X.shape[1], self.num_heads, -1).permute(0, 2, 1, 3)
        return X.reshape(-1, X.shape[2], X.shape[3])

    def transpose_output(self, X: Tensor) -> Tensor:
        """The inverse of ``transpose_qkv``: (N * heads, L, h / heads) -> (N, L, h)."""
        X = X.reshape(-1, self.num_heads, X.shape[1], X.shape[2]).permute(0, 2, 1, 3)
        return X.reshape(X.shape[0], X.shape[1], -1)
