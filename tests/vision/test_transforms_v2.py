"""Deterministic transforms.v2 kernels against torchvision's formulas, re-derived with torch ops (resize vs
``interpolate``, blur vs ``conv2d`` with torchvision's kernel, grayscale weights, blends), hue against the
standard library's colorsys, and rotations/affine maps against a NumPy inverse-map reference."""
import colorsys
import math

import numpy as np
import pytest

import ember
from ember.vision import tv_tensors
from ember.vision.transforms import v2

torch = pytest.importorskip("torch", reason="torch is the oracle for the transform formulas")
F = torch.nn.functional


@pytest.fixture(scope="module")
def img():
    return np.random.default_rng(0).random((3, 9, 11)).astype(np.float32)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("antialias", [True, False])
@pytest.mark.parametrize("size", [(4, 5), (13, 7), (20, 22)])
def test_resize_matches_torch_interpolate(img, mode, antialias, size):
    got = v2.Resize(size, interpolation=mode, antialias=antialias)(ember.from_numpy(img)).numpy()
    want = F.interpolate(torch.from_numpy(img)[None], size=size, mode=mode, align_corners=False,
                         antialias=antialias)[0].numpy()
    np.testing.assert_allclose(got, want, atol=2e-6)


def test_resize_nearest_uint8_and_size_rules(img):
    u8 = (img * 255).astype(np.uint8)
    got = v2.Resize((5, 17), interpolation=v2.InterpolationMode.NEAREST)(ember.from_numpy(u8)).numpy()
    want = F.interpolate(torch.from_numpy(u8)[None].float(), size=(5, 17), mode="nearest")[0].numpy()
    np.testing.assert_array_equal(got, want)
    f = F.interpolate(torch.from_numpy(u8)[None].float(), size=(4, 5), mode="bilinear", antialias=False)[0]
    got = v2.Resize((4, 5), antialias=False)(ember.from_numpy(u8)).numpy()
    want = f.round().clamp(0, 255).to(torch.uint8).numpy().astype(int)
    assert np.abs(got.astype(int) - want).max() <= 1 and (got == want).mean() > 0.95  # float32 ties at .5
    assert v2.Resize(6)(ember.zeros(1, 12, 30)).shape == (1, 6, 15)
    assert v2.Resize(6, max_size=10)(ember.zeros(1, 12, 30)).shape == (1, 4, 10)
    assert v2.Resize(6)(np.zeros((30, 12, 3), np.uint8)).shape == (15, 6, 3)


def test_normalize_matches_formula(img):
    mean, std = [0.1, 0.2, 0.3], [0.5, 0.25, 2.0]
    got = v2.Normalize(mean, std)(ember.from_numpy(img)).numpy()
    want = (torch.from_numpy(img) - torch.tensor(mean)[:, None, None]) / torch.tensor(std)[:, None, None]
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-6)
    with pytest.raises(TypeError, match="float"):
        v2.Normalize(mean, std)(ember.zeros(3, 2, 2, dtype=ember.uint8))


