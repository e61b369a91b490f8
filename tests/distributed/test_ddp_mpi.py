"""ember.distributed, DistributedDataParallel and SyncBatchNorm in real MPI processes (``mpiexec -n 2`` and
``-n 3``). Each rank checks itself against a single-process reference (see _mpi_worker.py); every run is
bounded by a timeout, so a hang fails the test instead of stalling the suite."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest

from ember.distributed import is_available
from ember.distributed.run import find_mpiexec

WORKER = os.path.join(os.path.dirname(__file__), "_mpi_worker.py")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MPIEXEC = find_mpiexec()

pytestmark = pytest.mark.skipif(not is_available() or MPIEXEC is None,
                                reason="needs mpi4py and mpiexec: pip install 'ember[mpi]'")


def mpirun(n: int, *scenarios: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([MPIEXEC, "-n", str(n), sys.executable, WORKER, *scenarios], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=ROOT)


def assert_all_ok(res: subprocess.CompletedProcess, n: int) -> None:
    ok = sorted(re.findall(r"OK (\d+)", res.stdout))  # ranks' lines may interleave
    assert res.returncode == 0 and ok == [str(r) for r in range(n)], res.stdout[-2000:] + res.stderr[-4000:]


def test_two_ranks_collectives_ddp_and_syncbn():
    """n=2: every collective; DDP with SGD and Adam, with and without no_sync, unused parameters and tiny
    buckets, each equal to one process on the global batch to 1e-6; SyncBatchNorm equal to torch's
    BatchNorm on the concatenated batch (forward, input/weight/bias gradients, running statistics)."""
    assert_all_ok(mpirun(2, "collectives", "ddp-sgd", "ddp-adam", "ddp-sgd-nosync", "ddp-adam-nosync",
                         "ddp-unused", "ddp-small-buckets", "syncbn"), 2)


def test_three_ranks_collectives_ddp_and_syncbn():
    assert_all_ok(mpirun(3, "collectives", "ddp-adam-nosync", "syncbn"), 3)


def test_a_rank_that_raises_ends_every_rank():
    """Rank 1 raises while the others wait in an all-reduce: the job ends (not a hang) with rank 1's error."""
    t0 = time.perf_counter()
    res = mpirun(3, "raise", timeout=90)
    assert res.returncode != 0
    # rank 1's error reaches the user; which of its stderr lines mpiexec still forwards while the job is being
    # torn down varies from run to run, so either the one-line reason or the traceback's last line will do
    assert ("ember.distributed: rank 1 raised RuntimeError: rank 1 fails on purpose" in res.stderr
            or "RuntimeError: rank 1 fails on purpose" in res.stderr)
    assert "OK" not in res.stdout
    assert time.perf_counter() - t0 < 90
