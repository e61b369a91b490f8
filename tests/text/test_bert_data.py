"""BERT pretraining data: segments, the 80/10/10 masked-LM rule (statistics), NSP, padding."""
import random

import numpy as np
import pytest

import ember
from ember.text import Vocab, WikiTextDataset, get_tokens_and_segments, load_data_wiki, read_wiki
from ember.text import bert_data
from ember.utils.data import DataLoader, Dataset


def test_get_tokens_and_segments():
    assert get_tokens_and_segments(["a"]) == (["<cls>", "a", "<sep>"], [0, 0, 0])
    tokens, segments = get_tokens_and_segments(["a", "b"], ["c", "d", "e"])
    assert tokens == ["<cls>", "a", "b", "<sep>", "c", "d", "e", "<sep>"]
    assert segments == [0, 0, 0, 0, 1, 1, 1, 1]


def _vocab():
    words = [f"w{i}" for i in range(50)]
    return Vocab([words * 5], min_freq=1, reserved_tokens=bert_data.BERT_RESERVED)


def test_masked_lm_rule_statistics():
    random.seed(0)
    vocab = _vocab()
    tokens, _ = get_tokens_and_segments([f"w{i}" for i in range(20)], [f"w{i}" for i in range(20, 38)])
    n = len(tokens)                                     # 41 tokens -> round(0.15 * 41) = 6 predictions
    mask = keep = rand = total = 0
    for _ in range(3000):
        ids, positions, labels = bert_data._get_mlm_data_from_tokens(tokens, vocab)
        assert len(positions) == max(1, round(0.15 * n)) == 6
        assert positions == sorted(positions) and len(set(positions)) == 6
        assert all(tokens[p] not in ("<cls>", "<sep>") for p in positions)
        assert labels == vocab[[tokens[p] for p in positions]]
        unchanged = [i for i in range(n) if i not in positions]
        assert [ids[i] for i in unchanged] == vocab[[tokens[i] for i in unchanged]]
        for p, label in zip(positions, labels):
            total += 1
            if ids[p] == vocab["<mask>"]:
                mask += 1
            elif ids[p] == label:
                keep += 1        # includes a random draw of the same token (1 in len(vocab))
            else:
                rand += 1
    # 18000 draws: binomial std of a 0.1 share is 0.0022; allow 5 std
    p_same = 1 / len(vocab)
    assert mask / total == pytest.approx(0.8, abs=0.011)
    assert keep / total == pytest.approx(0.1 + 0.1 * p_same, abs=0.011)
    assert rand / total == pytest.approx(0.1 * (1 - p_same), abs=0.011)


def test_masked_lm_short_input_predicts_one():
    random.seed(1)
    ids, positions, labels = bert_data._get_mlm_data_from_tokens(["<cls>", "w1", "<sep>"], _vocab())
    assert positions == [1] and labels == [_vocab()["w1"]]


def test_next_sentence_half_the_time():
    random.seed(0)
    paragraphs = [[["a", str(i)], ["b", str(i)]] for i in range(40)]
    is_next = [bert_data._get_next_sentence(p[0], p[1], paragraphs)[2]
               for _ in range(50) for p in paragraphs]
    assert np.mean(is_next) == pytest.approx(0.5, abs=0.03)   # 2000 draws, std 0.011


def test_nsp_drops_pairs_longer_than_max_len():
    random.seed(0)
    paragraph = [["a"] * 3, ["b"] * 3, ["c"] * 10]
    examples = bert_data._get_nsp_data_from_paragraph(paragraph, [paragraph], None, max_len=9)
    # pair (a, b) fits in 3 + 3 + 3 = 9; (b, c) never does (random next sentences too)
    for tokens, segments, _ in examples:
        assert len(tokens) <= 9 and len(tokens) == len(segments)
    assert any(t[1] == "a" for t, _, _ in examples)


def test_padding_by_hand():
    vocab = _vocab()
    pad = vocab["<pad>"]
    examples = [([5, 6, 7, 8], [2], [6], [0, 0, 1, 1], True),
                ([5, 9, 10], [1, 2], [9, 10], [0, 0, 0], False)]
    arrays = bert_data._pad_bert_inputs(examples, max_len=14, vocab=vocab)   # P = round(2.1) = 2
    token_ids, segments, valid_lens, positions, weights, labels, nsp = arrays
    assert token_ids.tolist() == [[5, 6, 7, 8] + [pad] * 10, [5, 9, 10] + [pad] * 11]
    assert segments.tolist() == [[0, 0, 1, 1] + [0] * 10, [0] * 14]
    assert valid_lens.tolist() == [4.0, 3.0] and valid_lens.dtype == np.float32
    assert positions.tolist() == [[2, 0], [1, 2]]
    assert weights.tolist() == [[1.0, 0.0], [1.0, 1.0]]
    assert labels.tolist() == [[6, 0], [9, 10]]
    assert nsp.tolist() == [1, 0]


@pytest.fixture(scope="module")
def wiki():
    random.seed(0)
    return load_data_wiki(batch_size=16, max_len=48)


def test_load_data_wiki_on_shipped_book(wiki):
    train_iter, vocab = wiki
    assert isinstance(train_iter, DataLoader) and isinstance(train_iter.dataset, Dataset)
    for tok in bert_data.BERT_RESERVED:
        assert tok in vocab
    tokens_X, segments_X, valid_lens_x, pred_positions_X, mlm_weights_X, mlm_Y, nsp_y = next(iter(train_iter))
    assert tokens_X.shape == (16, 48) and segments_X.shape == (16, 48)
    assert pred_positions_X.shape == mlm_weights_X.shape == mlm_Y.shape == (16, round(0.15 * 48))
    assert valid_lens_x.dtype == ember.float32 and tokens_X.dtype == ember.int64
    for row, n in zip(tokens_X.tolist(), valid_lens_x.tolist()):
        n = int(n)
        assert row[0] == vocab["<cls>"] and row[n - 1] == vocab["<sep>"]
        assert all(t == vocab["<pad>"] for t in row[n:])
    assert set(nsp_y.tolist()) <= {0, 1}
    ds = train_iter.dataset
    assert 0.35 < float(ds.nsp_labels.numpy().mean()) < 0.65


def test_read_wiki_user_file(tmp_path):
    path = tmp_path / "wiki.train.tokens"
    path.write_text(" = Title = \n The first sentence . The Second one . A third \n no split here \n",
                    encoding="utf-8")
    random.seed(0)
    paragraphs = read_wiki(path)
    assert paragraphs == [["the first sentence", "the second one", "a third"]]
    ds = WikiTextDataset(paragraphs * 3, max_len=12, min_freq=1)
    assert len(ds) == 6 and len(ds[0]) == 7
