"""ember.vision.transforms against explicit expectations and torch's own resize."""
import numpy as np
import pytest

import ember
from ember.vision import transforms as T


def test_to_tensor_scales_and_transposes():
    img = np.arange(12, dtype=np.uint8).reshape(2, 2, 3)
    t = T.ToTensor()(img)
    assert tuple(t.shape) == (3, 2, 2) and t.dtype is ember.float32
    np.testing.assert_allclose(t.numpy(), img.transpose(2, 0, 1) / 255.0, rtol=1e-6)
    assert tuple(T.ToTensor()(np.zeros((5, 4), np.uint8)).shape) == (1, 5, 4)


def test_normalize():
    t = ember.ones(2, 3, 3)
    out = T.Normalize((0.5, 0.25), (0.5, 0.25))(t)
    np.testing.assert_allclose(out.numpy()[0], 1.0)
    np.testing.assert_allclose(out.numpy()[1], 3.0)
    with pytest.raises(ValueError, match="std evaluated to zero"):
        T.Normalize((0,), (0,))(t)


def test_resize_bilinear_matches_torch_interpolate():
    torch = pytest.importorskip("torch", reason="torch is the oracle for the resize")
    rng = np.random.default_rng(0)
    img = rng.random((3, 7, 9)).astype(np.float32)
    got = T.Resize((12, 5), antialias=False)(ember.from_numpy(img)).numpy()  # torchvision defaults to True
    want = torch.nn.functional.interpolate(torch.from_numpy(img)[None], size=(12, 5), mode="bilinear",
                                           align_corners=False, antialias=False)[0].numpy()
    np.testing.assert_allclose(got, want, atol=1e-5)
    assert T.Resize(14)(np.zeros((28, 56), np.uint8)).shape == (14, 28)


def test_flips_crops_pad_compose():
    img = np.arange(16, dtype=np.uint8).reshape(4, 4)
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(img), img[:, ::-1])
    np.testing.assert_array_equal(T.RandomVerticalFlip(p=1.0)(img), img[::-1])
    np.testing.assert_array_equal(T.CenterCrop(2)(img), img[1:3, 1:3])
    assert T.Pad(1)(img).shape == (6, 6) and T.Pad(1)(img)[0, 0] == 0
    assert T.RandomCrop(4, padding=2)(img).shape == (4, 4)
    assert T.RandomResizedCrop(3)(img).shape == (3, 3)
    out = T.Compose([T.ToTensor(), T.Lambda(lambda t: t * 2)])(img)
    assert out.max().item() == pytest.approx(2 * 15 / 255)
    with pytest.raises(TypeError, match="should be callable"):
        T.Lambda(3)


def test_dataset_with_transform():
    from ember.vision.datasets import FashionMNIST

    ds = FashionMNIST(root="builtin", train=False, transform=T.ToTensor())
    x, y = ds[0]
    assert tuple(x.shape) == (1, 28, 28) and 0 <= x.min().item() <= x.max().item() <= 1 and isinstance(y, int)
