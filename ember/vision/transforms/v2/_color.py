"""Colour and filter transforms of ``transforms.v2``: ColorJitter, Grayscale, RandomGrayscale, GaussianBlur,
Normalize. They change images only; masks and boxes pass through."""
from __future__ import annotations

import numbers

import numpy as np

from ember.ops.creation import tensor
from ember.tensor import Tensor

from .. import _color as C
from ._transform import Transform, rng


def _jitter_range(value, name: str, center: float = 1.0, bound=(0.0, float("inf")), clip_first_on_zero=True):
    if value is None:
        return None
    if isinstance(value, numbers.Number):
        if value < 0:
            raise ValueError(f"If {name} is a single number, it must be non negative.")
        value = [center - float(value), center + float(value)]
        if clip_first_on_zero:
            value[0] = max(value[0], 0.0)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        value = [float(value[0]), float(value[1])]
    else:
        raise TypeError(f"{name}={value} should be a single number or a sequence with length 2.")
    if not bound[0] <= value[0] <= value[1] <= bound[1]:
        raise ValueError(f"{name} values should be between {bound}, but got {value}.")
    return None if value[0] == value[1] == center else tuple(value)


class ColorJitter(Transform):
    """Random brightness, contrast, saturation (factors uniform in [max(0, 1 - v), 1 + v]) and hue (shift
    uniform in [-h, h], h <= 0.5), applied in a random order.

    >>> import ember
    >>> ColorJitter(brightness=(0.5, 0.5))(ember.full((3, 1, 1), 0.8))
    tensor([[[0.4000]],
    <BLANKLINE>
            [[0.4000]],
    <BLANKLINE>
            [[0.4000]]])
    """

    def __init__(self, brightness=None, contrast=None, saturation=None, hue=None) -> None:
        self.brightness = _jitter_range(brightness, "brightness")
        self.contrast = _jitter_range(contrast, "contrast")
        self.saturation = _jitter_range(saturation, "saturation")
        self.hue = _jitter_range(hue, "hue", center=0.0, bound=(-0.5, 0.5), clip_first_on_zero=False)

    def make_params(self, flat_inputs):
        g = rng()
        order = g.permutation(4)
        ranges = (self.brightness, self.contrast, self.saturation, self.hue)
        factors = [None if r is None else float(g.uniform(r[0], r[1])) for r in ranges]
        return {"order": order, "factors": factors}

    def _image(self, a, p):
        kernels = (C.adjust_brightness, C.adjust_contrast, C.adjust_saturation, C.adjust_hue)
        for i in p["order"]:
            if p["factors"][i] is not None:
                a = kernels[i](a, p["factors"][i])
        return a

    def extra_repr(self) -> str:
        return (f"brightness={self.brightness}, contrast={self.contrast}, saturation={self.saturation}, "
                f"hue={self.hue}")


class Grayscale(Transform):
    """L = 0.2989 R + 0.587 G + 0.114 B, repeated to ``num_output_channels`` (1 or 3)."""

    def __init__(self, num_output_channels: int = 1) -> None:
        if num_output_channels not in (1, 3):
            raise ValueError(f"num_output_channels must be 1 or 3, got {num_output_channels}.")
        self.num_output_channels = num_output_channels

    def _image(self, a, p):
        return C.rgb_to_grayscale(a, self.num_output_channels)

    def extra_repr(self) -> str:
        return f"num_output_channels={self.num_output_channels}"


class RandomGrayscale(Transform):
    """Grayscale with probability ``p``, keeping the number of channels."""

    def __init__(self, p: float = 0.1) -> None:
        self.p = p

    def make_params(self, flat_inputs):
        return None if rng().random() >= self.p else {}

    def _image(self, a, p):
        return C.rgb_to_grayscale(a, a.shape[-3])


class GaussianBlur(Transform):
    """Blur with a Gaussian kernel of ``kernel_size`` (odd, (x, y) or one int) and a sigma drawn uniformly
    from ``sigma`` = (min, max) (a number fixes it); reflect padding keeps the size.

    >>> import ember
    >>> GaussianBlur(3, sigma=1.0)(ember.ones(1, 4, 4)).sum()  # a normalised kernel keeps a constant image
    tensor(16.)
    """

    def __init__(self, kernel_size, sigma=(0.1, 2.0)) -> None:
        ks = (kernel_size, kernel_size) if isinstance(kernel_size, numbers.Number) else tuple(kernel_size)
        if len(ks) != 2 or any(k <= 0 or k % 2 == 0 for k in ks):
            raise ValueError("Kernel size value should be an odd and positive number.")
        self.kernel_size = tuple(int(k) for k in ks)
        if isinstance(sigma, numbers.Number):
            if sigma <= 0:
                raise ValueError("If sigma is a single number, it must be positive.")
            sigma = (float(sigma), float(sigma))
        if not 0.0 < sigma[0] <= sigma[1]:
            raise ValueError("sigma values should be positive and of the form (min, max).")
        self.sigma = tuple(sigma)

    def make_params(self, flat_inputs):
        s = float(rng().uniform(self.sigma[0], self.sigma[1]))
        return {"sigma": (s, s)}

    def _image(self, a, p):
        return C.gaussian_blur(a, self.kernel_size, p["sigma"])

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, sigma={self.sigma}"


class Normalize(Transform):
    """(x - mean[c]) / std[c] per channel of a float image."""

    def __init__(self, mean, std, inplace: bool = False) -> None:
        self.mean, self.std, self.inplace = list(mean), list(std), inplace

    def transform(self, inpt, kind, params):
        if self.inplace and isinstance(inpt, Tensor) and kind == "image":
            C.normalize(inpt._data[..., :1, :1], self.mean, self.std)  # validates dtype and std
            mean = tensor(self.mean, dtype=inpt.dtype).reshape(-1, 1, 1)
            std = tensor(self.std, dtype=inpt.dtype).reshape(-1, 1, 1)
            return inpt.sub_(mean).div_(std)
        if kind in ("image", "tensor") and not isinstance(inpt, (Tensor, np.ndarray)):
            raise TypeError(f"Normalize: input should be an ember tensor or NumPy array, got {type(inpt)}; "
                            "convert PIL images with ToImage() and ToDtype(ember.float32, scale=True) first")
        return super().transform(inpt, kind, params)

    def _image(self, a, p):
        return C.normalize(a, self.mean, self.std)

    def extra_repr(self) -> str:
        return f"mean={self.mean}, std={self.std}, inplace={self.inplace}"
