"""roi_align / roi_pool against NumPy references written point by point from the papers' definitions
(Mask R-CNN's bilinear sampling with torchvision's border rules; Fast R-CNN's max over quantised bins),
hand-computed cases, and gradients by finite differences."""
import math

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck
from ember.vision import ops


def bilinear(img, y, x):
    h, w = img.shape
    if y < -1.0 or y > h or x < -1.0 or x > w:
        return 0.0
    y, x = max(y, 0.0), max(x, 0.0)
    y0, x0 = int(y), int(x)
    y1, x1 = y0 + 1, x0 + 1
    if y0 >= h - 1:
        y0 = y1 = h - 1
        y = float(y0)
    if x0 >= w - 1:
        x0 = x1 = w - 1
        x = float(x0)
    ly, lx = y - y0, x - x0
    return ((1 - ly) * (1 - lx) * img[y0, x0] + (1 - ly) * lx * img[y0, x1]
            + ly * (1 - lx) * img[y1, x0] + ly * lx * img[y1, x1])


def ref_roi_align(x, rois, ph, pw, scale, sr, aligned):
    out = np.zeros((len(rois), x.shape[1], ph, pw))
    off = 0.5 if aligned else 0.0
    for k, (b, x1, y1, x2, y2) in enumerate(rois):
        sx, sy, ex, ey = x1 * scale - off, y1 * scale - off, x2 * scale - off, y2 * scale - off
        rw, rh = ex - sx, ey - sy
        if not aligned:
            rw, rh = max(rw, 1.0), max(rh, 1.0)
        bh, bw = rh / ph, rw / pw
        gh = sr if sr > 0 else math.ceil(rh / ph)
        gw = sr if sr > 0 else math.ceil(rw / pw)
        for c in range(x.shape[1]):
            for i in range(ph):
                for j in range(pw):
                    acc = 0.0
                    for iy in range(gh):
                        for ix in range(gw):
                            yy = sy + i * bh + (iy + 0.5) * bh / gh
                            xx = sx + j * bw + (ix + 0.5) * bw / gw
                            acc += bilinear(x[int(b), c], yy, xx)
                    out[k, c, i, j] = acc / max(gh * gw, 1)
    return out


def ref_roi_pool(x, rois, ph, pw, scale):
    out = np.zeros((len(rois), x.shape[1], ph, pw))
    h, w = x.shape[2:]
    for k, (b, x1, y1, x2, y2) in enumerate(rois):
        sw, sh = int(np.floor(x1 * scale + 0.5)), int(np.floor(y1 * scale + 0.5))
        ew, eh = int(np.floor(x2 * scale + 0.5)), int(np.floor(y2 * scale + 0.5))
        rh, rw = max(eh - sh + 1, 1), max(ew - sw + 1, 1)
        for i in range(ph):
            for j in range(pw):
                hs = min(max(int(np.floor(i * rh / ph)) + sh, 0), h)
                he = min(max(int(np.ceil((i + 1) * rh / ph)) + sh, 0), h)
                ws = min(max(int(np.floor(j * rw / pw)) + sw, 0), w)
                we = min(max(int(np.ceil((j + 1) * rw / pw)) + sw, 0), w)
                if he > hs and we > ws:
                    out[k, :, i, j] = x[int(b), :, hs:he, ws:we].max(axis=(1, 2))
    return out


def random_rois(rng, n, batch, size):
    xy = rng.random((n, 2)) * size * 0.8 - 1
    wh = rng.random((n, 2)) * size * 0.6
    return np.concatenate([rng.integers(0, batch, (n, 1)), xy, xy + wh], axis=1)


@pytest.mark.parametrize("aligned", [False, True])
@pytest.mark.parametrize("sr,scale,out", [(-1, 1.0, (3, 2)), (2, 0.5, 2), (0, 0.25, (2, 3))])
def test_roi_align_matches_reference(aligned, sr, scale, out):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 7, 9))
    rois = random_rois(rng, 5, 2, 9 / scale)
    got = ops.roi_align(ember.tensor(x, dtype=ember.float32), ember.tensor(rois, dtype=ember.float32), out,
                        spatial_scale=scale, sampling_ratio=sr, aligned=aligned)
    ph, pw = (out, out) if isinstance(out, int) else out
    want = ref_roi_align(x, rois.astype(np.float32).astype(np.float64), ph, pw, scale, sr, aligned)
    assert got.dtype == ember.float32 and tuple(got.shape) == (5, 3, ph, pw)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-4, atol=1e-5)


