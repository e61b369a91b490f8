"""NumPy reference kernels for convolution and pooling (the numba ones in ``kernels_numba`` must agree).

Geometry is N-d throughout: ``out``, ``ksize``, ``stride``, ``dilation`` are tuples with one entry per
spatial dim. Convolution works channels-last (``(N, *spatial, C)``) so that an im2col row is one
window with the channels innermost and one GEMM does the work; pooling works on any layout.
Never ``np.add.at`` (10-16x slower) or ``np.einsum`` here: scatters are loops over the kernel offsets
adding strided slices.
"""
from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided


def _offsets(ksize: tuple):
    """Kernel offsets in window order (row-major), the order torch scans a window in."""
    return itertools.product(*(range(k) for k in ksize))


def _window_slices(offset: tuple, out: tuple, stride: tuple, dilation: tuple) -> tuple:
    """For one kernel offset: the strided slice of every spatial dim that its window elements form."""
    return tuple(slice(k * d, k * d + s * (o - 1) + 1, s) for k, o, s, d in zip(offset, out, stride, dilation))


# ---------------------------------------------------------------- convolution (channels-last)
def im2col(xp: np.ndarray, out: tuple, ksize: tuple, stride: tuple, dilation: tuple, groups: int) -> np.ndarray:
    """Windows of a padded channels-last input ``xp (N, *Sp, C)`` as rows: ``(G, N*prod(out), prod(K)*C/G)``.

    A zero-copy ``as_strided`` window view, then one copy into GEMM order.
    """
    n, c = xp.shape[0], xp.shape[-1]
    cg = c // groups
    st = xp.strides
    sp = st[1:-1]
    view = as_strided(xp, shape=(n, *out, *ksize, groups, cg),
                      strides=(st[0], *(s * k for s, k in zip(sp, stride)), *(s * d for s, d in zip(sp, dilation)),
                               cg * st[-1], st[-1]), writeable=False)
    rows, width = n * math.prod(out), math.prod(ksize) * cg
    if groups == 1:
        return view.reshape(1, rows, width)
    nd = len(out)
    axes = (2 * nd + 1,) + tuple(range(2 * nd + 1)) + (2 * nd + 2,)
    return view.transpose(axes).reshape(groups, rows, width)


def col2im(cols: np.ndarray, spatial: tuple, out: tuple, ksize: tuple, stride: tuple, dilation: tuple,
           groups: int) -> np.ndarray:
    """The adjoint of ``im2col``: sum rows ``(G, N*prod(out), prod(K)*Cg)`` back into ``(N, *spatial, C)``."""
    g, rows, width = cols.shape
    cg = width // math.prod(ksize)
    n = rows // math.prod(out)
    nd = len(out)
    c6 = cols.reshape(g, n, *out, *ksize, cg)
    dx = np.zeros((n, *spatial, g, cg), dtype=cols.dtype)
    for k in _offsets(ksize):
        part = c6[(slice(None), slice(None)) + (slice(None),) * nd + k]  # (G, N, *out, Cg)
        part = np.moveaxis(part, 0, -2)
        dx[(slice(None),) + _window_slices(k, out, stride, dilation)] += part
    return dx.reshape(n, *spatial, g * cg)


# ---------------------------------------------------------------- pooling (layout-free: (..., *Sp))
def _spatial_index(nd: int, k: tuple, out, stride, dilation) -> tuple:
    return (Ellipsis,) + _window_slices(k, out, stride, dilation)


def _lowest(dtype: np.dtype):
    """The value a max starts from: -inf, or the smallest integer (torch's ``smallest``)."""
    return -np.inf if dtype.kind in "fc" or dtype.name == "bfloat16" else np.iinfo(dtype).min


