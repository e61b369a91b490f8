"""Colour and filter kernels on NumPy images (..., C, H, W), with torchvision's tensor formulas:

* grayscale: L = 0.2989 R + 0.587 G + 0.114 B (cast back to the input dtype, truncating integers);
* blend(a, b, r) = clamp(r a + (1 - r) b, 0, max), integers truncated: brightness blends with black,
  contrast with the mean of the grayscale image, saturation with the grayscale image;
* hue: RGB -> HSV, h <- (h + factor) mod 1, HSV -> RGB;
* Gaussian blur: a separable kernel exp(-x^2 / (2 sigma^2)) on x in [-(k-1)/2, (k-1)/2], normalised,
  after reflect padding; integer images are rounded.
"""
from __future__ import annotations

import numpy as np

from ._geometry import cast_like

GRAY = (0.2989, 0.587, 0.114)


def max_value(dtype: np.dtype) -> float:
    return float(np.iinfo(dtype).max) if np.issubdtype(dtype, np.integer) else 1.0


def _float(a: np.ndarray) -> np.ndarray:
    return a if a.dtype in (np.float32, np.float64) else a.astype(np.float32)


def _channels(a: np.ndarray, op: str) -> int:
    c = a.shape[-3]
    if c not in (1, 3):
        raise TypeError(f"{op}: input image permitted channel values are 1 or 3, but found {c}")
    return c


def rgb_to_grayscale(a: np.ndarray, num_output_channels: int = 1, preserve_dtype: bool = True) -> np.ndarray:
    if num_output_channels not in (1, 3):
        raise ValueError(f"num_output_channels must be 1 or 3, got {num_output_channels}.")
    if a.shape[-3] == 1:
        g = a.copy()
    else:
        f = _float(a)
        g = (f[..., 0:1, :, :] * GRAY[0] + f[..., 1:2, :, :] * GRAY[1] + f[..., 2:3, :, :] * GRAY[2])
        if preserve_dtype:
            g = g.astype(a.dtype)
    if num_output_channels == 3:
        g = np.repeat(g, 3, axis=-3)
    return g


def _blend(a: np.ndarray, b, ratio: float) -> np.ndarray:
    out = np.clip(ratio * _float(a) + (1.0 - ratio) * b, 0, max_value(a.dtype))
    return out.astype(a.dtype)  # integers truncate, as torch's .to(uint8)


def _check_factor(name: str, factor: float) -> None:
    if factor < 0:
        raise ValueError(f"{name} ({factor}) is not non-negative.")


def adjust_brightness(a: np.ndarray, factor: float) -> np.ndarray:
    _check_factor("brightness_factor", factor)
    _channels(a, "adjust_brightness")
    return _blend(a, 0.0, factor)


def adjust_contrast(a: np.ndarray, factor: float) -> np.ndarray:
    _check_factor("contrast_factor", factor)
    c = _channels(a, "adjust_contrast")
    if c == 3:
        g = rgb_to_grayscale(a, preserve_dtype=False)
        g = g if np.issubdtype(a.dtype, np.floating) else np.floor(g)
    else:
        g = _float(a)
    return _blend(a, g.mean(axis=(-3, -2, -1), keepdims=True), factor)


def adjust_saturation(a: np.ndarray, factor: float) -> np.ndarray:
    _check_factor("saturation_factor", factor)
    if _channels(a, "adjust_saturation") == 1:
        return a.copy()
    g = rgb_to_grayscale(a, preserve_dtype=False)
    return _blend(a, g if np.issubdtype(a.dtype, np.floating) else np.floor(g), factor)


def rgb_to_hsv(a: np.ndarray) -> np.ndarray:
    r, g, b = a[..., 0, :, :], a[..., 1, :, :], a[..., 2, :, :]
    maxc, minc = a.max(axis=-3), a.min(axis=-3)
    eqc = maxc == minc
    rng = maxc - minc
    s = rng / np.where(eqc, 1, maxc)
    div = np.where(eqc, 1, rng)
    rc, gc, bc = (maxc - r) / div, (maxc - g) / div, (maxc - b) / div
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = np.fmod((hr + hg + hb) / 6.0 + 1.0, 1.0)
    return np.stack([h, s, maxc], axis=-3)


def hsv_to_rgb(a: np.ndarray) -> np.ndarray:
    h, s, v = a[..., 0, :, :], a[..., 1, :, :], a[..., 2, :, :]
    i = np.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.astype(np.int64) % 6
    p = np.clip(v * (1.0 - s), 0.0, 1.0)
    q = np.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = np.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    table = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)]
    out = [np.select([i == k for k in range(6)], [row[ch] for row in table]) for ch in range(3)]
    return np.stack(out, axis=-3).astype(a.dtype)


def adjust_hue(a: np.ndarray, factor: float) -> np.ndarray:
    if not -0.5 <= factor <= 0.5:
        raise ValueError(f"hue_factor ({factor}) is not in [-0.5, 0.5].")
    if _channels(a, "adjust_hue") == 1:
        return a.copy()
    is_int = np.issubdtype(a.dtype, np.integer)
    f = _float(a) / max_value(a.dtype) if is_int else a
    hsv = rgb_to_hsv(f)
    hsv[..., 0, :, :] = np.mod(hsv[..., 0, :, :] + factor, 1.0)
    rgb = hsv_to_rgb(hsv)
    if is_int:  # torchvision's float -> int conversion: x * (max + 1 - 1e-3), truncated
        return (rgb * (max_value(a.dtype) + 1.0 - 1e-3)).astype(a.dtype)
    return rgb


def gaussian_kernel1d(kernel_size: int, sigma: float) -> np.ndarray:
    half = (kernel_size - 1) * 0.5
    x = np.linspace(-half, half, kernel_size)
    pdf = np.exp(-0.5 * (x / sigma) ** 2)
    return pdf / pdf.sum()


