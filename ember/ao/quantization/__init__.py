"""``ember.ao.quantization``: int8 quantization with torch.ao.quantization's names.

Quantized tensors (``quantize_per_tensor``, ``quantize_per_channel``), observers that choose their scales,
``QConfig``s, ``quantize_dynamic`` (int8 weights, activations quantized per call), and post-training static
quantization: ``QuantStub``/``DeQuantStub``, ``fuse_modules`` (conv-bn-relu), ``prepare``, calibration, ``convert``;
``HistogramObserver``; quantization-aware training: ``FakeQuantize``, ``fuse_modules_qat`` (conv-bn kept and
folded while training), ``prepare_qat``, ``convert``.
"""
from __future__ import annotations

from .observer import (FixedQParamsObserver, MinMaxObserver, MovingAverageMinMaxObserver, ObserverBase,
                       PerChannelMinMaxObserver,
                       PlaceholderObserver, QConfig, default_dynamic_qconfig, default_per_channel_weight_observer,
                       default_qconfig, default_weight_observer, get_default_qconfig, per_channel_affine,
                       per_channel_dynamic_qconfig, per_channel_symmetric, per_tensor_affine, per_tensor_symmetric)
from .qtensor import QTensor, dequantize, quantize_per_channel, quantize_per_tensor
from .fake_quantize import (FakeQuantize, FakeQuantizeBase, FixedQParamsFakeQuantize, default_fake_quant,
                            default_weight_fake_quant, disable_fake_quant, disable_observer, enable_fake_quant,
                            enable_observer, fake_quantize_per_channel_affine, fake_quantize_per_tensor_affine)
from .histogram import HistogramObserver
from .observer import MovingAveragePerChannelMinMaxObserver
from .qat import default_qat_qconfig, get_default_qat_module_mappings, get_default_qat_qconfig, prepare_qat, quantize_qat
from .fuse_modules import fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_modules, fuse_modules_qat
from .quantize import quantize_dynamic
from .static import convert, get_default_static_quant_module_mappings, prepare, propagate_qconfig_, quantize
from .stubs import DeQuantStub, QuantStub, QuantWrapper

__all__ = ["QTensor", "quantize_per_tensor", "quantize_per_channel", "dequantize", "ObserverBase",
           "MinMaxObserver", "MovingAverageMinMaxObserver", "PerChannelMinMaxObserver", "PlaceholderObserver",
           "QConfig", "default_qconfig", "default_dynamic_qconfig", "per_channel_dynamic_qconfig",
           "default_weight_observer", "default_per_channel_weight_observer", "get_default_qconfig",
           "quantize_dynamic", "per_tensor_affine", "per_tensor_symmetric", "per_channel_affine",
           "per_channel_symmetric", "FixedQParamsObserver", "FixedQParamsFakeQuantize", "QuantStub", "DeQuantStub",
           "QuantWrapper", "fuse_modules", "fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_modules_qat",
           "prepare", "convert", "quantize", "propagate_qconfig_", "get_default_static_quant_module_mappings",
           "HistogramObserver", "MovingAveragePerChannelMinMaxObserver", "FakeQuantize", "FakeQuantizeBase",
           "default_fake_quant", "default_weight_fake_quant", "enable_fake_quant", "disable_fake_quant",
           "enable_observer", "disable_observer", "fake_quantize_per_tensor_affine",
           "fake_quantize_per_channel_affine", "prepare_qat", "quantize_qat", "get_default_qat_qconfig",
           "get_default_qat_module_mappings", "default_qat_qconfig"]