def max_pool(xp: np.ndarray, out: tuple, ksize: tuple, stride: tuple, dilation: tuple, first=None):
    """Max over each window of ``xp (..., *Sp)`` (padded with -inf) and the window offset (in window order) of
    the maximum: ``(y, arg)``, torch's scan. A window starts at -inf with the offset ``first`` (of shape
    ``out``: the window's first element inside the input; None for 0 everywhere, no padding); an element
    replaces the maximum when it is greater or NaN. So ties keep the first maximum, a NaN wins (the last NaN of
    the window), and padding is never chosen, not even over a real -inf.

    Non-overlapping windows (stride == kernel, no dilation: the 2x2 s2 case) take the max of k*k
    strided slices and return ``arg=None``; backward then finds the arg-max with ``max_pool_argmax``.
    """
    nd = len(out)
    if tuple(stride) == tuple(ksize) and all(d == 1 for d in dilation):
        y = None
        for k in _offsets(ksize):
            s = xp[_spatial_index(nd, k, out, stride, dilation)]
            y = s.copy() if y is None else np.maximum(y, s, out=y)  # np.maximum propagates NaN
        return y, None
    return _max_scan(xp, out, ksize, stride, dilation, first)


def _max_scan(xp: np.ndarray, out: tuple, ksize: tuple, stride: tuple, dilation: tuple, first) -> tuple:
    nd = len(out)
    shape = xp.shape[:xp.ndim - nd] + tuple(out)
    y = np.full(shape, _lowest(xp.dtype), dtype=xp.dtype)
    arg = np.zeros(shape, dtype=np.int32)
    if first is not None:
        arg[...] = first
    for i, k in enumerate(_offsets(ksize)):
        s = xp[_spatial_index(nd, k, out, stride, dilation)]
        m = s > y
        m |= s != s
        np.copyto(y, s, where=m)
        arg[m] = i
    return y, arg


def max_pool_backward(g: np.ndarray, arg: np.ndarray, spatial: tuple, out: tuple, ksize: tuple, stride: tuple,
                      dilation: tuple) -> np.ndarray:
    """Scatter ``g`` to the arg-max ``arg`` of each window: ``(..., *spatial)`` (the padded input's shape)."""
    nd = len(out)
    dx = np.zeros(g.shape[:-nd] + tuple(spatial), dtype=g.dtype)
    zero = np.zeros((), dtype=g.dtype)
    for i, k in enumerate(_offsets(ksize)):  # a select: a NaN gradient reaches only its window's arg-max
        dx[_spatial_index(nd, k, out, stride, dilation)] += np.where(arg == i, g, zero)
    return dx


def window_sum(xp: np.ndarray, out: tuple, ksize: tuple, stride: tuple, dilation: tuple) -> np.ndarray:
    """Sum over each window of ``xp (..., *Sp)`` (average pooling before the division)."""
    nd = len(out)
    y = None
    for k in _offsets(ksize):
        s = xp[_spatial_index(nd, k, out, stride, dilation)]
        if y is None:
            y = s.copy()
        else:
            y += s
    return y


def window_scatter(g: np.ndarray, spatial: tuple, out: tuple, ksize: tuple, stride: tuple,
                   dilation: tuple) -> np.ndarray:
    """The adjoint of ``window_sum``: every window element receives its window's ``g``."""
    nd = len(out)
    dx = np.zeros(g.shape[:-nd] + tuple(spatial), dtype=g.dtype)
    for k in _offsets(ksize):
        dx[_spatial_index(nd, k, out, stride, dilation)] += g
    return dx


def max_pool_argmax(xp: np.ndarray, out: tuple, ksize: tuple, stride: tuple, dilation: tuple,
                    first=None) -> np.ndarray:
    """The window offset of the maximum, by ``max_pool``'s scan (for return_indices and for the backward of
    non-overlapping windows)."""
    return _max_scan(xp, out, ksize, stride, dilation, first)[1]


# ---------------------------------------------------------------- 2-D convolution on NCHW-indexed arrays
def conv2d_cols(x: np.ndarray, pads: tuple, out: tuple, ksize: tuple, stride: tuple, dilation: tuple,
                buf: np.ndarray) -> np.ndarray:
    """Windows of an NCHW-indexed ``x`` (any strides) as rows ``(N*OH*OW, KH*KW*C)`` written into ``buf``
    (zeros where a window hangs over the padding ``pads = ((top, bottom), (left, right))``)."""
    xcl = np.moveaxis(x, 1, -1)
    if any(lo or hi for lo, hi in pads):
        xcl = np.pad(xcl, ((0, 0),) + tuple(pads) + ((0, 0),))
    np.copyto(buf, im2col(xcl, out, ksize, stride, dilation, 1)[0])
    return buf


