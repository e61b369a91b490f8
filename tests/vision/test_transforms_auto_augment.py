"""Point operations of the policy augmentations against torchvision's formulas written with torch ops and
against Pillow's ImageOps (equalize); RandAugment/TrivialAugmentWide by seeds and their shear convention."""
import numpy as np
import pytest

import ember
from ember.vision.transforms import _color as C
from ember.vision.transforms import v2
from ember.vision.transforms.v2._auto_augment import _apply_op

torch = pytest.importorskip("torch", reason="torch re-derives torchvision's formulas")


@pytest.fixture(scope="module")
def u8():
    return np.random.default_rng(0).integers(0, 256, (3, 9, 11), dtype=np.uint8)


def test_posterize_solarize_invert(u8):
    t = torch.from_numpy(u8)
    np.testing.assert_array_equal(C.posterize(u8, 3), torch.bitwise_and(t, -(1 << 5) & 0xFF).numpy())
    np.testing.assert_array_equal(C.solarize(u8, 128), torch.where(t >= 128, 255 - t, t).numpy())
    f = u8 / 255.0
    np.testing.assert_allclose(C.posterize(f, 2), np.clip(np.floor(f * 4), 0, 3) / 4)
    np.testing.assert_allclose(C.invert(f), 1 - f)


def test_autocontrast_matches_torchvision_formula(u8):
    t = torch.from_numpy(u8).float()
    lo, hi = t.amin(dim=(-2, -1), keepdim=True), t.amax(dim=(-2, -1), keepdim=True)
    want = ((t - lo) / ((hi - lo) / 255.0)).clamp(0, 255).to(torch.uint8)
    np.testing.assert_array_equal(C.autocontrast(u8), want.numpy())
    flat = np.full((1, 3, 3), 7, np.uint8)
    np.testing.assert_array_equal(C.autocontrast(flat), flat)


def test_equalize_matches_pillow(u8):
    from PIL import Image, ImageOps

    skewed = (u8.astype(float) ** 2 / 255).astype(np.uint8)
    want = np.asarray(ImageOps.equalize(Image.fromarray(skewed.transpose(1, 2, 0)))).transpose(2, 0, 1)
    np.testing.assert_array_equal(C.equalize(skewed), want)


@pytest.mark.parametrize("factor", [0.0, 0.5, 2.0])
def test_sharpness_matches_torchvision_formula(u8, factor):
    t = torch.from_numpy(u8).float()[None]
    k = torch.full((3, 3), 1 / 13.0)
    k[1, 1] = 5 / 13.0
    blur = torch.nn.functional.conv2d(t, k.expand(3, 1, 3, 3), groups=3).round()
    out = t.clone()
    out[..., 1:-1, 1:-1] = factor * t[..., 1:-1, 1:-1] + (1 - factor) * blur
    want = out.clamp(0, 255).to(torch.uint8)[0].numpy()
    assert np.abs(C.adjust_sharpness(u8, factor).astype(int) - want.astype(int)).max() <= 1


def test_shear_x_convention():
    a = np.arange(36, dtype=np.float32).reshape(1, 6, 6)
    got = _apply_op(a, "ShearX", 0.5, "nearest", None)
    want = np.zeros_like(a)
    for i in range(6):
        for j in range(6):  # PIL's AFFINE data (1, m, 0, 0, 1, 0): input x = x + m y at pixel centres
            x = (j + 0.5) + 0.5 * (i + 0.5) - 0.5
            xi = int(np.rint(x))
            if 0 <= xi < 6:
                want[0, i, j] = a[0, i, xi]
    np.testing.assert_array_equal(got, want)


def test_policies_repeat_with_seed_and_keep_shape():
    x = ember.from_numpy(np.random.default_rng(1).integers(0, 256, (3, 12, 12), dtype=np.uint8))
    for t in [v2.RandAugment(num_ops=3, magnitude=15), v2.TrivialAugmentWide()]:
        outs = []
        for _ in range(2):
            ember.manual_seed(7)
            outs.append(np.stack([t(x).numpy() for _ in range(10)]))
        np.testing.assert_array_equal(outs[0], outs[1])
        assert outs[0].dtype == np.uint8 and outs[0].shape == (10, 3, 12, 12)
        assert len({o.tobytes() for o in outs[0]}) > 3  # the draws differ from call to call
    with pytest.raises(ValueError, match="magnitude"):
        v2.RandAugment(magnitude=31)
    np.testing.assert_array_equal(v2.RandomInvert(p=1.0)(x).numpy(), 255 - x.numpy())
    np.testing.assert_array_equal(v2.RandomPosterize(bits=8, p=1.0)(x).numpy(), x.numpy())


def test_augmix_weights_are_convex_and_seeded(monkeypatch):
    from ember.vision.transforms.v2 import _auto_augment

    x = ember.rand(2, 3, 8, 8)
    ember.manual_seed(0)
    a = v2.AugMix()(x).numpy()
    ember.manual_seed(0)
    np.testing.assert_array_equal(v2.AugMix()(x).numpy(), a)
    assert a.dtype == np.float32 and not np.allclose(a, x.numpy())
    # with every operation replaced by the identity, the Beta/Dirichlet weights must sum to one
    monkeypatch.setattr(_auto_augment, "_apply_op", lambda img, *args: img)
    np.testing.assert_allclose(v2.AugMix(mixture_width=4, chain_depth=2)(x).numpy(), x.numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="severity"):
        v2.AugMix(severity=11)
