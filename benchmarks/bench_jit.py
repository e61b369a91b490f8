"""Replayed (ember.compile / ember.jit.trace) vs eager ember vs torch eager, per step.

W1nn and W4 are training steps (forward, backward, optimizer step) whose forward is compiled; W6 is
inference of the MLP and LeNet at batch 1, where per-op overhead dominates. Run from the repo root:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE nice python -m benchmarks.bench_jit [--repeat N]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from .workloads import _load, lenet


def _median_ms(step, repeat: int) -> float:
    step()
    step()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return 1000 * float(np.median(times))


def _mlp(m):
    return m.nn.Sequential(m.nn.Linear(784, 256), m.nn.ReLU(), m.nn.Linear(256, 256), m.nn.ReLU(),
                           m.nn.Linear(256, 10))


def train_w1(m, compiled: bool):
    rng = np.random.default_rng(0)
    net = _mlp(m)
    _load(m, net, rng)
    fwd = m.compile(net) if compiled else net
    opt = m.optim.SGD(net.parameters(), lr=0.01)
    x = m.tensor(rng.standard_normal((128, 784)).astype(np.float32))
    y = m.tensor(rng.integers(0, 10, 128).astype(np.int64))

    def step():
        loss = m.nn.functional.cross_entropy(fwd(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def train_w4(m, compiled: bool):
    rng = np.random.default_rng(0)
    layer = m.nn.TransformerEncoderLayer(128, 4, dim_feedforward=512, dropout=0.0, batch_first=True)
    net = m.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False) if m.__name__ == "torch" else \
        m.nn.TransformerEncoder(layer, 2)
    _load(m, net, rng)
    fwd = m.compile(net) if compiled and m.__name__ != "torch" else net
    opt = m.optim.Adam(net.parameters(), lr=1e-3)
    x = m.tensor(rng.standard_normal((32, 64, 128)).astype(np.float32))

    def step():
        loss = fwd(x).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def infer(m, which: str, compiled: bool):
    rng = np.random.default_rng(0)
    net, shape = (_mlp(m), (1, 784)) if which == "mlp" else (lenet(m), (1, 1, 28, 28))
    _load(m, net, rng)
    net.eval()
    x = m.tensor(rng.standard_normal(shape).astype(np.float32))
    fwd = m.jit.trace(net, x) if compiled and m.__name__ != "torch" else net

    def step():
        with m.no_grad():
            fwd(x)
    return step


CASES = {"W1nn-train": train_w1, "W4-train": train_w4,
         "W6-mlp-b1": lambda m, c: infer(m, "mlp", c), "W6-lenet-b1": lambda m, c: infer(m, "lenet", c)}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=20)
    p.add_argument("--no-torch", action="store_true")
    a = p.parse_args()
    import ember

    mods = [ember]
    if not a.no_torch:
        import torch

        torch.set_num_threads(1)
        mods.append(torch)
    print(f"{'case':14s} {'eager ms':>9s} {'replay ms':>9s} {'torch ms':>9s}")
    for name, make in CASES.items():
        eager = _median_ms(make(ember, False), a.repeat)
        replay = _median_ms(make(ember, True), a.repeat)
        tt = _median_ms(make(mods[1], False), a.repeat) if len(mods) > 1 else float("nan")
        print(f"{name:14s} {eager:9.3f} {replay:9.3f} {tt:9.3f}")


if __name__ == "__main__":
    main()
