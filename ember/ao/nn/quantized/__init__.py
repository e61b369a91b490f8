"""``ember.ao.nn.quantized``: statically quantized layers (uint8 activations, int8 weights per channel) that
``ember.ao.quantization.convert`` swaps in; ``dynamic``: int8 weights, activations quantized per call."""
from __future__ import annotations

from .modules import (AvgPool2d, Conv1d, Conv2d, Conv3d, ConvReLU1d, ConvReLU2d, ConvReLU3d, DeQuantize, Flatten,
                      Linear, LinearReLU, MaxPool2d, Quantize, ReLU, Sigmoid)

__all__ = ["Quantize", "DeQuantize", "Conv1d", "Conv2d", "Conv3d", "Linear", "ConvReLU1d", "ConvReLU2d",
           "ConvReLU3d", "LinearReLU", "ReLU", "Sigmoid", "AvgPool2d", "MaxPool2d", "Flatten"]
