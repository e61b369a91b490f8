"""Binary arithmetic and comparisons, with torch's broadcasting and type promotion.

Each op sums its gradient back to each input's shape in the engine (``broadcasting = True``), so the
backwards below are the textbook ones:

* add: d(a + alpha b) = (g, alpha g);   sub: (g, -alpha g)
* mul: (g b, g a);   div: (g / b, -g a / b^2)
* pow: (g p a^(p-1), g a^p log a)

>>> import ember
>>> a = ember.tensor([1, 2, 3])
>>> (a / 2).dtype, (a // 2), (a + 1.5).dtype
(ember.float32, tensor([0, 1, 1]), ember.float32)
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..tensor import Tensor
from ._common import check_broadcast, method, Op, operands, write_out
from .ternary import where

__all__ = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide", "pow",
           "float_power", "remainder", "fmod", "maximum", "minimum", "fmax", "fmin", "eq", "ne", "lt", "le", "gt",
           "ge", "greater", "greater_equal", "less", "less_equal", "not_equal", "bitwise_and", "bitwise_or",
           "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift"]


def _int_zero_division(x, y) -> None:
    """torch raises on an integer ``//``, ``%``, ``fmod`` or rounded ``div`` by zero (NumPy gives 0)."""
    if np.result_type(x, y).kind in "iu" and np.any(np.equal(y, 0)):
        raise RuntimeError("ZeroDivisionError")


def _check(x, y, op: str):
    """torch's broadcast error when the shapes differ (NumPy's message names neither tensor)."""
    sx, sy = getattr(x, "shape", None), getattr(y, "shape", None)
    if sx is not None and sy is not None and sx != sy:
        check_broadcast(x, y)


class Add(Op):
    broadcasting = True
    _number_inputs = 2  # torch wraps a Python number operand as a tensor input (next_functions lists it)
    ufunc = np.add

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        x, y = operands(a, b)
        try:
            if alpha != 1:
                ctx.alpha = alpha
                return x + y * alpha
            return x + y
        except ValueError:
            _check(x, y, "add")
            raise

    @staticmethod
    def backward(ctx, g):
        alpha = ctx.__dict__.get("alpha", 1)
        return g, (g * alpha if alpha != 1 else g)


class Sub(Op):
    broadcasting = True
    _number_inputs = 2
    ufunc = np.subtract

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        x, y = operands(a, b)
        _check(x, y, "sub")
        if getattr(x, "dtype", None) == np.bool_ and getattr(y, "dtype", None) == np.bool_:
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                               "Use the `^` or `logical_xor()` operator instead.")
        if alpha != 1:
            ctx.alpha = alpha
            return x - y * alpha
        return x - y

    @staticmethod
    def backward(ctx, g):
        alpha = ctx.__dict__.get("alpha", 1)  # the operator's fast path sets no alpha
        return g, (-g if alpha == 1 else g * -alpha)


def _conj(v):
    """The conjugate of a saved operand: torch's gradients are conjugate Wirtinger (g * conj(b) for a * b)."""
    if isinstance(v, Tensor):
        return v.conj() if v._data.dtype.kind == "c" else v
    return v.conjugate() if isinstance(v, complex) else v


class Mul(Op):
    broadcasting = True
    _number_inputs = 2
    ufunc = np.multiply

    @staticmethod
    def save(ctx, a, b, need_a: bool, need_b: bool) -> None:
        ctx.save_for_backward(a if need_b else None, b if need_a else None)  # only what is used, as torch

    @staticmethod
    def forward(ctx, a, b):
        x, y = operands(a, b)
        need = ctx.needs_input_grad
        Mul.save(ctx, a, b, need[0], need[1])
        try:
            return x * y
        except ValueError:
            _check(x, y, "mul")
            raise

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = g * _conj(b) if ctx.needs_input_grad[0] else None
        gb = g * _conj(a) if ctx.needs_input_grad[1] else None
        return ga, gb


