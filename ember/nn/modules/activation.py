"""Activation layers: each is a one-line ``forward`` into ``F`` (see ``ember.nn.functional.activation``
for every formula and derivative). Shape: Input (*), Output (*) of the same shape, except GLU (halves
``dim``). Only PReLU has a parameter: ``weight`` (num_parameters,), initialised to the constant ``init``
(0.25), i.e. the degenerate distribution at 0.25.

>>> import ember
>>> m = ember.nn.ReLU()
>>> m(ember.tensor([-1.0, 0.0, 2.0]))
tensor([0., 0., 2.])
>>> ember.nn.GELU(approximate="tanh")
GELU(approximate='tanh')
"""
from __future__ import annotations

import warnings

from ...ops.creation import empty
from .. import functional as F
from .. import init as _init
from ..parameter import Parameter
from .module import Module

__all__ = ["ReLU", "ReLU6", "LeakyReLU", "PReLU", "RReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish",
           "Sigmoid", "Tanh", "Hardtanh", "Hardsigmoid", "Hardswish", "Softplus", "Softsign", "Threshold",
           "Softmax", "LogSoftmax", "Softmin", "Softmax2d", "GLU", "LogSigmoid", "Tanhshrink", "Softshrink",
           "Hardshrink"]


class _Inplace(Module):
    """An activation whose only option is ``inplace``."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ReLU(_Inplace):
    """ReLU(x) = max(0, x); d/dx = [x > 0].

    Args:
        inplace: if ``True``, overwrite the input. Default: ``False``.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.ReLU()
        >>> m(ember.tensor([-2.0, -0.5, 0.0, 1.5]))
        tensor([0.0000, 0.0000, 0.0000, 1.5000])
    """

    def forward(self, input):
        return F.relu(input, inplace=self.inplace)


class ReLU6(_Inplace):
    """ReLU6(x) = min(max(0, x), 6); d/dx = [0 < x < 6].

    Args:
        inplace: if ``True``, overwrite the input. Default: ``False``.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.ReLU6()
        >>> m(ember.tensor([-2.0, -0.5, 0.0, 1.5]))
        tensor([0.0000, 0.0000, 0.0000, 1.5000])
    """

    def forward(self, input):
        return F.relu6(input, inplace=self.inplace)


class SELU(_Inplace):
    """SELU(x) = scale (max(0, x) + min(0, alpha (e^x - 1))), with alpha = 1.6732632423543772 and
    scale = 1.0507009873554805 (Klambauer et al., 2017: self-normalizing for inputs of zero mean and unit
    variance with ``kaiming_normal_(nonlinearity='linear')`` weights).

    Gradient: d/dx = scale for x > 0, scale alpha e^x for x <= 0.

    Args:
        inplace: if ``True``, overwrite the input. Default: ``False``.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.SELU()
        >>> m(ember.tensor([-2.0, -0.5, 0.0, 1.5]))
        tensor([-1.5202, -0.6918,  0.0000,  1.5761])
    """

    def forward(self, input):
        return F.selu(input, self.inplace)


class SiLU(_Inplace):
    """SiLU(x) = x sigmoid(x); d/dx = s (1 + x (1 - s)).

    Args:
        inplace: if ``True``, overwrite the input. Default: ``False``.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.SiLU()
        >>> m(ember.tensor([-2.0, -0.5, 0.0, 1.5]))
        tensor([-0.2384, -0.1888,  0.0000,  1.2264])
    """

    def forward(self, input):
        return F.silu(input, inplace=self.inplace)


class Mish(_Inplace):
    """Mish(x) = x tanh(softplus(x)) = x tanh(log(1 + e^x)) (Misra, 2019).

    Gradient: with t = tanh(softplus(x)), d/dx = t + x (1 - t^2) sigmoid(x).

    Args:
        inplace: if ``True``, overwrite the input. Default: ``False``.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.Mish()
        >>> m(ember.tensor([-2.0, -0.5, 0.0, 1.5]))
        tensor([-0.2525, -0.2207,  0.0000,  1.4034])
    """

    def forward(self, input):
        return F.mish(input, inplace=self.inplace)


class Hardsigmoid(_Inplace):
    """Hardsigmoid(x) = 0 if x <= -3, 1 if x >= 3, else x / 6 + 1/2 (= relu6(x + 3) / 6).

    Gradient: d/dx = 1/6 on (-3, 3), else 0.

    Args:
        inplace: if ``True``, overwrite the input. Default: ``False``.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.Hardsigmoid()
        >>> m(ember.tensor([-2.0, -0.5, 0.0, 1.5]))
        tensor([0.1667, 0.4167, 0.5000, 0.7500])
    """

    def forward(self, input):
        return F.hardsigmoid(input, self.inplace)


class Hardswish(_Inplace):
    """Hardswish(x) = 0 if x <= -3, x if x >= 3, else x (x + 3) / 6 (MobileNetV3).

    Gradient: d/dx = 0 for x < -3, x / 3 + 1/2 on [-3, 3], 1 for x > 3.

    Args:
        inplace: if ``True``, overwrite the input. Default: ``False``.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.Hardswish()
        >>> m(ember.tensor([-2.0, -0.5, 0.0, 1.5]))
        tensor([-0.3333, -0.2083,  0.0000,  1.1250])
    """

    def forward(self, input):
        return F.hardswish(input, self.inplace)


class _NoArgs(Module):
    def __init__(self) -> None:
        super().__init__()


class Sigmoid(_NoArgs):
    """Sigmoid(x) = 1 / (1 + e^-x); d/dx = s (1 - s).

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.Sigmoid()
        >>> m(ember.tensor([-2.0, -0.5, 0.0, 1.5]))
        tensor([0.1192, 0.3775, 0.5000, 0.8176])
    """

    def forward(self, input):
        return F.sigmoid(input)


class Tanh(_NoArgs):
    """Tanh(x) = (e^x - e^-x) / (e^x + e^-x); d/dx = 1 - tanh^2.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.Tanh()
        >>> m(ember.tensor([-2.0, -0.5, 0.0, 1.5]))
        tensor([-0.9640, -0.4621,  0.0000,  0.9051])
    """

    def forward(self, input):
        return F.tanh(input)


class Softsign(_NoArgs):
    """Softsign(x) = x / (1 + |x|).

    Gradient: d/dx = 1 / (1 + |x|)^2.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.Softsign()
        >>> m(ember.tensor([-2.0, -0.5, 0.0, 1.5]))
        tensor([-0.6667, -0.3333,  0.0000,  0.6000])
    """

    def forward(self, input):
        return F.softsign(input)


class LogSigmoid(_NoArgs):
    """LogSigmoid(x) = log(1 / (1 + e^-x)) = -softplus(-x), computed stably as min(x, 0) - log(1 + e^-|x|).

    Gradient: d/dx = 1 - sigmoid(x).

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.LogSigmoid()
        >>> m(ember.tensor([-2.0, -0.5, 0.0, 1.5]))
        tensor([-2.1269, -0.9741, -0.6931, -0.2014])
    """

    def forward(self, input):
        return F.logsigmoid(input)


class Tanhshrink(_NoArgs):
    """Tanhshrink(x) = x - tanh(x).

    Gradient: d/dx = tanh^2(x).

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.Tanhshrink()
        >>> m(ember.tensor([-2.0, -0.5, 0.0, 1.5]))
        tensor([-1.0360, -0.0379,  0.0000,  0.5949])
    """

    def forward(self, input):
        return F.tanhshrink(input)


class Softmax2d(_NoArgs):
    """Softmax over the channels at every spatial location: y[n, c, h, w] = e^x[n, c, h, w] /
    sum_c' e^x[n, c', h, w] (``softmax`` along dim -3).

    Gradient: as Softmax along the channel dim, dL/dx = y (g - sum_c(g y)).

    Shape:
        - Input: (N, C, H, W) or (C, H, W).
        - Output: the same shape as the input, values in [0, 1] summing to 1 over C.

    No parameters. Raises ``ValueError`` for input that is not 3-D or 4-D.

    Examples::

        >>> import ember
        >>> m = ember.nn.Softmax2d()
        >>> y = m(ember.randn(2, 3, 4, 5))
        >>> y.shape, bool(y.sum(1).allclose(ember.ones(2, 4, 5)))
        (ember.Size([2, 3, 4, 5]), True)
    """

    def forward(self, input):
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.ndim}D instead")
        return F.softmax(input, -3, _stacklevel=5)


class LeakyReLU(Module):
    """LeakyReLU(x) = x if x > 0 else negative_slope x; d/dx = 1 or negative_slope.

    Args:
        negative_slope: the slope for x < 0. Default: 0.01.
        inplace: if ``True``, overwrite the input. Default: ``False``.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.LeakyReLU(0.1)
        >>> m(ember.tensor([-2.0, -0.5, 0.0, 1.5]))
        tensor([-0.2000, -0.0500,  0.0000,  1.5000])
    """

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class PReLU(Module):
    """PReLU(x) = max(0, x) + a min(0, x), with a learnable ``weight`` a of shape (num_parameters,)
    (1, shared, or one per channel = dim 1), initialised to the constant ``init`` = 0.25.
    d/dx = 1 or a; d/da = min(0, x) summed over the positions sharing a.

    Args:
        num_parameters: 1 (one a shared by all channels) or the number of channels (dim 1 of the input).
        init: the initial value of a. Default: 0.25.

    Shape: Input (*) (channels at dim 1 when num_parameters > 1), Output (*), the same shape.

    Attributes:
        weight: (num_parameters,), initialised to the constant ``init``. (Weight decay on it can hurt.)

    Examples::

        >>> import ember
        >>> m = ember.nn.PReLU()
        >>> m(ember.tensor([-2.0, -0.5, 0.0, 1.5])).detach()
        tensor([-0.5000, -0.1250,  0.0000,  1.5000])
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None) -> None:
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(empty(num_parameters, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class RReLU(Module):
    """Randomized leaky ReLU (Xu et al., 2015): RReLU(x) = x if x >= 0 else a x.

    In training, a ~ U(lower, upper) is drawn independently for every element; in eval, a is the
    fixed mean (lower + upper) / 2.

    Gradient: d/dx = 1 for x >= 0, else the same a that was used in forward.

    Args:
        lower: lower bound of the uniform distribution. Default: 1/8.
        upper: upper bound of the uniform distribution. Default: 1/3.
        inplace: if ``True``, overwrite the input. Default: ``False``.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.RReLU().eval()
        >>> m(ember.tensor([-2.0, -0.5, 0.0, 1.5]))
        tensor([-0.4583, -0.1146,  0.0000,  1.5000])
    """

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False) -> None:
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """ELU(x) = x if x > 0 else alpha (e^x - 1); d/dx = 1 or alpha e^x.

    Args:
        alpha: the value ELU approaches for x -> -inf. Default: 1.0.
        inplace: if ``True``, overwrite the input. Default: ``False``.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.ELU()
        >>> m(ember.tensor([-2.0, -0.5, 0.0, 1.5]))
        tensor([-0.8647, -0.3935,  0.0000,  1.5000])
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class CELU(ELU):
    """CELU(x) = max(0, x) + min(0, alpha (e^(x / alpha) - 1)) (Barron, 2017).

    Gradient: d/dx = 1 for x > 0, e^(x / alpha) for x <= 0.

    Args:
        alpha: the alpha value of the formula. Default: 1.0.
        inplace: if ``True``, overwrite the input. Default: ``False``.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.CELU()
        >>> m(ember.tensor([-2.0, -0.5, 0.0, 1.5]))
        tensor([-0.8647, -0.3935,  0.0000,  1.5000])
    """

    def forward(self, input):
        return F.celu(input, self.alpha, self.inplace)


class GELU(Module):
    """GELU(x) = x Phi(x) (exact erf), or the tanh approximation; d/dx = Phi(x) + x phi(x).

    Args:
        approximate: ``'none'`` (exact, with erf) or ``'tanh'``: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
            Default: ``'none'``.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.GELU()
        >>> m(ember.tensor([-2.0, -0.5, 0.0, 1.5]))
        tensor([-0.0455, -0.1543,  0.0000,  1.3998])
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Hardtanh(Module):
    """Hardtanh(x) = clip(x, min_val, max_val); d/dx = [min_val < x < max_val].

    Args:
        min_val, max_val: the clip range. Default: -1, 1.
        inplace: if ``True``, overwrite the input. Default: ``False``.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.Hardtanh()
        >>> m(ember.tensor([-2.0, -0.5, 0.0, 1.5]))
        tensor([-1.0000, -0.5000,  0.0000,  1.0000])
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value=None, max_value=None) -> None:
        super().__init__()
        if min_value is not None:
            warnings.warn("keyword argument `min_value` is deprecated and rename to `min_val`", FutureWarning)
            min_val = min_value
        if max_value is not None:
            warnings.warn("keyword argument `max_value` is deprecated and rename to `max_val`", FutureWarning)
            max_val = max_value
        if max_val <= min_val:
            raise ValueError(f"max_val ({max_val}) must be greater than min_val ({min_val})")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class Softplus(Module):
    """Softplus(x) = log(1 + e^(beta x)) / beta (x above threshold / beta); d/dx = sigmoid(beta x).

    Args:
        beta: the sharpness. Default: 1.
        threshold: above beta x > threshold the layer returns x. Default: 20.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.Softplus()
        >>> m(ember.tensor([-2.0, -0.5, 0.0, 1.5]))
        tensor([0.1269, 0.4741, 0.6931, 1.7014])
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Threshold(Module):
    """Threshold(x) = x if x > threshold else value.

    Gradient: d/dx = 1 where x > threshold, else 0.

    Args:
        threshold: the value to threshold at.
        value: the value that replaces the input at or below ``threshold``.
        inplace: if ``True``, overwrite the input. Default: ``False``.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.Threshold(0.1, 20.0)
        >>> m(ember.tensor([-2.0, -0.5, 0.0, 1.5]))
        tensor([20.0000, 20.0000, 20.0000,  1.5000])
    """

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}" + (", inplace=True" if self.inplace else "")


