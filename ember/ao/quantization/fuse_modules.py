"""``fuse_modules``: fold BatchNorm into the preceding conv/linear (eval mode) and pair conv/linear with a
following ReLU, so that ``convert`` quantizes each group as one layer.

Folding: with BN statistics :math:`\\mu, \\sigma^2`, affine :math:`\\gamma, \\beta` and eps,
:math:`W' = W \\cdot \\gamma / \\sqrt{\\sigma^2 + \\epsilon}` (per output channel) and
:math:`b' = (b - \\mu)\\,\\gamma / \\sqrt{\\sigma^2 + \\epsilon} + \\beta`.
"""
from __future__ import annotations

import copy

import numpy as np

from ... import nn
from ...tensor import wrap
from ..nn import intrinsic as nni


def fuse_conv_bn_eval(conv, bn, transpose: bool = False):
    """A copy of ``conv`` (Conv2d or Linear) with the eval-mode BatchNorm ``bn`` folded into its weight and bias."""
    if conv.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused = copy.deepcopy(conv)
    f32 = np.float32
    w = conv.weight.detach().numpy().astype(f32)
    b = np.zeros(w.shape[0], f32) if conv.bias is None else conv.bias.detach().numpy().astype(f32)
    gamma = np.ones(w.shape[0], f32) if bn.weight is None else bn.weight.detach().numpy().astype(f32)
    beta = np.zeros(w.shape[0], f32) if bn.bias is None else bn.bias.detach().numpy().astype(f32)
    rsqrt = (f32(1.0) / np.sqrt(bn.running_var.numpy().astype(f32) + f32(bn.eps))).astype(f32)  # float32, as torch
    factor = (gamma * rsqrt).reshape((-1,) + (1,) * (w.ndim - 1))
    fused.weight = nn.Parameter(wrap((w * factor).astype(f32)))
    fused.bias = nn.Parameter(wrap(((b - bn.running_mean.numpy().astype(f32)) * rsqrt * gamma + beta).astype(f32)))
    return fused


def _conv_bn(conv, bn):
    return fuse_conv_bn_eval(conv, bn)


def _conv_bn_relu(conv, bn, relu):
    return nni.ConvReLU2d(fuse_conv_bn_eval(conv, bn), relu)


def _fuse_method(types: tuple):
    table = {
        (nn.Conv2d, nn.BatchNorm2d): _conv_bn,
        (nn.Conv2d, nn.BatchNorm2d, nn.ReLU): _conv_bn_relu,
        (nn.Conv2d, nn.ReLU): nni.ConvReLU2d,
        (nn.Linear, nn.BatchNorm1d): _conv_bn,
        (nn.Linear, nn.ReLU): nni.LinearReLU,
    }
    if types not in table:
        names = ", ".join(t.__name__ for t in types)
        raise NotImplementedError(f"fuse_modules: cannot fuse ({names}); ember fuses conv-bn, conv-bn-relu, "
                                  f"conv-relu, linear-bn and linear-relu")
    return table[types]


def _get(model: nn.Module, name: str) -> nn.Module:
    for part in name.split("."):
        model = getattr(model, part)
    return model


def _set(model: nn.Module, name: str, module: nn.Module) -> None:
    *parents, last = name.split(".")
    for part in parents:
        model = getattr(model, part)
    setattr(model, last, module)


def fuse_modules(model: nn.Module, modules_to_fuse: list, inplace: bool = False, fuser_func=None,
                 fuse_custom_config_dict=None) -> nn.Module:
    """Fuse each list of submodule names (e.g. ``[["conv", "bn", "relu"]]``, or one list) into one module:
    the first name gets the fused module, the others become ``nn.Identity``. BatchNorm folds only in eval mode.

    >>> import ember, ember.nn as nn
    >>> m = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU()).eval()
    >>> f = fuse_modules(m, [["0", "1", "2"]])
    >>> [type(c).__name__ for c in f]
    ['ConvReLU2d', 'Identity', 'Identity']
    >>> x = ember.randn(1, 1, 5, 5)
    >>> bool((f(x) - m(x)).abs().max() < 1e-5)
    True
    """
    if not inplace:
        model = copy.deepcopy(model)
    groups = modules_to_fuse if modules_to_fuse and isinstance(modules_to_fuse[0], (list, tuple)) \
        else [modules_to_fuse]
    for names in groups:
        mods = [_get(model, n) for n in names]
        method = fuser_func or _fuse_method(tuple(type(m) for m in mods))
        fused = method(*mods)
        _set(model, names[0], fused)
        for n in names[1:]:
            _set(model, n, nn.Identity())
    return model
