"""Vocabulary: a two-way map between tokens and integer indices."""
from __future__ import annotations

from typing import Iterable, Sequence

from .tokenizers import count_corpus

__all__ = ["Vocab"]


class Vocab:
    """Vocabulary for text, as d2l's ``Vocab``.

    Index layout: ``'<unk>'`` at 0, then ``reserved_tokens`` in the order given, then every
    token with frequency ``>= min_freq``, most frequent first, ties broken by the token itself
    (so the order does not depend on the order of the corpus).

    Args:
        tokens: a list of tokens or a list of token lists (lines); flattened before counting.
        min_freq: tokens seen fewer times map to ``'<unk>'``.
        reserved_tokens: special tokens such as ``['<pad>', '<bos>', '<eos>']``.

    Attributes:
        idx_to_token (list[str]), token_to_idx (dict[str, int]),
        token_freqs (list of ``(token, count)``, most frequent first), unk (= 0).

    >>> v = Vocab([["b", "a", "b"], ["c", "a", "b"]], reserved_tokens=["<pad>"])
    >>> v.idx_to_token
    ['<unk>', '<pad>', 'b', 'a', 'c']
    >>> v["a"], v[["c", "zzz"]], v.to_tokens([2, 4]), len(v)
    (3, [4, 0], ['b', 'c'], 5)
    """

    def __init__(self, tokens: Iterable | None = None, min_freq: int = 0,
                 reserved_tokens: Sequence[str] | None = None) -> None:
        tokens = [] if tokens is None else tokens
        reserved_tokens = [] if reserved_tokens is None else list(reserved_tokens)
        counter = count_corpus(tokens)
        self._token_freqs = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
        self.idx_to_token: list[str] = ["<unk>"]
        for tok in reserved_tokens:
            if tok not in self.idx_to_token:
                self.idx_to_token.append(tok)
        self.token_to_idx: dict[str, int] = {tok: i for i, tok in enumerate(self.idx_to_token)}
        for tok, freq in self._token_freqs:
            if freq < min_freq:
                break
            if tok not in self.token_to_idx:
                self.token_to_idx[tok] = len(self.idx_to_token)
                self.idx_to_token.append(tok)

    def __len__(self) -> int:
        return len(self.idx_to_token)

    def __getitem__(self, tokens):
        """Index of a token (``unk`` when unknown), or a list of indices for a list/tuple."""
        if not isinstance(tokens, (list, tuple)):
            return self.token_to_idx.get(tokens, self.unk)
        return [self.__getitem__(tok) for tok in tokens]

    def __contains__(self, token: str) -> bool:
        return token in self.token_to_idx

    def to_tokens(self, indices):
        """Token of one index, or the list of tokens of a list / 1-d tensor of indices."""
        if hasattr(indices, "tolist"):
            indices = indices.tolist()
        if isinstance(indices, (list, tuple)):
            return [self.idx_to_token[int(i)] for i in indices]
        return self.idx_to_token[int(indices)]

    @property
    def unk(self) -> int:
        """Index of the unknown token ``'<unk>'`` (always 0)."""
        return 0

    @property
    def token_freqs(self) -> list[tuple[str, int]]:
        """``(token, count)`` pairs of the corpus, most frequent first, ties by token."""
        return self._token_freqs

    def __repr__(self) -> str:
        return f"Vocab(size={len(self)})"
