"""Adam step over ~400k float32 parameters in 8 tensors: ember vs torch in one process.

Run: python benchmarks/bench_optim.py [--threads 1] [--reps 200]
Prints the median step time of each and the ratio ember/torch (below 1 = ember faster). The same
gradients are fed to both; repetitions are interleaved (see shared/PERFORMANCE.md, hygiene).
"""
from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
os.environ.setdefault("GOMP_SPINCOUNT", "10000")

import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

SHAPES = [(512, 384), (512,), (384, 384), (384,), (256, 384), (256,), (64, 256), (64,)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--amsgrad", action="store_true")
    parser.add_argument("--weight-decay", type=float, default=0.0)
    args = parser.parse_args()

    import torch

    import ember

    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    init = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    grads = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    ep = [ember.from_numpy(v.copy()).requires_grad_() for v in init]
    tp = [torch.from_numpy(v.copy()).requires_grad_() for v in init]
    for e, t, g in zip(ep, tp, grads):
        e.grad = ember.from_numpy(g.copy())
        t.grad = torch.from_numpy(g.copy())
    kw = dict(lr=1e-3, amsgrad=args.amsgrad, weight_decay=args.weight_decay)
    eopt, topt = ember.optim.Adam(ep, **kw), torch.optim.Adam(tp, **kw)
    for _ in range(5):
        eopt.step()
        topt.step()
    te, tt = [], []
    for _ in range(args.reps):
        t0 = time.perf_counter()
        eopt.step()
        t1 = time.perf_counter()
        topt.step()
        t2 = time.perf_counter()
        te.append(t1 - t0)
        tt.append(t2 - t1)
    drift = max(float(np.abs(e._data - t.detach().numpy()).max()) for e, t in zip(ep, tp))
    n = sum(int(np.prod(s)) for s in SHAPES)
    me, mt = np.median(te) * 1e3, np.median(tt) * 1e3
    print(f"Adam over {n} float32 params in {len(SHAPES)} tensors, T={args.threads}, {args.reps} reps "
          f"(amsgrad={args.amsgrad}, weight_decay={args.weight_decay})")
    print(f"  ember {me:.3f} ms   torch {mt:.3f} ms   ratio ember/torch {me / mt:.2f}   max |diff| {drift:.1e}")


if __name__ == "__main__":
    main()
