"""Policy augmentations with ``transforms.v2``'s names and magnitude tables: ``RandAugment`` (Cubuk et al.,
2020) and ``TrivialAugmentWide`` (Müller & Hutter, 2021), and the single random point operations
``RandomInvert``, ``RandomPosterize``, ``RandomSolarize``, ``RandomAdjustSharpness``, ``RandomAutocontrast``,
``RandomEqualize``. They change images only (masks and boxes pass through, as torchvision's policies)."""
from __future__ import annotations

import math

import numpy as np

from .. import _color as C
from .. import _geometry as G
from ._transform import Transform, image_size, interp, rng


def _apply_op(a: np.ndarray, op: str, magnitude: float, interpolation: str, fill) -> np.ndarray:
    """One named operation at one magnitude (torchvision's AutoAugment conventions)."""
    h, w = a.shape[-2:]
    if op == "Identity":
        return a
    if op in ("ShearX", "ShearY"):
        deg = math.degrees(math.atan(magnitude))
        shear = (deg, 0.0) if op == "ShearX" else (0.0, deg)
        return G.warp(a, G.inverse_affine((0.0, 0.0), 0.0, (0, 0), 1.0, shear), (h, w), mode=interpolation, fill=fill)
    if op in ("TranslateX", "TranslateY"):
        t = (int(magnitude), 0) if op == "TranslateX" else (0, int(magnitude))
        return G.warp(a, G.inverse_affine((w / 2, h / 2), 0.0, t, 1.0, (0.0, 0.0)), (h, w), mode=interpolation,
                      fill=fill)
    if op == "Rotate":
        return G.warp(a, G.inverse_affine((w / 2, h / 2), -magnitude, (0, 0), 1.0, (0.0, 0.0)), (h, w),
                      mode=interpolation, fill=fill)
    if op == "Brightness":
        return C.adjust_brightness(a, 1.0 + magnitude)
    if op == "Color":
        return C.adjust_saturation(a, 1.0 + magnitude)
    if op == "Contrast":
        return C.adjust_contrast(a, 1.0 + magnitude)
    if op == "Sharpness":
        return C.adjust_sharpness(a, 1.0 + magnitude)
    if op == "Posterize":
        return C.posterize(a, int(magnitude))
    if op == "Solarize":
        return C.solarize(a, C.max_value(a.dtype) * magnitude)
    if op == "AutoContrast":
        return C.autocontrast(a)
    if op == "Equalize":
        return C.equalize(a)
    if op == "Invert":
        return C.invert(a)
    raise ValueError(f"No such operation {op}")


def _linspace(hi: float):
    return lambda bins, h, w: np.linspace(0.0, hi, bins)


class _Policy(Transform):
    space: dict = {}

    def __init__(self, num_magnitude_bins: int = 31, interpolation="nearest", fill=None) -> None:
        self.num_magnitude_bins, self.interpolation, self.fill = num_magnitude_bins, interpolation, fill

    def _draw(self, h: int, w: int, bin_index) -> tuple:
        g = rng()
        names = list(self.space)
        op = names[int(g.integers(0, len(names)))]
        fn, signed = self.space[op]
        if fn is None:
            return op, 0.0
        mags = fn(self.num_magnitude_bins, h, w)
        mag = float(mags[bin_index if bin_index is not None else int(g.integers(0, self.num_magnitude_bins))])
        if signed and g.random() <= 0.5:
            mag = -mag
        return op, mag

    def _image(self, a, p):
        for op, mag in p["ops"]:
            a = _apply_op(a, op, mag, interp(self.interpolation), self.fill)
        return a


_POSTERIZE = (lambda levels: (lambda bins, h, w: np.round(8 - np.arange(bins) / ((bins - 1) / levels)).astype(int)))


