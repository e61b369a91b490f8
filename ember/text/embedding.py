"""Word-embedding data: skip-gram with negative sampling (d2l's ``load_data_ptb`` pipeline) and
pretrained vectors in GloVe's text format (d2l's ``TokenEmbedding``).

Skip-gram pipeline, randomness from Python's ``random``:

1. ``subsample``: drop ``<unk>`` and keep each token ``w`` with probability
   :math:`\\min(1, \\sqrt{t / f(w)})`, :math:`t = 10^{-4}`, :math:`f(w)` its relative frequency.
2. ``get_centers_and_contexts``: every token of a sentence (of >= 2 tokens) is a center; its
   contexts are the tokens within a window drawn uniformly from ``[1, max_window_size]``.
3. ``get_negatives``: ``K`` noise words per context word, drawn from
   :math:`P(w) \\propto count(w)^{0.75}` over indices ``1..len(vocab)-1``, never a context word.
4. ``batchify``: concatenate contexts and negatives, pad with 0; ``masks`` mark real entries,
   ``labels`` mark contexts.
"""
from __future__ import annotations

import collections
import math
import os
import random
from typing import Sequence

import numpy as np

import ember
from ember.utils.data import DataLoader, Dataset

from .corpora import read_ptb, read_text
from .vocab import Vocab

__all__ = ["subsample", "get_centers_and_contexts", "RandomGenerator", "get_negatives", "batchify",
           "PTBDataset", "load_data_ptb", "TokenEmbedding", "load_glove"]


def subsample(sentences: list[list[str]], vocab: Vocab) -> tuple[list[list[str]], collections.Counter]:
    """Drop unknown tokens and subsample frequent ones; returns (sentences, counts before)."""
    sentences = [[tok for tok in line if vocab[tok] != vocab.unk] for line in sentences]
    counter = collections.Counter(tok for line in sentences for tok in line)
    num_tokens = sum(counter.values())

    def keep(tok: str) -> bool:
        return random.uniform(0, 1) < math.sqrt(1e-4 / counter[tok] * num_tokens)

    return [[tok for tok in line if keep(tok)] for line in sentences], counter


def get_centers_and_contexts(corpus: list[list[int]],
                             max_window_size: int) -> tuple[list[int], list[list[int]]]:
    """Center words and their context words (random window size per center).

    >>> random.seed(0)
    >>> centers, contexts = get_centers_and_contexts([[1, 2, 3], [4]], max_window_size=1)
    >>> centers, contexts
    ([1, 2, 3], [[2], [1, 3], [2]])
    """
    centers, contexts = [], []
    for line in corpus:
        if len(line) < 2:  # a center-context pair needs two words
            continue
        centers += line
        for i in range(len(line)):
            window = random.randint(1, max_window_size)
            indices = [j for j in range(max(0, i - window), min(len(line), i + 1 + window)) if j != i]
            contexts.append([line[j] for j in indices])
    return centers, contexts


class RandomGenerator:
    """Draw from ``{1, ..., n}`` with the given ``n`` sampling weights (10000 draws cached).

    >>> random.seed(0)
    >>> gen = RandomGenerator([0, 0, 1])
    >>> [gen.draw() for _ in range(3)]
    [3, 3, 3]
    """

    def __init__(self, sampling_weights: Sequence[float]) -> None:
        self.population = list(range(1, len(sampling_weights) + 1))
        self.sampling_weights = list(sampling_weights)
        self.candidates: list[int] = []
        self.i = 0

    def draw(self) -> int:
        if self.i == len(self.candidates):
            self.candidates = random.choices(self.population, self.sampling_weights, k=10000)
            self.i = 0
        self.i += 1
        return self.candidates[self.i - 1]


def get_negatives(all_contexts: list[list[int]], vocab: Vocab, counter: collections.Counter,
                  K: int) -> list[list[int]]:
    """``K`` noise-word indices per context word, by unigram counts to the power 0.75."""
    weights = [counter[vocab.to_tokens(i)] ** 0.75 for i in range(1, len(vocab))]
    generator = RandomGenerator(weights)
    all_negatives = []
    for contexts in all_contexts:
        context_set = set(contexts)
        negatives: list[int] = []
        while len(negatives) < len(contexts) * K:
            neg = generator.draw()
            if neg not in context_set:  # noise words cannot be context words
                negatives.append(neg)
        all_negatives.append(negatives)
    return all_negatives


def batchify(data: list[tuple[int, list[int], list[int]]]) -> tuple[ember.Tensor, ...]:
    """Collate ``(center, contexts, negatives)`` examples into
    ``(centers (B, 1), contexts_negatives (B, L), masks (B, L), labels (B, L))`` int64 tensors.

    >>> c, cn, m, l = batchify([(1, [2, 2], [3, 3, 3, 3]), (1, [2], [3, 3])])
    >>> c.tolist(), cn.tolist(), m.tolist(), l.tolist()
    ([[1], [1]], [[2, 2, 3, 3, 3, 3], [2, 3, 3, 0, 0, 0]], [[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0]], [[1, 1, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0]])
    """
    max_len = max(len(c) + len(n) for _, c, n in data)
    B = len(data)
    centers = np.array([center for center, _, _ in data], dtype=np.int64).reshape(B, 1)
    contexts_negatives = np.zeros((B, max_len), dtype=np.int64)
    masks = np.zeros((B, max_len), dtype=np.int64)
    labels = np.zeros((B, max_len), dtype=np.int64)
    for i, (_, context, negative) in enumerate(data):
        cur_len = len(context) + len(negative)
        contexts_negatives[i, :cur_len] = list(context) + list(negative)
        masks[i, :cur_len] = 1
        labels[i, :len(context)] = 1
    return tuple(ember.from_numpy(a) for a in (centers, contexts_negatives, masks, labels))


