"""Linear layers: ``Identity``, ``Linear``, ``Bilinear``, ``LazyLinear``.

Linear: y = x W^T + b; x (*, in_features) -> y (*, out_features).
W (out_features, in_features) and b (out_features,) are drawn from U(-1/sqrt(in), 1/sqrt(in))
(kaiming_uniform with a = sqrt(5), then the fan-in bound for b), as torch.
Gradients: dL/dx = g W, dL/dW = g^T x, dL/db = sum_batch g.

>>> import ember
>>> m = ember.nn.Linear(20, 30)
>>> m(ember.randn(128, 20)).shape
ember.Size([128, 30])
"""
from __future__ import annotations

__all__ = ['Identity', 'Linear', 'Bilinear', 'LazyLinear']

import math

from ...ops.creation import empty
from .. import functional as F
from .. import init
from ..parameter import Parameter, UninitializedParameter
from .module import Module


class Identity(Module):
    """A placeholder layer: y = x (the input itself, not a copy).

    Args:
        args, kwargs: any arguments, accepted and ignored (so it can stand in for another layer).

    Shape:
        - Input: (*), any shape.
        - Output: (*), the same tensor.

    Gradient: dL/dx = g. No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.Identity(54, unused_argument1=0.1)
        >>> x = ember.randn(128, 20)
        >>> m(x) is x, m(x).shape
        (True, ember.Size([128, 20]))
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    r"""Applies an affine map to the last dimension: :math:`y = x W^T + b`.

    Args:
        in_features: size of each input sample (the last dimension of ``x``).
        out_features: size of each output sample.
        bias: if ``False``, the layer learns no additive bias. Default: ``True``.

    Shape:
        - Input: :math:`(*, H_{in})`, any number of leading dimensions, :math:`H_{in}` = in_features.
        - Output: :math:`(*, H_{out})`, the same leading dimensions, :math:`H_{out}` = out_features.

    Attributes:
        weight: the learnable weight of shape (out_features, in_features), initialised from
            :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})` with :math:`k = 1 / \text{in\_features}`
            (``kaiming_uniform_`` with ``a = sqrt(5)``, as torch).
        bias: the learnable bias of shape (out_features,), drawn from the same :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})`.

    Gradients, for an upstream gradient ``g`` of the shape of ``y`` (leading dims flattened into rows):
    :math:`\partial L/\partial x = g W`, :math:`\partial L/\partial W = g^T x`,
    :math:`\partial L/\partial b = \sum_{rows} g`.

    Examples::

        >>> import ember
        >>> m = ember.nn.Linear(20, 30)
        >>> m(ember.randn(128, 20)).shape
        ember.Size([128, 30])
        >>> m.weight.shape, m.bias.shape
        (ember.Size([30, 20]), ember.Size([30]))
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Bilinear(Module):
    r"""Applies a bilinear map to two inputs: :math:`y_k = x_1^T W_k x_2 + b_k`.

    Args:
        in1_features: size of each first input sample.
        in2_features: size of each second input sample.
        out_features: size of each output sample.
        bias: if ``False``, the layer learns no additive bias. Default: ``True``.

    Shape:
        - Input1: :math:`(*, H_{in1})`, Input2: :math:`(*, H_{in2})` with the same leading dimensions.
        - Output: :math:`(*, H_{out})`.

    Attributes:
        weight: shape (out_features, in1_features, in2_features), from :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})`
            with :math:`k = 1 / \text{in1\_features}`.
        bias: shape (out_features,), from the same distribution.

    Gradients: :math:`\partial L/\partial x_1 = \sum_k g_k W_k x_2`, :math:`\partial L/\partial x_2 =
    \sum_k g_k W_k^T x_1`, :math:`\partial L/\partial W_k = \sum_{rows} g_k x_1 x_2^T`.

    Examples::

        >>> import ember
        >>> m = ember.nn.Bilinear(20, 30, 40)
        >>> m(ember.randn(128, 20), ember.randn(128, 30)).shape
        ember.Size([128, 40])
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.in1_features, self.in2_features, self.out_features = in1_features, in2_features, out_features
        self.weight = Parameter(empty((out_features, in1_features, in2_features), dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class LazyLinear(Linear):
    r"""A ``Linear`` whose ``in_features`` is inferred from the first input: in_features = input.shape[-1].
    Until then ``weight`` and ``bias`` are ``UninitializedParameter``; the first call materializes them,
    initialises them as ``Linear`` does, and the module becomes a ``Linear`` (``cls_to_become``).
    Formula and gradients: those of ``Linear``, :math:`y = x W^T + b`.

    Args:
        out_features: size of each output sample.
        bias: if ``False``, the layer learns no additive bias. Default: ``True``.

    Shape:
        - Input: :math:`(*, H_{in})`, H_in read from the first input.
        - Output: :math:`(*, H_{out})`, :math:`H_{out}` = out_features.

    Attributes:
        weight: (out_features, in_features) once materialized, from :math:`\mathcal{U}(-\sqrt{k}, \sqrt{k})`
            with :math:`k = 1 / \text{in\_features}`.
        bias: (out_features,), from the same distribution.

    Examples::

        >>> import ember
        >>> m = ember.nn.LazyLinear(30)
        >>> m(ember.randn(128, 20)).shape
        ember.Size([128, 30])
        >>> type(m).__name__, m.weight.shape
        ('Linear', ember.Size([30, 20]))
    """

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device=None, dtype=None) -> None:
        Module.__init__(self)
        self.in_features = 0
        self.out_features = out_features
        self.weight = UninitializedParameter()
        if bias:
            self.bias = UninitializedParameter()
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        if not isinstance(self.weight, UninitializedParameter):
            Linear.reset_parameters(self)

    def forward(self, input):
        if isinstance(self.weight, UninitializedParameter):
            self.in_features = input.shape[-1]
            self.weight.materialize((self.out_features, self.in_features), dtype=input.dtype)
            if self.bias is not None:
                self.bias.materialize((self.out_features,), dtype=input.dtype)
            self.reset_parameters()
            self.__class__ = self.cls_to_become
        return F.linear(input, self.weight, self.bias)
