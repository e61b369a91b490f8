"""``python -m benchmarks``: ember vs torch on the same workloads, one process per workload and thread count.

Each (workload, thread count) runs in a fresh process with the thread variables (and
``OPENBLAS_THREAD_TIMEOUT=4 GOMP_SPINCOUNT=10000``, see PERFORMANCE.md) exported before NumPy and torch
load, so nothing one workload leaves behind (buffers, thread pools, heap) weighs on the next. Within it,
ember and torch repetitions are interleaved; a repetition is a block of consecutive steps lasting at least
``BLOCK_S`` (one step when a step is longer), timed as a whole, so that no step is timed just after the
other framework has evicted the caches; first losses are compared; medians and
ratios (ember/torch) are printed as a table and written to ``benchmarks/results.json``. Peak RSS per
workload is measured in a separate process per framework. With ``--peers`` (the default when mygrad is
importable) the MyGrad version of each workload (``benchmarks/peers.py``) is timed in a second interleaved pass
against ember (so its large temporaries do not weigh on the torch pair),
adding its time, the ratio ember/mygrad and whether its first loss agrees with torch's.

    python -m benchmarks                 # all workloads, 1 and 2 threads
    python -m benchmarks OVH CHAIN W1 --threads 1 --reps 7
    python -m benchmarks W2 W5 --busy    # also beside a competing CPU-bound process: each one's slowdown
                                         # (quiet and busy blocks interleaved in one process: ``Rival``)

Fair settings: some machines export ``OPENBLAS_CORETYPE``/``OPENBLAS_L2_SIZE`` to keep old OpenBLAS builds
safe; on a current NumPy they force slower kernels than a user's machine runs. The benchmarks re-execute
themselves without them (``--machine-blas-env`` keeps them) and print which OpenBLAS kernel ran
(threadpoolctl), which libraries (oneDNN, numba) ember used, and the thread pools.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


BLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")  # machine overrides a user's machine does not have


def _reexec_without_blas_env() -> None:
    """Restart this command without ``BLAS_ENV`` (before NumPy loads: OpenBLAS reads them at load)."""
    if "--machine-blas-env" in sys.argv or "--_child" in sys.argv or not any(k in os.environ for k in BLAS_ENV):
        return
    env = {k: v for k, v in os.environ.items() if k not in BLAS_ENV}
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, "-m", "benchmarks"] + sys.argv[1:], env)


def runtime_info() -> dict:
    """Which kernels ran: OpenBLAS's architecture and threading (threadpoolctl), the thread pools, and
    ember's kernel choices (numba, the convolution library)."""
    info = {"env": {k: os.environ[k] for k in BLAS_ENV if k in os.environ}}
    try:
        import threadpoolctl
        info["pools"] = [{k: d.get(k) for k in ("internal_api", "architecture", "version", "num_threads",
                                                "threading_layer", "filepath")}
                         for d in threadpoolctl.threadpool_info()]
    except ImportError:
        info["pools"] = "threadpoolctl is not installed (pip install threadpoolctl)"
    from ember.backends import kernels
    info["ember_kernels"] = {"set": kernels.current(), "conv_library": kernels.library()}
    return info


def _describe(info: dict) -> str:
    pools = info.get("pools")
    if isinstance(pools, str):
        blas = pools
    else:
        blas = ", ".join(f"{p['internal_api']} {p.get('version') or ''} {p.get('architecture') or ''} "
                         f"({os.path.basename(p['filepath'] or '')}, {p['num_threads']} threads)".replace("  ", " ")
                         for p in pools)
    env = " ".join(f"{k}={v}" for k, v in info["env"].items()) or "none"
    k = info["ember_kernels"]
    return (f"pools: {blas}\nmachine BLAS overrides: {env}; ember kernels: {k['set']}, "
            f"conv library: {k['conv_library']}")


def _env(threads: int) -> dict:
    env = dict(os.environ)
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        env[k] = str(threads)
    env["OPENBLAS_THREAD_TIMEOUT"] = "4"
    env["GOMP_SPINCOUNT"] = "10000"
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


BLOCK_S = 0.05  # one repetition runs a block of steps lasting at least this long (one step if longer)


def _block_len(step) -> int:
    """How many consecutive steps make one timed block (calibrated on one warm step)."""
    t0 = time.perf_counter()
    step()
    return max(1, min(1000, int(BLOCK_S / max(time.perf_counter() - t0, 1e-9))))


def _time_one(step, n: int) -> float:
    """Seconds per step (per op for ``step.per``) over one block of ``n`` consecutive steps."""
    per = getattr(step, "per", 1)
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    return (time.perf_counter() - t0) / (n * per)


PEER_MAX_STEP_S = 60.0  # a peer whose warm-up step takes longer is reported "too slow", not timed


