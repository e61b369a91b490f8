"""Convolutions: ``conv1d/2d/3d``, ``conv_transpose1d/2d/3d``, ``unfold`` and ``fold``.

conv: y[n, o, p] = b[o] + sum_{c in group(o), k} W[o, c, k] * x_pad[n, c, p * s + k * d]
(cross-correlation, as torch). Output length per spatial dim:
    L_out = floor((L + 2 p - d (k - 1) - 1) / s) + 1
conv_transpose is the adjoint of conv in x (its backward-data pass):
    L_out = (L - 1) s - 2 p + d (k - 1) + output_padding + 1

Kernels: 3x3 stride-1 convolutions with enough tiles use Winograd F(2x2, 3x3) (``_winograd``: 16 GEMMs
with 2.25x fewer flops). Other 2-d ones use im2col (rows of windows, channels innermost) and one GEMM each
for y, dW and the column gradient; col2im sums columns back (see ``ember.backends``). The weight's
(c, kh, kw) order differs from the columns' (kh, kw, c): the smaller of the two is permuted (the weight
for large batches, the columns when there are fewer rows than output channels, as at batch 1). Ones with few taps and output channels (LeNet's) are a direct convolution. 1-d, 3-d
and grouped ones use channels-last im2col. Gradients: dx = col2im(g W), dW = g^T cols, db = sum of g over
batch and space. Computed on raw arrays (a fused op for speed) inside the backward op ``ConvBackward``
(``_conv_backward.py``), whose own backward is written with these convolutions: a double backward.

>>> import ember, ember.nn.functional as F
>>> F.conv2d(ember.ones(1, 3, 5, 5), ember.ones(2, 3, 3, 3), padding=1).shape
ember.Size([1, 2, 5, 5])
"""
from __future__ import annotations

import math
import threading

import numpy as np

from ..._autocast import autocast_policy
from ...autograd.function import SECOND_BACKWARD, Op
from ...backends import kernels
from ...ops._common import in_float32, is_low_precision
from ...tensor import Tensor, wrap
from . import _conv_library, _winograd
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


def _is_channels_last(d: np.ndarray) -> bool:
    """NHWC (or NDHWC) storage seen through NCHW strides, as ``memory_format=channels_last`` makes."""
    return d.ndim >= 4 and not d.flags.c_contiguous and np.moveaxis(d, 1, -1).flags.c_contiguous


def _to_layout(ycl: np.ndarray, channels_last: bool) -> np.ndarray:
    """(N, *S, C) -> NC* view; a contiguous NCHW copy unless the input was channels-last (as torch)."""
    y = np.moveaxis(ycl, -1, 1)
    return y if channels_last else np.ascontiguousarray(y)


def _pad_cl(xcl: np.ndarray, pads: tuple) -> np.ndarray:
    if not any(lo or hi for lo, hi in pads):
        return xcl
    return np.pad(xcl, ((0, 0),) + tuple(pads) + ((0, 0),))


