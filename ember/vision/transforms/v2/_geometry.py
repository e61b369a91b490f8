"""Geometric transforms of ``transforms.v2``: flips, Resize, crops, Pad, RandomRotation, RandomAffine.
Images, masks and boxes in one sample move together (see :mod:`._transform`)."""
from __future__ import annotations

import math
import numbers
from typing import Sequence

import numpy as np

from .. import _color as C
from ._transform import G, Transform, image_size, interp, rng, setup_size


class RandomHorizontalFlip(Transform):
    """Mirror left-right with probability ``p``: x -> W - x for boxes."""

    def __init__(self, p: float = 0.5) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"`p` should be a floating point value in the interval [0.0, 1.0], got {p}.")
        self.p = p

    def make_params(self, flat_inputs):
        return None if rng().random() >= self.p else {}

    def _image(self, a, params):
        return a[..., ::-1].copy()

    _mask = _image

    def _boxes(self, xyxy, canvas, params):
        return G.boxes_hflip(xyxy, canvas[1]), canvas

    def extra_repr(self) -> str:
        return f"p={self.p}"


class RandomVerticalFlip(RandomHorizontalFlip):
    """Mirror top-bottom with probability ``p``: y -> H - y for boxes."""

    def _image(self, a, params):
        return a[..., ::-1, :].copy()

    _mask = _image

    def _boxes(self, xyxy, canvas, params):
        return G.boxes_vflip(xyxy, canvas[0]), canvas


class _Geometry(Transform):
    """Shared kernels for transforms described by a crop window and an output size."""

    def _image(self, a, p):
        if "pad" in p:
            a = G.pad(a, p["pad"], self.fill_value(), getattr(self, "padding_mode", "constant"))
        if "crop" in p:
            a = G.crop(a, *p["crop"])
        if "size" in p:
            a = G.resize(a, p["size"], interp(self.interpolation), getattr(self, "antialias", True))
        return a

    def _mask(self, a, p):
        if "pad" in p:
            a = G.pad(a, p["pad"], 0, getattr(self, "padding_mode", "constant"))
        if "crop" in p:
            a = G.crop(a, *p["crop"])
        if "size" in p:
            a = G.resize(a, p["size"], "nearest")
        return a

    def _boxes(self, b, canvas, p):
        if "pad" in p:
            l, t, r, bo = p["pad"]  # noqa: E741
            b = b + np.array([l, t, l, t])
            canvas = (canvas[0] + t + bo, canvas[1] + l + r)
        if "crop" in p:
            top, left, h, w = p["crop"]
            b, canvas = G.boxes_crop(b, top, left, h, w), (h, w)
        if "size" in p:
            b, canvas = G.boxes_resize(b, canvas, p["size"]), tuple(p["size"])
        return b, canvas

    def fill_value(self):
        return getattr(self, "fill", 0)


class Resize(_Geometry):
    """Resize to ``size``: (h, w), or an int for the shorter side (keeping the aspect ratio, longer side at
    most ``max_size``). ``antialias`` filters when shrinking (bilinear/bicubic), as torchvision's default.

    Shape: (..., C, H, W) -> (..., C, h, w) (HWC arrays and PIL images keep their layout).

    >>> import ember
    >>> Resize(4)(ember.ones(3, 8, 12)).shape
    ember.Size([3, 4, 6])
    """

    def __init__(self, size, interpolation="bilinear", max_size: int | None = None, antialias: bool = True) -> None:
        self.size, self.interpolation, self.max_size, self.antialias = size, interpolation, max_size, antialias

    def make_params(self, flat_inputs):
        h, w = image_size(flat_inputs)
        return {"size": G.output_size(self.size, h, w, self.max_size)}

    def extra_repr(self) -> str:
        return f"size={self.size}, interpolation={interp(self.interpolation)}, antialias={self.antialias}"


