"""Quant and dequant stubs: where a model's float input becomes quantized and where its output becomes float
again. They pass values through until :func:`~ember.ao.quantization.convert` swaps them for
``ember.ao.nn.quantized.Quantize`` / ``DeQuantize``."""
from __future__ import annotations

from ... import nn


class QuantStub(nn.Module):
    """Identity before ``prepare``; its observer picks the input's scale and zero point during calibration,
    and ``convert`` replaces it with a ``Quantize`` layer using them.

    >>> import ember
    >>> QuantStub()(ember.ones(2)).tolist()
    [1.0, 1.0]
    """

    def __init__(self, qconfig=None) -> None:
        super().__init__()
        if qconfig is not None:
            self.qconfig = qconfig

    def forward(self, x):
        return x


class DeQuantStub(nn.Module):
    """Identity before ``convert``, which replaces it with ``DeQuantize`` (quantized tensor -> float32)."""

    def __init__(self, qconfig=None) -> None:
        super().__init__()
        if qconfig is not None:
            self.qconfig = qconfig

    def forward(self, x):
        return x


class QuantWrapper(nn.Module):
    """``dequant(module(quant(x)))``: wraps a float model with a QuantStub and a DeQuantStub; takes the
    model's ``qconfig``."""

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        qconfig = getattr(module, "qconfig", None)
        self.add_module("quant", QuantStub(qconfig))
        self.add_module("dequant", DeQuantStub(qconfig))
        self.add_module("module", module)
        self.train(module.training)

    def forward(self, x):
        return self.dequant(self.module(self.quant(x)))
