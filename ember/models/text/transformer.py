"""The Transformer encoder-decoder for translation (Vaswani et al. 2017) with d2l's blocks:
``PositionWiseFFN``, ``AddNorm``, ``TransformerEncoderBlock``, ``TransformerEncoder``,
``TransformerDecoderBlock`` and ``TransformerDecoder`` (post-norm, d2l's ``MultiHeadAttention``).

Two deliberate departures from d2l's code, both invisible in training: the decoder adds the positional
encoding of each token's true position when it is fed one token at a time (d2l adds position 0 at every
prediction step), and it masks future positions whenever it is given more than one step (d2l only in
train mode), so a validation loss in eval mode is the same quantity as the training loss.
"""
from __future__ import annotations

import math

import ember
from ember import nn
from ember.tensor import Tensor

from .attention import MultiHeadAttention
from .interfaces import AttentionDecoder, Encoder
from .positional import PositionalEncoding

__all__ = ["PositionWiseFFN", "AddNorm", "TransformerEncoderBlock", "TransformerEncoder",
           "TransformerDecoderBlock", "TransformerDecoder"]


class PositionWiseFFN(nn.Module):
    """The same two-layer MLP at every position: dense2(relu(dense1(X))).

    Parameters ``dense1`` (ffn_num_hiddens, num_inputs), ``dense2`` (ffn_num_outputs, ffn_num_hiddens);
    ``num_inputs`` defaults to ``ffn_num_outputs`` (d2l reads it lazily; in its models they are equal).
    Shape: (*, num_inputs) -> (*, ffn_num_outputs).

    >>> import ember
    >>> PositionWiseFFN(4, 8)(ember.ones(2, 3, 8)).shape
    ember.Size([2, 3, 8])
    """

    def __init__(self, ffn_num_hiddens: int, ffn_num_outputs: int, num_inputs: int | None = None) -> None:
        super().__init__()
        self.dense1 = nn.Linear(num_inputs or ffn_num_outputs, ffn_num_hiddens)
        self.relu = nn.ReLU()
        self.dense2 = nn.Linear(ffn_num_hiddens, ffn_num_outputs)

    def forward(self, X: Tensor) -> Tensor:
        return self.dense2(self.relu(self.dense1(X)))


class AddNorm(nn.Module):
    """Residual connection then layer norm: LayerNorm(dropout(Y) + X). Shape: X, Y (*, norm_shape).

    >>> import ember
    >>> AddNorm(4, 0.5).eval()(ember.ones(2, 3, 4), ember.ones(2, 3, 4)).shape
    ember.Size([2, 3, 4])
    """

    def __init__(self, norm_shape, dropout: float) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.ln = nn.LayerNorm(norm_shape)

    def forward(self, X: Tensor, Y: Tensor) -> Tensor:
        return self.ln(self.dropout(Y) + X)


class TransformerEncoderBlock(nn.Module):
    """Self-attention and a position-wise FFN, each inside an ``AddNorm``:
    Y = AddNorm(X, MHA(X, X, X)), out = AddNorm(Y, FFN(Y)).  Shape: X (N, T, h), ``valid_lens`` (N,).

    >>> import ember
    >>> blk = TransformerEncoderBlock(24, 48, 8, 0.5).eval()
    >>> blk(ember.ones(2, 100, 24), ember.tensor([3, 2])).shape
    ember.Size([2, 100, 24])
    """

    def __init__(self, num_hiddens: int, ffn_num_hiddens: int, num_heads: int, dropout: float,
                 use_bias: bool = False) -> None:
        super().__init__()
        self.attention = MultiHeadAttention(num_hiddens, num_heads, dropout, use_bias)
        self.addnorm1 = AddNorm(num_hiddens, dropout)
        self.ffn = PositionWiseFFN(ffn_num_hiddens, num_hiddens)
        self.addnorm2 = AddNorm(num_hiddens, dropout)

    def forward(self, X: Tensor, valid_lens: Tensor | None) -> Tensor:
        Y = self.addnorm1(X, self.attention(X, X, X, valid_lens))
        return self.addnorm2(Y, self.ffn(Y))


class TransformerEncoder(Encoder):
    """Embedding scaled by sqrt(h), positional encoding, then ``num_blks`` encoder blocks.

    Shape: X (N, T) token ids, ``valid_lens`` (N,). Output (N, T, h); ``attention_weights``: one
    (N * heads, T, T) tensor per block.

    >>> import ember
    >>> enc = TransformerEncoder(200, 24, 48, 8, 2, 0.5).eval()
    >>> enc(ember.ones(2, 100, dtype=ember.long), ember.tensor([3, 2])).shape
    ember.Size([2, 100, 24])
    """

    def __init__(self, vocab_size: int, num_hiddens: int, ffn_num_hiddens: int, num_heads: int, num_blks: int,
                 dropout: float, use_bias: bool = False, max_len: int = 1000) -> None:
        super().__init__()
        self.num_hiddens = num_hiddens
        self.embedding = nn.Embedding(vocab_size, num_hiddens)
        self.pos_encoding = PositionalEncoding(num_hiddens, dropout, max_len)
        self.blks = nn.Sequential()
        for i in range(num_blks):
            self.blks.add_module("block" + str(i),
                                 TransformerEncoderBlock(num_hiddens, ffn_num_hiddens, num_heads, dropout, use_bias))

    def forward(self, X: Tensor, valid_lens: Tensor | None = None, *args) -> Tensor:
        X = self.pos_encoding(self.embedding(X.long()) * math.sqrt(self.num_hiddens))
        self.attention_weights = [None] * len(self.blks)
        for i, blk in enumerate(self.blks):
            X = blk(X, valid_lens)
            self.attention_weights[i] = blk.attention.attention.attention_weights
        return X


