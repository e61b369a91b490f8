"""The logistic-normal distribution on the simplex: stick breaking of a normal vector.

>>> import ember
>>> from ember.distributions import LogisticNormal
>>> LogisticNormal(ember.zeros(2), ember.ones(2)).sample().shape
ember.Size([3])
"""
from __future__ import annotations

from ember.tensor import Tensor

from . import constraints
from .normal import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import StickBreakingTransform

__all__ = ["LogisticNormal"]


class LogisticNormal(TransformedDistribution):
    r"""y = StickBreakingTransform(x), x ~ N(loc, scale^2) in R^K: a point of the (K+1)-simplex.

    Shape: loc and scale (*batch, K); event_shape (K + 1,).
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, loc, scale, validate_args: bool | None = None) -> None:
        base_dist = Normal(loc, scale, validate_args=validate_args)
        if not base_dist.batch_shape:
            base_dist = base_dist.expand([1])
        super().__init__(base_dist, StickBreakingTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None) -> "LogisticNormal":
        new = self._get_checked_instance(LogisticNormal, _instance)
        return super().expand(batch_shape, _instance=new)

    @property
    def loc(self) -> Tensor:
        return self.base_dist.base_dist.loc

    @property
    def scale(self) -> Tensor:
        return self.base_dist.base_dist.scale
