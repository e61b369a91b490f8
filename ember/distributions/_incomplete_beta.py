"""Dirichlet sampling with torch's implicit reparameterisation gradient (Jankowiak & Obermeyer, 2018).

Each coordinate x_i of x ~ Dirichlet(alpha) is marginally Beta(a, b) with a = alpha_i and
b = sum(alpha) - alpha_i. Holding the CDF level u = I_x(a, b) fixed (I the regularised incomplete beta
function) and b fixed gives

    g_i = (dx_i / dalpha_i) / (1 - x_i) = -(dI/da)(x; a, b) / (p(x; a, b) (1 - x)),

and the gradient of a loss L is dL/dalpha_i = g_i (dL/dx_i - sum_j x_j dL/dx_j): the other coordinates
shrink in proportion to keep the sum at 1. This is torch's ``_Dirichlet_backward``.

dI/da comes from the series I_x(a, b) = sum_n t_n, t_n = x^a (1-x)^b / (a B(a, b)) (a+b)_n / (a+1)_n x^n,
whose terms divided by the density are r_n = x (1-x) / a prod_{k<n} x (a+b+k) / (a+1+k) and whose
log-derivatives are
    d log t_n / da = log x - 1/a - digamma(a) + digamma(a+b) + sum_{k<n} (1/(a+b+k) - 1/(a+1+k)),
    d log t_n / db = log(1-x) - digamma(b) + digamma(a+b) + sum_{k<n} 1/(a+b+k).
For x above the mean the symmetry I_x(a, b) = 1 - I_(1-x)(b, a) keeps the series short. Both are summed
to double precision (torch uses its own approximations, within ~1e-3 of these).
"""
from __future__ import annotations

import numpy as np

import ember
from ember.tensor import Tensor
from ember.ops import _special
from ember.random import np_rng
from ember.tensor import wrap

_MAX_TERMS = 100_000


def _digamma(a: np.ndarray) -> np.ndarray:
    return _special._digamma(np.asarray(a, dtype=np.float64))


def _series(x: np.ndarray, a: np.ndarray, b: np.ndarray, wrt_first: bool) -> np.ndarray:
    """sum_n (t_n / p(x; a, b)) d log t_n / d(a or b) for I_x(a, b), divided by (1 - x) when the
    derivative is w.r.t. the first parameter, else by x."""
    ab = a + b
    log_x = np.log(x)
    if wrt_first:
        dlog = log_x - 1.0 / a - _digamma(a) + _digamma(ab)
        r = x / a  # r_0 / (1 - x)
    else:
        dlog = np.log1p(-x) - _digamma(b) + _digamma(ab)
        r = (1.0 - x) / a  # r_0 / x
    total = r * dlog
    for k in range(_MAX_TERMS):
        r = r * x * (ab + k) / (a + 1 + k)
        dlog = dlog + 1.0 / (ab + k) - (1.0 / (a + 1 + k) if wrt_first else 0.0)
        inc = r * dlog
        total = total + inc
        if ((np.abs(inc) <= 1e-16 * np.abs(total)) & (x * (ab + k) < (a + 1 + k))).all():
            break
    return total


def dirichlet_grad(x: np.ndarray, alpha: np.ndarray, total: np.ndarray) -> np.ndarray:
    """g = (dx/da at fixed b) / (1 - x) for x ~ Beta(a = alpha, b = total - alpha) (float64 arrays)."""
    x, a, ab = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (x, alpha, total)))
    b = ab - a
    x = np.clip(x, 1e-300, 1.0 - 1e-16)
    out = np.empty(x.shape)
    direct = x <= (a + 1.0) / (ab + 2.0)
    # I_x(a, b) = sum t_n(x; a, b): dx/da = -sum r_n dlog t_n/da
    out[direct] = -_series(x[direct], a[direct], b[direct], wrt_first=True)
    # I_x(a, b) = 1 - I_y(b, a) with y = 1 - x, so dx/da = +(dI_y(b, a)/da) / p with a the second
    # parameter; dividing by its own first argument y = 1 - x gives g directly
    flip = ~direct
    out[flip] = _series(1.0 - x[flip], b[flip], a[flip], wrt_first=False)
    return out


class _Dirichlet(ember.autograd.Function):
    """x = g / sum(g), g_i ~ Gamma(alpha_i, 1) from ember's generator; backward: torch's implicit
    gradient g_i (dL/dx_i - sum_j x_j dL/dx_j)."""

    @staticmethod
    def forward(ctx, concentration: Tensor) -> Tensor:
        c = concentration._data
        g = np_rng().standard_gamma(c.astype(np.float64))
        x = g / g.sum(-1, keepdims=True)
        x = np.maximum(x, np.finfo(c.dtype).tiny).astype(c.dtype)
        out = wrap(x)
        ctx.save_for_backward(out, concentration)
        return out

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        x, concentration = ctx.saved_tensors
        c = concentration._data
        total = np.broadcast_to(c.sum(-1, keepdims=True), c.shape)
        g = wrap(dirichlet_grad(x._data, c, total).astype(c.dtype))
        return g * (grad - (x * grad).sum(-1, keepdim=True))


def _sample_dirichlet(concentration: Tensor) -> Tensor:
    """Dirichlet draws of concentration's shape, differentiable w.r.t. it (torch's implicit gradient)."""
    return _Dirichlet.apply(concentration)
