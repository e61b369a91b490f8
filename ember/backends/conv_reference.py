"""Convolution by im2col + GEMM on raw arrays: the NumPy reference that every other convolution kernel
(``conv_nchw``, ``conv_winograd``, oneDNN's) must agree with. N-d, groups, stride, padding, dilation, any
float dtype, NCHW or channels-last input; transposed convolution too.

conv: y[n, o, p] = b[o] + sum_{c in group(o), k} W[o, c, k] * x_pad[n, c, p * s + k * d]
    cols = im2col(x_pad) (rows of windows, channels innermost), y = cols @ W^T (one GEMM per group)
    dW = g^T cols,  dx = col2im(g W),  db = sum of g over batch and space
conv_transpose is conv's backward-data pass (col2im of x W); its gradients are conv's forward (dx = im2col(g) W^T)
and backward-weights (dW = x^T im2col(g)).

Each ``forward`` returns ``(y, state)``: ``state`` (None when ``keep`` is None: nothing will run backward) holds
what backward reads, and ``state.backward(g, need)`` returns ``(dx, dW, db)`` (None where ``need`` says no).
``keep = (need_x, need_w)`` says which gradients backward will be asked for. ``ks`` is the kernel set whose
im2col/col2im run (``kernels_numpy``: the reference; ``kernels_numba``: the same contract, parallel).
"""
from __future__ import annotations

import numpy as np


def is_channels_last(d: np.ndarray) -> bool:
    """NHWC (or NDHWC) storage seen through NCHW strides, as ``memory_format=channels_last`` makes."""
    return d.ndim >= 4 and not d.flags.c_contiguous and np.moveaxis(d, 1, -1).flags.c_contiguous


def empty_nchw(shape: tuple, dtype, channels_last: bool) -> np.ndarray:
    """An (N, C, *S) array: contiguous NCHW, or NHWC storage under NCHW strides."""
    if not channels_last:
        return np.empty(shape, dtype=dtype)
    return np.moveaxis(np.empty((shape[0],) + tuple(shape[2:]) + (shape[1],), dtype=dtype), -1, 1)


def out_size(spatial: tuple, pads: tuple, ksize: tuple, stride: tuple, dilation: tuple) -> tuple:
    """L_out = floor((L + lo + hi - d (k - 1) - 1) / s) + 1 per spatial dim."""
    return tuple((sz + lo + hi - dl * (k - 1) - 1) // s + 1
                 for sz, (lo, hi), k, s, dl in zip(spatial, pads, ksize, stride, dilation))


def _to_layout(ycl: np.ndarray, channels_last: bool) -> np.ndarray:
    """(N, *S, C) -> NC* view; a contiguous NCHW copy unless the input was channels-last (as torch)."""
    if channels_last:
        return np.moveaxis(np.ascontiguousarray(ycl), -1, 1)  # a no-op unless ycl is a strided view
    return np.ascontiguousarray(np.moveaxis(ycl, -1, 1))


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


def _weight_grad(dw: np.ndarray, rows: int, ksize: tuple) -> np.ndarray:
    """(G, rows/G, K*c) -> (rows, c, *K): the weight's layout from im2col's (channels innermost)."""
    return np.ascontiguousarray(np.moveaxis(dw.reshape(rows, *ksize, -1), -1, 1))


