"""One kernel switch: every kernel the numba set has, the NumPy reference set has too, with the same contract,
and both give the same results (the ops are also compared with torch under both sets, in tests/nn)."""
from __future__ import annotations

import numpy as np
import pytest

from ember.backends import kernels_numpy as ref

nb = pytest.importorskip("ember.backends.kernels_numba", reason="numba is not installed: only the reference set runs")


def _public(mod) -> set:
    return {n for n, v in vars(mod).items() if callable(v) and not n.startswith("_")
            and getattr(v, "__module__", mod.__name__) in (mod.__name__, "ember.backends.kernels_seq_numba")}


def test_every_numba_kernel_has_a_reference():
    missing = sorted(_public(nb) - set(dir(ref)))
    assert not missing, f"numba kernels without a NumPy reference in kernels_numpy: {missing}"


@pytest.mark.parametrize("dtype, tol", [("float32", 2e-6), ("float64", 1e-12)])
def test_lstm_cell_kernels_agree(dtype, tol):
    rng = np.random.default_rng(0)
    b, h = 3, 5
    g0, rec = rng.standard_normal((b, 4 * h)).astype(dtype), rng.standard_normal((b, 4 * h)).astype(dtype)
    c0 = rng.standard_normal((b, h)).astype(dtype)
    dh, gout = rng.standard_normal((b, h)).astype(dtype), rng.standard_normal((b, h)).astype(dtype)
    outs = []
    for mod in (ref, nb):
        g, c = g0.copy(), c0.copy()
        cprev, tc, hr = (np.empty((b, h), dtype) for _ in range(3))
        mod.lstm_cell_forward(g, rec, c, cprev, tc, hr)
        dc, dg = np.ones((b, h), dtype), np.empty((b, 4 * h), dtype)
        mod.lstm_cell_backward(dh, gout, True, g, tc, cprev, dc, dg)
        outs.append((g, c, cprev, tc, hr, dc, dg))
    for a, b_ in zip(*outs):
        np.testing.assert_allclose(a, b_, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype, tol", [("float32", 1e-5), ("float64", 1e-12)])
def test_norm_kernels_agree(dtype, tol):
    rng = np.random.default_rng(1)
    x, g = rng.standard_normal((4, 3, 5, 2)).astype(dtype), rng.standard_normal((4, 3, 5, 2)).astype(dtype)
    w, b = rng.standard_normal(3).astype(dtype), rng.standard_normal(3).astype(dtype)
    for r, n in zip(ref.batch_norm_train(x, w, b, 1e-5), nb.batch_norm_train(x, w, b, 1e-5)):
        np.testing.assert_allclose(r, n, rtol=tol, atol=tol)
    xhat = ref.batch_norm_train(x, w, b, 1e-5)[1]
    for r, n in zip(ref.batch_norm_backward(g, xhat, w), nb.batch_norm_backward(g, xhat, w)):
        np.testing.assert_allclose(r, n, rtol=tol, atol=tol * 10)
    x2, g2 = x.reshape(-1, 2).copy(), g.reshape(-1, 2).copy()
    w2, b2 = w[:2].copy(), b[:2].copy()
    res = []
    for mod in (ref, nb):
        y, xh, inv = np.empty_like(x2), np.empty_like(x2), np.empty(x2.shape[0], dtype)
        mod.layer_norm_forward(x2, w2, b2, 1e-5, y, xh, inv)
        dx, dw, db = np.empty_like(x2), np.empty_like(w2), np.empty_like(w2)
        mod.layer_norm_backward(g2, xh, inv, w2, dx, dw, db)
        res.append((y, xh, inv, dx, dw, db))
    for a, b_ in zip(*res):
        np.testing.assert_allclose(a, b_, rtol=tol, atol=tol * 10)


def test_uncovered_inputs_go_to_the_reference():
    """The numba set answers every call (the op never learns which set ran): integer relu, float16 sigmoid."""
    x = np.array([-2, 0, 3], np.int64)
    np.testing.assert_array_equal(nb.relu(x), ref.relu(x))
    y, g = np.array([0.25, 0.5], np.float16), np.array([1.0, 2.0], np.float16)
    np.testing.assert_array_equal(nb.sigmoid_backward(g, y), ref.sigmoid_backward(g, y))
