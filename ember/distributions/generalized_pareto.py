"""The generalised Pareto distribution (peaks over a threshold).

>>> import ember
>>> from ember.distributions import GeneralizedPareto
>>> GeneralizedPareto(0.0, 1.0, 0.0).cdf(ember.tensor(1.0))
tensor(0.6321)
"""
from __future__ import annotations

import math
import numbers

import ember
from ember.tensor import Size, Tensor

from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["GeneralizedPareto"]


class GeneralizedPareto(Distribution):
    r"""GPD(loc, scale, concentration xi): survival S(x) = (1 + xi z)^(-1/xi), z = (x - loc) / scale
    (e^-z at xi = 0); support [loc, loc - scale / xi] for xi < 0, [loc, inf) otherwise. ``rsample`` is the
    inverse CDF of a uniform draw. The mean is NaN for xi >= 1, the variance for xi >= 1/2.

    Shape: batch_shape is the broadcast shape of the three parameters; event_shape is ().
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive, "concentration": constraints.real}
    has_rsample = True

    def __init__(self, loc, scale, concentration, validate_args: bool | None = None) -> None:
        self.loc, self.scale, self.concentration = broadcast_all(loc, scale, concentration)
        scalar = all(isinstance(v, numbers.Number) for v in (loc, scale, concentration))
        super().__init__(Size() if scalar else self.loc.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None) -> "GeneralizedPareto":
        new = self._get_checked_instance(GeneralizedPareto, _instance)
        batch_shape = Size(tuple(batch_shape))
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        new.concentration = self.concentration.expand(batch_shape)
        super(GeneralizedPareto, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _xi_is_zero(self) -> tuple[Tensor, Tensor]:
        """(xi == 0 up to isclose, xi with those entries replaced by 1 so every branch stays finite)."""
        xi = self.concentration
        eq_zero = ember.isclose(xi, ember.zeros_like(xi))
        return eq_zero, ember.where(eq_zero, ember.ones_like(xi), xi)

    def rsample(self, sample_shape=Size()) -> Tensor:
        return self.icdf(ember.rand(tuple(self._extended_shape(sample_shape)), dtype=self.loc.dtype))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        eq_zero, safe = self._xi_is_zero()
        y = 1 / safe + ember.ones_like(z)
        where_nonzero = ember.where(y == 0, y, y * ember.log1p(safe * z))
        return -self.scale.log() - ember.where(eq_zero, z, where_nonzero)

    def log_survival_function(self, value: Tensor) -> Tensor:
        """log S(x) = -log1p(xi z) / xi (-z at xi = 0)."""
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        eq_zero, safe = self._xi_is_zero()
        return ember.where(eq_zero, -z, -ember.log1p(safe * z) / safe)

    def log_cdf(self, value: Tensor) -> Tensor:
        return ember.log1p(-ember.exp(self.log_survival_function(value)))

    def cdf(self, value: Tensor) -> Tensor:
        return ember.exp(self.log_cdf(value))

    def icdf(self, value: Tensor) -> Tensor:
        eq_zero, safe = self._xi_is_zero()
        logu = ember.log1p(-value)
        where_nonzero = self.loc + self.scale / safe * ember.expm1(-safe * logu)
        return ember.where(eq_zero, self.loc - self.scale * logu, where_nonzero)

    @property
    def mean(self) -> Tensor:
        valid = self.concentration < 1
        safe = ember.where(valid, self.concentration, 0.5)
        return ember.where(valid, self.loc + self.scale / (1 - safe), math.nan)

    @property
    def variance(self) -> Tensor:
        valid = self.concentration < 0.5
        safe = ember.where(valid, self.concentration, 0.25)
        return ember.where(valid, self.scale ** 2 / ((1 - safe) ** 2 * (1 - 2 * safe)), math.nan)

    def entropy(self) -> Tensor:
        return ember.broadcast_to(ember.log(self.scale) + self.concentration + 1, tuple(self._batch_shape))

    @property
    def mode(self) -> Tensor:
        return self.loc

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        upper = ember.where(self.concentration < 0, self.loc - self.scale / self.concentration, math.inf)
        return constraints.interval(self.loc, upper)
