"""Translation pipeline: preprocessing, truncate_pad, arrays and valid lengths by hand."""
import gzip

import pytest

import ember
from ember.text import (Vocab, build_array_nmt, load_data_nmt, preprocess_nmt, read_data_nmt,
                        tokenize_nmt, truncate_pad)


def test_preprocess_nmt_by_hand():
    raw = "Go.\tVa\u202f!\nHi,Tom!\tSalut\xa0Tom\u202f?\nA . B\tC"
    assert preprocess_nmt(raw) == "go .\tva !\nhi ,tom !\tsalut tom ?\na . b\tc"
    assert preprocess_nmt(".a") == ".a"          # no space inserted at position 0


def test_tokenize_nmt_keeps_d2l_num_examples_rule():
    text = "a .\tb !\nc\td\nbad line\ne\tf"
    src, tgt = tokenize_nmt(text)
    assert src == [["a", "."], ["c"], ["e"]] and tgt == [["b", "!"], ["d"], ["f"]]
    # d2l reads lines 0..num_examples (the break is on i > num_examples)
    assert tokenize_nmt(text, num_examples=1) == ([["a", "."], ["c"]], [["b", "!"], ["d"]])


def test_truncate_pad():
    assert truncate_pad([1, 2, 3], 5, 0) == [1, 2, 3, 0, 0]
    assert truncate_pad([1, 2, 3], 3, 0) == [1, 2, 3]
    assert truncate_pad(["a", "b", "c"], 2, "<pad>") == ["a", "b"]
    assert truncate_pad([], 2, "<pad>") == ["<pad>", "<pad>"]


def test_build_array_nmt_by_hand():
    vocab = Vocab([["x", "y", "y"]], reserved_tokens=["<pad>", "<bos>", "<eos>"])
    # <unk>=0 <pad>=1 <bos>=2 <eos>=3 y=4 x=5
    array, valid_len = build_array_nmt([["x"], ["y", "x", "y", "x"], ["zz"]], vocab, 4)
    assert array.tolist() == [[5, 3, 1, 1], [4, 5, 4, 5], [0, 3, 1, 1]]
    assert valid_len.tolist() == [2, 4, 2]
    assert array.dtype == ember.int64 and valid_len.dtype == ember.int32


def test_load_data_nmt_user_file(tmp_path):
    path = tmp_path / "fra.txt"
    # Tatoeba/Anki files have a third column (attribution): it is dropped
    path.write_text("Go.\tVa !\tCC-BY\nGo.\tVa !\tCC-BY\nRun!\tCours\u202f!\tCC-BY\n", encoding="utf-8")
    data_iter, src_vocab, tgt_vocab = load_data_nmt(batch_size=3, num_steps=4, path=path)
    # min_freq=2: "go" and "." (twice) and "!" (once) -> only go, . are kept
    assert src_vocab.idx_to_token == ["<unk>", "<pad>", "<bos>", "<eos>", ".", "go"]
    assert tgt_vocab.idx_to_token == ["<unk>", "<pad>", "<bos>", "<eos>", "!", "va"]
    X, X_valid_len, Y, Y_valid_len = next(iter(data_iter))
    rows = sorted(zip(X.tolist(), X_valid_len.tolist(), Y.tolist(), Y_valid_len.tolist()))
    assert rows == [([0, 0, 3, 1], 3, [0, 4, 3, 1], 3),
                    ([5, 4, 3, 1], 3, [5, 4, 3, 1], 3),
                    ([5, 4, 3, 1], 3, [5, 4, 3, 1], 3)]


def test_load_data_nmt_shipped():
    data_iter, src_vocab, tgt_vocab = load_data_nmt(batch_size=64, num_steps=10)
    assert len(data_iter.dataset) == 601                       # lines 0..600, as d2l
    X, X_valid_len, Y, Y_valid_len = next(iter(data_iter))
    assert X.shape == (64, 10) and Y.shape == (64, 10) and X_valid_len.shape == (64,)
    for row, n in zip(X.tolist(), X_valid_len.tolist()):
        assert row[n - 1] == src_vocab["<eos>"] or n == 10
        assert all(t == src_vocab["<pad>"] for t in row[n:])
    for tok in ("<pad>", "<bos>", "<eos>"):
        assert tok in src_vocab and tok in tgt_vocab


def test_read_data_nmt_gz_and_missing(tmp_path):
    path = tmp_path / "pairs.txt.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("Hi.\tSalut.\r\n")
    assert read_data_nmt(path) == "Hi.\tSalut.\n"
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_data_nmt(tmp_path / "nope.txt")
    shipped = read_data_nmt().strip().split("\n")
    assert len(shipped) == 4000 and all(line.count("\t") == 1 for line in shipped)
