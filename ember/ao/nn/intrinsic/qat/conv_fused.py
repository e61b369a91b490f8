r"""QAT layers with the BatchNorm kept and folded into the weight while training (torch's
``torch.ao.nn.intrinsic.qat``): ``ConvBn1d/2d/3d``, ``ConvBnReLU1d/2d/3d`` and ``LinearBn1d``.

With the BatchNorm's running statistics :math:`\sigma^2`, affine :math:`\gamma, \beta` and eps, the scale
:math:`f = \gamma / \sqrt{\sigma^2 + \epsilon}` (per output channel) folds into the weight before it is
fake-quantized, so training sees the int8 grid of the weight that ``convert`` will quantize; the scaling is
undone on the output and the BatchNorm then runs as usual (batch statistics in training, updating its running
ones; the running ones in eval or once frozen):

.. math::
    y = \mathrm{BN}\big(\mathrm{conv}(x, \mathrm{fq}(W f)) / f + b\big)

(the "running-statistics scaling" of Krishnamoorthi 2018, section 3.2; torch's ``_forward_approximate``).
``freeze_bn_stats`` stops the statistics updates; ``convert`` folds the BatchNorm into the weight and bias
(``fuse_conv_bn_weights``) and quantizes the folded weight with the trained ``weight_fake_quant``.

Shape: as the conv/linear layer. Init: ``from_float`` shares the fused float module's Parameters and buffers;
built directly, the BatchNorm weight is U(0, 1) and its bias 0, as torch.
Gradient: through the fold (the BatchNorm weight gets gradient via :math:`f` too), straight-through at the
fake quantizer.

>>> import ember
>>> from ember.ao import quantization as tq
>>> m = ConvBnReLU2d(1, 2, 3, qconfig=tq.get_default_qat_qconfig("x86"))
>>> m(ember.randn(4, 1, 5, 5)).shape
ember.Size([4, 2, 3, 3])
>>> int(m.bn.num_batches_tracked), m.freeze_bn_stats().bn.training
(1, False)
"""
from __future__ import annotations

import math

from ..... import nn
from ....._grad_mode import no_grad
from .....nn.utils.fusion import fuse_conv_bn_weights
from .....nn import functional as F
from .....nn import init
from .....ops.creation import empty
from ... import intrinsic as nni


_V1_NAMES = {"bn.weight": "gamma", "bn.bias": "beta", "bn.running_mean": "running_mean",
             "bn.running_var": "running_var", "bn.num_batches_tracked": "num_batches_tracked"}


