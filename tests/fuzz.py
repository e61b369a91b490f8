"""Composition fuzz: random programs of 3-8 ops, each run on ember and on torch, compared step by step.

A program is built once, as data: a few input tensors (NumPy arrays: float32 or float64, 0-d, size-1 and
non-contiguous views) and a list of steps ``vK = <expression>``. Each expression is written in torch's
spelling with ``T`` for the package, ``F`` for ``nn.functional`` and names for earlier values, for example
``v3 = F.layer_norm(v1, (4,), p2, p3)``; the same text is evaluated once with ``T = torch`` and once with
``T = ember``. The generator draws every step from the tables below (pointwise ops, activations, reductions
with dim/keepdim, matmul/linear, views and slicing, int/bool/list indexing, cat/stack, softmax, losses,
norms, conv, pooling, embedding, casts) and picks its inputs among all earlier values, so one tensor often
feeds two branches. Programs are generated against torch (which tells the shapes); a step where torch
raises ends the program, and ember must raise the same exception type there.

Checks, for every step: shape, dtype and values; then a weighted sum of the unused values is
back-propagated and every input's (and every intermediate's) gradient is compared with torch's: values and
dtypes. A failure is filed under a class: the op and what differed (for a wrong gradient, the op that
consumes the deepest value whose gradient is wrong).

Run ``python -m tests.fuzz --n 10000 [--seed S] [--show K]``: the match rate and the failing programs grouped
by class. ``tests/test_fuzz.py`` runs a fixed-seed slice in CI.
"""
from __future__ import annotations

import argparse
import collections
import re
import traceback
import warnings
from dataclasses import dataclass, field

import numpy as np

from tests.fuzz_ops import GENERATORS, Gen, Input


@dataclass
class Program:
    seed: int
    inputs: dict = field(default_factory=dict)   # name -> Input
    steps: list = field(default_factory=list)    # (name, expression, op label)
    raises: type | None = None                   # torch's exception type at the last step, if any
    raises_msg: str = ""

    def text(self) -> str:
        lines = [f"# seed {self.seed}"]
        lines += [f"{name} = {inp.describe()}" for name, inp in self.inputs.items()]
        lines += [f"{name} = {expr}" for name, expr, _ in self.steps]
        if self.raises is not None:
            lines.append(f"# torch raises {self.raises.__name__} at the last step: {self.raises_msg[:120]}")
        return "\n".join(lines)


def _libs():
    import torch
    import torch.nn.functional as tF

    import ember
    import ember.nn.functional as eF

    return {"torch": (torch, tF), "ember": (ember, eF)}


def _builtin_base(exc_type: type) -> type:
    """The first built-in class in the MRO (torch's OutOfMemoryError or _LinAlgError -> RuntimeError)."""
    for c in exc_type.__mro__:
        if c.__module__ == "builtins":
            return c
    return Exception


# ---------------------------------------------------------------------------------------------- generation

def generate(seed: int) -> Program:
    """One random program, shaped by running it on torch as it is drawn."""
    import torch

    T, F = _libs()["torch"]
    rng = np.random.default_rng(seed)
    prog = Program(seed)
    env = {"T": T, "F": F}
    gen = Gen(rng, env, prog.inputs)
    for _ in range(rng.integers(1, 4)):
        gen.new_input()
    n_steps = int(rng.integers(3, 9))
    names = list(GENERATORS)
    weights = np.array([GENERATORS[n][1] for n in names], dtype=float)
    weights /= weights.sum()
    tries = 0
    while len(prog.steps) < n_steps and tries < 60:
        tries += 1
        label = names[rng.choice(len(names), p=weights)]
        try:
            drawn = GENERATORS[label][0](gen)
        except (ValueError, IndexError, ZeroDivisionError):  # a draw that does not fit a zero-size value
            gen.drop_pending()
            continue
        if drawn is None:
            continue
        name = f"v{len(prog.steps) + len(prog.inputs)}"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = eval(drawn, env)  # noqa: S307 - our own generated expression
        except Exception as e:  # noqa: BLE001 - torch's verdict is part of the program
            if rng.random() < 0.8:  # most invalid draws are dropped, some kept as error programs
                gen.drop_pending()
                continue
            gen.commit_pending()
            prog.steps.append((name, drawn, label))
            prog.raises, prog.raises_msg = type(e), str(e).splitlines()[0] if str(e) else ""
            return prog
        if not isinstance(value, torch.Tensor):
            gen.drop_pending()
            continue
        gen.commit_pending()
        env[name] = value
        gen.values.append(name)
        prog.steps.append((name, drawn, label))
    return prog


