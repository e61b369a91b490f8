"""``python -m benchmarks``: ember vs torch on the same workloads, one process per thread count.

Each thread count runs in a fresh process with the thread variables (and
``OPENBLAS_THREAD_TIMEOUT=4 GOMP_SPINCOUNT=10000``, see PERFORMANCE.md) exported before NumPy and torch
load. Within it, ember and torch repetitions are interleaved; first losses are compared; medians and
ratios (ember/torch) are printed as a table and written to ``benchmarks/results.json``. Peak RSS per
workload is measured in a separate process per framework.

    python -m benchmarks                 # all workloads, 1 and 2 threads
    python -m benchmarks OVH CHAIN W1 --threads 1 --reps 7
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def _env(threads: int) -> dict:
    env = dict(os.environ)
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        env[k] = str(threads)
    env["OPENBLAS_THREAD_TIMEOUT"] = "4"
    env["GOMP_SPINCOUNT"] = "10000"
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _time_one(step, reps: int) -> list:
    per = getattr(step, "per", 1)
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        out.append((time.perf_counter() - t0) / per)
    return out


def worker(names: list, threads: int, reps: int) -> dict:
    """Run in the child: time each workload for ember and torch, interleaved."""
    import gc

    import numpy as np
    import torch

    import ember

    torch.set_num_threads(threads)
    from benchmarks.workloads import WORKLOADS

    res = {}
    for name in names:
        make = WORKLOADS[name][0]
        try:
            steps = {"ember": make(ember), "torch": make(torch)}
        except Exception as e:  # noqa: BLE001 - a workload ember cannot build yet is reported, not fatal
            res[name] = {"error": f"{type(e).__name__}: {e}"}
            continue
        first = {k: s() for k, s in steps.items()}  # warm-up, and the first losses
        times = {"ember": [], "torch": []}
        gc.collect()
        for _ in range(reps):
            for k in ("ember", "torch"):
                times[k] += _time_one(steps[k], 1)
        med = {k: float(np.median(v)) for k, v in times.items()}
        res[name] = {"ember_s": med["ember"], "torch_s": med["torch"], "ratio": med["ember"] / med["torch"],
                     "first_loss": first, "loss_agrees": bool(np.isclose(first["ember"], first["torch"],
                                                                         rtol=1e-3, atol=1e-4))}
    return res


def peak_rss(name: str, framework: str, threads: int) -> float | None:
    """Peak RSS (MB) of a process that builds the workload and runs 3 steps."""
    code = (f"import resource, {framework} as m\nfrom benchmarks.workloads import WORKLOADS\n"
            f"s = WORKLOADS[{name!r}][0](m)\nfor _ in range(3): s()\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
    p = subprocess.run([sys.executable, "-c", code], env=_env(threads), capture_output=True, text=True, cwd=ROOT)
    try:
        return float(p.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def _fmt(sec: float) -> str:
    return f"{sec * 1e6:.2f} us" if sec < 1e-3 else f"{sec * 1e3:.2f} ms"


def main() -> None:
    from benchmarks.workloads import WORKLOADS

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workloads", nargs="*", default=list(WORKLOADS))
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--memory", action="store_true", help="also measure peak RSS per workload")
    ap.add_argument("--out", default=os.path.join(HERE, "results.json"))
    ap.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._child:
        print(json.dumps(worker(args.workloads, args.threads[0], args.reps)))
        return
    unknown = [w for w in args.workloads if w not in WORKLOADS]
    if unknown:
        ap.error(f"unknown workload(s) {unknown}; choose from {list(WORKLOADS)}")
    results = {}
    for t in args.threads:
        p = subprocess.run([sys.executable, "-m", "benchmarks", *args.workloads, "--threads", str(t), "--reps",
                            str(args.reps), "--_child"], env=_env(t), capture_output=True, text=True, cwd=ROOT)
        if p.returncode:
            print(p.stderr, file=sys.stderr)
            sys.exit(1)
        results[f"T{t}"] = json.loads(p.stdout.strip().splitlines()[-1])
    if args.memory:
        for name in args.workloads:
            results.setdefault("memory_mb", {})[name] = {f: peak_rss(name, f, args.threads[0])
                                                         for f in ("ember", "torch")}
    print(f"{'workload':<14} {'threads':>7} {'ember':>11} {'torch':>11} {'ratio':>7}  loss  description")
    for tkey, res in results.items():
        if not tkey.startswith("T"):
            continue
        for name, r in res.items():
            if "error" in r:
                print(f"{name:<14} {tkey:>7}   not run: {r['error'][:70]}")
                continue
            print(f"{name:<14} {tkey:>7} {_fmt(r['ember_s']):>11} {_fmt(r['torch_s']):>11} {r['ratio']:>7.2f}  "
                  f"{'ok ' if r['loss_agrees'] else 'DIFF'}  {WORKLOADS[name][1]}")
    for name, mem in results.get("memory_mb", {}).items():
        print(f"peak RSS {name:<12} ember {mem['ember']} MB  torch {mem['torch']} MB")
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
