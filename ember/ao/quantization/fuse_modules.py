"""``fuse_modules``: fold BatchNorm into the preceding conv/linear (eval mode) and pair conv/linear with a
following ReLU, so that ``convert`` quantizes each group as one layer; ``fuse_modules_qat`` (train mode) keeps
the BatchNorm in a fused ``ConvBn2d``/``LinearBn1d``... for quantization-aware training.

Folding: with BN statistics :math:`\\mu, \\sigma^2`, affine :math:`\\gamma, \\beta` and eps,
:math:`W' = W \\cdot \\gamma / \\sqrt{\\sigma^2 + \\epsilon}` (per output channel) and
:math:`b' = (b - \\mu)\\,\\gamma / \\sqrt{\\sigma^2 + \\epsilon} + \\beta`.
"""
from __future__ import annotations

import copy


from ... import nn
from ...nn.utils.fusion import fuse_conv_bn_eval, fuse_conv_bn_weights  # noqa: F401 - torch.ao's names too
from ..nn import intrinsic as nni


_CONV_BN = {nn.Conv1d: (nni.ConvBn1d, nni.ConvBnReLU1d, nni.ConvReLU1d),
            nn.Conv2d: (nni.ConvBn2d, nni.ConvBnReLU2d, nni.ConvReLU2d),
            nn.Conv3d: (nni.ConvBn3d, nni.ConvBnReLU3d, nni.ConvReLU3d)}


def _check_qat_bn(conv, bn) -> None:
    out = conv.out_features if isinstance(conv, nn.Linear) else conv.out_channels
    if bn.num_features != out:
        raise AssertionError(f"Output channel of {type(conv).__name__} must match num_features of "
                             f"{type(bn).__name__} ({out} != {bn.num_features})")
    if not bn.affine:
        raise AssertionError(f"Only support fusing {type(bn).__name__} with affine set to True")
    if not bn.track_running_stats:
        raise AssertionError(f"Only support fusing {type(bn).__name__} with tracking_running_stats set to True")


def fuse_conv_bn(is_qat: bool, conv, bn):
    """QAT: ``nni.ConvBn{1,2,3}d(conv, bn)`` (BatchNorm kept, folded during training); else the folded conv."""
    if conv.training != bn.training:
        raise AssertionError("Conv and BN both must be in the same mode (train or eval).")
    if not is_qat:
        return fuse_conv_bn_eval(conv, bn)
    _check_qat_bn(conv, bn)
    return _CONV_BN[type(conv)][0](conv, bn)


def fuse_conv_bn_relu(is_qat: bool, conv, bn, relu):
    """QAT: ``nni.ConvBnReLU{1,2,3}d(conv, bn, relu)``; else ``nni.ConvReLU{1,2,3}d`` of the folded conv."""
    if not (conv.training == bn.training == relu.training):
        raise AssertionError("Conv and BN both must be in the same mode (train or eval).")
    if not is_qat:
        return _CONV_BN[type(conv)][2](fuse_conv_bn_eval(conv, bn), relu)
    _check_qat_bn(conv, bn)
    return _CONV_BN[type(conv)][1](conv, bn, relu)


def fuse_linear_bn(is_qat: bool, linear, bn):
    """QAT: ``nni.LinearBn1d(linear, bn)``; else the folded Linear."""
    if linear.training != bn.training:
        raise AssertionError("Linear and BN both must be in the same mode (train or eval).")
    if not is_qat:
        return fuse_conv_bn_eval(linear, bn)
    _check_qat_bn(linear, bn)
    return nni.LinearBn1d(linear, bn)


def _fuse_method(types: tuple, is_qat: bool):
    table = {(nn.Linear, nn.BatchNorm1d): fuse_linear_bn,
             (nn.Linear, nn.ReLU): lambda qat, lin, relu: nni.LinearReLU(lin, relu)}
    for conv, (_, _, conv_relu), bn in zip(_CONV_BN, _CONV_BN.values(), (nn.BatchNorm1d, nn.BatchNorm2d,
                                                                          nn.BatchNorm3d)):
        table[(conv, bn)] = fuse_conv_bn
        table[(conv, bn, nn.ReLU)] = fuse_conv_bn_relu
        table[(conv, nn.ReLU)] = (lambda cls: lambda qat, c, relu: cls(c, relu))(conv_relu)
    if types not in table:
        names = ", ".join(t.__name__ for t in types)
        raise NotImplementedError(f"fuse_modules: cannot fuse ({names}); ember fuses conv-bn, conv-bn-relu, "
                                  f"conv-relu (1d/2d/3d), linear-bn and linear-relu (no quantized "
                                  f"BatchNorm: put it after a conv or linear)")
    method = table[types]
    return lambda *mods: method(is_qat, *mods)


def _get(model: nn.Module, name: str) -> nn.Module:
    for part in name.split("."):
        model = getattr(model, part)
    return model


def _set(model: nn.Module, name: str, module: nn.Module) -> None:
    *parents, last = name.split(".")
    for part in parents:
        model = getattr(model, part)
    setattr(model, last, module)


def _fuse_modules(model: nn.Module, modules_to_fuse: list, is_qat: bool, inplace: bool, fuser_func) -> nn.Module:
    if not inplace:
        model = copy.deepcopy(model)
    groups = modules_to_fuse if modules_to_fuse and isinstance(modules_to_fuse[0], (list, tuple)) \
        else [modules_to_fuse]
    for names in groups:
        mods = [_get(model, n) for n in names]
        method = fuser_func or _fuse_method(tuple(type(m) for m in mods), is_qat)
        fused = method(*mods)
        _set(model, names[0], fused)
        for n in names[1:]:
            _set(model, n, nn.Identity())
    return model


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
    return _fuse_modules(model, modules_to_fuse, False, inplace, fuser_func)


def fuse_modules_qat(model: nn.Module, modules_to_fuse: list, inplace: bool = False, fuser_func=None,
                     fuse_custom_config_dict=None) -> nn.Module:
    """``fuse_modules`` for quantization-aware training (model in train mode): conv-bn(-relu) and linear-bn
    keep their BatchNorm, as ``ember.ao.nn.intrinsic.ConvBn2d`` etc., which ``prepare_qat`` turns into the
    ``ember.ao.nn.intrinsic.qat`` layers that fold the BatchNorm into the weight while training.

    >>> import ember.nn as nn
    >>> m = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU())
    >>> [type(c).__name__ for c in fuse_modules_qat(m, ["0", "1", "2"])]
    ['ConvBnReLU2d', 'Identity', 'Identity']
    """
    return _fuse_modules(model, modules_to_fuse, True, inplace, fuser_func)
