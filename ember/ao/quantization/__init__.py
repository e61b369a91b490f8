"""``ember.ao.quantization``: int8 quantization with torch.ao.quantization's names.

Quantized tensors (``quantize_per_tensor``, ``quantize_per_channel``), observers that choose their scales,
``QConfig``s, and ``quantize_dynamic`` (int8 weights, activations quantized per call). Post-training static
quantization (``prepare``/``convert``, fused conv-bn-relu) is not in ember yet.
"""
from __future__ import annotations

from .observer import (MinMaxObserver, MovingAverageMinMaxObserver, ObserverBase, PerChannelMinMaxObserver,
                       PlaceholderObserver, QConfig, default_dynamic_qconfig, default_per_channel_weight_observer,
                       default_qconfig, default_weight_observer, get_default_qconfig, per_channel_affine,
                       per_channel_dynamic_qconfig, per_channel_symmetric, per_tensor_affine, per_tensor_symmetric)
from .qtensor import QTensor, dequantize, quantize_per_channel, quantize_per_tensor
from .quantize import quantize_dynamic

__all__ = ["QTensor", "quantize_per_tensor", "quantize_per_channel", "dequantize", "ObserverBase",
           "MinMaxObserver", "MovingAverageMinMaxObserver", "PerChannelMinMaxObserver", "PlaceholderObserver",
           "QConfig", "default_qconfig", "default_dynamic_qconfig", "per_channel_dynamic_qconfig",
           "default_weight_observer", "default_per_channel_weight_observer", "get_default_qconfig",
           "quantize_dynamic", "per_tensor_affine", "per_tensor_symmetric", "per_channel_affine",
           "per_channel_symmetric"]
