"""Piecewise-linear activations: the ReLU family (ReLU, ReLU6, LeakyReLU, PReLU with its learnable slope,
RReLU), the clips and cuts (Hardtanh, Threshold, Softshrink, Hardshrink) and the hard approximations of the
smooth gates (Hardsigmoid, Hardswish). Each derivative is a step function of x."""
from __future__ import annotations

import warnings

from ....ops.creation import empty
from ... import functional as F
from ... import init as _init
from ...parameter import Parameter
from ..module import Module
from .base import _Inplace

__all__ = ["ReLU", "ReLU6", "LeakyReLU", "PReLU", "RReLU", "Hardtanh", "Threshold", "Softshrink", "Hardshrink",
           "Hardsigmoid", "Hardswish"]


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
