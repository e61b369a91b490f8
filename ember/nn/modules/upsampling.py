"""Upsampling layers: ``Upsample``, ``UpsamplingNearest2d``, ``UpsamplingBilinear2d``. No parameters.

Shape: (N, C, *spatial) -> (N, C, *size) or (N, C, *floor(spatial * scale_factor)). Modes and the
source-coordinate rules are in ``ember.nn.functional.vision`` (``F.interpolate``).

>>> import ember
>>> ember.nn.Upsample(scale_factor=2, mode="nearest")(ember.ones(1, 1, 2, 2)).shape
ember.Size([1, 1, 4, 4])
"""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]


class Upsample(Module):
    """Upsamples (resizes) spatial data to ``size`` or by ``scale_factor`` (``F.interpolate``).

    With scale = scale_factor (or out / in), an output position o maps to the source coordinate
    s = (o + 0.5) / scale - 0.5, clamped at 0 (``align_corners=False``),
    or s = o (in - 1) / (out - 1) (``align_corners=True``); ``nearest`` takes x[floor(o / scale)],
    ``nearest-exact`` x[floor((o + 0.5) / scale)], ``linear``/``bilinear``/``trilinear`` interpolate linearly
    between the neighbours of s, ``bicubic`` uses the cubic convolution kernel (a = -0.75), ``area`` is
    adaptive average pooling.

    Gradient: the adjoint of the interpolation: each output gradient is spread onto the source elements with
    the same weights that produced the output.

    Args:
        size: the output spatial size (int or tuple). Give ``size`` or ``scale_factor``, not both.
        scale_factor: the multiplier of each spatial size (float or tuple).
        mode: ``'nearest'``, ``'nearest-exact'``, ``'linear'``, ``'bilinear'``, ``'bicubic'``, ``'trilinear'``
            or ``'area'``. Default: ``'nearest'``.
        align_corners: for the linear and cubic modes, whether the corner pixels of input and output are
            aligned. Default: ``None`` (``False``).
        recompute_scale_factor: if ``True``, the scale used in the coordinate map is recomputed from the
            output size. Default: ``None``.

    Shape:
        - Input: (N, C, W_in), (N, C, H_in, W_in) or (N, C, D_in, H_in, W_in).
        - Output: (N, C, W_out), (N, C, H_out, W_out) or (N, C, D_out, H_out, W_out), with
          out = size or floor(in * scale_factor).

    No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.Upsample(scale_factor=2, mode="nearest")(ember.tensor([[[1.0, 2.0]]])).tolist()
        [[[1.0, 1.0, 2.0, 2.0]]]
        >>> ember.nn.Upsample(size=4, mode="linear", align_corners=True)(ember.tensor([[[0.0, 3.0]]])).tolist()
        [[[0.0, 1.0, 2.0, 3.0]]]
    """

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest", align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        self.scale_factor = float(scale_factor) if isinstance(scale_factor, (int, float)) else \
            (tuple(float(f) for f in scale_factor) if scale_factor is not None else None)
        self.mode, self.align_corners, self.recompute_scale_factor = mode, align_corners, recompute_scale_factor

    def forward(self, input):
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        info = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour 2-d upsampling: y[n, c, i, j] = x[n, c, floor(i H_in / H_out), floor(j W_in / W_out)]
    (``Upsample(mode='nearest')``).

    Gradient: each input element receives the sum of g over the output pixels that copied it.

    Args:
        size: the output size (H_out, W_out) (int or tuple).
        scale_factor: the multiplier of H and W.

    Shape:
        - Input: (N, C, H_in, W_in).
        - Output: (N, C, H_out, W_out), out = size or floor(in * scale_factor).

    No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.UpsamplingNearest2d(scale_factor=2)(ember.tensor([[[[1.0, 2.0]]]])).tolist()
        [[[[1.0, 1.0, 2.0, 2.0], [1.0, 1.0, 2.0, 2.0]]]]
    """

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Bilinear 2-d upsampling with aligned corners: the output pixel (i, j) samples the input at
    (i (H_in - 1) / (H_out - 1), j (W_in - 1) / (W_out - 1)), interpolating its 4 neighbours
    (``Upsample(mode='bilinear', align_corners=True)``).

    Gradient: each output gradient is spread onto the 4 neighbours with the bilinear weights.

    Args:
        size: the output size (H_out, W_out) (int or tuple).
        scale_factor: the multiplier of H and W.

    Shape:
        - Input: (N, C, H_in, W_in).
        - Output: (N, C, H_out, W_out), out = size or floor(in * scale_factor).

    No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.UpsamplingBilinear2d(scale_factor=2)(ember.tensor([[[[0.0, 3.0], [3.0, 6.0]]]])).tolist()
        [[[[0.0, 1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0], [2.0, 3.0, 4.0, 5.0], [3.0, 4.0, 5.0, 6.0]]]]
    """

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
