"""More pointwise math: xlogy, logaddexp/logaddexp2, copysign, deg2rad/rad2deg, heaviside, sinc,
the gamma family (lgamma, digamma, polygamma, mvlgamma), i0, frexp/ldexp, gcd/lcm and nextafter.

Special functions use scipy.special when it is installed and a NumPy/math fallback otherwise.
Derivatives: lgamma' = digamma, digamma' = polygamma(1), polygamma(n)' = polygamma(n + 1),
i0' = i1. Integer results (gcd, lcm, frexp's exponent) and step functions have no gradient.

>>> import ember
>>> ember.logaddexp(ember.tensor([0.]), ember.tensor([0.])), ember.lgamma(ember.tensor([3.]))
(tensor([0.6931]), tensor([0.6931]))
"""
from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor, wrap
from ._common import (METHODS, Op, as_tensor_arg, float_arr, method, operands, result_np_dtype, type_name,
                      write_out)
from .arith import float_power as _float_power, true_divide as _true_divide
from .reduction import _namedtuple, return_types
from ._special import _bessel_i, _lgamma, _polygamma

__all__ = ["xlogy", "logaddexp", "logaddexp2", "deg2rad", "rad2deg", "sinc", "ldexp", "mvlgamma", "lgamma", "digamma",
           "polygamma", "i0", "copysign", "heaviside", "gcd", "lcm", "nextafter", "frexp"]

return_types.frexp = _namedtuple("frexp", ("mantissa", "exponent"))


_out = write_out  # the one out= helper


def _float_pair(input, other):
    """Both operands as tensors of torch's (floating) result dtype."""
    rt = result_np_dtype(input, other)
    if rt.kind not in "fc":
        from .. import dtypes as _dt

        rt = _dt.get_default_dtype().np
    a, b = as_tensor_arg(input, other if isinstance(other, Tensor) else None), as_tensor_arg(other, input)
    return a.to(_dtype(rt)), b.to(_dtype(rt))


def _dtype(np_dtype):
    from ..dtypes import from_numpy_dtype

    return from_numpy_dtype(np_dtype)


# --------------------------------------------------------------------------- compositions
@method
def xlogy(input, other, *, out=None) -> Tensor:
    """x * log(y), defined as 0 where x == 0 (unless y is NaN).

    >>> ember.xlogy(ember.tensor([0., 2.]), ember.tensor([0., 1.]))
    tensor([0., 0.])
    """
    x, y = _float_pair(input, other)
    return _out(Xlogy.apply(x, y), out)


class Xlogy(Op):
    """x log y (0 where x == 0 and y is not NaN). Gradients as torch's: d/dx = xlogy(g, y), 0 where x == 0 and
    y <= 0; d/dy = g x / y. A primitive, not x * log(y), so a zero gradient times log(y < 0) stays 0, not NaN."""

    broadcasting = True

    @staticmethod
    def forward(ctx, x, y):
        xd, yd = x._data, y._data
        ctx.save_for_backward(x, y)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where((xd == 0) & ~np.isnan(yd), xd.dtype.type(0), xd * np.log(yd))

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        gx = Xlogy.apply(g, y).masked_fill((x == 0) & (y <= 0), 0) if ctx.needs_input_grad[0] else None
        gy = g * x / y if ctx.needs_input_grad[1] else None
        return gx, gy


def _logaddexp(input, other, log, exp, name):
    for t in (input, other):
        if isinstance(t, Tensor) and t._data.dtype.kind not in "fc":
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{type_name(t._data.dtype)}'")
    m = input.maximum(other).detach()
    m = m.masked_fill(~m.isfinite(), 0)  # stable: exp of non-positive numbers only
    return log(exp(input - m) + exp(other - m)) + m


