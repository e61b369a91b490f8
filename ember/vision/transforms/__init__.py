"""Image transforms with torchvision's names: ``Compose``, ``ToTensor``, ``Normalize``, ``Resize``,
``CenterCrop``, ``RandomCrop``, ``RandomHorizontalFlip``, ``RandomVerticalFlip``, ``RandomResizedCrop``,
``Pad``, ``Grayscale``, ``ColorJitter``, ``Lambda``.

Images are NumPy arrays (HW or HWC, uint8 or float), PIL images, or ember tensors (CHW) after
``ToTensor``. ``ToTensor`` maps uint8 [0, 255] HWC to float32 [0, 1] CHW, as torchvision.

>>> import numpy as np
>>> from ember.vision import transforms as T
>>> t = T.Compose([T.Resize(32), T.ToTensor(), T.Normalize((0.5,), (0.5,))])
>>> t(np.zeros((28, 28), np.uint8)).shape
ember.Size([1, 32, 32])
"""
from __future__ import annotations

import math
import numbers
import random as _random
from typing import Callable, Sequence

import numpy as np


def _tensor_mod():
    import ember

    return ember


def _is_tensor(x) -> bool:
    return type(x).__module__.startswith("ember") and hasattr(x, "_data")


def _to_array(img) -> np.ndarray:
    """HWC or HW NumPy view of a PIL image or array."""
    if isinstance(img, np.ndarray):
        return img
    if hasattr(img, "mode") and hasattr(img, "size"):  # PIL
        return np.asarray(img)
    raise TypeError(f"img should be a PIL Image, NumPy array or ember Tensor. Got {type(img)}")


def _chw(img):
    """A (C, H, W) float array view for geometry on tensors or arrays; returns (array, kind)."""
    if _is_tensor(img):
        return img._data, "tensor"
    a = _to_array(img)
    return (a[None] if a.ndim == 2 else a.transpose(2, 0, 1)), ("hw" if a.ndim == 2 else "hwc")


def _back(a: np.ndarray, kind: str):
    if kind == "tensor":
        from ember.tensor import wrap

        return wrap(np.ascontiguousarray(a))
    if kind == "hw":
        return np.ascontiguousarray(a[0])
    return np.ascontiguousarray(a.transpose(1, 2, 0))


class Compose:
    """Apply transforms in order."""

    def __init__(self, transforms: Sequence[Callable]) -> None:
        self.transforms = list(transforms)

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        return "Compose(\n" + "".join(f"    {t}\n" for t in self.transforms) + ")"


class ToTensor:
    """HW/HWC uint8 in [0, 255] -> CHW float32 in [0, 1]; float arrays keep their values."""

    def __call__(self, pic):
        a = _to_array(pic)
        if a.ndim == 2:
            a = a[:, :, None]
        a = a.transpose(2, 0, 1)
        if a.dtype == np.uint8:
            a = a.astype(np.float32) / 255.0
        else:
            a = a.astype(np.float32, copy=False)
        return _tensor_mod().from_numpy(np.ascontiguousarray(a))

    def __repr__(self) -> str:
        return "ToTensor()"


class PILToTensor:
    """HWC uint8 -> CHW uint8 tensor (no scaling)."""

    def __call__(self, pic):
        a = _to_array(pic)
        a = a[:, :, None] if a.ndim == 2 else a
        return _tensor_mod().from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))


class ConvertImageDtype:
    def __init__(self, dtype) -> None:
        self.dtype = dtype

    def __call__(self, t):
        if t.dtype.name == "uint8" and self.dtype.is_floating_point:
            return t.to(self.dtype) / 255.0
        return t.to(self.dtype)


