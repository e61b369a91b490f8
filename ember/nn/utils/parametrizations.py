"""Modern parametrizations: ``weight_norm`` (original0 = g, original1 = v: w = g v / ||v||) and
``spectral_norm`` (original = W; w = W / sigma(W), buffers ``0._u`` / ``0._v`` of the power iteration,
15 iterations at registration, ``n_power_iterations`` per training forward), and ``orthogonal``
(w = the Q of a QR / Cayley map of the original; right_inverse keeps an orthogonal start).

>>> import ember
>>> m = ember.nn.utils.parametrizations.weight_norm(ember.nn.Linear(3, 2))
>>> sorted(m.state_dict())
['bias', 'parametrizations.weight.original0', 'parametrizations.weight.original1']
"""
from __future__ import annotations

from ..._grad_mode import no_grad
from ...ops.linalg_functions import qr
from ..functional.distance import normalize
from ..modules.module import Module
from .parametrize import register_parametrization
from .spectral_norm import _check_n_power_iterations, _divide_by_sigma, _random_uv, _weight_to_matrix
from .weight_norm import _weight_norm, norm_except_dim

__all__ = ["weight_norm", "spectral_norm", "orthogonal"]


class _WeightNorm(Module):
    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int = 0) -> Module:
    """w = g v / ||v|| (norm over every dim but ``dim``)."""
    register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


class _SpectralNorm(Module):
    def __init__(self, weight, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but got "
                             f"{dim})")
        _check_n_power_iterations(n_power_iterations)
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps, self.n_power_iterations = eps, n_power_iterations
        if ndim > 1:
            mat = self._reshape_weight_to_matrix(weight)
            u, v = _random_uv(mat, self.eps)
            self.register_buffer("_u", u)
            self.register_buffer("_v", v)
            self._power_method(mat, 15)

    def _reshape_weight_to_matrix(self, weight):
        return _weight_to_matrix(weight, self.dim)

    def _power_method(self, mat, n: int) -> None:
        with no_grad():
            for _ in range(n):
                self._u.copy_(normalize(mat.mv(self._v), dim=0, eps=self.eps))
                self._v.copy_(normalize(mat.t().mv(self._u), dim=0, eps=self.eps))

    def forward(self, weight):
        if weight.ndim == 1:
            return normalize(weight, dim=0, eps=self.eps)
        mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(mat, self.n_power_iterations)
        return _divide_by_sigma(weight, mat, self._u.clone(), self._v.clone())

    def right_inverse(self, value):
        return value


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12,
                  dim: int | None = None) -> Module:
    """w = W / sigma(W) with sigma from power iteration (see the module docstring)."""
    weight = getattr(module, name, None)
    if weight is None:
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if type(module).__name__.startswith("ConvTranspose") else 0
    register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


class _Orthogonal(Module):
    """Q of the QR decomposition of the original (signs fixed so diag(R) > 0): an orthogonal matrix
    (or one with orthonormal rows / columns when not square)."""

    def forward(self, X):
        transposed = X.shape[-2] < X.shape[-1]
        A = X.transpose(-2, -1) if transposed else X
        Q, R = qr(A)
        d = R.diagonal(0, -2, -1).sign()
        Q = Q * (d + (d == 0).to(d.dtype)).unsqueeze(-2)
        return Q.transpose(-2, -1) if transposed else Q

    def right_inverse(self, Q):
        return Q


def orthogonal(module: Module, name: str = "weight", orthogonal_map=None, *, use_trivialization: bool = True):
    """Constrain ``module.<name>`` to be orthogonal (ember uses the QR map for every orthogonal_map)."""
    weight = getattr(module, name, None)
    if weight is None or weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of {getattr(weight, 'ndim', 0)} "
                         "dimensions.")
    register_parametrization(module, name, _Orthogonal(), unsafe=True)
    return module
