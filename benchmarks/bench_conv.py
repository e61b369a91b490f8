"""Conv / pool / BatchNorm: ember vs torch in one process, one thread, float32, fwd+bwd medians.

    python benchmarks/bench_conv.py [--reps 15]

Threads are pinned to 1 before numpy and torch are imported (see shared/PERFORMANCE.md hygiene).
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_v] = "1"
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
os.environ.setdefault("GOMP_SPINCOUNT", "10000")

import argparse  # noqa: E402
import gc  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import ember  # noqa: E402
from ember.backends import kernels  # noqa: E402

torch.set_num_threads(1)


def case_conv(lib, n, cin, cout, hw, k, pad):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, cin, hw, hw), dtype=np.float32)
    if lib == "torch":
        m = torch.nn.Conv2d(cin, cout, k, padding=pad)
        xt = torch.tensor(x, requires_grad=True)
    else:
        m = ember.nn.Conv2d(cin, cout, k, padding=pad)
        xt = ember.tensor(x, requires_grad=True)

    def step():
        m(xt).sum().backward()
    return step


def case_pool(lib, n, c, hw):
    x = np.random.default_rng(0).standard_normal((n, c, hw, hw), dtype=np.float32)
    mod, t = (torch.nn, torch) if lib == "torch" else (ember.nn, ember)
    xt = t.tensor(x, requires_grad=True)
    m = mod.MaxPool2d(2)
    return lambda: m(xt).sum().backward()


def case_bn(lib, n, c, hw):
    x = np.random.default_rng(0).standard_normal((n, c, hw, hw), dtype=np.float32)
    mod, t = (torch.nn, torch) if lib == "torch" else (ember.nn, ember)
    xt = t.tensor(x, requires_grad=True)
    m = mod.BatchNorm2d(c)
    return lambda: m(xt).sum().backward()


CASES = [
    ("conv3x3 64->128 32x32 b64", case_conv, (64, 64, 128, 32, 3, 1)),
    ("LeNet conv1 1->6 k5 28x28 b256", case_conv, (256, 1, 6, 28, 5, 0)),
    ("LeNet conv2 6->16 k5 12x12 b256", case_conv, (256, 6, 16, 12, 5, 0)),
    ("maxpool2x2 b64 64ch 32x32", case_pool, (64, 64, 32)),
    ("BatchNorm2d b64 64ch 32x32", case_bn, (64, 64, 32)),
]


def median_time(step, reps):
    step()  # warm-up (numba compiles, buffers fault in)
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=15)
    args = ap.parse_args()
    gc.disable()
    print(f"kernels={kernels.current()} threads=1  (fwd+bwd, median of {args.reps}, ms)")
    print(f"{'case':34s} {'ember':>9s} {'torch':>9s} {'ratio':>7s}")
    for name, make, params in CASES:
        e, t = make("ember", *params), make("torch", *params)
        te, tt = [], []
        for _ in range(3):  # interleave ember and torch
            te.append(median_time(e, max(1, args.reps // 3)))
            tt.append(median_time(t, max(1, args.reps // 3)))
        me, mt = float(np.median(te)) * 1e3, float(np.median(tt)) * 1e3
        print(f"{name:34s} {me:9.2f} {mt:9.2f} {me / mt:7.2f}")


if __name__ == "__main__":
    main()