class Normalize:
    """(x - mean) / std per channel of a CHW tensor."""

    def __init__(self, mean, std, inplace: bool = False) -> None:
        self.mean, self.std, self.inplace = mean, std, inplace

    def __call__(self, t):
        ember = _tensor_mod()
        if not _is_tensor(t):
            raise TypeError(f"Input tensor should be a ember tensor. Got {type(t)}.")
        mean = ember.as_tensor(np.asarray(self.mean, dtype=t._data.dtype)).reshape(-1, 1, 1)
        std = ember.as_tensor(np.asarray(self.std, dtype=t._data.dtype)).reshape(-1, 1, 1)
        if (std._data == 0).any():
            raise ValueError(f"std evaluated to zero after conversion to {t.dtype}, leading to division by zero.")
        if self.inplace:
            return t.sub_(mean).div_(std)
        return (t - mean) / std

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean}, std={self.std})"


def _resize_chw(a: np.ndarray, h: int, w: int, mode: str) -> np.ndarray:
    """Bilinear (align_corners=False, half-pixel centres) or nearest resize of a CHW array."""
    c, ih, iw = a.shape
    if (ih, iw) == (h, w):
        return a.copy()
    src = a.astype(np.float32)
    if mode == "nearest":
        ys = np.minimum((np.arange(h) * ih / h).astype(int), ih - 1)
        xs = np.minimum((np.arange(w) * iw / w).astype(int), iw - 1)
        out = src[:, ys][:, :, xs]
    else:
        y = np.clip((np.arange(h) + 0.5) * ih / h - 0.5, 0, ih - 1)
        x = np.clip((np.arange(w) + 0.5) * iw / w - 0.5, 0, iw - 1)
        y0, x0 = np.floor(y).astype(int), np.floor(x).astype(int)
        y1, x1 = np.minimum(y0 + 1, ih - 1), np.minimum(x0 + 1, iw - 1)
        wy, wx = (y - y0)[None, :, None], (x - x0)[None, None, :]
        top = src[:, y0][:, :, x0] * (1 - wx) + src[:, y0][:, :, x1] * wx
        bot = src[:, y1][:, :, x0] * (1 - wx) + src[:, y1][:, :, x1] * wx
        out = top * (1 - wy) + bot * wy
    if a.dtype == np.uint8:
        return np.clip(np.rint(out), 0, 255).astype(np.uint8)
    return out.astype(a.dtype)


def _size_hw(size, h: int, w: int) -> tuple:
    if isinstance(size, numbers.Integral):  # the shorter side becomes ``size``
        if h <= w:
            return size, int(size * w / h)
        return int(size * h / w), size
    return tuple(size)


class Resize:
    """Resize to ``size`` (an int resizes the shorter side, keeping the aspect ratio)."""

    def __init__(self, size, interpolation: str = "bilinear", max_size=None, antialias=True) -> None:
        self.size = size
        self.interpolation = getattr(interpolation, "value", interpolation)

    def __call__(self, img):
        a, kind = _chw(img)
        h, w = _size_hw(self.size, a.shape[-2], a.shape[-1])
        return _back(_resize_chw(a, h, w, str(self.interpolation)), kind)

    def __repr__(self) -> str:
        return f"Resize(size={self.size}, interpolation={self.interpolation})"


def _crop(img, top: int, left: int, h: int, w: int):
    a, kind = _chw(img)
    return _back(a[:, top:top + h, left:left + w], kind)


class CenterCrop:
    def __init__(self, size) -> None:
        self.size = (size, size) if isinstance(size, numbers.Integral) else tuple(size)

    def __call__(self, img):
        a, _ = _chw(img)
        h, w = self.size
        return _crop(img, int(round((a.shape[1] - h) / 2)), int(round((a.shape[2] - w) / 2)), h, w)


class Pad:
    """Pad borders: ``padding`` int, (lr, tb) or (l, t, r, b); modes constant/edge/reflect/symmetric."""

    def __init__(self, padding, fill=0, padding_mode: str = "constant") -> None:
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def __call__(self, img):
        p = self.padding
        if isinstance(p, numbers.Integral):
            l = t = r = b = p  # noqa: E741
        elif len(p) == 2:
            l, t = r, b = p  # noqa: E741
        else:
            l, t, r, b = p  # noqa: E741
        a, kind = _chw(img)
        width = ((0, 0), (t, b), (l, r))
        if self.padding_mode == "constant":
            out = np.pad(a, width, mode="constant", constant_values=self.fill)
        else:
            out = np.pad(a, width, mode=self.padding_mode)
        return _back(out, kind)


