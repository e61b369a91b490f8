"""Hypothesis property tests: random chains of views and in-place ops behave exactly as in torch
(values, shapes, strides, storage sharing, and gradients through them)."""
from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch", reason="torch is the test oracle (pip install -e '.[test]')")
hyp = pytest.importorskip("hypothesis", reason="property tests need hypothesis (the test extra)")
st = hyp.strategies
given, settings = hyp.given, hyp.settings


def _strides(t):
    """Strides of the dims longer than 1 (a size-1 dim's stride is never used to address memory,
    and NumPy and torch pick different placeholder values for it)."""
    return tuple(s for s, n in zip(t.stride(), t.shape) if n > 1)


def _apply(step, t):
    """One view step, valid for any tensor of >= 1 dim; returns None when not applicable."""
    kind, k = step
    nd = t.dim()
    if nd == 0:
        return t.unsqueeze(0)
    d = k % nd
    if kind == "transpose":
        return t.transpose(d, (d + 1) % nd)
    if kind == "unsqueeze":
        return t.unsqueeze(k % (nd + 1)) if nd < 5 else t
    if kind == "squeeze":
        return t.squeeze()
    if kind == "narrow":
        n = t.shape[d]
        return t.narrow(d, k % n, max(1, n - k % n)) if n else t
    if kind == "slice":
        key = [slice(None)] * nd
        key[d] = slice(None, None, 2)
        return t[tuple(key)]
    if kind == "select":
        return t.select(d, k % t.shape[d]) if t.shape[d] and nd > 1 else t
    if kind == "permute":
        order = list(range(nd))[::-1]
        return t.permute(*order)
    if kind == "flatten":
        return t.flatten() if t.is_contiguous() else t
    if kind == "expand":
        return t.unsqueeze(0).expand(2, *t.shape) if nd < 5 else t
    if kind == "diagonal":
        return t.diagonal(0, 0, 1) if nd >= 2 else t
    return t


steps = st.lists(st.tuples(st.sampled_from(["transpose", "unsqueeze", "squeeze", "narrow", "slice", "select",
                                            "permute", "flatten", "expand", "diagonal"]),
                           st.integers(0, 7)), min_size=1, max_size=6)
shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3)


@settings(max_examples=60, deadline=None)
@given(shape=shapes, chain=steps)
def test_view_chains_match_torch(shape, chain):
    base = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    e, t = ember.tensor(base), torch.tensor(base)
    for step in chain:
        e, t = _apply(step, e), _apply(step, t)
        assert tuple(e.shape) == tuple(t.shape)
        assert _strides(e) == _strides(t), step
        assert e.storage_offset() == t.storage_offset()
        assert e.is_contiguous() == t.is_contiguous()
        np.testing.assert_array_equal(e.numpy(), t.numpy())


@settings(max_examples=40, deadline=None)
@given(shape=shapes, chain=steps, value=st.floats(-3, 3, allow_nan=False, width=32))
def test_inplace_through_view_chain_matches_torch(shape, chain, value):
    base = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    e0, t0 = ember.tensor(base), torch.tensor(base)
    e, t = e0, t0
    for step in chain:
        if step[0] == "expand":  # writes through zero strides are refused by both
            continue
        e, t = _apply(step, e), _apply(step, t)
    e.mul_(value).add_(1.0)
    t.mul_(value).add_(1.0)
    np.testing.assert_allclose(e0.numpy(), t0.numpy(), rtol=1e-6)
    assert e0._version == t0._version


@settings(max_examples=40, deadline=None)
@given(shape=shapes, chain=steps, scale=st.floats(0.5, 2.0, width=32))
def test_gradients_through_view_chain_and_inplace_match_torch(shape, chain, scale):
    base = np.linspace(-1, 1, int(np.prod(shape)), dtype=np.float32).reshape(shape)

    def run(m):
        x = m.tensor(base, requires_grad=True)
        y = x * 1.0
        v = y
        for step in chain:
            if step[0] == "expand":
                continue
            v = _apply(step, v)
        v.mul_(scale)
        (y * y).sum().backward()
        return x.grad

    np.testing.assert_allclose(run(ember).numpy(), run(torch).numpy(), rtol=1e-5, atol=1e-6)
