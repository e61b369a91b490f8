"""Machine-translation data: d2l's English-French pipeline on the shipped (or a user's) pair file.

``preprocess_nmt`` -> ``tokenize_nmt`` -> ``Vocab`` (``min_freq=2``, with ``<pad>``, ``<bos>``,
``<eos>``) -> ``build_array_nmt`` (append ``<eos>``, ``truncate_pad`` to ``num_steps``) ->
a shuffled DataLoader of ``(X, X_valid_len, Y, Y_valid_len)``.
"""
from __future__ import annotations

import os
from typing import Sequence

import numpy as np

import ember
from ember.utils.data import DataLoader, TensorDataset

from .corpora import read_data_nmt
from .vocab import Vocab

__all__ = ["preprocess_nmt", "tokenize_nmt", "truncate_pad", "build_array_nmt", "load_array",
           "load_data_nmt"]


def preprocess_nmt(text: str) -> str:
    """Replace no-break spaces (U+202F, U+00A0) by spaces, lowercase, and put a space before
    each ``, . ! ?`` that follows a non-space.

    >>> preprocess_nmt("Go.\\tVa\\u202f!\\nHi, Tom!")
    'go .\\tva !\\nhi , tom !'
    """
    text = text.replace("\u202f", " ").replace("\xa0", " ").lower()
    out = [" " + ch if i > 0 and ch in ",.!?" and text[i - 1] != " " else ch
           for i, ch in enumerate(text)]
    return "".join(out)


def tokenize_nmt(text: str, num_examples: int | None = None) -> tuple[list[list[str]], list[list[str]]]:
    """Split each ``source<TAB>target`` line on spaces; d2l's rule reads lines ``0..num_examples``.

    >>> tokenize_nmt("go .\\tva !\\nhi .\\tsalut !")
    ([['go', '.'], ['hi', '.']], [['va', '!'], ['salut', '!']])
    """
    source, target = [], []
    for i, line in enumerate(text.split("\n")):
        if num_examples and i > num_examples:
            break
        parts = line.split("\t")
        if len(parts) == 2:
            source.append(parts[0].split(" "))
            target.append(parts[1].split(" "))
    return source, target


def truncate_pad(line: Sequence, num_steps: int, padding_token) -> list:
    """Cut ``line`` to ``num_steps`` items or pad it with ``padding_token`` up to that length.

    >>> truncate_pad([5, 6, 7], 5, 0), truncate_pad([5, 6, 7], 2, 0)
    ([5, 6, 7, 0, 0], [5, 6])
    """
    if len(line) > num_steps:
        return list(line[:num_steps])
    return list(line) + [padding_token] * (num_steps - len(line))


def build_array_nmt(lines: list[list[str]], vocab: Vocab,
                    num_steps: int) -> tuple[ember.Tensor, ember.Tensor]:
    """Index each token list, append ``<eos>``, truncate/pad with ``<pad>`` to ``num_steps``.

    Returns ``(array, valid_len)``: int64 ``(N, num_steps)`` and int32 ``(N,)`` counting the
    non-``<pad>`` entries of each row (d2l's definition).

    >>> v = Vocab([["a", "b"]], reserved_tokens=["<pad>", "<bos>", "<eos>"])
    >>> array, valid_len = build_array_nmt([["a"], ["a", "b", "b"]], v, 3)
    >>> array.tolist(), valid_len.tolist()
    ([[4, 3, 1], [4, 5, 5]], [2, 3])
    """
    pad, eos = vocab["<pad>"], vocab["<eos>"]
    rows = [truncate_pad(vocab[line] + [eos], num_steps, pad) for line in lines]
    array = np.array(rows, dtype=np.int64).reshape(len(rows), num_steps)
    valid_len = (array != pad).sum(axis=1).astype(np.int32)
    return ember.from_numpy(array), ember.from_numpy(valid_len)


def load_array(data_arrays: Sequence[ember.Tensor], batch_size: int,
               is_train: bool = True) -> DataLoader:
    """A DataLoader over a ``TensorDataset`` of ``data_arrays``, shuffled when ``is_train``."""
    return DataLoader(TensorDataset(*data_arrays), batch_size, shuffle=is_train)


def load_data_nmt(batch_size: int, num_steps: int, num_examples: int = 600,
                  path: str | os.PathLike | None = None) -> tuple[DataLoader, Vocab, Vocab]:
    """``(data_iter, src_vocab, tgt_vocab)`` of the English-French pairs (d2l API).

    Each batch is ``(X, X_valid_len, Y, Y_valid_len)``: token ids ``(batch, num_steps)`` (int64)
    and valid lengths ``(batch,)`` (int32). ``path``: a user's ``fra.txt``-style file.

    >>> data_iter, src_vocab, tgt_vocab = load_data_nmt(batch_size=2, num_steps=8)
    >>> X, X_valid_len, Y, Y_valid_len = next(iter(data_iter))
    >>> X.shape, X_valid_len.shape, Y.dtype
    (ember.Size([2, 8]), ember.Size([2]), ember.int64)
    """
    text = preprocess_nmt(read_data_nmt(path))
    source, target = tokenize_nmt(text, num_examples)
    reserved = ["<pad>", "<bos>", "<eos>"]
    src_vocab = Vocab(source, min_freq=2, reserved_tokens=reserved)
    tgt_vocab = Vocab(target, min_freq=2, reserved_tokens=reserved)
    src_array, src_valid_len = build_array_nmt(source, src_vocab, num_steps)
    tgt_array, tgt_valid_len = build_array_nmt(target, tgt_vocab, num_steps)
    data_iter = load_array((src_array, src_valid_len, tgt_array, tgt_valid_len), batch_size)
    return data_iter, src_vocab, tgt_vocab
