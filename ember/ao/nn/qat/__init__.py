"""``ember.ao.nn.qat``: float layers whose weight passes through a fake quantizer (quantization-aware
training); ``convert`` turns them into ``ember.ao.nn.quantized`` layers with the trained scales.

>>> import ember, ember.nn as nn
>>> from ember.ao import quantization as tq
>>> fc = nn.Linear(3, 2)
>>> fc.qconfig = tq.get_default_qat_qconfig("x86")
>>> qat = Linear.from_float(fc)
>>> type(qat.weight_fake_quant).__name__, qat.weight is fc.weight
('FakeQuantize', True)
"""
from __future__ import annotations

from .modules import Conv1d, Conv2d, Conv3d, Linear

__all__ = ["Linear", "Conv1d", "Conv2d", "Conv3d"]
