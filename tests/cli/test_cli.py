"""The command line: training writes its run folder, resume is exact, errors are one line and exit 2."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import ember
from ember.cli import main


def run(*args, cwd=None):
    p = subprocess.run([sys.executable, "-m", "ember.cli", *args], capture_output=True, text=True, cwd=cwd,
                       env={**os.environ, "PYTHONWARNINGS": "ignore"})
    return p.returncode, p.stdout, p.stderr


def _weights(path):
    sd = ember.load(path)["model"]
    return {k: v.numpy().copy() for k, v in sd.items()}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "mlp"
    assert main(["train", "--model", "mlp", "--epochs", "2", "--subset", "--out", str(out), "--optimizer", "adam"]) == 0
    return out


def test_train_writes_run_folder(trained):
    for name in ("metrics.csv", "metrics.json", "checkpoint.pt", "curves.png"):
        assert (trained / name).is_file(), name
    m = json.loads((trained / "metrics.json").read_text())
    assert [e["epoch"] for e in m["epochs"]] == [1, 2]
    assert m["epochs"][-1]["test_acc"] > 0.7  # a real model on real data
    assert (trained / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_ctrl_c_then_resume_gives_the_same_weights(tmp_path):
    """Ctrl-C during epoch 2 of 3 saves interrupted.pt and exits 130; --resume continues from the last
    completed epoch and ends with the weights of an uninterrupted run (default cosine schedule)."""
    import signal
    import time

    straight = tmp_path / "straight"
    args = ["train", "--model", "mlp", "--epochs", "3", "--subset", "--no-plot"]
    # every part runs in a fresh process, as the interrupted one does: the BLAS thread count (which a process
    # lowers once it has run a oneDNN convolution) then is the same, and so is the float summation order
    assert run(*args, "--out", str(straight))[0] == 0
    cut = tmp_path / "cut"
    p = subprocess.Popen([sys.executable, "-m", "ember.cli", *args, "--out", str(cut)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (cut / "checkpoint.pt").exists() and time.time() < deadline and p.poll() is None:
        time.sleep(0.02)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    if p.returncode == 0:
        pytest.skip("the run finished before Ctrl-C arrived (machine too fast to interrupt it)")
    assert p.returncode == 130 and "Traceback" not in err
    assert (cut / "interrupted.pt").is_file()
    assert ember.load(str(cut / "checkpoint.pt"))["epoch"] < 3
    assert run(*args, "--out", str(cut), "--resume")[0] == 0
    a, b = _weights(straight / "checkpoint.pt"), _weights(cut / "checkpoint.pt")
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def test_evaluate_and_predict(trained, capsys):
    assert main(["evaluate", str(trained / "checkpoint.pt"), "--subset"]) == 0
    text = capsys.readouterr().out
    assert "confusion matrix" in text and "per-class accuracy" in text and "Ankle boot" in text
    png = trained / "grid.png"
    assert main(["predict", str(trained / "checkpoint.pt"), "--subset", "--n", "9", "--out", str(png)]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("args,msg", [
    (["train", "--epochs", "x"], "--epochs: must be an integer"),
    (["train", "--lr", "-1"], "--lr: must be positive"),
    (["train", "--model", "nope", "--subset"], "unknown model 'nope'"),
    (["train", "--optimizer", "sgdd"], "invalid choice: 'sgdd'"),
    (["evaluate", "missing.pt"], "checkpoint 'missing.pt' does not exist"),
    (["train", "--data", "/nonexistent/folder"], "is not a folder"),
    (["frobnicate"], "invalid choice"),
])
def test_errors_are_one_line_exit_2(args, msg, tmp_path):
    code, out, err = run(*args, cwd=tmp_path)
    assert code == 2, (code, err)
    assert msg in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_corrupt_checkpoint_is_one_line(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"PK\x03\x04 definitely not a checkpoint")
    code, _, err = run("evaluate", str(bad), cwd=tmp_path)
    assert code == 2 and "unreadable" in err and "Traceback" not in err


def test_list_models(capsys):
    assert main(["train", "--list-models"]) == 0
    names = capsys.readouterr().out.split()
    assert "lenet_bn" in names and "resnet18" in names