class Div(Op):
    broadcasting = True
    _number_inputs = 2
    ufunc = np.true_divide

    @staticmethod
    def save(ctx, a, b, need_a: bool, need_b: bool) -> None:
        ctx.save_for_backward(a if need_b else None, b)

    @staticmethod
    def forward(ctx, a, b, rounding_mode=None):
        x, y = operands(a, b)
        _check(x, y, "div")
        need = ctx.needs_input_grad
        Div.save(ctx, a, b, need[0], need[1])
        if rounding_mode is not None:
            ctx.mode = rounding_mode
        if rounding_mode is None:
            if getattr(x, "dtype", np.dtype(np.float32)).kind in "biu" and (
                    not isinstance(y, float) and getattr(y, "dtype", np.dtype(np.int64)).kind in "biu"):
                f = _dt.get_default_dtype().np  # int / int gives the default float dtype
                x = x.astype(f) if hasattr(x, "astype") else f.type(x)
                y = y.astype(f) if hasattr(y, "astype") else f.type(y)
            return np.true_divide(x, y)
        _int_zero_division(x, y)
        if rounding_mode == "trunc":
            out = np.true_divide(x, y)
            out = np.trunc(out)
            dt = np.result_type(x, y) if hasattr(x, "dtype") else x.dtype
            return out.astype(dt) if dt.kind in "iu" else out
        if rounding_mode == "floor":
            if getattr(x, "dtype", None) == np.bool_ and getattr(y, "dtype", None) == np.bool_:
                raise NotImplementedError("\"div_floor_cpu\" not implemented for 'Bool'")
            return np.floor_divide(x, y)
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"'{rounding_mode}'")

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        if ctx.__dict__.get("mode") is not None:  # the operator's fast path sets no mode
            return (g * 0 if ctx.needs_input_grad[0] else None), (g * 0 if ctx.needs_input_grad[1] else None)
        ga = g / _conj(b) if ctx.needs_input_grad[0] else None
        gb = -(g * _conj(a / b / b)) if ctx.needs_input_grad[1] else None  # torch's div_tensor_other_backward
        return ga, gb


class Pow(Op):
    broadcasting = True

    @staticmethod
    def forward(ctx, a, b):
        x, y = operands(a, b)
        _check(x, y, "pow")
        if getattr(x, "dtype", None) is not None and x.dtype.kind in "iu" and isinstance(y, np.ndarray) \
                is False and isinstance(y, int) and y < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        out = np.power(x, y)
        if ctx.next is not None and isinstance(b, Tensor):  # torch's pow(Tensor, Tensor), pow(Scalar, Tensor)
            ctx.rename("PowBackward1" if isinstance(a, Tensor) else "PowBackward2")
        ctx.save_for_backward(a, b)
        ctx.out = out if ctx.needs_input_grad[1] else None
        return out

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = gb = None
        if ctx.needs_input_grad[0]:
            if isinstance(b, Tensor):
                ga = g * b * a ** (b - 1)
                ga = ga.masked_fill((b == 0) & (a == 0), 0) if ga._data.dtype.kind == "f" else ga
            elif b == 0:
                ga = g * 0
            else:
                ga = g * b * a ** (b - 1)
        if ctx.needs_input_grad[1]:
            base = a if isinstance(a, Tensor) else a
            out = base ** b
            if isinstance(base, Tensor):
                logb = base.log().masked_fill((base == 0) & (b >= 0), 0)
            else:
                logb = float(np.log(base)) if base > 0 else (0.0 if base == 0 else float("nan"))
            gb = g * out * logb
        return ga, gb


class Remainder(Op):
    broadcasting = True

    @staticmethod
    def forward(ctx, a, b):
        x, y = operands(a, b)
        _int_zero_division(x, y)
        ctx.save_for_backward(a, b)
        return np.remainder(x, y)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        gb = -g * (a / b).floor() if ctx.needs_input_grad[1] else None
        return g, gb


class Fmod(Op):
    broadcasting = True

    @staticmethod
    def forward(ctx, a, b):
        x, y = operands(a, b)
        _int_zero_division(x, y)
        ctx.save_for_backward(a, b)
        return np.fmod(x, y)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        gb = -g * (a / b).trunc() if ctx.needs_input_grad[1] else None
        return g, gb


def _pick(g, a, b, loses):
    """where(a == b, g / 2, g).masked_fill(loses, 0): torch's maximum/minimum gradient for one side."""

    return where(loses, g.new_zeros(()), where(a == b, g / 2, g))


