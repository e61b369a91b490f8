"""``ember.ao.nn.intrinsic``: fused float modules that :func:`~ember.ao.quantization.fuse_modules` (eval mode,
BatchNorm folded: ``ConvReLU2d``, ``LinearReLU``) and :func:`~ember.ao.quantization.fuse_modules_qat` (train
mode, BatchNorm kept: ``ConvBn1d/2d/3d``, ``ConvBnReLU1d/2d/3d``, ``LinearBn1d``) build, so that ``prepare_qat``
and ``convert`` can swap each group for one QAT or quantized layer. Each runs as the Sequential of its parts.

>>> import ember.nn as nn
>>> from ember.ao.nn.intrinsic import ConvReLU2d
>>> ConvReLU2d(nn.Conv2d(1, 2, 3), nn.ReLU())
ConvReLU2d(
  (0): Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1))
  (1): ReLU()
)
"""
from __future__ import annotations

from .... import nn
from ....nn.functional.conv import _conv2d_relu
from ....nn.modules.hooks import _GLOBAL_HOOKS


class _FusedModule(nn.Sequential):
    """A float layer followed by a BatchNorm and/or a ReLU, run as a Sequential; quantized as one layer."""

    _PARTS: tuple = ()

    def __init__(self, *mods) -> None:
        got = tuple(type(m) for m in mods)
        if len(got) != len(self._PARTS) or any(not issubclass(g, w) for g, w in zip(got, self._PARTS)):
            want = ", ".join(t.__name__ for t in self._PARTS)
            raise AssertionError(f"Incorrect types for input modules{tuple(t.__name__ for t in got)}: "
                                 f"{type(self).__name__} fuses ({want})")
        super().__init__(*mods)


class ConvReLU2d(_FusedModule):
    """``relu(conv(x))``: a Conv2d (with any BatchNorm already folded in) and a ReLU. In inference (no gradient
    recorded) one fused kernel (``nn.functional.conv._conv2d_relu``; with oneDNN one convolution whose ReLU is a
    post-op) for a plain Conv2d (zero padding) and ReLU without hooks; else the two layers."""

    _PARTS = (nn.Conv2d, nn.ReLU)

    def __init__(self, conv: nn.Conv2d, relu: nn.ReLU) -> None:
        super().__init__(conv, relu)

    def forward(self, input):
        conv, relu = self[0], self[1]
        if type(conv) is not nn.Conv2d or type(relu) is not nn.ReLU or conv.padding_mode != "zeros" or \
                _GLOBAL_HOOKS or any(m._forward_pre_hooks or m._forward_hooks or m._backward_hooks or
                                     m._backward_pre_hooks for m in (conv, relu)):
            return super().forward(input)
        return _conv2d_relu(input, conv.weight, conv.bias, conv.stride, conv.padding, conv.dilation, conv.groups)


class LinearReLU(_FusedModule):
    """``relu(linear(x))``: a Linear (with any BatchNorm1d already folded in) and a ReLU."""

    _PARTS = (nn.Linear, nn.ReLU)

    def __init__(self, linear: nn.Linear, relu: nn.ReLU) -> None:
        super().__init__(linear, relu)


def _fused(name: str, parts: tuple, doc: str) -> type:
    def __init__(self, *mods) -> None:
        _FusedModule.__init__(self, *mods)

    return type(name, (_FusedModule,), {"_PARTS": parts, "__init__": __init__, "__doc__": doc,
                                       "__module__": __name__, "__qualname__": name})


ConvBn1d = _fused("ConvBn1d", (nn.Conv1d, nn.BatchNorm1d), "``bn(conv(x))``: a Conv1d and a BatchNorm1d, for QAT.")
ConvBn2d = _fused("ConvBn2d", (nn.Conv2d, nn.BatchNorm2d), "``bn(conv(x))``: a Conv2d and a BatchNorm2d, for QAT.")
ConvBn3d = _fused("ConvBn3d", (nn.Conv3d, nn.BatchNorm3d), "``bn(conv(x))``: a Conv3d and a BatchNorm3d, for QAT.")
ConvBnReLU1d = _fused("ConvBnReLU1d", (nn.Conv1d, nn.BatchNorm1d, nn.ReLU),
                      "``relu(bn(conv(x)))``: Conv1d, BatchNorm1d and ReLU, for QAT.")
ConvBnReLU2d = _fused("ConvBnReLU2d", (nn.Conv2d, nn.BatchNorm2d, nn.ReLU),
                      "``relu(bn(conv(x)))``: Conv2d, BatchNorm2d and ReLU, for QAT.")
ConvBnReLU3d = _fused("ConvBnReLU3d", (nn.Conv3d, nn.BatchNorm3d, nn.ReLU),
                      "``relu(bn(conv(x)))``: Conv3d, BatchNorm3d and ReLU, for QAT.")
ConvReLU1d = _fused("ConvReLU1d", (nn.Conv1d, nn.ReLU), "``relu(conv(x))``: a Conv1d and a ReLU.")
ConvReLU3d = _fused("ConvReLU3d", (nn.Conv3d, nn.ReLU), "``relu(conv(x))``: a Conv3d and a ReLU.")
LinearBn1d = _fused("LinearBn1d", (nn.Linear, nn.BatchNorm1d), "``bn(linear(x))``: a Linear and a BatchNorm1d, "
                    "for QAT.")
BNReLU2d = _fused("BNReLU2d", (nn.BatchNorm2d, nn.ReLU), "``relu(bn(x))``: a BatchNorm2d and a ReLU.")

__all__ = ["ConvReLU1d", "ConvReLU2d", "ConvReLU3d", "LinearReLU", "ConvBn1d", "ConvBn2d", "ConvBn3d",
           "ConvBnReLU1d", "ConvBnReLU2d", "ConvBnReLU3d", "LinearBn1d", "BNReLU2d"]