def _grouped(a2: np.ndarray, groups: int) -> np.ndarray:
    """(rows, G*c) -> (G, rows, c)."""
    if groups == 1:
        return a2[None]
    rows, width = a2.shape
    return np.ascontiguousarray(a2.reshape(rows, groups, width // groups).transpose(1, 0, 2))


def _ungrouped(a3: np.ndarray) -> np.ndarray:
    """(G, rows, c) -> (rows, G*c)."""
    g, rows, c = a3.shape
    return a3[0] if g == 1 else a3.transpose(1, 0, 2).reshape(rows, g * c)


_SAVE_COLS_BYTES = 96 << 20  # larger column matrices are recomputed in backward, not kept (peak memory)
_tls = threading.local()


def _scratch(shape: tuple, dtype) -> np.ndarray:
    """A per-thread reusable buffer for column matrices that never outlive one forward or backward
    (a fresh 150 MB buffer costs ~7 ms of page faults each time)."""
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    buf = getattr(_tls, "buf", None)
    if buf is None or buf.nbytes < nbytes:
        buf = _tls.buf = np.empty(max(nbytes, 1), dtype=np.uint8)
    return buf[:nbytes].view(dtype).reshape(shape)


def _empty_like_layout(shape: tuple, dtype, channels_last: bool) -> np.ndarray:
    """An (N, C, H, W) array: contiguous NCHW, or NHWC storage under NCHW strides."""
    if not channels_last:
        return np.empty(shape, dtype=dtype)
    n, c, h, w = shape
    return np.empty((n, h, w, c), dtype=dtype).transpose(0, 3, 1, 2)


class Convolution(Op):
    """N-d convolution as im2col + GEMM (torch's node: ConvolutionBackward0).

    2-d ungrouped convolution takes a fast path: the kernel reads the input in its own layout (padding
    handled inside, no padded copy), the columns go to a reused scratch buffer (large ones are
    recomputed in backward instead of kept), and y, dW and the column gradient are one 2-D GEMM each.
    """

    @staticmethod
    def forward(ctx, x, w, b, stride, pads, dilation, groups):
        xd, wd = x._data, w._data
        if ctx.next is not None:  # the double backward reads them (no version check: backward does not)
            ctx.xw, ctx.conv_args = (x, w), (stride, pads, dilation, groups)
        plan = kernels.conv_plan(xd, wd, stride, pads, dilation, groups, b is not None, ctx.next is not None)
        if plan is not None:  # a library's convolution (oneDNN)
            return _conv_library.conv_forward(ctx, plan, x, w, b)
        if xd.ndim == 4 and groups == 1 and xd.dtype.kind == "f":
            y = _conv2d_forward(ctx, xd, wd, b, stride, pads, dilation)
            if getattr(ctx, "wd", None) is not None or getattr(ctx, "w", None) is not None:
                ctx.save_for_backward(w)  # backward reads the weight itself: check its version, as torch
            return y
        nd = xd.ndim - 2
        ksize = wd.shape[2:]
        cout = wd.shape[0]
        cl = _is_channels_last(xd)
        xp = _pad_cl(np.moveaxis(xd, 1, -1), pads)
        out = tuple((sp - dl * (k - 1) - 1) // s + 1 for sp, k, s, dl in zip(xp.shape[1:-1], ksize, stride, dilation))
        cols = kernels.im2col(xp, out, ksize, stride, dilation, groups)
        # W (Cout, Cg, *K) -> (G, Cout/G, K*Cg): the row order of im2col (channels innermost)
        wm = np.moveaxis(wd, 1, -1).reshape(groups, cout // groups, -1)
        y = _ungrouped(np.matmul(cols, wm.transpose(0, 2, 1)))
        if b is not None:
            y += b._data
        if ctx.next is not None:
            need = ctx.needs_input_grad
            ctx.cols = cols if need[1] else None
            ctx.wm = wm if need[0] else None
            ctx.geom = (xd.shape, xp.shape[1:-1], out, ksize, stride, pads, dilation, groups, cl)
        return _to_layout(y.reshape(xd.shape[0], *out, cout), cl)

    @staticmethod
    def backward(ctx, g):
        return ConvBackward.run(ctx, g, ctx.needs_input_grad)

    @staticmethod
    def raw_backward(ctx, g):
        fast = getattr(ctx, "fast", False)
        if fast == "library":
            return _conv_library.conv_backward(ctx, g._data)
        if fast == "winograd":
            return tuple(None if a is None else wrap(a) for a in _winograd.backward(ctx, g._data, ctx.needs_input_grad))
        if fast:
            ctx.saved_tensors  # raises torch's error if a weight that backward reads was modified in place
            return _conv2d_backward(ctx, g._data)
        xshape, spatial, out, ksize, stride, pads, dilation, groups, cl = ctx.geom
        need = ctx.needs_input_grad
        gd = g._data
        cout = gd.shape[1]
        g2 = np.moveaxis(gd, 1, -1).reshape(-1, cout)  # (N*O, Cout)
        gg = _grouped(g2, groups)
        gx = gw = gb = None
        if need[0]:
            dcols = np.matmul(gg, ctx.wm)
            dxp = kernels.col2im(dcols, spatial, out, ksize, stride, dilation, groups)
            crop = (slice(None),) + tuple(slice(lo, lo + n) for (lo, _), n in zip(pads, xshape[2:])) + (slice(None),)
            gx = wrap(_to_layout(dxp[crop], cl))
        if need[1]:
            dw = np.matmul(gg.transpose(0, 2, 1), ctx.cols)  # (G, Cout/G, K*Cg)
            dw = dw.reshape(cout, *ksize, -1)
            gw = wrap(np.ascontiguousarray(np.moveaxis(dw, -1, 1)))
        if len(need) > 2 and need[2]:
            gb = wrap(g2.sum(0))
        return gx, gw, gb


def _weight_rows(wd: np.ndarray) -> np.ndarray:
    """W (Cout, Cin, kh, kw) -> (Cout, kh*kw*Cin): the column order of im2col (channels innermost)."""
    return np.moveaxis(wd, 1, -1).reshape(wd.shape[0], -1)


def _cmajor(cols: np.ndarray, cin: int) -> np.ndarray:
    """im2col rows (R, kh*kw*Cin) -> (R, Cin*kh*kw), the weight's order (a copy of the columns)."""
    r = cols.shape[0]
    return cols.reshape(r, -1, cin).transpose(0, 2, 1).reshape(r, -1)


def _conv2d_forward(ctx, xd, wd, b, stride, pads, dilation):
    n, cin, h, w = xd.shape
    cout, _, kh, kw = wd.shape
    ksize = (kh, kw)
    out = tuple((sz + lo + hi - dl * (k - 1) - 1) // s + 1
                for sz, (lo, hi), k, s, dl in zip((h, w), pads, ksize, stride, dilation))
    cl = _is_channels_last(xd)
    rows, width = n * out[0] * out[1], kh * kw * cin
    record = ctx.next is not None
    need = ctx.needs_input_grad if record else (False, False)
    if _winograd.usable(xd, wd, stride, dilation, out):
        return _winograd.forward(ctx, xd, wd, b, pads, out, cl, record, need)
    if width <= kernels.DIRECT_MAX_TAPS and cout <= 16 and stride == (1, 1) and dilation == (1, 1) and not cl:
        # few taps and output channels (LeNet's 1->6): a direct convolution beats im2col + a skinny GEMM
        xp = np.pad(xd, ((0, 0), (0, 0)) + tuple(pads)) if any(lo or hi for lo, hi in pads) else \
            np.ascontiguousarray(xd)
        y = kernels.conv2d_direct(xp, np.ascontiguousarray(wd), b._data if b is not None else None,
                                  np.empty((n, cout) + out, dtype=xd.dtype))
        if record:
            ctx.fast = True
            ctx.xd = xp if need[1] else None
            ctx.w = wd if need[0] else None
            ctx.geom = (xd.shape, out, ksize, stride, pads, dilation, cl, xd.dtype, xp.shape)
        return y
    keep = record and need[1] and rows * width * xd.itemsize <= _SAVE_COLS_BYTES
    cols = np.empty((rows, width), dtype=xd.dtype) if keep else _scratch((rows, width), xd.dtype)
    kernels.conv2d_cols(xd, pads, out, ksize, stride, dilation, cols)
    few = rows < cout  # permute the columns (rows x width) rather than the weight (cout x width)
    bias = b._data if b is not None else None
    if few:
        # W (Cout, Cin*K) @ cols^T: for few rows OpenBLAS is ~1.7x faster this way round, and the result
        # (Cout, N*OH*OW) is NCHW per sample already
        wm = None
        yt = (wd.reshape(cout, width) @ _cmajor(cols, cin).T).reshape(cout, n, -1)
        y = _empty_like_layout((n, cout) + out, xd.dtype, cl)
        y3 = y.reshape(n, cout, -1) if not cl else y.transpose(0, 2, 3, 1).reshape(n, -1, cout).transpose(0, 2, 1)
        if bias is None:
            y3[...] = yt.transpose(1, 0, 2)
        else:
            np.add(yt.transpose(1, 0, 2), bias[:, None], out=y3)
    else:
        wm = _weight_rows(wd)
        y2 = cols @ wm.T  # (N*OH*OW, Cout)
        if cl:  # y2 is already NHWC storage
            if bias is not None:
                y2 += bias
            y = y2.reshape(n, out[0], out[1], cout).transpose(0, 3, 1, 2)
        else:
            y = kernels.rows_to_nchw(y2, bias, np.empty((n, cout) + out, dtype=y2.dtype))
    if record:
        ctx.fast = True
        ctx.cols = cols if keep else None
        ctx.xd = xd if need[1] and not keep else None
        ctx.wm = wm if need[0] else None
        ctx.wd = wd if need[0] and few else None
        ctx.geom = (xd.shape, out, ksize, stride, pads, dilation, cl, xd.dtype, None)
    return y


def _conv2d_backward(ctx, gd):
    xshape, out, ksize, stride, pads, dilation, cl, dtype, direct = ctx.geom
    need = ctx.needs_input_grad
    n, cin = xshape[:2]
    cout = gd.shape[1]
    rows, width = n * out[0] * out[1], ksize[0] * ksize[1] * cin
    if direct:  # the padded input's shape
        if need[1] and ctx.xd is None:
            raise RuntimeError(SECOND_BACKWARD)
        gd = np.ascontiguousarray(gd)
        gw = wrap(kernels.conv2d_direct_dw(ctx.xd, gd, ksize)) if need[1] else None
        ctx.free("xd")
        gx = None
        if need[0]:
            dxp = kernels.conv2d_direct_dx(gd, np.ascontiguousarray(ctx.w), direct)
            (t, _), (l, _) = pads
            gx = wrap(np.ascontiguousarray(dxp[:, :, t:t + xshape[2], l:l + xshape[3]]))
        gb = wrap(gd.sum((0, 2, 3))) if len(need) > 2 and need[2] else None
        return gx, gw, gb
    if _is_channels_last(gd):
        g2 = np.moveaxis(gd, 1, -1).reshape(rows, cout)
    else:
        g2 = kernels.nchw_to_rows(gd, np.empty((rows, cout), dtype=gd.dtype))
    gx = gw = gb = None
    if need[1]:
        cols = ctx.cols
        if cols is None and ctx.xd is None:
            raise RuntimeError(SECOND_BACKWARD)
        if cols is None:
            cols = kernels.conv2d_cols(ctx.xd, pads, out, ksize, stride, dilation, _scratch((rows, width), dtype))
        if rows < cout:
            gw = wrap(np.ascontiguousarray(g2.T @ _cmajor(cols, cin)).reshape(cout, cin, *ksize))
        else:
            # (Cout, K*Cin). Narrow columns (LeNet's 6->16: 150 wide, 16 out): OpenBLAS is ~1.6x faster on
            # cols^T g2 than on g2^T cols; for wide ones or many rows (ResNet) the other way round.
            dw = (cols.T @ g2).T if width <= 256 and cout <= 64 and rows <= 16384 else g2.T @ cols
            gw = wrap(np.ascontiguousarray(np.moveaxis(dw.reshape(cout, *ksize, cin), -1, 1)))
        ctx.free("cols", "xd")
    if need[0]:
        if getattr(ctx, "wd", None) is not None:  # few rows: channel-major column grads, permuted back
            dcm = g2 @ ctx.wd.reshape(cout, width)
            dcols = np.ascontiguousarray(dcm.reshape(rows, cin, -1).transpose(0, 2, 1)).reshape(rows, width)
        else:
            dcols = np.matmul(g2, ctx.wm, out=_scratch((rows, width), g2.dtype))
        dx = _empty_like_layout(xshape, gd.dtype, cl)
        gx = wrap(kernels.conv2d_col2im(dcols, pads, out, ksize, stride, dilation, dx))
    if len(need) > 2 and need[2]:
        gb = wrap(g2.sum(0))
    return gx, gw, gb


class ConvolutionTranspose(Op):
    """N-d transposed convolution: GEMM then col2im (the conv's backward-data pass); backward is
    im2col + GEMM (torch's node: ConvolutionBackward0)."""

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, stride, padding, output_padding, dilation, groups):
        xd, wd = x._data, w._data
        if ctx.next is not None:
            ctx.xw, ctx.conv_args = (x, w), (stride, padding, output_padding, dilation, groups)
        nd = xd.ndim - 2
        n, cin = xd.shape[:2]
        insz = xd.shape[2:]
        ksize = wd.shape[2:]
        coutg = wd.shape[1]
        lout = tuple((i - 1) * s - 2 * p + dl * (k - 1) + op + 1
                     for i, s, p, dl, k, op in zip(insz, stride, padding, dilation, ksize, output_padding))
        plan = kernels.conv_transpose_plan(xd, wd, (n, coutg * groups) + lout, stride, padding, dilation, groups)
        if plan is not None:  # a library's convolution (oneDNN)
            return _conv_library.conv_transpose_forward(ctx, plan, x, w, b)
        cl = _is_channels_last(xd)
        xg = _grouped(np.moveaxis(xd, 1, -1).reshape(-1, cin), groups)  # (G, N*I, Cin/G)
        # W (Cin, Cout/G, *K) -> (G, Cin/G, K*Cout/G)
        wt = np.moveaxis(wd, 1, -1).reshape(groups, cin // groups, -1)
        cols = np.matmul(xg, wt)
        canvas = tuple(max((i - 1) * s + dl * (k - 1) + 1, p + lo)
                       for i, s, dl, k, p, lo in zip(insz, stride, dilation, ksize, padding, lout))
        full = kernels.col2im(cols, canvas, insz, ksize, stride, dilation, groups)
        crop = (slice(None),) + tuple(slice(p, p + lo) for p, lo in zip(padding, lout)) + (slice(None),)
        y = full[crop]
        if b is not None:
            y = y + b._data
        if ctx.next is not None:
            need = ctx.needs_input_grad
            ctx.xg = xg if need[1] else None
            ctx.wt = wt
            ctx.geom = (xd.shape, canvas, insz, lout, ksize, stride, padding, dilation, groups, cl)
        return _to_layout(y, cl)

    @staticmethod
    def backward(ctx, g):
        return ConvBackward.run(ctx, g, ctx.needs_input_grad)

    @staticmethod
    def raw_backward(ctx, g):
        if getattr(ctx, "plan", None) is not None:
            return _conv_library.conv_transpose_backward(ctx, g._data)
        xshape, canvas, insz, lout, ksize, stride, padding, dilation, groups, cl = ctx.geom
        need = ctx.needs_input_grad
        gd = g._data
        gcl = np.moveaxis(gd, 1, -1)
        gp = np.zeros((gd.shape[0], *canvas, gd.shape[1]), dtype=gd.dtype)
        gp[(slice(None),) + tuple(slice(p, p + lo) for p, lo in zip(padding, lout))] = gcl
        dcols = kernels.im2col(gp, insz, ksize, stride, dilation, groups)  # (G, N*I, K*Cout/G)
        gx = gw = gb = None
        if need[0]:
            dx = _ungrouped(np.matmul(dcols, ctx.wt.transpose(0, 2, 1)))
            gx = wrap(_to_layout(dx.reshape(xshape[0], *insz, xshape[1]), cl))
        if need[1]:
            dw = np.matmul(ctx.xg.transpose(0, 2, 1), dcols)  # (G, Cin/G, K*Cout/G)
            dw = dw.reshape(xshape[1], *ksize, -1)
            gw = wrap(np.ascontiguousarray(np.moveaxis(dw, -1, 1)))
        if len(need) > 2 and need[2]:
            gb = wrap(gcl.sum(axis=tuple(range(gcl.ndim - 1))))
        return gx, gw, gb


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
                raise ValueError("padding='same' is not supported for strided convolutions")
            total = [d * (k - 1) for d, k in zip(dilation, ksize)]
            return tuple((t // 2, t - t // 2) for t in total)
        raise ValueError(f"Invalid padding string '{padding}', should be one of {{'valid', 'same'}}")
    return tuple((p, p) for p in _tuple(padding, nd))


def _convnd(name: str, nd: int, input, weight, bias, stride, padding, dilation, groups) -> Tensor:
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
        xp = _pad_cl(np.moveaxis(xd, 1, -1), tuple((p, p) for p in padding))
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
