"""oneDNN primitives on plain (NCHW or channels-last) float32 arrays: batch norm, elementwise, average and max
pooling.

The same contracts as ``kernels_numba``'s (None: not covered, and the kernel switch asks numba/NumPy), with
no reorders and no compilation (oneDNN's JIT takes milliseconds, where numba's first compile of each
parallel kernel takes seconds: the first run of ``ember train``).

Batch norm is composed from the binary primitive (``dst = src0 op src1``, then binary post-ops, one pass
over memory each: a per-channel vector is broadcast as (1, C, 1)) and NumPy's per-channel sums: oneDNN's
own batch-norm primitive on plain NCHW (``ncsp_bnorm``, not a JIT kernel) measured 5-25x slower than this
and 2x slower than torch.

    forward:  mean = sum(x) / M;  xc = x - mean;  var = sum(xc^2) / M;  x_hat = xc / sqrt(var + eps);
              y = x_hat * w + b                      (M = N * H * W; biased variance)
    backward: dx = w / std * (g - sum(g) / M - x_hat * sum(g x_hat) / M)
"""
from __future__ import annotations

import threading

import numpy as np

from . import onednn as D

_F32 = np.dtype(np.float32)
_simple: dict = {}
MAX_PRIMITIVES = 256


class _Plain:
    """One primitive on plain arrays, built from ``make_pd(attr)`` with ``args`` (arg id -> Desc)."""

    def __init__(self, make_pd, args: dict, attr: int | None = None):
        self.attr = D.attr() if attr is None else attr
        pd = make_pd(self.attr)
        self.scratch = D.Desc.of(pd, D.Q_SCRATCHPAD)
        mems = {arg: D.Memory(desc) for arg, desc in args.items()}
        mems[D.ARG_SCRATCHPAD] = D.Memory(self.scratch)
        self.prim = D.Primitive(pd, mems)
        self.lock = threading.Lock()
        self.hint = None  # a backward primitive's forward hint, kept alive with it

    def __del__(self):
        if self.hint is not None and D.fn is not None:
            D.fn.dnnl_primitive_desc_destroy(self.hint)

    def run(self, *arrays) -> None:
        with self.lock:
            self.prim.run(*arrays, D.buffer("scratch", self.scratch.size))


def _cached(key, build) -> _Plain:
    p = _simple.get(key)
    if p is None:
        if len(_simple) >= MAX_PRIMITIVES:
            _simple.clear()
        p = _simple[key] = build()
    return p


