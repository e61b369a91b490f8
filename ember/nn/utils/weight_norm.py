"""Weight normalisation, the old hook API: ``weight_norm`` / ``remove_weight_norm``.

w = g v / ||v||, with the norm over every dim except ``dim`` (all dims when dim=None). The parameter
``name`` is replaced by ``name_g`` (initialised to ||w||) and ``name_v`` (initialised to w); a forward
pre-hook recomputes ``name`` from them before every call. Gradients: dw/dg = v / ||v||,
dL/dv = (g / ||v||) (G - (G.v) v / ||v||^2) with G = dL/dw (autograd of the composition).

>>> import ember
>>> m = ember.nn.utils.weight_norm(ember.nn.Linear(3, 2))
>>> sorted(n for n, _ in m.named_parameters())
['bias', 'weight_g', 'weight_v']
"""
from __future__ import annotations

import warnings

from ...ops.linalg_functions import vector_norm
from ..parameter import Parameter
from ._reparam_hook import check_no_hook, remove_hook

__all__ = ["weight_norm", "remove_weight_norm", "norm_except_dim"]


def norm_except_dim(v, pow: float = 2, dim: int = 0):
    """||v||_pow over every dim except ``dim``, shaped to broadcast against v (dim = -1: all dims)."""
    if dim == -1:
        return vector_norm(v, pow)
    d = dim % v.ndim
    dims = tuple(i for i in range(v.ndim) if i != d)
    return vector_norm(v, pow, dims, keepdim=True)


def _weight_norm(v, g, dim: int):
    return v * (g / norm_except_dim(v, 2, dim))


class WeightNorm:
    """The forward pre-hook that recomputes ``name`` from ``name_g`` and ``name_v``."""

    def __init__(self, name: str, dim: int) -> None:
        self.name, self.dim = name, (-1 if dim is None else dim)

    def compute_weight(self, module):
        return _weight_norm(getattr(module, self.name + "_v"), getattr(module, self.name + "_g"), self.dim)

    @staticmethod
    def apply(module, name: str, dim: int):
        check_no_hook(module, WeightNorm, name, "weight_norm")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, fn.dim).detach()))
        module.register_parameter(name + "_v", Parameter(weight.detach()))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module) -> None:
        weight = self.compute_weight(module).detach()
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        module.register_parameter(self.name, Parameter(weight))

    def __call__(self, module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name: str = "weight", dim: int = 0):
    """Reparametrise ``module.<name>`` as g v / ||v|| (deprecated in torch in favour of
    ``parametrizations.weight_norm``, which ember also has)."""
    warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                  "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning, stacklevel=2)
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name: str = "weight"):
    """Undo ``weight_norm``: ``name`` becomes a plain parameter again."""
    if not remove_hook(module, WeightNorm, name):
        raise ValueError(f"weight_norm of '{name}' not found in {module}")
    return module
