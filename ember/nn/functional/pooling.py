"""Pooling: max / average / adaptive / power-average pooling in 1-3 spatial dims, and max-unpooling.

Output length per spatial dim (max and average pooling):
    L_out = floor_or_ceil((L + 2 p - d (k - 1) - 1) / s) + 1
with ceil_mode rounding up, except that the last window must start inside the input or the left
padding: if (L_out - 1) s >= L + p, L_out drops by one. stride defaults to kernel_size.

Max pooling scans each window as torch's CPU kernel does: from -inf at the window's first element inside
the input, an element replaces the maximum when it is greater or NaN; so ties keep the first maximum, a NaN
wins (the last NaN in window order) and padding is never chosen. Its gradient goes to that element only. Average pooling divides by the window size (count_include_pad) or by the
number of real elements, or by divisor_override; its gradient spreads g / divisor over the window.
Adaptive pooling uses bins [floor(i L / O), ceil((i + 1) L / O)).

>>> import ember, ember.nn.functional as F
>>> F.max_pool2d(ember.arange(16.).reshape(1, 1, 4, 4), 2)
tensor([[[[ 5.,  7.],
          [13., 15.]]]])
"""
from __future__ import annotations

import functools
import math

import numpy as np

from ...autograd.function import Op
from ...backends import kernels
from ...ops.joining import cat
from ...tensor import Tensor, wrap
from .conv import _tuple

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "max_pool2d_with_indices",
           "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d", "avg_pool3d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d",
           "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices", "lp_pool1d", "lp_pool2d",
           "max_unpool1d", "max_unpool2d", "max_unpool3d"]


def pool_out_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """torch's pooling_output_shape (with the ceil_mode rule that the last window starts inside)."""
    num = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _geometry(name: str, input: Tensor, nd: int, kernel_size, stride, padding, dilation, ceil_mode):
    """Validate a pooling call; return (ksize, stride, padding, dilation, out, unbatched)."""
    if input.ndim not in (nd + 1, nd + 2) or input.numel() == 0 and input.ndim == nd + 1:
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input")
    if 0 in input.shape[1:]:  # torch: only the batch dim may be empty
        raise RuntimeError(f"{name}: Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with optional 0 dim batch "
                           f"size for input, but got: {list(input.shape)}")
    ksize = _tuple(kernel_size, nd)
    stride = ksize if stride is None or (isinstance(stride, (list, tuple)) and not stride) else _tuple(stride, nd)
    padding, dilation = _tuple(padding, nd), _tuple(dilation, nd)
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"{name}() stride must be greater than zero, but got {stride[0] if nd == 1 else stride}"
                           if nd == 1 else "stride should be greater than zero, but got "
                           + " ".join(f"d{'HW'[i] if nd == 2 else 'THW'[i]}: {s}" for i, s in enumerate(stride)))
    _check_padding(name, ksize, padding, dilation)
    spatial = input.shape[-nd:]
    out = tuple(pool_out_size(L, k, s, p, d, ceil_mode)
                for L, k, s, p, d in zip(spatial, ksize, stride, padding, dilation))
    if any(o <= 0 for o in out):
        lead = input.shape[-nd - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (lead, *spatial)))}). Calculated output size: "
                           f"({'x'.join(map(str, (lead, *out)))}). Output size is too small")
    return ksize, stride, padding, dilation, out, input.ndim == nd + 1


def _check_padding(name: str, ksize: tuple, padding: tuple, dilation: tuple) -> None:
    """torch's checks: average pooling against half the effective kernel, max pooling against half the kernel
    (dilation not counted), each with its own message."""
    if "max" not in name:
        for k, p, d in zip(ksize, padding, dilation):
            if p > (d * (k - 1) + 1) // 2:
                raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                                   f"kernel_size={k} and dilation={d}")
        return
    if all(p <= k // 2 for k, p in zip(ksize, padding)):
        return
    if name == "max_pool1d":
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but got padding="
                           f"{padding[0]} and kernel_size={ksize[0]}")
    if len(ksize) == 3:
        (kt, kh, kw), (pt, ph, pw) = ksize, padding
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got kT: {kt} kW: {kw} "
                           f"kH: {kh} padT: {pt} padW: {pw} padH: {ph}")
    (kh, kw), (ph, pw) = ((1,) + tuple(ksize))[-2:], ((0,) + tuple(padding))[-2:]
    raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got padW = {pw}, "
                       f"padH = {ph}, kW = {kw}, kH = {kh}")


