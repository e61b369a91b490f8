"""Region-of-interest pooling with torchvision's signatures and results: ``roi_align`` (Mask R-CNN,
He et al. 2017) and ``roi_pool`` (Fast R-CNN, Girshick 2015), with ``RoIAlign``/``RoIPool`` modules.

``boxes`` is a ``Tensor[K, 5]`` of ``(batch_index, x1, y1, x2, y2)`` rows or a list of ``Tensor[L, 4]``
(one per image). Box coordinates are in input-image pixels; ``spatial_scale`` maps them onto the
feature map. Both ops are differentiable in ``input`` (not in ``boxes``, as torchvision).

RoIAlign samples each of the ``PH x PW`` bins on a ``gh x gw`` grid (``sampling_ratio``, or
``ceil(roi_size / output_size)`` when it is <= 0) and averages bilinear samples. A sample's weight
factorises into a row part and a column part, so one RoI is ``out[c] = A_y @ x[c] @ A_x^T`` with
``A_y: (PH, H)`` and ``A_x: (PW, W)``; its gradient is ``A_y^T @ g[c] @ A_x``.

>>> import ember
>>> from ember.vision.ops import roi_align
>>> x = ember.arange(16.).reshape(1, 1, 4, 4)
>>> roi_align(x, ember.tensor([[0., 0., 0., 2., 2.]]), output_size=1, aligned=True)  # mean of x[0:2, 0:2]
tensor([[[[2.5000]]]])
"""
from __future__ import annotations

import math

import numpy as np

import ember
from ember.autograd.function import Op
from ember.nn import Module
from ember.tensor import Tensor


def _pair(v) -> tuple:
    return (int(v), int(v)) if isinstance(v, (int, np.integer)) else (int(v[0]), int(v[1]))


def convert_boxes_to_roi_format(boxes) -> Tensor:
    """A list of Tensor[L_i, 4] -> Tensor[sum L_i, 5] whose first column is the image index i."""
    rows = [ember.cat([ember.full((len(b), 1), float(i), dtype=b.dtype), b], dim=1) for i, b in enumerate(boxes)]
    return ember.cat(rows, dim=0)


def _rois(name: str, input: Tensor, boxes) -> np.ndarray:
    if input.ndim != 4:
        raise ValueError(f"{name}: input should be a 4d tensor (N, C, H, W), got shape {list(input.shape)}")
    if isinstance(boxes, (list, tuple)):
        for b in boxes:
            if b.ndim != 2 or b.shape[1] != 4:
                raise AssertionError(f"{name}: the shape of the tensor in the boxes list is not correct as "
                                     f"Tensor[L, 4], got {list(b.shape)}")
        boxes = convert_boxes_to_roi_format(boxes) if boxes else ember.zeros(0, 5, dtype=input.dtype)
    elif not isinstance(boxes, Tensor) or boxes.ndim != 2 or boxes.shape[1] != 5:
        shape = list(boxes.shape) if isinstance(boxes, Tensor) else type(boxes).__name__
        raise AssertionError(f"{name}: the boxes tensor shape is not correct as Tensor[K, 5], got {shape}; "
                             "pass (batch_index, x1, y1, x2, y2) rows or a list of Tensor[L, 4]")
    return boxes.detach().numpy().astype(np.float64)


def _axis_weights(start: float, extent: float, pooled: int, grid: int, size: int) -> np.ndarray:
    """(pooled, size) bilinear weights of RoIAlign's samples along one axis, averaged over the grid."""
    mat = np.zeros((pooled, size))
    if grid <= 0:
        return mat
    bin_size = extent / pooled
    p, i = np.meshgrid(np.arange(pooled), np.arange(grid), indexing="ij")
    y = start + p * bin_size + (i + 0.5) * bin_size / grid
    valid = (y >= -1.0) & (y <= size)
    y = np.maximum(y, 0.0)
    low = np.floor(y).astype(np.int64)
    at_end = low >= size - 1
    low = np.where(at_end, size - 1, low)
    high = np.where(at_end, size - 1, low + 1)
    y = np.where(at_end, low, y)
    frac = (y - low) * valid / grid
    rows = np.broadcast_to(p, y.shape)
    np.add.at(mat, (rows, low), valid / grid - frac)
    np.add.at(mat, (rows, high), frac)
    return mat


def _window(mat: np.ndarray) -> tuple:
    """The columns [lo, hi) where a weight matrix is non-zero, and the matrix cut to them (the RoI's window)."""
    cols = np.nonzero(mat.any(axis=0))[0]
    lo, hi = (int(cols[0]), int(cols[-1]) + 1) if cols.size else (0, 1)
    return slice(lo, hi), mat[:, lo:hi]


