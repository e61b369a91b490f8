"""Post-training static quantization, as torch.ao.quantization's eager mode: ``prepare`` attaches an output
observer (from ``qconfig.activation``) to each layer that needs one, calibration forwards record activation
ranges, and ``convert`` swaps every float layer for its quantized twin in ``ember.ao.nn.quantized`` using the
observed scales and zero points. Fuse conv-bn(-relu) first with :func:`fuse_modules`.
"""
from __future__ import annotations

import copy

from ... import nn
from ..nn import intrinsic as nni
from ..nn import qat as nnqat
from ..nn import quantized as nnq
from ..nn.intrinsic import qat as nniqat
from .fake_quantize import default_fixed_qparams_range_0to1_fake_quant
from .stubs import DeQuantStub, QuantStub


def get_default_static_quant_module_mappings() -> dict:
    """float (or QAT) module type -> quantized module type used by :func:`convert`."""
    return {QuantStub: nnq.Quantize, DeQuantStub: nnq.DeQuantize, nn.Conv2d: nnq.Conv2d, nn.Linear: nnq.Linear,
            nni.ConvReLU2d: nnq.ConvReLU2d, nni.LinearReLU: nnq.LinearReLU, nn.ReLU: nnq.ReLU,
            nn.Sigmoid: nnq.Sigmoid, nn.AvgPool2d: nnq.AvgPool2d, nn.MaxPool2d: nnq.MaxPool2d, nn.Flatten: nnq.Flatten,
            nnqat.Conv2d: nnq.Conv2d, nnqat.Linear: nnq.Linear, nniqat.ConvReLU2d: nnq.ConvReLU2d,
            nniqat.LinearReLU: nnq.LinearReLU, nniqat.ConvBn2d: nnq.Conv2d, nniqat.ConvBnReLU2d: nnq.ConvReLU2d,
            nniqat.LinearBn1d: nnq.Linear, nn.Conv1d: nnq.Conv1d, nni.ConvReLU1d: nnq.ConvReLU1d,
            nniqat.ConvBn1d: nnq.Conv1d, nniqat.ConvBnReLU1d: nnq.ConvReLU1d, nn.Conv3d: nnq.Conv3d,
            nni.ConvReLU3d: nnq.ConvReLU3d, nniqat.ConvBn3d: nnq.Conv3d, nniqat.ConvBnReLU3d: nnq.ConvReLU3d,
            nnqat.Conv1d: nnq.Conv1d, nnqat.Conv3d: nnq.Conv3d, nniqat.ConvReLU1d: nnq.ConvReLU1d,
            nniqat.ConvReLU3d: nnq.ConvReLU3d}


# layers whose quantized output scale/zero point come from calibration (the others keep the input's or are fixed)
_OBSERVED = (QuantStub, nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Linear, nni.ConvReLU1d, nni.ConvReLU2d, nni.ConvReLU3d,
             nni.LinearReLU)
# layers with a known output range: a fixed-qparams fake quantizer instead of qconfig.activation (as torch)
_FIXED = {nn.Sigmoid: default_fixed_qparams_range_0to1_fake_quant}


def _observer_forward_hook(module: nn.Module, inputs, output):
    return module.activation_post_process(output)


def propagate_qconfig_(module: nn.Module, qconfig_dict: dict | None = None) -> None:
    """Give every submodule its own ``qconfig`` (``None`` opts it out), else the one ``qconfig_dict`` names for
    its qualified name or type, else its parent's (in place)."""
    def walk(mod: nn.Module, parent_qconfig, prefix: str) -> None:
        table = qconfig_dict or {}
        qconfig = table.get(prefix, table.get(type(mod), parent_qconfig))  # own attribute > name > type > parent
        qconfig = getattr(mod, "qconfig", qconfig)  # an explicit None opts a submodule out
        mod.qconfig = qconfig
        for name, child in mod.named_children():
            walk(child, qconfig, prefix + ("." if prefix else "") + name)

    walk(module, None, "")


def prepare(model: nn.Module, inplace: bool = False, allow_list=None, observer_non_leaf_module_list=None,
            prepare_custom_config_dict=None) -> nn.Module:
    """Propagate ``qconfig`` and attach an ``activation_post_process`` observer (with a forward hook that
    feeds it the output) to each QuantStub, Conv2d, Linear and fused ConvReLU2d/LinearReLU with a qconfig
    (Sigmoid: a ``FixedQParamsFakeQuantize`` of scale 1/256, zero point 0, as torch).
    Run calibration batches through the result, then :func:`convert` it.

    >>> import ember, ember.nn as nn
    >>> from ember.ao import quantization as tq
    >>> m = nn.Sequential(tq.QuantStub(), nn.Linear(3, 2))
    >>> m.qconfig = tq.get_default_qconfig("x86")
    >>> p = tq.prepare(m)
    >>> type(p[1].activation_post_process).__name__
    'MinMaxObserver'
    """
    if not inplace:
        model = copy.deepcopy(model)
    propagate_qconfig_(model)
    attached = 0
    inside_fused = {id(c) for m in model.modules() if isinstance(m, nni._FusedModule) for c in m.children()}
    for mod in list(model.modules()):
        if isinstance(mod, _OBSERVED + tuple(_FIXED)) and getattr(mod, "qconfig", None) is not None \
                and id(mod) not in inside_fused and not hasattr(mod, "activation_post_process"):
            factory = _FIXED.get(type(mod), mod.qconfig.activation)
            mod.add_module("activation_post_process", factory())
            mod.register_forward_hook(_observer_forward_hook)
            attached += 1
    if not attached:
        import warnings

        warnings.warn("None of the submodule got qconfig applied. Make sure you passed correct configuration "
                      "through `qconfig_dict` or by assigning the `.qconfig` attribute directly on submodules")
    return model


def convert(module: nn.Module, mapping: dict | None = None, inplace: bool = False,
            remove_qconfig: bool = True) -> nn.Module:
    """Swap each submodule whose type is in ``mapping`` (default: the static mapping) and which has a qconfig
    for ``mapping[type].from_float(mod)``; observed layers take the observer's scale and zero point.

    >>> import ember, ember.nn as nn
    >>> from ember.ao import quantization as tq
    >>> m = tq.QuantWrapper(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8, 3)))
    >>> m.qconfig = tq.get_default_qconfig("x86")
    >>> p = tq.prepare(m.eval())
    >>> _ = p(ember.randn(4, 1, 4, 4))
    >>> q = tq.convert(p)
    >>> [type(c).__name__ for c in q.module], tuple(q(ember.randn(2, 1, 4, 4)).shape)
    (['Conv2d', 'ReLU', 'Flatten', 'Linear'], (2, 3))
    """
    if not inplace:
        module = copy.deepcopy(module)
    mapping = get_default_static_quant_module_mappings() if mapping is None else mapping

    def swap(parent: nn.Module) -> None:
        for name, child in list(parent.named_children()):
            if type(child) in mapping and getattr(child, "qconfig", None) is not None:
                setattr(parent, name, mapping[type(child)].from_float(child))
            else:
                swap(child)

    swap(module)
    if remove_qconfig:
        for mod in module.modules():
            if "qconfig" in mod.__dict__:
                del mod.__dict__["qconfig"]
    return module


def quantize(model: nn.Module, run_fn, run_args, mapping: dict | None = None, inplace: bool = False) -> nn.Module:
    """``convert(run_fn(prepare(model.eval()), *run_args))``: post-training static quantization in one call."""
    if not inplace:
        model = copy.deepcopy(model)
    model.eval()
    prepare(model, inplace=True)
    run_fn(model, *run_args)
    return convert(model, mapping, inplace=True)
