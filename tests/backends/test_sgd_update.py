"""The SGD update kernel ``sgd_update(p, g, lr)``: p -= lr * g in place, bit for bit NumPy's two passes (a Python
float lr cast to p's dtype, the product rounded before the difference) in every kernel set, float32 and float64, with
NaN, infinities, signed zeros and subnormals; the inputs the compiled kernel leaves to the reference; and SGD against
torch."""
import numpy as np
import pytest
import torch

import ember
from ember.backends import kernels


def _special(rng, shape, dt):
    a = np.asarray(rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 4, shape), dtype=dt)
    flat = a.reshape(-1)
    tiny = np.finfo(dt).smallest_subnormal
    flat[:8] = [np.nan, np.inf, -np.inf, 0.0, -0.0, tiny, -tiny, np.finfo(dt).max][:flat.size]
    return a


def _bits(a):
    return a.view(np.int32 if a.dtype == np.float32 else np.int64)


@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(256, 300), (1 << 16,), (37, 53), ()])  # the first two: numba's
@pytest.mark.parametrize("lr", [0.01, 0.1, 1e-3, 3.0, 1.0 / 3.0])
def test_same_bits_as_numpy(dt, shape, lr, kernel_set):
    rng = np.random.default_rng(0)
    p, g = _special(rng, shape, dt), _special(rng, shape, dt).reshape(-1)[::-1].reshape(shape).copy()
    want = p.copy()
    with np.errstate(all="ignore"):
        want -= lr * g  # the definition
        q = p.copy()
        assert kernels.sgd_update(q, g, lr) is None
    np.testing.assert_array_equal(_bits(q), _bits(want))


@pytest.mark.parametrize("case", ["transposed", "float16", "int_lr", "broadcast"])
def test_other_inputs_as_numpy(case, kernel_set):
    rng = np.random.default_rng(1)
    shape = (300, 256)  # above kernels_numba.SGD_MIN
    p, g, lr = rng.standard_normal(shape).astype(np.float32), rng.standard_normal(shape).astype(np.float32), 0.1
    if case == "transposed":
        p, g = p.T, g.T.copy()
    elif case == "float16":
        p, g = p.astype(np.float16), g.astype(np.float16)
    elif case == "int_lr":
        lr = 2
    else:
        g = g[:1]
    want = p.copy()
    want -= lr * g
    kernels.sgd_update(p, g, lr)
    np.testing.assert_array_equal(p, want)


def test_sgd_matches_torch(kernel_set):
    rng = np.random.default_rng(2)
    w0 = rng.standard_normal((40, 30)).astype(np.float32)
    x = rng.standard_normal((8, 30)).astype(np.float32)
    we, wt = ember.tensor(w0.copy(), requires_grad=True), torch.tensor(w0.copy(), requires_grad=True)
    oe, ot = ember.optim.SGD([we], lr=0.05), torch.optim.SGD([wt], lr=0.05)
    for _ in range(3):
        (ember.tensor(x) @ we.t()).pow(2).mean().backward()
        (torch.from_numpy(x) @ wt.t()).pow(2).mean().backward()
        oe.step(), ot.step()
        oe.zero_grad(), ot.zero_grad()
    np.testing.assert_allclose(we.detach().numpy(), wt.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.skipif("numba" not in kernels.available(), reason="numba is not installed")
def test_small_parameters_keep_numpy(monkeypatch):
    """Below SGD_MIN elements the numba set's update is NumPy's: a run with only small parameters never pays a
    process's first numba call (about 0.3 s)."""
    from ember.backends import kernels_numba

    def compiled(*args):
        raise AssertionError("the compiled update ran")
    monkeypatch.setattr(kernels_numba, "_sgd_update", compiled)
    small = np.ones(kernels_numba.SGD_MIN - 1, np.float32)
    kernels_numba.sgd_update(small, small.copy(), 0.5)
    np.testing.assert_array_equal(small, 0.5)
    with pytest.raises(AssertionError, match="compiled update"):
        big = np.ones(kernels_numba.SGD_MIN, np.float32)
        kernels_numba.sgd_update(big, big.copy(), 0.5)