# ----------------------------------------------------------------------------------------------- execution

@dataclass
class Run:
    values: dict            # name -> np array (or None)
    dtypes: dict            # name -> dtype name
    error: BaseException | None = None
    error_step: int = -1
    grads: dict = field(default_factory=dict)   # name -> (np array or None, dtype name or None)
    backward_error: BaseException | None = None


def _dtype_name(dt) -> str:
    return str(dt).rsplit(".", 1)[-1]


def _to_np(t):
    return t.detach().numpy().copy() if hasattr(t, "detach") else np.asarray(t)


def execute(prog: Program, lib: str) -> Run:
    T, F = _libs()[lib]
    env = {"T": T, "F": F}
    tensors = {}
    for name, inp in prog.inputs.items():
        env[name] = tensors[name] = inp.build(T)
    run = Run({}, {})
    for i, (name, expr, _) in enumerate(prog.steps):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = eval(expr, env)  # noqa: S307
        except Exception as e:  # noqa: BLE001
            run.error, run.error_step = e, i
            return run
        env[name] = tensors[name] = value
        try:
            run.values[name] = _to_np(value)
            run.dtypes[name] = _dtype_name(value.dtype)
        except Exception as e:  # noqa: BLE001 - e.g. an output that is not a Tensor
            run.error, run.error_step = e, i
            return run
    _backward(prog, T, env, tensors, run)
    return run


def _backward(prog: Program, T, env: dict, tensors: dict, run: Run) -> None:
    """sum_k (v_k * w_k).sum() over the values no later step reads, w_k fixed per program; then compare
    every tensor's .grad (inputs, parameters and the retained grads of the steps)."""
    used = set()
    for _, expr, _ in prog.steps:
        used.update(re.findall(r"\b[vp]\d+\b", expr))
    rng = np.random.default_rng(prog.seed + 1)
    loss = None
    for name, t in tensors.items():
        if not getattr(t, "requires_grad", False):
            continue
        if not t.is_leaf:
            t.retain_grad()
        if name in used or name in prog.inputs:
            continue
        w = T.from_numpy(rng.standard_normal(tuple(t.shape)).astype(_np_dtype(t.dtype)))
        term = (t * w).sum()
        loss = term if loss is None else loss + term
    if loss is None:
        return
    try:
        loss.backward()
    except Exception as e:  # noqa: BLE001
        run.backward_error = e
        return
    for name, t in tensors.items():
        if getattr(t, "requires_grad", False):
            g = t.grad
            try:
                run.grads[name] = (None, None) if g is None else (_to_np(g), _dtype_name(g.dtype))
            except Exception as e:  # noqa: BLE001 - e.g. a 0-d grad held as a NumPy scalar
                run.grads[name] = (e, None)


def _np_dtype(dt) -> type:
    return {"float32": np.float32, "float64": np.float64, "float16": np.float16}.get(_dtype_name(dt), np.float64)


# ---------------------------------------------------------------------------------------------- comparison

def _close(a: np.ndarray, b: np.ndarray, loose: bool) -> bool:
    if a.shape != b.shape:
        return False
    if a.dtype.kind in "biu" or b.dtype.kind in "biu":
        return np.array_equal(a, b)
    rtol, atol = (2e-3, 1e-4) if loose else (1e-6, 1e-9)
    finite = np.abs(b[np.isfinite(b)])
    scale = max(1.0, float(finite.max())) if finite.size else 1.0
    with np.errstate(invalid="ignore"):
        return bool(np.allclose(a, b, rtol=rtol, atol=atol * scale, equal_nan=True))