def gaussian_blur(a: np.ndarray, kernel_size: tuple, sigma: tuple) -> np.ndarray:
    """``kernel_size`` and ``sigma`` are (x, y) pairs, as torchvision's."""
    kx, ky = kernel_size
    work = _float(a)
    wx = gaussian_kernel1d(kx, sigma[0]).astype(work.dtype)
    wy = gaussian_kernel1d(ky, sigma[1]).astype(work.dtype)
    lead = [(0, 0)] * (a.ndim - 2)
    p = np.pad(work, lead + [(ky // 2, ky // 2), (kx // 2, kx // 2)], mode="reflect")
    h, w = a.shape[-2:]
    rows = sum(wy[i] * p[..., i:i + h, :] for i in range(ky))
    out = sum(wx[j] * rows[..., :, j:j + w] for j in range(kx))
    return cast_like(out, a.dtype)


def normalize(a: np.ndarray, mean, std) -> np.ndarray:
    if not np.issubdtype(a.dtype, np.floating):
        raise TypeError(f"Input tensor should be a float tensor. Got {a.dtype}.")
    mean = np.asarray(mean, dtype=a.dtype).reshape(-1, 1, 1)
    std = np.asarray(std, dtype=a.dtype).reshape(-1, 1, 1)
    if (std == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {a.dtype}, leading to division by zero.")
    return (a - mean) / std


def convert_dtype(a: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """torchvision's value-range conversion (``ToDtype(scale=True)``/``convert_image_dtype``)."""
    dtype = np.dtype(dtype)
    src_float, dst_float = np.issubdtype(a.dtype, np.floating), np.issubdtype(dtype, np.floating)
    if a.dtype == dtype:
        return a.copy()
    if src_float and dst_float:
        return a.astype(dtype)
    if src_float:
        return (a * (max_value(dtype) + 1.0 - 1e-3)).astype(dtype)
    if dst_float:
        return a.astype(dtype) / dtype.type(max_value(a.dtype))
    bits_in, bits_out = np.iinfo(a.dtype).bits, np.iinfo(dtype).bits
    if bits_out < bits_in:
        return (a.astype(np.int64) >> (bits_in - bits_out)).astype(dtype)
    return (a.astype(np.int64) << (bits_out - bits_in)).astype(dtype)


# --------------------------------------------------------------------------- AutoAugment's point operations
def invert(a: np.ndarray) -> np.ndarray:
    """max - x (bitwise not for uint8)."""
    return (max_value(a.dtype) - a).astype(a.dtype)


def posterize(a: np.ndarray, bits: int) -> np.ndarray:
    """Keep the ``bits`` high bits of uint8 values; floats are quantised to 2**bits levels."""
    if np.issubdtype(a.dtype, np.integer):
        return a & np.array(-(1 << (8 - bits)) & 0xFF, dtype=a.dtype)
    levels = 1 << bits
    return (np.clip(np.floor(a * levels), 0, levels - 1) / levels).astype(a.dtype)


def solarize(a: np.ndarray, threshold: float) -> np.ndarray:
    """Invert the values >= ``threshold``."""
    return np.where(a >= threshold, invert(a), a)


def autocontrast(a: np.ndarray) -> np.ndarray:
    """Stretch each channel's [min, max] to the full range (a constant channel is left alone)."""
    bound = max_value(a.dtype)
    lo = a.min(axis=(-2, -1), keepdims=True).astype(np.float32)
    hi = a.max(axis=(-2, -1), keepdims=True).astype(np.float32)
    flat = hi == lo
    inv_scale = np.where(flat, 1.0, (hi - lo) / bound)
    lo = np.where(flat, 0.0, lo)
    return np.clip((_float(a) - lo) / inv_scale, 0, bound).astype(a.dtype)


def _equalize_channel(ch: np.ndarray) -> np.ndarray:
    hist = np.bincount(ch.reshape(-1), minlength=256)
    nonzero = hist[hist != 0]
    step = int(nonzero[:-1].sum()) // 255
    if step == 0:
        return ch
    lut = (np.cumsum(hist) + step // 2) // step
    lut = np.clip(np.concatenate([[0], lut[:-1]]), 0, 255).astype(np.uint8)
    return lut[ch]


def equalize(a: np.ndarray) -> np.ndarray:
    """Histogram equalisation per channel (PIL's ImageOps.equalize rule); floats go through uint8."""
    if a.dtype != np.uint8:
        return convert_dtype(equalize(convert_dtype(a, np.uint8)), a.dtype)
    flat = a.reshape(-1, *a.shape[-2:])
    return np.stack([_equalize_channel(ch) for ch in flat]).reshape(a.shape)


def adjust_sharpness(a: np.ndarray, factor: float) -> np.ndarray:
    """Blend the interior with a 3x3 smoothing (1s around a 5, over 13): factor 0 blurs, 1 is the identity."""
    _check_factor("sharpness_factor", factor)
    if a.shape[-1] <= 2 or a.shape[-2] <= 2:
        return a.copy()
    f = _float(a)
    k = np.full((3, 3), 1.0 / 13.0, dtype=f.dtype)
    k[1, 1] = 5.0 / 13.0
    h, w = a.shape[-2:]
    blur = sum(k[i, j] * f[..., i:h - 2 + i, j:w - 2 + j] for i in range(3) for j in range(3))
    if np.issubdtype(a.dtype, np.integer):
        blur = np.rint(blur)
    out = f.copy()
    out[..., 1:-1, 1:-1] = factor * f[..., 1:-1, 1:-1] + (1.0 - factor) * blur
    return np.clip(out, 0, max_value(a.dtype)).astype(a.dtype)
