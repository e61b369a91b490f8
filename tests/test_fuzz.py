"""A fixed-seed slice of the composition fuzz (tests/fuzz.py) in CI: random programs of 3-8 composed ops run
on ember and torch, compared on values, dtypes, shapes, gradients, gradient dtypes and exception types.

Every program of the slice must match, except those whose failure class is one of the explained
differences listed in ``KNOWN`` (each one documented in docs/fidelity.md). ``python -m tests.fuzz --n 10000``
runs the full fuzz and prints the match rate.
"""
from __future__ import annotations

import pytest

from tests import fuzz

pytest.importorskip("torch", reason="torch is the oracle of the fuzz")

CHUNKS, PER_CHUNK, FIRST_SEED = 4, 60, 20_000

# Failure classes that are explained differences, not bugs (docs/fidelity.md, "What the fuzz still finds").
KNOWN: tuple = ()


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_fuzz_slice_matches_torch(chunk):
    start = FIRST_SEED + chunk * PER_CHUNK
    failures = []
    for seed in range(start, start + PER_CHUNK):
        prog, verdict = fuzz.check(seed)
        if verdict is not None and not verdict.startswith(KNOWN):
            failures.append(f"{verdict}\n{prog.text()}")
    assert not failures, f"{len(failures)} of {PER_CHUNK} programs differ from torch:\n\n" + "\n\n".join(failures)


def test_fuzz_detects_a_wrong_gradient(monkeypatch):
    """The harness can fail: a program whose ember gradient is wrong is reported under its op's class."""
    import ember

    prog = fuzz.Program(seed=1)
    gen_inputs = {}
    g = fuzz.Gen(__import__("numpy").random.default_rng(0), {"T": None, "F": None}, gen_inputs)
    prog.inputs = gen_inputs
    x = g.new_input()
    prog.steps = [("v9", f"T.sigmoid({x}) * 1", "pointwise")]
    ref = fuzz.execute(prog, "torch")
    real = ember.sigmoid
    monkeypatch.setattr(ember, "sigmoid", lambda t: real(t).detach() + 0 * t)  # value right, gradient wrong
    ours = fuzz.execute(prog, "ember")
    assert fuzz.compare(prog, ours, ref) == "pointwise: grad value"