def _align_plan(rois: np.ndarray, shape: tuple, out_hw: tuple, scale: float, sampling_ratio: int,
                aligned: bool) -> list:
    """Per RoI: (batch index, rows window, A_y cut to it, columns window, A_x cut to it)."""
    _, _, h, w = shape
    ph, pw = out_hw
    offset = 0.5 if aligned else 0.0
    plan = []
    for b, x1, y1, x2, y2 in rois:
        sx, sy = x1 * scale - offset, y1 * scale - offset
        rw, rh = x2 * scale - offset - sx, y2 * scale - offset - sy
        if not aligned:
            rw, rh = max(rw, 1.0), max(rh, 1.0)
        gh = sampling_ratio if sampling_ratio > 0 else math.ceil(rh / ph)
        gw = sampling_ratio if sampling_ratio > 0 else math.ceil(rw / pw)
        rows, ay = _window(_axis_weights(sy, rh, ph, gh, h))
        cols, ax = _window(_axis_weights(sx, rw, pw, gw, w))
        plan.append((int(b), rows, ay, cols, ax))
    return plan


class _RoIAlign(Op):
    """out[k, c] = A_y(k) @ x[b_k, c] @ A_x(k)^T; backward: the adjoint, which scatters into x's shape."""

    @staticmethod
    def forward(ctx, x, plan, in_shape):
        ctx.plan, ctx.in_shape = plan, in_shape
        d = x._data
        out = np.zeros((len(plan), in_shape[1], plan[0][2].shape[0], plan[0][4].shape[0]), dtype=d.dtype)
        for k, (b, rows, ay, cols, ax) in enumerate(plan):
            out[k] = np.einsum("ph,chw,qw->cpq", ay, d[b, :, rows, cols], ax, optimize=True)
        return out

    @staticmethod
    def backward(ctx, g):
        return _RoIAlignAdjoint.apply(g, ctx.plan, ctx.in_shape), None, None


class _RoIAlignAdjoint(Op):
    """The transpose of :class:`_RoIAlign`: g_x[b_k, c] += A_y(k)^T @ g[k, c] @ A_x(k)."""

    @staticmethod
    def forward(ctx, g, plan, in_shape):
        ctx.plan, ctx.in_shape = plan, in_shape
        d = g._data
        out = np.zeros(in_shape, dtype=d.dtype)
        for k, (b, rows, ay, cols, ax) in enumerate(plan):
            out[b, :, rows, cols] += np.einsum("ph,cpq,qw->chw", ay, d[k], ax, optimize=True)
        return out

    @staticmethod
    def backward(ctx, gg):
        return _RoIAlign.apply(gg, ctx.plan, ctx.in_shape), None, None


def roi_align(input: Tensor, boxes, output_size, spatial_scale: float = 1.0, sampling_ratio: int = -1,
              aligned: bool = False) -> Tensor:
    """RoIAlign: average of bilinearly sampled points in each output bin. -> Tensor[K, C, PH, PW].

    ``aligned=True`` shifts the box by -0.5 pixel so that pixel centres, not corners, align (torchvision's
    recommended setting); with ``aligned=False`` RoIs are at least 1x1. A sample outside
    ``[-1, size]`` contributes 0; samples in ``[-1, 0)`` are clamped to the border.
    """
    rois = _rois("roi_align", input, boxes)
    plan = _align_plan(rois, tuple(input.shape), _pair(output_size), float(spatial_scale),
                       int(sampling_ratio), bool(aligned))
    if not plan:
        return ember.zeros(0, input.shape[1], *_pair(output_size), dtype=input.dtype)
    return _RoIAlign.apply(input, plan, tuple(input.shape))


def _bins(start: int, extent: int, pooled: int, size: int) -> tuple:
    """Per bin along one axis: [lo, hi) clamped to [0, size] (Fast R-CNN's floor/ceil quantisation)."""
    edges = np.arange(pooled + 1) * (extent / pooled)
    lo = np.clip(np.floor(edges[:-1]).astype(np.int64) + start, 0, size)
    hi = np.clip(np.ceil(edges[1:]).astype(np.int64) + start, 0, size)
    return lo, hi


