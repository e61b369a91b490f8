"""The LKJ distribution over Cholesky factors of correlation matrices (Lewandowski, Kurowicka & Joe, 2009).

>>> import ember
>>> from ember.distributions import LKJCholesky
>>> L = LKJCholesky(3, 0.5).sample()
>>> L.shape, bool(((L @ L.mT).diagonal() - 1).abs().max() < 1e-5)
(ember.Size([3, 3]), True)
"""
from __future__ import annotations

import math

import ember
from ember.tensor import Size, Tensor

from . import constraints
from .dirichlet import Beta
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["LKJCholesky"]


class LKJCholesky(Distribution):
    r"""LKJCholesky(dim, concentration eta): p(L) proportional to prod_{i=2..dim} L_ii^(dim - i + 2 (eta - 1))
    over lower Cholesky factors L of dim x dim correlation matrices (so L L^T ~ LKJ(eta), density
    det(L L^T)^(eta - 1)). Sampled by the onion method (LKJ 2009, section 3.2): row i >= 1 is sqrt(y_i)
    times a uniform direction in its first i coordinates, y_i ~ Beta(i / 2, eta + (dim - 1 - i) / 2), and
    the diagonal entry completes the row to unit norm. No ``rsample``.

    torch 2.13 draws y_i ~ Beta(i - 1/2, ...) instead (its first parameter is off for i >= 2), so its
    correlations beyond the second row are too spread out (variance 0.30 instead of 1/4 for dim = 3,
    eta = 1, where every correlation is Beta(3/2, 3/2) on (-1, 1)); ember samples the LKJ law that
    ``log_prob`` (torch's) describes.

    Shape: batch_shape is concentration's shape; event_shape is (dim, dim).
    """

    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim: int, concentration=1.0, validate_args: bool | None = None) -> None:
        if dim < 2:
            raise ValueError(f"Expected dim to be an integer greater than or equal to 2. Found dim={dim}.")
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        # row i: Beta(i/2, eta + (dim - 1 - i)/2); row 0 (y unused, its direction is zero) gets Beta(1/2, ...)
        rows = ember.arange(self.dim, dtype=self.concentration.dtype)
        conc1 = ember.where(rows == 0, 0.5, rows / 2)
        conc0 = self.concentration.unsqueeze(-1) + (self.dim - 1 - rows) / 2
        self._beta = Beta(conc1.expand(tuple(conc0.shape)), conc0)
        super().__init__(self.concentration.shape, Size((dim, dim)), validate_args)

    def expand(self, batch_shape, _instance=None) -> "LKJCholesky":
        new = self._get_checked_instance(LKJCholesky, _instance)
        batch_shape = Size(tuple(batch_shape))
        new.dim = self.dim
        new.concentration = self.concentration.expand(batch_shape)
        new._beta = self._beta.expand(batch_shape + (self.dim,))
        super(LKJCholesky, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def sample(self, sample_shape=Size()) -> Tensor:
        with ember.no_grad():
            y = self._beta.sample(sample_shape).unsqueeze(-1)
            u_normal = ember.randn(tuple(self._extended_shape(sample_shape)), dtype=y.dtype).tril(-1)
            u_hypersphere = u_normal / ember.linalg.vector_norm(u_normal, dim=-1, keepdim=True)
            first_row = ember.arange(self.dim) == 0
            u_hypersphere = ember.where(first_row.reshape(-1, 1), 0.0, u_hypersphere)  # row 0 has no direction
            w = ember.sqrt(y) * u_hypersphere
            diag = ember.clamp(1 - (w ** 2).sum(-1), min=ember.finfo(w.dtype).tiny).sqrt()
            return w + ember.diag_embed(diag)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        diag_elems = value.diagonal(dim1=-1, dim2=-2)[..., 1:]
        order = ember.arange(2, self.dim + 1)
        order = 2 * (self.concentration - 1).unsqueeze(-1) + self.dim - order
        unnormalized_log_pdf = (order * diag_elems.log()).sum(-1)
        dm1 = self.dim - 1
        alpha = self.concentration + 0.5 * dm1
        normalize_term = 0.5 * dm1 * math.log(math.pi) + ember.mvlgamma(alpha - 0.5, dm1) - ember.lgamma(alpha) * dm1
        return unnormalized_log_pdf - normalize_term
