"""Third-party PyTorch code, run unchanged under ember and under torch on the same generated data.

The sources are not in the repository: ``python tools/fetch_thirdparty.py`` puts them (at pinned commits) in
``thirdparty/``, which git ignores. Without it every test here skips, saying so; a fresh clone and CI skip.
Each test runs the script twice in subprocesses (``tests/thirdparty/runner.py``: torch, then ember through
``ember.compat.torch_alias``) and compares what the script prints. The two frameworks draw different random
numbers, so a training result is compared as the criterion the script reports (loss, accuracy) within a
tolerance; shapes and deterministic values must be equal. docs/dropin.md has the table.
"""
import json
import math
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


def run(backend: str, script: str, *args: str, cwd: str, replace: list = ()) -> str:
    # one BLAS/OpenMP thread on both sides: the machine is shared, and oversubscribed BLAS threads make small
    # GEMMs 1000x slower
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": REPO, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "RUNNER_REPLACE": json.dumps(list(replace))}
    p = subprocess.run([sys.executable, RUNNER, backend, script, *args], cwd=cwd, env=env, capture_output=True,
                       text=True, timeout=600)
    assert p.returncode == 0, f"{backend}: {os.path.basename(script)} failed:\n{p.stderr[-3000:]}"
    return p.stdout


def both(script, *args, cwd, replace=()):
    return run("torch", script, *args, cwd=cwd, replace=replace), run("ember", script, *args, cwd=cwd, replace=replace)


def numbers(pattern: str, text: str) -> list:
    return [float(m) for m in re.findall(pattern, text)]


def figure(name: str, torch_value, ember_value) -> None:
    """What a test compared, for docs/dropin.md's table (``pytest -s`` shows it)."""
    print(f"FIGURE {name}: torch {torch_value} | ember {ember_value}")


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


# The Transformer row runs with --dropout 0: at the script's lr 20 training is unstable under both frameworks,
# and with the default dropout 0.2 the end loss depends on the random stream more than on the framework
# (seeds 1-4: torch 14.58/6.83/8.65/4.60, ember 4.91/5.29/6.50/15.05; docs/dropin.md).
@pytest.mark.parametrize("model,extra", [("LSTM", ()), ("GRU", ()), ("Transformer", ("--dropout", "0"))])
def test_examples_word_language_model(tmp_path, model, extra):
    _corpus(tmp_path / "corpus")
    args = ("--data", "corpus", "--model", model, "--epochs", "1", "--emsize", "16", "--nhid", "16", "--bptt", "10",
            "--batch_size", "10", "--log-interval", "10", *extra)
    t, e = both(os.path.join(EXAMPLES, "word_language_model", "main.py"), *args, cwd=tmp_path)
    loss_t, loss_e = (numbers(r"End of training \| test loss\s+([\d.]+)", o)[-1] for o in (t, e))
    figure(f"word_language_model {model}", loss_t, loss_e)
    # the Transformer keeps nn.Transformer's dropout 0.1 in its encoder layers even with --dropout 0, and lr 20
    # makes it sensitive to any change: torch alone ends at 4.44 with its default threads, 4.70 with one
    tol = 0.6 if model == "Transformer" else 0.25
    assert abs(loss_t - loss_e) < tol, (loss_t, loss_e)


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


# ----------------------------------------------------------------------------- d2l chapters, run as notebooks
# d2l-en 1.0.3's chapter sources (thirdparty/d2l-en): each chapter's PyTorch cells run unchanged by
# tests/thirdparty/d2l_notebook.py, on generated data, with the book's 30-100 epochs capped (--max-epochs).
D2L_EN = os.path.join(TP, "d2l-en")
NOTEBOOK = os.path.join(REPO, "tests", "thirdparty", "d2l_notebook.py")


def notebook(tmp_path, chapter: str, *args: str):
    work = tmp_path / "run"      # the chapters read ../img and ../data
    work.mkdir()
    md = os.path.join(D2L_EN, f"chapter_{chapter}.md")
    return both(NOTEBOOK, D2L, md, *args, cwd=work)


def floats(text: str) -> list:
    return [float(v) for v in re.findall(r"-?\d+\.\d+(?:e[-+]?\d+)?", text)]


@pytest.mark.parametrize("chapter", ["recurrent-neural-networks/rnn-scratch", "recurrent-neural-networks/rnn-concise",
                                     "recurrent-modern/gru", "recurrent-modern/lstm"])
