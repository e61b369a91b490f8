"""Geometry kernels on NumPy arrays whose last two dims are (H, W): resize, crop, pad, flips, affine warps
(rotation, translation, scale, shear) and the matching box kernels on (N, 4) xyxy arrays.

Conventions follow torchvision's tensor kernels: pixel (i, j) covers [j, j+1) x [i, i+1) and its centre is
(j + 0.5, i + 0.5); resize uses half-pixel centres (``align_corners=False``); a warp maps every output
pixel centre through the *inverse* affine map and samples the input there (``grid_sample`` with zeros
outside), as ``torchvision.transforms.v2.functional.affine``/``rotate`` do.
"""
from __future__ import annotations

import enum
import math

import numpy as np


def cast_like(out: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Float results back to the input's dtype: integers are rounded and clipped to their range."""
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return np.clip(np.rint(out), info.min, info.max).astype(dtype)
    if dtype == np.bool_:
        return out > 0.5
    return out.astype(dtype, copy=False)


def _work_dtype(dtype: np.dtype) -> np.dtype:
    return dtype if dtype in (np.float32, np.float64) else np.dtype(np.float32)


# --------------------------------------------------------------------------- resize
def _cubic(x: np.ndarray, a: float) -> np.ndarray:
    x = np.abs(x)
    return np.where(x <= 1, ((a + 2) * x - (a + 3)) * x * x + 1,
                    np.where(x < 2, (((x - 5) * x + 8) * x - 4) * a, 0.0))


def _resize_matrix(n_in: int, n_out: int, mode: str, antialias: bool) -> np.ndarray:
    """(n_out, n_in) interpolation weights along one axis (torch's ``interpolate`` rules)."""
    scale = n_in / n_out
    i = np.arange(n_out)
    mat = np.zeros((n_out, n_in))
    if mode in ("nearest", "nearest-exact"):
        src = np.floor((i + 0.5) * scale) if mode == "nearest-exact" else np.floor(i * scale)
        mat[i, np.minimum(src.astype(np.int64), n_in - 1)] = 1.0
        return mat
    if antialias and mode in ("bilinear", "bicubic"):  # PIL-style filter, widened by the scale when shrinking
        half = 1.0 if mode == "bilinear" else 2.0
        support = half * scale if scale >= 1.0 else half
        inv = 1.0 / scale if scale >= 1.0 else 1.0
        for o in range(n_out):
            centre = scale * (o + 0.5)
            lo = max(int(centre - support + 0.5), 0)
            hi = min(int(centre + support + 0.5), n_in)
            x = (np.arange(lo, hi) - centre + 0.5) * inv
            w = np.maximum(1 - np.abs(x), 0) if mode == "bilinear" else _cubic(x, -0.5)
            mat[o, lo:hi] = w / w.sum() if w.sum() != 0 else w
        return mat
    src = (i + 0.5) * scale - 0.5
    if mode == "bilinear":
        src = np.maximum(src, 0.0)
        lo = np.floor(src).astype(np.int64)
        frac = src - lo
        lo = np.minimum(lo, n_in - 1)
        np.add.at(mat, (i, lo), 1 - frac)
        np.add.at(mat, (i, np.minimum(lo + 1, n_in - 1)), frac)
        return mat
    if mode == "bicubic":
        lo = np.floor(src).astype(np.int64)
        t = src - lo
        for k in range(-1, 3):
            np.add.at(mat, (i, np.clip(lo + k, 0, n_in - 1)), _cubic(t - k, -0.75))
        return mat
    raise ValueError(f"resize: interpolation {mode!r} is not supported; use nearest, nearest-exact, "
                     "bilinear or bicubic")


def resize(a: np.ndarray, size: tuple, mode: str = "bilinear", antialias: bool = True) -> np.ndarray:
    """Resize the last two dims to ``size`` = (h, w)."""
    h, w = a.shape[-2:]
    oh, ow = size
    if (h, w) == (oh, ow):
        return a.copy()
    if mode in ("nearest", "nearest-exact"):
        ry = _resize_matrix(h, oh, mode, False).argmax(1)
        rx = _resize_matrix(w, ow, mode, False).argmax(1)
        return a[..., ry[:, None], rx[None, :]].copy()
    work = _work_dtype(a.dtype)
    my = _resize_matrix(h, oh, mode, antialias).astype(work)
    mx = _resize_matrix(w, ow, mode, antialias).astype(work)
    out = np.matmul(np.matmul(my, a.astype(work)), mx.T)
    if mode == "bicubic" and a.dtype == np.uint8:
        out = np.clip(out, 0, 255)
    return cast_like(out, a.dtype)


def output_size(size, h: int, w: int, max_size: int | None = None) -> tuple:
    """torchvision's rule: an int (or 1-sequence) sets the shorter side and keeps the aspect ratio, capped so
    that the longer side is at most ``max_size``; a pair is (h, w); ``None`` scales the longer side to
    ``max_size``."""
    if size is None:
        if max_size is None:
            raise ValueError("resize: size=None needs max_size")
        scale = max_size / max(h, w)
        return int(h * scale), int(w * scale)
    if isinstance(size, (list, tuple)) and len(size) == 2:
        if max_size is not None:
            raise ValueError("max_size should only be passed if size specifies the length of the smaller edge, "
                             f"i.e. size should be an int or a sequence of length 1; got size={size}")
        return int(size[0]), int(size[1])
    requested = int(size[0] if isinstance(size, (list, tuple)) else size)
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = requested, int(requested * long / short)
    if max_size is not None:
        if max_size <= requested:
            raise ValueError(f"max_size = {max_size} must be strictly greater than the requested size for the "
                             f"smaller edge size = {size}")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    return (new_long, new_short) if w <= h else (new_short, new_long)


# --------------------------------------------------------------------------- crop, pad, flip
def pad(a: np.ndarray, ltrb: tuple, fill=0, mode: str = "constant") -> np.ndarray:
    """Pad (left, top, right, bottom); modes constant/edge/reflect/symmetric (negative values crop)."""
    l, t, r, b = (int(v) for v in ltrb)  # noqa: E741
    h, w = a.shape[-2:]
    a = a[..., max(-t, 0):h - max(-b, 0), max(-l, 0):w - max(-r, 0)]
    width = [(0, 0)] * (a.ndim - 2) + [(max(t, 0), max(b, 0)), (max(l, 0), max(r, 0))]
    if mode == "constant":
        if isinstance(fill, (list, tuple)) and a.ndim >= 3 and len(fill) == a.shape[-3]:
            return np.stack([np.pad(a[..., c, :, :], width[:-3] + width[-2:], constant_values=f)
                             for c, f in enumerate(fill)], axis=-3)
        return np.pad(a, width, mode="constant", constant_values=fill if np.isscalar(fill) else fill[0])
    if mode not in ("edge", "reflect", "symmetric"):
        raise ValueError(f"pad: padding_mode should be constant, edge, reflect or symmetric, got {mode!r}")
    return np.pad(a, width, mode=mode)


def crop(a: np.ndarray, top: int, left: int, height: int, width: int) -> np.ndarray:
    """a[..., top:top+height, left:left+width], zero-padded where the window leaves the image."""
    h, w = a.shape[-2:]
    if top < 0 or left < 0 or top + height > h or left + width > w:
        a = pad(a, (max(-left, 0), max(-top, 0), max(left + width - w, 0), max(top + height - h, 0)))
        top, left = max(top, 0), max(left, 0)
    return a[..., top:top + height, left:left + width].copy()


def pad_ltrb(padding) -> tuple:
    """torchvision's padding spellings (int, [all], [lr, tb], [l, t, r, b]) -> (l, t, r, b)."""
    if isinstance(padding, (int, np.integer)):
        return (int(padding),) * 4
    p = [int(v) for v in padding]
    if len(p) == 1:
        return (p[0],) * 4
    if len(p) == 2:
        return p[0], p[1], p[0], p[1]
    if len(p) == 4:
        return tuple(p)
    raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(p)} element tuple")


