"""Pointwise functions of two tensors beyond arithmetic (which is ``arith.py``): xlogy, logaddexp/logaddexp2,
ldexp, copysign, heaviside, gcd/lcm and nextafter, with torch's broadcasting and type promotion.
Integer results (gcd, lcm) and step functions have no gradient.

>>> import ember
>>> ember.logaddexp(ember.tensor([0.]), ember.tensor([0.])), ember.xlogy(ember.tensor([0.]), ember.tensor([0.]))
(tensor([0.6931]), tensor([0.]))
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor, wrap
from ..dtypes import from_numpy_dtype
from .. import dtypes as _dt
from ._common import as_tensor_arg, float_arr, method, METHODS, Op, operands, result_np_dtype, type_name, write_out
from .arith import float_power as _float_power, true_divide as _true_divide

__all__ = ["xlogy", "logaddexp", "logaddexp2", "ldexp", "copysign", "heaviside", "gcd", "lcm", "nextafter"]

METHODS["float_power"] = _float_power  # torch binds these as Tensor methods too
METHODS["true_divide"] = _true_divide



def _float_pair(input, other):
    """Both operands as tensors of torch's (floating) result dtype."""
    rt = result_np_dtype(input, other)
    if rt.kind not in "fc":

        rt = _dt.get_default_dtype().np
    a, b = as_tensor_arg(input, other if isinstance(other, Tensor) else None), as_tensor_arg(other, input)
    return a.to(_dtype(rt)), b.to(_dtype(rt))


def _dtype(np_dtype):

    return from_numpy_dtype(np_dtype)


# --------------------------------------------------------------------------- compositions
@method
def xlogy(input, other, *, out=None) -> Tensor:
    """x * log(y), defined as 0 where x == 0 (unless y is NaN).

    >>> ember.xlogy(ember.tensor([0., 2.]), ember.tensor([0., 1.]))
    tensor([0., 0.])
    """
    x, y = _float_pair(input, other)
    return write_out(Xlogy.apply(x, y), out)


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
    return write_out(_logaddexp(input, other, Tensor.log, Tensor.exp, "logaddexp"), out)


@method
def logaddexp2(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """log2(2^a + 2^b), computed stably like logaddexp."""
    return write_out(_logaddexp(input, other, Tensor.log2, Tensor.exp2, "logaddexp2"), out)


@method
def ldexp(input, other, *, out=None) -> Tensor:
    """input * 2^other.

    >>> ember.ldexp(ember.tensor([1.]), ember.tensor([3]))
    tensor([8.])
    """
    x, e = _float_pair(input, other)
    return write_out(x * e.exp2(), out)


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
        # torch: g * (result / self) with 0 where self is 0 (so NaN at a NaN self); other gets zeros, not g * 0
        if ctx.needs_input_grad[0]:
            ad = a._data
            with np.errstate(invalid="ignore", divide="ignore"):
                ratio = np.where(ad == 0, 0, ctx.out / ad).astype(ctx.out.dtype, copy=False)  # +-1, a constant
        ga = g * wrap(ratio) if ctx.needs_input_grad[0] else None
        return ga, (g.new_zeros(g.shape) if ctx.needs_input_grad[1] else None)


@method
def copysign(input, other, *, out=None) -> Tensor:
    """|input| with the sign of ``other`` (integers give the default float dtype).

    >>> ember.copysign(ember.tensor([1., -2.]), -1.)
    tensor([-1., -2.])
    """
    return write_out(Copysign.apply(input, other), out)


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
    return write_out(Heaviside.apply(input, values), out)


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
    return write_out(Gcd.apply(input, other), out)


@method
def lcm(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Least common multiple of integers."""
    return write_out(Lcm.apply(input, other), out)


class Nextafter(_NoGrad):
    @staticmethod
    def forward(ctx, a, b):
        x, y = operands(a, b)
        return np.asarray(np.nextafter(x, y))


@method
def nextafter(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The next representable float after ``input`` toward ``other``."""
    return write_out(Nextafter.apply(input, other), out)