class _ConvBnNd:
    """Shared by ConvBn{1,2,3}d and ConvBnReLU{1,2,3}d (mixed in before the matching ``nn.ConvNd``)."""

    _FLOAT_MODULE: type
    _FLOAT_CONV_MODULE: type
    _FLOAT_BN_MODULE: type
    _FLOAT_RELU_MODULE: type | None = None
    _FUSED_FLOAT_MODULE: type | None = None
    _version = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias=None, padding_mode: str = "zeros", eps: float = 1e-5, momentum: float = 0.1,
                 freeze_bn: bool = False, qconfig=None) -> None:
        self._FLOAT_CONV_MODULE.__init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation,
                                         groups, False, padding_mode)
        if not qconfig:
            raise AssertionError("qconfig must be provided for QAT module")
        self.qconfig = qconfig
        self.freeze_bn = freeze_bn if self.training else True
        self.bn = self._FLOAT_BN_MODULE(out_channels, eps, momentum, True, True)
        self.weight_fake_quant = self.qconfig.weight()
        if bias:
            self.bias = nn.Parameter(empty(out_channels))
        else:
            self.register_parameter("bias", None)
        self.reset_bn_parameters()
        if self.training and not freeze_bn:
            self.update_bn_stats()
        else:
            self.freeze_bn_stats()
        self._enable_slow_path_for_better_numerical_stability = False

    def reset_running_stats(self) -> None:
        self.bn.reset_running_stats()

    def reset_bn_parameters(self) -> None:
        self.bn.reset_running_stats()
        init.uniform_(self.bn.weight)
        init.zeros_(self.bn.bias)
        if self.bias is not None:  # the conv's bias
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in)
            init.uniform_(self.bias, -bound, bound)

    def update_bn_stats(self):
        """Let the BatchNorm use batch statistics and update its running ones (in training mode)."""
        self.freeze_bn = False
        self.bn.training = True
        return self

    def freeze_bn_stats(self):
        """Use (and keep) the running statistics, also in training mode."""
        self.freeze_bn = True
        self.bn.training = False
        return self

    def train(self, mode: bool = True):
        """Set the mode; a frozen BatchNorm stays in eval mode (so ``model.train()`` keeps it frozen)."""
        self.training = mode
        if not self.freeze_bn:
            for module in self.children():
                module.train(mode)
        return self

    def _shapes(self) -> tuple:
        nd = self.weight.ndim
        return [-1] + [1] * (nd - 1), [1, -1] + [1] * (nd - 2)

    def _forward(self, input):
        if self.freeze_bn:  # ember's Module.train sets every submodule's flag; a frozen BatchNorm stays in eval
            self.bn.training = False
        if self._enable_slow_path_for_better_numerical_stability:
            return self._forward_slow(input)
        return self._forward_approximate(input)

    def _forward_approximate(self, input):
        """One pass: ``bn(conv(x, fq(W f)) / f + b)`` with ``f`` from the running statistics."""
        bn = self.bn
        w_shape, b_shape = self._shapes()
        scale_factor = bn.weight / (bn.running_var + bn.eps).sqrt()
        scaled_weight = self.weight_fake_quant(self.weight * scale_factor.reshape(w_shape))
        conv = self._conv_forward(input, scaled_weight, None)
        conv_orig = conv / scale_factor.reshape(b_shape)
        if self.bias is not None:
            conv_orig = conv_orig + self.bias.reshape(b_shape)
        return bn(conv_orig)

    def _forward_slow(self, input):
        """Two passes (Krishnamoorthi 2018, also right when a BatchNorm weight is 0): the batch statistics
        of the float conv, then ``conv(x, fq(W f)) * (running_std / batch_std) + beta - gamma mean / std``."""
        bn = self.bn
        w_shape, b_shape = self._shapes()
        running_std = (bn.running_var + bn.eps).sqrt()
        if bn.training:
            conv_out = self._conv_forward(input, self.weight, None)
            with no_grad():
                bn(conv_out if self.bias is None else conv_out + self.bias.reshape(b_shape))
            running_std = (bn.running_var + bn.eps).sqrt()
            scaled_weight = self.weight_fake_quant(self.weight * (bn.weight / running_std).reshape(w_shape))
            conv_bn = self._conv_forward(input, scaled_weight, None)
            dims = [0] + list(range(2, self.weight.ndim))
            batch_mean = conv_out.mean(dims)
            batch_std = ((conv_out - batch_mean.reshape(b_shape)).square().mean(dims) + bn.eps).sqrt()
            conv_bn = conv_bn * (running_std / batch_std).reshape(b_shape)
            fused_mean, fused_std = batch_mean, batch_std
        else:
            scaled_weight = self.weight_fake_quant(self.weight * (bn.weight / running_std).reshape(w_shape))
            conv_bn = self._conv_forward(input, scaled_weight, None)
            fused_mean = bn.running_mean - (self.bias if self.bias is not None else 0)
            fused_std = running_std
        conv_bn = conv_bn + (bn.bias - bn.weight * fused_mean / fused_std).reshape(b_shape)
        if self.bias is not None:  # as torch: the conv bias takes part in the loss (a zero gradient)
            conv_bn = conv_bn + (self.bias - self.bias).reshape(b_shape)
        return conv_bn

    def forward(self, input):
        y = self._forward(input)
        return F.relu(y) if self._FLOAT_RELU_MODULE is not None else y

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs) -> None:
        """Version 1 state_dicts (torch's before the BatchNorm moved into ``bn``) load too: ``gamma``, ``beta``,
        ``running_mean``, ... at the top level become ``bn.weight``, ``bn.bias``, ``bn.running_mean``, ..."""
        if local_metadata.get("version", None) in (None, 1):
            for v2, v1 in _V1_NAMES.items():
                if prefix + v1 in state_dict:
                    state_dict[prefix + v2] = state_dict.pop(prefix + v1)
                elif prefix + v2 not in state_dict and strict:
                    missing_keys.append(prefix + v2)
        self._FLOAT_CONV_MODULE._load_from_state_dict(self, state_dict, prefix, local_metadata, strict,
                                                      missing_keys, unexpected_keys, error_msgs)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant: bool = False):
        """The QAT layer from a fused float ``ember.ao.nn.intrinsic.ConvBn2d`` etc. (same Parameters and buffers)."""
        if type(mod) is not cls._FLOAT_MODULE:
            raise AssertionError(f"qat.{cls.__name__}.from_float only works for {cls._FLOAT_MODULE.__name__}")
        if not getattr(mod, "qconfig", None):
            raise AssertionError("Input float module must have qconfig defined")
        conv, bn = mod[0], mod[1]
        qat = cls(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding, conv.dilation,
                  conv.groups, conv.bias is not None, conv.padding_mode, bn.eps, bn.momentum, False, mod.qconfig)
        qat.weight, qat.bias = conv.weight, conv.bias
        qat.bn.weight, qat.bn.bias = bn.weight, bn.bias
        qat.bn.running_mean, qat.bn.running_var = bn.running_mean, bn.running_var
        qat.bn.num_batches_tracked = bn.num_batches_tracked
        return qat

    def to_float(self):
        """The float conv with the BatchNorm folded in (wrapped with a ReLU for the ConvBnReLU layers)."""

        conv = self._FLOAT_CONV_MODULE(self.in_channels, self.out_channels, self.kernel_size, self.stride,
                                       self.padding, self.dilation, self.groups, self.bias is not None,
                                       self.padding_mode)
        conv.weight = nn.Parameter(self.weight.detach())
        if self.bias is not None:
            conv.bias = nn.Parameter(self.bias.detach())
        conv.weight, conv.bias = fuse_conv_bn_weights(conv.weight, conv.bias, self.bn.running_mean,
                                                      self.bn.running_var, self.bn.eps, self.bn.weight,
                                                      self.bn.bias)
        if self._FLOAT_RELU_MODULE is not None:
            return self._FUSED_FLOAT_MODULE(conv, self._FLOAT_RELU_MODULE()).train(self.training)
        return conv.train(self.training)