class Rival:
    """The competing CPU-bound process of ``--busy``, paused (SIGSTOP) and resumed (SIGCONT) between blocks, so
    that quiet and busy blocks of the same workload interleave in one process and one time window."""

    WARM_S = 0.02  # after SIGCONT, let the competitor get back on a core before timing

    def __init__(self) -> None:
        self.p = subprocess.Popen([sys.executable, "-c", COMPETITOR])
        self.pause()

    def pause(self) -> None:
        os.kill(self.p.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.p.pid, signal.SIGCONT)
        time.sleep(self.WARM_S)

    def close(self) -> None:
        self.p.kill()
        self.p.wait()


def worker(names: list, threads: int, reps: int, peers: bool = False, busy: bool = False) -> dict:
    """Run in the child: time each workload for ember and torch (and MyGrad), interleaved. With ``busy``, each
    repetition times the pair twice, once with the competitor paused and once beside it running, and the
    result also holds the busy medians (``busy_ember_s``, ``busy_torch_s``)."""
    import gc

    import numpy as np
    import torch

    import ember

    torch.set_num_threads(threads)
    from benchmarks.workloads import WORKLOADS

    res = {"_info": runtime_info()}
    for name in names:
        make = WORKLOADS[name][0]
        try:
            steps = {"ember": make(ember), "torch": make(torch)}
        except Exception as e:  # noqa: BLE001 - a workload ember cannot build yet is reported, not fatal
            res[name] = {"error": f"{type(e).__name__}: {e}"}
            continue
        first = {k: s() for k, s in steps.items()}  # warm-up, and the first losses
        peer_na = None
        if peers:
            from benchmarks import peers as P
            if name not in P.PEERS:
                peer_na = P.reason(name)
            else:
                try:
                    steps["mygrad"] = P.PEERS[name]()
                    t0 = time.perf_counter()
                    first["mygrad"] = steps["mygrad"]()
                    if time.perf_counter() - t0 > PEER_MAX_STEP_S:
                        peer_na = f"too slow to run: one step took {time.perf_counter() - t0:.0f} s"
                except Exception as e:  # noqa: BLE001
                    peer_na = f"{type(e).__name__}: {e}"
            if peer_na:
                steps.pop("mygrad", None)
        blocks = {k: _block_len(s) for k, s in steps.items()}

        def interleaved(pair, rival=None):  # reps of (block of a, block of b): medians per step
            times = {k: [] for k in pair}
            slow = {k: [] for k in pair}
            gc.collect()
            for _ in range(reps):
                for k in pair:
                    times[k].append(_time_one(steps[k], blocks[k]))
                if rival is not None:
                    rival.resume()
                    try:
                        for k in pair:
                            slow[k].append(_time_one(steps[k], blocks[k]))
                    finally:
                        rival.pause()
            out = {k: float(np.median(v)) for k, v in times.items()}
            out.update({"busy_" + k: float(np.median(v)) for k, v in slow.items() if v})
            return out

        if busy:
            rival = Rival()
            try:
                med = interleaved(("ember", "torch"), rival)
            finally:
                rival.close()
        else:
            med = interleaved(("ember", "torch"))
        if "mygrad" in steps:  # a pass of its own: MyGrad's large temporaries do not slow the torch pair
            vs = interleaved(("ember", "mygrad"))
            med["mygrad"], med["ember_vs_mygrad"] = vs["mygrad"], vs["ember"]
        res[name] = {"ember_s": med["ember"], "torch_s": med["torch"], "ratio": med["ember"] / med["torch"],
                     **{k + "_s": v for k, v in med.items() if k.startswith("busy_")},
                     "first_loss": first, "loss_agrees": bool(np.isclose(first["ember"], first["torch"],
                                                                         rtol=1e-3, atol=1e-4))}
        if peer_na:
            res[name]["mygrad"] = f"n/a: {peer_na}"
        elif peers:
            res[name].update(mygrad_s=med["mygrad"], ratio_mygrad=med["ember_vs_mygrad"] / med["mygrad"],
                             mygrad_loss_agrees=bool(np.isclose(first["mygrad"], first["torch"], rtol=1e-3,
                                                                atol=1e-4)))
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


COMPETITOR = "while True: pass"  # the competing CPU-bound process of --busy (one core's worth of work)


def _run_child(name: str, t: int, args, busy: bool = False) -> dict:
    """One workload at ``t`` threads in a fresh process (``busy``: quiet and busy blocks interleaved, see
    ``Rival``)."""
    p = subprocess.run([sys.executable, "-m", "benchmarks", name, "--threads", str(t), "--reps", str(args.reps),
                        "--peers" if args.peers and not busy else "--no-peers", "--_child"]
                       + (["--_busy"] if busy else []),
                       env=_env(t), capture_output=True, text=True, cwd=ROOT)
    if p.returncode:
        print(p.stderr, file=sys.stderr)
        sys.exit(1)
    return json.loads(p.stdout.strip().splitlines()[-1])


