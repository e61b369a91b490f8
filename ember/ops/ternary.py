"""Pointwise ops of several inputs: where, clamp, lerp, addcmul/addcdiv, atan2, hypot, logical ops,
closeness tests and nan_to_num. Most are compositions; ``where`` and ``clamp`` are primitives.

>>> import ember
>>> x = ember.tensor([-2.0, 0.5, 3.0])
>>> ember.where(x > 0, x, 0.0), x.clamp(-1, 1)
(tensor([0.0000, 0.5000, 3.0000]), tensor([-1.0000,  0.5000,  1.0000]))
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor, wrap
from .. import dtypes
from ._common import check_broadcast, method, Op, operands, result_np_dtype, write_out

__all__ = ["where", "clamp", "clip", "clamp_min", "clamp_max", "lerp", "addcmul", "addcdiv", "atan2", "arctan2",
           "hypot", "logical_and", "logical_or", "logical_xor", "isclose", "allclose", "equal", "nan_to_num"]


class Where(Op):
    """out = a where cond else b; grads g*cond and g*(1-cond)."""

    broadcasting = True

    @staticmethod
    def forward(ctx, cond, a, b):
        c = cond._data
        if c.dtype != np.bool_:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with "
                               f"dtype {cond.dtype.name.capitalize()}")
        x, y = operands(a, b) if isinstance(a, Tensor) or isinstance(b, Tensor) else _scalar_pair(a, b)
        for v in (x, y):
            if hasattr(v, "shape"):
                check_broadcast(c, v)
        ctx.cond = c
        return np.where(c, x, y)

    @staticmethod
    def backward(ctx, g):
        c = wrap(ctx.cond)
        zero = g.new_zeros(())  # a select, not g * 0: a NaN gradient stays out of the branch not taken
        return None, where(c, g, zero), where(c, zero, g)


def _scalar_pair(a, b):
    """``where(cond, 1, 0)``: two Python numbers give torch's dtype (bool, int64, or the default float/complex)."""

    kinds = {type(v) for v in (a, b)}
    if kinds <= {bool}:
        dt = np.bool_
    elif complex in kinds:
        dt = dtypes.default_complex().np
    elif float in kinds:
        dt = dtypes.get_default_dtype().np
    else:
        dt = np.int64
    return np.asarray(a, dtype=dt), np.asarray(b, dtype=dt)


@method
def where(condition, input=None, other=None):
    """Pick from ``input`` where ``condition`` holds, else from ``other``; one argument: nonzero."""
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    return Where.apply(condition, input, other)


class Clamp(Op):
    """Clip into [lo, hi]; the gradient passes where lo <= x <= hi."""

    broadcasting = True

    @staticmethod
    def forward(ctx, x, lo, hi):
        d = x._data
        lo_a = lo._data if isinstance(lo, Tensor) else lo
        hi_a = hi._data if isinstance(hi, Tensor) else hi
        if ctx.next is not None and not isinstance(lo, Tensor) and not isinstance(hi, Tensor):
            ctx.rename("ClampBackward1")  # torch's clamp(Scalar, Scalar)
        out = d
        if lo is not None:
            out = np.maximum(out, lo_a)
        if hi is not None:
            out = np.minimum(out, hi_a)
        dt = result_np_dtype(*[v for v in (x, lo, hi) if v is not None])
        if d.dtype.kind in "iu" and dt.kind == "f" or dt != out.dtype:
            out = out.astype(dt)
        if out is d:
            out = d.copy()
        ctx.save_for_backward(x, lo, hi)
        return out

    @staticmethod
    def backward(ctx, g):
        x, lo, hi = ctx.saved_tensors
        mask = None
        if lo is not None:
            mask = x >= lo
        if hi is not None:
            m = x <= hi
            mask = m if mask is None else mask & m
        zero = g.new_zeros(())  # a select, not a product: a NaN gradient outside [lo, hi] gives 0, as in torch
        gx = where(mask, g, zero)
        glo = where(x < lo, g, zero) if isinstance(lo, Tensor) and ctx.needs_input_grad[1] else None
        ghi = where(x > hi, g, zero) if isinstance(hi, Tensor) and ctx.needs_input_grad[2] else None
        return gx, glo, ghi


@method(names=("clip",))
def clamp(input, min=None, max=None, *, out=None):
    """Elementwise min(max(x, min), max); the gradient flows where min <= x <= max."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    res = Clamp.apply(input, min, max)
    return write_out(res, out)


clip = clamp


@method
def clamp_min(input, min):
    return Clamp.apply(input, min, None)


@method
def clamp_max(input, max):
    return Clamp.apply(input, None, max)


@method
def lerp(input, end, weight):
    """input + weight * (end - input)."""
    for name, t in (("end", end), ("weight", weight)):
        if isinstance(t, Tensor) and t.dtype != input.dtype:  # torch's lerp does not promote
            raise RuntimeError(f"lerp: expected dtype {input.dtype} for `{name}` but got dtype {t.dtype}; "
                               f"cast it with .to({input.dtype})")
    return input + weight * (end - input)


@method
def addcmul(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 * tensor2."""
    return input + value * tensor1 * tensor2


@method
def addcdiv(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 / tensor2."""
    return input + value * tensor1 / tensor2


class Atan2(Op):
    """atan2(y, x); d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2)."""

    broadcasting = True

    @staticmethod
    def forward(ctx, a, b):
        x, y = operands(a, b)
        check_broadcast(x, y)  # torch's RuntimeError naming both sizes, not NumPy's ValueError
        if x.dtype.kind in "biu":
            x = x.astype(np.float32)
        ctx.save_for_backward(a, b)
        return np.arctan2(x, y)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        r = a * a + b * b
        inv = r.reciprocal().masked_fill(r == 0, 0)  # torch's atan2_backward: 0 where x^2 + y^2 is 0 (no 0 / 0)
        return g * b * inv, -g * a * inv


@method(names=("arctan2",))
def atan2(input, other):
    return Atan2.apply(input, other)


arctan2 = atan2


@method
def hypot(input, other):
    """sqrt(a^2 + b^2)."""
    return (input * input + other * other).sqrt()


class Logical(Op):
    differentiable = False

    @classmethod
    def forward(cls, ctx, a, b):
        x, y = operands(a, b)
        return np.asarray(cls.f(x, y))


LogicalAnd = type("LogicalAnd", (Logical,), {"f": staticmethod(np.logical_and)})
LogicalOr = type("LogicalOr", (Logical,), {"f": staticmethod(np.logical_or)})
LogicalXor = type("LogicalXor", (Logical,), {"f": staticmethod(np.logical_xor)})


@method
def logical_and(input, other):
    return LogicalAnd.apply(input, other)


@method
def logical_or(input, other):
    return LogicalOr.apply(input, other)


@method
def logical_xor(input, other):
    return LogicalXor.apply(input, other)


@method
def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False):
    """|a - b| <= atol + rtol |b|, elementwise."""
    x, y = operands(input, other)
    return wrap(np.asarray(np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan)))


@method
def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


@method
def equal(input, other) -> bool:
    """True when both have the same shape and elements."""
    return input.shape == other.shape and bool((input._data == other._data).all())


@method
def nan_to_num(input, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None):
    """Replace NaN, +inf and -inf (default: the dtype's finite extremes); gradient 1 where finite."""
    if not input.is_floating_point():
        return input.clone()
    finite = input.isfinite()
    out = np.nan_to_num(input._data, nan=nan, posinf=posinf, neginf=neginf)
    return where(finite, input, wrap(out))