class _Shrink(Module):
    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def extra_repr(self) -> str:
        return str(self.lambd)


class Softshrink(_Shrink):
    """Softshrink(x) = x - lambd if x > lambd, x + lambd if x < -lambd, else 0.

    Gradient: d/dx = 1 where |x| > lambd, else 0.

    Args:
        lambd: the lambda of the formula (must be >= 0). Default: 0.5.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.Softshrink()
        >>> m(ember.tensor([-2.0, 0.25, 1.5]))
        tensor([-1.5000,  0.0000,  1.0000])
    """

    def forward(self, input):
        return F.softshrink(input, self.lambd)


class Hardshrink(_Shrink):
    """Hardshrink(x) = x if |x| > lambd, else 0.

    Gradient: d/dx = 1 where |x| > lambd, else 0.

    Args:
        lambd: the lambda of the formula. Default: 0.5.

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape as the input.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.Hardshrink()
        >>> m(ember.tensor([-2.0, -0.5, 0.0, 1.5]))
        tensor([-2.0000,  0.0000,  0.0000,  1.5000])
    """

    def forward(self, input):
        return F.hardshrink(input, self.lambd)


class _DimSoftmax(Module):
    _fn = None

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def __setstate__(self, state) -> None:
        self.__dict__.update(state)
        if not hasattr(self, "dim"):
            self.dim = None

    def forward(self, input):
        return type(self)._fn(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_DimSoftmax):
    """Softmax(x)_i = e^(x_i) / sum_j e^(x_j) along ``dim``; input grad y (g - sum(g y)).

    Args:
        dim: the dim along which the outputs sum to 1 (give it; ``None`` picks torch's legacy default).

    Shape: Input (*), Output (*), values in [0, 1] summing to 1 along dim. No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.Softmax(dim=1)(ember.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))
        tensor([[0.0900, 0.2447, 0.6652],
                [0.3333, 0.3333, 0.3333]])
    """

    _fn = staticmethod(F.softmax)


