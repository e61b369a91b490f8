"""The special functions behind the pointwise ops, on raw arrays: scipy.special when it is installed, else
one NumPy/math fallback each (accurate to ~1e-10): erf, erfc, erfinv (unary.py); lgamma, digamma,
polygamma, i0/i1 (special.py). Nothing here is exported as ``ember.<name>``.

>>> import numpy as np
>>> float(_erf(np.float64(0.0))), float(_lgamma(np.float64(3.0)).round(6))
(0.0, 0.693147)
"""
from __future__ import annotations

import math

import numpy as np

__all__: list[str] = []

try:  # scipy.special when present; else math-module functions element by element and the series below
    from scipy import special as _sp
except ImportError:  # pragma: no cover
    _sp = None


def _elementwise(f, x):
    """Apply a math-module function elementwise (the fallback when scipy is absent); keeps dtype and 0-d."""
    x = np.asarray(x)
    return np.asarray(np.frompyfunc(f, 1, 1)(x), dtype=x.dtype)


def _erfc(x):
    if _sp is not None:
        return _sp.erfc(x)
    return _elementwise(math.erfc, x)


def _erf(x):
    if _sp is not None:
        return _sp.erf(x)
    return _elementwise(math.erf, x)


def _erfinv(y):
    if _sp is not None:
        return _sp.erfinv(y)
    # Newton on erf from Giles' single-precision start
    y = np.asarray(y)
    dtype, y = y.dtype, y.astype(np.float64)
    w = -np.log((1.0 - y) * (1.0 + y))
    x = y * (1.5 + 0.1 * w)
    for _ in range(60):
        x = x - (_erf(x) - y) / (2 / math.sqrt(math.pi) * np.exp(-x * x))
    x = np.where(np.abs(y) == 1, np.copysign(np.inf, y), x)  # erfinv(+-1) = +-inf
    return np.asarray(x, dtype=dtype)


def _lgamma(a):
    if _sp is not None:
        return _sp.gammaln(a)
    return _elementwise(math.lgamma, a)


def _digamma(a):
    if _sp is not None:
        return np.where(a == 0, -np.inf, _sp.digamma(a))  # torch: digamma(0) = -inf
    return _polygamma_fallback(0, a)


def _hurwitz_zeta(s: int, q: np.ndarray) -> np.ndarray:
    """zeta(s, q) = sum_k (q + k)^-s by recurrence up to q >= 10, then Euler-Maclaurin."""
    q = q.astype(np.float64)
    acc = np.zeros_like(q)
    while (q < 10).any():
        small = q < 10
        acc += np.where(small, q ** -s, 0)
        q = np.where(small, q + 1, q)
    tail = q ** (1 - s) / (s - 1) + 0.5 * q ** -s
    bern = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6]
    term = q ** (-s - 1) * s  # s (s+1) ... (s+2k-2) q^(-s-2k+1)
    for k, b in enumerate(bern, 1):
        tail += b / math.factorial(2 * k) * term
        term = term * (s + 2 * k - 1) * (s + 2 * k) / q ** 2
    return acc + tail


def _polygamma_fallback(n: int, a: np.ndarray) -> np.ndarray:
    if n == 0:  # digamma by recurrence to x >= 6, then the asymptotic series
        x = a.astype(np.float64)
        acc = np.zeros_like(x)
        while (x < 6).any():
            small = x < 6
            acc -= np.where(small, 1 / x, 0)
            x = np.where(small, x + 1, x)
        x2 = 1 / (x * x)
        series = np.log(x) - 0.5 / x - x2 * (1 / 12 - x2 * (1 / 120 - x2 * (1 / 252 - x2 * (1 / 240 - x2 / 132))))
        return (acc + series).astype(a.dtype)
    return ((-1) ** (n + 1) * math.factorial(n) * _hurwitz_zeta(n + 1, a)).astype(a.dtype)


def _polygamma(n: int, a):
    if n == 0:
        return _digamma(a)
    if _sp is not None:
        return _sp.polygamma(n, a).astype(a.dtype)
    return _polygamma_fallback(n, a)


def _bessel_i(order: int, a: np.ndarray) -> np.ndarray:
    if _sp is not None:
        return (_sp.i0 if order == 0 else _sp.i1)(a)
    if order == 0:
        return np.i0(a)
    x = a.astype(np.float64)  # power series sum_k (x/2)^(2k+1) / (k! (k+1)!)
    term = x / 2
    total = term.copy()
    for k in range(1, 200):
        term = term * (x / 2) ** 2 / (k * (k + 1))
        total += term
    return total.astype(a.dtype)
