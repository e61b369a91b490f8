"""Spatial transforms: ``pad``, ``interpolate`` (``upsample*``), ``pixel_shuffle``, ``pixel_unshuffle``.

pad: ``pad=(left_last, right_last, left_2nd_last, right_2nd_last, ...)`` pads the last dims first, as
torch. Modes: 'constant' (negative pads crop), 'reflect' (mirror without repeating the edge),
'replicate' (repeat the edge), 'circular' (wrap around). Gradient: the adjoint of the index map (the
border gradients fold back onto the elements they copied).

interpolate resizes the spatial dims. Each mode is separable, so it is one small interpolation matrix
M (L_out, L_in) per spatial dim, y = x M^T along that dim (matmuls: every gradient order for free):
    nearest:        src = floor(dst * scale)
    nearest-exact:  src = floor((dst + 0.5) * scale)
    linear:         src = (dst + 0.5) * scale - 0.5 (clamped at 0), or dst (L_in - 1)/(L_out - 1) with
                    align_corners; weights (1 - frac, frac) on floor(src) and floor(src) + 1
    bicubic:        Keys' cubic convolution (A = -0.75) on 4 taps, indices clamped to the edge
    area:           adaptive average pooling
with scale = L_in / L_out, or 1 / scale_factor when a scale_factor is given (recompute_scale_factor off).

>>> import ember, ember.nn.functional as F
>>> F.interpolate(ember.ones(1, 1, 2, 2), scale_factor=2, mode="bilinear").shape
ember.Size([1, 1, 4, 4])
"""
from __future__ import annotations

import math

import numpy as np

from ...autograd.function import Op
from ...ops.creation import tensor as _tensor
from ...tensor import Tensor
from .pooling import _adaptive_avg

__all__ = ["pad", "interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle",
           "pixel_unshuffle"]

_NP_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


class ConstantPadNd(Op):
    """Copy x into a ``value``-filled canvas (negative pads crop); backward slices the gradient out."""

    @staticmethod
    def forward(ctx, x, pairs, value):
        xd = x._data
        shape, xs, ys = _pad_regions(xd.shape, pairs)
        y = np.full(shape, value, dtype=xd.dtype)
        y[ys] = xd[xs]
        ctx.regions = (xd.shape, xs, ys)
        return y

    @staticmethod
    def backward(ctx, g):
        xshape, xs, ys = ctx.regions
        return RegionCopy.apply(g, ys, xs, xshape)


class RegionCopy(Op):
    """The backward op of constant padding: out = zeros(shape) with out[dst] = g[src] (the gradient sliced out of
    the canvas). Linear in g; its backward is the same copy the other way (src and dst swapped)."""

    @staticmethod
    def forward(ctx, g, src, dst, shape):
        gd = g._data
        ctx.regions = (src, dst, gd.shape)
        out = np.zeros(shape, dtype=gd.dtype)
        out[dst] = gd[src]
        return out

    @staticmethod
    def backward(ctx, gg):
        src, dst, shape = ctx.regions
        return RegionCopy.apply(gg, dst, src, shape)


def _pad_regions(shape: tuple, pairs: list) -> tuple:
    """For (lo, hi) pads per dim (possibly negative): the output shape and the matching slices of x and y."""
    out, xs, ys = [], [], []
    for L, (lo, hi) in zip(shape, pairs):
        n = L + lo + hi
        if n < 0:
            raise RuntimeError(f"The input size {L}, plus negative padding {lo} and {hi} resulted in a negative "
                               f"output size, which is invalid. Check dimension of your input.")
        x0, x1 = max(0, -lo), L - max(0, -hi)
        y0 = max(0, lo)
        out.append(n)
        xs.append(slice(x0, max(x0, x1)))
        ys.append(slice(y0, y0 + max(0, x1 - x0)))
    return tuple(out), tuple(xs), tuple(ys)


