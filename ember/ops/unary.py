"""Unary pointwise math. Each op states its derivative next to its forward.

Integer inputs of floating functions (exp, sqrt, sin, ...) give the default float dtype, as torch.

>>> import ember
>>> x = ember.tensor([0.0, 1.0], requires_grad=True)
>>> x.exp().sum().backward(); x.grad
tensor([1.0000, 2.7183])
"""
from __future__ import annotations

import math
import numpy as np

from ..backends import kernels as _kernels
from ..tensor import Tensor, wrap
from ._common import float_arr, method, Op, write_out
from .reduction import _namedtuple, return_types
from ._special import _erf, _erfc, _erfinv  # noqa: F401 - the scipy/fallback special functions, once

__all__ = ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "square", "sin", "cos", "tan",
           "asin", "arcsin", "acos", "arccos", "atan", "arctan", "sinh", "cosh", "tanh", "asinh", "arcsinh", "acosh",
           "arccosh", "atanh", "arctanh", "sigmoid", "erf", "erfc", "erfinv", "reciprocal", "neg", "negative", "abs",
           "absolute", "relu", "floor", "ceil", "trunc", "fix", "sign", "frac", "isnan", "isinf", "isfinite", "isposinf",
           "isneginf", "logical_not", "bitwise_not", "round", "logit", "sgn", "positive", "deg2rad", "rad2deg", "frexp"]

class Unary(Op):
    """y = f(x) with ``grad(ctx, x, g)`` written in ember ops (x is the saved input Tensor)."""

    _needs_input = True

    @classmethod
    def forward(cls, ctx, x):
        if cls._needs_input:
            ctx.save_for_backward(x)
        return cls.f(float_arr(x._data))

    @classmethod
    def backward(cls, ctx, g):
        (x,) = ctx.saved_tensors if cls._needs_input else (None,)
        return cls.grad(ctx, x, g)


class UnaryOut(Op):
    """y = f(x) whose derivative is cheapest from y itself (exp, tanh, sigmoid, sqrt)."""

    save_output = True

    @classmethod
    def forward(cls, ctx, x):
        return cls.f(float_arr(x._data))

    @classmethod
    def backward(cls, ctx, g):
        return cls.grad(ctx.output, g)


def _unary(name, f, grad, base=Unary, **extra):
    return type(name, (base,), {"f": staticmethod(f), "grad": staticmethod(grad), **extra})


# d/dx written with the saved input x
Log = _unary("Log", np.log, lambda c, x, g: g / x)
Log2 = _unary("Log2", np.log2, lambda c, x, g: g / (x * math.log(2.0)))
Log10 = _unary("Log10", np.log10, lambda c, x, g: g / (x * math.log(10.0)))
Log1p = _unary("Log1p", np.log1p, lambda c, x, g: g / (x + 1))
Log1p.node_name = "Log1PBackward0"  # torch's spelling
Log1p.__init_subclass__()  # re-derive the node class from node_name
Sin = _unary("Sin", np.sin, lambda c, x, g: g * x.cos())
Cos = _unary("Cos", np.cos, lambda c, x, g: -g * x.sin())
Tan = _unary("Tan", np.tan, lambda c, x, g: g * (1 + x.tan() ** 2))
Asin = _unary("Asin", np.arcsin, lambda c, x, g: g / (1 - x * x).sqrt())
Acos = _unary("Acos", np.arccos, lambda c, x, g: -g / (1 - x * x).sqrt())
Atan = _unary("Atan", np.arctan, lambda c, x, g: g / (1 + x * x))
Sinh = _unary("Sinh", np.sinh, lambda c, x, g: g * x.cosh())
Cosh = _unary("Cosh", np.cosh, lambda c, x, g: g * x.sinh())
Asinh = _unary("Asinh", np.arcsinh, lambda c, x, g: g / (x * x + 1).sqrt())
Acosh = _unary("Acosh", np.arccosh, lambda c, x, g: g / (x * x - 1).sqrt())
Atanh = _unary("Atanh", np.arctanh, lambda c, x, g: g / (1 - x * x))
Erf = _unary("Erf", _erf, lambda c, x, g: g * (2 / math.sqrt(math.pi)) * (-x * x).exp())
Erfc = _unary("Erfc", _erfc, lambda c, x, g: -g * (2 / math.sqrt(math.pi)) * (-x * x).exp())
Expm1 = _unary("Expm1", np.expm1, lambda c, x, g: g * x.exp())
Logit = _unary("Logit", lambda a: np.log(a / (1 - a)), lambda c, x, g: g / (x * (1 - x)))
# d/dx written with the output y
Exp = _unary("Exp", np.exp, lambda y, g: g * y, UnaryOut)
Exp2 = _unary("Exp2", np.exp2, lambda y, g: g * y * math.log(2.0), UnaryOut)
Sqrt = _unary("Sqrt", np.sqrt, lambda y, g: g / (2 * y), UnaryOut)
Rsqrt = _unary("Rsqrt", lambda a: 1 / np.sqrt(a), lambda y, g: -0.5 * g * y ** 3, UnaryOut)
Tanh = _unary("Tanh", np.tanh, lambda y, g: g * (1 - y * y), UnaryOut)
Reciprocal = _unary("Reciprocal", lambda a: 1 / a, lambda y, g: -g * y * y, UnaryOut)
Erfinv = _unary("Erfinv", _erfinv, lambda y, g: g * (math.sqrt(math.pi) / 2) * (y * y).exp(), UnaryOut)


