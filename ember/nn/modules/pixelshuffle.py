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
    """(*, C r^2, H, W) -> (*, C, H r, W r)."""

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H r, W r) -> (*, C r^2, H, W)."""

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