class TransformerDecoderBlock(nn.Module):
    """Masked self-attention over the tokens so far, attention to the encoder outputs, an FFN; each inside
    an ``AddNorm``. Block ``i`` caches its keys/values (everything decoded so far) in ``state[2][i]``.

    Shape: X (N, L, h); state [enc_outputs (N, T, h), enc_valid_lens (N,) or None, cache list].
    Returns (N, L, h) and the state.

    >>> import ember
    >>> blk = TransformerDecoderBlock(24, 48, 8, 0.5, 0).eval()
    >>> state = [ember.ones(2, 100, 24), ember.tensor([3, 2]), [None]]
    >>> blk(ember.ones(2, 100, 24), state)[0].shape, state[2][0].shape
    (ember.Size([2, 100, 24]), ember.Size([2, 100, 24]))
    """

    def __init__(self, num_hiddens: int, ffn_num_hiddens: int, num_heads: int, dropout: float, i: int) -> None:
        super().__init__()
        self.i = i
        self.attention1 = MultiHeadAttention(num_hiddens, num_heads, dropout)
        self.addnorm1 = AddNorm(num_hiddens, dropout)
        self.attention2 = MultiHeadAttention(num_hiddens, num_heads, dropout)
        self.addnorm2 = AddNorm(num_hiddens, dropout)
        self.ffn = PositionWiseFFN(ffn_num_hiddens, num_hiddens)
        self.addnorm3 = AddNorm(num_hiddens, dropout)

    def forward(self, X: Tensor, state) -> tuple:
        enc_outputs, enc_valid_lens = state[0], state[1]
        cached = state[2][self.i]
        offset = 0 if cached is None else cached.shape[1]
        key_values = X if cached is None else ember.cat((cached, X), dim=1)
        state[2][self.i] = key_values
        batch_size, num_steps, _ = X.shape
        dec_valid_lens = None
        if num_steps > 1:  # query t sees keys 0 .. offset + t (causal)
            dec_valid_lens = ember.arange(offset + 1, offset + num_steps + 1).repeat(batch_size, 1)
        Y = self.addnorm1(X, self.attention1(X, key_values, key_values, dec_valid_lens))
        Z = self.addnorm2(Y, self.attention2(Y, enc_outputs, enc_outputs, enc_valid_lens))
        return self.addnorm3(Z, self.ffn(Z)), state


class TransformerDecoder(AttentionDecoder):
    """Embedding scaled by sqrt(h), positional encoding (at the true positions), ``num_blks`` decoder
    blocks and a dense layer to the vocabulary.

    Shape: X (N, L) token ids; ``init_state(enc_outputs, enc_valid_lens)``. Returns (logits (N, L, V),
    state); ``attention_weights`` = [self-attention per block, encoder-decoder attention per block],
    each (N * heads, L, keys).

    >>> import ember
    >>> enc = TransformerEncoder(20, 16, 32, 4, 2, 0.0)
    >>> dec = TransformerDecoder(30, 16, 32, 4, 2, 0.0)
    >>> X, lens = ember.ones(2, 6, dtype=ember.long), ember.tensor([3, 6])
    >>> dec(ember.ones(2, 5, dtype=ember.long), dec.init_state(enc(X, lens), lens))[0].shape
    ember.Size([2, 5, 30])
    """

    def __init__(self, vocab_size: int, num_hiddens: int, ffn_num_hiddens: int, num_heads: int, num_blks: int,
                 dropout: float, max_len: int = 1000) -> None:
        super().__init__()
        self.num_hiddens = num_hiddens
        self.num_blks = num_blks
        self.num_heads = num_heads
        self.embedding = nn.Embedding(vocab_size, num_hiddens)
        self.pos_encoding = PositionalEncoding(num_hiddens, dropout, max_len)
        self.blks = nn.Sequential()
        for i in range(num_blks):
            self.blks.add_module("block" + str(i),
                                 TransformerDecoderBlock(num_hiddens, ffn_num_hiddens, num_heads, dropout, i))
        self.dense = nn.Linear(num_hiddens, vocab_size)

    def init_state(self, enc_outputs: Tensor, enc_valid_lens: Tensor | None = None, *args) -> list:
        return [enc_outputs, enc_valid_lens, [None] * self.num_blks]

    def forward(self, X: Tensor, state) -> tuple:
        offset = 0 if state[2][0] is None else state[2][0].shape[1]
        X = self.pos_encoding(self.embedding(X.long()) * math.sqrt(self.num_hiddens), offset)
        self._attention_weights = [[None] * len(self.blks) for _ in range(2)]
        for i, blk in enumerate(self.blks):
            X, state = blk(X, state)
            self._attention_weights[0][i] = blk.attention1.attention.attention_weights
            self._attention_weights[1][i] = blk.attention2.attention.attention_weights
        return self.dense(X), state

    @property
    def attention_weights(self) -> list:
        return self._attention_weights

    def step_attention(self) -> Tensor:
        w = self._attention_weights[1][-1]  # last block's encoder-decoder attention (N * heads, L, T)
        return w.reshape(-1, self.num_heads, w.shape[1], w.shape[2])[:, :, -1].mean(1)
