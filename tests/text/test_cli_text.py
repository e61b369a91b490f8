"""``ember train --task charlm|translate|bert-pretrain`` and ``ember predict`` on their checkpoints: tiny
options, one or two epochs, in-process."""
from __future__ import annotations

import json
import os

import pytest

import ember
from ember.cli import main

CHARLM = ["--scheduler", "none", "--max-tokens", "4000", "--hidden", "16", "--num-steps", "8", "--batch-size", "16", "--num-preds", "10",
          "--no-plot"]


def metrics(out):
    with open(os.path.join(out, "metrics.json")) as f:
        return json.load(f)["epochs"]


@pytest.fixture(scope="module")
def charlm_run(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("charlm"))
    rc = main(["train", "--task", "charlm", "--epochs", "1", "--out", out] + CHARLM[:-1])
    return rc, out


def test_charlm_train_and_predict(charlm_run, capsys):
    rc, out = charlm_run
    assert rc == 0
    rows = metrics(out)
    assert len(rows) == 1 and rows[0]["train_ppl"] > 1 and rows[0]["val_ppl"] > 1
    assert rows[0]["sample"].startswith("time traveller") and len(rows[0]["sample"]) == len("time traveller") + 10
    assert os.path.isfile(os.path.join(out, "perplexity.png"))
    capsys.readouterr()
    assert main(["predict", os.path.join(out, "checkpoint.pt"), "--prefix", "Alice!", "--num-preds", "6"]) == 0
    line = capsys.readouterr().out.splitlines()[-1]  # the continuation may end in spaces
    assert line.startswith("alice ") and len(line) == 12 and "<unk>" not in line


def test_charlm_resume_equals_uninterrupted(charlm_run, tmp_path):
    _, out = charlm_run
    resumed = str(tmp_path / "resumed")
    os.makedirs(resumed)
    with open(os.path.join(out, "checkpoint.pt"), "rb") as src, open(os.path.join(resumed, "checkpoint.pt"), "wb") as dst:
        dst.write(src.read())
    assert main(["train", "--task", "charlm", "--epochs", "2", "--resume", "--out", resumed] + CHARLM) == 0
    straight = str(tmp_path / "straight")
    assert main(["train", "--task", "charlm", "--epochs", "2", "--out", straight] + CHARLM) == 0
    a, b = metrics(resumed), metrics(straight)
    assert [r["epoch"] for r in a] == [1, 2]
    assert a[1]["train_ppl"] == pytest.approx(b[1]["train_ppl"], rel=1e-6)
    wa = ember.load(os.path.join(resumed, "checkpoint.pt"))["model"]
    wb = ember.load(os.path.join(straight, "checkpoint.pt"))["model"]
    for k in wa:
        assert ember.equal(wa[k], wb[k]), k


@pytest.mark.parametrize("model", ["seq2seq-attn", "transformer"])
def test_translate_train_and_predict(model, tmp_path, capsys):
    out = str(tmp_path)
    rc = main(["train", "--task", "translate", "--model", model, "--epochs", "1", "--out", out, "--num-examples",
               "300", "--hidden", "16", "--layers", "1", "--heads", "2", "--batch-size", "64", "--dropout", "0"])
    assert rc == 0
    row = metrics(out)[0]
    assert 0.0 <= row["bleu"] <= 1.0 and 0.0 <= row["corpus_bleu"] <= 100.0 and row["train_loss"] > 0
    assert len(row["examples"]) == 4
    assert os.path.isfile(os.path.join(out, "attention.png")) and os.path.isfile(os.path.join(out, "curves.png"))
    capsys.readouterr()
    assert main(["predict", os.path.join(out, "checkpoint.pt"), "--sentence", "Run!", "--beam-size", "2"]) == 0
    assert capsys.readouterr().out.strip()


def test_bert_pretrain_and_predict(tmp_path, capsys):
    out = str(tmp_path)
    rc = main(["train", "--task", "bert-pretrain", "--epochs", "1", "--out", out, "--max-steps", "2", "--hidden", "16",
               "--ffn-hidden", "16", "--layers", "1", "--max-len", "32", "--batch-size", "16", "--no-plot"])
    assert rc == 0
    row = metrics(out)[0]
    assert row["mlm_loss"] > 0 and row["nsp_loss"] > 0 and 0 <= row["nsp_acc"] <= 1
    capsys.readouterr()
    assert main(["predict", os.path.join(out, "checkpoint.pt"), "--sentence", "alice was <mask> tired"]) == 0
    words = capsys.readouterr().out.strip().split()
    assert words[:2] == ["alice", "was"] and words[3] == "tired" and len(words) == 4


@pytest.mark.parametrize("argv,needle", [
    (["train", "--task", "charlm", "--model", "bogus"], "unknown model"),
    (["train", "--task", "charlm", "--hidden", "0"], "--hidden"),
    (["train", "--task", "charlm", "--frobnicate"], "unrecognized arguments"),
    (["train", "--task", "translate", "--model", "bogus"], "unknown model"),
    (["train", "--task", "translate", "--data", "/nonexistent/pairs.txt"], "--data"),
    (["train", "--task", "bert-pretrain", "--hidden", "10", "--heads", "3"], "divisible"),
])
def test_usage_errors(argv, needle, capsys, tmp_path):
    assert main(argv + ["--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and needle in err


def test_predict_errors(charlm_run, capsys):
    _, out = charlm_run
    assert main(["predict", os.path.join(out, "checkpoint.pt"), "--prefix", ""]) == 2
    assert "--prefix" in capsys.readouterr().err
