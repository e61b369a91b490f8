"""Decoding for any ``EncoderDecoder``: ``greedy_search`` and ``beam_search`` (batched).

Both encode the source once, then feed the decoder one token at a time (``Decoder.forward(X, state)``
with X (N, 1)). A hypothesis ends at ``eos`` or after ``max_len`` tokens; after ``eos`` it only grows
``pad`` at log-probability 0. Its score is the length-normalised log-likelihood (d2l 10.8):

    score(y) = (1 / L^alpha) * sum_{t=1..L} log P(y_t | y_<t, x),   L = tokens up to and including eos

``alpha=0`` is the plain log-likelihood. Beam search keeps the ``beam_size`` best partial hypotheses by
log-likelihood at every step and returns, per source, the finished beam with the best ``score``; with
``beam_size=1`` it is greedy search.
"""
from __future__ import annotations

from dataclasses import dataclass

import ember
from ember.tensor import Tensor
from ember.nn import functional as F

__all__ = ["Hypotheses", "greedy_search", "beam_search"]


@dataclass
class Hypotheses:
    """The decoded batch. ``sequences`` (N, max_len) long, ``pad`` after each end; ``lengths`` (N,) tokens
    up to and including ``eos`` (when produced); ``scores`` (N,) the length-normalised log-likelihoods;
    ``log_probs`` (N,) the plain ones; ``attention_weights`` (N, max_len, T_src) or None (decoders that
    record attention, when asked)."""

    sequences: Tensor
    lengths: Tensor
    scores: Tensor
    log_probs: Tensor
    attention_weights: Tensor | None
    eos: int

    def as_lists(self) -> list:
        """Each hypothesis as a list of token ids, without its ``eos``."""
        out = []
        for seq, n in zip(self.sequences.tolist(), self.lengths.tolist()):
            seq = seq[:n]
            out.append(seq[:-1] if seq and seq[-1] == self.eos else seq)
        return out


def _check(max_len: int, beam_size: int = 1, alpha: float = 0.0) -> None:
    if not isinstance(max_len, int) or max_len < 1:
        raise ValueError(f"decoding: max_len must be a positive integer, got {max_len!r}")
    if not isinstance(beam_size, int) or beam_size < 1:
        raise ValueError(f"beam_search: beam_size must be a positive integer, got {beam_size!r}")
    if alpha < 0:
        raise ValueError(f"decoding: alpha must be >= 0, got {alpha}")


def _encode(model, src: Tensor, src_valid_len: Tensor | None):
    args = () if src_valid_len is None else (src_valid_len,)
    enc_outputs = model.encoder(src, *args)
    return model.decoder.init_state(enc_outputs, *args)


def _normalise(log_probs: Tensor, lengths: Tensor, alpha: float) -> Tensor:
    return log_probs / lengths.clamp(min=1).to(log_probs.dtype) ** alpha


def _record_attention(decoder, save: bool) -> bool:
    return save and hasattr(decoder, "step_attention")


def greedy_search(model, src: Tensor, src_valid_len: Tensor | None, bos: int, eos: int, max_len: int,
                  pad: int | None = None, alpha: float = 0.0, save_attention_weights: bool = False) -> Hypotheses:
    """Pick the most likely token at each step.

    Shape: src (N, T) ids, ``src_valid_len`` (N,) or None. Returns ``Hypotheses``.

    >>> import ember
    >>> from ember.models.text import EncoderDecoder, Seq2SeqEncoder, Seq2SeqDecoder
    >>> net = EncoderDecoder(Seq2SeqEncoder(10, 8, 16, 1), Seq2SeqDecoder(10, 8, 16, 1)).eval()
    >>> hyp = greedy_search(net, ember.ones(2, 5, dtype=ember.long), None, bos=1, eos=2, max_len=6)
    >>> hyp.sequences.shape, hyp.scores.shape
    (ember.Size([2, 6]), ember.Size([2]))
    """
    _check(max_len, alpha=alpha)
    pad = eos if pad is None else pad
    n = src.shape[0]
    record = _record_attention(model.decoder, save_attention_weights)
    with ember.no_grad():
        state = _encode(model, src, src_valid_len)
        token = ember.full((n, 1), bos, dtype=ember.long)
        finished = ember.zeros(n, dtype=ember.bool)
        lengths = ember.zeros(n, dtype=ember.long)
        log_probs = ember.zeros(n)
        steps, attention = [], []
        for _ in range(max_len):
            Y, state = model.decoder(token, state)
            logp = F.log_softmax(Y[:, -1].float(), dim=-1)
            best = logp.argmax(dim=-1)
            step_logp = logp.gather(1, best[:, None])[:, 0]
            best = ember.where(finished, ember.full_like(best, pad), best)
            log_probs = log_probs + ember.where(finished, ember.zeros_like(step_logp), step_logp)
            lengths = lengths + (~finished).long()
            finished = finished | (best == eos)
            steps.append(best)
            if record:
                attention.append(model.decoder.step_attention())
            token = best[:, None]
            if bool(finished.all()):
                break
        sequences = _pad_to(ember.stack(steps, 1), max_len, pad)
        weights = _pad_to(ember.stack(attention, 1), max_len, 0.0) if record else None
    return Hypotheses(sequences, lengths, _normalise(log_probs, lengths, alpha), log_probs, weights, eos)


