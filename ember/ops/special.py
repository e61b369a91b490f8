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

from ..tensor import Tensor
from ._common import float_arr, method, Op, type_name, write_out
from ._special import _bessel_i, _lgamma, _polygamma

__all__ = ["sinc", "mvlgamma", "lgamma", "digamma", "polygamma", "i0"]



@method
def sinc(input: Tensor, *, out=None) -> Tensor:
    """sin(pi x) / (pi x), with sinc(0) = 1.

    >>> ember.sinc(ember.tensor([0., 0.5]))
    tensor([1.0000, 0.6366])
    """
    return write_out(Sinc.apply(input), out)


def _conj(t: Tensor) -> Tensor:
    return t.conj() if t.is_complex() else t


class Sinc(Op):
    """sinc(x) = sin(pi x) / (pi x), 1 at x = 0; d/dx = :class:`SincGrad` (a Function of x, so the second
    derivative at 0 is right: a composite masked at 0 would give 0 there instead of -pi^2 / 3)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = float_arr(x._data)
        return np.asarray(np.sinc(a)).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * _conj(SincGrad.apply(x))


class SincGrad(Op):
    """sinc'(x) = (cos(pi x) - sinc(x)) / x, 0 at x = 0; its derivative sinc''(x) = -pi^2 sinc(x) - 2 sinc'(x) / x,
    -pi^2 / 3 at x = 0."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = float_arr(x._data)
        zero = a == 0
        safe = np.where(zero, 1, a)
        return np.where(zero, 0, (np.cos(math.pi * safe) - np.sinc(safe)) / safe).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        zero = x == 0
        safe = x.masked_fill(zero, 1)
        d2 = (-math.pi ** 2 * Sinc.apply(x) - 2 * SincGrad.apply(safe) / safe).masked_fill(zero, -math.pi ** 2 / 3)
        return g * _conj(d2)


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
        return g * I1.apply(x)


class I1(Op):
    """I_1(x), the derivative of i0; d/dx = I_0(x) - I_1(x) / x (1/2 at x = 0)."""

    node_name = "SpecialI1Backward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.asarray(_bessel_i(1, float_arr(x._data)))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        zero = x == 0
        safe = x.masked_fill(zero, 1)
        return g * (I0.apply(x) - I1.apply(safe) / safe).masked_fill(zero, 0.5)


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