def _dense_ncp(x: np.ndarray):
    """(N, C, P) shape and element strides of a float32 (N, C, *) array stored contiguously in NCHW or
    channels-last order (so ``np.empty_like`` has the same layout), or None when not covered."""
    if x.dtype != _F32 or x.ndim < 3 or x.size == 0 or x.size == x.shape[0] * x.shape[1]:
        return None  # one value per (sample, channel): both layouts coincide and the binary primitive errs there
    if not (x.flags.c_contiguous or np.moveaxis(x, 1, -1).flags.c_contiguous):
        return None
    x3 = x.reshape(x.shape[0], x.shape[1], -1)  # a view for both layouts
    return x3.shape, tuple(st // 4 for st in x3.strides)


def _binary(shape: tuple, strides: tuple, ops: tuple) -> _Plain:
    """dst = ((src0 op0 a0) op1 a1) ... over an (N, C, P) array of ``strides``: ``ops`` is ((alg, kind), ...),
    the first the binary primitive's own, the others its post-ops; kind "c" is a per-channel vector, "x" an
    array of src0's layout. ``run(src0, a0, dst, a1, a2, ...)``; src0 may be dst (in place)."""

    def build():
        data = D.Desc.strided(shape, strides)
        desc = {"c": D.Desc.strided((1, shape[1], 1), (shape[1], 1, 1)), "x": data}
        (alg, kind), posts = ops[0], ops[1:]
        attr = D.attr(binary=tuple((a, desc[k]) for a, k in posts))
        args = {D.ARG_SRC: data, D.ARG_SRC_1: desc[kind], D.ARG_DST: data}
        args.update({D.ARG_POST_OP(i): desc[k] for i, (_, k) in enumerate(posts)})
        return _Plain(lambda a: D.new("dnnl_binary_primitive_desc_create", D.ENGINE, alg, data.h, desc[kind].h,
                                      data.h, a), args, attr)

    return _cached(("binary", shape, strides, ops), build)


def _vec(v, c: int, fill: float) -> np.ndarray:
    return np.full(c, fill, _F32) if v is None else np.ascontiguousarray(v, dtype=_F32).reshape(c)


def _channel_sums(a3: np.ndarray, b3: np.ndarray | None = None) -> np.ndarray:
    """Per-channel sums of an (N, C, P) array (or of the product of two), float64: float32 sums per (n, c)
    row of P values (pairwise for contiguous rows), then the N rows in float64."""
    rows = a3.sum(axis=2) if b3 is None else np.einsum("ncp,ncp->nc", a3, b3)
    return rows.sum(axis=0, dtype=np.float64)


_MUL, _ADD = D.BINARY_MUL, D.BINARY_ADD


def channel_affine(x, s, t):
    """y = x * s[c] + t[c] over axis 1 of (N, C, *) (inference batch norm), or None when not covered: one
    pass, in the input's layout (NCHW or channels-last)."""
    geom = _dense_ncp(x)
    if geom is None:
        return None
    shape, strides = geom
    y = np.empty_like(x)
    _binary(shape, strides, ((_MUL, "c"), (_ADD, "c"))).run(x, _vec(s, shape[1], 1), y, _vec(t, shape[1], 0))
    return y


def batch_norm_train(x, w, b, eps):
    """Training batch norm: (y, x_hat, mean, biased var, 1/std), or None when not covered."""
    geom = _dense_ncp(x)
    if geom is None:
        return None
    shape, strides = geom
    n, c, p = shape
    m = n * p
    mean = _channel_sums(x.reshape(shape)) / m
    xhat = np.empty_like(x)
    _binary(shape, strides, ((_ADD, "c"),)).run(x, (-mean).astype(_F32), xhat)  # x - mean
    xh3 = xhat.reshape(shape)
    var = _channel_sums(xh3, xh3) / m
    rstd = (1.0 / np.sqrt(var + eps)).astype(_F32)
    _binary(shape, strides, ((_MUL, "c"),)).run(xhat, rstd, xhat)
    y = np.empty_like(x)
    _binary(shape, strides, ((_MUL, "c"), (_ADD, "c"))).run(xhat, _vec(w, c, 1), y, _vec(b, c, 0))
    return y, xhat, mean.astype(_F32), var.astype(_F32), rstd


def batch_norm_backward(g, xhat, scale):
    """(dx, sum(g), sum(g x_hat)) per channel, with ``scale`` = gamma / std; None when not covered.
    dx = ((x_hat * -sum(g x_hat) / M) + g) * scale + (-scale * sum(g) / M): one binary multiply and
    three post-ops, one pass."""
    geom = _dense_ncp(xhat)
    if geom is None or g.dtype != _F32 or g.shape != xhat.shape:
        return None
    shape, strides = geom
    if g.strides != xhat.strides:  # the post-op reads g in x_hat's layout
        g = _like(g, xhat)
    n, c, p = shape
    m = n * p
    g3 = g.reshape(shape)
    sum_g, sum_gx = _channel_sums(g3), _channel_sums(g3, xhat.reshape(shape))
    a = _vec(scale, c, 1)
    dx = np.empty_like(xhat)
    _binary(shape, strides, ((_MUL, "c"), (_ADD, "x"), (_MUL, "c"), (_ADD, "c"))).run(
        xhat, (-sum_gx / m).astype(_F32), dx, g, a, (-a * sum_g / m).astype(_F32))
    return dx, sum_g.astype(_F32), sum_gx.astype(_F32)


def _like(a: np.ndarray, layout: np.ndarray) -> np.ndarray:
    """A copy of ``a`` in the memory layout of ``layout``."""
    out = np.empty_like(layout)
    np.copyto(out, a)
    return out


def sigmoid(x):
    """1 / (1 + e^-x) for a C-contiguous float32 array by oneDNN's logistic (one pass on the OpenMP pool; NumPy's
    takes four single-threaded passes); None when not covered."""
    if x.dtype != _F32 or x.ndim == 0 or x.size == 0 or not x.flags.c_contiguous:
        return None
    n = x.size

    def build():
        data = D.Desc.tagged((n,), D.TAG_A)
        return _Plain(lambda attr: D.new("dnnl_eltwise_forward_primitive_desc_create", D.ENGINE, D.FORWARD_INFERENCE,
                                         D.ELTWISE_LOGISTIC_USE_DST, data.h, data.h, 0.0, 0.0, attr),
                      {D.ARG_SRC: data, D.ARG_DST: data})

    y = np.empty(x.shape, _F32)
    _cached(("sigmoid", n), build).run(x, y)
    return y


def sigmoid_backward(g, y):
    """g * y * (1 - y) for same-shape float32 arrays (None when not covered)."""
    if g.shape != y.shape or g.dtype != _F32 or y.dtype != _F32 or y.size == 0:
        return None
    n = y.size

    def build():
        data = D.Desc.tagged((n,), D.TAG_A)
        alg = D.ELTWISE_LOGISTIC_USE_DST
        hint = D.new("dnnl_eltwise_forward_primitive_desc_create", D.ENGINE, D.FORWARD_TRAINING, alg, data.h, data.h,
                     0.0, 0.0, None)
        plain = _Plain(lambda attr: D.new("dnnl_eltwise_backward_primitive_desc_create", D.ENGINE, alg, data.h,
                                          data.h, data.h, 0.0, 0.0, hint, attr),
                       {D.ARG_DIFF_DST: data, D.ARG_DST: data, D.ARG_DIFF_SRC: data})
        plain.hint = hint
        return plain

    dx = np.empty(y.shape, _F32)
    _cached(("sigmoid_bwd", n), build).run(np.ascontiguousarray(g), np.ascontiguousarray(y), dx)
    return dx


def _pool_geometry(spatial, out, ksize, stride, dilation):
    """(4-d src shape builder, pooling dims) for the window kernels' 2-d case, or None."""
    if len(out) != 2:
        return None
    zero = D.dims((0, 0))
    return (D.dims(stride), D.dims(ksize), D.dims(d - 1 for d in dilation), zero, zero)


def _pool_pds(src, dst, geom):
    """Average-pooling (include padding, none here) forward pd maker and the backward's, as closures."""
    s_md = D.Desc.strided(src, D.strides(src, range(4)))
    d_md = D.Desc.strided(dst, D.strides(dst, range(4)))
    alg = D.POOLING_AVG_INCLUDE_PADDING

    def fwd(attr, prop=D.FORWARD_INFERENCE):
        return D.new("dnnl_pooling_forward_primitive_desc_create", D.ENGINE, prop, alg, s_md.h, d_md.h, *geom, attr)

    def bwd(attr, hint):
        return D.new("dnnl_pooling_backward_primitive_desc_create", D.ENGINE, alg, s_md.h, d_md.h, *geom, hint, attr)

    return s_md, d_md, fwd, bwd


def _nc(shape):
    """(..., H, W) -> an (N, C, H, W) reading of the leading dims."""
    lead = shape[:-2]
    if len(lead) == 2:
        return tuple(shape)
    return (1, int(np.prod(lead, dtype=np.int64))) + tuple(shape[-2:])


def window_sum(xp, out, ksize, stride, dilation):
    """Sums over the windows of a padded (..., H, W) float32 C-contiguous array, or None when not covered:
    oneDNN's average pooling times the window size."""
    geom = _pool_geometry(xp.shape[-2:], out, ksize, stride, dilation)
    if geom is None or xp.dtype != _F32 or not xp.flags.c_contiguous or xp.size == 0:
        return None
    src = _nc(xp.shape)
    dst = src[:2] + tuple(out)
    key = ("avg_fwd", src, dst, tuple(ksize), tuple(stride), tuple(dilation))

    def build():
        s_md, d_md, fwd, _ = _pool_pds(src, dst, geom)
        return _Plain(fwd, {D.ARG_SRC: s_md, D.ARG_DST: d_md})

    y = np.empty(xp.shape[:-2] + tuple(out), _F32)
    _cached(key, build).run(xp, y)
    y *= np.float32(ksize[0] * ksize[1])
    return y


def window_scatter(g, spatial, out, ksize, stride, dilation):
    """dx[window] += g for every window into a zeroed (..., *spatial) float32 array, or None when not covered:
    oneDNN's average-pooling backward of g times the window size."""
    geom = _pool_geometry(spatial, out, ksize, stride, dilation)
    if geom is None or g.dtype != _F32 or g.size == 0:
        return None
    dst = _nc(g.shape)
    src = dst[:2] + tuple(spatial)
    key = ("avg_bwd", src, dst, tuple(ksize), tuple(stride), tuple(dilation))

    def build():
        s_md, d_md, fwd, bwd = _pool_pds(src, dst, geom)
        hint = fwd(None, D.FORWARD_TRAINING)
        plain = _Plain(lambda attr: bwd(attr, hint), {D.ARG_DIFF_DST: d_md, D.ARG_DIFF_SRC: s_md})
        plain.hint = hint
        return plain

    dx = np.empty(g.shape[:-2] + tuple(spatial), _F32)
    _cached(key, build).run(np.multiply(g, np.float32(ksize[0] * ksize[1]), dtype=_F32), dx)
    return dx


_LOWEST = np.finfo(np.float32).min


def _max_pool_plain(src: tuple, dst: tuple, ksize, stride, backward: bool) -> _Plain:
    """oneDNN's max pooling (training forward, or its backward) between plain (N, C, H, W) arrays, no padding
    (the caller pads), no dilation; ``.ws``: the workspace's descriptor (each output's window offset)."""
    def build():
        geom = (D.dims(stride), D.dims(ksize), D.dims((0, 0)), D.dims((0, 0)), D.dims((0, 0)))
        s_md = D.Desc.strided(src, D.strides(src, range(4)))
        d_md = D.Desc.strided(dst, D.strides(dst, range(4)))

        def fwd(attr):
            return D.new("dnnl_pooling_forward_primitive_desc_create", D.ENGINE, D.FORWARD_TRAINING, D.POOLING_MAX,
                         s_md.h, d_md.h, *geom, attr)

        if not backward:
            pd = fwd(D.attr())
            ws = D.Desc.of(pd, D.Q_WORKSPACE)
            D.fn.dnnl_primitive_desc_destroy(pd)
            plain = _Plain(fwd, {D.ARG_SRC: s_md, D.ARG_DST: d_md, D.ARG_WORKSPACE: ws})
        else:
            hint = fwd(D.attr())
            ws = D.Desc.of(hint, D.Q_WORKSPACE)
            plain = _Plain(lambda attr: D.new("dnnl_pooling_backward_primitive_desc_create", D.ENGINE, D.POOLING_MAX,
                                              s_md.h, d_md.h, *geom, hint, attr),
                           {D.ARG_DIFF_DST: d_md, D.ARG_WORKSPACE: ws, D.ARG_DIFF_SRC: s_md})
            plain.hint = hint
        plain.ws = ws
        return plain

    return _cached(("max_bwd" if backward else "max_fwd", src, dst, tuple(ksize), tuple(stride)), build)


def _ws_dtype(ws_bytes: int, outputs: int):
    """The workspace's element type: one byte per output (kernels of up to 256 taps) or four."""
    return {outputs: np.uint8, 4 * outputs: np.int32}.get(ws_bytes)


def max_pool(xp, out, ksize, stride, dilation, first=None):
    """oneDNN's max pooling of a padded (..., H, W) float32 C-contiguous array: ``(y, arg)``, ``arg`` the window
    offset (row-major) of each output's first maximum, from oneDNN's workspace: torch's scan wherever the maximum
    is above float32's lowest value and no NaN is present (then it never lies in the -inf padding, and ``first``
    does not matter). None when not covered: not 2-d, dilated (oneDNN runs its slow reference kernel there), a
    NaN in the input (oneDNN skips NaN, torch propagates it) or an output at or below float32's lowest value
    (oneDNN starts every max there, so a window of -inf would give -3.4e38 where torch gives -inf)."""
    if len(out) != 2 or xp.dtype != _F32 or not xp.flags.c_contiguous or xp.size == 0 or \
            any(d != 1 for d in dilation) or np.isnan(np.add.reduce(xp, axis=None)):
        return None  # the sum is NaN where x has a NaN (or both infinities: a rare input sent to numba too)
    src = _nc(xp.shape)
    dst = src[:2] + tuple(out)
    plain = _max_pool_plain(src, dst, ksize, stride, False)
    y = np.empty(xp.shape[:-2] + tuple(out), _F32)
    wdt = _ws_dtype(plain.ws.size, y.size)
    if wdt is None:
        return None
    arg = np.empty(y.shape, wdt)
    plain.run(xp, y, arg)
    if y.min() <= _LOWEST:
        return None
    return y, arg


def max_pool_backward(g, arg, spatial, out, ksize, stride, dilation):
    """g scattered to each window's arg-max through oneDNN's max-pooling backward, when ``arg`` is the window
    offsets that ``max_pool`` above returned (oneDNN's workspace type); None when not covered."""
    if arg is None or len(out) != 2 or g.dtype != _F32 or g.size == 0 or any(d != 1 for d in dilation) or \
            arg.dtype not in (np.uint8, np.int32) or not arg.flags.c_contiguous:
        return None
    dst = _nc(g.shape)
    src = dst[:2] + tuple(spatial)
    plain = _max_pool_plain(src, dst, ksize, stride, True)
    if _ws_dtype(plain.ws.size, g.size) != arg.dtype:
        return None
    dx = np.empty(g.shape[:-2] + tuple(spatial), _F32)
    plain.run(np.ascontiguousarray(g), arg, dx)
    return dx


def transposed(a):
    """``a.T`` as a C-contiguous array for a 2-d float32 ``a`` with a unit stride (a oneDNN reorder, on the
    OpenMP pool: 1024x256 in 154 us at 1 thread and 88 us at 2, NumPy's strided copy 395 and 320 us; ``a.T``
    itself when it is C-contiguous already); None when not covered."""
    if a.dtype != _F32 or a.ndim != 2 or a.size == 0 or not (a.flags.c_contiguous or a.flags.f_contiguous):
        return None
    t = a.T
    if t.flags.c_contiguous:
        return t
    st = tuple(x // 4 for x in t.strides)

    def build():
        src, dst = D.Desc.strided(t.shape, st), D.Desc.strided(t.shape, (t.shape[1], 1))
        return _Plain(lambda attr: D.new("dnnl_reorder_primitive_desc_create", src.h, D.ENGINE, dst.h, D.ENGINE,
                                         attr), {D.ARG_FROM: src, D.ARG_TO: dst})

    out = np.empty(t.shape, _F32)
    _cached(("transposed", t.shape, st), build).run(a, out)
    return out


KERNELS = {"max_pool": max_pool, "max_pool_backward": max_pool_backward,
           "window_sum": window_sum, "window_scatter": window_scatter, "batch_norm_train": batch_norm_train,
           "batch_norm_backward": batch_norm_backward, "channel_affine": channel_affine,
           "sigmoid": sigmoid, "sigmoid_backward": sigmoid_backward, "transposed": transposed}
