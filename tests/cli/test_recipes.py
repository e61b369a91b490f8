"""Each model's recipe (ember/cli/recipes.py) is what ``ember train --model NAME`` really uses.

Cheap: the per-model checks replace the model builder with a recorder (no 100M-parameter VGG is built), and
the one real run is one epoch of NiN on 8 images.
"""
from __future__ import annotations

import argparse
import dataclasses
import json

import numpy as np
import pytest

import ember
import ember.cli as cli
import ember.cli.train as train_cli
from ember import models
from ember.cli import recipes
from ember.cli._common import build_model

ALL = models.list_models()


@pytest.mark.parametrize("name", ALL)
def test_model_is_built_as_its_recipe_says(name, monkeypatch):
    """build_model passes the recipe's kwargs, picks the small-input stem exactly when the recipe's side is the
    model's small-input side, applies the recipe's init and returns the recipe's input size."""
    seen = {}

    def fake_get_model(model_name, **kwargs):
        seen.update(kwargs, name=model_name)
        return ember.nn.Linear(2, 2)

    monkeypatch.setattr(models, "get_model", fake_get_model)
    monkeypatch.setattr(recipes, "apply_init", lambda model, init: seen.update(init=init))
    r = recipes.recipe(name)
    _, size = build_model(name)
    assert size == r.input_size
    assert seen["name"] == name and (seen["num_classes"], seen["in_channels"]) == (10, 1)
    assert seen["init"] == r.init
    for k, v in r.kwargs.items():
        assert seen[k] == v, (name, k)
    small = models.supports_small_input(name) and r.input_size == models.input_size(name, small_input=True)
    assert seen.get("small_input", False) == small, name


@pytest.mark.parametrize("name", ALL)
def test_options_left_out_come_from_the_recipe(name):
    r = recipes.recipe(name)
    args = argparse.Namespace(model=name, lr=None, optimizer=None, epochs=None, batch_size=None)
    train_cli._fill_from_recipe(args)
    assert (args.optimizer, args.lr, args.epochs, args.batch_size) == (r.optimizer, r.lr, r.epochs, r.batch_size)
    # an optimizer other than the recipe's, without --lr, gets that optimizer's usual rate; given options win
    other = "adagrad" if r.optimizer != "adagrad" else "sgd"
    args = argparse.Namespace(model=name, lr=None, optimizer=other, epochs=1, batch_size=8)
    train_cli._fill_from_recipe(args)
    assert (args.optimizer, args.lr, args.epochs, args.batch_size) == (other, train_cli.DEFAULT_LR[other], 1, 8)


def test_a_default_run_trains_with_the_recipe(tmp_path, monkeypatch):
    """``ember train --model nin`` with no other option: the recipe's optimizer, rate, batch size and epochs
    land in metrics.json, and the model sees images resized to the recipe's side. NiN's row is swapped for
    one with distinctive values (and one epoch, to stay fast)."""
    r = dataclasses.replace(recipes.recipe("nin"), optimizer="rmsprop", lr=0.0123, epochs=1, batch_size=4)
    assert r.input_size != 28  # the resize path is what this run checks
    monkeypatch.setitem(recipes.RECIPES, "nin", r)
    rng = np.random.default_rng(0)
    data = {True: rng.integers(0, 256, (8, 28, 28)).astype(np.uint8),
            False: rng.integers(0, 256, (4, 28, 28)).astype(np.uint8)}
    monkeypatch.setattr(train_cli, "load_split", lambda d, train, s: (data[train], np.arange(len(data[train])) % 10,
                                                                      "test-data"))
    shapes = []

    def recording_build(name):
        model, size = build_model(name)
        model.register_forward_pre_hook(lambda m, inp: shapes.append(tuple(inp[0].shape)))
        return model, size

    monkeypatch.setattr(train_cli, "build_model", recording_build)
    assert cli.main(["train", "--model", "nin", "--no-plot", "--out", str(tmp_path / "run")]) == 0
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    info = metrics["info"]
    assert (info["optimizer"], info["lr"], info["batch_size"]) == ("rmsprop", 0.0123, 4)
    assert [e["epoch"] for e in metrics["epochs"]] == [1]
    assert shapes and all(s[1:] == (1, r.input_size, r.input_size) for s in shapes)
    assert (4, 1, r.input_size, r.input_size) in shapes  # a training batch of the recipe's size


@pytest.mark.parametrize("name", ["resnet18", "mobilenet_v2"])
def test_recipe_input_size_fits_the_model(name):
    """The recipe's side goes through the model (the ResNets and MobileNetV2 take 32x32 through their own
    stride-2 stem, not the 3x3/1 small-input stem)."""
    model, size = build_model(name)
    model.eval()
    with ember.no_grad():
        assert model(ember.zeros(2, 1, size, size)).shape == (2, 10)
