"""The gamma and exponential distributions.

>>> import ember
>>> from ember.distributions import Gamma, Exponential
>>> Gamma(2.0, 1.0).mean, Exponential(2.0).mean
(tensor(2.), tensor(0.5000))
"""
from __future__ import annotations

import numbers

import ember
from ember.tensor import Size, Tensor

from . import constraints
from ._incomplete_gamma import _standard_gamma, gammainc
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Chi2", "Exponential", "Gamma"]


class Gamma(ExponentialFamily):
    r"""Gamma(concentration a, rate b): p(x) = b^a x^(a-1) e^(-b x) / Gamma(a), x >= 0.

    ``rsample`` uses implicit reparameterisation: x = g / b with g ~ Gamma(a, 1), and
    dg/da = -(dP(a, g)/da) / p(g; a) with P the regularised incomplete gamma function (see
    ``_incomplete_gamma``); dx/db = -x / b.

    Shape: batch_shape is the broadcast shape of concentration and rate; event_shape is ().
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, concentration, rate, validate_args: bool | None = None) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate)
        scalar = isinstance(concentration, numbers.Number) and isinstance(rate, numbers.Number)
        super().__init__(Size() if scalar else self.concentration.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None) -> "Gamma":
        new = self._get_checked_instance(Gamma, _instance)
        batch_shape = Size(tuple(batch_shape))
        new.concentration = self.concentration.expand(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        super(Gamma, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=Size()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        return _standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)

    def log_prob(self, value) -> Tensor:
        if not isinstance(value, Tensor):
            value = ember.tensor(value, dtype=self.rate.dtype)
        if self._validate_args:
            self._validate_sample(value)
        a, b = self.concentration, self.rate
        return ember.xlogy(a, b) + ember.xlogy(a - 1, value) - b * value - ember.lgamma(a)

    def entropy(self) -> Tensor:
        a = self.concentration
        return a - ember.log(self.rate) + ember.lgamma(a) + (1.0 - a) * ember.digamma(a)

    def cdf(self, value: Tensor) -> Tensor:
        """P(concentration, rate * value), the regularised lower incomplete gamma function."""
        if self._validate_args:
            self._validate_sample(value)
        return gammainc(self.concentration, self.rate * value)

    @property
    def _natural_params(self) -> tuple[Tensor, Tensor]:
        return self.concentration - 1, -self.rate

    def _log_normalizer(self, x: Tensor, y: Tensor) -> Tensor:
        return ember.lgamma(x + 1) + (x + 1) * ember.log(-y.reciprocal())


class Chi2(Gamma):
    r"""Chi-squared with ``df`` degrees of freedom: Gamma(df / 2, 1 / 2).

    Shape: batch_shape is df's shape; event_shape is ().
    """

    arg_constraints = {"df": constraints.positive}

    def __init__(self, df, validate_args: bool | None = None) -> None:
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None) -> "Chi2":
        new = self._get_checked_instance(Chi2, _instance)
        return super().expand(batch_shape, new)

    @property
    def df(self) -> Tensor:
        return self.concentration * 2


class Exponential(ExponentialFamily):
    r"""Exponential(rate): p(x) = rate e^(-rate x), x >= 0.

    ``rsample`` is reparameterised: x = e / rate with e ~ Exp(1), so dx/drate = -x / rate.

    Shape: batch_shape is rate's shape; event_shape is ().
    """

    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, rate, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        super().__init__(Size() if isinstance(rate, numbers.Number) else self.rate.shape,
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None) -> "Exponential":
        new = self._get_checked_instance(Exponential, _instance)
        batch_shape = Size(tuple(batch_shape))
        new.rate = self.rate.expand(batch_shape)
        super(Exponential, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def mode(self) -> Tensor:
        return ember.zeros_like(self.rate)

    @property
    def stddev(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def variance(self) -> Tensor:
        return self.rate.pow(-2)

    def rsample(self, sample_shape=Size()) -> Tensor:
        e = ember.empty(tuple(self._extended_shape(sample_shape)), dtype=self.rate.dtype).exponential_()
        return e / self.rate

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return 1 - ember.exp(-self.rate * value)

    def icdf(self, value: Tensor) -> Tensor:
        return -ember.log1p(-value) / self.rate

    def entropy(self) -> Tensor:
        return 1.0 - ember.log(self.rate)

    @property
    def _natural_params(self) -> tuple[Tensor]:
        return (-self.rate,)

    def _log_normalizer(self, x: Tensor) -> Tensor:
        return -ember.log(-x)
