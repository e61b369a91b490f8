"""Pooling layers: ``MaxPool1d/2d/3d``, ``AvgPool1d/2d/3d``, ``AdaptiveAvgPool1d/2d/3d``,
``AdaptiveMaxPool1d/2d``, ``LPPool1d/2d``, ``MaxUnpool1d/2d/3d``. No parameters.

MaxPool2d: y[n, c, i, j] = max over the window at (i s - p, j s - p) of size k with dilation d;
AvgPool2d: the window mean (see ``count_include_pad`` / ``divisor_override``).
Shape: (N, C, H, W) or (C, H, W) -> (N, C, H_out, W_out),
    H_out = floor_or_ceil((H + 2 p - d (k - 1) - 1) / s) + 1   (ceil_mode: the last window must start
    inside the input or the left padding). stride defaults to kernel_size.
Gradients: max pooling sends g to the first maximum of each window; average pooling spreads
g / divisor over it. See ``ember.nn.functional.pooling``.

>>> import ember
>>> ember.nn.MaxPool2d(2)(ember.randn(1, 6, 28, 28)).shape
ember.Size([1, 6, 14, 14])
"""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d", "AdaptiveAvgPool1d",
           "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "LPPool1d",
           "LPPool2d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d"]


class _MaxPoolNd(Module):
    _fn = staticmethod(F.max_pool2d)

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input):
        return type(self)._fn(input, self.kernel_size, self.stride, self.padding, self.dilation,
                              ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """1-d max pooling: out[n, c, l] = max_{j < kernel_size} x[n, c, stride * l + dilation * j - padding].

    Args:
        kernel_size: the window size (int or tuple).
        stride: the window step. Default: kernel_size.
        padding: implicit -inf padding on both sides of each spatial dim (at most kernel_size / 2). Default: 0.
        dilation: spacing between window elements. Default: 1.
        return_indices: if ``True``, also return the flat (per-plane) index of each maximum, for
            ``MaxUnpool``. Default: ``False``.
        ceil_mode: if ``True``, use ceil instead of floor for the output size (a last, partial window that
            starts inside the input or the left padding is kept). Default: ``False``.

    Shape: Input (N, C, L_in) or (C, L_in); Output (N, C, L_out) with
    L_out = floor((L_in + 2 padding - dilation (kernel_size - 1) - 1) / stride) + 1 (ceil with ceil_mode).

    Gradient: g goes to the position of the (first) maximum of each window; other inputs get 0. No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.MaxPool1d(3, stride=2)(ember.randn(20, 16, 50)).shape
        ember.Size([20, 16, 24])
    """
    _fn = staticmethod(F.max_pool1d)


class MaxPool2d(_MaxPoolNd):
    """2-d max pooling: out[n, c, i, j] = max over the kernel_size window whose corner is at
    (stride[0] * i - padding[0], stride[1] * j - padding[1]), elements ``dilation`` apart.

    Args:
        kernel_size: the window size (int or tuple).
        stride: the window step. Default: kernel_size.
        padding: implicit -inf padding on both sides of each spatial dim (at most kernel_size / 2). Default: 0.
        dilation: spacing between window elements. Default: 1.
        return_indices: if ``True``, also return the flat (per-plane) index of each maximum, for
            ``MaxUnpool``. Default: ``False``.
        ceil_mode: if ``True``, use ceil instead of floor for the output size (a last, partial window that
            starts inside the input or the left padding is kept). Default: ``False``.

    Shape:
        - Input: (N, C, H_in, W_in) or (C, H_in, W_in).
        - Output: (N, C, H_out, W_out) with
          H_out = floor((H_in + 2 padding[0] - dilation[0] (kernel_size[0] - 1) - 1) / stride[0]) + 1
          (ceil with ceil_mode), and W_out the same with index 1.

    Gradient: g goes to the position of the (first) maximum of each window; other inputs get 0. No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.MaxPool2d(3, stride=2)(ember.randn(20, 16, 50, 32)).shape
        ember.Size([20, 16, 24, 15])
        >>> y, idx = ember.nn.MaxPool2d(2, return_indices=True)(ember.tensor([[[[1., 2.], [4., 3.]]]]))
        >>> y.tolist(), idx.tolist()
        ([[[[4.0]]]], [[[[2]]]])
    """
    _fn = staticmethod(F.max_pool2d)


class MaxPool3d(_MaxPoolNd):
    """Max over windows of (N, C, D, H, W)."""
    _fn = staticmethod(F.max_pool3d)


class _AvgPoolNd(Module):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override=None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    """1-d average pooling: out[n, c, l] = (1 / kernel_size) sum_{j < kernel_size} x[n, c, stride * l + j - padding].

    Args:
        kernel_size: the window size (int or tuple).
        stride: the window step. Default: kernel_size.
        padding: implicit zero padding on both sides of each spatial dim (at most kernel_size / 2). Default: 0.
        ceil_mode: if ``True``, use ceil instead of floor for the output size. Default: ``False``.
        count_include_pad: if ``True``, the padded zeros count in the divisor. Default: ``True``.

    Shape: Input (N, C, L_in) or (C, L_in); Output (N, C, L_out) with
    L_out = floor((L_in + 2 padding - kernel_size) / stride) + 1 (ceil with ceil_mode).

    Gradient: each window spreads g / divisor evenly over its inputs. No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.AvgPool1d(3, stride=2)(ember.tensor([[[1., 2, 3, 4, 5, 6, 7]]])).tolist()
        [[[2.0, 4.0, 6.0]]]
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)


class AvgPool2d(_AvgPoolNd):
    """2-d average pooling: out[n, c, i, j] = (1 / (kH kW)) sum of the kernel_size window whose corner is at
    (stride[0] * i - padding[0], stride[1] * j - padding[1]).

    Args:
        kernel_size: the window size (int or tuple).
        stride: the window step. Default: kernel_size.
        padding: implicit zero padding on both sides of each spatial dim (at most kernel_size / 2). Default: 0.
        ceil_mode: if ``True``, use ceil instead of floor for the output size. Default: ``False``.
        count_include_pad: if ``True``, the padded zeros count in the divisor. Default: ``True``.
        divisor_override: if given, divide every window's sum by it instead. Default: None.

    Shape:
        - Input: (N, C, H_in, W_in) or (C, H_in, W_in).
        - Output: (N, C, H_out, W_out) with H_out = floor((H_in + 2 padding[0] - kernel_size[0]) / stride[0]) + 1
          (ceil with ceil_mode), and W_out the same with index 1.

    Gradient: each window spreads g / divisor evenly over its inputs. No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.AvgPool2d((3, 2), stride=(2, 1))(ember.randn(20, 16, 50, 32)).shape
        ember.Size([20, 16, 24, 31])
        >>> ember.nn.AvgPool2d(2)(ember.arange(16.0).reshape(1, 1, 4, 4)).tolist()
        [[[[2.5, 4.5], [10.5, 12.5]]]]
    """

    def forward(self, input):
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class AvgPool3d(_AvgPoolNd):
    """Mean over windows of (N, C, D, H, W)."""

    def forward(self, input):
        return F.avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class _AdaptiveNd(Module):
    _fn = staticmethod(F.adaptive_avg_pool2d)

    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return type(self)._fn(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveNd):
    """Average into output_size bins [floor(i L / O), ceil((i + 1) L / O))."""
    _fn = staticmethod(F.adaptive_avg_pool1d)


class AdaptiveAvgPool2d(_AdaptiveNd):
    """2-d adaptive average pooling to a fixed output size: output cell (i, j) averages the input rows
    [floor(i H / oH), ceil((i + 1) H / oH)) and columns [floor(j W / oW), ceil((j + 1) W / oW)).
    ``AdaptiveAvgPool2d(1)`` is global average pooling.

    Args:
        output_size: (oH, oW), or one int for both; ``None`` in a place keeps that input size.

    Shape: Input (N, C, H, W) or (C, H, W); Output (N, C, oH, oW) or (C, oH, oW).

    Gradient: each bin spreads g / (bin size) evenly over its inputs. No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.AdaptiveAvgPool2d((5, 7))(ember.randn(1, 64, 8, 9)).shape
        ember.Size([1, 64, 5, 7])
        >>> ember.nn.AdaptiveAvgPool2d(1)(ember.arange(4.0).reshape(1, 1, 2, 2)).tolist()
        [[[[1.5]]]]
    """
    _fn = staticmethod(F.adaptive_avg_pool2d)


class AdaptiveAvgPool3d(_AdaptiveNd):
    _fn = staticmethod(F.adaptive_avg_pool3d)


class _AdaptiveMaxNd(_AdaptiveNd):
    def __init__(self, output_size, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, input):
        return type(self)._fn(input, self.output_size, self.return_indices)


class AdaptiveMaxPool1d(_AdaptiveMaxNd):
    """Max over output_size adaptive bins."""
    _fn = staticmethod(F.adaptive_max_pool1d)


class AdaptiveMaxPool2d(_AdaptiveMaxNd):
    """Max over (oH, oW) adaptive bins."""
    _fn = staticmethod(F.adaptive_max_pool2d)


class _LPPoolNd(Module):
    _fn = staticmethod(F.lp_pool2d)

    def __init__(self, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False) -> None:
        super().__init__()
        self.norm_type, self.kernel_size, self.stride, self.ceil_mode = norm_type, kernel_size, stride, ceil_mode

    def forward(self, input):
        return type(self)._fn(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self) -> str:
        return f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, " \
               f"ceil_mode={self.ceil_mode}"


class LPPool1d(_LPPoolNd):
    """Power-average pooling: (sum over the window of x^p)^(1/p)."""
    _fn = staticmethod(F.lp_pool1d)


class LPPool2d(_LPPoolNd):
    """Power-average pooling: (sum over the window of x^p)^(1/p)."""
    _fn = staticmethod(F.lp_pool2d)


class _MaxUnpoolNd(Module):
    _fn = staticmethod(F.max_unpool2d)

    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding

    def forward(self, input, indices, output_size=None):
        return type(self)._fn(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """Partial inverse of MaxPool1d: x goes to its indices, zeros elsewhere."""
    _fn = staticmethod(F.max_unpool1d)


class MaxUnpool2d(_MaxUnpoolNd):
    """Partial inverse of MaxPool2d: x goes to its indices, zeros elsewhere."""
    _fn = staticmethod(F.max_unpool2d)


class MaxUnpool3d(_MaxUnpoolNd):
    _fn = staticmethod(F.max_unpool3d)
