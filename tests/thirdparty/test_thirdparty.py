"""Third-party PyTorch code, run unchanged under ember and under torch on the same generated data.

The sources are not in the repository: ``python tools/fetch_thirdparty.py`` puts them (at pinned commits) in
``thirdparty/``, which git ignores. Without it every test here skips, saying so; a fresh clone and CI skip.
Each test runs the script twice in subprocesses (``tests/thirdparty/runner.py``: torch, then ember through
``ember.compat.torch_alias``) and compares what the script prints. The two frameworks draw different random
numbers, so a training result is compared as the criterion the script reports (loss, accuracy) within a
tolerance; shapes and deterministic values must be equal. docs/dropin.md has the table.
"""
import os
import random
import re
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TP = os.path.join(REPO, "thirdparty")
RUNNER = os.path.join(REPO, "tests", "thirdparty", "runner.py")
EXAMPLES = os.path.join(TP, "examples")
D2L = os.path.join(TP, "d2l")
CHAPTERS = os.path.join(REPO, "tests", "thirdparty", "d2l_chapters.py")

pytestmark = pytest.mark.skipif(not os.path.isdir(TP), reason="thirdparty/ is absent (not in git): run "
                                "`python tools/fetch_thirdparty.py` to fetch the pinned third-party sources")


def run(backend: str, script: str, *args: str, cwd: str) -> str:
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": REPO}
    p = subprocess.run([sys.executable, RUNNER, backend, script, *args], cwd=cwd, env=env, capture_output=True,
                       text=True, timeout=600)
    assert p.returncode == 0, f"{backend}: {os.path.basename(script)} failed:\n{p.stderr[-3000:]}"
    return p.stdout


def both(script, *args, cwd):
    return run("torch", script, *args, cwd=cwd), run("ember", script, *args, cwd=cwd)


def numbers(pattern: str, text: str) -> list:
    return [float(m) for m in re.findall(pattern, text)]


def results(text: str) -> dict:
    return {m[0]: m[1] for m in re.findall(r"^RESULT (\S+) (.+)$", text, re.M)}


def test_examples_regression(tmp_path):
    for out in both(os.path.join(EXAMPLES, "regression", "main.py"), cwd=tmp_path):
        assert numbers(r"Loss: ([\d.]+)", out)[0] < 1e-3
        learned = [float(v) for v in re.findall(r"[+-]\d+\.\d+", out.split("Learned function:")[1].split("\n")[0])]
        actual = [float(v) for v in re.findall(r"[+-]\d+\.\d+", out.split("Actual function:")[1].split("\n")[0])]
        assert max(abs(a - b) for a, b in zip(learned, actual)) < 0.25


def test_examples_mnist(tmp_path):
    t, e = both(os.path.join(EXAMPLES, "mnist", "main.py"), "--epochs", "1", "--no-accel", "--log-interval", "4",
                cwd=tmp_path)
    acc_t, acc_e = (numbers(r"Accuracy: \d+/\d+ \((\d+)%\)", o)[-1] for o in (t, e))
    assert acc_t > 50 and abs(acc_t - acc_e) <= 20


def test_examples_mnist_rnn(tmp_path):
    t, e = both(os.path.join(EXAMPLES, "mnist_rnn", "main.py"), "--epochs", "1", "--log-interval", "4",
                cwd=tmp_path)
    loss_t, loss_e = (numbers(r"Average loss: ([\d.]+)", o)[-1] for o in (t, e))
    assert abs(loss_t - loss_e) < 0.1


def test_examples_vae(tmp_path):
    (tmp_path / "results").mkdir()
    t, e = both(os.path.join(EXAMPLES, "vae", "main.py"), "--epochs", "1", "--no-accel", cwd=tmp_path)
    loss_t, loss_e = (numbers(r"Test set loss: ([\d.]+)", o)[-1] for o in (t, e))
    assert abs(loss_t - loss_e) / loss_t < 0.05
    assert (tmp_path / "results" / "reconstruction_1.png").exists()      # ember's save_image wrote it


def _corpus(folder):
    rng = random.Random(0)
    words = [f"w{i}" for i in range(50)]
    folder.mkdir()
    for name, n in [("train", 300), ("valid", 40), ("test", 40)]:
        lines = [" " + " ".join(rng.choice(words) for _ in range(12)) + " \n" for _ in range(n)]
        (folder / f"{name}.txt").write_text("".join(lines))


# The Transformer row runs with --dropout 0: at the script's lr 20 training is unstable under both frameworks
# (the loss climbs to ~8 mid-epoch), and with dropout on, the two random streams end far apart (6.98 vs 4.91 on
# this data); that row is listed in docs/dropin.md as not yet explained.
@pytest.mark.parametrize("model,extra", [("LSTM", ()), ("GRU", ()), ("Transformer", ("--dropout", "0"))])
def test_examples_word_language_model(tmp_path, model, extra):
    _corpus(tmp_path / "corpus")
    args = ("--data", "corpus", "--model", model, "--epochs", "1", "--emsize", "16", "--nhid", "16", "--bptt", "10",
            "--batch_size", "10", "--log-interval", "10", *extra)
    t, e = both(os.path.join(EXAMPLES, "word_language_model", "main.py"), *args, cwd=tmp_path)
    loss_t, loss_e = (numbers(r"End of training \| test loss\s+([\d.]+)", o)[-1] for o in (t, e))
    assert abs(loss_t - loss_e) < 0.25, (loss_t, loss_e)


def test_examples_siamese_network_ember_only(tmp_path):
    # torch's side needs torchvision.models.resnet18, and torchvision is not installed: ember runs alone
    e = run("ember", os.path.join(EXAMPLES, "siamese_network", "main.py"), "--epochs", "1", "--no-accel",
            "--log-interval", "4", cwd=tmp_path)
    acc = numbers(r"Accuracy: \d+/\d+ \((\d+)%\)", e)[-1]
    assert 0 <= acc <= 100


@pytest.mark.parametrize("chapter,tol", [("linreg_scratch", 0.5), ("linreg_concise", 0.1)])
def test_d2l_linear_regression(tmp_path, chapter, tol):
    for out in both(CHAPTERS, D2L, chapter, cwd=tmp_path):
        r = results(out)
        assert float(r["w_error"]) < tol and float(r["b_error"]) < tol


@pytest.mark.parametrize("chapter", ["softmax_concise", "lenet"])
def test_d2l_classification(tmp_path, chapter):
    t, e = (float(results(o)["val_acc"]) for o in both(CHAPTERS, D2L, chapter, cwd=tmp_path))
    assert abs(t - e) <= 0.15


@pytest.mark.parametrize("chapter", ["resnet_block_shapes", "attention_shapes"])
def test_d2l_shapes(tmp_path, chapter):
    t, e = (results(o) for o in both(CHAPTERS, D2L, chapter, cwd=tmp_path))
    assert t == e and t
