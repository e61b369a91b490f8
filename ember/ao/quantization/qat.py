"""Quantization-aware training, torch.ao.quantization's eager mode: ``prepare_qat`` swaps Conv2d/Linear
(and fused ConvReLU2d/LinearReLU) for their ``ember.ao.nn.qat`` twins, whose weights pass through a
``FakeQuantize``, and attaches a ``FakeQuantize`` to each output that ``convert`` will quantize; training
then sees the rounding (straight-through gradients); ``convert`` gives the int8 model, with the scales the
fake quantizers learned. BatchNorm: either fold it first (``fuse_modules`` in eval mode, as for static
quantization), or keep it (``fuse_modules_qat`` in train mode: ConvBn2d, ConvBnReLU2d, LinearBn1d, ... which
``prepare_qat`` turns into ``ember.ao.nn.intrinsic.qat`` layers that fold it while training; then
``freeze_bn_stats`` late in training, and ``convert`` folds it for good).
"""
from __future__ import annotations

import copy

from ... import dtypes
from ... import nn
from ..nn import intrinsic as nni
from ..nn import qat as nnqat
from ..nn.intrinsic import qat as nniqat
from .fake_quantize import _per_channel_weight_fake_quant, default_fake_quant, default_weight_fake_quant
from .observer import MovingAverageMinMaxObserver, QConfig
from .fake_quantize import FakeQuantize
from .static import convert, prepare, propagate_qconfig_


def get_default_qat_module_mappings() -> dict:
    """float module type -> QAT module type used by :func:`prepare_qat` (torch's table: Conv1d has no entry)."""
    return {nn.Conv2d: nnqat.Conv2d, nn.Conv3d: nnqat.Conv3d, nn.Linear: nnqat.Linear,
            nni.ConvReLU2d: nniqat.ConvReLU2d, nni.ConvReLU3d: nniqat.ConvReLU3d,
            nni.LinearReLU: nniqat.LinearReLU, nni.ConvBn1d: nniqat.ConvBn1d, nni.ConvBn2d: nniqat.ConvBn2d,
            nni.ConvBn3d: nniqat.ConvBn3d, nni.ConvBnReLU1d: nniqat.ConvBnReLU1d,
            nni.ConvBnReLU2d: nniqat.ConvBnReLU2d, nni.ConvBnReLU3d: nniqat.ConvBnReLU3d,
            nni.LinearBn1d: nniqat.LinearBn1d}


def get_default_qat_qconfig(backend: str = "x86", version: int = 1) -> QConfig:
    """x86/fbgemm: activations ``FakeQuantize`` (moving-average min-max, quint8, reduced range), weights int8
    per output channel, symmetric (torch's fused fake quantizers compute the same values); qnnpack: full
    range, per-tensor weights."""
    if backend not in ("x86", "fbgemm", "qnnpack", "onednn"):
        raise AssertionError(f"backend: {backend} not supported. backend must be one of "
                             "['x86', 'fbgemm', 'qnnpack', 'onednn']")
    reduce = backend in ("x86", "fbgemm")
    activation = FakeQuantize.with_args(observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=255,
                                        reduce_range=reduce, dtype=dtypes.quint8)
    weight = _per_channel_weight_fake_quant() if backend != "qnnpack" else default_weight_fake_quant
    return QConfig(activation=activation, weight=weight)


default_qat_qconfig = QConfig(activation=default_fake_quant, weight=default_weight_fake_quant)


def prepare_qat(model: nn.Module, mapping: dict | None = None, inplace: bool = False) -> nn.Module:
    """Swap each layer with a ``qconfig`` for its QAT twin and attach output fake quantizers (``prepare``
    with the qconfig's ``FakeQuantize``). The model must be in training mode.

    >>> import ember, ember.nn as nn
    >>> from ember.ao import quantization as tq
    >>> m = tq.QuantWrapper(nn.Sequential(nn.Linear(4, 3), nn.ReLU()))
    >>> m.qconfig = tq.get_default_qat_qconfig("x86")
    >>> q = tq.prepare_qat(m.train())
    >>> type(q.module[0]).__module__, type(q.module[0].activation_post_process).__name__
    ('ember.ao.nn.qat.modules', 'FakeQuantize')
    """
    if not model.training:
        raise AssertionError("prepare_qat only works on models in training mode")
    if not inplace:
        model = copy.deepcopy(model)
    mapping = get_default_qat_module_mappings() if mapping is None else mapping
    propagate_qconfig_(model)
    convert(model, mapping=mapping, inplace=True, remove_qconfig=False)
    prepare(model, inplace=True)
    return model


def quantize_qat(model: nn.Module, run_fn, run_args, inplace: bool = False) -> nn.Module:
    """``convert(run_fn(prepare_qat(model.train())).eval())``: quantization-aware training in one call."""
    if not inplace:
        model = copy.deepcopy(model)
    model.train()
    prepare_qat(model, inplace=True)
    run_fn(model, *run_args)
    model.eval()
    return convert(model, inplace=True)


__all__ = ["prepare_qat", "quantize_qat", "get_default_qat_qconfig", "get_default_qat_module_mappings",
           "default_qat_qconfig"]