class LogSoftmax(_DimSoftmax):
    """LogSoftmax(x)_i = x_i - log sum_j e^(x_j) along ``dim`` (stable: shifted by the max); input grad
    g - softmax(x) sum(g).

    Args:
        dim: the dim of the classes.

    Shape: Input (*), Output (*), values in (-inf, 0]. No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.LogSoftmax(dim=-1)(ember.tensor([1.0, 2.0, 3.0]))
        tensor([-2.4076, -1.4076, -0.4076])
    """

    _fn = staticmethod(F.log_softmax)


class Softmin(_DimSoftmax):
    """Softmin(x)_i = e^(-x_i) / sum_j e^(-x_j) along ``dim`` (= softmax(-x)).

    Gradient: with y = softmin(x), dL/dx = -y (g - sum(g y)).

    Args:
        dim: the dim along which the outputs sum to 1 (give it; ``None`` picks torch's legacy default).

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same shape, values in [0, 1] summing to 1 along ``dim``.

    No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.Softmin(dim=-1)(ember.tensor([1.0, 2.0, 3.0]))
        tensor([0.6652, 0.2447, 0.0900])
    """

    _fn = staticmethod(F.softmin)


class GLU(Module):
    """Gated linear unit (Dauphin et al., 2017): GLU(a, b) = a sigmoid(b), where a and b are the first
    and second halves of the input along ``dim``.

    Gradient: dL/da = g sigmoid(b), dL/db = g a sigmoid(b) (1 - sigmoid(b)).

    Args:
        dim: the dim to split in half (its size must be even). Default: -1.

    Shape:
        - Input: (*1, N, *2), N even.
        - Output: (*1, N / 2, *2).

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.GLU()
        >>> m(ember.tensor([[1.0, 2.0, 0.0, 1.0]]))
        tensor([[0.5000, 1.4621]])
        >>> m(ember.randn(4, 2, 6)).shape
        ember.Size([4, 2, 3])
    """

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
