"""deform_conv2d: zero offsets give torch's conv2d; random offsets and masks against a NumPy loop written
from the definition (bilinear samples at the shifted taps); gradients of every input by finite differences."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck
from ember.vision.ops import deform_conv2d

torch = pytest.importorskip("torch", reason="torch's conv2d is the oracle for zero offsets")


def sample(img, y, x):
    h, w = img.shape
    if y <= -1 or y >= h or x <= -1 or x >= w:
        return 0.0
    y0, x0 = int(np.floor(y)), int(np.floor(x))
    total = 0.0
    for yy, wy in ((y0, 1 - (y - y0)), (y0 + 1, y - y0)):
        for xx, wx in ((x0, 1 - (x - x0)), (x0 + 1, x - x0)):
            if 0 <= yy < h and 0 <= xx < w:
                total += wy * wx * img[yy, xx]
    return total


def ref_deform(x, off, w, b, stride, pad, dil, mask):
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    groups, g_off = c // cg, off.shape[1] // (2 * kh * kw)
    ho, wo = off.shape[2:]
    out = np.zeros((n, o, ho, wo))
    for b_ in range(n):
        for oc in range(o):
            grp = oc // (o // groups)
            for i in range(ho):
                for j in range(wo):
                    acc = 0.0
                    for ci in range(cg):
                        ch = grp * cg + ci
                        og = ch // (c // g_off)
                        for ki in range(kh):
                            for kj in range(kw):
                                k = ki * kw + kj
                                base = og * 2 * kh * kw + 2 * k
                                dy, dx = off[b_, base, i, j], off[b_, base + 1, i, j]
                                v = sample(x[b_, ch], i * stride - pad + ki * dil + dy,
                                           j * stride - pad + kj * dil + dx)
                                if mask is not None:
                                    v *= mask[b_, og * kh * kw + k, i, j]
                                acc += w[oc, ci, ki, kj] * v
                    out[b_, oc, i, j] = acc + (b[oc] if b is not None else 0.0)
    return out


def test_zero_offsets_equal_conv2d():
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 4, 7, 6)), rng.standard_normal((6, 2, 3, 3)), rng.standard_normal(6)
    off = np.zeros((2, 2 * 9, 4, 3))
    got = deform_conv2d(ember.tensor(x), ember.tensor(off), ember.tensor(w), ember.tensor(b), stride=2, padding=1,
                        dilation=(1, 1))
    want = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), stride=2, padding=1, groups=2)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("with_mask", [False, True])
def test_random_offsets_match_reference(with_mask):
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((1, 4, 5, 6)), rng.standard_normal((2, 4, 2, 3)), rng.standard_normal(2)
    ho, wo = 5 + 2 - 2 * 1 - 1 + 1, 6 + 2 - 2 * 2 - 1 + 1  # padding 1, dilation 2 on (2, 3) taps
    off = rng.standard_normal((1, 2 * 2 * 6, ho, wo)) * 1.5  # two offset groups
    mask = rng.random((1, 2 * 6, ho, wo)) if with_mask else None
    got = deform_conv2d(ember.tensor(x), ember.tensor(off), ember.tensor(w), ember.tensor(b), padding=1,
                        dilation=2, mask=None if mask is None else ember.tensor(mask))
    np.testing.assert_allclose(got.numpy(), ref_deform(x, off, w, b, 1, 1, 2, mask), rtol=1e-9, atol=1e-10)


def test_gradients_of_all_inputs():
    rng = np.random.default_rng(2)
    x = ember.tensor(rng.standard_normal((1, 2, 4, 4)), requires_grad=True)
    w = ember.tensor(rng.standard_normal((2, 2, 2, 2)), requires_grad=True)
    b = ember.tensor(rng.standard_normal(2), requires_grad=True)
    off = ember.tensor(rng.uniform(0.1, 0.9, (1, 8, 3, 3)) * rng.choice([-1, 1], (1, 8, 3, 3)), requires_grad=True)
    mask = ember.tensor(rng.random((1, 4, 3, 3)), requires_grad=True)
    assert gradcheck(lambda *a: deform_conv2d(a[0], a[1], a[2], a[3], mask=a[4]), (x, off, w, b, mask), eps=1e-6,
                     atol=1e-5)


def test_shape_errors():
    with pytest.raises(RuntimeError, match="offset should have shape"):
        deform_conv2d(ember.zeros(1, 2, 4, 4), ember.zeros(1, 8, 2, 2), ember.zeros(1, 2, 2, 2))
