"""The encoder-decoder interfaces of d2l: ``Encoder``, ``Decoder``, ``AttentionDecoder``, ``EncoderDecoder``.

An encoder maps the source batch to its outputs; ``Decoder.init_state`` turns those (and the source
``valid_lens``) into the decoder's state; ``Decoder.forward(X, state)`` returns logits and the new state.
``Decoder.reorder_state(state, index)`` picks batch rows out of a state, which is all that
``decoding.beam_search`` needs to run any decoder.
"""
from __future__ import annotations

from typing import Any

from ember import nn
from ember.tensor import Tensor

__all__ = ["Encoder", "Decoder", "AttentionDecoder", "EncoderDecoder", "select_batch"]


def select_batch(state: Any, index: Tensor, dim: int = 0) -> Any:
    """``state`` with every tensor in it (nested lists/tuples, Nones kept) indexed by ``index`` along ``dim``.

    >>> import ember
    >>> select_batch([ember.tensor([10, 11]), (None, ember.tensor([[1], [2]]))], ember.tensor([1, 1, 0]))
    [tensor([11, 11, 10]), (None, tensor([[2],
            [2],
            [1]]))]
    """
    if isinstance(state, Tensor):
        return state.index_select(dim, index)
    if isinstance(state, (list, tuple)):
        return type(state)(select_batch(s, index, dim) for s in state)
    return state


class Encoder(nn.Module):
    """The encoder interface: ``forward(X, *args)`` -> the encoder's outputs."""

    def forward(self, X: Tensor, *args):
        raise NotImplementedError


class Decoder(nn.Module):
    """The decoder interface: ``init_state(enc_all_outputs, *args)`` and ``forward(X, state)`` ->
    (logits (N, L, V), new state). ``reorder_state(state, index)`` keeps batch rows ``index`` (the
    default indexes every tensor in the state along axis 0; decoders whose state is time-major override it)."""

    def init_state(self, enc_all_outputs, *args):
        raise NotImplementedError

    def forward(self, X: Tensor, state):
        raise NotImplementedError

    def reorder_state(self, state, index: Tensor):
        return select_batch(state, index, 0)


class AttentionDecoder(Decoder):
    """A decoder that records its attention weights (``attention_weights``) and can say, after a step,
    how the last decoded position attended to the source: ``step_attention()`` -> (N, T_src)."""

    @property
    def attention_weights(self):
        raise NotImplementedError

    def step_attention(self) -> Tensor:
        raise NotImplementedError


class EncoderDecoder(nn.Module):
    """``forward(enc_X, dec_X, *args)``: encode, ``init_state(enc_outputs, *args)``, decode; returns the
    decoder's logits (N, L, V) (d2l's ``EncoderDecoder``; ``args`` is usually the source ``valid_lens``).

    >>> import ember
    >>> from ember.models.text import Seq2SeqEncoder, Seq2SeqDecoder
    >>> net = EncoderDecoder(Seq2SeqEncoder(10, 8, 16, 2), Seq2SeqDecoder(10, 8, 16, 2))
    >>> net(ember.zeros(4, 7, dtype=ember.long), ember.zeros(4, 5, dtype=ember.long)).shape
    ember.Size([4, 5, 10])
    """

    def __init__(self, encoder: Encoder, decoder: Decoder) -> None:
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, enc_X: Tensor, dec_X: Tensor, *args) -> Tensor:
        enc_all_outputs = self.encoder(enc_X, *args)
        dec_state = self.decoder.init_state(enc_all_outputs, *args)
        return self.decoder(dec_X, dec_state)[0]