def _pad_to(x: Tensor, length: int, value) -> Tensor:
    if x.shape[1] == length:
        return x
    fill = ember.full((x.shape[0], length - x.shape[1]) + tuple(x.shape[2:]), value, dtype=x.dtype)
    return ember.cat((x, fill), 1)


def beam_search(model, src: Tensor, src_valid_len: Tensor | None, bos: int, eos: int, max_len: int,
                beam_size: int = 4, alpha: float = 0.75, pad: int | None = None,
                save_attention_weights: bool = False) -> Hypotheses:
    """Keep the ``beam_size`` most likely partial hypotheses per source; return the best by ``score``.

    The decoder state is expanded to N * beam_size rows once and re-indexed after every step with
    ``model.decoder.reorder_state`` (rows of finished beams keep their state and grow only ``pad``).
    Shape: src (N, T) ids, ``src_valid_len`` (N,) or None. Returns ``Hypotheses``.

    >>> import ember
    >>> from ember.models.text import EncoderDecoder, Seq2SeqEncoder, Seq2SeqDecoder
    >>> net = EncoderDecoder(Seq2SeqEncoder(10, 8, 16, 1), Seq2SeqDecoder(10, 8, 16, 1)).eval()
    >>> hyp = beam_search(net, ember.ones(2, 5, dtype=ember.long), None, bos=1, eos=2, max_len=6, beam_size=3)
    >>> hyp.sequences.shape, hyp.lengths.shape
    (ember.Size([2, 6]), ember.Size([2]))
    """
    _check(max_len, beam_size, alpha)
    pad = eos if pad is None else pad
    n, k = src.shape[0], beam_size
    decoder = model.decoder
    record = _record_attention(decoder, save_attention_weights)
    with ember.no_grad():
        state = decoder.reorder_state(_encode(model, src, src_valid_len),
                                      ember.repeat_interleave(ember.arange(n), k))
        token = ember.full((n * k, 1), bos, dtype=ember.long)
        beam_logp = ember.full((n, k), float("-inf"))
        beam_logp[:, 0] = 0.0  # all beams start as the same empty hypothesis: expand only the first
        finished = ember.zeros(n * k, dtype=ember.bool)
        lengths = ember.zeros(n * k, dtype=ember.long)
        seqs = ember.zeros((n * k, 0), dtype=ember.long)
        attention = ember.zeros((n * k, 0, src.shape[1])) if record else None
        for _ in range(max_len):
            Y, state = decoder(token, state)
            logp = F.log_softmax(Y[:, -1].float(), dim=-1)  # (n * k, V)
            vocab = logp.shape[-1]
            if vocab < k:
                raise ValueError(f"beam_search: beam_size {k} is larger than the vocabulary ({vocab})")
            done_row = ember.full((vocab,), float("-inf"))
            done_row[pad] = 0.0
            logp = ember.where(finished[:, None], done_row[None, :], logp)
            cand = (beam_logp.reshape(n * k, 1) + logp).reshape(n, k * vocab)
            beam_logp, idx = ember.topk(cand, k, dim=1)
            rows = (ember.arange(n)[:, None] * k + idx // vocab).reshape(-1)
            tok = (idx % vocab).reshape(-1)
            state = decoder.reorder_state(state, rows)
            finished, lengths = finished.index_select(0, rows), lengths.index_select(0, rows)
            seqs = ember.cat((seqs.index_select(0, rows), tok[:, None]), 1)
            if record:
                step = decoder.step_attention().index_select(0, rows)
                attention = ember.cat((attention.index_select(0, rows), step[:, None].float()), 1)
            lengths = lengths + (~finished).long()
            finished = finished | (tok == eos)
            token = tok[:, None]
            if bool(finished.all()):
                break
        log_probs = beam_logp.reshape(-1)
        scores = _normalise(log_probs, lengths, alpha).reshape(n, k)
        best = ember.arange(n) * k + scores.argmax(dim=1)
        weights = _pad_to(attention.index_select(0, best), max_len, 0.0) if record else None
        return Hypotheses(_pad_to(seqs.index_select(0, best), max_len, pad), lengths.index_select(0, best),
                          scores.reshape(-1).index_select(0, best), log_probs.index_select(0, best), weights, eos)
