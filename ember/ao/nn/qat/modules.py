"""QAT layers: ``Linear``/``Conv1d``/``Conv2d``/``Conv3d`` (weight fake-quantized in forward) and the fused
``LinearReLU``/``ConvReLU1d/2d/3d`` (``ember.ao.nn.intrinsic.qat``). Each takes its ``qconfig`` and keeps the
float module's Parameters (the same objects, as torch's ``from_float``), so an optimizer made before ``prepare_qat``
still trains them."""
from __future__ import annotations

from .... import nn
from ....nn import functional as F


def _require_qconfig(mod, name: str):
    qconfig = getattr(mod, "qconfig", None)
    if qconfig is None:
        raise AssertionError(f"{name}.from_float: Input float module must have qconfig defined")
    return qconfig


class Linear(nn.Linear):
    """``linear(x, weight_fake_quant(W), b)``: a Linear trained with its weight on the int8 grid.

    Shape: as :class:`ember.nn.Linear`. Init: the float module's weight and bias (``from_float``).
    Gradient: straight-through, :math:`\\partial \\hat W / \\partial W = 1` inside the quantized range."""

    _FLOAT_MODULE = nn.Linear

    def __init__(self, in_features: int, out_features: int, bias: bool = True, qconfig=None,
                 device=None, dtype=None) -> None:
        super().__init__(in_features, out_features, bias)
        if qconfig is None:
            raise AssertionError("qconfig must be provided for QAT module")
        self.qconfig = qconfig
        self.weight_fake_quant = qconfig.weight()

    def forward(self, input):
        return F.linear(input, self.weight_fake_quant(self.weight), self.bias)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant: bool = False):
        qconfig = _require_qconfig(mod, cls.__name__)
        inner = mod[0] if isinstance(mod, nn.Sequential) else mod
        qat = cls(inner.in_features, inner.out_features, inner.bias is not None, qconfig=qconfig)
        qat.weight, qat.bias = inner.weight, inner.bias
        return qat


class _ConvQAT:
    """Shared by the QAT Conv1d/2d/3d (mixed in before the matching ``nn.ConvNd``)."""

    _FLOAT_CONV: type

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", qconfig=None, device=None,
                 dtype=None) -> None:
        self._FLOAT_CONV.__init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                                  bias, padding_mode)
        if qconfig is None:
            raise AssertionError("qconfig must be provided for QAT module")
        self.qconfig = qconfig
        self.weight_fake_quant = qconfig.weight()

    def forward(self, input):
        return self._conv_forward(input, self.weight_fake_quant(self.weight), self.bias)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant: bool = False):
        qconfig = _require_qconfig(mod, cls.__name__)
        c = mod[0] if isinstance(mod, nn.Sequential) else mod
        qat = cls(c.in_channels, c.out_channels, c.kernel_size, c.stride, c.padding, c.dilation, c.groups,
                  c.bias is not None, c.padding_mode, qconfig=qconfig)
        qat.weight, qat.bias = c.weight, c.bias
        return qat


class Conv2d(_ConvQAT, nn.Conv2d):
    """``conv2d(x, weight_fake_quant(W), b)``: a Conv2d trained with its weight on the int8 grid (per output
    channel with the default QAT qconfig). Shape and init: as :class:`ember.nn.Conv2d` / the float module.
    ``Conv1d`` and ``Conv3d`` likewise."""

    _FLOAT_MODULE = _FLOAT_CONV = nn.Conv2d


class Conv1d(_ConvQAT, nn.Conv1d):
    """``conv1d(x, weight_fake_quant(W), b)`` (see :class:`Conv2d`)."""

    _FLOAT_MODULE = _FLOAT_CONV = nn.Conv1d


class Conv3d(_ConvQAT, nn.Conv3d):
    """``conv3d(x, weight_fake_quant(W), b)`` (see :class:`Conv2d`)."""

    _FLOAT_MODULE = _FLOAT_CONV = nn.Conv3d


class LinearReLU(Linear):
    """``relu(linear(x, weight_fake_quant(W), b))`` (from a fused ``ember.ao.nn.intrinsic.LinearReLU``)."""

    def forward(self, input):
        return F.relu(super().forward(input))


class ConvReLU2d(Conv2d):
    """``relu(conv2d(x, weight_fake_quant(W), b))`` (from a fused ``ember.ao.nn.intrinsic.ConvReLU2d``)."""

    def forward(self, input):
        return F.relu(_ConvQAT.forward(self, input))


class ConvReLU1d(Conv1d):
    """``relu(conv1d(x, weight_fake_quant(W), b))`` (from a fused ``ember.ao.nn.intrinsic.ConvReLU1d``)."""

    forward = ConvReLU2d.forward


class ConvReLU3d(Conv3d):
    """``relu(conv3d(x, weight_fake_quant(W), b))`` (from a fused ``ember.ao.nn.intrinsic.ConvReLU3d``)."""

    forward = ConvReLU2d.forward