# ---------------------------------------------------------------- convolution
def forward(ks, x, w, b, stride, pads, dilation, groups: int, keep):
    """y = conv(x, w) + b (padding as (lo, hi) pairs); ``(y, state)``."""
    ksize, cout = w.shape[2:], w.shape[0]
    cl = is_channels_last(x)
    xp = _pad_cl(np.moveaxis(x, 1, -1), pads)
    out = out_size(x.shape[2:], pads, ksize, stride, dilation)
    cols = ks.im2col(xp, out, ksize, stride, dilation, groups)
    wm = np.moveaxis(w, 1, -1).reshape(groups, cout // groups, -1)  # (G, Cout/G, K*Cg): im2col's row order
    y = _ungrouped(np.matmul(cols, wm.transpose(0, 2, 1)))
    if b is not None:
        y += b
    state = None
    if keep is not None:
        state = ConvState(ks, cols if keep[1] else None, wm if keep[0] else None,
                          (x.shape, xp.shape[1:-1], out, ksize, stride, pads, dilation, groups, cl))
    return _to_layout(y.reshape(x.shape[0], *out, cout), cl), state


class ConvState:
    """What the reference convolution's backward reads: the columns (for dW) and the weight rows (for dx)."""

    __slots__ = ("ks", "cols", "wm", "geom")

    def __init__(self, ks, cols, wm, geom):
        self.ks, self.cols, self.wm, self.geom = ks, cols, wm, geom

    def backward(self, g: np.ndarray, need: tuple) -> tuple:
        xshape, spatial, out, ksize, stride, pads, dilation, groups, cl = self.geom
        cout = g.shape[1]
        g2 = np.moveaxis(g, 1, -1).reshape(-1, cout)  # (N*O, Cout)
        gg = _grouped(g2, groups)
        dx = dw = db = None
        if need[0]:
            dxp = self.ks.col2im(np.matmul(gg, self.wm), spatial, out, ksize, stride, dilation, groups)
            crop = (slice(None),) + tuple(slice(lo, lo + n) for (lo, _), n in zip(pads, xshape[2:])) + (slice(None),)
            dx = _to_layout(dxp[crop], cl)
        if need[1]:
            dw = _weight_grad(np.matmul(gg.transpose(0, 2, 1), self.cols), cout, ksize)
        if need[2]:
            db = g2.sum(0)
        return dx, dw, db


# ---------------------------------------------------------------- transposed convolution
def transpose_forward(ks, x, w, b, stride, padding, output_padding, dilation, groups: int, keep):
    """y = conv_transpose(x, w) + b: GEMM then col2im; ``(y, state)``."""
    n, cin = x.shape[:2]
    insz, ksize = x.shape[2:], w.shape[2:]
    lout = tuple((i - 1) * s - 2 * p + dl * (k - 1) + op + 1
                 for i, s, p, dl, k, op in zip(insz, stride, padding, dilation, ksize, output_padding))
    cl = is_channels_last(x)
    xg = _grouped(np.moveaxis(x, 1, -1).reshape(-1, cin), groups)  # (G, N*I, Cin/G)
    wt = np.moveaxis(w, 1, -1).reshape(groups, cin // groups, -1)  # (G, Cin/G, K*Cout/G)
    canvas = tuple(max((i - 1) * s + dl * (k - 1) + 1, p + lo)
                   for i, s, dl, k, p, lo in zip(insz, stride, dilation, ksize, padding, lout))
    full = ks.col2im(np.matmul(xg, wt), canvas, insz, ksize, stride, dilation, groups)
    y = full[(slice(None),) + tuple(slice(p, p + lo) for p, lo in zip(padding, lout)) + (slice(None),)]
    if b is not None:
        y = y + b
    state = None
    if keep is not None:
        state = TransposeState(ks, xg if keep[1] else None, wt,
                               (x.shape, canvas, insz, lout, ksize, stride, padding, dilation, groups, cl))
    return _to_layout(y, cl), state


class TransposeState:
    """What the reference transposed convolution's backward reads: the grouped input and weight."""

    __slots__ = ("ks", "xg", "wt", "geom")

    def __init__(self, ks, xg, wt, geom):
        self.ks, self.xg, self.wt, self.geom = ks, xg, wt, geom

    def backward(self, g: np.ndarray, need: tuple) -> tuple:
        xshape, canvas, insz, lout, ksize, stride, padding, dilation, groups, cl = self.geom
        gcl = np.moveaxis(g, 1, -1)
        gp = np.zeros((g.shape[0], *canvas, g.shape[1]), dtype=g.dtype)
        gp[(slice(None),) + tuple(slice(p, p + lo) for p, lo in zip(padding, lout))] = gcl
        dcols = self.ks.im2col(gp, insz, ksize, stride, dilation, groups)  # (G, N*I, K*Cout/G)
        dx = dw = db = None
        if need[0]:
            d = _ungrouped(np.matmul(dcols, self.wt.transpose(0, 2, 1)))
            dx = _to_layout(d.reshape(xshape[0], *insz, xshape[1]), cl)
        if need[1]:
            dw = _weight_grad(np.matmul(self.xg.transpose(0, 2, 1), dcols), xshape[1], ksize)
        if need[2]:
            db = gcl.sum(axis=tuple(range(gcl.ndim - 1)))
        return dx, dw, db
