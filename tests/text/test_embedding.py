"""Skip-gram data (subsampling, windows, negatives, batches) and GloVe-format loading."""
import collections
import math
import random

import numpy as np
import pytest

import ember
from ember.text import (PTBDataset, TokenEmbedding, Vocab, batchify, get_centers_and_contexts,
                        get_negatives, load_data_ptb, load_glove, subsample)
from ember.text import embedding


def test_centers_and_contexts_fixed_window(monkeypatch):
    monkeypatch.setattr(embedding.random, "randint", lambda a, b: 2)
    centers, contexts = get_centers_and_contexts([[0, 1, 2, 3, 4], [5], [7, 8]], max_window_size=2)
    assert centers == [0, 1, 2, 3, 4, 7, 8]            # the 1-word sentence is skipped
    assert contexts == [[1, 2], [0, 2, 3], [0, 1, 3, 4], [1, 2, 4], [2, 3], [8], [7]]


def test_subsample_keep_probability():
    random.seed(0)
    # "a" is 90 % of 100000 tokens, "b" 10 %: keep prob sqrt(1e-4 / f) = 0.0105 and 0.0316
    sentences = [["a"] * 9 + ["b"] for _ in range(10000)]
    vocab = Vocab(sentences)
    kept, counter = subsample(sentences + [["zz"]], vocab)   # unknown tokens are dropped
    assert counter == {"a": 90000, "b": 10000}
    got = collections.Counter(t for line in kept for t in line)
    for tok, n in (("a", 90000), ("b", 10000)):
        p = math.sqrt(1e-4 / (n / 100000))
        assert got[tok] / n == pytest.approx(p, abs=5 * math.sqrt(p * (1 - p) / n))


def test_negatives_distribution_and_exclusion():
    random.seed(0)
    vocab = Vocab([["x"] * 8 + ["y"] * 4 + ["z"] * 1])       # x=1, y=2, z=3
    counter = collections.Counter({"x": 8, "y": 4, "z": 1})
    contexts = [[1]] * 3000 + [[2, 3]] * 10
    negatives = get_negatives(contexts, vocab, counter, K=2)
    assert [len(n) for n in negatives] == [2 * len(c) for c in contexts]
    assert all(n not in ctx for negs, ctx in zip(negatives, contexts) for n in negs)
    assert all(n == 1 for n in negatives[-1])                # only x is left for contexts {y, z}
    # among the draws for context [x]: y and z only, in the ratio 4^0.75 : 1
    draws = collections.Counter(n for negs in negatives[:3000] for n in negs)
    assert set(draws) == {2, 3}
    ratio = draws[2] / draws[3]
    assert ratio == pytest.approx(4 ** 0.75, rel=0.1)


def test_batchify_by_hand():
    data = [(3, [1, 2], [5, 6, 7, 8]), (4, [9], [5, 6])]
    centers, contexts_negatives, masks, labels = batchify(data)
    assert centers.tolist() == [[3], [4]]
    assert contexts_negatives.tolist() == [[1, 2, 5, 6, 7, 8], [9, 5, 6, 0, 0, 0]]
    assert masks.tolist() == [[1] * 6, [1, 1, 1, 0, 0, 0]]
    assert labels.tolist() == [[1, 1, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0]]
    assert centers.dtype == ember.int64


def test_load_data_ptb_on_shipped_book():
    random.seed(0)
    data_iter, vocab = load_data_ptb(batch_size=32, max_window_size=3, num_noise_words=4)
    assert isinstance(data_iter.dataset, PTBDataset) and len(vocab) > 100
    centers, contexts_negatives, masks, labels = next(iter(data_iter))
    assert centers.shape == (32, 1)
    assert contexts_negatives.shape == masks.shape == labels.shape
    m, lab, cn = masks.numpy(), labels.numpy(), contexts_negatives.numpy()
    assert (lab <= m).all() and (cn[m == 0] == 0).all()
    # 4 negatives per context word: masked length = 5 x number of contexts
    np.testing.assert_array_equal(m.sum(1), 5 * lab.sum(1))
    assert (cn[m == 1] > 0).all() and (cn < len(vocab)).all()


def test_ptb_dataset_length_mismatch():
    with pytest.raises(ValueError, match="same length"):
        PTBDataset([1, 2], [[1]], [[2]])


GLOVE = "3 2\nthe 0.1 -0.2\ncat 1 2\n\ndog -1.5 0.25\nthe 9 9\n"


def test_load_glove_file(tmp_path):
    path = tmp_path / "vec.txt"
    path.write_text(GLOVE, encoding="utf-8")     # fastText-style header, a blank line, a duplicate
    vocab, vectors = load_glove(path)
    assert vocab.idx_to_token == ["<unk>", "the", "cat", "dog"]
    assert vocab["dog"] == 3 and vocab["bird"] == 0
    assert vectors.dtype == ember.float32 and vectors.shape == (4, 2)
    np.testing.assert_allclose(vectors.numpy(), [[0, 0], [0.1, -0.2], [1, 2], [-1.5, 0.25]], rtol=1e-7)
    emb = TokenEmbedding(path)
    assert len(emb) == 4 and emb.unknown_idx == 0
    np.testing.assert_allclose(emb[["cat", "bird"]].numpy(), [[1, 2], [0, 0]])


def test_load_glove_errors(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("a 1 2\nb 1 2 3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2 .* has 3 values"):
        load_glove(bad)
    empty = tmp_path / "empty.txt"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no vectors"):
        load_glove(empty)
