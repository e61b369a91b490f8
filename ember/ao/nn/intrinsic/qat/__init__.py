"""``ember.ao.nn.intrinsic.qat``: the fused QAT layers ``ConvReLU2d`` and ``LinearReLU``."""
from __future__ import annotations

from ...qat.modules import ConvReLU2d, LinearReLU

__all__ = ["ConvReLU2d", "LinearReLU"]
