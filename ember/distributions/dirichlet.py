"""The Dirichlet and beta distributions.

>>> import ember
>>> from ember.distributions import Beta, Dirichlet
>>> Dirichlet(ember.tensor([1., 3.])).mean
tensor([0.2500, 0.7500])
>>> Beta(2.0, 2.0).log_prob(ember.tensor(0.5))
tensor(0.4055)
"""
from __future__ import annotations

import numbers

import ember
from ember.tensor import Size, Tensor

from . import constraints
from ._incomplete_beta import _sample_dirichlet
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Beta", "Dirichlet"]


class Dirichlet(ExponentialFamily):
    r"""Dirichlet(concentration a): p(x) = Gamma(sum a) / prod Gamma(a_i) * prod x_i^(a_i - 1) on the simplex.

    ``rsample``: x = g / sum(g) with g_i ~ Gamma(a_i, 1); its gradient is torch's implicit one: each x_i
    is differentiated through its Beta(a_i, sum(a) - a_i) marginal at a fixed CDF level, and the other
    coordinates shrink in proportion (see ``_incomplete_beta``).

    Shape: concentration (*batch_shape, K); event_shape is (K,).
    """

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration: Tensor, validate_args: bool | None = None) -> None:
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape, _instance=None) -> "Dirichlet":
        new = self._get_checked_instance(Dirichlet, _instance)
        batch_shape = Size(tuple(batch_shape))
        new.concentration = self.concentration.expand(batch_shape + self.event_shape)
        super(Dirichlet, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=Size()) -> Tensor:
        return _sample_dirichlet(self.concentration.expand(tuple(self._extended_shape(sample_shape))))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        a = self.concentration
        return ember.xlogy(a - 1.0, value).sum(-1) + ember.lgamma(a.sum(-1)) - ember.lgamma(a).sum(-1)

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self) -> Tensor:
        am1 = (self.concentration - 1).clamp(min=0.0)
        mode = am1 / am1.sum(-1, keepdim=True)
        all_below_one = (self.concentration < 1).all(-1, keepdim=True)
        corner = ember.nn.functional.one_hot(mode.argmax(-1), am1.shape[-1]).to(mode.dtype)
        return ember.where(all_below_one, corner, mode)

    @property
    def variance(self) -> Tensor:
        a0 = self.concentration.sum(-1, keepdim=True)
        return self.concentration * (a0 - self.concentration) / (a0.pow(2) * (a0 + 1))

    def entropy(self) -> Tensor:
        a = self.concentration
        k, a0 = a.shape[-1], a.sum(-1)
        return (ember.lgamma(a).sum(-1) - ember.lgamma(a0) - (k - a0) * ember.digamma(a0)
                - ((a - 1.0) * ember.digamma(a)).sum(-1))

    @property
    def _natural_params(self) -> tuple[Tensor]:
        return (self.concentration,)

    def _log_normalizer(self, x: Tensor) -> Tensor:
        return x.lgamma().sum(-1) - ember.lgamma(x.sum(-1))


class Beta(ExponentialFamily):
    r"""Beta(concentration1 a, concentration0 b): p(x) = x^(a-1) (1-x)^(b-1) / B(a, b) on [0, 1].

    Built on a two-category Dirichlet over (x, 1 - x); ``rsample`` is x = g_a / (g_a + g_b), g ~ Gamma,
    with the implicit gradient dx/da = -(dI_x(a, b)/da) / p(x; a, b) (I the incomplete beta function),
    as torch's (see ``Dirichlet``).

    Shape: batch_shape is the broadcast shape of the two concentrations; event_shape is ().
    """

    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args: bool | None = None) -> None:
        if isinstance(concentration1, numbers.Number) and isinstance(concentration0, numbers.Number):
            both = ember.tensor([float(concentration1), float(concentration0)])
        else:
            concentration1, concentration0 = broadcast_all(concentration1, concentration0)
            both = ember.stack([concentration1, concentration0], -1)
        self._dirichlet = Dirichlet(both, validate_args=validate_args)
        super().__init__(self._dirichlet._batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None) -> "Beta":
        new = self._get_checked_instance(Beta, _instance)
        batch_shape = Size(tuple(batch_shape))
        new._dirichlet = self._dirichlet.expand(batch_shape)
        super(Beta, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def concentration1(self) -> Tensor:
        return self._dirichlet.concentration[..., 0]

    @property
    def concentration0(self) -> Tensor:
        return self._dirichlet.concentration[..., 1]

    @property
    def mean(self) -> Tensor:
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self) -> Tensor:
        return self._dirichlet.mode[..., 0]

    @property
    def variance(self) -> Tensor:
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape=Size()) -> Tensor:
        return self._dirichlet.rsample(sample_shape).select(-1, 0)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return self._dirichlet.log_prob(ember.stack([value, 1.0 - value], -1))

    def entropy(self) -> Tensor:
        return self._dirichlet.entropy()

    @property
    def _natural_params(self) -> tuple[Tensor, Tensor]:
        return self.concentration1, self.concentration0

    def _log_normalizer(self, x: Tensor, y: Tensor) -> Tensor:
        return ember.lgamma(x) + ember.lgamma(y) - ember.lgamma(x + y)
