"""The Winograd F(2x2, 3x3) path of conv2d (3x3, stride 1, enough tiles and channels) against torch:
values and every gradient in float64 and float32, NCHW and channels-last, odd sizes and each padding;
the transforms of both kernel sets against each other; float64 gradcheck through the path."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.backends import kernels, winograd_numpy
from ember.backends import conv_winograd as _winograd

from tests.nn._conv_helpers import NoGrad, compare, gradcheck, kernel_set  # noqa: F401

torch = pytest.importorskip("torch")

# (N, C, H, W), Cout, padding: each takes the Winograd path (checked in the test)
CASES = [((4, 16, 8, 8), 16, 1), ((4, 16, 9, 7), 20, 1), ((8, 17, 6, 10), 16, 0), ((1, 16, 17, 16), 18, 2),
         ((6, 24, 5, 5), 32, (1, 2))]


@pytest.fixture
def force_winograd(monkeypatch):
    """Send every 3x3 stride-1 conv through Winograd, however small (the size heuristic is tested apart)."""
    calls = []
    real = _winograd.usable

    def usable(xd, wd, stride, dilation, out):
        ok = wd.shape[2:] == (3, 3) and stride == (1, 1) and dilation == (1, 1)
        calls.append(ok)
        return ok

    monkeypatch.setattr(_winograd, "usable", usable)
    yield calls
    assert real is not usable


@pytest.mark.parametrize("xs,cout,pad", CASES)
@pytest.mark.parametrize("bias", [True, False])
def test_winograd_vs_torch_float64(kernel_set, force_winograd, xs, cout, pad, bias):  # noqa: F811
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(xs), rng.standard_normal((cout, xs[1], 3, 3))
    args = (x, w, rng.standard_normal(cout)) if bias else (x, w)
    compare(lambda *a: F.conv2d(*a, padding=pad), lambda *a: torch.nn.functional.conv2d(*a, padding=pad), *args,
            atol=1e-10)
    assert force_winograd == [True]


def test_winograd_float32_and_channels_last(kernel_set, force_winograd):  # noqa: F811
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 32, 12, 12)).astype(np.float32)
    w = (rng.standard_normal((32, 32, 3, 3)) * 0.1).astype(np.float32)
    g = rng.standard_normal((4, 32, 12, 12)).astype(np.float32)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    ty = torch.nn.functional.conv2d(tx, tw, padding=1)
    ty.backward(torch.tensor(g))
    for cl in (False, True):
        ex = ember.tensor(x)
        if cl:
            ex = ex.to(memory_format=ember.channels_last)
        ex.requires_grad_(True)
        ew = ember.tensor(w, requires_grad=True)
        ey = F.conv2d(ex, ew, padding=1)
        assert ey.dtype == ember.float32
        assert ey.is_contiguous(memory_format=ember.channels_last if cl else ember.contiguous_format)
        ey.backward(ember.tensor(g))
        np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), atol=2e-4, rtol=1e-4)
        np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), atol=2e-4, rtol=1e-4)
        np.testing.assert_allclose(ew.grad.numpy(), tw.grad.numpy(), atol=2e-3, rtol=1e-4)
    assert force_winograd == [True, True]


def test_winograd_gradcheck(kernel_set, force_winograd):  # noqa: F811
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((2, 3, 5, 4)), rng.standard_normal((2, 3, 3, 3)), rng.standard_normal(2)
    gradcheck(lambda a, c, d: F.conv2d(a, c, d, padding=1), x, w, b)
    assert force_winograd and all(force_winograd)


@pytest.mark.skipif("numba" not in kernels.available(), reason="numba is not installed (the optional fast extra)")
def test_numba_transforms_equal_reference():
    from ember.backends import winograd_numba as B
    rng = np.random.default_rng(3)
    n, c, h, w, pads = 3, 5, 7, 9, ((1, 1), (0, 0))
    x = rng.standard_normal((n, c, h, w))
    th, tw = winograd_numpy.tiles(h, w - 2)
    v1, v2 = np.empty((16, c, n * th * tw)), np.empty((16, c, n * th * tw))
    np.testing.assert_allclose(B.wino_input(x, pads, th, tw, v1), winograd_numpy.wino_input(x, pads, th, tw, v2))
    dx1, dx2 = np.empty_like(x), np.empty_like(x)
    np.testing.assert_allclose(B.wino_input_grad(v1, pads, th, tw, dx1),
                               winograd_numpy.wino_input_grad(v1, pads, th, tw, dx2), atol=1e-12)
    wt = rng.standard_normal((4, c, 3, 3))
    np.testing.assert_allclose(B.wino_weight(wt), winograd_numpy.wino_weight(wt))
    u = rng.standard_normal((16, 4, c))
    np.testing.assert_allclose(B.wino_weight_grad(u), winograd_numpy.wino_weight_grad(u), atol=1e-12)
    m = rng.standard_normal((16, 4, n * th * tw))
    y1, y2 = np.empty((n, 4, h, w - 2)), np.empty((n, 4, h, w - 2))
    np.testing.assert_allclose(B.wino_output(m, np.arange(4.0), y1), winograd_numpy.wino_output(m, np.arange(4.0), y2))
    np.testing.assert_allclose(B.wino_output_grad(y1, th, tw, np.empty_like(m)),
                               winograd_numpy.wino_output_grad(y1, th, tw, np.empty_like(m)))


@pytest.mark.parametrize("c,hw", [(64, 32), (128, 16), (256, 8), (512, 4)])
def test_resnet_batch64_takes_winograd_batch1_does_not(c, hw):
    w = np.empty((c, c, 3, 3), np.float32)
    assert _winograd.usable(np.empty((64, c, hw, hw), np.float32), w, (1, 1), (1, 1), (hw, hw))
    assert not _winograd.usable(np.empty((1, c, hw, hw), np.float32), w, (1, 1), (1, 1), (hw, hw))


def test_small_problems_keep_im2col():
    assert not _winograd.usable(np.empty((1, 512, 4, 4)), np.empty((512, 512, 3, 3)), (1, 1), (1, 1), (4, 4))
    assert not _winograd.usable(np.empty((64, 3, 32, 32)), np.empty((64, 3, 3, 3)), (1, 1), (1, 1), (32, 32))
    assert not _winograd.usable(np.empty((64, 64, 32, 32)), np.empty((64, 64, 3, 3)), (2, 2), (1, 1), (16, 16))


@pytest.mark.parametrize("xs,stride,path", [((4, 16, 8, 8), 1, "winograd"), ((2, 3, 9, 9), 2, "im2col"),
                                            ((2, 2, 6, 6), 1, "direct")])
def test_conv_backward_twice_with_retain_graph(request, xs, stride, path):
    """Winograd, im2col and direct paths free their big arrays after backward unless the graph is retained."""
    if path == "winograd":
        request.getfixturevalue("force_winograd")
    rng = np.random.default_rng(4)
    x = ember.tensor(rng.standard_normal(xs).astype(np.float32), requires_grad=True)
    w = ember.tensor(rng.standard_normal((16, xs[1], 3, 3)).astype(np.float32), requires_grad=True)
    loss = F.conv2d(x, w, stride=stride, padding=1).square().sum()
    loss.backward(retain_graph=True)
    first = w.grad.numpy().copy(), x.grad.numpy().copy()
    w.grad = x.grad = None
    loss.backward()
    np.testing.assert_array_equal(w.grad.numpy(), first[0])
    np.testing.assert_array_equal(x.grad.numpy(), first[1])
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()


@pytest.mark.parametrize("xs,cout,stride", [((1, 8, 2, 2), 32, 1), ((2, 6, 4, 4), 40, 2), ((8, 6, 5, 5), 4, 2)])
def test_conv_few_rows_vs_torch(kernel_set, xs, cout, stride):  # noqa: F811
    """Fewer output rows than channels (batch 1 at small sizes): the columns, not the weight, are permuted."""
    rng = np.random.default_rng(5)
    x, w, b = rng.standard_normal(xs), rng.standard_normal((cout, xs[1], 3, 3)), rng.standard_normal(cout)
    compare(lambda *a: F.conv2d(*a, stride=stride, padding=1),
            lambda *a: torch.nn.functional.conv2d(*a, stride=stride, padding=1), x, w, b, atol=1e-10)


@pytest.mark.parametrize("need_x", [True, False])
def test_direct_conv_gradients_vs_torch(kernel_set, need_x):  # noqa: F811
    """Few taps and output channels (LeNet's first conv) take the direct path, input gradient included."""
    rng = np.random.default_rng(6)
    x, w, b = rng.standard_normal((3, 1, 9, 8)), rng.standard_normal((6, 1, 5, 5)), rng.standard_normal(6)
    xa = x if need_x else NoGrad(x)
    compare(lambda *a: F.conv2d(*a, padding=2), lambda *a: torch.nn.functional.conv2d(*a, padding=2), xa, w, b,
            atol=1e-10)


@pytest.mark.parametrize("xs,cout,k", [((1, 8, 2, 2), 32, 3), ((3, 1, 9, 8), 6, 5)])
def test_weight_modified_in_place_before_backward_raises(xs, cout, k):
    """Paths whose backward reads the weight array itself (few rows, direct) check its version, as torch."""
    rng = np.random.default_rng(7)
    x = ember.tensor(rng.standard_normal(xs).astype(np.float32), requires_grad=True)
    w = ember.tensor(rng.standard_normal((cout, xs[1], k, k)).astype(np.float32), requires_grad=True)
    y = F.conv2d(x, w, padding=1).sum()
    with ember.no_grad():
        w.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
