"""``kernels.SERIAL_BELOW``: below it the pooling, batch-norm and sigmoid kernels run NumPy's single-threaded
reference instead of an OpenMP region (oneDNN's or numba's); at and above it the kernel set and library run as
before. Both sides are compared with torch through the ops, values and gradients."""
from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.backends import kernels, kernels_numpy

torch = pytest.importorskip("torch")
TF = torch.nn.functional


@pytest.fixture
def default_bound(monkeypatch):
    """The shipped bound (conftest sets 0 for every other test), and a record of which kernels ran."""
    monkeypatch.setattr(kernels, "SERIAL_BELOW", 1 << 14)
    monkeypatch.setattr(kernels, "_chained", {})
    ran = []
    for name in kernels.SERIAL:
        real = getattr(kernels_numpy, name)

        def spy(*args, _real=real, _name=name):
            ran.append(_name)
            return _real(*args)
        monkeypatch.setattr(kernels_numpy, name, spy)
    return ran


def _program(lib, F_, x, w, b):
    """sigmoid -> batch norm (training) -> max pool -> avg pool, and the gradients of all inputs."""
    y = F_.batch_norm(lib.sigmoid(x), None, None, w, b, training=True)
    y = F_.avg_pool2d(F_.max_pool2d(y, 2), 2)
    (y * y).sum().backward()
    return y


@pytest.mark.parametrize("shape, small", [((1, 6, 28, 28), True), ((4, 16, 16, 16), False)])
def test_small_arrays_run_the_reference_and_match_torch(default_bound, shape, small):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(shape).astype(np.float32), rng.standard_normal(shape[1]).astype(np.float32),
              rng.standard_normal(shape[1]).astype(np.float32)]
    e = [ember.tensor(a, requires_grad=True) for a in arrays]
    t = [torch.tensor(a, requires_grad=True) for a in arrays]
    ye, yt = _program(ember, F, *e), _program(torch, TF, *t)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-5)
    for a, b in zip(e, t):
        assert a.grad.dtype == ember.float32
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-4, atol=1e-4)
    parallel = kernels.current() != "numpy" or kernels.library() is not None
    if small:
        assert {"sigmoid", "batch_norm_train", "max_pool", "window_sum"} <= set(default_bound)
    elif parallel:  # every array is at least 2^14 elements: no reference call when a faster set is on
        assert not {"sigmoid", "batch_norm_train", "batch_norm_backward"} & set(default_bound)


def test_bound_is_read_per_call(default_bound, monkeypatch):
    x = np.random.default_rng(1).standard_normal(100).astype(np.float32)
    kernels.sigmoid(x)
    assert default_bound == ["sigmoid"]
    monkeypatch.setattr(kernels, "SERIAL_BELOW", 0)
    default_bound.clear()
    np.testing.assert_allclose(kernels.sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-6)
    assert default_bound == ([] if kernels.current() != "numpy" or kernels.library() else ["sigmoid"])
