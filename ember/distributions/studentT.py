"""Student's t distribution.

>>> import ember
>>> from ember.distributions import StudentT
>>> StudentT(ember.tensor(3.0)).variance
tensor(3.)
"""
from __future__ import annotations

import math

import ember
from ember.tensor import Size, Tensor

from . import constraints
from .distribution import Distribution
from .gamma import Chi2
from .utils import _standard_normal, broadcast_all

__all__ = ["StudentT"]


class StudentT(Distribution):
    r"""StudentT(df, loc, scale): p(x) = Gamma((df+1)/2) / (Gamma(df/2) sqrt(df pi) scale)
    (1 + y^2 / df)^(-(df+1)/2), y = (x - loc) / scale.

    ``rsample`` is loc + scale * z / sqrt(c / df) with z ~ N(0, 1) and c ~ Chi2(df) (implicitly
    reparameterised), so gradients reach df too. The mean is NaN for df <= 1; the variance is inf for
    1 < df <= 2 and NaN for df <= 1.

    Shape: batch_shape is the broadcast shape of df, loc and scale; event_shape is ().
    """

    arg_constraints = {"df": constraints.positive, "loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, df, loc=0.0, scale=1.0, validate_args: bool | None = None) -> None:
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df)
        super().__init__(self.df.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None) -> "StudentT":
        new = self._get_checked_instance(StudentT, _instance)
        batch_shape = Size(tuple(batch_shape))
        new.df = self.df.expand(batch_shape)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        new._chi2 = self._chi2.expand(batch_shape)
        super(StudentT, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Tensor:
        return ember.where(self.df <= 1, math.nan, self.loc)

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        df = self.df
        finite = self.scale.pow(2) * df / ember.where(df > 2, df - 2, 1.0)
        undefined = ember.where(df > 1, ember.full_like(df, math.inf), ember.full_like(df, math.nan))
        return ember.where(df > 2, finite, undefined)

    def rsample(self, sample_shape=Size()) -> Tensor:
        x = _standard_normal(self._extended_shape(sample_shape), self.df.dtype)
        z = self._chi2.rsample(sample_shape)
        return self.loc + self.scale * x * ember.rsqrt(z / self.df)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        y = (value - self.loc) / self.scale
        Z = (self.scale.log() + 0.5 * self.df.log() + 0.5 * math.log(math.pi) + ember.lgamma(0.5 * self.df)
             - ember.lgamma(0.5 * (self.df + 1.0)))
        return -0.5 * (self.df + 1.0) * ember.log1p(y ** 2.0 / self.df) - Z

    def entropy(self) -> Tensor:
        df = self.df
        lbeta = ember.lgamma(0.5 * df) + math.lgamma(0.5) - ember.lgamma(0.5 * (df + 1))
        return (self.scale.log() + 0.5 * (df + 1) * (ember.digamma(0.5 * (df + 1)) - ember.digamma(0.5 * df))
                + 0.5 * df.log() + lbeta)