class Maximum(Op):
    broadcasting = True
    _fn = staticmethod(np.maximum)

    @classmethod
    def forward(cls, ctx, a, b):
        x, y = operands(a, b)
        _check(x, y, cls.__name__.lower())
        ctx.save_for_backward(a, b)
        return cls._fn(x, y)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        # torch's masked_fill: ties share the gradient, a NaN on either side passes it to both, and the losing
        # side gets 0 even where g is NaN (a select, not a product)
        return _pick(g, a, b, a < b), _pick(g, a, b, a > b)


class Minimum(Maximum):
    _fn = staticmethod(np.minimum)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _pick(g, a, b, a > b), _pick(g, a, b, a < b)


class Fmax(Op):
    """max(a, b) ignoring NaN (NaN only where both are); the gradient goes to a where a >= b or b is NaN,
    else to b (torch's derivative: ties go to a)."""

    broadcasting = True
    _fn = staticmethod(np.fmax)

    @classmethod
    def forward(cls, ctx, a, b):
        x, y = operands(a, b)
        _check(x, y, cls.__name__.lower())
        ctx.save_for_backward(a, b)
        return cls._fn(x, y)

    @classmethod
    def backward(cls, ctx, g):
        a, b = ctx.saved_tensors
        to_a = cls._wins(a, b) | b.isnan()
        return g.masked_fill(~to_a, 0), g.masked_fill(to_a, 0)

    @staticmethod
    def _wins(a, b):
        return a >= b


class Fmin(Fmax):
    """min(a, b) ignoring NaN; the gradient goes to a where a <= b or b is NaN, else to b."""

    _fn = staticmethod(np.fmin)

    @staticmethod
    def _wins(a, b):
        return a <= b


class Compare(Op):
    """A comparison: a bool result with no gradient."""

    differentiable = False
    _fn = None

    @classmethod
    def forward(cls, ctx, a, b):
        x, y = operands(a, b)
        _check(x, y, cls.__name__)
        return np.asarray(cls._fn(x, y))


def _cmp(name: str, fn) -> type:
    return type(name, (Compare,), {"_fn": staticmethod(fn)})


Eq, Ne = _cmp("Eq", np.equal), _cmp("Ne", np.not_equal)
Lt, Le = _cmp("Lt", np.less), _cmp("Le", np.less_equal)
Gt, Ge = _cmp("Gt", np.greater), _cmp("Ge", np.greater_equal)


class Bitwise(Op):
    """Integer and bool bitwise ops (no gradient)."""

    differentiable = False
    _fn = None

    @classmethod
    def forward(cls, ctx, a, b):
        x, y = operands(a, b)
        for v in (x, y):
            if getattr(v, "dtype", np.dtype(np.int64)).kind not in "biu" or isinstance(v, float):
                raise RuntimeError(f"\"{cls.__name__.lower()}_cpu\" not implemented for 'Float'")
        return np.asarray(cls._fn(x, y))


def _bit(name: str, fn) -> type:
    return type(name, (Bitwise,), {"_fn": staticmethod(fn)})


BitwiseAnd, BitwiseOr = _bit("bitwise_and", np.bitwise_and), _bit("bitwise_or", np.bitwise_or)
BitwiseXor = _bit("bitwise_xor", np.bitwise_xor)
LeftShift, RightShift = _bit("bitwise_left_shift", np.left_shift), _bit("bitwise_right_shift", np.right_shift)


# --------------------------------------------------------------------------- public functions
@method
def add(input, other, *, alpha=1, out=None):
    """out = input + alpha * other (broadcasting, torch's type promotion)."""
    return _out(Add.apply(input, other, alpha) if alpha != 1 else Add.apply(input, other), out)


@method
def sub(input, other, *, alpha=1, out=None):
    """out = input - alpha * other."""
    return _out(Sub.apply(input, other, alpha), out)


subtract = sub


@method
def mul(input, other, *, out=None):
    """out = input * other."""
    return _out(Mul.apply(input, other), out)


multiply = mul


@method
def div(input, other, *, rounding_mode=None, out=None):
    """True division (ints give the default float dtype); ``rounding_mode`` 'trunc' or 'floor'."""
    return _out(Div.apply(input, other, rounding_mode), out)


divide = true_divide = div


@method
def floor_divide(input, other, *, out=None):
    return _out(Div.apply(input, other, "floor"), out)


