"""Activations: ``F.relu``, ``F.gelu``, ``F.softmax``, ... (torch's names and arguments).

Each function states its formula and its derivative. The hot ones (relu, gelu, silu, sigmoid, tanh,
leaky_relu, hardtanh) are single fused Ops; softmax / log_softmax reuse ember's fused ``ember.softmax`` /
``ember.log_softmax`` (ops/softmax.py) and add torch's implicit-dim rule. A fused Op's backward is itself an
op (``GeluBackward``, ``SiluBackward``, ``MaskBackward``, ... as torch's ``gelu_backward``): its forward is the
raw-array derivative, its own backward the second derivative in ember ops, so double backward works
everywhere. The rest compose ember ops and get their gradient for free.

>>> import ember
>>> import ember.nn.functional as F
>>> F.relu(ember.tensor([-1.0, 2.0]))
tensor([0., 2.])
>>> F.softmax(ember.tensor([0.0, 0.0]), dim=0)
tensor([0.5000, 0.5000])
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ..._autocast import autocast_policy
from ... import ops as _ops_pkg  # noqa: F401 - ensure ops are installed
from ...autograd.function import Op, name_node
from ...ops import softmax as _mx
from ...ops import unary as _pw
from ...ops._common import float_arr, wrap_dim
from ...ops.creation import empty_like
from ...ops.inplace import apply_inplace
from ...ops.ternary import where
from ...tensor import Tensor

__all__ = ["relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "prelu", "rrelu", "elu", "elu_", "selu",
           "celu", "gelu", "silu", "mish", "sigmoid", "tanh", "hardtanh", "hardtanh_", "hardsigmoid",
           "hardswish", "softplus", "softsign", "threshold", "threshold_", "softmax", "log_softmax", "softmin",
           "glu", "logsigmoid", "tanhshrink", "softshrink", "hardshrink"]

_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_K_TANH = math.sqrt(2.0 / math.pi)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _maybe_inplace(input: Tensor, fn, inplace: bool) -> Tensor:
    """``fn(input)``, written back into ``input`` when ``inplace`` (torch's ``relu_`` and friends)."""
    return apply_inplace(input, fn) if inplace else fn(input)


# --------------------------------------------------------------------------- piecewise-linear Ops
class _Piecewise(Op):
    """y = f(x) with a piecewise-constant derivative ``mask(x)``: backward is g * mask, exact at any
    order (the mask does not depend on x almost everywhere)."""

    @classmethod
    def forward(cls, ctx, x, *p):
        xd = float_arr(x._data)
        if ctx.next is not None:
            ctx.p = p
            ctx.save_for_backward(x)
        return cls.f(xd, *p)

    @classmethod
    def backward(cls, ctx, g):
        (x,) = ctx.saved_tensors
        return MaskBackward.apply(g, cls.df(x._data, *ctx.p))


class MaskBackward(Op):
    """The backward op of the piecewise-linear activations: dx = g d, d(x) a constant array of slopes; a bool d
    selects, as torch's ``*_backward`` (a NaN gradient where d is 0 gives 0). Linear in g with d constant almost
    everywhere, so its own backward is itself (and d/dx = 0)."""

    @staticmethod
    def forward(ctx, g, d):
        ctx.d = d
        gd = g._data
        if d.dtype == np.bool_:
            return np.where(d, gd, gd.dtype.type(0))
        return gd * d.astype(gd.dtype, copy=False)

    @staticmethod
    def backward(ctx, gg):
        return MaskBackward.apply(gg, ctx.d), None


def _pw_op(name, f, df, doc):
    return type(name, (_Piecewise,), {"f": staticmethod(f), "df": staticmethod(df), "__doc__": doc})


LeakyRelu = _pw_op("LeakyRelu", lambda x, s: np.where(x > 0, x, x * s).astype(x.dtype, copy=False),
                   lambda x, s: np.where(x > 0, x.dtype.type(1), x.dtype.type(s)),
                   "y = x if x > 0 else s x; dy/dx = 1 or s.")
Hardtanh = _pw_op("Hardtanh", lambda x, lo, hi: np.clip(x, lo, hi).astype(x.dtype, copy=False),
                  lambda x, lo, hi: ~((x <= lo) | (x >= hi)),
                  "clip(x, lo, hi); dy/dx = [lo < x < hi] (1 at NaN).")


# torch's conditions select the constant piece, so a NaN input falls through to x (NaN out, gradient passed)
def _inside(x, la):
    return (x >= -la) & (x <= la)


Threshold = _pw_op("Threshold", lambda x, t, v: np.where(x <= t, v, x).astype(x.dtype, copy=False),
                   lambda x, t, v: ~(x <= t), "y = v if x <= t else x; dy/dx = [not x <= t].")
Hardshrink = _pw_op("Hardshrink", lambda x, la: np.where(_inside(x, la), 0, x).astype(x.dtype, copy=False),
                    lambda x, la: ~_inside(x, la), "y = 0 if -l <= x <= l else x; dy/dx = [not -l <= x <= l].")
Softshrink = _pw_op("Softshrink",
                    lambda x, la: np.where(_inside(x, la), 0, x - np.sign(x) * x.dtype.type(la)).astype(x.dtype,
                                                                                                       copy=False),
                    lambda x, la: ~_inside(x, la),
                    "y = 0 if -l <= x <= l else x - l sign(x); dy/dx = [not -l <= x <= l].")


class Hardsigmoid(_Piecewise):
    """y = relu6(x + 3) / 6; dy/dx = 1/6 on -3 < x < 3, else 0, a select as torch's hardsigmoid_backward (so a
    NaN input gets 0, and a NaN gradient outside the ramp gives 0)."""

    f = staticmethod(lambda x: (np.clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False))
    df = staticmethod(lambda x: (x > -3) & (x < 3))

    @classmethod
    def backward(cls, ctx, g):
        return super().backward(ctx, g) / 6


class Hardswish(Op):
    """y = x relu6(x + 3) / 6; dy/dx = 0 (x <= -3), x/3 + 1/2 (-3 < x < 3), 1 (x >= 3 or NaN), as torch's
    hardswish_backward, whose two constant pieces are selects (a NaN gradient where x <= -3 gives 0)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xd = float_arr(x._data)
        return (xd * np.clip(xd + 3, 0, 6) / 6).astype(xd.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return HardswishBackward.apply(g, x)


class HardswishBackward(Op):
    """The backward op of hardswish (torch's ``hardswish_backward``): dx = g d(x) as above. Linear in g; d/dx of
    it is g / 3 on the ramp -3 < x < 3, else 0."""

    @staticmethod
    def forward(ctx, g, x):
        ctx.save_for_backward(g, x)
        xd, gd = x._data, g._data
        return np.where(xd <= -3, gd.dtype.type(0), np.where(xd < 3, gd * (xd / 3 + 0.5), gd)).astype(
            gd.dtype, copy=False)

    @staticmethod
    def backward(ctx, gg):
        g, x = ctx.saved_tensors
        need = ctx.needs_input_grad
        ramp = (x._data > -3) & (x._data < 3)
        return (HardswishBackward.apply(gg, x) if need[0] else None,
                MaskBackward.apply(gg * g, ramp) / 3 if need[1] else None)


# --------------------------------------------------------------------------- smooth fused Ops
class Gelu(Op):
    """Exact: y = x Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2; dy/dx = Phi(x) + x phi(x) with
    phi(x) = exp(-x^2 / 2) / sqrt(2 pi).
    'tanh': y = x (1 + tanh(u)) / 2, u = sqrt(2/pi) (x + 0.044715 x^3);
    dy/dx = (1 + t) / 2 + x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2) / 2."""

    @staticmethod
    def forward(ctx, x, approximate):
        xd = float_arr(x._data)
        ctx.approximate = approximate
        ctx.save_for_backward(x)
        if approximate == "tanh":
            t = np.tanh(_K_TANH * (xd + 0.044715 * xd ** 3))
            return (0.5 * xd * (1 + t)).astype(xd.dtype, copy=False)
        return (0.5 * xd * (1 + _pw._erf(xd / _SQRT2))).astype(xd.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return GeluBackward.apply(g, x, ctx.approximate)


class GeluBackward(Op):
    """The backward op of gelu (torch's ``gelu_backward``): dx = g dy/dx with dy/dx as in :class:`Gelu`, raw.
    Linear in g; its x-derivative uses the second derivative, exact: phi(x) (2 - x^2); 'tanh' (u' and u''
    the derivatives of u): (1 - t^2) (u' + x (u'' - 2 t u'^2) / 2)."""

    @staticmethod
    def forward(ctx, g, x, approximate):
        ctx.save_for_backward(g, x)
        ctx.approximate = approximate
        xd = x._data
        if approximate == "tanh":
            t = np.tanh(_K_TANH * (xd + 0.044715 * xd ** 3))
            d = 0.5 * (1 + t) + 0.5 * xd * (1 - t * t) * _K_TANH * (1 + 3 * 0.044715 * xd * xd)
        else:
            d = 0.5 * (1 + _pw._erf(xd / _SQRT2)) + xd * np.exp(-0.5 * xd * xd) * _INV_SQRT_2PI
        return (g._data * d).astype(g._data.dtype, copy=False)

    @staticmethod
    def backward(ctx, gg):
        g, x = ctx.saved_tensors
        need = ctx.needs_input_grad
        dg = GeluBackward.apply(gg, x, ctx.approximate) if need[0] else None
        if not need[1]:
            return dg, None
        if ctx.approximate == "tanh":
            t = (_K_TANH * (x + 0.044715 * x ** 3)).tanh()
            du = _K_TANH * (1 + 3 * 0.044715 * x * x)
            d2 = (1 - t * t) * (du + 0.5 * x * (6 * _K_TANH * 0.044715 * x - 2 * t * du * du))
        else:
            d2 = (-0.5 * x * x).exp() * _INV_SQRT_2PI * (2 - x * x)
        return dg, gg * g * d2


class Silu(Op):
    """y = x s(x), s the logistic sigmoid; dy/dx = s (1 + x (1 - s))."""

    @staticmethod
    def forward(ctx, x):
        xd = float_arr(x._data)
        ctx.save_for_backward(x)
        return xd * _pw._sigmoid(xd)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return SiluBackward.apply(g, x)


class SiluBackward(Op):
    """The backward op of silu (torch's ``silu_backward``): dx = g s (1 + x (1 - s)), raw. Linear in g; its
    x-derivative uses d2y/dx2 = s (1 - s) (2 + x (1 - 2 s))."""

    @staticmethod
    def forward(ctx, g, x):
        ctx.save_for_backward(g, x)
        xd = x._data
        s = _pw._sigmoid(xd)
        return g._data * s * (1 + xd * (1 - s))

    @staticmethod
    def backward(ctx, gg):
        g, x = ctx.saved_tensors
        need = ctx.needs_input_grad
        s = x.sigmoid() if need[1] else None
        return (SiluBackward.apply(gg, x) if need[0] else None,
                gg * g * s * (1 - s) * (2 + x * (1 - 2 * s)) if need[1] else None)


# --------------------------------------------------------------------------- public functions
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """ReLU(x) = max(0, x); dReLU/dx = [x > 0] (0 at x = 0, as torch)."""
    return input.relu_() if inplace else _pw.relu(input)


def relu_(input: Tensor) -> Tensor:
    """In-place ``relu``."""
    return input.relu_()


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """Hardtanh(x) = clip(x, min_val, max_val); d/dx = [min_val < x < max_val]."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _maybe_inplace(input, lambda t: Hardtanh.apply(t, min_val, max_val), inplace)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """ReLU6(x) = min(max(0, x), 6); d/dx = [0 < x < 6]."""
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """LeakyReLU(x) = x if x > 0 else negative_slope * x; d/dx = 1 or negative_slope."""
    return _maybe_inplace(input, lambda t: LeakyRelu.apply(t, negative_slope), inplace)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return leaky_relu(input, negative_slope, True)


@autocast_policy("lower")
def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """PReLU(x) = max(0, x) + a min(0, x), with one ``a`` per channel (dim 1) or one shared.
    dy/dx = 1 (x > 0) or a; dy/da = min(0, x), summed over the positions sharing ``a``."""
    w = weight.reshape(()) if weight.numel() == 1 else weight  # one shared: the output keeps input's shape (0-d too)
    if weight.numel() != 1:  # one per channel (zero channels: an empty weight)
        if input.ndim < 2 or input.shape[1] != weight.numel():
            c = input.shape[1] if input.ndim >= 2 else 1
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{weight.numel()} and channel size = {c}.")
        w = weight.reshape((-1,) + (1,) * (input.ndim - 2))
    return where(input > 0, input, w * input)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """RReLU: leaky ReLU with slope a ~ U(lower, upper) per element in training, (lower + upper) / 2 in eval."""
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    a = empty_like(input).uniform_(lower, upper)
    return _maybe_inplace(input, lambda t: where(t >= 0, t, t * a), inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """ELU(x) = x if x > 0 else alpha (e^x - 1); d/dx = 1 or alpha e^x."""
    return _maybe_inplace(input, lambda t: name_node(_elu(t, alpha, 1.0, 1.0), "EluBackward0"), inplace)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return elu(input, alpha, True)


def _elu(x: Tensor, alpha: float, scale: float, input_scale: float) -> Tensor:
    neg = (x.clamp(max=0) * input_scale).expm1() * alpha  # clamp: no inf in the unused branch
    y = where(x <= 0, neg, x)  # a NaN input takes the linear branch's gradient, as torch's elu_backward
    return y * scale if scale != 1.0 else y


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """SELU(x) = scale (max(0, x) + min(0, alpha (e^x - 1))), alpha = 1.6732632423543772,
    scale = 1.0507009873554805; d/dx = scale or scale alpha e^x."""
    return _maybe_inplace(input, lambda t: name_node(_elu(t, _SELU_ALPHA, _SELU_SCALE, 1.0), "EluBackward0"), inplace)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """CELU(x) = max(0, x) + min(0, alpha (e^(x/alpha) - 1)); d/dx = 1 or e^(x/alpha)."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _maybe_inplace(input, lambda t: name_node(_elu(t, alpha, 1.0, 1.0 / alpha), "CeluBackward0"), inplace)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """GELU(x) = x Phi(x) (Phi the standard normal CDF, exact erf), or with approximate='tanh'
    x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2. d/dx = Phi(x) + x phi(x) (see ``Gelu``)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return Gelu.apply(input, approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """SiLU(x) = x sigmoid(x) (swish); d/dx = s (1 + x (1 - s))."""
    return _maybe_inplace(input, Silu.apply, inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """Mish(x) = x tanh(softplus(x)); d/dx = tanh(sp) + x sigmoid(x) (1 - tanh(sp)^2)."""
    return _maybe_inplace(input, lambda t: name_node(t * softplus(t).tanh(), "MishBackward0"), inplace)


def sigmoid(input: Tensor) -> Tensor:
    """Sigmoid(x) = 1 / (1 + e^-x); d/dx = s (1 - s)."""
    return _pw.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    """Tanh(x) = (e^x - e^-x) / (e^x + e^-x); d/dx = 1 - tanh^2(x)."""
    return _pw.tanh(input)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """Hardsigmoid(x) = relu6(x + 3) / 6 = clip(x/6 + 1/2, 0, 1); d/dx = 1/6 on -3 < x < 3."""
    return _maybe_inplace(input, lambda t: name_node(Hardsigmoid.apply(t), "HardsigmoidBackward0"), inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """Hardswish(x) = x relu6(x + 3) / 6; d/dx = 0 (x < -3), x/3 + 1/2 (-3 <= x <= 3), 1 (x > 3)."""
    return _maybe_inplace(input, Hardswish.apply, inplace)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """Softplus(x) = log(1 + e^(beta x)) / beta, and x where beta x > threshold;
    d/dx = sigmoid(beta x) (1 above the threshold)."""
    bx = input * beta
    soft = bx.masked_fill(bx > threshold, threshold).exp().log1p()  # not clamp: a NaN keeps its NaN gradient
    if beta != 1:
        soft = soft / beta
    return name_node(where(bx > threshold, input, soft), "SoftplusBackward0")


def softsign(input: Tensor) -> Tensor:
    """Softsign(x) = x / (1 + |x|); d/dx = 1 / (1 + |x|)^2."""
    return input / (1 + input.abs())


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """Threshold(x) = x if x > threshold else value; d/dx = [x > threshold]."""
    return _maybe_inplace(input, lambda t: Threshold.apply(t, threshold, value), inplace)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return _maybe_inplace(input, lambda t: Threshold.apply(t, threshold, value), True)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """Hardshrink(x) = x if |x| > lambd else 0; d/dx = [|x| > lambd]."""
    return Hardshrink.apply(input, lambd)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """Softshrink(x) = x - lambd (x > lambd), x + lambd (x < -lambd), else 0; d/dx = [|x| > lambd]."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return Softshrink.apply(input, lambd)


def tanhshrink(input: Tensor) -> Tensor:
    """Tanhshrink(x) = x - tanh(x); d/dx = tanh^2(x)."""
    return input - input.tanh()


def logsigmoid(input: Tensor) -> Tensor:
    """LogSigmoid(x) = log(1 / (1 + e^-x)) = -softplus(-x) (stable on both sides); d/dx = sigmoid(-x), 1/2 at 0
    (as torch: ``min(x, 0) - log1p(e^-|x|)`` would give 1 there, from clamp's and abs's one-sided kinks)."""
    return name_node(-softplus(-input), "LogSigmoidBackward0")


def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
                  "dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _prep(input: Tensor, dim, name: str, stacklevel: int, dtype) -> tuple:
    if dim is None:
        dim = _softmax_dim(name, input.ndim, stacklevel + 1)
    if dtype is not None:
        input = input.to(dtype)
    return input, wrap_dim(dim, input.ndim)


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """Softmax(x)_i = e^(x_i) / sum_j e^(x_j) along ``dim`` (max-shifted: stable);
    dy_i/dx_j = y_i ([i = j] - y_j), so the input grad is y (g - sum(g y))."""
    input, dim = _prep(input, dim, "softmax", _stacklevel, dtype)
    return _mx.softmax(input, dim)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """LogSoftmax(x)_i = x_i - log sum_j e^(x_j) (log-sum-exp, stable, not log of softmax);
    the input grad is g - softmax(x) sum(g)."""
    input, dim = _prep(input, dim, "log_softmax", _stacklevel, dtype)
    return _mx.log_softmax(input, dim)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """Softmin(x) = softmax(-x); the input grad is -y (g - sum(g y))."""
    input, dim = _prep(input, dim, "softmin", _stacklevel, dtype)
    return _mx.softmax(-input, dim)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """GLU(a, b) = a * sigmoid(b), with (a, b) the two halves of ``input`` along ``dim``;
    d/da = sigmoid(b), d/db = a s (1 - s)."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = wrap_dim(dim, input.ndim)
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    a, b = input.narrow(d, 0, n // 2), input.narrow(d, n // 2, n // 2)  # narrow: a size-0 dim gives two halves
    return name_node(a * b.sigmoid(), "GluBackward0")
