"""Convolutions: ``conv1d/2d/3d``, ``conv_transpose1d/2d/3d``, ``unfold`` and ``fold``.

conv: y[n, o, p] = b[o] + sum_{c in group(o), k} W[o, c, k] * x_pad[n, c, p * s + k * d]
(cross-correlation, as torch). Output length per spatial dim:
    L_out = floor((L + 2 p - d (k - 1) - 1) / s) + 1
conv_transpose is the adjoint of conv in x (its backward-data pass):
    L_out = (L - 1) s - 2 p + d (k - 1) + output_padding + 1

The raw passes are the kernel switch's (``ember.backends.kernels.conv_forward`` and friends), which picks oneDNN
where installed, else Winograd F(2x2, 3x3) for 3x3 stride-1 ones with enough tiles, a direct convolution for few
taps and output channels (LeNet's), im2col + one GEMM per pass for other 2-d ones, and the N-d channels-last
im2col reference (``ember.backends.conv_reference``) for 1-d, 3-d and grouped ones. Gradients: dx = col2im(g W),
dW = g^T cols, db = sum of g over batch and space, computed inside the backward op ``ConvBackward``
(``_conv_backward.py``), whose own backward is written with these convolutions: a double backward.

``_conv2d_relu`` is relu(conv2d(...)) as one fused kernel in inference (``ConvReLU2d``).

>>> import ember, ember.nn.functional as F
>>> F.conv2d(ember.ones(1, 3, 5, 5), ember.ones(2, 3, 3, 3), padding=1).shape
ember.Size([1, 2, 5, 5])
"""
from __future__ import annotations

import math

import numpy as np

from ..._autocast import AUTOCAST, autocast_policy
from ...autograd.function import Op, records
from ...backends import kernels
from ...ops._common import in_float32, is_low_precision
from ...tensor import Tensor, wrap
from ._conv_backward import ConvBackward

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
           "unfold", "fold"]


def _tuple(v, n: int) -> tuple:
    if isinstance(v, (list, tuple)):
        if len(v) == 1 and n > 1:
            return tuple(int(v[0]) for _ in range(n))
        return tuple(int(a) for a in v)
    return (int(v),) * n


def _sizes(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


class Convolution(Op):
    """N-d convolution (torch's node: ConvolutionBackward0): the raw forward and backward passes are the kernel
    switch's (``kernels.conv_forward``/``conv_backward``: oneDNN, Winograd, im2col + GEMM or a direct
    convolution, chosen per call); the op keeps the kernel's state and its inputs (version-checked, as torch)."""

    @staticmethod
    def forward(ctx, x, w, b, stride, pads, dilation, groups):
        record = ctx.next is not None
        need = ctx.needs_input_grad
        y, state = kernels.conv_forward(x._data, w._data, None if b is None else b._data, stride, pads, dilation,
                                        groups, (need[0], need[1]) if record else None)
        if record:  # the double backward reads x and w too
            ctx.save_for_backward(x, w)
            ctx.xw, ctx.conv_args, ctx.conv = (x, w), (stride, pads, dilation, groups), state
        return y

    @staticmethod
    def backward(ctx, g):
        return ConvBackward.run(ctx, g, ctx.needs_input_grad)

    @staticmethod
    def raw_backward(ctx, g):
        ctx.saved_tensors  # raises torch's error if x or w was modified in place since forward
        need = ctx.needs_input_grad
        return tuple(None if a is None else wrap(a) for a in kernels.conv_backward(ctx.conv, g._data, need[:3]))


class ConvolutionTranspose(Op):
    """N-d transposed convolution, the adjoint of convolution in x (torch's node: ConvolutionBackward0); raw
    passes from ``kernels.conv_transpose_forward``/``conv_backward``."""

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, stride, padding, output_padding, dilation, groups):
        record = ctx.next is not None
        need = ctx.needs_input_grad
        y, state = kernels.conv_transpose_forward(x._data, w._data, None if b is None else b._data, stride, padding,
                                                  output_padding, dilation, groups,
                                                  (need[0], need[1]) if record else None)
        if record:
            ctx.save_for_backward(x, w)
            ctx.xw, ctx.conv_args, ctx.conv = (x, w), (stride, padding, output_padding, dilation, groups), state
        return y

    backward = staticmethod(Convolution.backward)
    raw_backward = staticmethod(Convolution.raw_backward)


