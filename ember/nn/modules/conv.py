"""Convolution layers: ``Conv1d/2d/3d``, ``ConvTranspose1d/2d/3d`` and their Lazy forms.

Conv2d: y[n, o] = b[o] + sum_{c in group(o)} W[o, c] (*) x[n, c]   ((*) = 2-d cross-correlation)
Shape: x (N, C_in, H, W) or (C_in, H, W) -> y (N, C_out, H_out, W_out) with
    H_out = floor((H + 2 padding - dilation (kernel_size - 1) - 1) / stride) + 1   (same for W)
ConvTranspose2d: the gradient of Conv2d with respect to its input, as a layer:
    H_out = (H - 1) stride - 2 padding + dilation (kernel_size - 1) + output_padding + 1
Parameters: weight (C_out, C_in/groups, *k) (transposed: (C_in, C_out/groups, *k)) and bias (C_out,),
both U(-sqrt(k), sqrt(k)) with k = groups / (C_in prod(kernel_size)) (kaiming_uniform with a = sqrt(5),
then the fan-in bound for the bias), as torch.
padding_mode 'reflect' | 'replicate' | 'circular' pads with F.pad first, then convolves without padding.
Gradients: see ``ember.nn.functional.conv``.

>>> import ember
>>> m = ember.nn.Conv2d(3, 6, 5)
>>> m(ember.randn(1, 3, 32, 32)).shape
ember.Size([1, 6, 28, 28])
"""
from __future__ import annotations

import math

from ...ops.creation import empty
from .. import functional as F
from .. import init
from ..functional.conv import _tuple
from ..parameter import Parameter, UninitializedParameter
from .module import Module

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "LazyConv1d",
           "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyConvTranspose3d"]