# --------------------------------------------------------------------------- affine warps
def inverse_affine(center: tuple, angle: float, translate: tuple, scale: float, shear: tuple) -> np.ndarray:
    """3x3 map from output to input coordinates for x_out = T C R S Sh C^-1 x_in (torchvision's convention:
    ``angle`` in degrees, clockwise on the screen since y points down; ``shear`` in degrees (x, y))."""
    rot, sx, sy = math.radians(angle), math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    forward = np.array([[a * scale, b * scale, 0.0], [c * scale, d * scale, 0.0], [0.0, 0.0, 1.0]])
    shift = np.array([[1.0, 0.0, cx + tx], [0.0, 1.0, cy + ty], [0.0, 0.0, 1.0]])
    unshift = np.array([[1.0, 0.0, -cx], [0.0, 1.0, -cy], [0.0, 0.0, 1.0]])
    return np.linalg.inv(shift @ forward @ unshift)


def expanded_size(inv: np.ndarray, h: int, w: int) -> tuple:
    """Output (h, w) and offset (dx, dy) of the canvas that holds the whole warped image (``expand=True``)."""
    fwd = np.linalg.inv(inv)
    corners = np.array([[0, 0, 1], [w, 0, 1], [w, h, 1], [0, h, 1]], dtype=np.float64).T
    pts = (fwd @ corners)[:2] - np.array([[w / 2], [h / 2]])
    tol = 1e-4
    hi = np.ceil(np.trunc(pts.max(axis=1) / tol) * tol)
    lo = np.floor(np.trunc(pts.min(axis=1) / tol) * tol)
    ow, oh = (hi - lo).astype(int)
    return (int(oh), int(ow)), ((ow - w) / 2, (oh - h) / 2)


