"""Language-model minibatches: d2l's random and sequential partitions of one long token stream.

Both yield ``(X, Y)`` int64 tensors of shape ``(batch_size, num_steps)`` with ``Y`` the stream
shifted by one token. Randomness comes from Python's ``random`` (seed it with ``random.seed``).
"""
from __future__ import annotations

import os
import random
from typing import Iterator, Sequence

import numpy as np

import ember

from .corpora import load_corpus_time_machine
from .vocab import Vocab

__all__ = ["seq_data_iter_random", "seq_data_iter_sequential", "SeqDataLoader",
           "load_data_time_machine"]


def _check(fn: str, corpus: Sequence[int], batch_size: int, num_steps: int) -> None:
    if batch_size < 1 or num_steps < 1:
        raise ValueError(f"{fn}: batch_size and num_steps must be positive, got "
                         f"batch_size={batch_size}, num_steps={num_steps}")


def seq_data_iter_random(corpus: Sequence[int], batch_size: int,
                         num_steps: int) -> Iterator[tuple[ember.Tensor, ember.Tensor]]:
    """Random partition: subsequences from a random offset, in random order.

    The stream starts at a random offset in ``[0, num_steps - 1]``, is cut into
    ``(len - 1) // num_steps`` adjacent subsequences of ``num_steps`` tokens, and those are
    shuffled; each minibatch takes ``batch_size`` of them. Two adjacent minibatches are not
    adjacent in the text, so a model's state must be reset for each one.

    >>> random.seed(0)
    >>> [X.shape for X, Y in seq_data_iter_random(list(range(35)), batch_size=2, num_steps=5)]
    [ember.Size([2, 5]), ember.Size([2, 5]), ember.Size([2, 5])]
    """
    _check("seq_data_iter_random", corpus, batch_size, num_steps)
    corpus = np.asarray(corpus, dtype=np.int64)[random.randint(0, num_steps - 1):]
    num_subseqs = (len(corpus) - 1) // num_steps
    initial_indices = list(range(0, num_subseqs * num_steps, num_steps))
    random.shuffle(initial_indices)
    num_batches = num_subseqs // batch_size
    for i in range(0, batch_size * num_batches, batch_size):
        starts = initial_indices[i:i + batch_size]
        X = np.stack([corpus[j:j + num_steps] for j in starts])
        Y = np.stack([corpus[j + 1:j + 1 + num_steps] for j in starts])
        yield ember.from_numpy(X), ember.from_numpy(Y)


def seq_data_iter_sequential(corpus: Sequence[int], batch_size: int,
                             num_steps: int) -> Iterator[tuple[ember.Tensor, ember.Tensor]]:
    """Sequential partition: row ``b`` of minibatch ``i + 1`` continues row ``b`` of minibatch ``i``.

    From a random offset in ``[0, num_steps]``, the stream is trimmed to a multiple of
    ``batch_size``, reshaped to ``(batch_size, -1)`` and read ``num_steps`` columns at a time.
    So a model may carry its hidden state from one minibatch to the next (truncated
    backpropagation through time: ``state.detach_()`` between minibatches).

    >>> random.seed(0)
    >>> batches = list(seq_data_iter_sequential(list(range(35)), batch_size=2, num_steps=5))
    >>> bool((batches[1][0][:, 0] == batches[0][0][:, -1] + 1).all())
    True
    """
    _check("seq_data_iter_sequential", corpus, batch_size, num_steps)
    corpus = np.asarray(corpus, dtype=np.int64)
    offset = random.randint(0, num_steps)
    num_tokens = ((len(corpus) - offset - 1) // batch_size) * batch_size
    Xs = ember.from_numpy(corpus[offset:offset + num_tokens].reshape(batch_size, -1))
    Ys = ember.from_numpy(corpus[offset + 1:offset + 1 + num_tokens].reshape(batch_size, -1))
    num_batches = Xs.shape[1] // num_steps
    for i in range(0, num_steps * num_batches, num_steps):
        yield Xs[:, i:i + num_steps], Ys[:, i:i + num_steps]


class SeqDataLoader:
    """An iterable over language-model minibatches of the book (d2l's ``SeqDataLoader``).

    Each ``iter()`` draws a new random offset (and order, for the random partition).

    Args:
        batch_size, num_steps: minibatch shape ``(batch_size, num_steps)``.
        use_random_iter: ``seq_data_iter_random`` if True, else ``seq_data_iter_sequential``.
        max_tokens: keep the first ``max_tokens`` tokens (``<= 0``: all).
        path: a user's text file instead of the shipped book; token: ``'char'`` or ``'word'``.
        corpus, vocab: an already indexed stream and its vocabulary (skips reading a file).
    """

    def __init__(self, batch_size: int, num_steps: int, use_random_iter: bool = False,
                 max_tokens: int = 10000, path: str | os.PathLike | None = None,
                 token: str = "char", corpus: Sequence[int] | None = None,
                 vocab: Vocab | None = None) -> None:
        self.data_iter_fn = seq_data_iter_random if use_random_iter else seq_data_iter_sequential
        if corpus is None:
            corpus, vocab = load_corpus_time_machine(max_tokens, path=path, token=token)
        elif max_tokens > 0:
            corpus = list(corpus)[:max_tokens]
        self.corpus, self.vocab = corpus, vocab
        self.batch_size, self.num_steps = batch_size, num_steps

    def __iter__(self) -> Iterator[tuple[ember.Tensor, ember.Tensor]]:
        return self.data_iter_fn(self.corpus, self.batch_size, self.num_steps)

    def __len__(self) -> int:
        """Minibatches per pass (the sequential one may give one fewer for a large offset)."""
        if self.data_iter_fn is seq_data_iter_random:
            return ((len(self.corpus) - 1) // self.num_steps) // self.batch_size
        return ((len(self.corpus) - 1) // self.batch_size) // self.num_steps


def load_data_time_machine(batch_size: int, num_steps: int, use_random_iter: bool = False,
                           max_tokens: int = 10000, path: str | os.PathLike | None = None,
                           token: str = "char") -> tuple[SeqDataLoader, Vocab]:
    """``(data_iter, vocab)`` for a character-level language model on the shipped book (d2l API).

    >>> data_iter, vocab = load_data_time_machine(batch_size=4, num_steps=8)
    >>> X, Y = next(iter(data_iter))
    >>> X.shape, X.dtype, len(vocab)
    (ember.Size([4, 8]), ember.int64, 28)
    """
    data_iter = SeqDataLoader(batch_size, num_steps, use_random_iter, max_tokens, path=path,
                              token=token)
    return data_iter, data_iter.vocab