def test_d2l_rnn_chapters(tmp_path, chapter):
    t, e = (results(o) for o in notebook(tmp_path, chapter, "--max-epochs", "2"))
    fits = sorted(k for k in t if k.endswith("val_ppl"))
    figure(chapter, [round(float(t[k]), 2) for k in fits], [round(float(e.get(k, "nan")), 2) for k in fits])
    assert fits and fits == sorted(k for k in e if k.endswith("val_ppl"))
    for k in fits:      # perplexity of a 28-character vocabulary after two short epochs (~10-15 on both)
        assert abs(float(t[k]) - float(e[k])) / float(t[k]) < 0.15, (k, t[k], e[k])


@pytest.mark.parametrize("chapter", ["attention-mechanisms-and-transformers/bahdanau-attention",
                                     "attention-mechanisms-and-transformers/transformer"])
def test_d2l_seq2seq_chapters(tmp_path, chapter):
    t, e = notebook(tmp_path, chapter, "--max-epochs", "2")
    rt, re_ = results(t), results(e)
    figure(chapter, rt.get("fit1.val_loss"), re_.get("fit1.val_loss"))
    # 8 Adam steps with dropout: the Transformer's validation loss spreads with the seed (torch, seeds 0-3:
    # 1.15 / 1.42 / 0.95 / 1.07; ember 0.84 / 1.10 / 0.96 / 0.93), Bahdanau's less
    tol = 0.5 if chapter.endswith("transformer") else 0.3
    assert abs(float(rt["fit1.val_loss"]) - float(re_["fit1.val_loss"])) < tol, (rt, re_)
    # the chapter's translations print one line per sentence, with a BLEU score, on both sides
    assert len(re.findall(r"=> \[.*\], bleu,", t)) == len(re.findall(r"=> \[.*\], bleu,", e)) == 4


def test_d2l_bert_chapter(tmp_path):
    t, e = notebook(tmp_path, "natural-language-processing-pretraining/bert")
    shapes = [re.findall(r"^OUT\[\d+\] (torch\.Size.*)$", o, re.M) for o in (t, e)]
    figure("bert", shapes[0], shapes[1])
    assert shapes[0] == shapes[1] and len(shapes[0]) >= 4


def test_d2l_bert_pretraining_chapter(tmp_path):
    t, e = notebook(tmp_path, "natural-language-processing-pretraining/bert-pretraining")
    (mlm_t, nsp_t), (mlm_e, nsp_e) = ([float(v) for v in re.findall(r"MLM loss ([\d.]+), NSP loss ([\d.]+)", o)[0]]
                                      for o in (t, e))
    figure("bert-pretraining", (mlm_t, nsp_t), (mlm_e, nsp_e))
    assert abs(mlm_t - mlm_e) / mlm_t < 0.25 and abs(nsp_t - nsp_e) < 0.25, (mlm_t, mlm_e, nsp_t, nsp_e)
    shapes = [re.findall(r"^OUT\[\d+\] \((torch\.Size\(\[[\d, ]+\]\), torch\.Size\(\[[\d, ]+\]\))", o, re.M)
              for o in (t, e)]
    assert shapes[0] == shapes[1] and len(shapes[0]) == 2


@pytest.mark.parametrize("chapter", ["optimization/sgd", "optimization/momentum", "optimization/adam",
                                     "optimization/minibatch-sgd"])
def test_d2l_optimization_chapters(tmp_path, chapter):
    t, e = notebook(tmp_path, chapter)
    # the 2-D traces of gradient descent with momentum are deterministic: equal to the printed digits
    if chapter == "optimization/momentum":
        trace = [re.findall(r"^epoch \d+, x1: .*$", o, re.M)[:2] for o in (t, e)]
        assert trace[0] == trace[1] and trace[0]
    # train_ch11 on the (generated) airfoil data: the final loss of each optimizer run
    losses = [numbers(r"loss: ([\d.]+),", o) for o in (t, e)]
    figure(chapter, losses[0] or re.findall(r"^epoch .*$", t, re.M), losses[1] or re.findall(r"^epoch .*$", e, re.M))
    assert len(losses[0]) == len(losses[1])
    assert all(abs(a - b) < 0.01 for a, b in zip(*losses)), losses
    if chapter == "optimization/sgd":   # stochastic traces: the same count of lines, all finite
        assert len(re.findall(r"^epoch \d+, x1", t, re.M)) == len(re.findall(r"^epoch \d+, x1", e, re.M)) == 3


