"""float32 convolutions with and without the convolution library (oneDNN when installed) against torch:
values and gradients of conv1d/2d and conv_transpose1d/2d (groups, dilation, padding, stride, layouts)."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.backends import kernels

torch = pytest.importorskip("torch")
tF = torch.nn.functional


@pytest.fixture(params=[None] + kernels.libraries())
def library(request):
    before = kernels.library()
    kernels.use_library(request.param)
    yield request.param
    kernels.use_library(before)


def _run(lib, fn, x, w, b, g, channels_last=False, **kw):
    mod = ember if lib == "ember" else torch
    tx = mod.tensor(x, requires_grad=True)
    if channels_last:
        tx = tx.detach().to(memory_format=mod.channels_last).requires_grad_()
    tw = mod.tensor(w, requires_grad=True)
    tb = None if b is None else mod.tensor(b, requires_grad=True)
    y = fn(tx, tw, tb, **kw)
    y.backward(mod.tensor(g))
    out = [y.detach().numpy(), tx.grad.numpy(), tw.grad.numpy()] + ([] if b is None else [tb.grad.numpy()])
    return out, y


def _compare(efn, tfn, xs, ws, bias=True, channels_last=False, **kw):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    b = rng.standard_normal(ws[1] * kw.get("groups", 1) if efn.__name__.startswith("conv_t") else ws[0]) \
        .astype(np.float32) if bias else None
    ty = tfn(torch.tensor(x), torch.tensor(w), None if b is None else torch.tensor(b), **kw)
    g = rng.standard_normal(tuple(ty.shape)).astype(np.float32)
    ours, ey = _run("ember", efn, x, w, b, g, channels_last, **kw)
    theirs, _ = _run("torch", tfn, x, w, b, g, channels_last, **kw)
    for a, t in zip(ours, theirs):
        assert a.dtype == np.float32 and a.shape == t.shape
        np.testing.assert_allclose(a, t, rtol=1e-4, atol=1e-4 * max(1.0, np.abs(t).max()))
    return ey


CONV2D = [
    ((2, 3, 9, 9), (4, 3, 3, 3), dict(padding=1)),
    ((2, 4, 9, 8), (6, 2, 3, 3), dict(stride=(2, 1), padding=(1, 2), dilation=(2, 1), groups=2)),
    ((2, 4, 7, 7), (4, 1, 3, 3), dict(padding=1, groups=4)),                   # depthwise
    ((3, 1, 12, 12), (6, 1, 5, 5), dict(padding=2)),                           # LeNet's first
    ((2, 6, 8, 8), (8, 6, 4, 4), dict(padding="same", dilation=2)),            # asymmetric padding
    ((1, 16, 6, 6), (32, 16, 1, 1), dict(stride=2)),
]


@pytest.mark.parametrize("xs,ws,kw", CONV2D)
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_float32_vs_torch(library, xs, ws, kw, bias):
    _compare(F.conv2d, tF.conv2d, xs, ws, bias, **kw)


def test_conv2d_channels_last_vs_torch(library):
    y = _compare(F.conv2d, tF.conv2d, (2, 8, 6, 6), (16, 8, 3, 3), channels_last=True, padding=1)
    assert y.is_contiguous(memory_format=ember.channels_last)


@pytest.mark.parametrize("kw", [dict(padding=2, stride=2), dict(dilation=3, groups=2, padding="same")])
def test_conv1d_float32_vs_torch(library, kw):
    _compare(F.conv1d, tF.conv1d, (3, 4, 20), (6, 2 if kw.get("groups") else 4, 5), **kw)


@pytest.mark.parametrize("xs,ws,kw", [
    ((2, 4, 5, 5), (4, 3, 3, 3), dict(stride=2, padding=1, output_padding=1)),
    ((2, 4, 5, 6), (4, 2, 3, 2), dict(stride=(1, 2), groups=2, dilation=(2, 1))),
    ((2, 3, 4, 4), (3, 2, 3, 3), dict(stride=1, dilation=3, output_padding=2)),  # output_padding >= stride
])
def test_conv_transpose2d_float32_vs_torch(library, xs, ws, kw):
    _compare(F.conv_transpose2d, tF.conv_transpose2d, xs, ws, **kw)


def test_conv_transpose1d_float32_vs_torch(library):
    _compare(F.conv_transpose1d, tF.conv_transpose1d, (2, 4, 9), (4, 3, 4), stride=3, padding=1)


def test_library_runs_float32_only():
    """oneDNN takes float32 1-d/2-d convolutions; float64 and 3-d ones it leaves to ember's own kernels."""
    onednn = pytest.importorskip("ember.backends.kernels_onednn", reason="oneDNN is not installed (the onednn extra)")
    w = np.zeros((2, 3, 3, 3), np.float32)
    x = np.zeros((1, 3, 5, 5), np.float32)
    geom = ((1, 1), ((0, 0),) * 2, (1, 1), 1, (True, True))
    assert onednn.conv_forward(x, w, None, *geom) is not None
    assert onednn.conv_forward(x.astype(np.float64), w.astype(np.float64), None, *geom) is None
    assert onednn.conv_forward(x[None], w[None], None, (1,) * 3, ((0, 0),) * 3, (1,) * 3, 1, (True, True)) is None


