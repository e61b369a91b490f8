"""``PixelShuffle`` and ``PixelUnshuffle`` (sub-pixel convolution rearrangements). No parameters.

PixelShuffle(r): (*, C r^2, H, W) -> (*, C, H r, W r), y[c, h r + i, w r + j] = x[c r^2 + i r + j, h, w];
PixelUnshuffle(r) is its inverse. Both are reshape + permute: the gradient is the inverse rearrangement.

>>> import ember
>>> ember.nn.PixelShuffle(3)(ember.randn(1, 9, 4, 4)).shape
ember.Size([1, 1, 12, 12])
"""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["PixelShuffle", "PixelUnshuffle"]


class PixelShuffle(Module):
    """Rearranges channels into space (sub-pixel convolution, Shi et al., 2016):
    y[*, c, h r + i, w r + j] = x[*, c r^2 + i r + j, h, w], r = ``upscale_factor``.

    Gradient: a reshape and a permute, so dL/dx is the inverse rearrangement (PixelUnshuffle) of g.

    Args:
        upscale_factor: r, the factor to increase the spatial resolution by.

    Shape:
        - Input: (*, C r^2, H, W), any number of leading dims.
        - Output: (*, C, H r, W r).

    No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.PixelShuffle(2)(ember.arange(4.0).reshape(1, 4, 1, 1))
        tensor([[[[0., 1.],
                  [2., 3.]]]])
        >>> ember.nn.PixelShuffle(3)(ember.randn(1, 9, 4, 4)).shape
        ember.Size([1, 1, 12, 12])
    """

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """Rearranges space into channels, the inverse of PixelShuffle:
    y[*, c r^2 + i r + j, h, w] = x[*, c, h r + i, w r + j], r = ``downscale_factor``.

    Gradient: the inverse rearrangement (PixelShuffle) of g.

    Args:
        downscale_factor: r, the factor to decrease the spatial resolution by.

    Shape:
        - Input: (*, C, H r, W r), any number of leading dims.
        - Output: (*, C r^2, H, W).

    No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.PixelUnshuffle(2)(ember.randn(1, 3, 8, 6)).shape
        ember.Size([1, 12, 4, 3])
    """

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
