"""Byte-level byte-pair encoding (Sennrich et al., 2016; GPT-2's byte-level variant).

The base alphabet is the 256 byte values of UTF-8, so every string encodes, and
``decode(encode(s)) == s`` holds exactly for any ``s`` (no ``<unk>``, no normalisation).
"""
from __future__ import annotations

import collections
import re
from typing import Iterable, Sequence

__all__ = ["BytePairEncoder"]

# Pre-tokenisation: a chunk is an optional leading space plus a run of letters, of digits or of
# other non-space characters, or a run of whitespace. Merges never cross chunk boundaries.
_CHUNK = re.compile(r" ?[^\W\d_]+| ?\d+| ?[^\s\w]+|\s+(?!\S)|\s+|_+")


def _chunks(text: str) -> list[str]:
    return _CHUNK.findall(text)


def _merge(seq: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """Replace every non-overlapping occurrence of ``pair`` (left to right) by ``new_id``."""
    out, i, n = [], 0, len(seq)
    while i < n:
        if i + 1 < n and seq[i] == pair[0] and seq[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(seq[i])
            i += 1
    return out


class BytePairEncoder:
    """Byte-level BPE tokenizer: ``learn(corpus, vocab_size)``, ``encode``, ``decode``.

    Learning starts from the 256 single bytes and repeatedly merges the most frequent adjacent
    pair of symbols (ties: the smallest pair of ids) inside each pre-tokenised chunk, until the
    vocabulary has ``vocab_size`` symbols or no pair occurs twice. Encoding applies the learned
    merges in the order they were learned (lowest rank first), as GPT-2 does.

    >>> bpe = BytePairEncoder().learn(["low lower lowest", "low low"], vocab_size=260)
    >>> len(bpe), bpe.decode(bpe.encode("lowest slow")) == "lowest slow"
    (260, True)
    >>> bpe.tokens(bpe.encode("low lower"))
    ['low', ' lowe', 'r']
    """

    def __init__(self) -> None:
        self.merges: dict[tuple[int, int], int] = {}
        self.vocab: dict[int, bytes] = {i: bytes([i]) for i in range(256)}

    def __len__(self) -> int:
        return len(self.vocab)

    def learn(self, corpus: str | Iterable[str], vocab_size: int) -> "BytePairEncoder":
        """Learn merges from a text or a list of texts until ``len(self) == vocab_size``."""
        if vocab_size < 256:
            raise ValueError(f"BytePairEncoder.learn: vocab_size must be >= 256 (the byte alphabet), "
                             f"got {vocab_size}")
        texts = [corpus] if isinstance(corpus, str) else list(corpus)
        counts = collections.Counter(chunk for text in texts for chunk in _chunks(text))
        words = [list(chunk.encode("utf-8")) for chunk in counts]
        freqs = list(counts.values())
        self.__init__()
        # pair counts are updated incrementally: a merge touches only the words that hold the pair
        pair_counts: collections.Counter = collections.Counter()
        where: dict[tuple[int, int], set[int]] = collections.defaultdict(set)
        for wi, (word, freq) in enumerate(zip(words, freqs)):
            for pair in zip(word, word[1:]):
                pair_counts[pair] += freq
                where[pair].add(wi)
        while len(self.vocab) < vocab_size and pair_counts:
            best = min(pair_counts, key=lambda p: (-pair_counts[p], p))
            if pair_counts[best] < 2:
                break
            new_id = len(self.vocab)
            self.merges[best] = new_id
            self.vocab[new_id] = self.vocab[best[0]] + self.vocab[best[1]]
            touched = set()
            for wi in where.pop(best):
                word, freq = words[wi], freqs[wi]
                for pair in zip(word, word[1:]):
                    pair_counts[pair] -= freq
                    touched.add(pair)
                merged = _merge(word, best, new_id)
                words[wi] = merged
                for pair in zip(merged, merged[1:]):
                    pair_counts[pair] += freq
                    where[pair].add(wi)
            for pair in touched:  # drop pairs whose count fell to zero
                if pair_counts[pair] <= 0:
                    del pair_counts[pair]
        return self

    def _encode_chunk(self, chunk: str) -> list[int]:
        seq = list(chunk.encode("utf-8"))
        while len(seq) > 1:
            ranked = [(self.merges[p], p) for p in zip(seq, seq[1:]) if p in self.merges]
            if not ranked:
                break
            new_id, pair = min(ranked)
            seq = _merge(seq, pair, new_id)
        return seq

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``."""
        if not isinstance(text, str):
            raise TypeError(f"BytePairEncoder.encode: expected str, got {type(text).__name__}")
        ids: list[int] = []
        for chunk in _chunks(text):
            ids.extend(self._encode_chunk(chunk))
        return ids

    def decode(self, ids: Sequence[int]) -> str:
        """The text of token ids (exact inverse of ``encode``)."""
        if hasattr(ids, "tolist"):
            ids = ids.tolist()
        try:
            data = b"".join(self.vocab[int(i)] for i in ids)
        except KeyError as err:
            raise IndexError(f"BytePairEncoder.decode: id {err.args[0]} is out of range "
                             f"[0, {len(self.vocab)})") from None
        return data.decode("utf-8", errors="replace")

    def tokens(self, ids: Sequence[int]) -> list[str]:
        """The text piece of each id (pieces that split a UTF-8 character show U+FFFD)."""
        return [self.vocab[int(i)].decode("utf-8", errors="replace") for i in ids]
