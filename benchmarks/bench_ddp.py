"""Data-parallel training on MPI: images/s of ``ember train --ddp`` on 1 and 2 processes, and what the gradient
all-reduce adds to a step, overlapped with backward (DDP's buckets) or not (one all-reduce after backward).

    python benchmarks/bench_ddp.py            # both parts; prints a table and writes results_ddp.json
    python benchmarks/bench_ddp.py --steps 20 --epochs 1

Part 1 runs ``python -m ember.distributed.run -n N ember train --ddp --model lenet_bn --subset`` and reads the
epoch's ``samples_per_s`` from metrics.json. Part 2 (``--worker``, started under ``mpiexec -n 2``) times a
step of LeNet-BN on a per-rank batch of 64: local only (no communication), DDP (buckets all-reduced during
backward), and backward under ``no_sync`` followed by one flat all-reduce of every gradient (no overlap).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def train_images_per_s(n: int, epochs: int) -> float:
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "-m", "ember.distributed.run", "-n", str(n), "ember", "train", "--ddp", "--model",
               "lenet_bn", "--subset", "--no-plot", "--epochs", str(epochs), "--out", out]
        subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=dict(os.environ, OMP_NUM_THREADS="1"))
        with open(os.path.join(out, "metrics.json")) as f:
            return max(e["samples_per_s"] for e in json.load(f)["epochs"])


def worker(steps: int) -> None:
    import numpy as np

    import ember
    import ember.distributed as dist
    import ember.nn.functional as F
    from ember.cli._common import build_model
    from ember.nn.parallel import DistributedDataParallel as DDP

    dist.init_process_group("mpi")
    rng = np.random.default_rng(dist.get_rank())
    x = ember.from_numpy(rng.standard_normal((64, 1, 28, 28)).astype(np.float32))
    y = ember.from_numpy(rng.integers(0, 10, 64))
    model, _ = build_model("lenet_bn")
    ddp = DDP(model)
    params = [p for p in model.parameters()]

    def local() -> None:
        F.cross_entropy(model(x), y).backward()

    def overlapped() -> None:
        F.cross_entropy(ddp(x), y).backward()

    def after() -> None:
        with ddp.no_sync():
            F.cross_entropy(ddp(x), y).backward()
        flat = ember.cat([p.grad.reshape(-1) for p in params])
        dist.all_reduce(flat, op=dist.ReduceOp.AVG)

    times = {}
    for name, step in (("local", local), ("ddp_overlapped", overlapped), ("allreduce_after_backward", after)):
        for p in params:
            p.grad = None
        step()  # warm-up
        dist.barrier()
        t0 = time.perf_counter()
        for _ in range(steps):
            for p in params:
                p.grad = None
            step()
        dist.barrier()
        times[name] = (time.perf_counter() - t0) / steps * 1e3
    if dist.get_rank() == 0:
        print(json.dumps(times))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--worker", action="store_true")
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--epochs", type=int, default=1)
    args = p.parse_args()
    if args.worker:
        worker(args.steps)
        return
    from ember.distributed.run import find_mpiexec

    res = {"images_per_s": {n: train_images_per_s(n, args.epochs) for n in (1, 2)}}
    out = subprocess.run([find_mpiexec(), "-n", "2", sys.executable, os.path.abspath(__file__), "--worker",
                          "--steps", str(args.steps)], capture_output=True, text=True, check=True, cwd=ROOT,
                         env=dict(os.environ, OMP_NUM_THREADS="1"))
    res["ms_per_step_2_ranks"] = json.loads(out.stdout.strip().splitlines()[-1])
    t = res["ms_per_step_2_ranks"]
    print(f"ember train --ddp (lenet_bn, subset): {res['images_per_s'][1]:.0f} img/s on 1 process, "
          f"{res['images_per_s'][2]:.0f} img/s on 2")
    print(f"step, 2 ranks x 64 images: local {t['local']:.1f} ms, DDP overlapped {t['ddp_overlapped']:.1f} ms "
          f"(+{t['ddp_overlapped'] - t['local']:.1f}), all-reduce after backward "
          f"{t['allreduce_after_backward']:.1f} ms (+{t['allreduce_after_backward'] - t['local']:.1f})")
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "results_ddp.json"), "w") as f:
        json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
