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
    """3-d max pooling: out[n, c, d, i, j] = max over the kernel_size window whose corner is at
    (stride[0] d - padding[0], stride[1] i - padding[1], stride[2] j - padding[2]), elements ``dilation`` apart.

    Args:
        kernel_size: the window size (int or 3-tuple).
        stride: the window step. Default: kernel_size.
        padding: implicit -inf padding on both sides of each spatial dim (at most kernel_size / 2). Default: 0.
        dilation: spacing between window elements. Default: 1.
        return_indices: if ``True``, also return the flat (per-volume) index of each maximum, for
            ``MaxUnpool3d``. Default: ``False``.
        ceil_mode: if ``True``, use ceil instead of floor for the output size. Default: ``False``.

    Shape:
        - Input: (N, C, D_in, H_in, W_in) or (C, D_in, H_in, W_in).
        - Output: (N, C, D_out, H_out, W_out) with, for each spatial dim k,
          out_k = floor((in_k + 2 padding[k] - dilation[k] (kernel_size[k] - 1) - 1) / stride[k]) + 1
          (ceil with ceil_mode).

    Gradient: g goes to the position of the (first) maximum of each window; other inputs get 0. No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.MaxPool3d((3, 2, 2), stride=2)(ember.randn(2, 4, 9, 8, 6)).shape
        ember.Size([2, 4, 4, 4, 3])
    """
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
    """3-d average pooling: out[n, c, d, i, j] = (1 / (kD kH kW)) sum of the kernel_size window whose
    corner is at (stride[0] d - padding[0], stride[1] i - padding[1], stride[2] j - padding[2]).

    Args:
        kernel_size: the window size (int or 3-tuple).
        stride: the window step. Default: kernel_size.
        padding: implicit zero padding on both sides of each spatial dim (at most kernel_size / 2). Default: 0.
        ceil_mode: if ``True``, use ceil instead of floor for the output size. Default: ``False``.
        count_include_pad: if ``True``, the padded zeros count in the divisor. Default: ``True``.
        divisor_override: if given, divide every window's sum by it instead. Default: None.

    Shape:
        - Input: (N, C, D_in, H_in, W_in) or (C, D_in, H_in, W_in).
        - Output: (N, C, D_out, H_out, W_out) with, for each spatial dim k,
          out_k = floor((in_k + 2 padding[k] - kernel_size[k]) / stride[k]) + 1 (ceil with ceil_mode).

    Gradient: each window spreads g / divisor evenly over its inputs. No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.AvgPool3d(2)(ember.randn(2, 4, 9, 8, 6)).shape
        ember.Size([2, 4, 4, 4, 3])
    """

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
    """1-d adaptive average pooling to a fixed output length O: out[n, c, i] is the mean of
    x[n, c, floor(i L / O) : ceil((i + 1) L / O)].

    Args:
        output_size: O, the target output length.

    Shape:
        - Input: (N, C, L) or (C, L).
        - Output: (N, C, O) or (C, O).

    Gradient: each bin spreads g / (bin size) evenly over its inputs. No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.AdaptiveAvgPool1d(3)(ember.arange(5.0).reshape(1, 1, 5)).tolist()
        [[[0.5, 2.0, 3.5]]]
    """
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
    """3-d adaptive average pooling to a fixed output size: output cell (d, i, j) averages the
    input bins [floor(d D / oD), ceil((d + 1) D / oD)) x [floor(i H / oH), ceil((i + 1) H / oH)) x
    [floor(j W / oW), ceil((j + 1) W / oW)).

    Args:
        output_size: (oD, oH, oW), or one int for all three; ``None`` in a place keeps that input size.

    Shape:
        - Input: (N, C, D, H, W) or (C, D, H, W).
        - Output: (N, C, oD, oH, oW) or (C, oD, oH, oW).

    Gradient: each bin spreads g / (bin size) evenly over its inputs. No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.AdaptiveAvgPool3d((2, 3, None))(ember.randn(1, 4, 5, 7, 9)).shape
        ember.Size([1, 4, 2, 3, 9])
    """

    _fn = staticmethod(F.adaptive_avg_pool3d)