def _pad_spatial(xd: np.ndarray, nd: int, padding, out, ksize, stride, dilation, value) -> tuple:
    """Pad the last nd dims so every window fits (ceil_mode windows may hang over the right edge)."""
    pads = []
    for L, p, o, k, s, d in zip(xd.shape[-nd:], padding, out, ksize, stride, dilation):
        need = (o - 1) * s + d * (k - 1) + 1
        pads.append((p, max(0, need - L - p)))
    if not any(lo or hi for lo, hi in pads):
        return xd, pads
    full = ((0, 0),) * (xd.ndim - nd) + tuple(pads)
    return np.pad(xd, full, constant_values=value), pads


def _lowest(dtype: np.dtype):
    """What max pooling pads with: -inf, or the smallest integer (torch never picks padding either way)."""
    return np.iinfo(dtype).min if dtype.kind in "iu" else -np.inf


@functools.lru_cache(maxsize=256)
def _first_inside(out: tuple, ksize: tuple, stride: tuple, left: tuple, dilation: tuple):
    """The window offset (in window order) of each window's first element inside the input, shaped ``out``
    (read-only, cached per geometry); None when there is no left padding (0 everywhere). torch's max pooling
    scan starts there, so padding is never the arg-max."""
    if not any(left):
        return None
    first = np.zeros((), dtype=np.int32)
    for i, (o, k, s, p, d) in enumerate(zip(out, ksize, stride, left, dilation)):
        start = np.arange(o) * s - p
        skip = np.minimum(np.maximum(-start + d - 1, 0) // d, k - 1)  # offsets that fall in the left padding
        shape = [1] * len(out)
        shape[i] = o
        first = first * k + skip.reshape(shape).astype(np.int32)
    first = np.broadcast_to(first, out).copy()
    first.flags.writeable = False
    return first


class MaxPoolWithIndices(Op):
    """Max pooling over the last nd dims (torch's scan, see ``kernels.max_pool``); the arg-max offset of each
    window is kept for backward (or, for non-overlapping windows, the padded input, to find it then)."""

    @staticmethod
    def forward(ctx, x, nd, ksize, stride, padding, dilation, out):
        xd = x._data
        xp, pads = _pad_spatial(xd, nd, padding, out, ksize, stride, dilation, _lowest(xd.dtype))
        first = _first_inside(tuple(out), tuple(ksize), tuple(stride), tuple(padding), tuple(dilation))
        y, arg = kernels.max_pool(xp, out, ksize, stride, dilation, first)
        ctx.arg = arg
        ctx.extra = (xp, first) if arg is None and ctx.next is not None else None
        ctx.geom = (nd, xd.shape, xp.shape[-nd:], pads, out, ksize, stride, dilation)
        if nd > 1:
            ctx.rename(f"MaxPool{nd}DWithIndicesBackward0")
        return y

    @staticmethod
    def backward(ctx, g):
        arg = ctx.arg
        if arg is None:  # non-overlapping windows: find the arg-max now
            nd, xshape, spatial, pads, out, ksize, stride, dilation = ctx.geom
            xp, first = ctx.extra
            arg = kernels.max_pool_argmax(xp, out, ksize, stride, dilation, first)
        return MaxPoolBackward.apply(g, ctx.geom, arg)


class MaxPoolBackward(Op):
    """The backward op of max pooling: g scattered to each window's arg-max (raw ``max_pool_backward``).
    Linear in g with the arg-max constant almost everywhere, so its own backward is the gather of the incoming
    gradient at the arg-max (torch's max_pool double backward), and there is no gradient for x."""

    @staticmethod
    def forward(ctx, g, geom, arg):
        nd, xshape, spatial, pads, out, ksize, stride, dilation = geom
        ctx.geom, ctx.arg = geom, arg
        dxp = kernels.max_pool_backward(g._data, arg, spatial, out, ksize, stride, dilation)
        crop = (Ellipsis,) + tuple(slice(lo, lo + L) for (lo, _), L in zip(pads, xshape[-nd:]))
        return dxp[crop]

    @staticmethod
    def backward(ctx, gg):
        nd, xshape, spatial, pads, out, ksize, stride, dilation = ctx.geom
        padding = tuple(lo for lo, _ in pads)
        flat, inside = _flat_indices(ctx.arg, xshape[-nd:], out, ksize, stride, padding, dilation, True)
        dg = GatherFlat.apply(gg, flat, nd)
        # an arg-max outside the input (a window with no element inside) sent its gradient nowhere: zero there
        return dg if inside is None else dg * wrap(inside.astype(dg._data.dtype))


def _flat_indices(arg: np.ndarray, spatial: tuple, out, ksize, stride, padding, dilation, clip: bool = False):
    """Window offsets -> flat indices into the unpadded input plane (torch's return_indices). With ``clip``:
    ``(flat, inside)``, coordinates clipped into the plane and ``inside`` the mask of those that were in it
    (None when all were)."""
    nd = len(out)
    koff = np.unravel_index(arg, ksize)
    flat = np.zeros(arg.shape, dtype=np.int64)
    inside = None
    for i in range(nd):
        shape = [1] * nd
        shape[i] = out[i]
        start = (np.arange(out[i]) * stride[i] - padding[i]).reshape(shape)
        coord = start + koff[i] * dilation[i]
        if clip and (coord.min(initial=0) < 0 or coord.max(initial=0) >= spatial[i]):
            ok = (coord >= 0) & (coord < spatial[i])
            inside = ok if inside is None else inside & ok
            coord = np.clip(coord, 0, spatial[i] - 1)
        flat = flat * spatial[i] + coord
    return (flat, inside) if clip else flat


def _max_poolnd(name, nd, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    ksize, stride, padding, dilation, out, unbatched = _geometry(name, input, nd, kernel_size, stride, padding,
                                                                 dilation, ceil_mode)
    y = MaxPoolWithIndices.apply(input, nd, ksize, stride, padding, dilation, out)
    if not return_indices:
        return y
    xp = _pad_spatial(input._data, nd, padding, out, ksize, stride, dilation, _lowest(input._data.dtype))[0]
    first = _first_inside(tuple(out), tuple(ksize), tuple(stride), tuple(padding), tuple(dilation))
    arg = kernels.max_pool_argmax(xp, out, ksize, stride, dilation, first)
    return y, wrap(_flat_indices(arg, input.shape[-nd:], out, ksize, stride, padding, dilation))


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over windows of (N, C, L) or (C, L)."""
    return _max_poolnd("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over windows of (N, C, H, W) or (C, H, W)."""
    return _max_poolnd("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Max over windows of (N, C, D, H, W) or (C, D, H, W)."""
    return _max_poolnd("max_pool3d", 3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)  # (out, indices), as torch


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)  # (out, indices), as torch


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)  # (out, indices), as torch


class AvgPool(Op):
    """Window sums divided by a per-output divisor (torch's node: AvgPool2DBackward0)."""

    @staticmethod
    def forward(ctx, x, nd, ksize, stride, padding, out, divisor):
        xd = x._data
        xp, pads = _pad_spatial(xd, nd, padding, out, ksize, stride, (1,) * nd, 0)
        y = kernels.window_sum(xp, out, ksize, stride, (1,) * nd)
        y /= divisor
        ctx.geom = (nd, xd.shape, xp.shape[-nd:], pads, out, ksize, stride, divisor)
        ctx.args = (nd, ksize, stride, padding, out, divisor)
        if nd > 1:
            ctx.rename(f"AvgPool{nd}DBackward0")
        return y.astype(xd.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return AvgPoolBackward.apply(g, ctx.geom, ctx.args)


class AvgPoolBackward(Op):
    """The backward op of avg pooling: g / divisor scattered back over each window (raw ``window_scatter``).
    Linear in g and the transpose of the pooling, so its own backward is the pooling again."""

    @staticmethod
    def forward(ctx, g, geom, args):
        ctx.args = args
        nd, xshape, spatial, pads, out, ksize, stride, divisor = geom
        gd = (g._data / divisor).astype(g._data.dtype, copy=False)
        dxp = kernels.window_scatter(gd, spatial, out, ksize, stride, (1,) * nd)
        crop = (Ellipsis,) + tuple(slice(lo, lo + L) for (lo, _), L in zip(pads, xshape[-nd:]))
        return dxp[crop]

    @staticmethod
    def backward(ctx, gg):
        return AvgPool.apply(gg, *ctx.args)


@functools.lru_cache(maxsize=256)
def _avg_divisor(spatial, out, ksize, stride, padding, count_include_pad, divisor_override, dtype) -> np.ndarray:
    """The per-output divisor (read-only, cached per geometry; one number when every window has the same)."""
    div = _avg_divisor_of(spatial, out, ksize, stride, padding, count_include_pad, divisor_override, dtype)
    if div.ndim and (div == div.flat[0]).all():
        div = np.asarray(div.flat[0])
    div.flags.writeable = False
    return div


def _avg_divisor_of(spatial, out, ksize, stride, padding, count_include_pad, divisor_override, dtype) -> np.ndarray:
    if divisor_override:
        return np.asarray(divisor_override, dtype=dtype)
    div = np.ones((), dtype=dtype)
    nd = len(out)
    for i, (L, o, k, s, p) in enumerate(zip(spatial, out, ksize, stride, padding)):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, L + p)
        size = end - start
        if not count_include_pad:
            size = np.minimum(end, L) - np.maximum(start, 0)
        shape = [1] * nd
        shape[i] = o
        div = div * size.reshape(shape).astype(dtype)
    return div


def _avg_poolnd(name, nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    ksize, stride, padding, _, out, _ = _geometry(name, input, nd, kernel_size, stride, padding, 1, ceil_mode)
    divisor = _avg_divisor(tuple(input.shape[-nd:]), tuple(out), tuple(ksize), tuple(stride), tuple(padding),
                           bool(count_include_pad), divisor_override, input._data.dtype)
    return AvgPool.apply(input, nd, ksize, stride, padding, out, divisor)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Mean over windows of (N, C, L)."""
    return _avg_poolnd("avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Mean over windows of (N, C, H, W) (sum / divisor_override when given)."""
    return _avg_poolnd("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Mean over windows of (N, C, D, H, W)."""
    return _avg_poolnd("avg_pool3d", 3, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override)


# ---------------------------------------------------------------- adaptive pooling
def _bins(L: int, O: int) -> list:
    return [((i * L) // O, -((-(i + 1) * L) // O)) for i in range(O)]


def _adaptive_sizes(name: str, input: Tensor, output_size, nd: int) -> tuple:
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got {list(input.shape)}")
    if not isinstance(output_size, (list, tuple)):
        output_size = (output_size,) * nd
    elif len(output_size) == 1:
        output_size = tuple(output_size) * nd
    if len(output_size) != nd:
        raise RuntimeError(f"{name}: output_size must be {nd}")
    out = tuple(L if o is None else int(o) for o, L in zip(output_size, input.shape[-nd:]))
    if "avg" in name and all(o == 1 for o in out):  # torch takes the mean then: no checks (empty gives NaN)
        return out
    # torch: max pooling and 3-d average pooling reject an empty dim after the first, 1-d/2-d average pooling
    # an empty spatial dim
    for d in range(1, input.ndim) if "max" in name or nd == 3 else range(input.ndim - nd, input.ndim):
        if input.shape[d] == 0:
            shape = list(input.shape)
            if name == "adaptive_avg_pool1d":  # torch runs it as adaptive_avg_pool2d of (*, 1, L)
                name, shape, d = "adaptive_avg_pool2d", shape[:-1] + [1] + shape[-1:], d + 1
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch dimensions, but input "
                               f"has sizes {shape} with dimension {d} being empty")
    return out


def _adaptive_avg(input: Tensor, out: tuple) -> Tensor:
    """Mean over each bin, one spatial dim at a time (averaging is separable). Composed of narrow, mean and
    cat, so it has every gradient order."""
    nd = len(out)
    y = input
    for i, o in enumerate(out):
        axis = input.ndim - nd + i
        L = input.shape[axis]
        if o == L:
            continue
        if o == 1:
            y = y.mean(axis, keepdim=True)
            continue
        if o == 0:
            y = y.narrow(axis, 0, 0)
            continue
        # one mean per bin (not a matmul with a 0/1 matrix, where a NaN would reach every bin, as 0 * NaN)
        y = cat([y.narrow(axis, a, b - a).mean(axis, keepdim=True) for a, b in _bins(L, o)], axis)
    y = input.clone() if y is input else y  # a new tensor, as torch's, even when no dim changes
    if any(o != 1 for o in out):  # torch's kernel path (not the mean): its backward rejects empty dims
        shape = tuple(y.shape) if nd > 1 else tuple(y.shape[:-1]) + (1,) + tuple(y.shape[-1:])  # 1-d runs as 2-d
        if 0 in shape[1:]:
            y = RejectEmptyBackward.apply(y, f"adaptive_avg_pool{max(nd, 2)}d", shape)
    return y


class RejectEmptyBackward(Op):
    """Passes an empty result through; its backward raises as torch's ``adaptive_avg_pool{2,3}d_backward``, which
    rejects a grad_output with an empty non-batch dim (the forward accepts zero channels)."""

    @staticmethod
    def forward(ctx, y, name, shape):
        ctx.name, ctx.shape = name, shape
        ctx.rename(f"AdaptiveAvgPool{name[-2]}DBackward0")
        return y._data.copy()

    @staticmethod
    def backward(ctx, g):
        d = next(i for i in range(1, len(ctx.shape)) if ctx.shape[i] == 0)
        raise RuntimeError(f"{ctx.name}_backward(): Expected grad_output to have non-zero size for non-batch "
                           f"dimensions, but grad_output has sizes {list(ctx.shape)} with dimension {d} being empty")


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """Average over L into `output_size` bins: (N, C, L) -> (N, C, O)."""
    return _adaptive_avg(input, _adaptive_sizes("adaptive_avg_pool1d", input, output_size, 1))


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average into (oH, oW) bins; None in output_size keeps that input size."""
    return _adaptive_avg(input, _adaptive_sizes("adaptive_avg_pool2d", input, output_size, 2))


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:
    return _adaptive_avg(input, _adaptive_sizes("adaptive_avg_pool3d", input, output_size, 3))


class AdaptiveMaxPool(Op):
    """Max over each adaptive bin (a loop over output cells; cells are few); indices are flat."""

    @staticmethod
    def forward(ctx, x, out):
        xd = x._data
        nd = len(out)
        spatial = xd.shape[-nd:]
        lead = xd.shape[:-nd]
        y = np.empty(lead + out, dtype=xd.dtype)
        idx = np.empty(lead + out, dtype=np.int64)
        grids = [_bins(L, o) for L, o in zip(spatial, out)]
        for cell in np.ndindex(*out):
            bounds = [grids[i][c] for i, c in enumerate(cell)]
            win = xd[(Ellipsis,) + tuple(slice(a, b) for a, b in bounds)]
            win = win.reshape(lead + (math.prod(win.shape[len(lead):]),))  # explicit: zero-size leads work
            local = np.argmax(win, axis=-1)  # first maximum, as torch
            nan = np.isnan(win) if xd.dtype.kind == "f" else None
            if nan is not None and nan.any():  # torch's scan takes a NaN over the maximum: the last NaN
                last = win.shape[-1] - 1 - np.argmax(nan[..., ::-1], axis=-1)
                local = np.where(nan.any(-1), last, local)
            y[(Ellipsis,) + cell] = np.take_along_axis(win, local[..., None], -1)[..., 0]
            coords = np.unravel_index(local, tuple(b - a for a, b in bounds))
            flat = np.zeros_like(local)
            for i, (a, _) in enumerate(bounds):
                flat = flat * spatial[i] + coords[i] + a
            idx[(Ellipsis,) + cell] = flat
        ctx.idx = idx
        ctx.shape = xd.shape
        ctx.nd = nd
        ctx.mark_non_differentiable(idx)
        return y, idx

    @staticmethod
    def backward(ctx, g, gi=None):
        return ScatterAddFlat.apply(g, ctx.idx, ctx.shape, ctx.nd)


class ScatterAddFlat(Op):
    """A backward op: g (lead + out) added at flat spatial indices ``idx`` into zeros of ``shape`` (lead +
    spatial; raw ``_scatter_flat``), the backward of adaptive max pooling. Linear in g; its adjoint, and so its
    own backward, is the gather ``GatherFlat``."""

    @staticmethod
    def forward(ctx, g, idx, shape, nd):
        ctx.idx, ctx.nd = idx, nd
        return _scatter_flat(g._data, idx, shape, nd)

    @staticmethod
    def backward(ctx, gg):
        return GatherFlat.apply(gg, ctx.idx, ctx.nd)


class GatherFlat(Op):
    """A backward op: the values of g (lead + spatial) at the flat spatial indices ``idx`` (lead + out); the
    backward of max-unpooling and the double backward of max pooling. Linear in g; its own backward is the
    scatter-add ``ScatterAddFlat``."""

    @staticmethod
    def forward(ctx, g, idx, nd):
        gd = g._data
        lead = gd.shape[:gd.ndim - nd]
        ctx.idx, ctx.nd, ctx.shape = idx, nd, gd.shape
        cells = (math.prod(idx.shape[len(lead):]),)  # explicit, not -1: zero-size leads work
        flat = gd.reshape(lead + (math.prod(gd.shape[len(lead):]),))
        return np.take_along_axis(flat, idx.reshape(lead + cells), -1).reshape(idx.shape)

    @staticmethod
    def backward(ctx, gg):
        return ScatterAddFlat.apply(gg, ctx.idx, ctx.shape, ctx.nd)


def _scatter_flat(g: np.ndarray, idx: np.ndarray, shape: tuple, nd: int) -> np.ndarray:
    """Add g (lead + out) at flat spatial indices into zeros of ``shape`` (lead + spatial); repeated
    indices accumulate: the backward of adaptive max pooling."""
    lead = shape[:len(shape) - nd]
    dx = np.zeros(lead + (math.prod(shape[len(lead):]),), dtype=g.dtype)
    cells = (math.prod(g.shape[len(lead):]),)  # explicit, not -1: zero-size leads work
    gi = g.reshape(lead + cells)
    ii = idx.reshape(lead + cells)
    for j in range(ii.shape[-1]):  # one output cell at a time, so repeats accumulate
        col = ii[..., j:j + 1]
        np.put_along_axis(dx, col, np.take_along_axis(dx, col, -1) + gi[..., j:j + 1], -1)
    return dx.reshape(shape)


def _adaptive_max(name: str, nd: int, input: Tensor, output_size, return_indices: bool):
    out = _adaptive_sizes(name, input, output_size, nd)
    y, idx = AdaptiveMaxPool.apply(input, out)
    return (y, idx) if return_indices else y


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """Max over L into `output_size` bins: (N, C, L) -> (N, C, O)."""
    return _adaptive_max("adaptive_max_pool1d", 1, input, output_size, return_indices)


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """Max into (oH, oW) bins."""
    return _adaptive_max("adaptive_max_pool2d", 2, input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size, return_indices: bool = True):
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size, return_indices: bool = True):
    return adaptive_max_pool2d(input, output_size, True)


# ---------------------------------------------------------------- power-average pooling
def _lp_pool(nd: int, input: Tensor, norm_type: float, kernel_size, stride, ceil_mode) -> Tensor:
    ksize = _tuple(kernel_size, nd)
    out = _avg_poolnd(f"lp_pool{nd}d", nd, input.pow(norm_type), ksize, stride, 0, ceil_mode, True, None)
    return (out.sign() * out.abs()).mul(math.prod(ksize)).pow(1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False) -> Tensor:
    """(sum over the window of x^p)^(1/p)."""
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False) -> Tensor:
    """(sum over the window of x^p)^(1/p)."""
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


# ---------------------------------------------------------------- max-unpooling
class MaxUnpool(Op):
    """Place x at the flat indices (from max_pool's return_indices) of a zero plane; backward gathers."""

    @staticmethod
    def forward(ctx, x, idx, size):
        xd = x._data
        nd = len(size)
        lead = xd.shape[:xd.ndim - nd]
        flat = np.zeros(lead + (math.prod(size),), dtype=xd.dtype)
        ii = idx._data.reshape(lead + (-1,))
        if ii.size and (ii.min() < 0 or ii.max() >= flat.shape[-1]):
            bad = ii.max() if ii.max() >= flat.shape[-1] else ii.min()
            raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                               f"{'x'.join(map(str, size))}")
        np.put_along_axis(flat, ii, xd.reshape(lead + (-1,)), -1)
        ctx.idx = ii.reshape(xd.shape)
        ctx.nd = nd
        return flat.reshape(lead + tuple(size))

    @staticmethod
    def backward(ctx, g):
        return GatherFlat.apply(g, ctx.idx, ctx.nd)


def _max_unpoolnd(nd, input, indices, kernel_size, stride, padding, output_size):
    ksize = _tuple(kernel_size, nd)
    stride = ksize if stride is None else _tuple(stride, nd)
    padding = _tuple(padding, nd)
    default = tuple((L - 1) * s - 2 * p + k for L, s, p, k in zip(input.shape[-nd:], stride, padding, ksize))
    if output_size is None:
        size = default
    else:
        size = tuple(int(v) for v in output_size)
        if len(size) == nd + 2 or len(size) == input.ndim:
            size = size[-nd:]
        if len(size) != nd:
            raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it has "
                             f"a length of '{len(size)}'")
        for i, (o, d, s) in enumerate(zip(size, default, stride)):
            if not d - s < o < d + s:
                raise ValueError(f'invalid output_size "{tuple(size)}" (dim {i} must be between {d - s + 1} and '
                                 f"{d + s - 1})")
    return MaxUnpool.apply(input, indices, size)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool1d: non-maximal positions are zero."""
    return _max_unpoolnd(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool2d: non-maximal positions are zero."""
    return _max_unpoolnd(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpoolnd(3, input, indices, kernel_size, stride, padding, output_size)