def torchvision_blur(x, k, sigma):
    """torchvision's gaussian_blur: 1-D kernels from linspace(-(k-1)/2, (k-1)/2), outer product, reflect pad."""
    def kernel1d(ks, s):
        half = (ks - 1) * 0.5
        pdf = torch.exp(-0.5 * (torch.linspace(-half, half, steps=ks) / s).pow(2))
        return pdf / pdf.sum()
    k2 = torch.outer(kernel1d(k[1], sigma[1]), kernel1d(k[0], sigma[0]))
    c = x.shape[0]
    padded = F.pad(x[None], [k[0] // 2, k[0] // 2, k[1] // 2, k[1] // 2], mode="reflect")
    return F.conv2d(padded, k2.expand(c, 1, *k2.shape), groups=c)[0]


@pytest.mark.parametrize("k,sigma", [(3, 0.8), ((5, 3), 1.7)])
def test_gaussian_blur_matches_torch_conv(img, k, sigma):
    got = v2.GaussianBlur(k, sigma=sigma)(ember.from_numpy(img)).numpy()
    ks = (k, k) if isinstance(k, int) else k
    want = torchvision_blur(torch.from_numpy(img), ks, (sigma, sigma)).numpy()
    np.testing.assert_allclose(got, want, atol=1e-6)
    u8 = (img * 255).astype(np.uint8)
    got8 = v2.GaussianBlur(k, sigma=sigma)(u8.transpose(1, 2, 0))  # HWC array in, HWC array out
    want8 = torchvision_blur(torch.from_numpy(u8).float(), ks, (sigma, sigma)).round().numpy()
    np.testing.assert_allclose(got8.transpose(2, 0, 1), want8, atol=1)


def test_grayscale_weights(img):
    t = torch.from_numpy(img)
    want = 0.2989 * t[0] + 0.587 * t[1] + 0.114 * t[2]
    got = v2.Grayscale()(ember.from_numpy(img))
    np.testing.assert_allclose(got.numpy()[0], want.numpy(), rtol=1e-6)
    assert v2.Grayscale(3)(ember.from_numpy(img)).shape == (3, 9, 11)
    u8 = torch.from_numpy((img * 255).astype(np.uint8))
    want8 = (0.2989 * u8[0].float() + 0.587 * u8[1].float() + 0.114 * u8[2].float()).to(torch.uint8)
    np.testing.assert_array_equal(v2.Grayscale()(ember.from_numpy(u8.numpy())).numpy()[0], want8.numpy())


def test_color_adjustments_match_torchvision_blends(img):
    from ember.vision.transforms import _color as C

    t = torch.from_numpy(img)
    gray = 0.2989 * t[0] + 0.587 * t[1] + 0.114 * t[2]
    np.testing.assert_allclose(C.adjust_brightness(img, 1.4), (1.4 * t).clamp(0, 1).numpy(), rtol=1e-6)
    want = (0.6 * t + 0.4 * gray.mean()).clamp(0, 1)
    np.testing.assert_allclose(C.adjust_contrast(img, 0.6), want.numpy(), rtol=1e-5)
    want = (1.7 * t + (1 - 1.7) * gray).clamp(0, 1)
    np.testing.assert_allclose(C.adjust_saturation(img, 1.7), want.numpy(), rtol=1e-5, atol=1e-6)
    u8 = (img * 255).astype(np.uint8)
    want8 = (1.3 * torch.from_numpy(u8).float()).clamp(0, 255).to(torch.uint8).numpy()
    np.testing.assert_array_equal(C.adjust_brightness(u8, 1.3), want8)


def test_hue_matches_colorsys(img):
    from ember.vision.transforms import _color as C

    got = C.adjust_hue(img, 0.2)
    for i, j in [(0, 0), (3, 4), (8, 10), (5, 1)]:
        h, s, v = colorsys.rgb_to_hsv(*img[:, i, j].astype(np.float64))
        want = colorsys.hsv_to_rgb((h + 0.2) % 1.0, s, v)
        np.testing.assert_allclose(got[:, i, j], want, atol=1e-5)
    with pytest.raises(ValueError, match="hue_factor"):
        C.adjust_hue(img, 0.7)


def ref_warp_nearest(a, inverse):
    """Inverse mapping, one output pixel at a time: sample the input at inverse(x, y), nearest, 0 outside."""
    c, h, w = a.shape
    out = np.zeros_like(a)
    for i in range(h):
        for j in range(w):
            x, y = inverse(j + 0.5, i + 0.5)
            xi, yi = int(np.rint(x - 0.5)), int(np.rint(y - 0.5))
            if 0 <= xi < w and 0 <= yi < h:
                out[:, i, j] = a[:, yi, xi]
    return out


def test_rotation_90_is_rot90_and_matches_reference():
    a = np.arange(2 * 6 * 6, dtype=np.float32).reshape(2, 6, 6)
    got = v2.RandomRotation((90, 90))(ember.from_numpy(a)).numpy()
    np.testing.assert_array_equal(got, np.rot90(a, 1, axes=(1, 2)))  # counter-clockwise on screen
    b = np.random.default_rng(1).random((1, 7, 9)).astype(np.float32)
    theta = math.radians(37.0)  # sin(30) = 1/2 would put samples on rounding ties
    cx, cy = 4.5, 3.5

    def inverse(x, y):  # undo a counter-clockwise (on screen, y down) rotation by theta about the centre
        dx, dy = x - cx, y - cy
        return cx + math.cos(theta) * dx - math.sin(theta) * dy, cy + math.sin(theta) * dx + math.cos(theta) * dy
    got = v2.RandomRotation((37, 37))(ember.from_numpy(b)).numpy()
    np.testing.assert_allclose(got, ref_warp_nearest(b, inverse))


def test_affine_matches_reference_and_torch_grid_sample():
    b = np.random.default_rng(2).random((2, 8, 10)).astype(np.float32)
    ang, (tx, ty), sc, (shx, shy) = 20.0, (1, -2), 1.2, (10.0, 5.0)
    from ember.vision.transforms import _geometry as G

    inv = G.inverse_affine((5.0, 4.0), ang, (tx, ty), sc, (shx, shy))
    # torchvision's forward map: x' = T C (scale * RSS) C^-1 x, RSS = rotation with x/y shear
    rot, sx, sy = math.radians(ang), math.radians(shx), math.radians(shy)
    a_ = math.cos(rot - sy) / math.cos(sy)
    b_ = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c_ = math.sin(rot - sy) / math.cos(sy)
    d_ = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    fwd = np.array([[a_, b_], [c_, d_]]) * sc
    fwd_inv = np.linalg.inv(fwd)

    def inverse(x, y):
        v = fwd_inv @ np.array([x - 5.0 - tx, y - 4.0 - ty])
        return v[0] + 5.0, v[1] + 4.0
    np.testing.assert_allclose(inv[:2, :2], fwd_inv, atol=1e-12)
    got = G.warp(b, inv, (8, 10), mode="nearest", fill=None)
    np.testing.assert_allclose(got, ref_warp_nearest(b, inverse))
    # bilinear: torchvision's grid (pixel centres relative to the image centre, normalised) and grid_sample
    theta = torch.tensor(inv[:2], dtype=torch.float64)
    ys, xs = torch.meshgrid(torch.arange(8) + 0.5, torch.arange(10) + 0.5, indexing="ij")
    pts = torch.stack([xs, ys, torch.ones_like(xs)], -1).double() @ theta.T
    grid = torch.stack([pts[..., 0] / 10 * 2 - 1, pts[..., 1] / 8 * 2 - 1], -1)[None].float()
    want = F.grid_sample(torch.from_numpy(b)[None], grid, mode="bilinear", padding_mode="zeros",
                         align_corners=False)[0].numpy()
    np.testing.assert_allclose(G.warp(b, inv, (8, 10), mode="bilinear", fill=None), want, atol=1e-5)


def test_pad_crop_flip_kernels():
    a = np.arange(2 * 4 * 5).reshape(2, 4, 5).astype(np.uint8)
    for mode in ["constant", "edge", "reflect", "symmetric"]:
        got = v2.Pad((1, 2, 3, 1), fill=7, padding_mode=mode)(ember.from_numpy(a)).numpy()
        kw = {"constant_values": 7} if mode == "constant" else {}
        np.testing.assert_array_equal(got, np.pad(a, ((0, 0), (2, 1), (1, 3)), mode=mode, **kw))
    np.testing.assert_array_equal(v2.CenterCrop((2, 3))(ember.from_numpy(a)).numpy(), a[:, 1:3, 1:4])
    big = v2.CenterCrop((6, 7))(ember.from_numpy(a)).numpy()
    np.testing.assert_array_equal(big, np.pad(a, ((0, 0), (1, 1), (1, 1))))
    np.testing.assert_array_equal(v2.RandomVerticalFlip(1.0)(ember.from_numpy(a)).numpy(), a[:, ::-1])


def test_conversions_round_trip_through_pil():
    Image = pytest.importorskip("PIL.Image", reason="Pillow (the vision extra) reads PIL images")
    arr = np.random.default_rng(3).integers(0, 256, (5, 6, 3), dtype=np.uint8)
    pil = Image.fromarray(arr)
    im = v2.ToImage()(pil)
    assert isinstance(im, tv_tensors.Image) and im.dtype == ember.uint8 and im.shape == (3, 5, 6)
    f = v2.ToDtype(ember.float32, scale=True)(im)
    np.testing.assert_allclose(f.numpy(), arr.transpose(2, 0, 1) / 255.0, rtol=1e-6)
    back = v2.ToDtype(ember.uint8, scale=True)(f)
    np.testing.assert_array_equal(back.numpy(), arr.transpose(2, 0, 1))
    np.testing.assert_array_equal(np.asarray(v2.ToPILImage()(f)), (arr / 255.0 * 255).astype(np.uint8))
    np.testing.assert_allclose(v2.ToTensor()(pil).numpy(), arr.transpose(2, 0, 1) / 255.0, rtol=1e-6)
    flipped = v2.RandomHorizontalFlip(1.0)(pil)
    assert isinstance(flipped, Image.Image)
    np.testing.assert_array_equal(np.asarray(flipped), arr[:, ::-1])
    gray = v2.Grayscale()(pil)
    assert gray.mode == "L" and gray.size == (6, 5)
