"""The command line's entry points, its data and output errors, and the per-model recipes.

Fast: the subprocess calls fail before any training, and the one training run is a 1-epoch MLP.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import types

import pytest

import ember
import ember.cli as cli
from ember.cli import recipes
from ember.cli._common import build_model


def ember_cli(*args, cwd, env=None):
    """``python -m ember ARGS`` (the package's own ``__main__``, as ``ember ARGS``)."""
    base = {k: v for k, v in os.environ.items() if k != "EMBER_DATA"}
    env = {**base, "PYTHONWARNINGS": "ignore", **(env or {})}
    p = subprocess.run([sys.executable, "-m", "ember", *args], capture_output=True, text=True, cwd=cwd, env=env)
    return p.returncode, p.stdout, p.stderr


def _one_line_exit_2(code, err, *needles):
    assert code == 2, (code, err)
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    for needle in needles:
        assert needle in err, (needle, err)


def test_bare_ember_prints_help_and_trains_nothing(tmp_path):
    code, out, err = ember_cli(cwd=tmp_path)
    assert code == 0, err
    assert out.startswith("usage: ember") and "train" in out and "evaluate" in out
    assert not (tmp_path / "runs").exists()


def test_python_dash_m_ember_is_the_command_line(tmp_path):
    code, out, _ = ember_cli("train", "--list-models", cwd=tmp_path)
    assert code == 0 and out.split() == ember.models.list_models()


def test_options_without_a_command_are_one_line(tmp_path):
    _one_line_exit_2(*ember_cli("--model", "mlp", cwd=tmp_path)[::2], "ember: error:")


def test_missing_data_folder_is_an_error(tmp_path):
    _one_line_exit_2(*ember_cli("train", "--model", "mlp", "--data", str(tmp_path / "nope"), cwd=tmp_path)[::2],
                     "is not a folder", "--data")
    assert not (tmp_path / "runs").exists()


def test_data_folder_without_the_files_is_an_error_not_the_subset(tmp_path):
    (tmp_path / "empty").mkdir()
    code, _, err = ember_cli("train", "--model", "mlp", "--data", str(tmp_path / "empty"), cwd=tmp_path)
    _one_line_exit_2(code, err, "holds no Fashion-MNIST IDX files")
    assert "subset shipped" not in err


def test_missing_ember_data_is_an_error(tmp_path):
    code, _, err = ember_cli("train", "--model", "mlp", cwd=tmp_path, env={"EMBER_DATA": str(tmp_path / "nope")})
    _one_line_exit_2(code, err, "$EMBER_DATA", "is not a folder")


def test_unwritable_out_exits_2(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    code, _, err = ember_cli("train", "--model", "mlp", "--subset", "--out", str(blocker / "run"), cwd=tmp_path)
    _one_line_exit_2(code, err, "--out", "cannot be created")


def test_default_run_warns_once_and_uses_the_recipe(tmp_path):
    """Without --data (and no full copy here) the subset is used with ONE warning line (not one per split);
    the options left out come from the model's recipe."""
    code, out, err = ember_cli("train", "--model", "mlp", "--epochs", "1", "--no-plot", "--out", "run",
                               cwd=tmp_path)
    assert code == 0, err
    info = json.loads((tmp_path / "run" / "metrics.json").read_text())["info"]
    r = recipes.recipe("mlp")
    assert (info["optimizer"], info["lr"], info["batch_size"]) == (r.optimizer, r.lr, r.batch_size)
    if info["data"].startswith("builtin"):
        assert (out + err).count("no full copy found") == 1, err
    else:  # a full copy is installed on this machine: no warning at all
        assert "no full copy found" not in out + err


def test_every_listed_model_has_a_recipe():
    assert set(recipes.RECIPES) == set(ember.models.list_models())
    choices = {"sgd", "adam", "adamw", "rmsprop", "adagrad"}
    for name, r in recipes.RECIPES.items():
        assert r.optimizer in choices and r.lr > 0 and r.epochs > 0 and r.init in ("default", "xavier"), name
        assert r.input_size >= 28, name


def test_lenet_recipe_uses_xavier_init():
    """d2l's sigmoid LeNet learns only with Xavier init: every weight lies in U(-b, b), b = sqrt(6/(in+out)),
    and the biases are zero (PyTorch's default init gives non-zero biases)."""
    model, size = build_model("lenet")
    assert size == 28
    for m in model.modules():
        if isinstance(m, (ember.nn.Linear, ember.nn.Conv2d)):
            w = m.weight.detach().numpy()
            rf = w[0, 0].size if w.ndim > 2 else 1
            bound = (6 / (w.shape[0] * rf + w.shape[1] * rf)) ** 0.5
            assert abs(w).max() <= bound and abs(w).max() > 0.8 * bound
            assert not m.bias.detach().numpy().any()


def test_googlenet_recipe_trains_without_aux_heads():
    model, size = build_model("googlenet")
    model.train()
    out = model(ember.randn(2, 1, size, size))
    assert isinstance(out, ember.Tensor) and out.shape == (2, 10)


def test_tasks_get_the_common_defaults(monkeypatch):
    """A --task module sees epochs 10, batch 128 and sgd when they are not given (recipes are per model)."""
    seen = {}
    fake = types.ModuleType("fake_task")
    fake.run_train = lambda args, rest: seen.update(vars(args), rest=rest) or 0
    monkeypatch.setitem(sys.modules, "fake_task", fake)
    monkeypatch.setitem(cli.TASKS, "fake", "fake_task")
    assert cli.main(["train", "--task", "fake", "--mine", "3"]) == 0
    assert (seen["epochs"], seen["batch_size"], seen["optimizer"], seen["rest"]) == (10, 128, "sgd", ["--mine", "3"])


def test_resized_inputs_match_torch_bilinear():
    """Recipes with an input size other than 28 resize as torch's F.interpolate(bilinear) does."""
    import numpy as np
    import torch

    from ember.cli._common import to_input

    x = np.random.default_rng(0).integers(0, 256, (2, 28, 28)).astype(np.uint8)
    ref = torch.nn.functional.interpolate(torch.from_numpy(to_input(x, 28)), size=64, mode="bilinear")
    got = to_input(x, 64)
    assert got.dtype == np.float32 and got.flags.c_contiguous
    np.testing.assert_allclose(got, ref.numpy(), atol=1e-5)
