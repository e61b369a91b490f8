"""``quantize_dynamic``: swap float layers for their dynamically quantized twins."""
from __future__ import annotations

import copy

from ... import dtypes
from ... import nn
from ..nn.quantized import dynamic as nnqd
from .observer import QConfig, default_dynamic_qconfig


def _dynamic_mapping() -> dict:
    return {nn.Linear: nnqd.Linear, nn.LSTM: nnqd.LSTM}


def quantize_dynamic(model: nn.Module, qconfig_spec=None, dtype=dtypes.qint8, mapping: dict | None = None,
                     inplace: bool = False) -> nn.Module:
    """Replace the layers named by ``qconfig_spec`` (a set of layer types, or a dict from types or submodule
    names to a :class:`QConfig`) with int8 versions; with no spec, every Linear and LSTM. ``default_dynamic_qconfig``
    quantizes weights per tensor; ``per_channel_dynamic_qconfig`` per output channel.

    >>> import ember, ember.nn as nn
    >>> from ember.ao.quantization import quantize_dynamic
    >>> q = quantize_dynamic(nn.Sequential(nn.Linear(4, 3), nn.ReLU()), {nn.Linear}, dtype=ember.qint8)
    >>> type(q[0]).__name__, tuple(q(ember.randn(2, 4)).shape)
    ('Linear', (2, 3))
    >>> q[0].weight().dtype
    ember.qint8
    """
    if dtype is not dtypes.qint8:
        raise ValueError(f"quantize_dynamic: ember supports dtype=ember.qint8, got {dtype}")
    mapping = mapping or _dynamic_mapping()
    if qconfig_spec is None:
        qconfig_spec = {nn.Linear, nn.LSTM}
    if isinstance(qconfig_spec, (set, list, tuple)):
        qconfig_spec = {t: default_dynamic_qconfig for t in qconfig_spec}
    if not inplace:
        model = copy.deepcopy(model)

    def qconfig_of(name: str, mod) -> QConfig | None:
        if name in qconfig_spec:
            return qconfig_spec[name]
        for key, qc in qconfig_spec.items():
            if isinstance(key, type) and type(mod) is key:
                return qc
        return None

    def swap(parent: nn.Module, prefix: str) -> None:
        for name, child in list(parent.named_children()):
            full = prefix + name
            qc = qconfig_of(full, child)
            if qc is not None and type(child) in mapping:
                setattr(parent, name, mapping[type(child)].from_float(child, qc.weight))
            else:
                swap(child, full + ".")

    top = qconfig_of("", model)
    if top is not None and type(model) in mapping:
        return mapping[type(model)].from_float(model, top.weight)
    swap(model, "")
    return model
