"""``Unfold`` (im2col) and ``Fold`` (col2im, summing overlaps). No parameters.

Unfold: (N, C, H, W) -> (N, C prod(kernel_size), L), L = prod over dims of
floor((size + 2 padding - dilation (kernel_size - 1) - 1) / stride) + 1. Fold is its adjoint:
(N, C prod(kernel_size), L) -> (N, C, *output_size). Each one's gradient is the other.

>>> import ember
>>> ember.nn.Unfold(kernel_size=(2, 3))(ember.randn(2, 5, 3, 4)).shape
ember.Size([2, 30, 4])
"""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["Fold", "Unfold"]


class Fold(Module):
    """Combines an array of sliding local blocks into a tensor, summing overlaps (col2im):
    y[n, c, p + d k] += x[n, c prod(kernel_size) + k, l] for every block l at output position p (padding
    then cropped), the adjoint of Unfold.

    Gradient: dL/dx = Unfold(g) with the same kernel_size, dilation, padding and stride.

    Args:
        output_size: the spatial shape (H, W) of the output (an int means the same in both dims).
        kernel_size: the size of the sliding blocks.
        dilation: the spacing between kernel elements. Default: 1.
        padding: implicit zero padding on both sides of the output. Default: 0.
        stride: the stride of the sliding blocks. Default: 1.

    Shape:
        - Input: (N, C prod(kernel_size), L) or (C prod(kernel_size), L), where
          L = prod_d floor((output_size[d] + 2 padding[d] - dilation[d] (kernel_size[d] - 1) - 1) / stride[d] + 1).
        - Output: (N, C, *output_size) or (C, *output_size).

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.Fold(output_size=(3, 3), kernel_size=2)
        >>> m(ember.ones(1, 4, 4))
        tensor([[[[1., 2., 1.],
                  [2., 4., 2.],
                  [1., 2., 1.]]]])
    """

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input):
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class Unfold(Module):
    """Extracts sliding local blocks as columns (im2col):
    y[n, c prod(kernel_size) + k, l] = x_padded[n, c, p_l + d k], one column per block position l.

    Gradient: dL/dx = Fold(g) with output_size the input's spatial size (overlapping gradients add).

    Args:
        kernel_size: the size of the sliding blocks.
        dilation: the spacing between kernel elements. Default: 1.
        padding: implicit zero padding on both sides of the input. Default: 0.
        stride: the stride of the sliding blocks. Default: 1.

    Shape:
        - Input: (N, C, H, W) or (C, H, W).
        - Output: (N, C prod(kernel_size), L) or (C prod(kernel_size), L), where
          L = prod_d floor((size[d] + 2 padding[d] - dilation[d] (kernel_size[d] - 1) - 1) / stride[d] + 1).

    No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.Unfold(kernel_size=(2, 3))(ember.randn(2, 5, 3, 4)).shape
        ember.Size([2, 30, 4])
    """

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, " \
               f"stride={self.stride}"
