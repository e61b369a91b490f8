"""d2l 1.0's data modules for text: ``TimeMachine`` (fixed-length windows of the book) and
``MTFraEng`` (padded English-French arrays with a train/validation split).

They follow d2l 1.0's ``DataModule`` protocol: ``train_dataloader()``, ``val_dataloader()``,
``get_dataloader(train)``, and a ``build`` method that indexes new text with the fitted
vocabularies. Both read the shipped corpora unless given ``path``.
"""
from __future__ import annotations

import os
import re

import numpy as np

import ember
from ember.utils.data import DataLoader, TensorDataset

from .corpora import read_book, read_data_nmt
from .nmt_data import preprocess_nmt
from .vocab import Vocab

__all__ = ["TimeMachine", "MTFraEng"]


class _TensorDataModule:
    """d2l's ``DataModule``: loaders over slices of a tuple of tensors (shuffled for training)."""

    batch_size: int

    def get_dataloader(self, train: bool) -> DataLoader:
        raise NotImplementedError

    def train_dataloader(self) -> DataLoader:
        return self.get_dataloader(train=True)

    def val_dataloader(self) -> DataLoader:
        return self.get_dataloader(train=False)

    def get_tensorloader(self, tensors, train: bool, indices: slice = slice(0, None)) -> DataLoader:
        tensors = tuple(t[indices] for t in tensors)
        return DataLoader(TensorDataset(*tensors), self.batch_size, shuffle=train)


class TimeMachine(_TensorDataModule):
    """Character windows of the book (d2l 1.0's ``TimeMachine``).

    The text becomes lowercase letters and spaces, one token per character; ``X[i]`` is the
    window ``corpus[i:i + num_steps]`` and ``Y[i]`` the same window one character later. The
    first ``num_train`` windows train, the next ``num_val`` validate.

    >>> data = TimeMachine(batch_size=2, num_steps=10)
    >>> X, Y = next(iter(data.train_dataloader()))
    >>> X.shape, len(data.vocab), bool((X[:, 1:] == Y[:, :-1]).all())
    (ember.Size([2, 10]), 28, True)
    """

    def __init__(self, batch_size: int, num_steps: int, num_train: int = 10000, num_val: int = 5000,
                 path: str | os.PathLike | None = None) -> None:
        self.batch_size, self.num_steps = batch_size, num_steps
        self.num_train, self.num_val = num_train, num_val
        corpus, self.vocab = self.build(read_book(path))
        windows = np.lib.stride_tricks.sliding_window_view(np.asarray(corpus, dtype=np.int64),
                                                           num_steps + 1)
        self.X = ember.from_numpy(np.ascontiguousarray(windows[:, :-1]))
        self.Y = ember.from_numpy(np.ascontiguousarray(windows[:, 1:]))

    def _preprocess(self, text: str) -> str:
        return re.sub("[^A-Za-z]+", " ", text).lower()

    def _tokenize(self, text: str) -> list[str]:
        return list(text)

    def build(self, raw_text: str, vocab: Vocab | None = None) -> tuple[list[int], Vocab]:
        """Indices of ``raw_text``'s characters and the vocabulary (a new one unless given)."""
        tokens = self._tokenize(self._preprocess(raw_text))
        if vocab is None:
            vocab = Vocab(tokens)
        return [vocab[tok] for tok in tokens], vocab

    def get_dataloader(self, train: bool) -> DataLoader:
        idx = (slice(0, self.num_train) if train
               else slice(self.num_train, self.num_train + self.num_val))
        return self.get_tensorloader([self.X, self.Y], train, idx)


class MTFraEng(_TensorDataModule):
    """English-French arrays with a train/validation split (d2l 1.0's ``MTFraEng``).

    Each sentence gets ``<eos>``, is cut or padded with ``<pad>`` to ``num_steps``; targets
    also start with ``<bos>``. ``arrays = (src, tgt[:, :-1], src_valid_len, tgt[:, 1:])``
    (decoder input and label), vocabularies with ``min_freq=2``; the first ``num_train``
    pairs train, the rest (up to ``num_train + num_val`` in all) validate.

    >>> data = MTFraEng(batch_size=3)
    >>> src, tgt, src_valid_len, label = next(iter(data.train_dataloader()))
    >>> src.shape, tgt.shape, label.shape, src_valid_len.shape
    (ember.Size([3, 9]), ember.Size([3, 9]), ember.Size([3, 9]), ember.Size([3]))
    """

    def __init__(self, batch_size: int, num_steps: int = 9, num_train: int = 512, num_val: int = 128,
                 path: str | os.PathLike | None = None) -> None:
        self.batch_size, self.num_steps = batch_size, num_steps
        self.num_train, self.num_val = num_train, num_val
        self.arrays, self.src_vocab, self.tgt_vocab = self._build_arrays(read_data_nmt(path))

    def _preprocess(self, text: str) -> str:
        return preprocess_nmt(text)

    def _tokenize(self, text: str, max_examples: int | None = None):
        src, tgt = [], []
        for i, line in enumerate(text.split("\n")):
            if max_examples and i > max_examples:
                break
            parts = line.split("\t")
            if len(parts) == 2:  # empty tokens (double spaces) are skipped
                src.append([t for t in f"{parts[0]} <eos>".split(" ") if t])
                tgt.append([t for t in f"{parts[1]} <eos>".split(" ") if t])
        return src, tgt

    def _build_array(self, sentences, vocab, is_tgt=False):
        steps = self.num_steps
        sentences = [s[:steps] if len(s) > steps else s + ["<pad>"] * (steps - len(s))
                     for s in sentences]
        if is_tgt:
            sentences = [["<bos>"] + s for s in sentences]
        if vocab is None:
            vocab = Vocab(sentences, min_freq=2)
        array = np.array([vocab[s] for s in sentences], dtype=np.int64).reshape(len(sentences), -1)
        valid_len = (array != vocab["<pad>"]).sum(axis=1).astype(np.int32)
        return ember.from_numpy(array), vocab, ember.from_numpy(valid_len)

    def _build_arrays(self, raw_text: str, src_vocab: Vocab | None = None,
                      tgt_vocab: Vocab | None = None):
        src, tgt = self._tokenize(self._preprocess(raw_text), self.num_train + self.num_val)
        src_array, src_vocab, src_valid_len = self._build_array(src, src_vocab)
        tgt_array, tgt_vocab, _ = self._build_array(tgt, tgt_vocab, True)
        return ((src_array, tgt_array[:, :-1], src_valid_len, tgt_array[:, 1:]), src_vocab, tgt_vocab)

    def get_dataloader(self, train: bool) -> DataLoader:
        idx = slice(0, self.num_train) if train else slice(self.num_train, None)
        return self.get_tensorloader(self.arrays, train, idx)

    def build(self, src_sentences: list[str], tgt_sentences: list[str]):
        """Arrays of new sentence pairs, indexed with the fitted vocabularies."""
        raw_text = "\n".join(f"{src}\t{tgt}" for src, tgt in zip(src_sentences, tgt_sentences))
        arrays, _, _ = self._build_arrays(raw_text, self.src_vocab, self.tgt_vocab)
        return arrays