_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    _nd = 2
    transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", output_padding=0, device=None,
                 dtype=None) -> None:
        super().__init__()
        nd = self._nd
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string '{padding}', should be one of ['valid', 'same']")
            if padding == "same" and any(s != 1 for s in _tuple(stride, nd)):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _MODES:
            raise ValueError(f"padding_mode must be one of {list(_MODES)}, but got padding_mode='{padding_mode}'")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _tuple(kernel_size, nd)
        self.stride = _tuple(stride, nd)
        self.padding = padding if isinstance(padding, str) else _tuple(padding, nd)
        self.dilation = _tuple(dilation, nd)
        self.output_padding = _tuple(output_padding, nd)
        self.groups = groups
        self.padding_mode = padding_mode
        if self.transposed:
            shape = (in_channels, out_channels // groups, *self.kernel_size)
        else:
            shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = Parameter(empty(shape, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _padded(self, input):
        """Non-zero padding modes: F.pad by `padding` (the conv itself then pads nothing)."""
        if self.padding_mode == "zeros":
            return input, self.padding
        if isinstance(self.padding, str):
            if self.padding == "valid":
                return input, 0
            total = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size)]
            pairs = [(t // 2, t - t // 2) for t in total]
        else:
            pairs = [(p, p) for p in self.padding]
        flat = [v for lo_hi in reversed(pairs) for v in lo_hi]
        return F.pad(input, flat, mode=self.padding_mode), 0

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self._nd:
            s += f", padding={self.padding!r}" if isinstance(self.padding, str) else f", padding={self.padding}"
        if self.dilation != (1,) * self._nd:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self._nd:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    _fn = staticmethod(F.conv2d)

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None, dtype=None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, 0, device, dtype)

    def _conv_forward(self, input, weight, bias):
        x, padding = self._padded(input)
        return type(self)._fn(x, weight, bias, self.stride, padding, self.dilation, self.groups)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_Conv):
    """1-d convolution (cross-correlation) over a signal of ``in_channels`` planes.

    out[n, o, l] = bias[o] + sum_{c in group(o)} sum_{j} weight[o, c, j] * x[n, c, stride * l + dilation * j - padding]

    Args:
        in_channels: channels of the input.
        out_channels: channels produced by the convolution.
        kernel_size: size of the window (int or tuple).
        stride: step of the window. Default: 1.
        padding: zeros added on both sides of each spatial dim (int, tuple, ``'valid'`` or ``'same'``). Default: 0.
        dilation: spacing between kernel elements. Default: 1.
        groups: input and output channels are split into ``groups`` blocks; block ``j`` of the output sees only
            block ``j`` of the input. ``groups == in_channels`` is a depthwise convolution. Default: 1.
        bias: if ``False``, no learnable bias. Default: ``True``.
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``. Default: ``'zeros'``.

    Shape:
        - Input: (N, C_in, L_in) or (C_in, L_in).
        - Output: (N, C_out, L_out) or (C_out, L_out) with
          L_out = floor((L_in + 2 padding - dilation (kernel_size - 1) - 1) / stride) + 1.

    Attributes:
        weight: shape (out_channels, in_channels / groups, kernel_size),
            drawn from U(-sqrt(k), sqrt(k)) with
            k = groups / (in_channels * prod(kernel_size)) (``kaiming_uniform_`` with ``a = sqrt(5)``, as torch).
        bias: shape (out_channels,), drawn from the same U(-sqrt(k), sqrt(k)).

    Gradients: the input gradient is the transposed convolution of the upstream gradient ``g`` with the same
    weight (ConvTranspose with the same stride, padding, dilation and groups); the weight gradient is the
    cross-correlation of the input with ``g``; the bias gradient sums ``g`` over the batch and spatial dims.

    Examples::

        >>> import ember
        >>> m = ember.nn.Conv1d(16, 33, 3, stride=2)
        >>> m(ember.randn(20, 16, 50)).shape
        ember.Size([20, 33, 24])
    """
    _nd = 1
    _fn = staticmethod(F.conv1d)


class Conv2d(_Conv):
    """2-d convolution (cross-correlation) over an image of ``in_channels`` planes.

    out[n, o] = bias[o] + sum_{c in group(o)} weight[o, c] (*) x[n, c], where (*) is the 2-d cross-correlation
    with the given stride, padding and dilation.

    Args:
        in_channels: channels of the input.
        out_channels: channels produced by the convolution.
        kernel_size: size of the window (int or tuple).
        stride: step of the window. Default: 1.
        padding: zeros added on both sides of each spatial dim (int, tuple, ``'valid'`` or ``'same'``). Default: 0.
        dilation: spacing between kernel elements. Default: 1.
        groups: input and output channels are split into ``groups`` blocks; block ``j`` of the output sees only
            block ``j`` of the input. ``groups == in_channels`` is a depthwise convolution. Default: 1.
        bias: if ``False``, no learnable bias. Default: ``True``.
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``. Default: ``'zeros'``.

    Shape:
        - Input: (N, C_in, H_in, W_in) or (C_in, H_in, W_in).
        - Output: (N, C_out, H_out, W_out) or (C_out, H_out, W_out) with
          H_out = floor((H_in + 2 padding[0] - dilation[0] (kernel_size[0] - 1) - 1) / stride[0]) + 1,
          and W_out the same with index 1.

    Attributes:
        weight: shape (out_channels, in_channels / groups, kernel_size[0], kernel_size[1]),
            drawn from U(-sqrt(k), sqrt(k)) with
            k = groups / (in_channels * prod(kernel_size)) (``kaiming_uniform_`` with ``a = sqrt(5)``, as torch).
        bias: shape (out_channels,), drawn from the same U(-sqrt(k), sqrt(k)).

    Gradients: the input gradient is the transposed convolution of the upstream gradient ``g`` with the same
    weight (ConvTranspose with the same stride, padding, dilation and groups); the weight gradient is the
    cross-correlation of the input with ``g``; the bias gradient sums ``g`` over the batch and spatial dims.

    Examples::

        >>> import ember
        >>> m = ember.nn.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2), dilation=(3, 1))
        >>> m(ember.randn(2, 16, 20, 10)).shape
        ember.Size([2, 33, 11, 10])
        >>> ember.nn.Conv2d(3, 8, 3, padding="same")(ember.randn(1, 3, 7, 7)).shape
        ember.Size([1, 8, 7, 7])
    """
    _nd = 2
    _fn = staticmethod(F.conv2d)


class Conv3d(_Conv):
    """3-d convolution (cross-correlation) over a volume of ``in_channels`` planes; as ``Conv2d`` with a
    third spatial dim.

    Args:
        in_channels: channels of the input.
        out_channels: channels produced by the convolution.
        kernel_size: size of the window (int or tuple).
        stride: step of the window. Default: 1.
        padding: zeros added on both sides of each spatial dim (int, tuple, ``'valid'`` or ``'same'``). Default: 0.
        dilation: spacing between kernel elements. Default: 1.
        groups: input and output channels are split into ``groups`` blocks; block ``j`` of the output sees only
            block ``j`` of the input. ``groups == in_channels`` is a depthwise convolution. Default: 1.
        bias: if ``False``, no learnable bias. Default: ``True``.
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``. Default: ``'zeros'``.

    Shape:
        - Input: (N, C_in, D_in, H_in, W_in) or unbatched (C_in, D_in, H_in, W_in).
        - Output: (N, C_out, D_out, H_out, W_out), each spatial size as in ``Conv2d``.

    Attributes:
        weight: shape (out_channels, in_channels / groups, *kernel_size),
            drawn from U(-sqrt(k), sqrt(k)) with
            k = groups / (in_channels * prod(kernel_size)) (``kaiming_uniform_`` with ``a = sqrt(5)``, as torch).
        bias: shape (out_channels,), drawn from the same U(-sqrt(k), sqrt(k)).

    Gradients (as ``Conv2d``, with a third spatial dim): the input gradient is the transposed convolution of
    ``g`` with the same weight; dL/dW[o, c] is the cross-correlation of the input plane c with g[o];
    dL/db[o] sums g[o] over the batch and spatial dims.

    Examples::

        >>> import ember
        >>> ember.nn.Conv3d(2, 4, 3, padding=1)(ember.randn(1, 2, 4, 5, 6)).shape
        ember.Size([1, 4, 4, 5, 6])
    """
    _nd = 3
    _fn = staticmethod(F.conv3d)


class _ConvTranspose(_ConvNd):
    transposed = True
    _fn = staticmethod(F.conv_transpose2d)

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros", device=None,
                 dtype=None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, output_padding, device, dtype)

    def _output_padding(self, input, output_size) -> tuple:
        """output_padding that makes the output exactly ``output_size`` (torch's rule and errors)."""
        if output_size is None:
            return self.output_padding
        nd = self._nd
        size = [int(s) for s in output_size]
        if len(size) == nd + 2 or (len(size) == nd + 1 and input.ndim == nd + 1):
            size = size[-nd:]
        if len(size) != nd:
            raise ValueError(f"ConvTranspose{nd}D: for {input.ndim}D input, output_size must have {nd} or "
                             f"{nd + 2} elements (got {len(output_size)})")
        lows, highs = [], []
        for i in range(nd):
            L = input.shape[input.ndim - nd + i]
            lo = (L - 1) * self.stride[i] - 2 * self.padding[i] + self.dilation[i] * (self.kernel_size[i] - 1) + 1
            lows.append(lo)
            highs.append(lo + self.stride[i] - 1)
        if any(not lo <= s <= hi for lo, s, hi in zip(lows, size, highs)):
            raise ValueError(f"requested an output size of {tuple(size)}, but valid sizes range from {lows} to "
                             f"{highs} (for an input of {tuple(input.shape[-nd:])})")
        out = [s - lo for s, lo in zip(size, lows)]
        return tuple(out)

    def forward(self, input, output_size=None):
        op = self._output_padding(input, output_size)
        return type(self)._fn(input, self.weight, self.bias, self.stride, self.padding, op, self.groups,
                              self.dilation)


