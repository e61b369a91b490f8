"""``ember.ao.nn.intrinsic.qat``: the fused QAT layers: ``ConvBn1d/2d/3d``, ``ConvBnReLU1d/2d/3d`` and
``LinearBn1d`` (BatchNorm folded into the fake-quantized weight while training; ``freeze_bn_stats`` /
``update_bn_stats``), ``ConvReLU1d/2d/3d`` and ``LinearReLU``."""
from __future__ import annotations

from ...qat.modules import ConvReLU1d, ConvReLU2d, ConvReLU3d, LinearReLU
from .conv_fused import (ConvBn1d, ConvBn2d, ConvBn3d, ConvBnReLU1d, ConvBnReLU2d, ConvBnReLU3d, LinearBn1d,
                         freeze_bn_stats, update_bn_stats)

__all__ = ["ConvBn1d", "ConvBnReLU1d", "ConvReLU1d", "ConvBn2d", "ConvBnReLU2d", "ConvReLU2d", "ConvBn3d",
           "ConvBnReLU3d", "ConvReLU3d", "LinearReLU", "LinearBn1d", "update_bn_stats", "freeze_bn_stats"]