def _layer(name: str, conv: type, bn: type, float_mod: type, relu: bool, fused: type | None, nd: int) -> type:
    doc = (f"QAT ``{'relu(' if relu else ''}bn(conv{nd}d(x))``{')' if relu else ''} with the BatchNorm folded "
           f"into the fake-quantized weight (see the module docstring); from ``ember.ao.nn.intrinsic.{name}``.")
    return type(name, (_ConvBnNd, conv), {
        "_FLOAT_MODULE": float_mod, "_FLOAT_CONV_MODULE": conv, "_FLOAT_BN_MODULE": bn,
        "_FLOAT_RELU_MODULE": nn.ReLU if relu else None, "_FUSED_FLOAT_MODULE": fused, "__doc__": doc,
        "__module__": __name__, "__qualname__": name})


ConvBn1d = _layer("ConvBn1d", nn.Conv1d, nn.BatchNorm1d, nni.ConvBn1d, False, None, 1)
ConvBnReLU1d = _layer("ConvBnReLU1d", nn.Conv1d, nn.BatchNorm1d, nni.ConvBnReLU1d, True, nni.ConvReLU1d, 1)
ConvBn2d = _layer("ConvBn2d", nn.Conv2d, nn.BatchNorm2d, nni.ConvBn2d, False, None, 2)
ConvBnReLU2d = _layer("ConvBnReLU2d", nn.Conv2d, nn.BatchNorm2d, nni.ConvBnReLU2d, True, nni.ConvReLU2d, 2)
ConvBn3d = _layer("ConvBn3d", nn.Conv3d, nn.BatchNorm3d, nni.ConvBn3d, False, None, 3)
ConvBnReLU3d = _layer("ConvBnReLU3d", nn.Conv3d, nn.BatchNorm3d, nni.ConvBnReLU3d, True, nni.ConvReLU3d, 3)