class _AdaptiveMaxNd(_AdaptiveNd):
    def __init__(self, output_size, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, input):
        return type(self)._fn(input, self.output_size, self.return_indices)


class AdaptiveMaxPool1d(_AdaptiveMaxNd):
    """1-d adaptive max pooling to a fixed output length O: out[n, c, i] is the max of
    x[n, c, floor(i L / O) : ceil((i + 1) L / O)].

    Args:
        output_size: O, the target output length.
        return_indices: if ``True``, also return the index of each maximum (for ``MaxUnpool1d``). Default: ``False``.

    Shape:
        - Input: (N, C, L) or (C, L).
        - Output: (N, C, O) or (C, O).

    Gradient: g goes to the position of the (first) maximum of each bin; other inputs get 0. No parameters.

    Examples::

        >>> import ember
        >>> y, idx = ember.nn.AdaptiveMaxPool1d(2, return_indices=True)(ember.tensor([[[1.0, 5, 2, 3, 0]]]))
        >>> y.tolist(), idx.tolist()
        ([[[5.0, 3.0]]], [[[1, 3]]])
    """
    _fn = staticmethod(F.adaptive_max_pool1d)


class AdaptiveMaxPool2d(_AdaptiveMaxNd):
    """2-d adaptive max pooling to a fixed output size: output cell (i, j) is the max of the input
    rows [floor(i H / oH), ceil((i + 1) H / oH)) and columns [floor(j W / oW), ceil((j + 1) W / oW)).

    Args:
        output_size: (oH, oW), or one int for both; ``None`` in a place keeps that input size.
        return_indices: if ``True``, also return the flat (per-plane) index of each maximum. Default: ``False``.

    Shape:
        - Input: (N, C, H, W) or (C, H, W).
        - Output: (N, C, oH, oW) or (C, oH, oW).

    Gradient: g goes to the position of the (first) maximum of each bin; other inputs get 0. No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.AdaptiveMaxPool2d((5, 7))(ember.randn(1, 64, 8, 9)).shape
        ember.Size([1, 64, 5, 7])
    """
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
    """1-d power-average pooling: out[n, c, l] = (sum_{j < kernel_size} x[n, c, stride l + j]^p)^(1/p),
    p = ``norm_type`` (p = inf is max pooling, p = 1 sum pooling).

    Args:
        norm_type: p, the power.
        kernel_size: the window size.
        stride: the window step. Default: kernel_size.
        ceil_mode: if ``True``, use ceil instead of floor for the output size. Default: ``False``.

    Shape:
        - Input: (N, C, L_in) or (C, L_in).
        - Output: (N, C, L_out) or (C, L_out), L_out = floor((L_in - kernel_size) / stride) + 1.

    Gradient: dL/dx = g x^(p-1) / out^(p-1) within each window. No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.LPPool1d(2, 2)(ember.tensor([[[3.0, 4, 1, 0]]])).tolist()
        [[[5.0, 1.0]]]
    """
    _fn = staticmethod(F.lp_pool1d)


