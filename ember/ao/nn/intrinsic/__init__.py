"""``ember.ao.nn.intrinsic``: fused float modules that :func:`~ember.ao.quantization.fuse_modules` builds, so that
``convert`` can swap each pair for one quantized layer (``ConvReLU2d``: conv then relu; ``LinearReLU``).

>>> import ember.nn as nn
>>> from ember.ao.nn.intrinsic import ConvReLU2d
>>> ConvReLU2d(nn.Conv2d(1, 2, 3), nn.ReLU())
ConvReLU2d(
  (0): Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1))
  (1): ReLU()
)
"""
from __future__ import annotations

from .... import nn
from ....nn.functional import _conv_library


class _FusedModule(nn.Sequential):
    """A float layer followed by a ReLU, run as a Sequential; quantized as one layer."""


class ConvReLU2d(_FusedModule):
    """``relu(conv(x))``: a Conv2d (with any BatchNorm already folded in) and a ReLU. In inference (no gradient
    recorded) with oneDNN, one convolution with the ReLU as its post-op (``nn.functional._conv_library``)."""

    def __init__(self, conv: nn.Conv2d, relu: nn.ReLU) -> None:
        super().__init__(conv, relu)

    def forward(self, input):
        y = _conv_library.conv2d_relu(self[0], self[1], input)
        return super().forward(input) if y is None else y


class LinearReLU(_FusedModule):
    """``relu(linear(x))``: a Linear (with any BatchNorm1d already folded in) and a ReLU."""

    def __init__(self, linear: nn.Linear, relu: nn.ReLU) -> None:
        super().__init__(linear, relu)


__all__ = ["ConvReLU2d", "LinearReLU"]