# ---------------------------------------------------------------- argument checks and padding
def _check_input(name: str, input: Tensor, weight: Tensor, nd: int) -> bool:
    """Validate ranks; return True when the input is unbatched (C, *S)."""
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
                           f"input of size: {_sizes(input.shape)}")
    if weight.ndim != nd + 2:
        raise RuntimeError(f"weight should have at least three dimensions" if weight.ndim < 3 else
                           f"Expected {nd + 2}-dimensional weight for {nd + 2}-dimensional input "
                           f"{_sizes(input.shape)}, but got {weight.ndim}-dimensional weight of size "
                           f"{_sizes(weight.shape)} instead")
    if input.dtype != weight.dtype:
        raise RuntimeError(f"Input type ({input.dtype}) and weight type ({weight.dtype}) should be the same")
    if 0 in input.shape[-nd:] and 0 not in input.shape[:-nd]:  # torch: empty only through batch or channels
        raise RuntimeError(f"Only zero batch or zero channel inputs are supported, but got input shape: "
                           f"{list(input.shape)}")
    return input.ndim == nd + 1


def _empty_result(shape: tuple, x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """Zeros of ``shape`` joined to the graph so that x, weight and bias get zero gradients (torch's path for
    empty inputs)."""
    y = x.new_zeros(shape)
    for t in (x, weight, bias):
        y = y if t is None else y + t.sum() * 0
    return y


def _check_out_channels(groups: int, weight: Tensor) -> None:
    if weight.shape[0] == 0:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least 1 at dimension 0, but got weight "
                           f"of size {_sizes(weight.shape)} instead")


def _conv_pads(padding, ksize: tuple, stride: tuple, dilation: tuple, nd: int) -> tuple:
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * nd
        if padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [d * (k - 1) for d, k in zip(dilation, ksize)]
            return tuple((t // 2, t - t // 2) for t in total)
        raise RuntimeError(f"Invalid padding string: '{padding}'")
    return tuple((p, p) for p in _tuple(padding, nd))


def _convnd(name: str, nd: int, input, weight, bias, stride, padding, dilation, groups, relu: bool = False) -> Tensor:
    unbatched = _check_input(name, input, weight, nd)
    x = input.unsqueeze(0) if unbatched else input
    stride, dilation = _tuple(stride, nd), _tuple(dilation, nd)
    ksize = tuple(weight.shape[2:])
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    cin = x.shape[1]
    if weight.shape[1] * groups != cin:
        raise RuntimeError(f"Given groups={groups}, weight of size {_sizes(weight.shape)}, expected input"
                           f"{_sizes(x.shape)} to have {weight.shape[1] * groups} channels, but got {cin} "
                           f"channels instead")
    _check_out_channels(groups, weight)
    if weight.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size {_sizes(weight.shape)} instead")
    pads = _conv_pads(padding, ksize, stride, dilation, nd)
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pads))
    eff = tuple(d * (k - 1) + 1 for d, k in zip(dilation, ksize))
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel "
                           f"size: ({' x '.join(map(str, eff))}). Kernel size can't be greater than actual input "
                           f"size")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != weight.shape[0]):
        raise RuntimeError(f"Given weight of size {_sizes(weight.shape)}, expected bias to be 1-dimensional with "
                           f"{weight.shape[0]} elements, but got bias of size {_sizes(bias.shape)} instead")
    if x.numel() == 0:  # torch's empty-input path: zero gradients; no input channels give no output channels
        out = tuple((p - e) // s + 1 for p, e, s in zip(padded, eff, stride))
        y = _empty_result((x.shape[0], weight.shape[0] if cin else 0) + out, x, weight, bias)
    elif relu:  # inference only (see _conv2d_relu)
        y = wrap(kernels.conv2d_relu(x._data, weight._data, None if bias is None else bias._data, stride, pads,
                                     dilation, groups))
    elif is_low_precision(x):
        y = in_float32(Convolution.apply, x, weight, bias, stride, pads, dilation, groups)
    else:
        y = Convolution.apply(x, weight, bias, stride, pads, dilation, groups)
    return y.squeeze(0) if unbatched else y


@autocast_policy("lower")
def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """1-d convolution: x (N, C_in, L) or (C_in, L), W (C_out, C_in/groups, k) -> (N, C_out, L_out)."""
    return _convnd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


@autocast_policy("lower")
def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """2-d convolution: x (N, C_in, H, W) or (C_in, H, W), W (C_out, C_in/groups, kH, kW) -> (N, C_out, H', W')."""
    return _convnd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


@autocast_policy("lower")
def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """3-d convolution: x (N, C_in, D, H, W), W (C_out, C_in/groups, kD, kH, kW)."""
    return _convnd("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def _conv2d_relu(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
                 groups: int = 1) -> Tensor:
    """relu(conv2d(input, weight, bias, ...)) (``ConvReLU2d``'s forward). In inference (nothing recorded, no
    autocast) on a batched float32/float64 input, one fused kernel (``kernels.conv2d_relu``: oneDNN's convolution
    with the ReLU as its post-op, so the output is written once); else the two ops. NaN stays NaN, as torch's."""
    if AUTOCAST.active or records(input, weight, bias) or input.ndim != 4 or input.numel() == 0 or \
            input._data.dtype.kind != "f" or is_low_precision(input):
        return conv2d(input, weight, bias, stride, padding, dilation, groups).relu()
    return _convnd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups, relu=True)