def conv2d_col2im(cols: np.ndarray, pads: tuple, out: tuple, ksize: tuple, stride: tuple, dilation: tuple,
                  dx: np.ndarray) -> np.ndarray:
    """The adjoint of ``conv2d_cols``: overwrite ``dx`` (NCHW-indexed, any strides) with the sums of rows."""
    h, w = dx.shape[2:]
    spatial = tuple(max((o - 1) * s + d * (k - 1) + 1, n + lo)
                    for o, s, d, k, n, (lo, _) in zip(out, stride, dilation, ksize, (h, w), pads))
    full = col2im(cols[None], spatial, out, ksize, stride, dilation, 1)
    (t, _), (l, _) = pads
    dx[...] = np.moveaxis(full[:, t:t + h, l:l + w], -1, 1)
    return dx


def rows_to_nchw(y2: np.ndarray, bias, out: np.ndarray) -> np.ndarray:
    """Rows ``(N*P, C)`` (+ bias) into ``out`` seen as ``(N, C, *S)`` (any strides)."""
    n, c = out.shape[:2]
    src = np.moveaxis(y2.reshape(n, *out.shape[2:], c), -1, 1)
    if bias is None:
        out[...] = src
    else:
        np.add(src, bias.reshape((c,) + (1,) * (out.ndim - 2)), out=out)
    return out