class ConvTranspose1d(_ConvTranspose):
    """1-d transposed convolution: the gradient of ``Conv1d`` with respect to its input, as a layer
    (sometimes called a fractionally-strided convolution or "deconvolution").

    Args:
        in_channels, out_channels, kernel_size, stride, groups, bias, dilation: as in ``Conv2d``.
        padding: ``dilation * (kernel_size - 1) - padding`` zeros are added to both sides of the input
            (so that ``padding`` undoes the padding of the matching ``Conv``). Default: 0.
        output_padding: extra size added to one side of the output, to pick one of the input sizes a
            strided ``Conv`` maps to the same output size. Default: 0.
        padding_mode: only ``'zeros'``.

    ``forward(input, output_size=None)``: with ``output_size`` the layer picks ``output_padding`` to reach it.

    Shape:
        - Input: (N, C_in, L_in) or (C_in, L_in).
        - Output: (N, C_out, L_out) with
          L_out = (L_in - 1) stride - 2 padding + dilation (kernel_size - 1) + output_padding + 1.

    Attributes:
        weight: shape (in_channels, out_channels / groups, kernel_size),
            drawn from U(-sqrt(k), sqrt(k)) with
            k = groups / (out_channels * prod(kernel_size)) (torch computes the fan-in of this transposed
            weight from its dim 1, ``out_channels / groups``).
        bias: shape (out_channels,), drawn from the same U(-sqrt(k), sqrt(k)).

    Gradients: the input gradient is the (forward) convolution of the upstream gradient with the same weight;
    the weight gradient is the cross-correlation of ``g`` with the input.

    Examples::

        >>> import ember
        >>> ember.nn.ConvTranspose1d(4, 2, 3, stride=2)(ember.randn(1, 4, 5)).shape
        ember.Size([1, 2, 11])
    """
    _nd = 1
    _fn = staticmethod(F.conv_transpose1d)