def _conv_transposend(name: str, nd: int, input, weight, bias, stride, padding, output_padding, groups,
                      dilation) -> Tensor:
    unbatched = _check_input(name, input, weight, nd)
    x = input.unsqueeze(0) if unbatched else input
    stride, padding = _tuple(stride, nd), _tuple(padding, nd)
    output_padding, dilation = _tuple(output_padding, nd), _tuple(dilation, nd)
    if x.shape[1] != weight.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {_sizes(weight.shape)}, expected input"
                           f"{_sizes(x.shape)} to have {weight.shape[0]} channels, but got {x.shape[1]} "
                           f"channels instead")
    for op, s, d in zip(output_padding, stride, dilation):
        if op >= s and op >= d:
            raise RuntimeError("output padding must be smaller than either stride or dilation, but got "
                               f"output_padding: {output_padding}, stride: {stride}, dilation: {dilation}")
    _check_out_channels(groups, weight)
    if weight.shape[1] == 0 and x.numel():
        raise RuntimeError(f"{name}: a weight of size {_sizes(weight.shape)} gives no output channels (torch's "
                           f"oneDNN deconvolution rejects it too)")
    ksize = tuple(weight.shape[2:])
    lout = tuple((i - 1) * s - 2 * p + d * (k - 1) + o + 1
                 for i, s, p, d, k, o in zip(x.shape[2:], stride, padding, dilation, ksize, output_padding))
    # torch: an output size of 0 is an error except for an empty input and on its oneDNN path (float32, a batch of
    # more than one), which returns an empty output; a negative size is always an error
    empty_ok = x.numel() == 0 or (x._data.dtype == np.float32 and not unbatched and x.shape[0] > 1)
    if any(v < 0 for v in lout) or (any(v == 0 for v in lout) and not empty_ok):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, x.shape[2:]))}). Calculated output "
                           f"size per channel: ({' x '.join(map(str, lout))}). Output size is too small")
    args = (x, weight, bias, stride, padding, output_padding, dilation, groups)
    if x.numel() == 0 or 0 in lout:
        y = _empty_result((x.shape[0], weight.shape[1] * groups) + lout, x, weight, bias)
        return y.squeeze(0) if unbatched else y
    y = in_float32(ConvolutionTranspose.apply, *args) if is_low_precision(x) else ConvolutionTranspose.apply(*args)
    return y.squeeze(0) if unbatched else y


@autocast_policy("lower")
def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """1-d transposed convolution: x (N, C_in, L), W (C_in, C_out/groups, k)."""
    return _conv_transposend("conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding, groups,
                             dilation)


@autocast_policy("lower")
def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """2-d transposed convolution: x (N, C_in, H, W), W (C_in, C_out/groups, kH, kW)."""
    return _conv_transposend("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding, groups,
                             dilation)


@autocast_policy("lower")
def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """3-d transposed convolution: x (N, C_in, D, H, W), W (C_in, C_out/groups, kD, kH, kW)."""
    return _conv_transposend("conv_transpose3d", 3, input, weight, bias, stride, padding, output_padding, groups,
                             dilation)


