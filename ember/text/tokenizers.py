"""Word and character tokenizers (d2l's ``tokenize``) and token counting."""
from __future__ import annotations

import collections
from typing import Iterable, Sequence

__all__ = ["tokenize", "count_corpus"]


def tokenize(lines: Sequence[str], token: str = "word") -> list[list[str]]:
    """Split each text line into word tokens (on whitespace) or character tokens.

    ``token='word'`` gives ``line.split()``; ``token='char'`` gives ``list(line)`` (spaces are
    tokens too), as d2l's ``tokenize``.

    >>> tokenize(["the time machine", "by h g wells"])
    [['the', 'time', 'machine'], ['by', 'h', 'g', 'wells']]
    >>> tokenize(["ab c"], token="char")
    [['a', 'b', ' ', 'c']]
    """
    if token not in ("word", "char"):
        raise ValueError(f"tokenize: unknown token type {token!r}; use token='word' or token='char'")
    if isinstance(lines, str):
        raise TypeError("tokenize: expected a list of lines, got one str; wrap it: tokenize([text])")
    if token == "word":
        return [line.split() for line in lines]
    return [list(line) for line in lines]


def count_corpus(tokens: Iterable) -> collections.Counter:
    """Count token frequencies in a list of tokens or a list of token lists (flattened first).

    >>> count_corpus([["a", "b"], ["a"]])
    Counter({'a': 2, 'b': 1})
    """
    tokens = list(tokens)
    if tokens and isinstance(tokens[0], (list, tuple)):
        tokens = [tok for line in tokens for tok in line]
    return collections.Counter(tokens)