class RandomCrop:
    """A random ``size`` crop, after optional padding."""

    def __init__(self, size, padding=None, pad_if_needed: bool = False, fill=0, padding_mode="constant") -> None:
        self.size = (size, size) if isinstance(size, numbers.Integral) else tuple(size)
        self.pad = Pad(padding, fill, padding_mode) if padding is not None else None

    def __call__(self, img):
        if self.pad is not None:
            img = self.pad(img)
        a, _ = _chw(img)
        h, w = self.size
        top = _random.randint(0, a.shape[1] - h)
        left = _random.randint(0, a.shape[2] - w)
        return _crop(img, top, left, h, w)


class RandomHorizontalFlip:
    def __init__(self, p: float = 0.5) -> None:
        self.p = p

    def __call__(self, img):
        if _random.random() < self.p:
            a, kind = _chw(img)
            return _back(a[:, :, ::-1], kind)
        return img


class RandomVerticalFlip:
    def __init__(self, p: float = 0.5) -> None:
        self.p = p

    def __call__(self, img):
        if _random.random() < self.p:
            a, kind = _chw(img)
            return _back(a[:, ::-1, :], kind)
        return img


class RandomResizedCrop:
    """A random crop of random scale and aspect ratio, resized to ``size``."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3), interpolation="bilinear") -> None:
        self.size = (size, size) if isinstance(size, numbers.Integral) else tuple(size)
        self.scale, self.ratio, self.interpolation = scale, ratio, interpolation

    def __call__(self, img):
        a, kind = _chw(img)
        h, w = a.shape[1:]
        for _ in range(10):
            area = h * w * _random.uniform(*self.scale)
            ar = math.exp(_random.uniform(math.log(self.ratio[0]), math.log(self.ratio[1])))
            cw, ch = int(round(math.sqrt(area * ar))), int(round(math.sqrt(area / ar)))
            if 0 < cw <= w and 0 < ch <= h:
                top, left = _random.randint(0, h - ch), _random.randint(0, w - cw)
                break
        else:
            ch, cw, top, left = h, w, 0, 0
        crop = a[:, top:top + ch, left:left + cw]
        return _back(_resize_chw(crop, *self.size, self.interpolation), kind)


class Grayscale:
    def __init__(self, num_output_channels: int = 1) -> None:
        self.n = num_output_channels

    def __call__(self, img):
        a, kind = _chw(img)
        g = a if a.shape[0] == 1 else (0.299 * a[0] + 0.587 * a[1] + 0.114 * a[2])[None].astype(a.dtype)
        return _back(np.repeat(g, self.n, axis=0), kind)


class ColorJitter:
    """Random brightness and contrast (saturation/hue on 3-channel images: saturation only)."""

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0) -> None:
        self.brightness, self.contrast, self.saturation = brightness, contrast, saturation

    def __call__(self, img):
        a, kind = _chw(img)
        f = a.astype(np.float32)
        top = 255.0 if a.dtype == np.uint8 else 1.0
        if self.brightness:
            f = f * _random.uniform(max(0, 1 - self.brightness), 1 + self.brightness)
        if self.contrast:
            m = f.mean()
            f = (f - m) * _random.uniform(max(0, 1 - self.contrast), 1 + self.contrast) + m
        if self.saturation and f.shape[0] == 3:
            g = 0.299 * f[0] + 0.587 * f[1] + 0.114 * f[2]
            f = (f - g) * _random.uniform(max(0, 1 - self.saturation), 1 + self.saturation) + g
        f = np.clip(f, 0, top)
        return _back(f.astype(a.dtype) if a.dtype != np.uint8 else np.rint(f).astype(np.uint8), kind)


class Lambda:
    def __init__(self, lambd: Callable) -> None:
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)


class InterpolationMode:
    NEAREST = "nearest"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
