"""Tokenizers and Vocab: orderings and lookups against hand-computed values."""
import pytest

from ember.text import Vocab, count_corpus, tokenize


def test_tokenize_word_and_char():
    assert tokenize(["a bc  d", ""]) == [["a", "bc", "d"], []]
    assert tokenize(["a b"], token="char") == [["a", " ", "b"]]


def test_tokenize_errors():
    with pytest.raises(ValueError, match="token='word'"):
        tokenize(["a"], token="bpe")
    with pytest.raises(TypeError, match="list of lines"):
        tokenize("a b")


def test_count_corpus_flattens():
    assert count_corpus([["x", "y"], ["x"]]) == {"x": 2, "y": 1}
    assert count_corpus(["x", "x"]) == {"x": 2}


def test_vocab_order_frequency_then_token():
    # counts: c=3, a=2, b=2, d=1, e=1 -> ties broken alphabetically
    lines = [["e", "b", "c"], ["a", "c", "d"], ["b", "a", "c"]]
    vocab = Vocab(lines)
    assert vocab.idx_to_token == ["<unk>", "c", "a", "b", "d", "e"]
    assert vocab.token_to_idx == {"<unk>": 0, "c": 1, "a": 2, "b": 3, "d": 4, "e": 5}
    assert vocab.token_freqs == [("c", 3), ("a", 2), ("b", 2), ("d", 1), ("e", 1)]
    # the order of the corpus does not matter
    assert Vocab(lines[::-1]).idx_to_token == vocab.idx_to_token


def test_vocab_reserved_min_freq_lookup():
    vocab = Vocab(["x", "y", "y", "z", "z", "z"], min_freq=2, reserved_tokens=["<pad>", "<bos>"])
    assert vocab.idx_to_token == ["<unk>", "<pad>", "<bos>", "z", "y"]
    assert len(vocab) == 5
    assert vocab.unk == 0
    assert vocab["x"] == 0 and vocab["never"] == 0
    assert vocab[["z", "x", "<pad>"]] == [3, 0, 1]
    assert vocab[("y",)] == [4]
    assert vocab.to_tokens(3) == "z"
    assert vocab.to_tokens([4, 3]) == ["y", "z"]
    assert vocab.to_tokens([4]) == ["y"]
    assert "z" in vocab and "x" not in vocab


def test_vocab_to_tokens_on_tensor_and_empty():
    import ember

    vocab = Vocab(["a", "b", "b"])
    assert vocab.to_tokens(ember.tensor([1, 2])) == ["b", "a"]
    assert len(Vocab()) == 1 and Vocab().idx_to_token == ["<unk>"]
