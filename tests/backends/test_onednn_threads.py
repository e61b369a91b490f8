"""oneDNN convolution plans below ``kernels_onednn.SERIAL_MACS`` multiply-adds are built and run on one thread
(no OpenMP region); above it on the pool's. Both against torch (values and all three gradients), and the calling
thread's OpenMP setting is restored after every call."""
from __future__ import annotations

import ctypes

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.backends import kernels

torch = pytest.importorskip("torch")
K = pytest.importorskip("ember.backends.kernels_onednn", reason="oneDNN (libdnnl.so.3) is not installed")
D = K.D


@pytest.fixture
def onednn(monkeypatch):
    before = kernels.library()
    kernels.use_library("onednn")
    monkeypatch.setattr(K, "_plans", {})
    yield
    kernels.use_library(before)


def _conv(lib, F_, x, w, b):
    y = F_.conv2d(x, w, b, padding=1)
    (y * y).sum().backward()
    return y


@pytest.mark.parametrize("bound, one", [(1 << 20, True), (0, False)])
def test_small_convolution_plans_run_on_one_thread(onednn, monkeypatch, bound, one):
    monkeypatch.setattr(K, "SERIAL_MACS", bound)
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in ((1, 3, 12, 12), (6, 3, 3, 3), (6,))]
    omp = ctypes.CDLL("libgomp.so.1")
    threads = omp.omp_get_max_threads()
    e = [ember.tensor(a, requires_grad=True) for a in arrays]
    t = [torch.tensor(a, requires_grad=True) for a in arrays]
    ye, yt = _conv(ember, F, *e), _conv(torch, torch.nn.functional, *t)
    assert omp.omp_get_max_threads() == threads
    (plan,) = K._plans.values()  # 1*6*144*27 = 23k multiply-adds
    assert isinstance(plan.threads, D.Threads) == one
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-5)
    for a, b in zip(e, t):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_threads_context_restores_the_setting():
    omp = ctypes.CDLL("libgomp.so.1")
    before = omp.omp_get_max_threads()
    with D.Threads(1):
        assert omp.omp_get_max_threads() == 1
    assert omp.omp_get_max_threads() == before
    with pytest.raises(ValueError):
        with D.Threads(1):
            raise ValueError("an error inside")
    assert omp.omp_get_max_threads() == before
