"""d2l 1.0's TimeMachine and MTFraEng on small user files, by hand."""
from ember.text import MTFraEng, TimeMachine


def test_time_machine_windows(tmp_path):
    path = tmp_path / "book.txt"
    path.write_text("Ab, ba!\n", encoding="utf-8")       # -> "ab ba ": each character twice
    data = TimeMachine(batch_size=2, num_steps=3, num_train=2, num_val=1, path=path)
    assert data.vocab.idx_to_token == ["<unk>", " ", "a", "b"]
    # corpus "ab ba " = [2, 3, 1, 3, 2, 1]; windows of 4 -> 3 rows
    assert data.X.tolist() == [[2, 3, 1], [3, 1, 3], [1, 3, 2]]
    assert data.Y.tolist() == [[3, 1, 3], [1, 3, 2], [3, 2, 1]]
    val = list(data.val_dataloader())
    assert len(val) == 1 and val[0][0].tolist() == [[1, 3, 2]]
    train_rows = sorted(row for X, _ in data.train_dataloader() for row in X.tolist())
    assert train_rows == [[2, 3, 1], [3, 1, 3]]
    corpus, _ = data.build("ba", data.vocab)
    assert corpus == [3, 2]


def test_mt_fra_eng_arrays(tmp_path):
    path = tmp_path / "fra.txt"
    path.write_text("Go.\tVa !\nGo.\tVa !\nHi.\tSalut.\n", encoding="utf-8")
    data = MTFraEng(batch_size=2, num_steps=4, num_train=2, num_val=1, path=path)
    src, tgt_in, src_valid_len, tgt_out = data.arrays
    # src tokens: go . <eos> <pad> (x2) and hi . <eos> <pad>; min_freq=2 drops "hi"
    sv = data.src_vocab
    assert src.tolist()[0] == sv[["go", ".", "<eos>", "<pad>"]]
    assert src.tolist()[2] == [0] + sv[[".", "<eos>", "<pad>"]]
    assert src_valid_len.tolist() == [3, 3, 3]
    tv = data.tgt_vocab
    assert tgt_in.tolist()[0] == tv[["<bos>", "va", "!", "<eos>"]]
    assert tgt_out.tolist()[0] == tv[["va", "!", "<eos>", "<pad>"]]
    assert len(list(data.val_dataloader())) == 1
    arrays = data.build(["Go."], ["Va !"])
    assert arrays[0].tolist() == [sv[["go", ".", "<eos>", "<pad>"]]]