def _sample(a: np.ndarray, x: np.ndarray, y: np.ndarray, mode: str) -> np.ndarray:
    """grid_sample with zeros outside: values of ``a`` (..., H, W) at pixel-index coordinates (x, y)."""
    h, w = a.shape[-2:]
    if mode == "nearest":
        xi, yi = np.rint(x).astype(np.int64), np.rint(y).astype(np.int64)
        ok = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
        return np.where(ok, a[..., np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)], 0)
    x0, y0 = np.floor(x).astype(np.int64), np.floor(y).astype(np.int64)
    fx, fy = (x - x0).astype(a.dtype), (y - y0).astype(a.dtype)
    out = 0
    for dy, wy in ((0, 1 - fy), (1, fy)):
        for dx, wx in ((0, 1 - fx), (1, fx)):
            xi, yi = x0 + dx, y0 + dy
            ok = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
            out = out + np.where(ok, a[..., np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)], 0) * (wx * wy)
    return out


def warp(a: np.ndarray, inv: np.ndarray, out_hw: tuple, offset: tuple = (0.0, 0.0), mode: str = "nearest",
         fill=0) -> np.ndarray:
    """Warp the last two dims: output pixel centre p (shifted back by ``offset``) samples the input at inv(p)
    (``inv`` a 3x3 affine or projective map, applied in homogeneous coordinates).

    With a ``fill``, a ones-channel is warped alongside: nearest takes the fill where it is < 0.5, bilinear
    blends ``img * mask + fill * (1 - mask)`` (torchvision's rule). ``fill=None`` leaves zeros."""
    oh, ow = out_hw
    yy, xx = np.meshgrid(np.arange(oh) + 0.5 - offset[1], np.arange(ow) + 0.5 - offset[0], indexing="ij")
    den = inv[2, 0] * xx + inv[2, 1] * yy + inv[2, 2]  # 1 for affine maps; projective (perspective) otherwise
    sx = (inv[0, 0] * xx + inv[0, 1] * yy + inv[0, 2]) / den - 0.5
    sy = (inv[1, 0] * xx + inv[1, 1] * yy + inv[1, 2]) / den - 0.5
    return sample_at(a, sx, sy, (oh, ow), mode, fill)