def test_library_inplace_input_and_retain_graph(library):
    """Backward checks the saved input's version (torch's error) and can run twice under retain_graph."""
    x = ember.randn(2, 3, 6, 6, requires_grad=True)
    w = ember.randn(4, 3, 3, 3, requires_grad=True)
    h = x * 1
    y = F.conv2d(h, w)
    y.sum().backward(retain_graph=True)
    first = w.grad.clone()
    y.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * first.numpy(), rtol=1e-5)
    w2 = w * 1
    y = F.conv2d(x * 1, w2)
    w2.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    if library is not None:  # the library path keeps the input itself: its version is checked too
        h = x * 1
        y = F.conv2d(h, w)
        h.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


# ---------------------------------------------------------------- per-channel and elementwise kernels
def _fwd_bwd(efn, tfn, *arrays, rtol=1e-4):
    """float32 outputs and input gradients of efn and tfn on the same arrays agree."""
    rng = np.random.default_rng(5)
    ex = [ember.tensor(a, requires_grad=True) for a in arrays]
    tx = [torch.tensor(a, requires_grad=True) for a in arrays]
    ey, ty = efn(*ex), tfn(*tx)
    g = rng.standard_normal(tuple(ty.shape)).astype(np.float32)
    ey.backward(ember.tensor(g))
    ty.backward(torch.tensor(g))
    assert ey.dtype == ember.float32
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), rtol=rtol, atol=rtol)
    for e, t in zip(ex, tx):
        assert e.grad.dtype == ember.float32
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=rtol * max(1, t.grad.abs().max()))


@pytest.mark.parametrize("shape", [(8, 6, 5, 7), (16, 4, 9), (1, 3, 2, 2)])
def test_batch_norm_train_float32_vs_torch(library, shape):
    rng = np.random.default_rng(3)
    x = (rng.standard_normal(shape) * 3 + 1).astype(np.float32)
    w, b = rng.standard_normal(shape[1]).astype(np.float32), rng.standard_normal(shape[1]).astype(np.float32)
    rm_e, rv_e = ember.zeros(shape[1]), ember.ones(shape[1])
    rm_t, rv_t = torch.zeros(shape[1]), torch.ones(shape[1])
    _fwd_bwd(lambda a, c, d: F.batch_norm(a, rm_e, rv_e, c, d, training=True),
             lambda a, c, d: tF.batch_norm(a, rm_t, rv_t, c, d, training=True), x, w, b)
    np.testing.assert_allclose(rm_e.numpy(), rm_t.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(rv_e.numpy(), rv_t.numpy(), rtol=1e-5, atol=1e-6)


def test_batch_norm_eval_sigmoid_avg_pool_float32_vs_torch(library):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((4, 6, 10, 10)).astype(np.float32)
    rm, rv = rng.standard_normal(6).astype(np.float32), rng.uniform(0.5, 2, 6).astype(np.float32)
    w, b = rng.standard_normal(6).astype(np.float32), rng.standard_normal(6).astype(np.float32)
    _fwd_bwd(lambda a, c, d: F.batch_norm(a, ember.tensor(rm), ember.tensor(rv), c, d, training=False),
             lambda a, c, d: tF.batch_norm(a, torch.tensor(rm), torch.tensor(rv), c, d, training=False), x, w, b)
    _fwd_bwd(ember.sigmoid, torch.sigmoid, x)
    for kw in (dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
               dict(kernel_size=(3, 2), stride=(3, 1), ceil_mode=True)):
        _fwd_bwd(lambda a: F.avg_pool2d(a, **kw), lambda a: tF.avg_pool2d(a, **kw), x)
    _fwd_bwd(lambda a: F.avg_pool2d(a[:, :, ::2], 2), lambda a: tF.avg_pool2d(a[:, :, ::2], 2), x)  # a view
    _fwd_bwd(lambda a: F.avg_pool1d(a, 3, 2), lambda a: tF.avg_pool1d(a, 3, 2), x[0])