def test_roi_align_hand_values_and_list_boxes():
    x = ember.arange(16.).reshape(1, 1, 4, 4)
    # aligned=False, box (0,0)-(2,2): 2x2 samples at 0.5, 1.5 in each axis -> mean of x at those points
    got = ops.roi_align(x, [ember.tensor([[0., 0., 2., 2.]])], output_size=1, sampling_ratio=2)
    # f(y, x) = 4y + x is linear, so each bilinear sample is exact: mean over (0.5, 1.5)^2 is 4 + 1 = 5
    assert got.item() == pytest.approx(5.0)
    k5 = ops.roi_align(x, ember.tensor([[0., 0., 0., 2., 2.]]), output_size=1, sampling_ratio=2)
    np.testing.assert_allclose(k5.numpy(), got.numpy())
    with pytest.raises(AssertionError, match=r"Tensor\[K, 5\]"):
        ops.roi_align(x, ember.zeros(2, 4), 1)
    with pytest.raises(AssertionError, match=r"Tensor\[L, 4\]"):
        ops.roi_align(x, [ember.zeros(2, 5)], 1)


def test_roi_pool_matches_reference_and_hand_case():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 8, 6)).astype(np.float32)
    rois = random_rois(rng, 6, 2, 12).astype(np.float32)
    got = ops.roi_pool(ember.tensor(x), ember.tensor(rois), (3, 2), spatial_scale=0.5)
    np.testing.assert_allclose(got.numpy(), ref_roi_pool(x, rois, 3, 2, 0.5), rtol=1e-6)
    img = ember.arange(16.).reshape(1, 1, 4, 4)
    # the box covers cells 0..3 x 0..3, split 2x2: each bin's max is its bottom-right cell
    np.testing.assert_array_equal(ops.roi_pool(img, ember.tensor([[0., 0., 0., 3., 3.]]), 2).numpy(),
                                  [[[[5., 7.], [13., 15.]]]])


def test_roi_align_gradient_and_second_order():
    rng = np.random.default_rng(2)
    x = ember.tensor(rng.standard_normal((2, 2, 5, 6)), requires_grad=True)
    rois = ember.tensor(random_rois(rng, 3, 2, 6))
    assert gradcheck(lambda t: ops.roi_align(t, rois, 2, 1.0, 2, True), (x,))
    assert gradcheck(lambda t: ops.roi_align(t, rois, (2, 3), 1.0, -1, False), (x,))
    g = ember.tensor(rng.standard_normal((3, 2, 2, 2)), requires_grad=True)
    (gx,) = ember.autograd.grad(ops.roi_align(x, rois, 2, aligned=True), x, g, create_graph=True)
    # the backward is linear in g and its own backward is roi_align again: <A^T g, v> = <g, A v>
    v = ember.tensor(rng.standard_normal(x.shape))
    (gg,) = ember.autograd.grad((gx * v).sum(), g)
    np.testing.assert_allclose(gg.numpy(), ops.roi_align(v, rois, 2, aligned=True).numpy(), rtol=1e-10)


def test_roi_pool_gradient_goes_to_argmax():
    rng = np.random.default_rng(3)
    x = ember.tensor(rng.permutation(2 * 2 * 6 * 6).reshape(2, 2, 6, 6) / 10.0, requires_grad=True)
    rois = ember.tensor(random_rois(rng, 4, 2, 6))
    assert gradcheck(lambda t: ops.roi_pool(t, rois, 2, 1.0), (x,), eps=1e-4)
    y = ops.roi_pool(x, rois, 2)
    y.sum().backward()
    # every non-empty bin sends its gradient 1 to exactly one input cell
    np.testing.assert_allclose(x.grad.sum().item(), (ref_roi_pool(x.detach().numpy(), rois.numpy(), 2, 2, 1.0)
                                                      != 0).sum())


def test_modules_and_empty():
    x = ember.ones(1, 2, 4, 4)
    m = ops.RoIAlign((2, 2), spatial_scale=1.0, sampling_ratio=2, aligned=True)
    assert tuple(m(x, ember.zeros(0, 5)).shape) == (0, 2, 2, 2)
    assert "RoIAlign(output_size=(2, 2)" in repr(m)
    assert tuple(ops.RoIPool(3, 1.0)(x, [ember.tensor([[0., 0., 3., 3.]])]).shape) == (1, 2, 3, 3)


def test_roi_pool_ties_route_to_first_row_major_cell():
    x = ember.zeros(1, 1, 6, 6, requires_grad=True)
    ops.roi_pool(x, ember.tensor([[0., 0., 0., 5., 5.]]), 2).sum().backward()
    want = np.zeros((6, 6))
    want[[0, 0, 3, 3], [0, 3, 0, 3]] = 1  # each 3x3 bin's first cell in row-major order
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], want)
