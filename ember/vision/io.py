"""Image files as uint8 tensors, with torchvision.io's names: ``read_image``, ``decode_image``, ``read_file``,
``write_file``, ``encode_png``/``write_png``/``decode_png``, ``encode_jpeg``/``write_jpeg``/``decode_jpeg``
and ``ImageReadMode``. Decoding and encoding go through Pillow (the ``vision`` extra).

Images are (C, H, W) uint8 tensors (int32 for 16-bit PNGs read UNCHANGED: ember has no uint16).

>>> import ember, tempfile, os
>>> from ember.vision.io import write_png, read_image, ImageReadMode
>>> img = ember.arange(24, dtype=ember.uint8).reshape(2, 3, 4)
>>> path = os.path.join(tempfile.mkdtemp(), "x.png")
>>> write_png(img, path)
>>> bool((read_image(path, ImageReadMode.UNCHANGED) == img).all())
True
"""
from __future__ import annotations

import enum
import io as _io
import os

import numpy as np

from ember.tensor import Tensor, wrap


class ImageReadMode(enum.Enum):
    """What to decode: the file's own channels, or a conversion to gray / gray+alpha / RGB / RGBA."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4
    RGBA = 4


_PIL_MODES = {ImageReadMode.GRAY: "L", ImageReadMode.GRAY_ALPHA: "LA", ImageReadMode.RGB: "RGB",
              ImageReadMode.RGB_ALPHA: "RGBA"}


def _pil():
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover - Pillow is installed with the vision extra
        raise ImportError("ember.vision.io needs Pillow: pip install 'ember[vision]'") from e
    return Image


def read_file(path: str | os.PathLike) -> Tensor:
    """The bytes of a file as a 1-D uint8 tensor."""
    with open(path, "rb") as f:
        return wrap(np.frombuffer(f.read(), dtype=np.uint8).copy())


def write_file(filename: str | os.PathLike, data: Tensor) -> None:
    """Write a 1-D uint8 tensor of bytes to ``filename``."""
    _check_bytes("write_file", data)
    with open(filename, "wb") as f:
        f.write(data.numpy().tobytes())


def _check_bytes(name: str, data) -> None:
    if not isinstance(data, Tensor) or data.dtype.name != "uint8" or data.ndim != 1:
        desc = f"{data.dtype} tensor of shape {list(data.shape)}" if isinstance(data, Tensor) else type(data).__name__
        raise RuntimeError(f"{name}: expected a 1-D uint8 tensor of encoded bytes, got {desc}; "
                           "use ember.vision.io.read_file(path)")


def _native(img):
    """The PIL image in the mode whose channels torchvision's decoders return for UNCHANGED."""
    if img.mode in ("L", "LA", "RGB", "RGBA"):
        return img
    if img.mode in ("I;16", "I;16B", "I;16L"):
        return img
    if img.mode == "1":
        return img.convert("L")
    if img.mode == "P":
        return img.convert("RGBA" if "transparency" in img.info else "RGB")
    if img.mode == "PA":
        return img.convert("RGBA")
    return img.convert("RGB")


def decode_image(input, mode: ImageReadMode = ImageReadMode.UNCHANGED,
                 apply_exif_orientation: bool = False) -> Tensor:
    """Decode encoded bytes (a 1-D uint8 tensor) or a path into a (C, H, W) tensor."""
    Image = _pil()
    if isinstance(input, (str, os.PathLike)):
        input = read_file(input)
    _check_bytes("decode_image", input)
    if isinstance(mode, str):
        mode = ImageReadMode[mode.upper()]
    try:
        img = Image.open(_io.BytesIO(input.numpy().tobytes()))
        img.load()
    except Exception as e:  # Pillow raises several types for unreadable data
        raise RuntimeError(f"decode_image: could not decode the image ({e})") from e
    if apply_exif_orientation:
        from PIL import ImageOps

        img = ImageOps.exif_transpose(img)
    img = _native(img) if mode == ImageReadMode.UNCHANGED else img.convert(_PIL_MODES[mode])
    a = np.asarray(img)
    if a.dtype.kind in "iu" and a.dtype != np.uint8:
        a = a.astype(np.int32)  # 16-bit images: ember has no uint16, so int32 (torchvision < 0.21 did the same)
    a = a[None] if a.ndim == 2 else a.transpose(2, 0, 1)
    return wrap(np.ascontiguousarray(a))


def read_image(path: str | os.PathLike, mode: ImageReadMode = ImageReadMode.UNCHANGED,
               apply_exif_orientation: bool = False) -> Tensor:
    """Read a PNG/JPEG/BMP/GIF/... file into a (C, H, W) uint8 tensor."""
    return decode_image(read_file(path), mode, apply_exif_orientation)


decode_png = decode_jpeg = decode_image


def _to_pil_for_encoding(name: str, input: Tensor, channels: tuple):
    if not isinstance(input, Tensor) or input.dtype.name != "uint8":
        dt = input.dtype if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(f"{name}: input tensor dtype should be uint8, got {dt}")
    if input.ndim != 3 or input.shape[0] not in channels:
        raise RuntimeError(f"{name}: input should be a (C, H, W) tensor with C in {channels}, got shape "
                           f"{list(input.shape)}")
    a = input.numpy()
    a = a[0] if a.shape[0] == 1 else a.transpose(1, 2, 0)
    return _pil().fromarray(np.ascontiguousarray(a))


def _encode(img, **kwargs) -> Tensor:
    buf = _io.BytesIO()
    img.save(buf, **kwargs)
    return wrap(np.frombuffer(buf.getvalue(), dtype=np.uint8).copy())


def encode_png(input: Tensor, compression_level: int = 6) -> Tensor:
    """(C, H, W) uint8 with C in 1..4 -> the PNG file's bytes as a 1-D uint8 tensor."""
    if not 0 <= compression_level <= 9:
        raise ValueError(f"encode_png: compression_level must be between 0 and 9, got {compression_level}")
    return _encode(_to_pil_for_encoding("encode_png", input, (1, 2, 3, 4)), format="PNG",
                   compress_level=compression_level)


def write_png(input: Tensor, filename: str | os.PathLike, compression_level: int = 6) -> None:
    """Encode ``input`` as PNG and write it to ``filename``."""
    write_file(filename, encode_png(input, compression_level))


def encode_jpeg(input: Tensor, quality: int = 75) -> Tensor:
    """(C, H, W) uint8 with C in (1, 3) -> JPEG bytes as a 1-D uint8 tensor."""
    if not 1 <= quality <= 100:
        raise ValueError(f"encode_jpeg: image quality should be a positive integer in [1, 100], got {quality}")
    return _encode(_to_pil_for_encoding("encode_jpeg", input, (1, 3)), format="JPEG", quality=quality)


def write_jpeg(input: Tensor, filename: str | os.PathLike, quality: int = 75) -> None:
    write_file(filename, encode_jpeg(input, quality))
