"""Replayed (``ember.compile`` / ``ember.jit.trace``) vs eager ember vs torch eager, per step.

Cases: W1nn and W4 training steps (forward, loss, ``zero_grad``, ``backward``, ``optimizer.step()``; the
whole step is compiled: ``step = ember.compile(train_step)``), and W6 inference of the MLP and LeNet at
batch 1 (``ember.jit.trace``), where per-op overhead dominates.

Per-step overhead = step time - kernel time, both taken in the same (instrumented) step, the median over steps.
The kernel time of a step is measured in separate runs in
which every op's ``forward`` (the raw-array computation of each forward and backward op, outermost call
only), the ufunc that a Tensor operator's fast path runs (``x + y`` without ``forward``), every optimizer's
``_update_group`` (the fused raw-array update) and each kernel closure of a lowered replay are wrapped by a
timer; what is left of the step (module calls, argument parsing, ``apply``'s graph bookkeeping, the engine's walk,
gradient routing and accumulation, optimizer bookkeeping) is overhead. The timers add about 0.1 us per op
to the kernel time, so the overhead is if anything underestimated.

Timing: variants are interleaved: each round times a block of consecutive steps of every variant in turn
(eager, replayed, torch, and the two instrumented runs); the figure is the median over rounds of each
block's median step. The clock is the calling thread's CPU time (``--clock cpu``, the default): with one
BLAS/OpenMP thread (and ``torch.set_num_threads(1)``) all the work of a step runs on that thread, and on a
shared, overloaded machine CPU time is not inflated by the time the process waits for a core, as wall time
is (``--clock wall`` measures that). Run from the repo root:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \\
        nice python -m benchmarks.bench_jit [--rounds R] [--block N] [--clock cpu|wall] [--cases W1nn-train ...]

``--profile`` prints, for each case whose replay is lowered (``ember/jit/_lower.py``), the time of its closures
summed by name and what is left of the step.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from .workloads import _load, lenet


def _mlp(m):
    return m.nn.Sequential(m.nn.Linear(784, 256), m.nn.ReLU(), m.nn.Linear(256, 256), m.nn.ReLU(),
                           m.nn.Linear(256, 10))


def _train_step(m, net, opt, loss_fn):
    def train_step(x, y):
        loss = loss_fn(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss
    return train_step


def train_w1(m, compiled: bool):
    """W1nn: MLP 784-256-256-10, batch 128, cross-entropy, SGD."""
    rng = np.random.default_rng(0)
    net = _mlp(m)
    _load(m, net, rng)
    opt = m.optim.SGD(net.parameters(), lr=0.01)
    x = m.tensor(rng.standard_normal((128, 784)).astype(np.float32))
    y = m.tensor(rng.integers(0, 10, 128).astype(np.int64))
    step = _train_step(m, net, opt, m.nn.functional.cross_entropy)
    step = m.compile(step) if compiled else step
    return lambda: step(x, y)


def train_w4(m, compiled: bool):
    """W4: Transformer encoder, 2 layers, d_model 128, 4 heads, batch 32 x 64 tokens, Adam."""
    rng = np.random.default_rng(0)
    layer = m.nn.TransformerEncoderLayer(128, 4, dim_feedforward=512, dropout=0.0, batch_first=True)
    net = m.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False) if m.__name__ == "torch" else \
        m.nn.TransformerEncoder(layer, 2)
    _load(m, net, rng)
    opt = m.optim.Adam(net.parameters(), lr=1e-3)
    x = m.tensor(rng.standard_normal((32, 64, 128)).astype(np.float32))
    step = _train_step(m, net, opt, lambda out, target: out.pow(2).mean())
    step = m.compile(step) if compiled else step
    return lambda: step(x, None)


def infer(m, which: str, compiled: bool):
    """W6: MLP or LeNet inference at batch 1 under no_grad."""
    rng = np.random.default_rng(0)
    net, shape = (_mlp(m), (1, 784)) if which == "mlp" else (lenet(m), (1, 1, 28, 28))
    _load(m, net, rng)
    net.eval()
    x = m.tensor(rng.standard_normal(shape).astype(np.float32))
    fwd = m.jit.trace(net, x) if compiled else net

    def step():
        with m.no_grad():
            fwd(x)
    return step


CASES = {"W1nn-train": train_w1, "W4-train": train_w4,
         "W6-mlp-b1": lambda m, c: infer(m, "mlp", c), "W6-lenet-b1": lambda m, c: infer(m, "lenet", c)}


BOOKKEEPING = {"zero_grad", "give_grads", "step", "item", "grad_mode_off", "grad_mode_on", "release"}  # no kernels


def _not_a_kernel(k) -> bool:
    """A lowered replay's closure that is not timed as a kernel: bookkeeping, or a generic lowering (an op's
    raw forward or its backward called on a kept node: the ops' ``forward`` inside it are timed, the rest is
    overhead, as in eager mode)."""
    return k.__name__ in BOOKKEEPING or k.__name__.startswith("generic_")


class KernelTimer:
    """While active, sums the time spent in ops' ``forward`` (outermost calls), the ufunc of the Tensor
    operators' fast path, optimizers' ``_update_group`` and the kernel closures of a lowered replay
    (``ember/jit/_lower.py``: a GEMM, a relu pass, an op's raw forward, each with the few lookups that bind its
    operands; not its ``zero_grad``/``.grad`` bookkeeping): the kernels of a step. ``total`` is in seconds."""

    def __init__(self) -> None:
        self.total = 0.0
        self._saved: list = []
        self._cells: list = []

    def __enter__(self) -> "KernelTimer":
        from ember.autograd.function import Op
        from ember.optim.optimizer import Optimizer

        depth = [0]
        clock = CLOCK[0]

        def timed(fn):
            def call(*args, **kwargs):
                if depth[0]:
                    return fn(*args, **kwargs)
                depth[0] = 1
                t0 = clock()
                try:
                    return fn(*args, **kwargs)
                finally:
                    self.total += clock() - t0
                    depth[0] = 0
            return call

        self._time_lowered(timed)
        self._time_operators(timed)
        for base, name in ((Op, "forward"), (Optimizer, "_update_group")):
            stack = [base]
            while stack:
                cls = stack.pop()
                stack.extend(cls.__subclasses__())
                fn = cls.__dict__.get(name)
                if fn is None:
                    continue
                self._saved.append((cls, name, fn))
                kind = type(fn) if isinstance(fn, (staticmethod, classmethod)) else None
                wrapped = timed(fn.__func__ if kind else fn)
                setattr(cls, name, kind(wrapped) if kind else wrapped)
        return self

    def _time_operators(self, timed) -> None:
        """The Tensor operators' fast path (``Op.operator``: ``x + y`` on operands of one dtype and shape) runs
        its op's ufunc without ``forward``: that ufunc call, bound in the operator's closure, is timed too."""
        from ember.tensor import Tensor

        for fn in vars(Tensor).values():
            code = getattr(fn, "__code__", None)
            if code is None or fn.__closure__ is None or "ufunc" not in code.co_freevars:
                continue
            cell = fn.__closure__[code.co_freevars.index("ufunc")]
            self._cells.append((cell, cell.cell_contents))
            cell.cell_contents = timed(cell.cell_contents)

    def _time_lowered(self, timed) -> None:
        from ember.jit._buffers import Lowered

        run = Lowered.run

        def lowered_run(low, inputs):
            kernels = low.kernels
            low.kernels = tuple(k if _not_a_kernel(k) else timed(k) for k in kernels)
            try:
                return run(low, inputs)
            finally:
                low.kernels = kernels
        self._saved.append((Lowered, "run", run))
        Lowered.run = lowered_run

    def __exit__(self, *exc) -> None:
        for cell, fn in reversed(self._cells):
            cell.cell_contents = fn
        for cls, name, fn in reversed(self._saved):
            setattr(cls, name, fn)


CLOCK = [time.thread_time]


def _block(step, n: int) -> float:
    clock = CLOCK[0]
    times = []
    for _ in range(n):
        t0 = clock()
        step()
        times.append(clock() - t0)
    return float(np.median(times))


def _kernel_block(step, n: int) -> tuple:
    """The median kernel time of a step, and the median of each step's time less its own kernel time (the
    overhead, paired within each step: not the difference of two medians of ~50 ms steps on a busy machine)."""
    clock = CLOCK[0]
    kernels, overheads = [], []
    with KernelTimer() as kt:
        for _ in range(n):
            before = kt.total
            t0 = clock()
            step()
            t = clock() - t0
            kernels.append(kt.total - before)
            overheads.append(t - kernels[-1])
    return float(np.median(kernels)), float(np.median(overheads))


def run_case(name: str, rounds: int, block: int, torch=None) -> dict:
    import ember

    make = CASES[name]
    steps = {"eager": make(ember, False), "replay": make(ember, True)}
    if torch is not None:
        steps["torch"] = make(torch, False)
    for s in steps.values():  # warm up; the first replayed call captures
        s(), s()
    res: dict = {k: [] for k in [*steps, "kernels-eager", "kernels-replay", "ovh-eager", "ovh-replay"]}
    for _ in range(rounds):
        for k, s in steps.items():
            res[k].append(_block(s, block))
        for k in ("eager", "replay"):
            kern, ovh = _kernel_block(steps[k], block)
            res["kernels-" + k].append(kern)
            res["ovh-" + k].append(ovh)
    return {k: 1000 * float(np.median(v)) for k, v in res.items()}


def profile_lowered(name: str, steps: int = 100) -> None:
    """Where a lowered replay's time goes: the time of its closures summed by name (medians over ``steps`` steps of
    each closure's time), the median step, and the median of what each step spent outside its closures."""
    import ember

    step = CASES[name](ember, True)
    step(), step()
    low = _lowered_of(step)
    if low is None:
        print(f"{name}: not lowered (the generic replay runs)")
        return
    clock, kernels = CLOCK[0], low.kernels
    times: list = [[] for _ in kernels]
    total = [0.0]

    def timed(i, k):
        def call():
            t0 = clock()
            k()
            dt = clock() - t0
            times[i].append(dt)
            total[0] += dt
        return call

    low.kernels = tuple(timed(i, k) for i, k in enumerate(kernels))
    rest, whole = [], []
    try:
        for _ in range(steps):
            total[0] = 0.0
            t0 = clock()
            step()
            t = clock() - t0
            whole.append(t)
            rest.append(t - total[0])
    finally:
        low.kernels = kernels
    by_name: dict = {}
    for k, t in zip(kernels, times):
        n, total = by_name.get(k.__name__, (0, 0.0))
        by_name[k.__name__] = (n + 1, total + 1e6 * float(np.median(t)))
    for n, (count, total) in sorted(by_name.items(), key=lambda kv: -kv[1][1]):
        print(f"  {n:38s} x{count:3d} {total:9.1f} us")
    print(f"{name}: step {1e6 * float(np.median(whole)):.1f} us; outside the closures (the replay's loop, setup "
          f"and result, and the timers' calls) {1e6 * float(np.median(rest)):.1f} us (medians of {steps} steps, "
          f"{len(kernels)} closures)")


