"""Fake quantization: round values to the quantization grid and return them as floats,
:math:`\\hat x = (\\mathrm{clamp}(\\mathrm{round}(x/s) + z, q_{min}, q_{max}) - z)\\,s`."""
from __future__ import annotations

import numpy as np

from ... import dtypes
from ...tensor import Tensor
from .observer import FixedQParamsObserver
from .qtensor import QTensor, _quantize


class FixedQParamsFakeQuantize(FixedQParamsObserver):
    """Fake-quantizes with fixed ``(scale, zero_point)``; what torch's ``prepare`` attaches to sigmoid, so that
    calibration sees sigmoid outputs already on the 1/256 grid. No gradient (ember has no QAT yet).

    >>> import ember
    >>> f = FixedQParamsFakeQuantize(scale=0.25, zero_point=0)
    >>> f(ember.tensor([0.1, 0.4, 2.0])).tolist()
    [0.0, 0.5, 2.0]
    """

    def forward(self, x: Tensor) -> Tensor:
        scale, zp = np.float64(self.scale.numpy()[0]), np.int64(self.zero_point.numpy()[0])
        ints = _quantize(x.detach().float().numpy(), scale, zp, self.dtype).clip(self.quant_min, self.quant_max)
        return QTensor(ints, self.dtype, float(scale), int(zp)).dequantize()


default_fixed_qparams_range_0to1_fake_quant = FixedQParamsFakeQuantize.with_args(
    scale=1.0 / 256.0, zero_point=0, dtype=dtypes.quint8, quant_min=0, quant_max=255)