class IndexPadNd(Op):
    """reflect / replicate / circular padding: y = x gathered through a per-dim index map; backward folds
    each border column of g onto the column of x it copied (a loop over the pad columns, no add.at)."""

    @staticmethod
    def forward(ctx, x, pairs, mode):
        xd = x._data
        ctx.maps = [(axis, np.pad(np.arange(L), p, mode=_NP_MODE[mode]), p)
                    for axis, (L, p) in enumerate(zip(xd.shape, pairs)) if p != (0, 0)]
        ctx.pad = (pairs, mode)
        return np.pad(xd, pairs, mode=_NP_MODE[mode])

    @staticmethod
    def backward(ctx, g):
        return IndexPadBackward.apply(g, ctx.maps, ctx.pad)


class IndexPadBackward(Op):
    """The backward op of reflect / replicate / circular padding: each border column of g folded onto the column
    of x it copied. Linear in g and the transpose of the padding's gather, so its backward is the padding."""

    @staticmethod
    def forward(ctx, g, maps, pad):
        ctx.pad = pad
        gd = g._data
        for axis, idx, (lo, hi) in maps:
            gm = np.moveaxis(gd, axis, -1)
            L = idx.shape[0] - lo - hi
            gx = gm[..., lo:lo + L].copy()
            for j in list(range(lo)) + list(range(lo + L, lo + L + hi)):
                gx[..., idx[j]] += gm[..., j]
            gd = np.moveaxis(gx, -1, axis)
        return np.ascontiguousarray(gd)

    @staticmethod
    def backward(ctx, gg):
        return IndexPadNd.apply(gg, *ctx.pad)


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last len(pad)/2 dims; ``pad`` lists (left, right) for the last dim first."""
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(pad) // 2
    if k > input.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.ndim}")
    pairs = [(0, 0)] * (input.ndim - k) + [(pad[2 * i], pad[2 * i + 1]) for i in reversed(range(k))]
    if mode == "constant":
        return ConstantPadNd.apply(input, pairs, 0 if value is None else value)
    if mode not in _NP_MODE:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value:
        raise ValueError(f"Padding mode \"{mode}\" doesn't take in value argument")
    if not (k + 1 <= input.ndim <= k + 2) or k > 3:
        raise NotImplementedError(f"Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now")
    for axis in range(input.ndim - k, input.ndim):
        lo, hi = pairs[axis]
        L = input.shape[axis]
        if min(lo, hi) < 0:
            raise NotImplementedError(f"negative padding is not supported for mode {mode} in ember")
        if mode == "reflect" and max(lo, hi) >= L:
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({lo}, {hi}) at dimension {axis} of input {list(input.shape)}")
        if mode == "circular" and max(lo, hi) > L:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if mode == "replicate" and L == 0:
            raise RuntimeError("input tensor must have non-zero size to pad in replicate mode")
    return IndexPadNd.apply(input, pairs, mode)


# ---------------------------------------------------------------- interpolate
_LINEAR = {"linear": 1, "bilinear": 2, "trilinear": 3, "bicubic": 2}


def _matrix(mode: str, L: int, O: int, scale: float | None, align_corners: bool, dtype) -> np.ndarray:
    """The (O, L) interpolation matrix of one spatial dim."""
    dst = np.arange(O, dtype=np.float64)
    rows = np.arange(O)
    M = np.zeros((O, L), dtype=np.float64)
    if mode in ("nearest", "nearest-exact"):
        s = np.float32(L / O if scale is None else 1.0 / scale)
        off = np.float32(0.5 if mode == "nearest-exact" else 0.0)
        src = np.minimum(np.floor((dst.astype(np.float32) + off) * s).astype(np.int64), L - 1)
        M[rows, src] = 1.0
        return M.astype(dtype)
    if align_corners:
        s = (L - 1) / (O - 1) if O > 1 else 0.0
        src = dst * s
    else:
        s = L / O if scale is None else 1.0 / scale
        src = (dst + 0.5) * s - 0.5
    if mode == "bicubic":
        i0 = np.floor(src).astype(np.int64)
        t = src - i0
        A = -0.75
        taps = [((A * (t + 1) - 5 * A) * (t + 1) + 8 * A) * (t + 1) - 4 * A,
                ((A + 2) * t - (A + 3)) * t * t + 1,
                ((A + 2) * (1 - t) - (A + 3)) * (1 - t) * (1 - t) + 1,
                ((A * (2 - t) - 5 * A) * (2 - t) + 8 * A) * (2 - t) - 4 * A]
        for k, w in enumerate(taps):
            M[rows, np.clip(i0 - 1 + k, 0, L - 1)] += w
        return M.astype(dtype)
    if not align_corners:
        src = np.maximum(src, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), L - 1)
    i1 = np.minimum(i0 + 1, L - 1)
    frac = src - i0
    M[rows, i0] += 1.0 - frac
    M[rows, i1] += frac
    return M.astype(dtype)


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """Resize the spatial dims of (N, C, *spatial) to ``size`` or ``floor(L * scale_factor)``."""
    nd = input.ndim - 2
    if mode in ("nearest", "area", "nearest-exact") and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if mode in _LINEAR and _LINEAR[mode] != nd:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {_LINEAR[mode] + 2}D input")
    if mode not in _LINEAR and mode not in ("nearest", "nearest-exact", "area"):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) "
                                  f"for the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                                  f"nearest-exact (got {mode})")
    if antialias:
        raise NotImplementedError("ember: antialias=True is not implemented")
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    spatial = tuple(input.shape[2:])
    scales = [None] * nd
    if size is not None:
        out = tuple(int(s) for s in size) if isinstance(size, (list, tuple)) else (int(size),) * nd
        if len(out) != nd:
            raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input "
                             f"with spatial dimensions of {list(spatial)} and output size of {list(out)}. Please "
                             f"provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, "
                             f"...,oK) format.")
    else:
        sf = tuple(float(s) for s in scale_factor) if isinstance(scale_factor, (list, tuple)) \
            else (float(scale_factor),) * nd
        out = tuple(int(math.floor(L * s)) for L, s in zip(spatial, sf))
        if not recompute_scale_factor:
            scales = list(sf)
    if mode == "area":
        return _adaptive_avg(input, out)
    dtype = input._data.dtype if input._data.dtype.kind == "f" else np.float32
    y = input
    for i, (L, o) in enumerate(zip(spatial, out)):
        if mode in ("nearest", "nearest-exact") and L == o:
            continue
        axis = 2 + i
        M = _matrix(mode, L, o, scales[i], bool(align_corners), dtype)
        y = y.transpose(axis, -1).matmul(_tensor(M.T)).transpose(axis, -1)
    return y.contiguous()


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of ``interpolate``."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---------------------------------------------------------------- pixel shuffle
def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C r^2, H, W) -> (*, C, H r, W r): y[c, h r + i, w r + j] = x[c r^2 + i r + j, h, w]."""
    r = int(upscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
                           f"of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    nl = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(nl), nl, nl + 3, nl + 1, nl + 4, nl + 2)
    return _new_tensor(x.reshape(*lead, c // (r * r), h * r, w * r), input)


def _new_tensor(y: Tensor, input: Tensor) -> Tensor:
    """torch's pixel (un)shuffle always returns a new tensor; the reshapes are a view for a factor of 1."""
    return y.clone() if np.may_share_memory(y._data, input._data) else y


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H r, W r) -> (*, C r^2, H, W): the inverse of pixel_shuffle."""
    r = int(downscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.ndim} dimension(s)")
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)"
                           f"={h} is not divisible by {r}" if h % r else
                           f"pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)"
                           f"={w} is not divisible by {r}")
    nl = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(nl), nl, nl + 2, nl + 4, nl + 1, nl + 3)
    return _new_tensor(x.reshape(*lead, c * r * r, h // r, w // r), input)
