"""The convolution backward op (ConvBackward): double backward of every conv path against torch."""
import numpy as np
import pytest

import ember
import ember.nn.functional as EF
from ember.backends import kernels

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402

# (name, x shape, w shape, kwargs): each case reaches one kernel path of ember's float32 convolution
CASES = [
    ("conv2d", (2, 8, 10, 10), (8, 8, 3, 3), {"padding": 1}),                    # Winograd (3x3 stride 1)
    ("conv2d", (2, 1, 9, 9), (6, 1, 5, 5), {}),                                  # direct (few taps, LeNet)
    ("conv2d", (3, 6, 9, 9), (10, 6, 3, 3), {"stride": 2, "padding": 1}),        # im2col, rows >= Cout
    ("conv2d", (1, 6, 3, 3), (40, 6, 3, 3), {"padding": 1}),                     # im2col, few rows
    ("conv2d", (2, 6, 9, 9), (6, 2, 3, 3), {"groups": 3, "dilation": 2}),        # grouped
    ("conv1d", (2, 3, 11), (4, 3, 3), {"stride": 2, "padding": 2, "dilation": 2}),
    ("conv3d", (1, 2, 4, 4, 4), (3, 2, 2, 2, 2), {"padding": 1}),
    ("conv_transpose2d", (2, 4, 4, 4), (4, 3, 3, 3), {"stride": 2, "output_padding": 1}),
    ("conv_transpose1d", (2, 4, 5), (4, 2, 3), {"stride": 2, "groups": 2, "dilation": 2}),
]


def _second_grads(lib, fn, arrs, kw):
    x, w, b = (lib.tensor(a, requires_grad=True) for a in arrs)
    y = fn(x, w, b, **kw)
    gx, gw, gb = lib.autograd.grad((y * y).sum(), (x, w, b), create_graph=True)
    total = (gx ** 2).sum() + (gw * gw.detach()).sum() + (gb ** 2).sum()
    return [t.detach().numpy() for t in lib.autograd.grad(total, (x, w, b))]


@pytest.fixture(params=[None] + kernels.libraries(), ids=lambda p: p or "ember")
def library(request):
    """ember's own kernels, then oneDNN where installed."""
    before = kernels.library()
    kernels.use_library(request.param)
    yield request.param
    kernels.use_library(before)


@pytest.mark.parametrize("name,xs,ws,kw", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_double_backward_matches_torch(name, xs, ws, kw, library):
    """d/d(x, W, b) of a function of (dx, dW, db), float32: every kernel path records a graph equal to torch's."""
    rng = np.random.default_rng(0)
    cout = ws[1] * kw.get("groups", 1) if "transpose" in name else ws[0]
    arrs = [rng.standard_normal(xs).astype(np.float32), rng.standard_normal(ws).astype(np.float32),
            rng.standard_normal(cout).astype(np.float32)]
    got = _second_grads(ember, getattr(EF, name), arrs, kw)
    want = _second_grads(torch, getattr(TF, name), arrs, kw)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-4 * np.abs(b).max())


def test_third_order_is_recorded():
    """The double backward is itself a ConvBackward node: a third derivative matches torch (float64)."""
    rng = np.random.default_rng(1)
    xa, wa = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))
    res = []
    for lib, fn in ((ember, EF.conv2d), (torch, TF.conv2d)):
        x, w = lib.tensor(xa, requires_grad=True), lib.tensor(wa, requires_grad=True)
        (gx,) = lib.autograd.grad((fn(x, w, padding=1) ** 2).sum(), x, create_graph=True)
        (gw,) = lib.autograd.grad((gx ** 2).sum(), w, create_graph=True)
        assert gx.grad_fn is not None and gw.grad_fn is not None
        res.append(lib.autograd.grad((gw ** 2).sum(), (x, w)))
    for a, b in zip(*res):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-9, atol=1e-9)


def test_backward_twice_raises_as_torch():
    x = ember.randn(1, 2, 5, 5, requires_grad=True)
    y = EF.conv1d(x[0], ember.randn(3, 5, 2, requires_grad=True)).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()