class ConvTranspose2d(_ConvTranspose):
    """2-d transposed convolution: the gradient of ``Conv2d`` with respect to its input, as a layer
    (sometimes called a fractionally-strided convolution or "deconvolution"); it upsamples by ``stride``.

    Args:
        in_channels, out_channels, kernel_size, stride, groups, bias, dilation: as in ``Conv2d``.
        padding: ``dilation * (kernel_size - 1) - padding`` zeros are added to both sides of the input
            (so that ``padding`` undoes the padding of the matching ``Conv``). Default: 0.
        output_padding: extra size added to one side of the output, to pick one of the input sizes a
            strided ``Conv`` maps to the same output size. Default: 0.
        padding_mode: only ``'zeros'``.

    ``forward(input, output_size=None)``: with ``output_size`` the layer picks ``output_padding`` to reach it.

    Shape:
        - Input: (N, C_in, H_in, W_in) or (C_in, H_in, W_in).
        - Output: (N, C_out, H_out, W_out) with
          H_out = (H_in - 1) stride[0] - 2 padding[0] + dilation[0] (kernel_size[0] - 1) + output_padding[0] + 1,
          and W_out the same with index 1.

    Attributes:
        weight: shape (in_channels, out_channels / groups, kernel_size[0], kernel_size[1]),
            drawn from U(-sqrt(k), sqrt(k)) with
            k = groups / (out_channels * prod(kernel_size)) (torch computes the fan-in of this transposed
            weight from its dim 1, ``out_channels / groups``).
        bias: shape (out_channels,), drawn from the same U(-sqrt(k), sqrt(k)).

    Gradients: the input gradient is the (forward) convolution of the upstream gradient with the same weight;
    the weight gradient is the cross-correlation of ``g`` with the input.

    Examples::

        >>> import ember
        >>> x = ember.randn(1, 16, 12, 12)
        >>> down = ember.nn.Conv2d(16, 16, 3, stride=2, padding=1)
        >>> up = ember.nn.ConvTranspose2d(16, 16, 3, stride=2, padding=1)
        >>> h = down(x)
        >>> h.shape
        ember.Size([1, 16, 6, 6])
        >>> up(h).shape
        ember.Size([1, 16, 11, 11])
        >>> up(h, output_size=x.shape).shape
        ember.Size([1, 16, 12, 12])
    """
    _nd = 2
    _fn = staticmethod(F.conv_transpose2d)


class ConvTranspose3d(_ConvTranspose):
    """3-d transposed convolution: the gradient of ``Conv3d`` with respect to its input, as a layer; the
    arguments, init and output size are those of ``ConvTranspose2d`` with a third spatial dim:
    y[n, o] = b[o] + sum_{c in group(o)} x[n, c] (*)^T W[c, o], each input voxel scattering a weighted copy
    of the kernel into the output, ``stride`` apart.

    Args:
        in_channels, out_channels, kernel_size, stride, groups, bias, dilation: as in ``Conv3d``.
        padding: ``dilation * (kernel_size - 1) - padding`` zeros are added to both sides of the input.
            Default: 0.
        output_padding: extra size added to one side of each spatial dim of the output. Default: 0.
        padding_mode: only ``'zeros'``.

    ``forward(input, output_size=None)``: with ``output_size`` the layer picks ``output_padding`` to reach it.

    Shape:
        - Input: (N, C_in, D_in, H_in, W_in) or (C_in, D_in, H_in, W_in).
        - Output: (N, C_out, D_out, H_out, W_out), each spatial dim k:
          out_k = (in_k - 1) stride[k] - 2 padding[k] + dilation[k] (kernel_size[k] - 1) + output_padding[k] + 1.

    Attributes:
        weight: shape (in_channels, out_channels / groups, *kernel_size), drawn from U(-sqrt(k), sqrt(k))
            with k = groups / (out_channels * prod(kernel_size)) (the fan-in of the transposed weight is
            read from its dim 1, as torch).
        bias: shape (out_channels,), drawn from the same U(-sqrt(k), sqrt(k)).

    Gradients: the input gradient is the (forward) 3-d convolution of ``g`` with the same weight; the
    weight gradient is the cross-correlation of ``g`` with the input.

    Examples::

        >>> import ember
        >>> ember.nn.ConvTranspose3d(2, 3, 2, stride=2)(ember.randn(1, 2, 2, 3, 4)).shape
        ember.Size([1, 3, 4, 6, 8])
    """
    _nd = 3
    _fn = staticmethod(F.conv_transpose3d)