class LinearBn1d(nn.Linear):
    """QAT ``bn(linear(x))`` with the BatchNorm1d folded into the fake-quantized weight:
    :math:`\\mathrm{BN}(\\mathrm{linear}(x, \\mathrm{fq}(W f)) / f + b)`,
    :math:`f = \\gamma/\\sqrt{\\sigma^2+\\epsilon}` (see the module docstring);
    from ``ember.ao.nn.intrinsic.LinearBn1d``. Shape: ``(N, in) -> (N, out)``."""

    _version = 2

    def __init__(self, in_features: int, out_features: int, bias: bool = True, eps: float = 1e-5,
                 momentum: float = 0.1, freeze_bn: bool = False, qconfig=None) -> None:
        nn.Linear.__init__(self, in_features, out_features, bias)
        if not qconfig:
            raise AssertionError("qconfig must be provided for QAT module")
        self.qconfig = qconfig
        self.freeze_bn = freeze_bn if self.training else True
        self.bn = nn.BatchNorm1d(out_features, eps, momentum, True, True)
        self.weight_fake_quant = self.qconfig.weight()
        if bias:
            self.bias = nn.Parameter(empty(out_features))
        else:
            self.register_parameter("bias", None)
        self.reset_bn_parameters()
        if self.training and not freeze_bn:
            self.update_bn_stats()
        else:
            self.freeze_bn_stats()

    def reset_running_stats(self) -> None:
        self.bn.reset_running_stats()

    def reset_bn_parameters(self) -> None:
        self.bn.reset_running_stats()
        init.uniform_(self.bn.weight)
        init.zeros_(self.bn.bias)

    update_bn_stats = _ConvBnNd.update_bn_stats
    freeze_bn_stats = _ConvBnNd.freeze_bn_stats
    train = _ConvBnNd.train

    def forward(self, input):
        bn = self.bn
        if self.freeze_bn:
            bn.training = False
        scale_factor = bn.weight / (bn.running_var + bn.eps).sqrt()
        scaled_weight = self.weight_fake_quant(self.weight * scale_factor.reshape(-1, 1))
        out = F.linear(input, scaled_weight, None) / scale_factor.reshape(1, -1)
        if self.bias is not None:
            out = out + self.bias.reshape(1, -1)
        return bn(out)

    @classmethod
    def from_float(cls, mod, use_precomputed_fake_quant: bool = False):
        if type(mod) is not nni.LinearBn1d:
            raise AssertionError(f"qat.{cls.__name__}.from_float only works for LinearBn1d")
        if not getattr(mod, "qconfig", None):
            raise AssertionError("Input float module must have qconfig defined")
        linear, bn = mod[0], mod[1]
        qat = cls(linear.in_features, linear.out_features, linear.bias is not None, bn.eps, bn.momentum, False,
                  mod.qconfig)
        qat.weight, qat.bias = linear.weight, linear.bias
        qat.bn.weight, qat.bn.bias = bn.weight, bn.bias
        qat.bn.running_mean, qat.bn.running_var = bn.running_mean, bn.running_var
        qat.bn.num_batches_tracked = bn.num_batches_tracked
        return qat

    def to_float(self):

        linear = nn.Linear(self.in_features, self.out_features)
        linear.weight, linear.bias = fuse_conv_bn_weights(self.weight, self.bias, self.bn.running_mean,
                                                          self.bn.running_var, self.bn.eps, self.bn.weight,
                                                          self.bn.bias)
        return linear


_WITH_BN = (ConvBn1d, ConvBnReLU1d, ConvBn2d, ConvBnReLU2d, ConvBn3d, ConvBnReLU3d)


def update_bn_stats(mod) -> None:
    """``model.apply(update_bn_stats)``: let every ConvBn layer's BatchNorm track batch statistics again."""
    if type(mod) in _WITH_BN:
        mod.update_bn_stats()


def freeze_bn_stats(mod) -> None:
    """``model.apply(freeze_bn_stats)``: every ConvBn layer uses, and stops updating, its running statistics."""
    if type(mod) in _WITH_BN:
        mod.freeze_bn_stats()


__all__ = ["ConvBn1d", "ConvBnReLU1d", "ConvBn2d", "ConvBnReLU2d", "ConvBn3d", "ConvBnReLU3d", "LinearBn1d",
           "update_bn_stats", "freeze_bn_stats"]
