"""Erasing and mixing augmentations: RandomErasing (cutout), GridMask, and the batch transforms MixUp and
CutMix."""
from __future__ import annotations

import math
import numbers

import numpy as np

import ember
from ember.tensor import Tensor, wrap

from .. import _geometry as G
from ._transform import Transform, image_size, rng


class RandomErasing(Transform):
    """With probability ``p``, erase a rectangle of area ``scale`` x (image area) and aspect ratio
    log-uniform in ``ratio`` with ``value`` (a number, one per channel, or ``"random"`` for N(0, 1) noise)
    (Zhong et al., 2017; cutout).  Masks and boxes are left as they are.

    >>> import ember
    >>> _ = ember.manual_seed(0)
    >>> out = RandomErasing(p=1.0, scale=(0.25, 0.25), ratio=(1.0, 1.0))(ember.ones(1, 8, 8))
    >>> int((out == 0).sum())  # a 4x4 square
    16
    """

    def __init__(self, p: float = 0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0.0, inplace: bool = False):
        if not isinstance(value, (numbers.Number, str, tuple, list)):
            raise TypeError("Argument value should be either a number or str or a sequence")
        if isinstance(value, str) and value != "random":
            raise ValueError("If value is str, it should be 'random'")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            raise ValueError("Scale and ratio should be of kind (min, max)")
        if scale[0] < 0 or scale[1] > 1:
            raise ValueError("Scale should be between 0 and 1")
        if not 0 <= p <= 1:
            raise ValueError("Random erasing probability should be between 0 and 1")
        self.p, self.scale, self.ratio, self.value, self.inplace = p, scale, ratio, value, inplace

    def make_params(self, flat_inputs):
        g = rng()
        if g.random() >= self.p:
            return None
        h, w = image_size(flat_inputs)
        area = h * w
        log_ratio = (math.log(self.ratio[0]), math.log(self.ratio[1]))
        for _ in range(10):
            erase_area = area * g.uniform(*self.scale)
            aspect = math.exp(g.uniform(*log_ratio))
            eh, ew = int(round(math.sqrt(erase_area * aspect))), int(round(math.sqrt(erase_area / aspect)))
            if not (eh < h and ew < w):
                continue
            i, j = int(g.integers(0, h - eh + 1)), int(g.integers(0, w - ew + 1))
            return {"box": (i, j, eh, ew)}
        return {"box": None}

    def _image(self, a, p):
        if p["box"] is None:
            return a
        i, j, eh, ew = p["box"]
        out = a.copy()
        if self.value == "random":
            out[..., i:i + eh, j:j + ew] = rng().standard_normal(a.shape[:-2] + (eh, ew)).astype(a.dtype)
        else:
            v = np.asarray(self.value, dtype=np.float64)
            v = v.reshape(-1, 1, 1) if v.ndim == 1 and a.ndim >= 3 else v
            out[..., i:i + eh, j:j + ew] = v
        return out

    def extra_repr(self) -> str:
        return f"p={self.p}, scale={self.scale}, ratio={self.ratio}, value={self.value}"


class GridMask(Transform):
    """GridMask (Chen et al., 2020): with probability ``p``, drop a square of side ``d - l`` from every
    ``d x d`` cell of a grid with a random offset, where d is uniform in ``d`` = (min, max) and
    l = ceil(ratio * d) is the kept band; the kept fraction is about 1 - (1 - ratio)^2. ``rotate`` turns
    the grid by an angle uniform in [0, rotate) degrees; ``mode=0`` inverts the mask (keep the squares).
    Dropped pixels take ``fill``.

    >>> import ember
    >>> float(GridMask(d=(4, 4), ratio=0.5)(ember.ones(1, 8, 8)).mean())  # 1 - (1 - 0.5)^2
    0.75
    """

    def __init__(self, d=(96, 224), ratio: float = 0.6, rotate: float = 0.0, mode: int = 1, p: float = 1.0,
                 fill=0) -> None:
        if not 0.0 < ratio < 1.0:
            raise ValueError(f"GridMask: ratio should be in (0, 1), got {ratio}")
        if mode not in (0, 1):
            raise ValueError(f"GridMask: mode should be 0 or 1, got {mode}")
        self.d = (int(d), int(d)) if isinstance(d, numbers.Number) else (int(d[0]), int(d[1]))
        if self.d[0] < 2 or self.d[0] > self.d[1]:
            raise ValueError(f"GridMask: d should be (min, max) with 2 <= min <= max, got {d}")
        self.ratio, self.rotate, self.mode, self.p, self.fill = ratio, rotate, mode, p, fill

    def make_params(self, flat_inputs):
        g = rng()
        if g.random() >= self.p:
            return None
        h, w = image_size(flat_inputs)
        d = int(g.integers(self.d[0], self.d[1] + 1))
        keep_band = min(math.ceil(d * self.ratio), d - 1)
        dy, dx = int(g.integers(0, d)), int(g.integers(0, d))
        yy, xx = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
        dropped = (((yy + dy) % d) >= keep_band) & (((xx + dx) % d) >= keep_band)
        keep = ~dropped if self.mode == 1 else dropped
        if self.rotate:
            angle = float(g.uniform(0, self.rotate))
            inv = G.inverse_affine((w / 2, h / 2), angle, (0, 0), 1.0, (0, 0))
            keep = G.warp(keep.astype(np.float32), inv, (h, w), mode="nearest", fill=1.0) > 0.5
        return {"keep": keep}

    def _image(self, a, p):
        return np.where(p["keep"], a, np.asarray(self.fill, dtype=a.dtype)).astype(a.dtype)

    def extra_repr(self) -> str:
        return f"d={self.d}, ratio={self.ratio}, rotate={self.rotate}, mode={self.mode}, p={self.p}"


