"""2-d ungrouped convolution on NCHW-indexed arrays (contiguous or channels-last): im2col + one GEMM per pass,
and a direct convolution for few taps and output channels. Same contract as ``conv_reference.forward``.

im2col: the kernel reads the input in its own layout (padding handled inside, no padded copy), the columns
go to a reused per-thread scratch buffer (large ones are recomputed in backward instead of kept), and y, dW and
the column gradient are one 2-D GEMM each. The weight's (c, kh, kw) order differs from the columns'
(kh, kw, c): the smaller of the two is permuted (the weight for large batches, the columns when there are fewer
rows than output channels, as at batch 1).
direct (LeNet's 1->6, k5): one strided-slice product per tap beats im2col + a skinny GEMM.
"""
from __future__ import annotations

import math
import threading

import numpy as np

from .conv_reference import empty_nchw, is_channels_last, out_size

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


def _weight_rows(w: np.ndarray) -> np.ndarray:
    """W (Cout, Cin, kh, kw) -> (Cout, kh*kw*Cin): the column order of im2col (channels innermost)."""
    return np.moveaxis(w, 1, -1).reshape(w.shape[0], -1)


def _cmajor(cols: np.ndarray, cin: int) -> np.ndarray:
    """im2col rows (R, kh*kw*Cin) -> (R, Cin*kh*kw), the weight's order (a copy of the columns)."""
    r = cols.shape[0]
    return cols.reshape(r, -1, cin).transpose(0, 2, 1).reshape(r, -1)


# ---------------------------------------------------------------- direct
def direct_usable(ks, x, w, stride, dilation) -> bool:
    """Few taps and output channels, stride 1, no dilation, NCHW (LeNet's first layer)."""
    return (w.shape[1] * w.shape[2] * w.shape[3] <= ks.DIRECT_MAX_TAPS and w.shape[0] <= 16 and stride == (1, 1)
            and dilation == (1, 1) and not is_channels_last(x))


def forward_direct(ks, x, w, b, pads, keep):
    n, cout = x.shape[0], w.shape[0]
    out = out_size(x.shape[2:], pads, w.shape[2:], (1, 1), (1, 1))
    xp = np.pad(x, ((0, 0), (0, 0)) + tuple(pads)) if any(lo or hi for lo, hi in pads) else np.ascontiguousarray(x)
    y = ks.conv2d_direct(xp, np.ascontiguousarray(w), b, np.empty((n, cout) + out, dtype=x.dtype))
    state = None
    if keep is not None:
        state = DirectState(ks, xp if keep[1] else None, w if keep[0] else None, x.shape, w.shape[2:], pads)
    return y, state


class DirectState:
    __slots__ = ("ks", "xp", "w", "xshape", "ksize", "pads")

    def __init__(self, ks, xp, w, xshape, ksize, pads):
        self.ks, self.xp, self.w, self.xshape, self.ksize, self.pads = ks, xp, w, xshape, ksize, pads

    def backward(self, g: np.ndarray, need: tuple) -> tuple:
        g = np.ascontiguousarray(g)
        dw = self.ks.conv2d_direct_dw(self.xp, g, self.ksize) if need[1] else None
        dx = None
        if need[0]:
            xs = self.xshape
            dxp = self.ks.conv2d_direct_dx(g, np.ascontiguousarray(self.w), self.xp_shape())
            (t, _), (l, _) = self.pads
            dx = np.ascontiguousarray(dxp[:, :, t:t + xs[2], l:l + xs[3]])
        db = g.sum((0, 2, 3)) if need[2] else None
        return dx, dw, db

    def xp_shape(self) -> tuple:
        (t, bo), (l, r) = self.pads
        n, c, h, w = self.xshape
        return n, c, h + t + bo, w + l + r