def _lowered_of(step):
    """The lowered replay that a benchmark step runs: the compiled function's (or traced module's) program,
    found among the cells of the step's closures."""
    stack, seen = [step], set()
    while stack:
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        programs = getattr(fn, "_programs", None)
        if isinstance(programs, dict):
            for prog in programs.values():
                for p in prog if isinstance(prog, list) else [prog]:
                    if getattr(p, "lowered", None) is not None:
                        return p.lowered
            return None
        for cell in getattr(fn, "__closure__", None) or ():
            try:
                stack.append(cell.cell_contents)
            except ValueError:  # an empty cell
                pass
    return None


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=9)
    p.add_argument("--block", type=int, default=0, help="steps per block (default: by case)")
    p.add_argument("--cases", nargs="*", default=list(CASES))
    p.add_argument("--no-torch", action="store_true")
    p.add_argument("--clock", choices=["cpu", "wall"], default="cpu")
    p.add_argument("--profile", action="store_true", help="per-kernel times of the lowered replays instead")
    a = p.parse_args()
    CLOCK[0] = time.thread_time if a.clock == "cpu" else time.perf_counter
    torch = None
    if not a.no_torch:  # imported for --profile too: with torch loaded ember's GEMMs ran 3.6x faster (W1 1.2 vs
        import torch  # 4.4 ms per step, session 6; the OpenMP runtime that gets loaded first), so compare alike

        torch.set_num_threads(1)
    if a.profile:
        for name in a.cases:
            profile_lowered(name)
        return
    print(f"{'case':13s} {'eager':>8s} {'replay':>8s} {'torch':>8s} {'ovh eager':>9s} {'ovh replay':>10s} "
          f"{'replay/torch':>12s}   (ms per step, medians)")
    for name in a.cases:
        block = a.block or (3 if name.startswith("W4") else 30)
        r = run_case(name, a.rounds, block, torch)
        ovh_e, ovh_r = r["ovh-eager"], r["ovh-replay"]
        tt = r.get("torch", float("nan"))
        print(f"{name:13s} {r['eager']:8.3f} {r['replay']:8.3f} {tt:8.3f} {ovh_e:9.3f} {ovh_r:10.3f} "
              f"{r['replay'] / tt:12.2f}", flush=True)


if __name__ == "__main__":
    main()