class LPPool2d(_LPPoolNd):
    """2-d power-average pooling: out[n, c, i, j] = (sum over the kernel_size window at
    (stride[0] i, stride[1] j) of x^p)^(1/p), p = ``norm_type`` (p = inf is max pooling, p = 1 sum pooling).

    Args:
        norm_type: p, the power.
        kernel_size: the window size (int or tuple).
        stride: the window step. Default: kernel_size.
        ceil_mode: if ``True``, use ceil instead of floor for the output size. Default: ``False``.

    Shape:
        - Input: (N, C, H_in, W_in) or (C, H_in, W_in).
        - Output: (N, C, H_out, W_out), H_out = floor((H_in - kernel_size[0]) / stride[0]) + 1, W_out likewise.

    Gradient: dL/dx = g x^(p-1) / out^(p-1) within each window. No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.LPPool2d(1, 2)(ember.arange(16.0).reshape(1, 1, 4, 4)).tolist()
        [[[[10.0, 18.0], [42.0, 50.0]]]]
    """
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
    """Partial inverse of MaxPool1d: y is zero except at the ``indices`` returned by MaxPool1d(return_indices=True),
    where y[n, c, indices[n, c, ...]] = x[n, c, ...]; non-maximal values are lost.

    Gradient: dL/dx = g gathered at ``indices``.

    Args:
        kernel_size: the pooling window size (as in the MaxPool1d).
        stride: the pooling step. Default: kernel_size.
        padding: the pooling padding. Default: 0.

    Call: ``m(input, indices, output_size=None)``; give output_size to resolve the ambiguity of the inverse
    size (e.g. after ceil_mode or an odd input).

    Shape:
        - Input: (N, C, L_in) or (C, L_in); indices of the same shape.
        - Output: (N, C, L_out) or (C, L_out), each out_k = (in_k - 1) stride[k] - 2 padding[k] + kernel_size[k]
          (or output_size).

    No parameters.

    Examples::

        >>> import ember
        >>> y, idx = ember.nn.MaxPool1d(2, return_indices=True)(ember.tensor([[[1.0, 5, 2, 3]]]))
        >>> ember.nn.MaxUnpool1d(2)(y, idx).tolist()
        [[[0.0, 5.0, 0.0, 3.0]]]
    """
    _fn = staticmethod(F.max_unpool1d)


class MaxUnpool2d(_MaxUnpoolNd):
    """Partial inverse of MaxPool2d: y is zero except at the ``indices`` returned by MaxPool2d(return_indices=True),
    where y[n, c, indices[n, c, ...]] = x[n, c, ...]; non-maximal values are lost.

    Gradient: dL/dx = g gathered at ``indices``.

    Args:
        kernel_size: the pooling window size (as in the MaxPool2d).
        stride: the pooling step. Default: kernel_size.
        padding: the pooling padding. Default: 0.

    Call: ``m(input, indices, output_size=None)``; give output_size to resolve the ambiguity of the inverse
    size (e.g. after ceil_mode or an odd input).

    Shape:
        - Input: (N, C, H_in, W_in) or (C, H_in, W_in); indices of the same shape.
        - Output: (N, C, H_out, W_out), each out_k = (in_k - 1) stride[k] - 2 padding[k] + kernel_size[k]
          (or output_size).

    No parameters.

    Examples::

        >>> import ember
        >>> y, idx = ember.nn.MaxPool2d(2, return_indices=True)(ember.tensor([[[[1.0, 2], [4, 3]]]]))
        >>> ember.nn.MaxUnpool2d(2)(y, idx).tolist()
        [[[[0.0, 0.0], [4.0, 0.0]]]]
    """
    _fn = staticmethod(F.max_unpool2d)


class MaxUnpool3d(_MaxUnpoolNd):
    """Partial inverse of MaxPool3d: y is zero except at the ``indices`` returned by MaxPool3d(return_indices=True),
    where y[n, c, indices[n, c, ...]] = x[n, c, ...]; non-maximal values are lost.

    Gradient: dL/dx = g gathered at ``indices``.

    Args:
        kernel_size: the pooling window size (as in the MaxPool3d).
        stride: the pooling step. Default: kernel_size.
        padding: the pooling padding. Default: 0.

    Call: ``m(input, indices, output_size=None)``; give output_size to resolve the ambiguity of the inverse
    size (e.g. after ceil_mode or an odd input).

    Shape:
        - Input: (N, C, D_in, H_in, W_in) or (C, D_in, H_in, W_in); indices of the same shape.
        - Output: (N, C, D_out, H_out, W_out), each out_k = (in_k - 1) stride[k] - 2 padding[k] + kernel_size[k]
          (or output_size).

    No parameters.

    Examples::

        >>> import ember
        >>> y, idx = ember.nn.MaxPool3d(2, return_indices=True)(ember.randn(1, 2, 4, 4, 4))
        >>> ember.nn.MaxUnpool3d(2)(y, idx).shape
        ember.Size([1, 2, 4, 4, 4])
    """

    _fn = staticmethod(F.max_unpool3d)
