"""Smooth activations: the sigmoid and tanh gates and their relatives (Softsign, LogSigmoid, Tanhshrink),
the exponential-linear family (ELU, CELU, SELU), Softplus, and the self-gated GELU, SiLU and Mish."""
from __future__ import annotations

from ... import functional as F
from ..module import Module
from .base import _Inplace, _NoArgs

__all__ = ["Sigmoid", "Tanh", "Softsign", "LogSigmoid", "Tanhshrink", "ELU", "CELU", "SELU", "Softplus", "GELU",
           "SiLU", "Mish"]


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