class RandAugment(_Policy):
    """``num_ops`` operations drawn uniformly from 14, each at the fixed ``magnitude`` bin (of
    ``num_magnitude_bins``), with a random sign where the operation is signed."""

    space = {"Identity": (None, False), "ShearX": (_linspace(0.3), True), "ShearY": (_linspace(0.3), True),
             "TranslateX": (lambda bins, h, w: np.linspace(0.0, 150.0 / 331.0 * w, bins), True),
             "TranslateY": (lambda bins, h, w: np.linspace(0.0, 150.0 / 331.0 * h, bins), True),
             "Rotate": (_linspace(30.0), True), "Brightness": (_linspace(0.9), True), "Color": (_linspace(0.9), True),
             "Contrast": (_linspace(0.9), True), "Sharpness": (_linspace(0.9), True),
             "Posterize": (_POSTERIZE(4), False), "Solarize": (lambda bins, h, w: np.linspace(1.0, 0.0, bins), False),
             "AutoContrast": (None, False), "Equalize": (None, False)}

    def __init__(self, num_ops: int = 2, magnitude: int = 9, num_magnitude_bins: int = 31, interpolation="nearest",
                 fill=None) -> None:
        super().__init__(num_magnitude_bins, interpolation, fill)
        if not 0 <= magnitude < num_magnitude_bins:
            raise ValueError(f"magnitude must be in [0, {num_magnitude_bins}), got {magnitude}")
        self.num_ops, self.magnitude = num_ops, magnitude

    def make_params(self, flat_inputs):
        h, w = image_size(flat_inputs)
        return {"ops": [self._draw(h, w, self.magnitude) for _ in range(self.num_ops)]}

    def extra_repr(self) -> str:
        return f"num_ops={self.num_ops}, magnitude={self.magnitude}, num_magnitude_bins={self.num_magnitude_bins}"


class TrivialAugmentWide(_Policy):
    """One operation drawn uniformly from 14, at a magnitude bin drawn uniformly (the "wide" ranges)."""

    space = {"Identity": (None, False), "ShearX": (_linspace(0.99), True), "ShearY": (_linspace(0.99), True),
             "TranslateX": (_linspace(32.0), True), "TranslateY": (_linspace(32.0), True),
             "Rotate": (_linspace(135.0), True), "Brightness": (_linspace(0.99), True),
             "Color": (_linspace(0.99), True), "Contrast": (_linspace(0.99), True),
             "Sharpness": (_linspace(0.99), True), "Posterize": (_POSTERIZE(6), False),
             "Solarize": (lambda bins, h, w: np.linspace(1.0, 0.0, bins), False),
             "AutoContrast": (None, False), "Equalize": (None, False)}

    def make_params(self, flat_inputs):
        h, w = image_size(flat_inputs)
        return {"ops": [self._draw(h, w, None)]}

    def extra_repr(self) -> str:
        return f"num_magnitude_bins={self.num_magnitude_bins}"


class _RandomPoint(Transform):
    """Apply one point operation with probability ``p``."""

    op = "Identity"

    def __init__(self, p: float = 0.5) -> None:
        self.p = p

    def make_params(self, flat_inputs):
        return None if rng().random() >= self.p else {}

    def _image(self, a, p):
        return _apply_op(a, self.op, getattr(self, "magnitude", 0.0), "nearest", None)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class RandomInvert(_RandomPoint):
    op = "Invert"


class RandomAutocontrast(_RandomPoint):
    op = "AutoContrast"


class RandomEqualize(_RandomPoint):
    op = "Equalize"


class RandomPosterize(_RandomPoint):
    """Keep ``bits`` bits with probability ``p``."""

    op = "Posterize"

    def __init__(self, bits: int, p: float = 0.5) -> None:
        super().__init__(p)
        self.bits = self.magnitude = bits


class RandomSolarize(_RandomPoint):
    """Invert the values >= ``threshold`` (in the image's own range) with probability ``p``."""

    def __init__(self, threshold: float, p: float = 0.5) -> None:
        super().__init__(p)
        self.threshold = threshold

    def _image(self, a, p):
        return C.solarize(a, self.threshold)


