"""GRU sequence-to-sequence models (Sutskever et al. 2014; Bahdanau et al. 2015), as d2l builds them:
``Seq2SeqEncoder``, ``Seq2SeqDecoder`` and ``Seq2SeqAttentionDecoder``."""
from __future__ import annotations

import ember
from ember import nn
from ember.tensor import Tensor

from .attention import AdditiveAttention
from .interfaces import AttentionDecoder, Decoder, Encoder, select_batch

__all__ = ["init_seq2seq", "Seq2SeqEncoder", "Seq2SeqDecoder", "Seq2SeqAttentionDecoder"]


def init_seq2seq(module: nn.Module) -> None:
    """d2l's init: Xavier-uniform weights for every Linear and every GRU weight matrix (biases as torch)."""
    if type(module) is nn.Linear:
        nn.init.xavier_uniform_(module.weight)
    if type(module) is nn.GRU:
        for name, param in module.named_parameters():
            if "weight" in name:
                nn.init.xavier_uniform_(param)


class Seq2SeqEncoder(Encoder):
    """Embedding then a ``num_layers`` GRU over the source.

    Shape: X (N, T) token ids. Returns (outputs (T, N, h), state (num_layers, N, h)) (time-major, as d2l).
    Parameters: ``embedding.weight`` (V, e) ~ N(0, 1); ``rnn.*`` Xavier-uniform weights, torch's biases.

    >>> import ember
    >>> out, state = Seq2SeqEncoder(10, 8, 16, 2)(ember.zeros(4, 9, dtype=ember.long))
    >>> out.shape, state.shape
    (ember.Size([9, 4, 16]), ember.Size([2, 4, 16]))
    """

    def __init__(self, vocab_size: int, embed_size: int, num_hiddens: int, num_layers: int, dropout: float = 0) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)
        self.apply(init_seq2seq)

    def forward(self, X: Tensor, *args) -> tuple:
        embs = self.embedding(X.t().long())
        return self.rnn(embs)


class Seq2SeqDecoder(Decoder):
    """GRU decoder whose every step also sees the encoder's last-layer final state (the context):
    input_t = [embed(y_{t-1}), c], logits = W h_t + b.

    Shape: X (N, L) token ids; state [enc_outputs (T, N, h), hidden (num_layers, N, h)]. Returns
    (logits (N, L, V), new state). Parameters: ``embedding``, ``rnn`` (input e + h), ``dense`` (V, h).

    >>> import ember
    >>> enc, dec = Seq2SeqEncoder(10, 8, 16, 2), Seq2SeqDecoder(10, 8, 16, 2)
    >>> state = dec.init_state(enc(ember.zeros(4, 9, dtype=ember.long)))
    >>> dec(ember.zeros(4, 9, dtype=ember.long), state)[0].shape
    ember.Size([4, 9, 10])
    """

    def __init__(self, vocab_size: int, embed_size: int, num_hiddens: int, num_layers: int, dropout: float = 0) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
        self.dense = nn.Linear(num_hiddens, vocab_size)
        self.apply(init_seq2seq)

    def init_state(self, enc_all_outputs, *args):
        return enc_all_outputs

    def forward(self, X: Tensor, state) -> tuple:
        embs = self.embedding(X.t().long())
        enc_output, hidden_state = state
        context = enc_output[-1].repeat(embs.shape[0], 1, 1)
        outputs, hidden_state = self.rnn(ember.cat((embs, context), -1), hidden_state)
        return self.dense(outputs).swapaxes(0, 1), [enc_output, hidden_state]

    def reorder_state(self, state, index: Tensor):
        return select_batch(state, index, 1)  # both tensors are (T or layers, N, h)


class Seq2SeqAttentionDecoder(AttentionDecoder):
    """GRU decoder with additive attention (Bahdanau): at each step the query is the top layer's hidden
    state, the keys and values the encoder outputs; input_t = [context_t, embed(y_{t-1})].

    Shape: X (N, L); state (enc_outputs (N, T, h), hidden (num_layers, N, h), enc_valid_lens (N,) or None).
    Returns (logits (N, L, V), new state); ``attention_weights``: L tensors (N, 1, T).

    >>> import ember
    >>> enc, dec = Seq2SeqEncoder(10, 8, 16, 2), Seq2SeqAttentionDecoder(10, 8, 16, 2)
    >>> X = ember.zeros(4, 7, dtype=ember.long)
    >>> state = dec.init_state(enc(X), None)
    >>> dec(X, state)[0].shape, len(dec.attention_weights), dec.attention_weights[0].shape
    (ember.Size([4, 7, 10]), 7, ember.Size([4, 1, 7]))
    """

    def __init__(self, vocab_size: int, embed_size: int, num_hiddens: int, num_layers: int, dropout: float = 0) -> None:
        super().__init__()
        self.attention = AdditiveAttention(num_hiddens, dropout)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
        self.dense = nn.Linear(num_hiddens, vocab_size)
        self._attention_weights: list = []
        self.apply(init_seq2seq)

    def init_state(self, enc_outputs, enc_valid_lens=None, *args):
        outputs, hidden_state = enc_outputs
        return (outputs.permute(1, 0, 2), hidden_state, enc_valid_lens)

    def forward(self, X: Tensor, state) -> tuple:
        enc_outputs, hidden_state, enc_valid_lens = state
        X = self.embedding(X.long()).permute(1, 0, 2)
        outputs, self._attention_weights = [], []
        for x in X:
            query = hidden_state[-1].unsqueeze(1)
            context = self.attention(query, enc_outputs, enc_outputs, enc_valid_lens)
            x = ember.cat((context, x.unsqueeze(1)), dim=-1)
            out, hidden_state = self.rnn(x.permute(1, 0, 2), hidden_state)
            outputs.append(out)
            self._attention_weights.append(self.attention.attention_weights)
        outputs = self.dense(ember.cat(outputs, dim=0))
        return outputs.permute(1, 0, 2), [enc_outputs, hidden_state, enc_valid_lens]

    @property
    def attention_weights(self) -> list:
        return self._attention_weights

    def step_attention(self) -> Tensor:
        return self._attention_weights[-1][:, 0, :]

    def reorder_state(self, state, index: Tensor):
        enc_outputs, hidden_state, enc_valid_lens = state
        return [enc_outputs.index_select(0, index), hidden_state.index_select(1, index),
                None if enc_valid_lens is None else enc_valid_lens.index_select(0, index)]
