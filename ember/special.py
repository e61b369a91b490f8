"""``ember.special``: torch.special's functions. Most are ember's own ops under torch.special's names (``expit`` is
``sigmoid``, ``gammaln`` is ``lgamma``, ``psi`` is ``digamma``, ...); the rest compose them, so every gradient
comes from the ops. The Bessel, orthogonal-polynomial and incomplete-gamma families are not here yet.

>>> import ember
>>> x = ember.tensor([0.0, 0.5, 2.0])
>>> ember.special.expit(x), ember.special.ndtr(x)
(tensor([0.5000, 0.6225, 0.8808]), tensor([0.5000, 0.6915, 0.9772]))
>>> ember.special.entr(ember.tensor([0.0, 0.5, 1.0]))
tensor([ 0.0000,  0.3466, -0.0000])
"""
from __future__ import annotations

import math

import numpy as np

from .autograd.function import Op
from .ops.binary import xlogy
from .ops._common import float_arr, operands
from .ops.calling import bind_all
from .ops.creation import as_tensor
from .ops.reduction import logsumexp
from .ops.softmax import log_softmax, softmax
from .ops.special import digamma, i0, lgamma, mvlgamma, polygamma, sinc
from .ops.unary import erf, erfc, erfinv, exp2, expm1, log1p, logit, round, sigmoid
from .tensor import Tensor

__all__ = ["digamma", "entr", "erf", "erfc", "erfinv", "exp2", "expit", "expm1", "gammaln", "i0", "i0e", "log1p",
           "log_ndtr", "log_softmax", "logit", "logsumexp", "multigammaln", "ndtr", "ndtri", "polygamma", "psi",
           "round", "sinc", "softmax", "xlog1py", "xlogy"]

expit = sigmoid
gammaln = lgamma
psi = digamma
multigammaln = mvlgamma

_SQRT2 = math.sqrt(2.0)


class Entr(Op):
    """-x ln x elementwise: 0 at 0, -inf for x < 0 (NaN stays NaN); d/dx = -(1 + ln x), as torch's (inf at 0,
    NaN below)."""

    @staticmethod
    def forward(ctx, x):
        d = float_arr(x._data)
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = -d * np.log(np.where(d > 0, d, 1))
        return np.where(d < 0, -np.inf, np.where(d == 0, 0, out)).astype(d.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * -(x.log() + 1)


def entr(input: Tensor) -> Tensor:
    """-x ln x elementwise (0 at 0, -inf below 0)."""
    return Entr.apply(input)


def ndtr(input: Tensor) -> Tensor:
    """The standard normal CDF, (1 + erf(x / sqrt 2)) / 2."""
    return (1.0 + erf(input / _SQRT2)) * 0.5


def ndtri(input: Tensor) -> Tensor:
    """The inverse of ``ndtr``: sqrt 2 erfinv(2 p - 1)."""
    return erfinv(2.0 * input - 1.0) * _SQRT2


def log_ndtr(input: Tensor) -> Tensor:
    """log of the standard normal CDF, as log(erfc(-x / sqrt 2) / 2) (accurate far into the left tail)."""
    return (erfc(-input / _SQRT2) * 0.5).log()


class Xlog1py(Op):
    """x log(1 + y), 0 where x is 0 unless y is NaN; torch's gradients: dx = log1p(y) (0 where x = 0 and
    y <= -1), dy = x / (1 + y)."""

    broadcasting = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        dx, dy = operands(x, y)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = dx * np.log1p(dy)
        return np.where((dx == 0) & ~np.isnan(dy), 0, out).astype(out.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = (g * y.log1p()).masked_fill((x == 0) & (y <= -1), 0.0) if need[0] else None
        gy = g * x / (y + 1) if need[1] else None
        return gx, gy


def xlog1py(input, other) -> Tensor:
    """x log(1 + y) with log1p (accurate for small y), 0 where x is 0 unless y is NaN (as ``xlogy``)."""
    x, y = (t if isinstance(t, Tensor) else as_tensor(t) for t in (input, other))
    return Xlog1py.apply(x, y)


def i0e(input: Tensor) -> Tensor:
    """The exponentially scaled modified Bessel function of order 0: exp(-|x|) i0(x)."""
    return i0(input) * (-input.abs()).exp()


bind_all(globals(), without_out=("log_softmax", "softmax"))  # torch.special takes out= on the others
