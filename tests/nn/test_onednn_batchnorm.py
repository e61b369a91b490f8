"""Training batch norm through oneDNN's binary primitive and NumPy's per-channel sums (kernels_onednn_plain)
against torch (values, running statistics, input/weight/bias gradients, layouts) and against the NumPy
reference path of ember (the library off)."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.backends import kernels

torch = pytest.importorskip("torch")
pytest.importorskip("ember.backends.kernels_onednn", reason="oneDNN (libdnnl.so.3) is not installed")
from ember.backends import kernels_onednn_plain as plain  # noqa: E402

tF = torch.nn.functional


@pytest.fixture(params=["onednn", None])
def library(request):
    before = kernels.library()
    kernels.use_library(request.param)
    yield request.param
    kernels.use_library(before)


def _bn(mod, x, stats, affine, channels_last, g_layout):
    x = mod.tensor(x, requires_grad=True)
    xin = x.to(memory_format=mod.channels_last) if channels_last else x
    rm, rv = mod.tensor(stats[0]), mod.tensor(stats[1])
    w = mod.tensor(stats[2], requires_grad=True) if affine else None
    b = mod.tensor(stats[3], requires_grad=True) if affine else None
    y = F.batch_norm(xin, rm, rv, w, b, training=True, momentum=0.2) if mod is ember else \
        tF.batch_norm(xin, rm, rv, w, b, training=True, momentum=0.2)
    g = mod.tensor(g_layout)
    y.backward(g)
    out = [y.detach().numpy(), rm.numpy(), rv.numpy(), x.grad.numpy()]
    if affine:
        out += [w.grad.numpy(), b.grad.numpy()]
    return out, y


@pytest.mark.parametrize("shape", [(4, 3, 5, 6), (3, 4, 7), (2, 3, 2, 3, 4), (8, 16, 4, 4)])
@pytest.mark.parametrize("affine", [True, False])
def test_training_batch_norm_matches_torch(library, shape, affine):
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(shape) * 3 + 2).astype(np.float32)
    c = shape[1]
    stats = [rng.standard_normal(c).astype(np.float32), (rng.random(c) + 0.5).astype(np.float32),
             rng.standard_normal(c).astype(np.float32), rng.standard_normal(c).astype(np.float32)]
    g = rng.standard_normal(shape).astype(np.float32)
    ours, _ = _bn(ember, x, stats, affine, False, g)
    theirs, _ = _bn(torch, x, stats, affine, False, g)
    for a, t in zip(ours, theirs):
        assert a.dtype == np.float32 and a.shape == t.shape
        np.testing.assert_allclose(a, t, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("g_channels_last", [False, True])
def test_channels_last_training_batch_norm(library, g_channels_last):
    rng = np.random.default_rng(1)
    shape = (3, 5, 4, 6)
    x = rng.standard_normal(shape).astype(np.float32)
    stats = [np.zeros(5, np.float32), np.ones(5, np.float32), rng.standard_normal(5).astype(np.float32),
             rng.standard_normal(5).astype(np.float32)]
    g = rng.standard_normal(shape).astype(np.float32)
    if g_channels_last:  # an output gradient in the other layout than x_hat's
        g = np.moveaxis(np.ascontiguousarray(np.moveaxis(g, 1, -1)), -1, 1)
    ours, ey = _bn(ember, x, stats, True, True, g)
    theirs, ty = _bn(torch, x, stats, True, True, g)
    assert ey.is_contiguous(memory_format=ember.channels_last) == ty.is_contiguous(memory_format=torch.channels_last)
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(a, t, rtol=1e-4, atol=1e-4)


def test_kernels_against_numpy_formula():
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((6, 4, 33)) * 5 - 7).astype(np.float32)
    w, b = rng.standard_normal((2, 4)).astype(np.float32)
    y, xhat, mean, var, rstd = plain.batch_norm_train(x, w, b, 1e-5)
    x64 = x.astype(np.float64)
    m64, v64 = x64.mean((0, 2)), x64.var((0, 2))
    xh64 = (x64 - m64[:, None]) / np.sqrt(v64[:, None] + 1e-5)
    np.testing.assert_allclose(mean, m64, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(var, v64, rtol=1e-5)
    np.testing.assert_allclose(xhat, xh64, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(y, xh64 * w[:, None] + b[:, None], rtol=1e-5, atol=1e-5)
    g = rng.standard_normal(x.shape).astype(np.float32)
    scale = (w * rstd).astype(np.float32)
    dx, sum_g, sum_gx = plain.batch_norm_backward(g, xhat, scale)
    g64, m = g.astype(np.float64), x.shape[0] * x.shape[2]
    sg, sgx = g64.sum((0, 2)), (g64 * xh64).sum((0, 2))
    ref = scale[:, None] * (g64 - sg[:, None] / m - xh64 * sgx[:, None] / m)
    np.testing.assert_allclose(sum_g, sg, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(sum_gx, sgx, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(dx, ref, rtol=1e-4, atol=1e-5)


def test_not_covered():
    s = np.ones(3, np.float32)
    assert plain.batch_norm_train(np.ones((2, 3, 4)), s, s, 1e-5) is None  # float64
    assert plain.batch_norm_train(np.ones((2, 3, 8), np.float32)[:, :, ::2], s, s, 1e-5) is None
    xh = np.ones((2, 3, 4), np.float32)
    assert plain.batch_norm_backward(np.ones((2, 3, 5), np.float32), xh, s) is None


@pytest.mark.parametrize("shape", [(3, 2, 1, 1), (3, 2, 1), (5, 4, 1, 1)])
def test_one_value_per_sample_and_channel_as_torch(shape):
    """found by the composition fuzz: the oneDNN binary kernels gave wrong values (errors up to 2.4) on (N, C, 1, 1)
    inputs, where NCHW and channels-last coincide; they are not used there now (the kernel sets are)."""
    rng = np.random.default_rng(3)
    x, w, b = (rng.standard_normal(s).astype(np.float32) for s in (shape, shape[1:2], shape[1:2]))
    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ey = ember.nn.functional.batch_norm(ex, None, None, ember.tensor(w), ember.tensor(b), training=True)
    ty = torch.nn.functional.batch_norm(tx, None, None, torch.tensor(w), torch.tensor(b), training=True)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=1e-5, atol=1e-5)
    g = rng.standard_normal(shape).astype(np.float32)
    ey.backward(ember.tensor(g)), ty.backward(torch.tensor(g))
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-4)
