"""``ember train --ddp`` on 2 MPI ranks: the same weights as one process on the same global batches, rank 0
alone writes the run folder, and ``--resume`` continues a DDP run to the uninterrupted result."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from ember.distributed import is_available
from ember.distributed.run import find_mpiexec

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

pytestmark = pytest.mark.skipif(not is_available() or find_mpiexec() is None,
                                reason="needs mpi4py and mpiexec: pip install 'ember[mpi]'")


def _idx(path, array: np.ndarray) -> None:
    """An IDX file (the MNIST format): magic (0, 0, ubyte=8, ndim), big-endian int32 sizes, the bytes."""
    with open(path, "wb") as f:
        f.write(bytes([0, 0, 8, array.ndim]) + np.array(array.shape, ">i4").tobytes() + array.tobytes())


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    """96 training and 32 test images of Fashion-MNIST's shape (class = brightest quarter, learnable)."""
    root = tmp_path_factory.mktemp("fmnist")
    rng = np.random.default_rng(0)
    for split, n in (("train", 96), ("t10k", 32)):
        y = rng.integers(0, 4, n).astype(np.uint8)
        x = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
        for i, c in enumerate(y):
            x[i, (c // 2) * 14:(c // 2) * 14 + 14, (c % 2) * 14:(c % 2) * 14 + 14] += 150
        _idx(root / f"{split}-images-idx3-ubyte", x)
        _idx(root / f"{split}-labels-idx1-ubyte", y)
    return str(root)


def _launch(n: int, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [sys.executable, "-m", "ember.distributed.run", "-n", str(n), "ember", "train", "--ddp", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=env, cwd=ROOT)


def test_ddp_train_and_resume_match_one_process(tiny_data, tmp_path):
    import ember
    from ember.cli import main

    common = ["--model", "mlp", "--data", tiny_data, "--batch-size", "32", "--optimizer", "adam", "--seed", "3",
              "--scheduler", "none"]  # a constant lr, so a 1-epoch run resumed to 2 equals a 2-epoch run
    ddp = tmp_path / "ddp"
    first = _launch(2, *common, "--epochs", "1", "--out", str(ddp))
    assert first.returncode == 0, first.stderr[-3000:]
    assert sorted(os.listdir(ddp)) == ["checkpoint.pt", "curves.png", "metrics.csv", "metrics.json"]
    assert first.stdout.count("on 2 ranks") == 1  # only rank 0 prints
    second = _launch(2, *common, "--epochs", "2", "--resume", "--out", str(ddp), "--no-plot")
    assert second.returncode == 0, second.stderr[-3000:]
    single = tmp_path / "single"
    assert main(["train", *common, "--epochs", "2", "--out", str(single), "--no-plot"]) == 0
    a = ember.load(str(ddp / "checkpoint.pt"))
    b = ember.load(str(single / "checkpoint.pt"))
    assert a["epoch"] == 2 and list(a["model"]) == list(b["model"])  # no "module." prefix in the run's file
    for k in b["model"]:
        np.testing.assert_allclose(a["model"][k].numpy(), b["model"][k].numpy(), atol=1e-5, err_msg=k)
    np.testing.assert_allclose([h["train_loss"] for h in a["history"]], [h["train_loss"] for h in b["history"]],
                               rtol=1e-5)