ANCHOR_PROBES = [a for probe in ("boxes=boxes[250, 250, :, :]", "labels2=labels[2]", "labels1=labels[1]",
                                  "labels0=labels[0]", "detection=output") for a in ("--probe", probe)]


def test_d2l_anchor_chapter(tmp_path):
    # multibox_prior, box_iou, multibox_target, nms and multibox_detection on the chapter's fixed boxes
    t, e = (results(o) for o in notebook(tmp_path, "computer-vision/anchor", *ANCHOR_PROBES))
    figure("anchor", t.get("detection"), e.get("detection"))
    assert set(t) == set(e) == {"boxes", "labels2", "labels1", "labels0", "detection"}
    for k in t:
        assert floats(t[k]) == pytest.approx(floats(e[k]), abs=1e-5), k


def test_d2l_ssd_chapter(tmp_path):
    # TinySSD trained for the chapter's 20 epochs on 32 generated 64x64 banana images, then one detection
    t, e = notebook(tmp_path, "computer-vision/ssd")
    shapes = [re.findall(r"^output [\w ]+: (torch\.Size.*)$", o, re.M) for o in (t, e)]
    assert shapes[0] == shapes[1] and len(shapes[0]) == 3
    (err_t, mae_t), (err_e, mae_e) = ([float(v) for v in re.findall(r"class err ([\d.e+-]+), bbox mae ([\d.e+-]+)",
                                                                    o)[0]] for o in (t, e))
    figure("ssd", (err_t, mae_t), (err_e, mae_e))
    assert abs(err_t - err_e) < 0.01 and abs(mae_t - mae_e) / mae_t < 0.5, (err_t, err_e, mae_t, mae_e)


# ----------------------------------------------------------------------------- PyTorch's official tutorials
TUTORIALS = os.path.join(TP, "tutorials")


def tutorial(tmp_path, path: str):
    return both(os.path.join(TUTORIALS, path), cwd=tmp_path)


def test_tutorial_tensors(tmp_path):
    # every printed line but the two random tensors is deterministic: equal text, as torch prints it
    def fixed(out):
        return re.sub(r"Random Tensor: \n tensor\(.*?\) \n", "", out, flags=re.S)
    t, e = tutorial(tmp_path, "beginner_source/basics/tensorqs_tutorial.py")
    assert fixed(t) == fixed(e) and "First column: tensor([1., 1., 1., 1.])" in t


def test_tutorial_autograd(tmp_path):
    t, e = tutorial(tmp_path, "beginner_source/basics/autogradqs_tutorial.py")
    names = [re.findall(r"Gradient function for \w+ = <(\w+) object", o) for o in (t, e)]
    assert names[0] == names[1] == ["AddBackward0", "BinaryCrossEntropyWithLogitsBackward0"]
    assert t.split("False\n", 1)[1] == e.split("False\n", 1)[1]   # requires_grad flags, accumulated eye grads


def test_tutorial_build_model(tmp_path):
    t, e = tutorial(tmp_path, "beginner_source/basics/buildmodel_tutorial.py")
    assert t.split("Predicted class")[0] == e.split("Predicted class")[0]          # the model's repr
    sizes = [re.findall(r"^(torch\.Size.*|Layer: .*? \| Size: .*?) ", o, re.M) for o in (t, e)]
    assert sizes[0] == sizes[1] and len(sizes[0]) == 9


def test_tutorial_quickstart(tmp_path):
    t, e = tutorial(tmp_path, "beginner_source/basics/quickstart_tutorial.py")
    assert re.findall(r"Shape of .*", t) == re.findall(r"Shape of .*", e)
    loss_t, loss_e = (numbers(r"Avg loss: ([\d.]+)", o) for o in (t, e))
    figure("quickstart", (loss_t[-1:], re.findall(r"Accuracy: [\d.]+%", t)[-1:]),
           (loss_e[-1:], re.findall(r"Accuracy: [\d.]+%", e)[-1:]))
    assert len(loss_t) == len(loss_e) == 5 and abs(loss_t[-1] - loss_e[-1]) < 0.05   # lr 1e-3: ~2.30 on both
    assert (tmp_path / "model.pth").exists() and 'Predicted: "' in e


def test_tutorial_cifar10(tmp_path):
    t, e = tutorial(tmp_path, "beginner_source/blitz/cifar10_tutorial.py")
    acc_t, acc_e = (numbers(r"Accuracy of the network on the 10000 test images: (\d+) %", o)[0] for o in (t, e))
    figure("cifar10", acc_t, acc_e)
    assert abs(acc_t - acc_e) <= 20, (acc_t, acc_e)       # 256 SGD steps of batch 4: 10-20 % on both
    assert len(re.findall(r"Accuracy for class", e)) == 10 and "Finished Training" in e