class PTBDataset(Dataset):
    """``(center, contexts, negatives)`` examples for skip-gram with negative sampling.

    >>> ds = PTBDataset([5, 6], [[6], [5]], [[1, 2], [3, 4]])
    >>> len(ds), ds[1]
    (2, (6, [5], [3, 4]))
    """

    def __init__(self, centers: list[int], contexts: list[list[int]], negatives: list[list[int]]) -> None:
        if not len(centers) == len(contexts) == len(negatives):
            raise ValueError(f"PTBDataset: got {len(centers)} centers, {len(contexts)} contexts and "
                             f"{len(negatives)} negatives; they must have the same length")
        self.centers, self.contexts, self.negatives = centers, contexts, negatives

    def __getitem__(self, index: int):
        return self.centers[index], self.contexts[index], self.negatives[index]

    def __len__(self) -> int:
        return len(self.centers)


def load_data_ptb(batch_size: int, max_window_size: int, num_noise_words: int,
                  path: str | os.PathLike | None = None, min_freq: int = 10,
                  num_workers: int = 0) -> tuple[DataLoader, Vocab]:
    """``(data_iter, vocab)`` for skip-gram with negative sampling (d2l API).

    Sentences from the shipped book (or a PTB-style file at ``path``), ``Vocab(min_freq=10)``;
    batches are ``batchify``'s ``(centers, contexts_negatives, masks, labels)``.
    """
    sentences = read_ptb(path)
    vocab = Vocab(sentences, min_freq=min_freq)
    subsampled, counter = subsample(sentences, vocab)
    corpus = [vocab[line] for line in subsampled]
    all_centers, all_contexts = get_centers_and_contexts(corpus, max_window_size)
    all_negatives = get_negatives(all_contexts, vocab, counter, num_noise_words)
    dataset = PTBDataset(all_centers, all_contexts, all_negatives)
    data_iter = DataLoader(dataset, batch_size, shuffle=True, collate_fn=batchify,
                           num_workers=num_workers)
    return data_iter, vocab


def load_glove(path: str | os.PathLike) -> tuple[Vocab, ember.Tensor]:
    """Read a GloVe-format text file (``token v1 v2 ...`` per line; a fastText header line of
    two numbers is skipped) into a ``Vocab`` and a float32 ``(len(vocab), dim)`` tensor.

    Row 0 is ``<unk>`` with a zero vector; row ``i`` is the vector of ``vocab.idx_to_token[i]``
    in file order (the vocabulary keeps the file's order, not a frequency order).
    """
    idx_to_token, rows = ["<unk>"], []
    dim = None
    for lineno, line in enumerate(read_text(path).split("\n"), 1):
        elems = line.rstrip().split(" ")
        if len(elems) <= 2:  # blank line or a "count dim" header
            continue
        token, values = elems[0], elems[1:]
        if dim is None:
            dim = len(values)
        elif len(values) != dim:
            raise ValueError(f"load_glove: line {lineno} of {os.fspath(path)!r} has {len(values)} "
                             f"values but earlier lines have {dim}; every vector needs the same size")
        if token in idx_to_token:
            continue
        idx_to_token.append(token)
        rows.append([float(v) for v in values])
    if dim is None:
        raise ValueError(f"load_glove: no vectors in {os.fspath(path)!r}; expected lines 'token v1 v2 ...'")
    vocab = Vocab()
    vocab.idx_to_token = idx_to_token
    vocab.token_to_idx = {tok: i for i, tok in enumerate(idx_to_token)}
    vectors = np.zeros((len(idx_to_token), dim), dtype=np.float32)
    vectors[1:] = np.array(rows, dtype=np.float32)
    return vocab, ember.from_numpy(vectors)


class TokenEmbedding:
    """Pretrained token vectors from a GloVe-format file (d2l's ``TokenEmbedding``).

    ``emb[tokens]`` gives the ``(len(tokens), dim)`` vectors (unknown tokens: the zero row 0).

    Attributes: ``idx_to_token``, ``token_to_idx``, ``idx_to_vec`` (float32 tensor), ``unknown_idx``.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.vocab, self.idx_to_vec = load_glove(path)
        self.idx_to_token = self.vocab.idx_to_token
        self.token_to_idx = self.vocab.token_to_idx
        self.unknown_idx = 0

    def __getitem__(self, tokens: Sequence[str]) -> ember.Tensor:
        if isinstance(tokens, str):
            tokens = [tokens]
        indices = [self.token_to_idx.get(tok, self.unknown_idx) for tok in tokens]
        return self.idx_to_vec[ember.tensor(indices)]

    def __len__(self) -> int:
        return len(self.idx_to_token)
