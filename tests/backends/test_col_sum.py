"""The bias-gradient kernel ``col_sum(g, out)``: the rows of a 2-d gradient summed into ``out``, bit for bit NumPy's
``np.sum(g, axis=0)`` in every kernel set (the kernel replay's linear backward uses it where eager mode's ``sum``
runs NumPy's), with NaN, infinities and a column of -0.0; the inputs the compiled kernel leaves to the reference;
the values against torch."""
import numpy as np
import pytest
import torch

from ember.backends import kernels


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(128, 256), (128, 10), (1, 5), (1000, 3), (3, 1), (1000, 1), (0, 4)])
def test_same_bits_as_numpy(dt, shape, kernel_set):
    rng = np.random.default_rng(0)
    g = np.asarray(rng.standard_normal(shape) * 10.0 ** rng.integers(-6, 7, shape), dtype=dt)
    g[:, 0] = -0.0
    if shape[0] and shape[1] > 2:
        g[0, 1], g[-1, 2] = np.nan, np.inf
    out = np.empty(shape[1], dt)
    kernels.col_sum(g, out)
    want = np.sum(g, axis=0)
    np.testing.assert_array_equal(out.view(np.uint8), want.view(np.uint8))
    theirs = torch.from_numpy(g).sum(0).numpy()  # another order: equal within the rounding of the absolute sums
    finite = np.isfinite(theirs)
    np.testing.assert_array_equal(np.isfinite(out), finite)
    tol = (1e-5 if dt == np.float32 else 1e-12) * np.abs(g[:, finite]).sum(0)
    assert np.all(np.abs(out[finite] - theirs[finite]) <= tol)


@pytest.mark.parametrize("case", ["transposed", "float16", "out_float64"])
def test_other_inputs_as_numpy(case, kernel_set):
    g = np.random.default_rng(1).standard_normal((6, 5)).astype(np.float32)
    out_dt = np.float32
    if case == "transposed":
        g = g.T
    elif case == "float16":
        g, out_dt = g.astype(np.float16), np.float16
    else:
        out_dt = np.float64
    out = np.full(g.shape[1], 7, out_dt)
    kernels.col_sum(g, out)
    np.testing.assert_array_equal(out, np.sum(g, axis=0, dtype=out_dt))
