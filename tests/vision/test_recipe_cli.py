"""``ember train --task detect|segment|style`` and ``ember predict`` on their checkpoints: tiny 1-epoch runs
(their files, metrics and PNGs), --resume, and the one-line usage errors (exit 2)."""
from __future__ import annotations

import csv
import json
import os

import numpy as np
import pytest

from ember.cli import main

pytest.importorskip("matplotlib")


def _rows(folder: str) -> list:
    with open(os.path.join(folder, "metrics.csv")) as f:
        return list(csv.DictReader(f))


def _png(path: str) -> tuple:
    from PIL import Image

    with Image.open(path) as img:
        return img.size


@pytest.fixture(scope="module")
def detect_run(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("detect"))
    rc = main(["train", "--task", "detect", "--epochs", "1", "--batch-size", "8", "--image-size", "64",
               "--num-train", "8", "--num-test", "4", "--n", "2", "--out", out])
    return rc, out


def test_detect_writes_metrics_png_and_checkpoint(detect_run, capsys):
    rc, out = detect_run
    assert rc == 0
    assert {"metrics.csv", "metrics.json", "loss.png", "predictions.png", "checkpoint.pt"} <= set(os.listdir(out))
    row = _rows(out)[0]
    assert {"epoch", "train_loss", "class_err", "bbox_mae", "mAP50"} <= set(row)
    assert float(row["train_loss"]) > 0 and 0 <= float(row["mAP50"]) <= 1 and 0 <= float(row["class_err"]) <= 1
    info = json.load(open(os.path.join(out, "metrics.json")))["info"]
    assert info["task"] == "detect" and info["image_size"] == 64
    import ember

    ckpt = ember.load(os.path.join(out, "checkpoint.pt"))
    assert ckpt["args"]["task"] == "detect" and ckpt["epoch"] == 1 and "blk_0.0.0.weight" in ckpt["model"]


def test_detect_predict_and_resume(detect_run, tmp_path, capsys):
    _, out = detect_run
    png = str(tmp_path / "boxes.png")
    assert main(["predict", os.path.join(out, "checkpoint.pt"), "--n", "2", "--threshold", "0.1", "--out", png]) == 0
    assert os.path.isfile(png) and _png(png)[0] > 100
    assert "wrote" in capsys.readouterr().out
    # --resume with as many epochs as done trains nothing more and keeps the history
    assert main(["train", "--task", "detect", "--epochs", "1", "--image-size", "64", "--num-train", "8",
                 "--num-test", "4", "--out", out, "--resume", "--no-plot"]) == 0
    assert len(_rows(out)) == 1


def test_segment_writes_pixel_accuracy_mean_iou_and_masks(tmp_path, capsys):
    out = str(tmp_path / "seg")
    assert main(["train", "--task", "segment", "--epochs", "1", "--batch-size", "8", "--image-size", "32",
                 "--num-train", "8", "--num-test", "4", "--n", "2", "--out", out]) == 0
    row = _rows(out)[0]
    assert 0 <= float(row["pixel_acc"]) <= 1 and 0 <= float(row["mean_iou"]) <= 1
    assert os.path.isfile(os.path.join(out, "predictions.png"))
    assert "mean IoU" in capsys.readouterr().out
    png = str(tmp_path / "masks.png")
    assert main(["predict", os.path.join(out, "checkpoint.pt"), "--n", "2", "--out", png]) == 0
    assert os.path.isfile(png)


def test_style_transfer_writes_the_result(tmp_path, capsys):
    from PIL import Image

    out = str(tmp_path / "style")
    content, style = str(tmp_path / "a.png"), str(tmp_path / "b.png")
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (40, 60, 3), dtype=np.uint8)).save(content)
    Image.fromarray(rng.integers(0, 256, (30, 30, 3), dtype=np.uint8)).save(style)
    assert main(["train", "--task", "style", "--content", content, "--style", style, "--epochs", "3",
                 "--image-size", "32", "--out", out]) == 0
    assert _png(os.path.join(out, "result.png")) == (48, 32)  # the content's aspect ratio at height 32
    rows = _rows(out)
    assert len(rows) == 3 and float(rows[-1]["style"]) < float(rows[0]["style"])
    assert os.path.isfile(os.path.join(out, "style_transfer.png"))
    assert "result.png" in capsys.readouterr().out


def test_style_ships_its_two_images():
    from ember.cli.tasks.style import SHIPPED

    assert sorted(os.listdir(SHIPPED)) == ["content.png", "style.png"]


@pytest.mark.parametrize("argv,message", [
    (["--task", "detect", "--image-size", "32"], "--image-size must be at least 64"),
    (["--task", "detect", "--num-train", "0"], "--num-train must be a positive integer"),
    (["--task", "detect", "--model", "yolo"], "unknown model 'yolo' for --task detect"),
    (["--task", "detect", "--bogus"], "unrecognized arguments: --bogus"),
    (["--task", "segment", "--image-size", "48"], "--image-size must be a multiple of 32"),
    (["--task", "segment", "--backbone", "/nonexistent.pt"], "checkpoint '/nonexistent.pt' does not exist"),
    (["--task", "style", "--content", "/nonexistent.png"], "image '/nonexistent.png' does not exist"),
    (["--task", "style", "--image-size", "8"], "--image-size must be at least 32"),
])
def test_usage_errors_are_one_line_and_exit_2(argv, message, tmp_path, capsys):
    assert main(["train", *argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and err.startswith("ember train: error:")