class RandomAdjustSharpness(_RandomPoint):
    """Sharpness by ``sharpness_factor`` (0 blurs, 1 keeps, 2 sharpens) with probability ``p``."""

    def __init__(self, sharpness_factor: float, p: float = 0.5) -> None:
        super().__init__(p)
        self.sharpness_factor = sharpness_factor

    def _image(self, a, p):
        return C.adjust_sharpness(a, self.sharpness_factor)


class AugMix(_Policy):
    """AugMix (Hendrycks et al., 2020): ``mixture_width`` chains of 1-3 (or ``chain_depth``) random
    operations at a severity bin below ``severity`` (of 10), mixed with Dirichlet(alpha) weights, then blended
    with the original by a Beta(alpha, alpha) weight m:  out = m0 x + m1 sum_i w_i chain_i(x).
    ``all_ops=False`` leaves out the colour operations that overlap ImageNet-C's corruptions."""

    _partial = {"ShearX": (_linspace(0.3), True), "ShearY": (_linspace(0.3), True),
                "TranslateX": (lambda bins, h, w: np.linspace(0.0, w / 3.0, bins), True),
                "TranslateY": (lambda bins, h, w: np.linspace(0.0, h / 3.0, bins), True),
                "Rotate": (_linspace(30.0), True), "Posterize": (_POSTERIZE(4), False),
                "Solarize": (lambda bins, h, w: np.linspace(1.0, 0.0, bins), False),
                "AutoContrast": (None, False), "Equalize": (None, False)}
    _colour = {"Brightness": (_linspace(0.9), True), "Color": (_linspace(0.9), True),
               "Contrast": (_linspace(0.9), True), "Sharpness": (_linspace(0.9), True)}

    def __init__(self, severity: int = 3, mixture_width: int = 3, chain_depth: int = -1, alpha: float = 1.0,
                 all_ops: bool = True, interpolation="bilinear", fill=None) -> None:
        super().__init__(10, interpolation, fill)
        if not 1 <= severity <= 10:
            raise ValueError(f"The severity must be between [1, 10]. Got {severity} instead.")
        self.severity, self.mixture_width, self.chain_depth = severity, mixture_width, chain_depth
        self.alpha, self.all_ops = alpha, all_ops
        self.space = {**self._partial, **self._colour} if all_ops else dict(self._partial)

    def _chain_op(self, h: int, w: int) -> tuple:
        g = rng()
        names = list(self.space)
        op = names[int(g.integers(0, len(names)))]
        fn, signed = self.space[op]
        if fn is None:
            return op, 0.0
        mag = float(fn(self.num_magnitude_bins, h, w)[int(g.integers(0, self.severity))])
        return op, (-mag if signed and g.random() <= 0.5 else mag)

    def _image(self, a, p):
        g = rng()
        h, w = a.shape[-2:]
        batch = a.reshape((-1,) + a.shape[-3:])
        n = batch.shape[0]
        m = g.dirichlet([self.alpha, self.alpha], size=n)
        weights = g.dirichlet([self.alpha] * self.mixture_width, size=n) * m[:, 1:2]
        shape = (n, 1, 1, 1)
        mix = m[:, 0].reshape(shape) * batch.astype(np.float64)
        for i in range(self.mixture_width):
            aug = batch
            depth = self.chain_depth if self.chain_depth > 0 else int(g.integers(1, 4))
            for _ in range(depth):
                op, mag = self._chain_op(h, w)
                aug = _apply_op(aug, op, mag, interp(self.interpolation), self.fill)
            mix += weights[:, i].reshape(shape) * aug
        return mix.reshape(a.shape).astype(a.dtype)

    def make_params(self, flat_inputs):
        return {}

    def extra_repr(self) -> str:
        return (f"severity={self.severity}, mixture_width={self.mixture_width}, chain_depth={self.chain_depth}, "
                f"alpha={self.alpha}, all_ops={self.all_ops}")