def _slowdown(r: dict, framework: str) -> float:
    """Busy / quiet median of one framework, both from the same ``--busy`` process."""
    return r[f"busy_{framework}_s"] / r[f"{framework}_s"]


def main() -> None:
    _reexec_without_blas_env()
    from benchmarks.workloads import WORKLOADS

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workloads", nargs="*", default=list(WORKLOADS))
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--memory", action="store_true", help="also measure peak RSS per workload")
    ap.add_argument("--out", default=os.path.join(HERE, "results.json"))
    ap.add_argument("--peers", action=argparse.BooleanOptionalAction, default=None,
                    help="also time MyGrad (benchmarks/peers.py); default: on when mygrad is importable")
    ap.add_argument("--busy", action="store_true",
                    help="also run each workload beside a competing CPU-bound process; report both slowdowns")
    ap.add_argument("--machine-blas-env", action="store_true",
                    help="keep OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE (by default the benchmarks run without them)")
    ap.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--_busy", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.peers is None:
        from benchmarks.peers import available
        args.peers = available()
    if args._child:
        print(json.dumps(worker(args.workloads, args.threads[0], args.reps, args.peers, args._busy)))
        return
    unknown = [w for w in args.workloads if w not in WORKLOADS]
    if unknown:
        ap.error(f"unknown workload(s) {unknown}; choose from {list(WORKLOADS)}")
    results = {}
    for t in args.threads:
        results[f"T{t}"] = {}
        for name in args.workloads:  # a fresh process per workload: no state carries over between them
            res = _run_child(name, t, args)
            results["info"] = res.pop("_info")
            results[f"T{t}"].update(res)
            r = res.get(name, {})
            if "ratio" in r:  # progress, so that a long run shows its rows as they come
                print(f"[T{t} {name}: ember {_fmt(r['ember_s'])} torch {_fmt(r['torch_s'])} ratio {r['ratio']:.2f}]",
                      file=sys.stderr, flush=True)
            if args.busy:
                busy = _run_child(name, t, args, busy=True)[name]
                if "busy_ember_s" in busy:
                    print(f"[busy T{t} {name}: ember x{_slowdown(busy, 'ember'):.2f} torch "
                          f"x{_slowdown(busy, 'torch'):.2f}]", file=sys.stderr, flush=True)
                results.setdefault("busy", {}).setdefault(f"T{t}", {})[name] = busy
    if args.memory:
        for name in args.workloads:
            results.setdefault("memory_mb", {})[name] = {f: peak_rss(name, f, args.threads[0])
                                                         for f in ("ember", "torch")}
    peer_cols = f" {'mygrad':>11} {'e/mg':>6} mg-loss" if args.peers else ""
    print(f"{'workload':<14} {'threads':>7} {'ember':>11} {'torch':>11} {'ratio':>7}  loss{peer_cols}  description")
    for tkey, res in results.items():
        if not tkey.startswith("T"):
            continue
        for name, r in res.items():
            if "error" in r:
                print(f"{name:<14} {tkey:>7}   not run: {r['error'][:70]}")
                continue
            peer = ""
            if "mygrad_s" in r:
                peer = (f" {_fmt(r['mygrad_s']):>11} {r['ratio_mygrad']:>6.2f} "
                        f"{'ok     ' if r['mygrad_loss_agrees'] else 'DIFF   '}")
            elif args.peers:
                peer = f" {'n/a':>11} {'':>6} {'':7}"
            print(f"{name:<14} {tkey:>7} {_fmt(r['ember_s']):>11} {_fmt(r['torch_s']):>11} {r['ratio']:>7.2f}  "
                  f"{'ok ' if r['loss_agrees'] else 'DIFF'}{peer}  {WORKLOADS[name][1]}")
            if "mygrad" in r:
                print(f"{'':<14} {'':>7}   mygrad {r['mygrad'][:90]}")
    for tkey, res in results.get("busy", {}).items():
        for name, r in res.items():
            if "busy_ember_s" not in r:
                continue
            print(f"busy {name:<14} {tkey:>3}  ember {_fmt(r['busy_ember_s']):>10} (x{_slowdown(r, 'ember'):.2f})"
                  f"  torch {_fmt(r['busy_torch_s']):>10} (x{_slowdown(r, 'torch'):.2f})"
                  f"  ratio {r['busy_ember_s'] / r['busy_torch_s']:.2f}"
                  "   (xN: busy / quiet median of the same process, blocks interleaved)")
    if "info" in results:
        print(_describe(results["info"]))
    for name, mem in results.get("memory_mb", {}).items():
        print(f"peak RSS {name:<12} ember {mem['ember']} MB  torch {mem['torch']} MB")
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
