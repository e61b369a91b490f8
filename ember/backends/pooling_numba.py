"""numba kernels for 2-D max and average pooling over (B, H, W) planes: the same names and results as
``kernels_numpy``'s (the reference, which also takes what these do not cover: other ranks, dtypes, NaN rules
outside these loops), parallel over the planes. ``kernels_numba`` re-exports them for the kernel switch.

Max pooling scans each window as torch's CPU kernel does (the last NaN wins, padding is never chosen) and keeps
the flat arg-max; its backward scatters by it. Average pooling is a window sum here (the op divides) and its
backward the matching scatter.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from . import kernels_numpy as _ref

_JIT = dict(cache=True, nogil=True)

@njit(parallel=True, **_JIT)
def _max_pool2d(x, oh, ow, kh, kw, sh, sw, dh, dw, lowest, first, y, arg):
    b_ = x.shape[0]
    for b in prange(b_):
        for i in range(oh):
            for j in range(ow):
                m = lowest
                k = first[i, j]
                t = 0
                for a in range(kh):
                    for c in range(kw):
                        v = x[b, i * sh + a * dh, j * sw + c * dw]
                        if v > m or v != v:
                            m = v
                            k = t
                        t += 1
                y[b, i, j] = m
                arg[b, i, j] = k


@njit(parallel=True, **_JIT)
def _max_pool2d_bwd(g, arg, kw, sh, sw, dh, dw, dx):
    b_, oh, ow = g.shape
    for b in prange(b_):
        dx[b] = 0
        for i in range(oh):
            for j in range(ow):
                k = arg[b, i, j]
                a = k // kw
                c = k - a * kw
                dx[b, i * sh + a * dh, j * sw + c * dw] += g[b, i, j]


@njit(parallel=True, **_JIT)
def _window_sum2d(x, oh, ow, kh, kw, sh, sw, dh, dw, y):
    b_ = x.shape[0]
    for b in prange(b_):
        for i in range(oh):
            for j in range(ow):
                s = 0.0
                for a in range(kh):
                    for c in range(kw):
                        s += x[b, i * sh + a * dh, j * sw + c * dw]
                y[b, i, j] = s


@njit(parallel=True, **_JIT)
def _window_scatter2d(g, kh, kw, sh, sw, dh, dw, dx):
    b_, oh, ow = g.shape
    for b in prange(b_):
        dx[b] = 0
        for i in range(oh):
            for j in range(ow):
                v = g[b, i, j]
                for a in range(kh):
                    for c in range(kw):
                        dx[b, i * sh + a * dh, j * sw + c * dw] += v


def _planes(a: np.ndarray):
    """(..., H, W) -> (B, H, W) without a copy, or None when the leading dims cannot merge."""
    b = math.prod(a.shape[:-2])
    try:
        v = a.view()
        v.shape = (b,) + a.shape[-2:]
        return v
    except AttributeError:
        return None


def max_pool(xp, out, ksize, stride, dilation, first=None):
    """As ``kernels_numpy.max_pool`` (torch's scan); the 2-d case always returns the window offset ``arg``."""
    x3 = _planes(xp) if len(out) == 2 and xp.dtype.kind in "fiu" and xp.dtype.itemsize >= 4 else None
    if x3 is None:  # numba has no float16/bfloat16 loops: the reference
        return _ref.max_pool(xp, out, ksize, stride, dilation, first)
    lead = xp.shape[:-2]
    y = np.empty((x3.shape[0], *out), dtype=xp.dtype)
    arg = np.empty((x3.shape[0], *out), dtype=np.int32)
    first = np.zeros(out, np.int32) if first is None else np.broadcast_to(first, out).astype(np.int32)
    _max_pool2d(x3, out[0], out[1], ksize[0], ksize[1], stride[0], stride[1], dilation[0], dilation[1],
                xp.dtype.type(_ref._lowest(xp.dtype)), first, y, arg)
    return y.reshape(lead + tuple(out)), arg.reshape(lead + tuple(out))


def max_pool_backward(g, arg, spatial, out, ksize, stride, dilation):
    if len(out) != 2 or g.dtype.kind != "f" or g.dtype.itemsize < 4:
        return _ref.max_pool_backward(g, arg, spatial, out, ksize, stride, dilation)
    lead = g.shape[:-2]
    b = math.prod(lead)
    dx = np.empty((b, *spatial), dtype=g.dtype)
    _max_pool2d_bwd(np.ascontiguousarray(g).reshape(b, *out), arg.reshape(b, *out), ksize[1], stride[0],
                    stride[1], dilation[0], dilation[1], dx)
    return dx.reshape(lead + tuple(spatial))


def window_sum(xp, out, ksize, stride, dilation):
    x3 = _planes(xp) if len(out) == 2 else None
    if x3 is None:
        return _ref.window_sum(xp, out, ksize, stride, dilation)
    y = np.empty((x3.shape[0], *out), dtype=xp.dtype)
    _window_sum2d(x3, out[0], out[1], ksize[0], ksize[1], stride[0], stride[1], dilation[0], dilation[1], y)
    return y.reshape(xp.shape[:-2] + tuple(out))


def window_scatter(g, spatial, out, ksize, stride, dilation):
    if len(out) != 2:
        return _ref.window_scatter(g, spatial, out, ksize, stride, dilation)
    lead = g.shape[:-2]
    b = math.prod(lead)
    dx = np.empty((b, *spatial), dtype=g.dtype)
    _window_scatter2d(np.ascontiguousarray(g).reshape(b, *out), ksize[0], ksize[1], stride[0], stride[1],
                      dilation[0], dilation[1], dx)
    return dx.reshape(lead + tuple(spatial))


max_pool_argmax = _ref.max_pool_argmax