class CenterCrop(_Geometry):
    """The central ``size`` window (zero-padded when the image is smaller)."""

    def __init__(self, size) -> None:
        self.size = setup_size(size)

    def make_params(self, flat_inputs):
        h, w = image_size(flat_inputs)
        ch, cw = self.size
        top = int(round((h - ch) / 2.0)) if ch <= h else -((ch - h) // 2)
        left = int(round((w - cw) / 2.0)) if cw <= w else -((cw - w) // 2)
        return {"crop": (top, left, ch, cw)}

    def extra_repr(self) -> str:
        return f"size={self.size}"


class Pad(_Geometry):
    """Pad the borders: ``padding`` int, (lr, tb) or (l, t, r, b); ``padding_mode`` constant (with ``fill``),
    edge, reflect or symmetric."""

    def __init__(self, padding, fill=0, padding_mode: str = "constant") -> None:
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode
        self.ltrb = G.pad_ltrb(padding)

    def make_params(self, flat_inputs):
        return {"pad": self.ltrb}

    def extra_repr(self) -> str:
        return f"padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode}"


class RandomCrop(_Geometry):
    """A random ``size`` window, after optional ``padding`` (and padding to the crop size when
    ``pad_if_needed``)."""

    def __init__(self, size, padding=None, pad_if_needed: bool = False, fill=0, padding_mode="constant") -> None:
        self.size = setup_size(size)
        self.padding, self.pad_if_needed, self.fill, self.padding_mode = padding, pad_if_needed, fill, padding_mode
        self.ltrb = G.pad_ltrb(padding) if padding is not None else (0, 0, 0, 0)

    def make_params(self, flat_inputs):
        h, w = image_size(flat_inputs)
        l, t, r, b = self.ltrb  # noqa: E741
        ph, pw = h + t + b, w + l + r
        ch, cw = self.size
        if self.pad_if_needed and pw < cw:
            l, r, pw = l + cw - pw, r + cw - pw, pw + 2 * (cw - pw)  # noqa: E741
        if self.pad_if_needed and ph < ch:
            t, b, ph = t + ch - ph, b + ch - ph, ph + 2 * (ch - ph)
        if ph < ch or pw < cw:
            raise ValueError(f"Required crop size {(ch, cw)} is larger than input image size {(ph, pw)}")
        top = int(rng().integers(0, ph - ch + 1))
        left = int(rng().integers(0, pw - cw + 1))
        params = {"crop": (top, left, ch, cw)}
        if (l, t, r, b) != (0, 0, 0, 0):
            params["pad"] = (l, t, r, b)
        return params

    def extra_repr(self) -> str:
        return f"size={self.size}, padding={self.padding}"


class RandomResizedCrop(_Geometry):
    """A crop of random area (``scale`` of the image) and aspect ratio (log-uniform in ``ratio``), resized to
    ``size``; after 10 failed draws, the central crop clamped to ``ratio``."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0), interpolation="bilinear",
                 antialias: bool = True) -> None:
        self.size = setup_size(size)
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            raise ValueError("Scale and ratio should be of kind (min, max)")
        self.scale, self.ratio, self.interpolation, self.antialias = scale, ratio, interpolation, antialias

    def make_params(self, flat_inputs):
        h, w = image_size(flat_inputs)
        g = rng()
        log_ratio = (math.log(self.ratio[0]), math.log(self.ratio[1]))
        for _ in range(10):
            area = h * w * g.uniform(*self.scale)
            aspect = math.exp(g.uniform(*log_ratio))
            cw, ch = int(round(math.sqrt(area * aspect))), int(round(math.sqrt(area / aspect)))
            if 0 < cw <= w and 0 < ch <= h:
                top, left = int(g.integers(0, h - ch + 1)), int(g.integers(0, w - cw + 1))
                return {"crop": (top, left, ch, cw), "size": self.size}
        in_ratio = w / h
        if in_ratio < min(self.ratio):
            cw, ch = w, int(round(w / min(self.ratio)))
        elif in_ratio > max(self.ratio):
            ch, cw = h, int(round(h * max(self.ratio)))
        else:
            ch, cw = h, w
        return {"crop": ((h - ch) // 2, (w - cw) // 2, ch, cw), "size": self.size}

    def extra_repr(self) -> str:
        return f"size={self.size}, scale={self.scale}, ratio={self.ratio}"


def _range(value, name: str, center: float = 0.0) -> tuple:
    if isinstance(value, numbers.Number):
        if value < 0:
            raise ValueError(f"If {name} is a single number, it must be positive.")
        return (center - float(value), center + float(value))
    if len(value) != 2:
        raise ValueError(f"If {name} is a sequence, it must be of len 2.")
    return float(value[0]), float(value[1])


class _Warp(Transform):
    """Shared kernels of RandomRotation and RandomAffine: params hold the inverse map and output canvas."""

    def _plan(self, h: int, w: int, angle, translate, scale, shear, center, expand) -> dict:
        c = (w * 0.5, h * 0.5) if center is None else tuple(center)
        inv = G.inverse_affine(c, angle, translate, scale, shear)
        out, offset = ((h, w), (0.0, 0.0))
        if expand:
            out, offset = G.expanded_size(inv, h, w)
        return {"inv": inv, "out": out, "offset": offset}

    def _image(self, a, p):
        return G.warp(a, p["inv"], p["out"], p["offset"], interp(self.interpolation), self.fill)

    def _mask(self, a, p):
        return G.warp(a, p["inv"], p["out"], p["offset"], "nearest", self.fill)

    def _boxes(self, b, canvas, p):
        return G.boxes_affine(b, p["inv"], p["offset"], p["out"]), p["out"]


class RandomRotation(_Warp):
    """Rotate by an angle uniform in ``degrees`` (counter-clockwise, about ``center`` or the image centre);
    ``expand`` grows the canvas to hold the whole image; outside pixels take ``fill``."""

    def __init__(self, degrees, interpolation="nearest", expand: bool = False, center: Sequence | None = None,
                 fill=0) -> None:
        self.degrees = _range(degrees, "degrees")
        self.interpolation, self.expand, self.center, self.fill = interpolation, expand, center, fill

    def make_params(self, flat_inputs):
        h, w = image_size(flat_inputs)
        angle = rng().uniform(*self.degrees)
        return self._plan(h, w, -angle, (0.0, 0.0), 1.0, (0.0, 0.0), self.center, self.expand)

    def extra_repr(self) -> str:
        return f"degrees={list(self.degrees)}, interpolation={interp(self.interpolation)}, expand={self.expand}"


class RandomAffine(_Warp):
    """A random affine map about the centre: rotation uniform in ``degrees`` (clockwise, torchvision's affine
    convention), translation up to ``translate`` = (a, b) of the width/height (rounded to pixels), scale
    uniform in ``scale``, shear (degrees) uniform in ``shear`` (x only, or (x0, x1, y0, y1)).

    Each output pixel centre p samples the input at M^-1 p, M = T C R Sh S C^-1 (C: the centre).

    >>> import ember
    >>> _ = ember.manual_seed(0)
    >>> RandomAffine(degrees=0, translate=(0.5, 0.0))(ember.ones(1, 2, 4)).shape
    ember.Size([1, 2, 4])
    """

    def __init__(self, degrees, translate=None, scale=None, shear=None, interpolation="nearest", fill=0,
                 center=None) -> None:
        self.degrees = _range(degrees, "degrees")
        if translate is not None and not all(0.0 <= t <= 1.0 for t in translate):
            raise ValueError("translation values should be between 0 and 1")
        if scale is not None and any(s <= 0 for s in scale):
            raise ValueError("scale values should be positive")
        self.translate, self.scale = translate, scale
        if shear is None or isinstance(shear, numbers.Number) or len(shear) == 2:
            self.shear = None if shear is None else _range(shear, "shear")
        else:
            self.shear = tuple(float(s) for s in shear)
        self.interpolation, self.fill, self.center = interpolation, fill, center

    def make_params(self, flat_inputs):
        h, w = image_size(flat_inputs)
        g = rng()
        angle = g.uniform(*self.degrees)
        tx = ty = 0
        if self.translate is not None:
            tx = int(round(g.uniform(-self.translate[0] * w, self.translate[0] * w)))
            ty = int(round(g.uniform(-self.translate[1] * h, self.translate[1] * h)))
        scale = g.uniform(*self.scale) if self.scale is not None else 1.0
        sx = sy = 0.0
        if self.shear is not None:
            sx = g.uniform(self.shear[0], self.shear[1])
            if len(self.shear) == 4:
                sy = g.uniform(self.shear[2], self.shear[3])
        params = self._plan(h, w, angle, (tx, ty), scale, (sx, sy), self.center, False)
        params["affine"] = (angle, (tx, ty), scale, (sx, sy))
        return params

    def extra_repr(self) -> str:
        return (f"degrees={list(self.degrees)}, translate={self.translate}, scale={self.scale}, "
                f"shear={self.shear}, interpolation={interp(self.interpolation)}")


class RandomPerspective(_Warp):
    """With probability ``p``, move each image corner inwards by up to ``distortion_scale`` x half the side
    (uniform integers) and warp the image so that the corners land there (a projective map)."""

    def __init__(self, distortion_scale: float = 0.5, p: float = 0.5, interpolation="bilinear", fill=0) -> None:
        if not 0 <= distortion_scale <= 1:
            raise ValueError("Argument distortion_scale value should be between 0 and 1")
        self.distortion_scale, self.p, self.interpolation, self.fill = distortion_scale, p, interpolation, fill

    def make_params(self, flat_inputs):
        g = rng()
        if g.random() >= self.p:
            return None
        h, w = image_size(flat_inputs)
        bh, bw = int(self.distortion_scale * (h // 2)) + 1, int(self.distortion_scale * (w // 2)) + 1

        def draw(lo, hi):
            return int(g.integers(lo, hi))
        end = [[draw(0, bw), draw(0, bh)], [draw(w - bw, w), draw(0, bh)], [draw(w - bw, w), draw(h - bh, h)],
               [draw(0, bw), draw(h - bh, h)]]
        start = [[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]]
        return {"inv": G.perspective_coeffs(start, end), "out": (h, w), "offset": (0.0, 0.0)}

    def extra_repr(self) -> str:
        return f"distortion_scale={self.distortion_scale}, p={self.p}, interpolation={interp(self.interpolation)}"


def _pair_of(v, name: str) -> tuple:
    if isinstance(v, numbers.Number):
        return float(v), float(v)
    if len(v) != 2:
        raise ValueError(f"{name} should be a number or a sequence of two numbers, got {v}")
    return float(v[0]), float(v[1])


class ElasticTransform(Transform):
    """Elastic deformation (Simard et al., 2003): a displacement field of uniform noise in [-1, 1], blurred
    with a Gaussian of ``sigma`` (kernel 8 sigma + 1, odd) and scaled by ``alpha`` (torchvision's scaling:
    in normalised units, alpha / H for x and alpha / W for y); every pixel samples the input at its
    displaced position.
    Masks follow with nearest; box corners move by the displacement at their pixel."""

    def __init__(self, alpha=50.0, sigma=5.0, interpolation="bilinear", fill=0) -> None:
        self.alpha, self.sigma = _pair_of(alpha, "alpha"), _pair_of(sigma, "sigma")
        self.interpolation, self.fill = interpolation, fill

    def make_params(self, flat_inputs):
        h, w = image_size(flat_inputs)
        g = rng()
        fields = []
        for i in range(2):
            d = g.random((h, w)) * 2 - 1
            if self.sigma[i] > 0:
                k = int(8 * self.sigma[i] + 1)
                k += 1 - k % 2
                d = C.gaussian_blur(d[None], (k, k), self.sigma)[0]
            fields.append(d * self.alpha[i] / (h, w)[i])  # torchvision divides dx by H and dy by W
        # normalised displacement -> pixels: x moves by dx * W / 2, y by dy * H / 2
        return {"dx": fields[0] * w / 2, "dy": fields[1] * h / 2}

    def _grid(self, shape: tuple, p: dict) -> tuple:
        h, w = shape
        yy, xx = np.meshgrid(np.arange(h, dtype=np.float64), np.arange(w, dtype=np.float64), indexing="ij")
        return xx + p["dx"], yy + p["dy"]

    def _image(self, a, p):
        sx, sy = self._grid(a.shape[-2:], p)
        return G.sample_at(a, sx, sy, a.shape[-2:], interp(self.interpolation), self.fill)

    def _mask(self, a, p):
        sx, sy = self._grid(a.shape[-2:], p)
        return G.sample_at(a, sx, sy, a.shape[-2:], "nearest", self.fill)

    def _boxes(self, b, canvas, p):
        h, w = canvas
        xs = np.stack([b[:, 0], b[:, 2], b[:, 2], b[:, 0]], 1)
        ys = np.stack([b[:, 1], b[:, 1], b[:, 3], b[:, 3]], 1)
        xi, yi = np.clip(xs.astype(np.int64), 0, w - 1), np.clip(ys.astype(np.int64), 0, h - 1)
        px, py = xi - p["dx"][yi, xi], yi - p["dy"][yi, xi]  # torchvision's approximate inverse of the field
        out = np.stack([px.min(1), py.min(1), px.max(1), py.max(1)], 1)
        return G.clamp_boxes(out, canvas), canvas

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}, sigma={self.sigma}, interpolation={interp(self.interpolation)}"