def compare(prog: Program, ours: Run, ref: Run) -> str | None:
    """None when ember matches torch, else the failure class: '<op>: <what differed>'."""
    loose = any(inp.dtype == "float32" for inp in prog.inputs.values()) or any(
        "float32" in expr or ".float()" in expr for _, expr, _ in prog.steps)
    labels = {name: label for name, _, label in prog.steps}
    if ref.error is not None:
        label = prog.steps[ref.error_step][2]
        if ours.error is None:
            return f"{label}: torch raises {_builtin_base(type(ref.error)).__name__}, ember does not"
        if ours.error_step < ref.error_step:
            return f"{prog.steps[ours.error_step][2]}: ember raises {type(ours.error).__name__} (torch does not)"
        if not isinstance(ours.error, _builtin_base(type(ref.error))):
            return (f"{label}: exception type {type(ours.error).__name__} "
                    f"(torch {_builtin_base(type(ref.error)).__name__})")
        return None
    if ours.error is not None:
        return f"{prog.steps[ours.error_step][2]}: ember raises {type(ours.error).__name__} (torch does not)"
    for name, _, label in prog.steps:
        a, b = ours.values[name], ref.values[name]
        if a.shape != b.shape:
            return f"{label}: shape"
        if ours.dtypes[name] != ref.dtypes[name]:
            return f"{label}: dtype"
        if not _close(a, b, loose):
            return f"{label}: value"
    if ref.backward_error is not None or ours.backward_error is not None:
        if ours.backward_error is None:
            return "backward: torch raises, ember does not"
        if ref.backward_error is None:
            return f"backward: ember raises {type(ours.backward_error).__name__}"
        return None
    return _compare_grads(prog, ours, ref, labels, loose)


def _compare_grads(prog: Program, ours: Run, ref: Run, labels: dict, loose: bool) -> str | None:
    order = list(prog.inputs) + [name for name, _, _ in prog.steps]
    bad = []
    for name in order:
        if name not in ref.grads and name not in ours.grads:
            continue
        ga, da = ours.grads.get(name, (None, None))
        gb, db = ref.grads.get(name, (None, None))
        if isinstance(ga, Exception):
            bad.append((name, f"grad unreadable ({type(ga).__name__})"))
        elif (ga is None) != (gb is None):
            bad.append((name, "grad is None" if ga is None else "grad where torch has None"))
        elif ga is None:
            continue
        elif da != db:
            bad.append((name, "grad dtype"))
        elif not _close(ga, gb, loose):
            bad.append((name, "grad value"))
    if not bad:
        return None
    name, what = bad[-1]  # the deepest wrong gradient: the ops that read it computed it
    consumers = [label for n, expr, label in prog.steps if re.search(rf"\b{name}\b", expr)]
    culprit = "/".join(sorted(set(consumers))) if consumers else f"loss on {labels.get(name, 'input')}"
    return f"{culprit}: {what}"


def check(seed: int) -> tuple[Program, str | None]:
    prog = generate(seed)
    ref = execute(prog, "torch")
    try:
        ours = execute(prog, "ember")
    except Exception as e:  # noqa: BLE001 - a crash of the harness on ember's side is a failure too
        return prog, f"harness: {type(e).__name__}: {traceback.format_exception_only(e)[-1].strip()[:80]}"
    return prog, compare(prog, ours, ref)


def main(argv: list | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=1000, help="number of programs")
    p.add_argument("--seed", type=int, default=0, help="first seed (programs use seed, seed+1, ...)")
    p.add_argument("--show", type=int, default=1, help="programs printed per failure class")
    a = p.parse_args(argv)
    failures = collections.defaultdict(list)
    warnings.simplefilter("ignore")  # NaN/inf arithmetic is part of the programs
    np.seterr(all="ignore")
    for seed in range(a.seed, a.seed + a.n):
        prog, verdict = check(seed)
        if verdict is not None:
            failures[verdict].append(prog)
    n_bad = sum(len(v) for v in failures.values())
    print(f"match rate: {a.n - n_bad}/{a.n} = {100 * (a.n - n_bad) / a.n:.2f} % (seeds {a.seed}..{a.seed + a.n - 1})")
    for verdict, progs in sorted(failures.items(), key=lambda kv: -len(kv[1])):
        print(f"\n== {len(progs)} x {verdict}   seeds {[q.seed for q in progs[:10]]}")
        for q in progs[:a.show]:
            print(q.text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