def sample_at(a: np.ndarray, sx: np.ndarray, sy: np.ndarray, out_hw: tuple, mode: str, fill) -> np.ndarray:
    """Sample ``a`` at pixel-index coordinates (sx, sy) of shape ``out_hw`` (grid_sample, zeros outside), with
    torchvision's fill rule (see :func:`warp`)."""
    if mode not in ("nearest", "bilinear"):
        raise ValueError(f"warp: interpolation should be nearest or bilinear, got {mode!r}")
    oh, ow = out_hw
    work = _work_dtype(a.dtype)
    src = a.astype(work)
    out = _sample(src, sx, sy, mode)
    if fill is not None:
        mask = _sample(np.ones(a.shape[-2:], work), sx, sy, mode)
        f = np.asarray(fill, dtype=work)
        if f.ndim == 1 and a.ndim >= 3:
            f = f[:, None, None] if len(f) == a.shape[-3] else f[0]
        out = np.where(mask < 0.5, f, out) if mode == "nearest" else out * mask + f * (1 - mask)
    return cast_like(np.broadcast_to(out, a.shape[:-2] + (oh, ow)), a.dtype)


def perspective_coeffs(startpoints, endpoints) -> np.ndarray:
    """The 3x3 projective map taking each end point (output) to its start point (input), by least squares on
    the 8 linear equations (torchvision's ``_get_perspective_coeffs``)."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(endpoints, startpoints):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    c = np.linalg.lstsq(np.array(rows, dtype=np.float64), np.array(rhs, dtype=np.float64), rcond=None)[0]
    return np.append(c.astype(np.float32).astype(np.float64), 1.0).reshape(3, 3)


# --------------------------------------------------------------------------- boxes (N, 4) xyxy
def boxes_affine(boxes: np.ndarray, inv: np.ndarray, offset: tuple, canvas: tuple) -> np.ndarray:
    """Enclosing boxes of the warped corners (affine or projective ``inv``), clamped to the output canvas."""
    fwd = np.linalg.inv(inv)
    x1, y1, x2, y2 = boxes.T.astype(np.float64)
    xs = np.stack([x1, x2, x2, x1], axis=1)
    ys = np.stack([y1, y1, y2, y2], axis=1)
    den = fwd[2, 0] * xs + fwd[2, 1] * ys + fwd[2, 2]
    px = (fwd[0, 0] * xs + fwd[0, 1] * ys + fwd[0, 2]) / den + offset[0]
    py = (fwd[1, 0] * xs + fwd[1, 1] * ys + fwd[1, 2]) / den + offset[1]
    out = np.stack([px.min(1), py.min(1), px.max(1), py.max(1)], axis=1)
    return clamp_boxes(out, canvas)


def clamp_boxes(boxes: np.ndarray, canvas: tuple) -> np.ndarray:
    h, w = canvas
    out = np.array(boxes, dtype=np.float64)
    out[:, 0::2] = out[:, 0::2].clip(0, w)
    out[:, 1::2] = out[:, 1::2].clip(0, h)
    return out


def boxes_hflip(boxes: np.ndarray, w: int) -> np.ndarray:
    return np.stack([w - boxes[:, 2], boxes[:, 1], w - boxes[:, 0], boxes[:, 3]], axis=1)


def boxes_vflip(boxes: np.ndarray, h: int) -> np.ndarray:
    return np.stack([boxes[:, 0], h - boxes[:, 3], boxes[:, 2], h - boxes[:, 1]], axis=1)


def boxes_crop(boxes: np.ndarray, top: int, left: int, height: int, width: int) -> np.ndarray:
    return clamp_boxes(boxes - np.array([left, top, left, top]), (height, width))


def boxes_resize(boxes: np.ndarray, old: tuple, new: tuple) -> np.ndarray:
    sy, sx = new[0] / old[0], new[1] / old[1]
    return boxes * np.array([sx, sy, sx, sy])


class InterpolationMode(str, enum.Enum):
    """Interpolation names, as torchvision's (``InterpolationMode.BILINEAR.value == "bilinear"``)."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
