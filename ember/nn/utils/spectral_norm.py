"""Spectral normalisation, the old hook API: ``spectral_norm`` / ``remove_spectral_norm``.

w = W / sigma(W), sigma the largest singular value of W reshaped to (W.shape[dim], -1), estimated
by power iteration: v = normalize(W^T u), u = normalize(W v) (``n_power_iterations`` times per
training forward, under no_grad), sigma = u^T W v. ``name_orig`` holds W; buffers ``name_u`` (h,) and
``name_v`` (w,) start as normalize(N(0, 1)) vectors. The gradient flows through sigma with u, v held
constant: dL/dW = (G - (G.w) u v^T) / sigma, G = dL/dw.

>>> import ember
>>> m = ember.nn.utils.spectral_norm(ember.nn.Linear(4, 3))
>>> sorted(m.state_dict())
['bias', 'weight_orig', 'weight_u', 'weight_v']
"""
from __future__ import annotations

from ..._grad_mode import no_grad
from ..functional.distance import normalize
from ..parameter import Parameter
from ._reparam_hook import check_no_hook, remove_hook

__all__ = ["spectral_norm", "remove_spectral_norm"]


# The pieces both APIs share (this hook class and ``parametrizations.spectral_norm``): only the order of
# the two power-iteration steps differs between them, as in torch.
def _check_n_power_iterations(n_power_iterations: int) -> None:
    if n_power_iterations <= 0:
        raise ValueError(f"Expected n_power_iterations to be positive, but got n_power_iterations="
                         f"{n_power_iterations}")


def _weight_to_matrix(weight, dim: int):
    """W with ``dim`` moved first, flattened to (W.shape[dim], -1)."""
    if dim != 0:
        weight = weight.permute(dim, *(d for d in range(weight.ndim) if d != dim))
    return weight.reshape(weight.shape[0], -1)


def _random_uv(mat, eps: float):
    """The starting singular-vector estimates: normalize(N(0, 1)) of lengths h and w for mat (h, w)."""
    h, w = mat.shape
    u = normalize(mat.new_empty(h).normal_(0, 1), dim=0, eps=eps)
    v = normalize(mat.new_empty(w).normal_(0, 1), dim=0, eps=eps)
    return u, v


def _divide_by_sigma(weight, mat, u, v):
    """W / sigma with sigma = u^T W v (u, v held constant, so the gradient flows through W only)."""
    return weight / u.dot(mat.mv(v))


class SpectralNorm:
    """The forward pre-hook that recomputes ``name`` = W / sigma(W)."""

    def __init__(self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12):
        _check_n_power_iterations(n_power_iterations)
        self.name, self.dim, self.n_power_iterations, self.eps = name, dim, n_power_iterations, eps

    def reshape_weight_to_matrix(self, weight):
        return _weight_to_matrix(weight, self.dim)

    def compute_weight(self, module, do_power_iteration: bool):
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            with no_grad():
                for _ in range(self.n_power_iterations):
                    v.copy_(normalize(mat.t().mv(u), dim=0, eps=self.eps))
                    u.copy_(normalize(mat.mv(v), dim=0, eps=self.eps))
                u, v = u.clone(), v.clone()
        return _divide_by_sigma(weight, mat, u, v)

    def remove(self, module) -> None:
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + "_u")
        delattr(module, self.name + "_v")
        delattr(module, self.name + "_orig")
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))

    @staticmethod
    def apply(module, name: str, n_power_iterations: int, dim: int, eps: float):
        check_no_hook(module, SpectralNorm, name, "spectral_norm")
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        with no_grad():
            u, v = _random_uv(fn.reshape_weight_to_matrix(weight), fn.eps)
        delattr(module, name)
        module.register_parameter(name + "_orig", weight)
        setattr(module, name, weight.data)
        module.register_buffer(name + "_u", u)
        module.register_buffer(name + "_v", v)
        module.register_forward_pre_hook(fn)
        return fn


def spectral_norm(module, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12, dim=None):
    """Divide ``module.<name>`` by its spectral norm before every forward (dim defaults to 0, or 1 for
    ConvTranspose*)."""
    if dim is None:
        dim = 1 if type(module).__name__.startswith("ConvTranspose") else 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module, name: str = "weight"):
    """Undo ``spectral_norm``."""
    if not remove_hook(module, SpectralNorm, name):
        raise ValueError(f"spectral_norm of '{name}' not found in {module}")
    return module
