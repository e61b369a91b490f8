"""Special functions: the gamma family (lgamma, digamma, polygamma, mvlgamma), i0 and sinc.

scipy.special computes them when it is installed, else the NumPy/math fallbacks of ``_special.py``.
Derivatives: lgamma' = digamma, digamma' = polygamma(1), polygamma(n)' = polygamma(n + 1), i0' = i1.

>>> import ember
>>> ember.lgamma(ember.tensor([3.])), ember.digamma(ember.tensor([1.]))
(tensor([0.6931]), tensor([-0.5772]))
"""
from __future__ import annotations

import math
import numpy as np

from ..tensor import Tensor, wrap
from ._common import float_arr, method, Op, type_name, write_out
from ._special import _bessel_i, _lgamma, _polygamma

__all__ = ["sinc", "mvlgamma", "lgamma", "digamma", "polygamma", "i0"]



@method
def sinc(input: Tensor, *, out=None) -> Tensor:
    """sin(pi x) / (pi x), with sinc(0) = 1.

    >>> ember.sinc(ember.tensor([0., 0.5]))
    tensor([1.0000, 0.6366])
    """
    x = input if input.is_floating_point() or input.is_complex() else wrap(float_arr(input._data))
    zero = x == 0
    px = x.masked_fill(zero, 1) * math.pi
    return write_out((px.sin() / px).masked_fill(zero, 1), out)


@method
def mvlgamma(input: Tensor, p: int) -> Tensor:
    """The multivariate log-gamma: p(p-1)/4 log(pi) + sum_{i<p} lgamma(x - i/2) (defined for x > (p-1)/2;
    torch 2.x no longer checks that, and neither does ember).

    >>> ember.mvlgamma(ember.tensor([2.5]), 2)
    tensor([0.8570])
    """
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    if not input.is_floating_point():
        raise RuntimeError("mvlgamma is not implemented for " + type_name(input._data.dtype))
    total = lgamma(input)
    for i in range(1, p):
        total = total + lgamma(input - i / 2)
    return total + p * (p - 1) / 4 * math.log(math.pi)


class Lgamma(Op):
    """log|Gamma(x)|; d/dx = digamma(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _lgamma(float_arr(x._data))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * digamma(x)


class Polygamma(Op):
    """The n-th derivative of digamma; d/dx = polygamma(n + 1, x)."""

    @staticmethod
    def forward(ctx, x, n):
        ctx.save_for_backward(x)
        ctx.n = n
        return np.asarray(_polygamma(n, float_arr(x._data)))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * Polygamma.apply(x, ctx.n + 1), None


class I0(Op):
    """The modified Bessel function of the first kind, order 0; d/dx = i1(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.asarray(_bessel_i(0, float_arr(x._data)))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * wrap(np.asarray(_bessel_i(1, x._data)))


@method
def lgamma(input: Tensor, *, out=None) -> Tensor:
    """log|Gamma(x)|; d/dx = digamma(x).

    >>> ember.lgamma(ember.tensor([1., 4.]))
    tensor([0.0000, 1.7918])
    """
    return write_out(Lgamma.apply(input), out)


@method
def digamma(input: Tensor, *, out=None) -> Tensor:
    """psi(x) = d/dx log Gamma(x); d/dx = polygamma(1, x)."""
    return write_out(Polygamma.apply(input, 0), out)


@method
def polygamma(n: int, input: Tensor, *, out=None) -> Tensor:
    """psi^(n)(x), the n-th derivative of digamma (``x.polygamma(n)`` as a method)."""
    if isinstance(n, Tensor):  # Tensor.polygamma(self, n)
        n, input = input, n
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return write_out(Polygamma.apply(input, n), out)


@method
def i0(input: Tensor, *, out=None) -> Tensor:
    """I_0(x) = sum_k (x^2/4)^k / (k!)^2; d/dx = I_1(x)."""
    return write_out(I0.apply(input), out)