def _eng_fra(folder):
    """data/eng-fra.txt: English-French pairs whose English side starts as the tutorial's filter wants
    ("i am", "he is", ...) and whose French side holds every word of the sentences the tutorial translates at
    the end; each English word has one French word."""
    rng = random.Random(1)
    pairs = [("i am too cold .", "je suis trop froid ."), ("she is five years younger than me .",
             "elle a cinq ans de moins que moi ."), ("she is too short .", "elle est trop petit ."),
             ("i m not scared of dying .", "je ne crains pas de mourir ."),
             ("he is a talented young director .", "c est un jeune directeur plein de talent .")]
    subjects = [("i am", "je suis"), ("he is", "il est"), ("she is", "elle est"), ("you are", "vous etes"),
                ("we are", "nous sommes"), ("they are", "ils sont")]
    words = [("cold", "froid"), ("short", "petit"), ("young", "jeune"), ("happy", "heureux"), ("tired", "fatigue"),
             ("here", "ici"), ("very", "tres"), ("too", "trop"), ("not", "pas"), ("late", "en retard")]
    while len(pairs) < 400:
        (se, sf), chosen = rng.choice(subjects), rng.sample(words, rng.randint(1, 3))
        pairs.append((" ".join([se, *(e for e, _ in chosen)]) + " .", " ".join([sf, *(f for _, f in chosen)]) + " ."))
    folder.mkdir()
    (folder / "eng-fra.txt").write_text("".join(f"{e}\t{f}\n" for e, f in pairs), encoding="utf-8")


def test_tutorial_seq2seq_translation(tmp_path):
    # the tutorial trains for a literal 75,000 single-sentence iterations: the runner changes that one call
    _eng_fra(tmp_path / "data")
    change = [("trainIters(encoder1, attn_decoder1, 75000, print_every=5000)",
               "trainIters(encoder1, attn_decoder1, 400, print_every=100)")]
    t, e = both(os.path.join(TUTORIALS, "intermediate_source/seq2seq_translation_tutorial.py"), cwd=tmp_path,
                replace=change)
    assert re.findall(r"Trimmed to \d+ sentence pairs|Counted words:\n.*\n.*", t) == \
        re.findall(r"Trimmed to \d+ sentence pairs|Counted words:\n.*\n.*", e)
    loss_t, loss_e = (numbers(r"\(\d+ \d+%\) ([\d.]+)", o) for o in (t, e))
    figure("seq2seq", loss_t, loss_e)
    assert len(loss_t) == len(loss_e) == 4 and loss_e[-1] < loss_e[0]
    assert abs(loss_t[-1] - loss_e[-1]) / loss_t[-1] < 0.3, (loss_t, loss_e)
    assert len(re.findall(r"^output = ", e, re.M)) == 4     # the four attention examples translate


# ----------------------------------------------------------------------------- karpathy/minGPT
MINGPT = os.path.join(TP, "minGPT")


def test_mingpt_sort(tmp_path):
    # a 2-layer, 32-wide GPT (vocab 16, block 16) trained by minGPT's own Trainer for 60 AdamW steps on sorting
    # 8 digits; held-out loss over seeds 0-3: torch 1.11/1.15/1.03/1.20, ember 1.14/1.18/1.11/1.15 (ln 16 = 2.77)
    if not os.path.isdir(MINGPT):
        pytest.skip("thirdparty/minGPT is absent: run `python tools/fetch_thirdparty.py --only karpathy/minGPT`")
    t, e = (results(o) for o in both(os.path.join(REPO, "tests", "thirdparty", "mingpt_sort.py"), MINGPT,
                                     cwd=tmp_path))
    figure("mingpt", (t["test_loss"], t["sorted_digits"]), (e["test_loss"], e["sorted_digits"]))
    assert t["iters"] == e["iters"] == "60"
    assert t["generate_shape"] == e["generate_shape"] == "(8, 16)" and t["generate_dtype"] == e["generate_dtype"]
    first_t, first_e, loss_t, loss_e = (float(r[k]) for k in ("first_loss", "test_loss") for r in (t, e))
    assert abs(first_t - math.log(16)) < 0.1 and abs(first_e - math.log(16)) < 0.1, (first_t, first_e)
    assert loss_t < 1.6 and loss_e < 1.6 and abs(loss_t - loss_e) < 0.25, (loss_t, loss_e)
