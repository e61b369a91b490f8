"""ember.vision.io: PNG/JPEG round trips through files and bytes, read modes, 16-bit PNGs, errors."""
import numpy as np
import pytest

import ember
from ember.vision import io

Image = pytest.importorskip("PIL.Image", reason="Pillow (the vision extra) encodes and decodes images")


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_png_round_trip(tmp_path, channels):
    a = np.random.default_rng(channels).integers(0, 256, (channels, 5, 7), dtype=np.uint8)
    path = tmp_path / "x.png"
    io.write_png(ember.from_numpy(a), str(path))
    got = io.read_image(str(path))
    assert got.dtype == ember.uint8 and tuple(got.shape) == (channels, 5, 7)
    np.testing.assert_array_equal(got.numpy(), a)
    data = io.encode_png(ember.from_numpy(a), compression_level=9)
    assert data.dtype == ember.uint8 and data.ndim == 1 and bytes(data.numpy()[:8]) == b"\x89PNG\r\n\x1a\n"
    np.testing.assert_array_equal(io.decode_image(data).numpy(), a)
    np.testing.assert_array_equal(io.read_file(str(path)).numpy(), np.fromfile(path, dtype=np.uint8))


def test_read_modes(tmp_path):
    rgb = np.random.default_rng(0).integers(0, 256, (3, 4, 6), dtype=np.uint8)
    path = tmp_path / "c.png"
    io.write_png(ember.from_numpy(rgb), path)
    gray = io.read_image(path, io.ImageReadMode.GRAY).numpy()
    r, g, b = rgb.astype(np.float64)
    assert gray.shape == (1, 4, 6)
    assert np.abs(gray[0] - (r * 299 + g * 587 + b * 114) / 1000).max() <= 1  # ITU-R 601-2 luma
    rgba = io.read_image(path, io.ImageReadMode.RGB_ALPHA).numpy()
    np.testing.assert_array_equal(rgba[:3], rgb)
    assert (rgba[3] == 255).all()
    assert io.decode_image(str(path), mode="gray_alpha").shape == (2, 4, 6)


def test_sixteen_bit_png_and_jpeg(tmp_path):
    a = (np.arange(20, dtype=np.uint16).reshape(4, 5) * 3000)
    Image.fromarray(a).save(tmp_path / "d.png")
    got = io.read_image(tmp_path / "d.png")
    assert got.dtype == ember.int32  # ember has no uint16 (torchvision >= 0.21 returns uint16)
    np.testing.assert_array_equal(got.numpy()[0], a)
    smooth = np.broadcast_to(np.linspace(0, 250, 16, dtype=np.uint8), (3, 16, 16)).copy()
    io.write_jpeg(ember.from_numpy(smooth), tmp_path / "s.jpg", quality=95)
    back = io.read_image(tmp_path / "s.jpg").numpy().astype(int)
    assert back.shape == (3, 16, 16) and np.abs(back - smooth).mean() < 3


def test_errors():
    with pytest.raises(RuntimeError, match="uint8"):
        io.encode_png(ember.zeros(3, 4, 4))
    with pytest.raises(RuntimeError, match=r"\(C, H, W\)"):
        io.encode_png(ember.zeros(5, 4, 4, dtype=ember.uint8))
    with pytest.raises(RuntimeError, match="could not decode"):
        io.decode_image(ember.tensor([1, 2, 3], dtype=ember.uint8))
    with pytest.raises(ValueError, match="compression_level"):
        io.encode_png(ember.zeros(1, 2, 2, dtype=ember.uint8), compression_level=10)