class _BatchMix:
    """Shared input handling of MixUp and CutMix: a batch (images (B, C, H, W), labels (B,) int or (B, K))."""

    def __init__(self, *, alpha: float = 1.0, num_classes: int | None = None, labels_getter="default") -> None:
        if alpha <= 0:
            raise ValueError(f"{type(self).__name__}: alpha should be > 0, got {alpha}")
        self.alpha, self.num_classes = float(alpha), num_classes

    def _unpack(self, inputs: tuple) -> tuple:
        sample = inputs if len(inputs) > 1 else inputs[0]
        if isinstance(sample, dict):
            images, labels = sample.get("image", sample.get("images")), sample.get("labels", sample.get("label"))
        elif isinstance(sample, (tuple, list)) and len(sample) == 2:
            images, labels = sample
        else:
            raise ValueError(f"{type(self).__name__}: expected (images, labels), got {type(sample).__name__}")
        if not isinstance(images, Tensor) or images.ndim != 4:
            raise ValueError(f"{type(self).__name__}: images should be a batched tensor (B, C, H, W), got "
                             f"{getattr(images, 'shape', type(images))}")
        if not isinstance(labels, Tensor) or labels.shape[0] != images.shape[0]:
            raise ValueError(f"{type(self).__name__}: labels should be a tensor with one row per image")
        if labels.ndim == 1:
            if self.num_classes is None:
                raise ValueError(f"{type(self).__name__}: pass num_classes to one-hot encode integer labels")
            onehot = np.eye(self.num_classes, dtype=np.float32)[labels.numpy()]
        else:
            onehot = labels.numpy().astype(np.float32)
        return images, onehot

    def _lam(self) -> float:
        return float(rng().beta(self.alpha, self.alpha))

    @staticmethod
    def _mix_labels(onehot: np.ndarray, lam: float) -> Tensor:
        return wrap(np.roll(onehot, 1, axis=0) * (1 - lam) + onehot * lam)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(alpha={self.alpha}, num_classes={self.num_classes})"


class MixUp(_BatchMix):
    """MixUp (Zhang et al., 2018) on a batch: lam ~ Beta(alpha, alpha); each image and one-hot label
    becomes lam * own + (1 - lam) * the previous sample's (the batch rolled by one).

    >>> import ember
    >>> from ember.vision.transforms import v2
    >>> x, y = v2.MixUp(alpha=1.0, num_classes=3)(ember.rand(4, 3, 8, 8), ember.tensor([0, 1, 2, 0]))
    >>> tuple(y.shape), bool(ember.allclose(y.sum(1), ember.ones(4)))
    ((4, 3), True)
    """

    def __call__(self, *inputs):
        images, onehot = self._unpack(inputs)
        lam = self._lam()
        mixed = images.roll(1, 0) * (1 - lam) + images * lam
        return mixed, self._mix_labels(onehot, lam)


class CutMix(_BatchMix):
    """CutMix (Yun et al., 2019) on a batch: lam ~ Beta(alpha, alpha); a box of area about (1 - lam) H W at a
    uniform centre is pasted from the previous sample (the batch rolled by one); the labels mix by the
    pasted area's actual share."""

    def __call__(self, *inputs):
        images, onehot = self._unpack(inputs)
        lam = self._lam()
        h, w = images.shape[-2:]
        g = rng()
        cx, cy = int(g.integers(0, w)), int(g.integers(0, h))
        r = 0.5 * math.sqrt(1.0 - lam)
        rw, rh = int(r * w), int(r * h)
        x1, y1, x2, y2 = max(cx - rw, 0), max(cy - rh, 0), min(cx + rw, w), min(cy + rh, h)
        out = images.detach().numpy().copy()
        out[..., y1:y2, x1:x2] = np.roll(out, 1, axis=0)[..., y1:y2, x1:x2]
        lam_adjusted = 1.0 - (x2 - x1) * (y2 - y1) / (w * h)
        return ember.from_numpy(out), self._mix_labels(onehot, lam_adjusted)