@method
def pow(input, exponent, *, out=None):
    """input ** exponent; d/dx = p x^(p-1), d/dp = x^p log x."""
    return _out(Pow.apply(input, exponent), out)


def float_power(input, exponent):
    return pow(_as_double(input), _as_double(exponent))


def _as_double(x):
    return x.double() if isinstance(x, Tensor) else float(x)


@method
def remainder(input, other):
    """Python's modulo: the result has the sign of ``other``."""
    return Remainder.apply(input, other)


@method
def fmod(input, other):
    """C's fmod: the result has the sign of ``input``."""
    return Fmod.apply(input, other)


def _tensor_other(name: str, other) -> None:
    if not isinstance(other, Tensor):  # torch's signature takes no Python number here
        raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")


@method
def maximum(input, other):
    _tensor_other("maximum", other)
    return Maximum.apply(input, other)


@method
def minimum(input, other):
    _tensor_other("minimum", other)
    return Minimum.apply(input, other)


@method
def fmax(input, other):
    """The larger of each pair, ignoring NaN (NaN only where both are NaN)."""
    _tensor_other("fmax", other)
    return Fmax.apply(input, other)


@method
def fmin(input, other):
    """The smaller of each pair, ignoring NaN (NaN only where both are NaN)."""
    _tensor_other("fmin", other)
    return Fmin.apply(input, other)


@method
def eq(input, other):
    return Eq.apply(input, other)


@method
def ne(input, other):
    return Ne.apply(input, other)


@method
def lt(input, other):
    return Lt.apply(input, other)


@method
def le(input, other):
    return Le.apply(input, other)


@method
def gt(input, other):
    return Gt.apply(input, other)


@method
def ge(input, other):
    return Ge.apply(input, other)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


@method
def bitwise_and(input, other):
    return BitwiseAnd.apply(input, other)


@method
def bitwise_or(input, other):
    return BitwiseOr.apply(input, other)


@method
def bitwise_xor(input, other):
    return BitwiseXor.apply(input, other)


@method
def bitwise_left_shift(input, other):
    return LeftShift.apply(input, other)


@method
def bitwise_right_shift(input, other):
    return RightShift.apply(input, other)


_out = write_out  # the one out= helper


def _rsub(self, other):
    return Sub.apply(other, self)


def _rdiv(self, other):
    return Div.apply(other, self)


def _rpow(self, other):
    return Pow.apply(other, self)


def _rfloordiv(self, other):
    return Div.apply(other, self, "floor")


def _rmod(self, other):
    return Remainder.apply(other, self)


_add, _mul = Add.operator(), Mul.operator()


def _radd(self, other):
    return _add(self, other) if type(other) is float else Add.apply(other, self)


def _rmul(self, other):
    return _mul(self, other) if type(other) is float else Mul.apply(other, self)


OPERATORS = {
    "__add__": _add, "__radd__": _radd,
    "__sub__": Sub.operator(), "__rsub__": _rsub,
    "__mul__": _mul, "__rmul__": _rmul,
    "__truediv__": Div.operator(), "__rtruediv__": _rdiv,
    "__floordiv__": lambda s, o: Div.apply(s, o, "floor"), "__rfloordiv__": _rfloordiv,
    "__mod__": lambda s, o: Remainder.apply(s, o), "__rmod__": _rmod,
    "__pow__": lambda s, o: Pow.apply(s, o), "__rpow__": _rpow,
    "__eq__": lambda s, o: Eq.apply(s, o), "__ne__": lambda s, o: Ne.apply(s, o),
    "__lt__": lambda s, o: Lt.apply(s, o), "__le__": lambda s, o: Le.apply(s, o),
    "__gt__": lambda s, o: Gt.apply(s, o), "__ge__": lambda s, o: Ge.apply(s, o),
    "__and__": lambda s, o: BitwiseAnd.apply(s, o), "__rand__": lambda s, o: BitwiseAnd.apply(o, s),
    "__or__": lambda s, o: BitwiseOr.apply(s, o), "__ror__": lambda s, o: BitwiseOr.apply(o, s),
    "__xor__": lambda s, o: BitwiseXor.apply(s, o), "__rxor__": lambda s, o: BitwiseXor.apply(o, s),
    "__lshift__": lambda s, o: LeftShift.apply(s, o), "__rshift__": lambda s, o: RightShift.apply(s, o),
}