@method
def logaddexp(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """log(e^a + e^b), computed as m + log(e^(a-m) + e^(b-m)) with m = max(a, b).

    >>> ember.logaddexp(ember.tensor([-1000.]), ember.tensor([-1000.]))
    tensor([-999.3068])
    """
    return _out(_logaddexp(input, other, Tensor.log, Tensor.exp, "logaddexp"), out)


@method
def logaddexp2(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """log2(2^a + 2^b), computed stably like logaddexp."""
    return _out(_logaddexp(input, other, Tensor.log2, Tensor.exp2, "logaddexp2"), out)


@method
def deg2rad(input: Tensor, *, out=None) -> Tensor:
    """x * pi / 180 (integers give the default float dtype)."""
    return _out(wrap(float_arr(input._data)) * (math.pi / 180) if not input.is_floating_point()
                else input * (math.pi / 180), out)


@method
def rad2deg(input: Tensor, *, out=None) -> Tensor:
    """x * 180 / pi."""
    return _out(wrap(float_arr(input._data)) * (180 / math.pi) if not input.is_floating_point()
                else input * (180 / math.pi), out)


@method
def sinc(input: Tensor, *, out=None) -> Tensor:
    """sin(pi x) / (pi x), with sinc(0) = 1.

    >>> ember.sinc(ember.tensor([0., 0.5]))
    tensor([1.0000, 0.6366])
    """
    x = input if input.is_floating_point() or input.is_complex() else wrap(float_arr(input._data))
    zero = x == 0
    px = x.masked_fill(zero, 1) * math.pi
    return _out((px.sin() / px).masked_fill(zero, 1), out)


@method
def ldexp(input, other, *, out=None) -> Tensor:
    """input * 2^other.

    >>> ember.ldexp(ember.tensor([1.]), ember.tensor([3]))
    tensor([8.])
    """
    x, e = _float_pair(input, other)
    return _out(x * e.exp2(), out)


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
    return _out(Lgamma.apply(input), out)


@method
def digamma(input: Tensor, *, out=None) -> Tensor:
    """psi(x) = d/dx log Gamma(x); d/dx = polygamma(1, x)."""
    return _out(Polygamma.apply(input, 0), out)


@method
def polygamma(n: int, input: Tensor, *, out=None) -> Tensor:
    """psi^(n)(x), the n-th derivative of digamma (``x.polygamma(n)`` as a method)."""
    if isinstance(n, Tensor):  # Tensor.polygamma(self, n)
        n, input = input, n
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return _out(Polygamma.apply(input, n), out)


@method
def i0(input: Tensor, *, out=None) -> Tensor:
    """I_0(x) = sum_k (x^2/4)^k / (k!)^2; d/dx = I_1(x)."""
    return _out(I0.apply(input), out)


# --------------------------------------------------------------------------- sign and float bits
class Copysign(Op):
    """|a| with the sign of b; d/da = sign(a) * sign(out) (0 at a = 0), d/db = 0."""

    broadcasting = True

    @staticmethod
    def forward(ctx, a, b):
        x, y = operands(a, b)
        xf = float_arr(np.asarray(x))
        out = np.asarray(np.copysign(xf, y)).astype(xf.dtype, copy=False)
        ctx.save_for_backward(a)
        ctx.out = out
        return out

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        ga = g * (a.sign() * wrap(np.sign(ctx.out))) if ctx.needs_input_grad[0] else None
        return ga, (g * 0 if ctx.needs_input_grad[1] else None)


@method
def copysign(input, other, *, out=None) -> Tensor:
    """|input| with the sign of ``other`` (integers give the default float dtype).

    >>> ember.copysign(ember.tensor([1., -2.]), -1.)
    tensor([-1., -2.])
    """
    return _out(Copysign.apply(input, other), out)


class _NoGrad(Op):
    differentiable = False


class Heaviside(_NoGrad):
    @staticmethod
    def forward(ctx, x, values):
        if x._data.dtype != values._data.dtype:
            raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
        return np.asarray(np.heaviside(x._data, values._data)).astype(x._data.dtype)


@method
def heaviside(input: Tensor, values: Tensor, *, out=None) -> Tensor:
    """0 where x < 0, ``values`` where x == 0, 1 where x > 0 (no gradient).

    >>> ember.heaviside(ember.tensor([-1., 0., 2.]), ember.tensor([0.5]))
    tensor([0.0000, 0.5000, 1.0000])
    """
    return _out(Heaviside.apply(input, values), out)


class IntBinary(_NoGrad):
    @classmethod
    def forward(cls, ctx, a, b):
        x, y = operands(a, b)
        dt = getattr(x, "dtype", None) or np.asarray(y).dtype
        if dt.kind not in "iub":
            raise NotImplementedError(f"\"{cls.name}_cpu\" not implemented for '{type_name(dt)}'")
        return np.asarray(cls.f(x, y))


Gcd = type("Gcd", (IntBinary,), {"f": staticmethod(np.gcd), "name": "gcd"})
Lcm = type("Lcm", (IntBinary,), {"f": staticmethod(np.lcm), "name": "lcm"})


@method
def gcd(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Greatest common divisor of integers (gcd(0, 0) = 0).

    >>> ember.gcd(ember.tensor([12, 7]), ember.tensor([8, 3]))
    tensor([4, 1])
    """
    return _out(Gcd.apply(input, other), out)


@method
def lcm(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Least common multiple of integers."""
    return _out(Lcm.apply(input, other), out)


class Nextafter(_NoGrad):
    @staticmethod
    def forward(ctx, a, b):
        x, y = operands(a, b)
        return np.asarray(np.nextafter(x, y))


@method
def nextafter(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The next representable float after ``input`` toward ``other``."""
    return _out(Nextafter.apply(input, other), out)


class Frexp(Op):
    """x = mantissa * 2^exponent with |mantissa| in [0.5, 1); d mantissa / dx = 2^-exponent."""

    @staticmethod
    def forward(ctx, x):
        d = x._data
        if d.dtype.kind != "f":
            raise RuntimeError("torch.frexp() only supports floating-point dtypes")
        m, e = np.frexp(d)
        ctx.exp = e
        e32 = np.asarray(e.astype(np.int32))
        ctx.mark_non_differentiable(e32)
        return np.asarray(m), e32

    @staticmethod
    def backward(ctx, g, g_exp=None):
        return g * wrap(np.exp2(-ctx.exp).astype(g._data.dtype))


@method
def frexp(input: Tensor, *, out=None):
    """(mantissa, exponent) with input = mantissa * 2^exponent; exponent is int32.

    >>> ember.frexp(ember.tensor([8.])).exponent
    tensor([4], dtype=ember.int32)
    """
    m, e = Frexp.apply(input)
    if out is not None:
        _out(m, out[0])
        _out(e, out[1])
        return return_types.frexp(*out)
    return return_types.frexp(m, e)


METHODS["float_power"] = _float_power  # torch binds these as Tensor methods too
METHODS["true_divide"] = _true_divide