class _LazyConvMixin:
    """in_channels is read from the first input (dim -nd-1); then the module becomes its eager class."""

    def reset_parameters(self) -> None:
        if not isinstance(self.weight, UninitializedParameter) and self.in_channels != 0:
            super().reset_parameters()

    def __call__(self, input, *args, **kwargs):
        if isinstance(self.weight, UninitializedParameter):
            self.in_channels = input.shape[input.ndim - self._nd - 1]
            g = self.groups
            if self.transposed:
                shape = (self.in_channels, self.out_channels // g, *self.kernel_size)
            else:
                shape = (self.out_channels, self.in_channels // g, *self.kernel_size)
            self.weight.materialize(shape, dtype=input.dtype)
            if self.bias is not None:
                self.bias.materialize((self.out_channels,), dtype=input.dtype)
            self.__class__ = self.cls_to_become
            self.reset_parameters()
        return Module.__call__(self, input, *args, **kwargs)


_LAZY_EXAMPLE = {  # (input shape, output shape) for out_channels=8, kernel_size=3; checked against torch
    "Conv1d": ("2, 3, 10", "2, 8, 8"), "Conv2d": ("2, 3, 10, 10", "2, 8, 8, 8"),
    "Conv3d": ("2, 3, 4, 5, 6", "2, 8, 2, 3, 4"), "ConvTranspose1d": ("2, 3, 10", "2, 8, 12"),
    "ConvTranspose2d": ("2, 3, 10, 10", "2, 8, 12, 12"), "ConvTranspose3d": ("2, 3, 4, 5, 6", "2, 8, 6, 7, 8"),
}


def _lazy_doc(eager) -> str:
    """The class docstring of a generated lazy conv: what it defers, Args, Shape, init, example."""
    name = eager.__name__
    shape_in, shape_out = _LAZY_EXAMPLE[name]
    weight = ("(in_channels, out_channels / groups, *kernel_size)" if eager.transposed else
              "(out_channels, in_channels / groups, *kernel_size)")
    return f"""A ``{name}`` whose ``in_channels`` is inferred from the first input: in_channels = input.shape[1]
    (input.shape[0] when unbatched). Until then ``weight`` and ``bias`` are ``UninitializedParameter``;
    the first call materializes them, initialises them as ``{name}`` does, and the module becomes a
    ``{name}`` (``cls_to_become``). The formula and gradients are those of ``{name}``.

    Args:
        out_channels, kernel_size, stride, padding, ...: as in ``{name}`` (every argument but in_channels).

    Shape:
        - Input and Output: as in ``{name}``.

    Attributes:
        weight: {weight} once materialized, drawn from U(-sqrt(k), sqrt(k)) as in ``{name}``.
        bias: (out_channels,), drawn from the same U(-sqrt(k), sqrt(k)).

    Examples::

        >>> import ember
        >>> m = ember.nn.Lazy{name}(8, 3)
        >>> m(ember.randn({shape_in})).shape
        ember.Size([{shape_out}])
        >>> type(m).__name__, m.in_channels
        ('{name}', 3)
    """


def _lazy(eager, nd):
    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, *args, bias: bool = True, **kwargs):
        _lazy_init(self, out_channels, kernel_size, stride, padding, bias, eager, nd, args, kwargs)

    return type(f"Lazy{eager.__name__}", (_LazyConvMixin, eager),
                {"__init__": __init__, "cls_to_become": eager, "__doc__": _lazy_doc(eager), "__module__": __name__})


def _lazy_init(self, out_channels, kernel_size, stride, padding, bias, eager, nd, args, kwargs) -> None:
    """Build a conv with a placeholder in_channels = groups, then swap in uninitialized parameters."""
    groups = kwargs.get("groups", 1)
    if eager.transposed:
        names = ("output_padding", "groups", "bias_", "dilation", "padding_mode")
    else:
        names = ("dilation", "groups", "bias_", "padding_mode")
    extra = dict(zip(names, args))
    extra.pop("bias_", None)
    extra.update({k: v for k, v in kwargs.items() if k not in ("device", "dtype")})
    groups = extra.get("groups", groups)
    eager.__init__(self, groups, out_channels, kernel_size, stride, padding, bias=bias, **extra)
    self.in_channels = 0
    self.weight = UninitializedParameter()
    if bias:
        self.bias = UninitializedParameter()


LazyConv1d = _lazy(Conv1d, 1)
LazyConv2d = _lazy(Conv2d, 2)
LazyConv3d = _lazy(Conv3d, 3)
LazyConvTranspose1d = _lazy(ConvTranspose1d, 1)
LazyConvTranspose2d = _lazy(ConvTranspose2d, 2)
LazyConvTranspose3d = _lazy(ConvTranspose3d, 3)