def _sigmoid(a):
    """1 / (1 + e^-x): oneDNN's logistic for C-contiguous float32 when installed, else NumPy's (kernels)."""
    return _kernels.sigmoid(a)


class SigmoidBackward(Op):
    """The backward op of sigmoid (torch's ``sigmoid_backward``): dx = g y (1 - y), one fused pass.
    Its own gradients (double backward): d/dg = y (1 - y), d/dy = g (1 - 2y)."""

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        gd, yd = g._data, y._data
        return _kernels.sigmoid_backward(gd, yd)

    @staticmethod
    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        return (SigmoidBackward.apply(gg, y) if need[0] else None,
                gg * g * (1 - 2 * y) if need[1] else None)


Sigmoid = _unary("Sigmoid", _sigmoid, lambda y, g: SigmoidBackward.apply(g, y), UnaryOut)


class Neg(Op):
    @staticmethod
    def forward(ctx, x):
        if x._data.dtype == np.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are "
                               "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        return np.negative(x._data)

    @staticmethod
    def backward(ctx, g):
        return -g


class Abs(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if x.is_complex():
            return g * x / x.abs().masked_fill(x.abs() == 0, 1)
        return g * x.sign()


class Relu(Op):
    """relu(x) = max(x, 0); d/dx = 1 where x > 0, else 0 (0 at x = 0, as torch)."""

    save_output = True

    @staticmethod
    def forward(ctx, x):
        d = x._data
        if d.dtype == np.bool_:
            return d.copy()
        return _kernels.relu(d)  # one compiled pass when numba is there

    @staticmethod
    def backward(ctx, g):
        return ThresholdBackward.apply(g, ctx.output, 0)


class ThresholdBackward(Op):
    """The backward op of relu (torch's ``threshold_backward``): dx = 0 where y <= t, else g. A select, so a NaN
    input passes g and a NaN g where y <= t gives 0. Linear in g with a piecewise-constant mask: d/dg is this
    same op, d/dy = 0."""

    @staticmethod
    def forward(ctx, g, y, threshold):
        if ctx.next is not None:
            ctx.y, ctx.threshold = y, threshold
        gd, yd = g._data, y._data
        if threshold == 0:
            return _kernels.relu_backward(gd, yd)  # one compiled pass when numba is there
        return np.where(yd <= threshold, gd.dtype.type(0), gd)

    @staticmethod
    def backward(ctx, gg):
        return ThresholdBackward.apply(gg, ctx.y, ctx.threshold), None


class Square(Op):
    """x^2 (integers stay integers); d/dx = 2x."""

    node_name = "PowBackward0"  # torch's square is pow(x, 2)

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x._data * x._data

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 2 * x


class Rounding(Op):
    """floor, ceil, round, trunc, sign: piecewise constant, so the gradient is zero."""

    @classmethod
    def forward(cls, ctx, x, *args):
        return cls.f(x._data, *args)

    @staticmethod
    def backward(ctx, g):
        return g.new_zeros(g.shape)  # torch's zeros_like(grad): a NaN gradient gives 0, not NaN


def _sign(a):
    if a.dtype == np.bool_:
        return a.copy()
    s = np.asarray(np.sign(a))  # NumPy returns a scalar for a 0-d input: keep an array to write into
    if s.dtype.kind == "f":
        s[np.isnan(s)] = 0  # torch: sign(NaN) = 0
    return s


def _round(a, decimals=0):
    if a.dtype.kind in "iub":
        return a.copy()
    return np.round(a, decimals)


def _int_keep(f):
    return lambda a: a.copy() if a.dtype.kind in "iub" else f(a)


Floor = type("Floor", (Rounding,), {"f": staticmethod(_int_keep(np.floor))})
Ceil = type("Ceil", (Rounding,), {"f": staticmethod(_int_keep(np.ceil))})
Trunc = type("Trunc", (Rounding,), {"f": staticmethod(_int_keep(np.trunc))})
Round = type("Round", (Rounding,), {"f": staticmethod(_round)})
Sign = type("Sign", (Rounding,), {"f": staticmethod(_sign)})


class Frac(Op):
    @staticmethod
    def forward(ctx, x):
        return x._data - np.trunc(x._data)

    @staticmethod
    def backward(ctx, g):
        return g


class Predicate(Op):
    """isnan/isinf/isfinite/logical_not/bitwise_not: bool or integer results, no gradient."""

    differentiable = False
    @classmethod
    def forward(cls, ctx, x):
        return np.asarray(cls.f(x._data))


def _pred(name, f):
    return type(name, (Predicate,), {"f": staticmethod(f)})


IsNan, IsInf, IsFinite = _pred("IsNan", np.isnan), _pred("IsInf", np.isinf), _pred("IsFinite", np.isfinite)
IsPosInf, IsNegInf = _pred("IsPosInf", np.isposinf), _pred("IsNegInf", np.isneginf)
LogicalNot = _pred("LogicalNot", np.logical_not)


def _bitnot(a):
    if a.dtype.kind not in "biu":
        raise RuntimeError("\"bitwise_not_cpu\" not implemented for 'Float'")
    return np.invert(a)


BitwiseNot = _pred("BitwiseNot", _bitnot)


# --------------------------------------------------------------------------- public functions
def _fn(cls, name, doc):
    def f(input):
        return cls.apply(input)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return method(f)


exp = _fn(Exp, "exp", "e^x; d/dx = e^x (from the saved output).")
exp2 = _fn(Exp2, "exp2", "2^x.")
expm1 = _fn(Expm1, "expm1", "e^x - 1, accurate near 0.")
log = _fn(Log, "log", "Natural log; d/dx = 1/x.")
log2 = _fn(Log2, "log2", "Base-2 log.")
log10 = _fn(Log10, "log10", "Base-10 log.")
log1p = _fn(Log1p, "log1p", "log(1 + x), accurate near 0.")
sqrt = _fn(Sqrt, "sqrt", "sqrt(x); d/dx = 1 / (2 sqrt(x)).")
rsqrt = _fn(Rsqrt, "rsqrt", "1 / sqrt(x).")
square = _fn(Square, "square", "x^2.")
sin = _fn(Sin, "sin", "sin x; d/dx = cos x.")
cos = _fn(Cos, "cos", "cos x; d/dx = -sin x.")
tan = _fn(Tan, "tan", "tan x.")
asin = arcsin = _fn(Asin, "asin", "arcsin x.")
acos = arccos = _fn(Acos, "acos", "arccos x.")
atan = arctan = _fn(Atan, "atan", "arctan x.")
sinh = _fn(Sinh, "sinh", "sinh x.")
cosh = _fn(Cosh, "cosh", "cosh x.")
tanh = _fn(Tanh, "tanh", "tanh x; d/dx = 1 - tanh^2 x.")
asinh = arcsinh = _fn(Asinh, "asinh", "arcsinh x.")
acosh = arccosh = _fn(Acosh, "acosh", "arccosh x.")
atanh = arctanh = _fn(Atanh, "atanh", "arctanh x.")
sigmoid = _fn(Sigmoid, "sigmoid", "1 / (1 + e^-x); d/dx = s (1 - s).")
erf = _fn(Erf, "erf", "The error function; d/dx = 2/sqrt(pi) e^(-x^2).")
erfc = _fn(Erfc, "erfc", "1 - erf(x).")
erfinv = _fn(Erfinv, "erfinv", "The inverse error function; d/dy = sqrt(pi)/2 e^(erfinv(y)^2).")
reciprocal = _fn(Reciprocal, "reciprocal", "1 / x; d/dx = -1/x^2.")
neg = negative = _fn(Neg, "neg", "-x.")
abs = absolute = _fn(Abs, "abs", "|x|; d/dx = sign(x) (0 at 0).")
relu = _fn(Relu, "relu", "max(x, 0); d/dx = 1 where x > 0 else 0.")
floor = _fn(Floor, "floor", "Round down; zero gradient.")
ceil = _fn(Ceil, "ceil", "Round up; zero gradient.")
trunc = fix = _fn(Trunc, "trunc", "Round toward zero; zero gradient.")
sign = _fn(Sign, "sign", "-1, 0 or 1; zero gradient.")
frac = _fn(Frac, "frac", "x - trunc(x).")
isnan = _fn(IsNan, "isnan", "Where x is NaN.")
isinf = _fn(IsInf, "isinf", "Where x is +-inf.")
isfinite = _fn(IsFinite, "isfinite", "Where x is neither inf nor NaN.")
isposinf = _fn(IsPosInf, "isposinf", "Where x is +inf.")
isneginf = _fn(IsNegInf, "isneginf", "Where x is -inf.")
logical_not = _fn(LogicalNot, "logical_not", "not x, as bool.")
bitwise_not = _fn(BitwiseNot, "bitwise_not", "~x on integers and bools.")
METHODS_EXTRA = {"arcsin": asin, "arccos": acos, "arctan": atan, "absolute": abs, "negative": neg,
                 "fix": trunc, "arcsinh": asinh, "arccosh": acosh, "arctanh": atanh}


@method
def round(input, *, decimals: int = 0):
    """Round half to even; zero gradient."""
    return Round.apply(input, decimals) if decimals else Round.apply(input)


@method
def logit(input, eps: float | None = None):
    """log(p / (1 - p)), with p clamped to [eps, 1 - eps] when eps is given."""
    if eps is not None:
        input = input.clamp(eps, 1 - eps)
    return Logit.apply(input)


@method
def sgn(input):
    """sign for real tensors; x / |x| for complex ones."""
    if input.is_complex():
        a = input.abs()
        return input / a.masked_fill(a == 0, 1)
    return sign(input)


@method
def positive(input):
    return input


return_types.frexp = _namedtuple("frexp", ("mantissa", "exponent"))


@method
def deg2rad(input: Tensor, *, out=None) -> Tensor:
    """x * pi / 180 (integers give the default float dtype)."""
    return write_out(wrap(float_arr(input._data)) * (math.pi / 180) if not input.is_floating_point()
                else input * (math.pi / 180), out)


@method
def rad2deg(input: Tensor, *, out=None) -> Tensor:
    """x * 180 / pi."""
    return write_out(wrap(float_arr(input._data)) * (180 / math.pi) if not input.is_floating_point()
                else input * (180 / math.pi), out)


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
        write_out(m, out[0])
        write_out(e, out[1])
        return return_types.frexp(*out)
    return return_types.frexp(m, e)
