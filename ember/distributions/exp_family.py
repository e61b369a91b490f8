"""``ExponentialFamily``: p(x; theta) = h(x) exp(<t(x), theta> - F(theta)).

Its entropy (and the KL between two members of one family, in ``kl.py``) follows from the log
normaliser F by autograd: H = F(theta) - <theta, grad F(theta)> - E[log h(x)] (a Bregman divergence).
"""
from __future__ import annotations

import ember
from ember.tensor import Tensor

from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """Base class for exponential-family distributions (``_natural_params``, ``_log_normalizer``)."""

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        raise NotImplementedError

    def _log_normalizer(self, *natural_params) -> Tensor:
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self) -> float:
        raise NotImplementedError

    def entropy(self) -> Tensor:
        """H = F(theta) - <theta, dF/dtheta> - E[log h(x)], the gradient taken by autograd."""
        result = -self._mean_carrier_measure
        nparams = [p.detach().requires_grad_() for p in self._natural_params]
        with ember.enable_grad():
            lg_normal = self._log_normalizer(*nparams)
            gradients = ember.autograd.grad(lg_normal.sum(), nparams, create_graph=True)
        result = result + lg_normal
        for p, g in zip(nparams, gradients):
            result = result - (p * g).reshape(tuple(self._batch_shape) + (-1,)).sum(-1)
        return result