# ---------------------------------------------------------------- unfold / fold (im2col as a layer)
class Im2Col(Op):
    """(N, C, H, W) -> (N, C*kH*kW, L): every sliding block as a column, channel-major (torch's order)."""

    @staticmethod
    def forward(ctx, x, ksize, dilation, padding, stride):
        xd = x._data
        n, c = xd.shape[:2]
        xp = np.pad(np.moveaxis(xd, 1, -1), ((0, 0),) + tuple((p, p) for p in padding) + ((0, 0),))
        out = tuple((sp - d * (k - 1) - 1) // s + 1 for sp, k, s, d in zip(xp.shape[1:-1], ksize, stride, dilation))
        cols = kernels.im2col(xp, out, ksize, stride, dilation, 1)[0]  # (N*L, K*C), channels innermost
        cols = cols.reshape(n, -1, math.prod(ksize), c).transpose(0, 3, 2, 1)
        ctx.geom = (xd.shape, xp.shape[1:-1], out, ksize, stride, dilation, padding)
        return np.ascontiguousarray(cols).reshape(n, c * math.prod(ksize), -1)

    @staticmethod
    def backward(ctx, g):  # the adjoint, fold (Col2Im), whose own backward is this op: a double backward
        xshape, spatial, out, ksize, stride, dilation, padding = ctx.geom
        return Col2Im.apply(g, xshape[2:], ksize, dilation, padding, stride)


def _col2im_nchw(cols, nc, spatial, out, ksize, stride, dilation, padding, size):
    n, c = nc
    kprod = math.prod(ksize)
    rows = cols.reshape(n, c, kprod, -1).transpose(0, 3, 2, 1).reshape(1, -1, kprod * c)
    dxp = kernels.col2im(rows, spatial, out, ksize, stride, dilation, 1)
    crop = (slice(None),) + tuple(slice(p, p + s) for p, s in zip(padding, size)) + (slice(None),)
    return np.ascontiguousarray(np.moveaxis(dxp[crop], -1, 1))


class Col2Im(Op):
    """(N, C*kH*kW, L) -> (N, C, H, W): the adjoint of Im2Col (overlapping blocks are summed)."""

    @staticmethod
    def forward(ctx, x, size, ksize, dilation, padding, stride):
        xd = x._data
        n, ck = xd.shape[:2]
        c = ck // math.prod(ksize)
        spatial = tuple(s + 2 * p for s, p in zip(size, padding))
        out = tuple((sp - d * (k - 1) - 1) // s + 1 for sp, k, s, d in zip(spatial, ksize, stride, dilation))
        ctx.geom = (out, ksize, stride, dilation, padding)
        return _col2im_nchw(xd, (n, c), spatial, out, ksize, stride, dilation, padding, size)

    @staticmethod
    def backward(ctx, g):
        out, ksize, stride, dilation, padding = ctx.geom
        return Im2Col.apply(g, ksize, dilation, padding, stride)


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Extract sliding local blocks: (N, C, H, W) -> (N, C * prod(kernel_size), L), L = number of blocks."""
    if input.ndim not in (3, 4):
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported (got {input.ndim}D)")
    unbatched = input.ndim == 3
    x = input.unsqueeze(0) if unbatched else input
    y = Im2Col.apply(x, _tuple(kernel_size, 2), _tuple(dilation, 2), _tuple(padding, 2), _tuple(stride, 2))
    return y.squeeze(0) if unbatched else y


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sum sliding local blocks into a tensor: (N, C * prod(kernel_size), L) -> (N, C, *output_size)."""
    if input.ndim not in (2, 3):
        raise NotImplementedError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported "
                                  f"(got {input.ndim}D)")
    unbatched = input.ndim == 2
    x = input.unsqueeze(0) if unbatched else input
    ksize, dilation, padding, stride = (_tuple(kernel_size, 2), _tuple(dilation, 2), _tuple(padding, 2),
                                        _tuple(stride, 2))
    size = _tuple(output_size, 2)
    kprod = math.prod(ksize)
    if x.shape[1] % kprod:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
                           f"but got input.size(1)={x.shape[1]} and kernel_size={ksize}")
    blocks = math.prod((s + 2 * p - d * (k - 1) - 1) // st + 1
                       for s, p, d, k, st in zip(size, padding, dilation, ksize, stride))
    if x.shape[2] != blocks:
        raise RuntimeError(f"Given output_size={size}, kernel_size={ksize}, dilation={dilation}, padding={padding}, "
                           f"stride={stride}, expected size of input's dimension 2 to match the calculated number "
                           f"of sliding blocks {blocks}, but got input.size(2)={x.shape[2]}.")
    y = Col2Im.apply(x, size, ksize, dilation, padding, stride)
    return y.squeeze(0) if unbatched else y