def _pool_argmax(d: np.ndarray, rois: np.ndarray, out_hw: tuple, scale: float) -> tuple:
    """RoI max pooling on arrays: (values, flat argmax per (k, c, ph, pw), -1 for an empty bin).

    All bins of a RoI are gathered at once, padded to the largest bin with -inf; the arg-max of a bin's
    row-major flattening is the first maximum, as in the reference kernel."""
    _, c, h, w = d.shape
    ph, pw = out_hw
    vals = np.zeros((len(rois), c, ph, pw), dtype=d.dtype)
    arg = np.full((len(rois), c, ph, pw), -1, dtype=np.int64)
    for k, (b, x1, y1, x2, y2) in enumerate(rois):
        sw, sh = _round(x1 * scale), _round(y1 * scale)
        ew, eh = _round(x2 * scale), _round(y2 * scale)
        hs, he = _bins(sh, max(eh - sh + 1, 1), ph, h)
        ws, we = _bins(sw, max(ew - sw + 1, 1), pw, w)
        mh, mw = max(int((he - hs).max()), 1), max(int((we - ws).max()), 1)
        rows = hs[:, None] + np.arange(mh)  # (ph, mh)
        cols = ws[:, None] + np.arange(mw)  # (pw, mw)
        ok = (rows < he[:, None])[:, None, :, None] & (cols < we[:, None])[None, :, None, :]  # (ph, pw, mh, mw)
        r = np.minimum(rows, h - 1)[:, None, :, None]
        q = np.minimum(cols, w - 1)[None, :, None, :]
        win = np.where(ok, d[int(b)][:, r, q], -np.inf).reshape(c, ph, pw, mh * mw)
        a = win.argmax(axis=-1)
        best = np.take_along_axis(win, a[..., None], axis=-1)[..., 0]
        flat = np.broadcast_to(r * w + q, (ph, pw, mh, mw)).reshape(ph, pw, -1)
        empty = ~ok.reshape(ph, pw, -1).any(-1)
        idx = np.take_along_axis(np.broadcast_to(flat, (c,) + flat.shape), a[..., None], axis=-1)[..., 0]
        vals[k] = np.where(empty, 0, best)
        arg[k] = np.where(empty, -1, idx)
    return vals, arg


def _round(v: float) -> int:
    """C's round(): halves away from zero."""
    return int(math.floor(v + 0.5)) if v >= 0 else -int(math.floor(-v + 0.5))


class _RoIPool(Op):
    """out[k, c, i, j] = max of x[b_k, c] over bin (i, j); backward routes g to the argmax."""

    @staticmethod
    def forward(ctx, x, rois, out_hw, scale):
        vals, arg = _pool_argmax(x._data, rois, out_hw, scale)
        ctx.index = (rois[:, 0].astype(np.int64), arg, x._data.shape)
        return vals

    @staticmethod
    def backward(ctx, g):
        return _RoIPoolAdjoint.apply(g, ctx.index), None, None, None


class _RoIPoolAdjoint(Op):
    """Scatter-add of g[k, c, i, j] into x[b_k, c] at the argmax; its backward gathers there."""

    @staticmethod
    def forward(ctx, g, index):
        batch, arg, shape = index
        ctx.index = index
        n, c, h, w = shape
        flat = (batch[:, None, None, None] * c + np.arange(c)[None, :, None, None]) * (h * w) + arg
        hit = arg >= 0
        out = np.bincount(flat[hit], weights=g._data[hit], minlength=n * c * h * w)  # a scatter-add
        return out.astype(g._data.dtype).reshape(shape)

    @staticmethod
    def backward(ctx, gg):
        batch, arg, shape = ctx.index
        n, c, h, w = shape
        flat = gg.reshape(n, c, h * w)._data
        bi = np.broadcast_to(batch[:, None, None, None], arg.shape)
        ci = np.broadcast_to(np.arange(c)[None, :, None, None], arg.shape)
        vals = np.where(arg >= 0, flat[bi, ci, np.maximum(arg, 0)], 0).astype(flat.dtype)
        return ember.from_numpy(vals), None


def roi_pool(input: Tensor, boxes, output_size, spatial_scale: float = 1.0) -> Tensor:
    """RoI max pooling (Fast R-CNN): each box, rounded to feature-map cells, is split into
    ``PH x PW`` bins and each bin is max-pooled (an empty bin gives 0). -> Tensor[K, C, PH, PW]."""
    rois = _rois("roi_pool", input, boxes)
    return _RoIPool.apply(input, rois, _pair(output_size), float(spatial_scale))


class RoIAlign(Module):
    """Module form of :func:`roi_align` (holds ``output_size``, ``spatial_scale``, ``sampling_ratio``,
    ``aligned``)."""

    def __init__(self, output_size, spatial_scale: float, sampling_ratio: int, aligned: bool = False) -> None:
        super().__init__()
        self.output_size, self.spatial_scale = output_size, spatial_scale
        self.sampling_ratio, self.aligned = sampling_ratio, aligned

    def forward(self, input: Tensor, rois) -> Tensor:
        return roi_align(input, rois, self.output_size, self.spatial_scale, self.sampling_ratio, self.aligned)

    def __repr__(self) -> str:
        return (f"RoIAlign(output_size={self.output_size}, spatial_scale={self.spatial_scale}, "
                f"sampling_ratio={self.sampling_ratio}, aligned={self.aligned})")


class RoIPool(Module):
    """Module form of :func:`roi_pool`."""

    def __init__(self, output_size, spatial_scale: float) -> None:
        super().__init__()
        self.output_size, self.spatial_scale = output_size, spatial_scale

    def forward(self, input: Tensor, rois) -> Tensor:
        return roi_pool(input, rois, self.output_size, self.spatial_scale)

    def __repr__(self) -> str:
        return f"RoIPool(output_size={self.output_size}, spatial_scale={self.spatial_scale})"
