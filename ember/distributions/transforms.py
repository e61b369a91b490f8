"""Bijective transforms y = f(x) with ``log_abs_det_jacobian(x, y)`` = log|det dy/dx|, for
``TransformedDistribution`` (torch.distributions.transforms): the machinery in ``transform_base``
(``Transform``, ``ComposeTransform``, ``IndependentTransform``, ``ReshapeTransform``, ``CatTransform``,
``StackTransform``), the elementwise maps in
``pointwise_transforms`` and the maps onto simplices and matrices in ``constrained_transforms``.

``t.inv`` is the inverse transform. ``cache_size=1`` remembers the last (x, y) pair, so ``t.inv(t(x))``
returns ``x`` itself.

>>> import ember
>>> from ember.distributions.transforms import AffineTransform, ExpTransform
>>> t = ExpTransform()
>>> t(ember.tensor([0.])), t.inv(ember.tensor([1.])), t.log_abs_det_jacobian(ember.tensor([2.]), None)
(tensor([1.]), tensor([0.]), tensor([2.]))
>>> AffineTransform(1.0, 2.0)(ember.tensor([3.]))
tensor([7.])
"""
from .constrained_transforms import (CorrCholeskyTransform, CumulativeDistributionTransform, LowerCholeskyTransform,
                                     PositiveDefiniteTransform, SoftmaxTransform, StickBreakingTransform)
from .pointwise_transforms import (AbsTransform, AffineTransform, ExpTransform, PowerTransform, SigmoidTransform,
                                   SoftplusTransform, TanhTransform)
from .transform_base import (CatTransform, ComposeTransform, IndependentTransform, ReshapeTransform, StackTransform,
                             Transform, identity_transform)

__all__ = ["AbsTransform", "AffineTransform", "CatTransform", "ComposeTransform", "CorrCholeskyTransform", "CumulativeDistributionTransform", "ExpTransform",
           "IndependentTransform", "LowerCholeskyTransform", "PositiveDefiniteTransform", "PowerTransform",
           "ReshapeTransform", "SigmoidTransform", "SoftmaxTransform", "SoftplusTransform", "StackTransform", "StickBreakingTransform",
           "TanhTransform", "Transform", "identity_transform"]