# ---------------------------------------------------------------- im2col
def forward(ks, x, w, b, stride, pads, dilation, keep):
    n, cin = x.shape[:2]
    cout, _, kh, kw = w.shape
    ksize = (kh, kw)
    out = out_size(x.shape[2:], pads, ksize, stride, dilation)
    cl = is_channels_last(x)
    rows, width = n * out[0] * out[1], kh * kw * cin
    need = keep if keep is not None else (False, False)
    kept = need[1] and rows * width * x.itemsize <= _SAVE_COLS_BYTES
    cols = np.empty((rows, width), dtype=x.dtype) if kept else _scratch((rows, width), x.dtype)
    ks.conv2d_cols(x, pads, out, ksize, stride, dilation, cols)
    few = rows < cout  # permute the columns (rows x width) rather than the weight (cout x width)
    if few:
        # W (Cout, Cin*K) @ cols^T: for few rows OpenBLAS is ~1.7x faster this way round, and the result
        # (Cout, N*OH*OW) is NCHW per sample already
        wm = None
        yt = (w.reshape(cout, width) @ _cmajor(cols, cin).T).reshape(cout, n, -1)
        y = empty_nchw((n, cout) + out, x.dtype, cl)
        y3 = y.reshape(n, cout, -1) if not cl else y.transpose(0, 2, 3, 1).reshape(n, -1, cout).transpose(0, 2, 1)
        if b is None:
            y3[...] = yt.transpose(1, 0, 2)
        else:
            np.add(yt.transpose(1, 0, 2), b[:, None], out=y3)
    else:
        wm = _weight_rows(w)
        y2 = cols @ wm.T  # (N*OH*OW, Cout)
        if cl:  # y2 is already NHWC storage
            if b is not None:
                y2 += b
            y = y2.reshape(n, out[0], out[1], cout).transpose(0, 3, 1, 2)
        else:
            y = ks.rows_to_nchw(y2, b, np.empty((n, cout) + out, dtype=y2.dtype))
    state = None
    if keep is not None:
        state = Im2colState(ks, cols if kept else None, x if need[1] and not kept else None,
                            wm if need[0] else None, w if need[0] and few else None,
                            (x.shape, out, ksize, stride, pads, dilation, cl, x.dtype))
    return y, state


class Im2colState:
    """The columns (or the input, to recompute them) for dW; the weight rows (or the weight itself when the
    columns were permuted) for dx."""

    __slots__ = ("ks", "cols", "x", "wm", "w", "geom")

    def __init__(self, ks, cols, x, wm, w, geom):
        self.ks, self.cols, self.x, self.wm, self.w, self.geom = ks, cols, x, wm, w, geom

    def backward(self, g: np.ndarray, need: tuple) -> tuple:
        ks = self.ks
        xshape, out, ksize, stride, pads, dilation, cl, dtype = self.geom
        n, cin = xshape[:2]
        cout = g.shape[1]
        rows, width = n * out[0] * out[1], ksize[0] * ksize[1] * cin
        if is_channels_last(g):
            g2 = np.moveaxis(g, 1, -1).reshape(rows, cout)
        else:
            g2 = ks.nchw_to_rows(g, np.empty((rows, cout), dtype=g.dtype))
        dx = dw = db = None
        if need[1]:
            cols = self.cols
            if cols is None:
                cols = ks.conv2d_cols(self.x, pads, out, ksize, stride, dilation, _scratch((rows, width), dtype))
            if rows < cout:
                dw = np.ascontiguousarray(g2.T @ _cmajor(cols, cin)).reshape(cout, cin, *ksize)
            else:
                # (Cout, K*Cin). Narrow columns (LeNet's 6->16: 150 wide, 16 out): OpenBLAS is ~1.6x faster on
                # cols^T g2 than on g2^T cols; for wide ones or many rows (ResNet) the other way round.
                d = (cols.T @ g2).T if width <= 256 and cout <= 64 and rows <= 16384 else g2.T @ cols
                dw = np.ascontiguousarray(np.moveaxis(d.reshape(cout, *ksize, cin), -1, 1))
        if need[0]:
            if self.w is not None:  # few rows: channel-major column grads, permuted back
                dcm = g2 @ self.w.reshape(cout, width)
                dcols = np.ascontiguousarray(dcm.reshape(rows, cin, -1).transpose(0, 2, 1)).reshape(rows, width)
            else:
                dcols = np.matmul(g2, self.wm, out=_scratch((rows, width), g2.dtype))
            dx = ks.conv2d_col2im(dcols, pads, out, ksize, stride, dilation, empty_nchw(xshape, g.dtype, cl))
        if need[2]:
            db = g2.sum(0)
        return dx, dw, db
