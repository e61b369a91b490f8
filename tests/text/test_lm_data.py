"""Language-model iterators: exact batches for a small corpus (random draws pinned by hand)."""
import collections
import random

import numpy as np
import pytest

import ember
from ember.text import (SeqDataLoader, load_corpus_time_machine, load_data_time_machine,
                        read_time_machine, seq_data_iter_random, seq_data_iter_sequential)
from ember.text import lm_data

CORPUS = list(range(35))


def _pin(monkeypatch, offset, order=None):
    """Fix the offset drawn by random.randint and the shuffle (identity or reversed)."""
    monkeypatch.setattr(lm_data.random, "randint", lambda a, b: offset)
    monkeypatch.setattr(lm_data.random, "shuffle",
                        (lambda x: x.reverse()) if order == "reversed" else (lambda x: None))


def _lists(batches):
    return [(X.tolist(), Y.tolist()) for X, Y in batches]


def test_sequential_exact_batches(monkeypatch):
    # offset 2: 32 tokens -> rows 2..17 and 18..33, read 5 columns at a time (3 batches)
    _pin(monkeypatch, 2)
    got = _lists(seq_data_iter_sequential(CORPUS, batch_size=2, num_steps=5))
    assert got == [
        ([[2, 3, 4, 5, 6], [18, 19, 20, 21, 22]], [[3, 4, 5, 6, 7], [19, 20, 21, 22, 23]]),
        ([[7, 8, 9, 10, 11], [23, 24, 25, 26, 27]], [[8, 9, 10, 11, 12], [24, 25, 26, 27, 28]]),
        ([[12, 13, 14, 15, 16], [28, 29, 30, 31, 32]], [[13, 14, 15, 16, 17], [29, 30, 31, 32, 33]]),
    ]


def test_random_exact_batches(monkeypatch):
    # offset 1: tokens 1..34, 6 subsequences starting at 1, 6, ..., 26; reversed order
    _pin(monkeypatch, 1, "reversed")
    got = _lists(seq_data_iter_random(CORPUS, batch_size=2, num_steps=5))
    assert got == [
        ([[26, 27, 28, 29, 30], [21, 22, 23, 24, 25]], [[27, 28, 29, 30, 31], [22, 23, 24, 25, 26]]),
        ([[16, 17, 18, 19, 20], [11, 12, 13, 14, 15]], [[17, 18, 19, 20, 21], [12, 13, 14, 15, 16]]),
        ([[6, 7, 8, 9, 10], [1, 2, 3, 4, 5]], [[7, 8, 9, 10, 11], [2, 3, 4, 5, 6]]),
    ]


@pytest.mark.parametrize("seed", range(5))
def test_random_partition_properties(seed):
    random.seed(seed)
    batches = list(seq_data_iter_random(list(range(100)), batch_size=3, num_steps=4))
    starts = [int(x) for X, _ in batches for x in X[:, 0].tolist()]
    assert len(starts) == len(set(starts))                   # no subsequence twice
    assert len({s % 4 for s in starts}) == 1                 # all on one offset grid
    for X, Y in batches:
        assert X.dtype == ember.int64 and X.shape == (3, 4)
        np.testing.assert_array_equal(Y.numpy(), X.numpy() + 1)


@pytest.mark.parametrize("seed", range(5))
def test_sequential_keeps_state_across_batches(seed):
    random.seed(seed)
    batches = list(seq_data_iter_sequential(list(range(100)), batch_size=3, num_steps=4))
    for (X0, _), (X1, _) in zip(batches, batches[1:]):
        # row b of the next batch continues row b of this one: carry the hidden state
        np.testing.assert_array_equal(X1.numpy()[:, 0], X0.numpy()[:, -1] + 1)


def test_seq_data_loader_and_load_data_time_machine():
    random.seed(0)
    data_iter, vocab = load_data_time_machine(batch_size=4, num_steps=10, max_tokens=1000)
    assert isinstance(data_iter, SeqDataLoader)
    assert len(data_iter.corpus) == 1000
    batches = list(data_iter)
    assert len(batches) in (len(data_iter), len(data_iter) - 1)
    assert all(X.shape == (4, 10) for X, _ in batches)
    assert len(list(iter(data_iter))) > 0                     # iterable again
    rand_iter, _ = load_data_time_machine(4, 10, use_random_iter=True, max_tokens=1000)
    assert rand_iter.data_iter_fn is seq_data_iter_random and len(list(rand_iter)) == len(rand_iter)


def test_char_corpus_vocab_by_hand():
    lines = [line for line in read_time_machine() if line]
    counts = collections.Counter("".join(lines))
    corpus, vocab = load_corpus_time_machine()
    expected = ["<unk>"] + sorted(counts, key=lambda c: (-counts[c], c))
    assert vocab.idx_to_token == expected
    assert len(vocab) == 28 and vocab.idx_to_token[1] == " "
    assert len(corpus) == sum(counts.values())
    assert "".join(vocab.to_tokens(corpus[:len(lines[0])])) == lines[0]


def test_user_file_word_tokens(tmp_path):
    path = tmp_path / "book.txt"
    path.write_text("The cat, the dog.\nA cat!\n", encoding="utf-8")
    random.seed(0)
    data_iter, vocab = load_data_time_machine(1, 2, path=path, token="word", max_tokens=-1)
    assert vocab.idx_to_token == ["<unk>", "cat", "the", "a", "dog"]
    assert data_iter.corpus == [2, 1, 2, 4, 3, 1]


def test_bad_sizes():
    with pytest.raises(ValueError, match="batch_size and num_steps must be positive"):
        list(seq_data_iter_sequential(CORPUS, 0, 5))