def nchw_to_rows(g: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``g (N, C, *S)`` (any strides) into rows ``out (N*P, C)``."""
    out.reshape(g.shape[0], *g.shape[2:], g.shape[1])[...] = np.moveaxis(g, 1, -1)
    return out


def conv2d_direct(xp: np.ndarray, w: np.ndarray, bias, y: np.ndarray) -> np.ndarray:
    """Direct stride-1 convolution of a padded contiguous NCHW ``xp`` into ``y (N, O, OH, OW)``
    (the reference: one strided-slice product per kernel offset and input channel)."""
    o_, c_, kh, kw = w.shape
    oh, ow = y.shape[2:]
    y[...] = 0 if bias is None else bias.reshape(1, -1, 1, 1)
    for c in range(c_):
        for a in range(kh):
            for b in range(kw):
                y += xp[:, c:c + 1, a:a + oh, b:b + ow] * w[:, c, a, b].reshape(1, -1, 1, 1)
    return y


def conv2d_direct_dw(xp: np.ndarray, g: np.ndarray, ksize: tuple) -> np.ndarray:
    """dW of a direct stride-1 convolution: sum over the batch of g (x) windows of ``xp``."""
    kh, kw = ksize
    oh, ow = g.shape[2:]
    n, c_ = xp.shape[:2]
    dw = np.empty((g.shape[1], c_, kh, kw), dtype=g.dtype)
    g2 = g.transpose(1, 0, 2, 3).reshape(g.shape[1], -1)
    for a in range(kh):
        for b in range(kw):
            win = xp[:, :, a:a + oh, b:b + ow].transpose(1, 0, 2, 3).reshape(c_, -1)
            dw[:, :, a, b] = g2 @ win.T
    return dw


def conv2d_direct_dx(g: np.ndarray, w: np.ndarray, xp_shape: tuple) -> np.ndarray:
    """The gradient of the padded input of a direct stride-1 convolution: for each kernel offset, the
    output gradient contracted over output channels, added into the shifted window."""
    o_, c_, kh, kw = w.shape
    oh, ow = g.shape[2:]
    dxp = np.zeros(xp_shape, dtype=g.dtype)
    for a in range(kh):
        for b in range(kw):
            # (N, O, OH, OW) x (O, C) -> (N, C, OH, OW)
            dxp[:, :, a:a + oh, b:b + ow] += np.matmul(g.transpose(0, 2, 3, 1), w[:, :, a, b]).transpose(0, 3, 1, 2)
    return dxp


def batch_norm_train(x, w, b, eps):
    """Training-mode batch norm of a float (N, C, *) array: (y, x_hat, mean, biased var, 1/std), the last three
    per channel in x's dtype; statistics in float64. x_hat = (x - mean) / sqrt(var + eps), y = x_hat w + b."""
    n, c = x.shape[:2]
    x3 = x.reshape(n, c, -1)
    mean = x3.mean(axis=(0, 2), dtype=np.float64)
    xc = x3 - mean[None, :, None]
    var = np.mean(np.square(xc), axis=(0, 2))
    inv = 1.0 / np.sqrt(var + eps)
    xhat = (xc * inv[None, :, None]).astype(x.dtype, copy=False)
    y = xhat * (w.astype(x.dtype, copy=False)[None, :, None] if w is not None else 1)
    if b is not None:
        y = y + b.astype(x.dtype, copy=False)[None, :, None]
    y = y.astype(x.dtype, copy=False)
    return y.reshape(x.shape), xhat.reshape(x.shape), mean.astype(x.dtype), var.astype(x.dtype), inv.astype(x.dtype)


def batch_norm_backward(g, xhat, scale):
    """(dx, sum(g), sum(g x_hat)) per channel for (N, C, *) arrays; ``scale`` (C,) is gamma / std:
    dx = scale (g - sum(g) / M - x_hat sum(g x_hat) / M) with M = N * prod(*)."""
    n, c = xhat.shape[:2]
    g3, h3 = g.reshape(n, c, -1), xhat.reshape(n, c, -1)
    m = g3.shape[0] * g3.shape[2]
    sg = g3.sum(axis=(0, 2), dtype=np.float64)
    sgx = np.einsum("ncp,ncp->c", g3, h3, dtype=np.float64)
    dx = (g3 - (sg / m)[None, :, None] - h3 * (sgx / m)[None, :, None]) * scale.astype(np.float64)[None, :, None]
    return dx.astype(g.dtype, copy=False).reshape(xhat.shape), sg.astype(g.dtype), sgx.astype(g.dtype)


def sigmoid(x):
    """1 / (1 + e^-x) in one buffer laid out as x (e^-x overflows to inf for very negative x: exactly 0)."""
    t = np.negative(x) if x.ndim else np.array(-x)  # an array even for 0-d input (ufuncs return scalars)
    np.exp(t, out=t)
    t += 1
    return np.reciprocal(t, out=t)


def sigmoid_backward(g, y):
    """g * y * (1 - y) with one temporary."""
    dx = np.subtract(1, y)
    dx *= y
    dx *= g
    return dx


from .winograd_numpy import (tiles, wino_input, wino_input_grad, wino_output,  # noqa: E402,F401
                             wino_output_grad, wino_weight, wino_weight_grad)
DIRECT_MAX_TAPS = 32  # a direct convolution (slice products per tap) beyond this many taps loses to im2col


def relu(x):
    """max(x, 0) (NaN stays NaN)."""
    return np.maximum(x, 0, dtype=x.dtype)


def relu_backward(g, y):
    """0 where y <= 0, else g (torch's threshold_backward)."""
    return np.where(y <= 0, 0, g).astype(g.dtype, copy=False)  # NaN passes the gradient, as torch


def sgd_update(p, g, lr):
    """p -= lr * g in place (SGD's update; a Python float ``lr`` is cast to p's dtype, as NumPy casts it)."""
    p -= lr * g


def col_sum(g, out):
    """The rows of a 2-d ``g`` summed into ``out`` (a linear's bias gradient): ``np.sum(g, axis=0, out=out)``."""
    np.sum(g, axis=0, out=out)


def channel_affine(x, s, t):
    """y = x * s[c] + t[c] over the channel axis 1 of (N, C, *) (inference batch norm)."""
    shape = (1, -1) + (1,) * (x.ndim - 2)
    y = np.multiply(x, s.reshape(shape))
    y += t.reshape(shape)
    return y


# ---------------------------------------------------------------- the recurrent cell and row layer norm
def _sigmoid_(a: np.ndarray) -> np.ndarray:
    """In-place logistic function: 1 / (1 + e^-a)."""
    np.negative(a, out=a)
    np.exp(a, out=a)
    a += 1.0
    np.reciprocal(a, out=a)
    return a


def lstm_cell_forward(g, rec, c, cprev, tc, hr):
    """One LSTM step for b rows, in place: g (b, 4H) pre-activations (input part) += rec (the ``h W_hh^T`` part),
    then g <- (s(i), s(f), tanh(g), s(o)); cprev <- c; c <- s(f) c + s(i) tanh(g); tc <- tanh(c); hr <- s(o) tc."""
    n = g.shape[1] // 4
    g += rec
    _sigmoid_(g[:, :2 * n])  # i, f
    np.tanh(g[:, 2 * n:3 * n], out=g[:, 2 * n:3 * n])  # the cell candidate
    _sigmoid_(g[:, 3 * n:])  # o
    cprev[...] = c
    c *= g[:, n:2 * n]
    c += g[:, :n] * g[:, 2 * n:3 * n]
    np.tanh(c, out=tc)
    np.multiply(g[:, 3 * n:], tc, out=hr)


def lstm_cell_backward(dh, gout, has_gout, g, tc, cprev, dc, dg):
    """One LSTM step of BPTT for b rows: dh (b, H) the carried hidden grad (+ gout when has_gout); g the
    activated gates, tc = tanh(c_t), cprev = c_{t-1}; dc (b, H) the carried cell grad, updated in place to
    dc_{t-1}; writes dg (b, 4H), the pre-activation gate grads. dh is not modified."""
    n = g.shape[1] // 4
    d = dh + gout if has_gout else dh
    i, f, u, o = g[:, :n], g[:, n:2 * n], g[:, 2 * n:3 * n], g[:, 3 * n:]
    np.multiply(d * tc, o * (1 - o), out=dg[:, 3 * n:])  # d o
    dc += d * o * (1 - tc * tc)  # dc_t = dc_{t+1} f_{t+1} + dh o (1 - tanh^2 c)
    np.multiply(dc * u, i * (1 - i), out=dg[:, :n])  # d i
    np.multiply(dc * cprev, f * (1 - f), out=dg[:, n:2 * n])  # d f
    np.multiply(dc * i, 1 - u * u, out=dg[:, 2 * n:3 * n])  # d g
    dc *= f


def layer_norm_forward(x, w, b, eps, y, xhat, inv):
    """Rows x (N, D): xhat = (x - mean) / sqrt(var + eps) (biased var; statistics in float64), y = xhat w + b,
    inv (N,) = 1 / sqrt(var + eps); y, xhat, inv are written in place."""
    mean = x.mean(axis=1, dtype=np.float64)
    xc = x - mean[:, None]
    iv = 1.0 / np.sqrt(np.mean(np.square(xc), axis=1) + eps)
    inv[...] = iv
    np.multiply(xc, iv[:, None], out=xhat, casting="unsafe")
    np.multiply(xhat, w, out=y)
    y += b


def layer_norm_backward(g, xhat, inv, w, dx, dw, db):
    """dx = (g w - mean(g w) - xhat mean(g w xhat)) inv per row; dw = sum g xhat, db = sum g (all in place)."""
    gw = g * w
    a = gw.mean(axis=1, keepdims=True)
    c = (gw * xhat).mean(axis=1, keepdims=True)
    np.multiply(gw - a - xhat * c, inv[:, None], out=dx, casting="unsafe")
    dw[...] = (g * xhat).sum(axis=0)
    db[...] = g.sum(axis=0)


def transposed(a: np.ndarray) -> np.ndarray:
    """``a.T`` of a 2-d array as a C-contiguous array (a copy unless ``a.T`` is C-contiguous already): the recurrent
    layers' W_hh^T, once per sequence, read only."""
    return np.ascontiguousarray(a.T)
