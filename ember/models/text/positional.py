"""Sinusoidal positional encoding (Vaswani et al. 2017; d2l's ``PositionalEncoding``)."""
from __future__ import annotations

import numpy as np

import ember
from ember import nn
from ember.tensor import Tensor

__all__ = ["PositionalEncoding"]


class PositionalEncoding(nn.Module):
    """Adds P to the input, then dropout:

        P[i, 2j] = sin(i / 10000^(2j/d)),   P[i, 2j+1] = cos(i / 10000^(2j/d))

    ``P`` (1, max_len, d) is a constant (not a parameter, not in the ``state_dict``, as in d2l).
    ``forward(X, offset=0)`` adds rows ``offset .. offset + L - 1`` (``offset`` lets a decoder that
    feeds one token at a time give each token its own position).

    Shape: X (N, L, d) with L + offset <= max_len. Output (N, L, d).

    >>> import ember
    >>> pe = PositionalEncoding(4, 0.0)
    >>> pe(ember.zeros(1, 2, 4))
    tensor([[[0.0000, 1.0000, 0.0000, 1.0000],
             [0.8415, 0.5403, 0.0100, 0.9999]]])
    """

    def __init__(self, num_hiddens: int, dropout: float, max_len: int = 1000) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        P = np.zeros((1, max_len, num_hiddens), dtype=np.float32)
        X = (np.arange(max_len, dtype=np.float32).reshape(-1, 1)
             / np.power(np.float32(10000), np.arange(0, num_hiddens, 2, dtype=np.float32) / np.float32(num_hiddens)))
        P[:, :, 0::2] = np.sin(X)
        P[:, :, 1::2] = np.cos(X[:, : num_hiddens // 2])
        self.P = ember.from_numpy(P)

    def forward(self, X: Tensor, offset: int = 0) -> Tensor:
        if offset + X.shape[1] > self.P.shape[1]:
            raise ValueError(f"PositionalEncoding: positions up to {offset + X.shape[1]} asked for, but max_len is "
                             f"{self.P.shape[1]}; build it with a larger max_len")
        return self.dropout(X + self.P[:, offset:offset + X.shape[1], :].to(X.dtype))
