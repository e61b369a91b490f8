"""Convolution through oneDNN (the library torch's CPU convolutions use), float32, 1-d and 2-d.

A ``ConvPlan`` holds oneDNN's primitives for one geometry (shapes, stride, padding, dilation, groups),
built on first use and cached by that key: forward, backward-data and backward-weights, each made with
``format_tag any`` memory descriptors so oneDNN picks its fast blocked layout (with plain NCHW
descriptors it picks a GEMM kernel 1.3-4.5x slower), plus the reorders between ember's arrays (NCHW or
channels-last) and those layouts. The blocked temporaries live in per-thread buffers reused by every
plan (a call never keeps one), the scratchpad in one 64-byte-aligned per-thread buffer.

The plan is role-neutral: a transposed convolution is the backward-data pass of the convolution with
input and output swapped, and its gradients are that convolution's forward and backward-weights.

Importing this module raises ImportError when oneDNN is missing (see ``ember.backends.onednn``).
"""
from __future__ import annotations

import threading

import numpy as np

from . import onednn as D

_plans: dict = {}
_tls = threading.local()
MAX_PLANS = 256  # distinct geometries kept (a run uses a few dozen)


def _buffer(slot: str, nbytes: int) -> np.ndarray:
    """A per-thread, 64-byte-aligned temporary (a blocked copy or the scratchpad), grown as needed."""
    bufs = getattr(_tls, "bufs", None)
    if bufs is None:
        bufs = _tls.bufs = {}
    buf = bufs.get(slot)
    if buf is None or buf.nbytes < nbytes:
        buf = bufs[slot] = D.aligned(max(nbytes, 64))
    return buf


def _layout(a: np.ndarray):
    """(array, strides in elements) for a C-contiguous or channels-last array; others are copied."""
    if not a.flags.c_contiguous:
        t = np.moveaxis(a, 1, -1)
        if not t.flags.c_contiguous:
            a = np.ascontiguousarray(a)
    if a.flags.c_contiguous:
        return a, _strides(a.shape, range(a.ndim))
    return a, _strides(a.shape, (0,) + tuple(range(2, a.ndim)) + (1,))


def _strides(shape, order) -> tuple:
    """Element strides of ``shape`` stored with its dims in ``order`` (outermost first)."""
    st = [0] * len(shape)
    step = 1
    for d in reversed(tuple(order)):
        st[d] = step
        step *= shape[d]
    return tuple(st)


def _empty(shape: tuple, channels_last: bool) -> np.ndarray:
    if not channels_last:
        return np.empty(shape, dtype=np.float32)
    return np.moveaxis(np.empty((shape[0],) + shape[2:] + (shape[1],), dtype=np.float32), -1, 1)


class _Stage:
    """One primitive with reorders around it: ``inputs`` (role -> the primitive's desc), ``outputs``."""

    def __init__(self, pd: int, ins: dict, outs: dict, extra: dict):
        self.descs = {**ins, **outs}
        self.ins, self.outs = ins, outs
        self.scratch = D.Desc.of(pd, D.Q_SCRATCHPAD)
        mems = {arg: D.Memory(desc) for arg, desc in self.descs.items()}
        mems.update({arg: D.Memory(desc) for arg, desc in extra.items()})
        mems[D.ARG_SCRATCHPAD] = D.Memory(self.scratch)
        self.order = list(mems)
        self.prim = D.Primitive(pd, mems)
        self.reorders: dict = {}

    def reorder(self, arg: int, strides: tuple, shape: tuple, into: bool):
        """The cached reorder between a user array of ``strides`` and the primitive's layout for ``arg``."""
        key = (arg, strides)
        if key not in self.reorders:
            user = D.Desc.strided(shape, strides)
            mine = self.descs[arg]
            self.reorders[key] = D.reorder(user, mine) if into else D.reorder(mine, user)
        return self.reorders[key]

    def run(self, arrays: dict) -> None:
        """``arrays``: arg -> user array (inputs are read, outputs written); blocked copies in between."""
        bound, back = {}, []
        for i, (arg, a) in enumerate(arrays.items()):
            if arg not in self.descs:
                bound[arg] = a
                continue
            a, st = _layout(a) if arg in self.ins else (a, _layout(a)[1])
            r = self.reorder(arg, st, a.shape, arg in self.ins)
            if r is None:
                bound[arg] = a
                continue
            tmp = _buffer(f"t{i}", self.descs[arg].size)
            if arg in self.ins:
                r.run(a, tmp)
            else:
                back.append((r, tmp, a))
            bound[arg] = tmp
        bound[D.ARG_SCRATCHPAD] = _buffer("scratch", self.scratch.size)
        self.prim.run(*(bound[arg] for arg in self.order))
        for r, tmp, a in back:
            r.run(tmp, a)


class ConvPlan:
    """oneDNN's convolution primitives for one geometry (2-d; 1-d is 2-d with height 1)."""

    def __init__(self, src: tuple, wshape: tuple, dst: tuple, stride, pads, dilation, groups: int, bias: bool,
                 train: bool):
        self.src, self.dst, self.groups = src, dst, groups
        cout = wshape[0]
        self.wdims = wshape if groups == 1 else (groups, cout // groups) + tuple(wshape[1:])
        self.wshape = wshape
        self.geom = (D.dims(stride), D.dims(d - 1 for d in dilation),  # oneDNN counts dilation from 0
                     D.dims(lo for lo, _ in pads), D.dims(hi for _, hi in pads))
        self.bias_desc = D.Desc.tagged((cout,), D.TAG_A) if bias else None
        self.lock = threading.Lock()
        any_ = D.TAG_ANY
        self.md = {"src": D.Desc.tagged(src, any_), "w": D.Desc.tagged(self.wdims, any_),
                   "dst": D.Desc.tagged(dst, any_)}
        prop = D.FORWARD_TRAINING if train else D.FORWARD_INFERENCE
        self.attr = D.attr()
        self.fwd_pd = D.new("dnnl_convolution_forward_primitive_desc_create", D.ENGINE, prop,
                            D.CONVOLUTION_DIRECT, self.md["src"].h, self.md["w"].h,
                            self.bias_desc.h if bias else None, self.md["dst"].h, *self.geom, self.attr)
        self._fwd = self._bwd_data = self._bwd_w = None

    # ---- stages, built on first use
    def _stage_fwd(self) -> _Stage:
        if self._fwd is None:
            pd = self.fwd_pd
            extra = {D.ARG_BIAS: self.bias_desc} if self.bias_desc is not None else {}
            self._fwd = _Stage(pd, {D.ARG_SRC: D.Desc.of(pd, D.Q_SRC), D.ARG_WEIGHTS: D.Desc.of(pd, D.Q_WEIGHTS)},
                               {D.ARG_DST: D.Desc.of(pd, D.Q_DST)}, extra)
            self.fwd_pd = None  # owned by the stage's primitive now
            self._hint = pd
        return self._fwd

    def _stage_bwd_data(self) -> _Stage:
        if self._bwd_data is None:
            self._stage_fwd()
            pd = D.new("dnnl_convolution_backward_data_primitive_desc_create", D.ENGINE, D.CONVOLUTION_DIRECT,
                       self.md["src"].h, self.md["w"].h, self.md["dst"].h, *self.geom, self._hint, self.attr)
            self._bwd_data = _Stage(pd, {D.ARG_DIFF_DST: D.Desc.of(pd, D.Q_DIFF_DST),
                                         D.ARG_WEIGHTS: D.Desc.of(pd, D.Q_WEIGHTS)},
                                    {D.ARG_DIFF_SRC: D.Desc.of(pd, D.Q_DIFF_SRC)}, {})
        return self._bwd_data

    def _stage_bwd_w(self, bias: bool) -> _Stage:
        if self._bwd_w is None or self._bwd_w[0] != bias:
            self._stage_fwd()
            bdesc = D.Desc.tagged((self.wshape[0],), D.TAG_A) if bias else None
            pd = D.new("dnnl_convolution_backward_weights_primitive_desc_create", D.ENGINE, D.CONVOLUTION_DIRECT,
                       self.md["src"].h, self.md["w"].h, bdesc.h if bias else None, self.md["dst"].h,
                       *self.geom, self._hint, self.attr)
            extra = {D.ARG_DIFF_BIAS: bdesc} if bias else {}
            self._bwd_w = (bias, _Stage(pd, {D.ARG_SRC: D.Desc.of(pd, D.Q_SRC),
                                             D.ARG_DIFF_DST: D.Desc.of(pd, D.Q_DIFF_DST)},
                                        {D.ARG_DIFF_WEIGHTS: D.Desc.of(pd, D.Q_DIFF_WEIGHTS)}, extra))
        return self._bwd_w[1]

    # ---- the three passes on ember's arrays (float32; NCHW or channels-last)
    def forward(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, channels_last: bool) -> np.ndarray:
        y = _empty(self.dst, channels_last)
        args = {D.ARG_SRC: x, D.ARG_WEIGHTS: self._w(w), D.ARG_DST: y}
        if self.bias_desc is not None:
            args[D.ARG_BIAS] = np.ascontiguousarray(b)
        with self.lock:
            self._stage_fwd().run(args)
        return y

    def backward_data(self, g: np.ndarray, w: np.ndarray, channels_last: bool) -> np.ndarray:
        dx = _empty(self.src, channels_last)
        with self.lock:
            self._stage_bwd_data().run({D.ARG_DIFF_DST: g, D.ARG_WEIGHTS: self._w(w), D.ARG_DIFF_SRC: dx})
        return dx

    def backward_weights(self, x: np.ndarray, g: np.ndarray, bias: bool):
        dw = np.empty(self.wdims, dtype=np.float32)
        args = {D.ARG_SRC: x, D.ARG_DIFF_DST: g, D.ARG_DIFF_WEIGHTS: dw}
        db = None
        if bias:
            db = args[D.ARG_DIFF_BIAS] = np.empty(self.wshape[0], dtype=np.float32)
        with self.lock:
            self._stage_bwd_w(bias).run(args)
        return dw.reshape(self.wshape), db

    def _w(self, w: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(w).reshape(self.wdims)


def _plan(src: tuple, wshape: tuple, dst: tuple, stride, pads, dilation, groups, bias, train) -> ConvPlan:
    key = (src, wshape, dst, stride, pads, dilation, groups, bias, train)
    plan = _plans.get(key)
    if plan is None:
        if len(_plans) >= MAX_PLANS:
            _plans.clear()
        plan = _plans[key] = ConvPlan(src, wshape, dst, stride, pads, dilation, groups, bias, train)
    return plan


def _as2d(shape: tuple) -> tuple:
    return shape if len(shape) == 4 else shape[:2] + (1,) + shape[2:]


def conv_plan(xshape: tuple, wshape: tuple, stride, pads, dilation, groups: int, bias: bool, train: bool):
    """The plan of ``conv{1,2}d`` (x, w shapes as the op sees them), or None where oneDNN is not used."""
    if len(xshape) not in (3, 4):
        return None
    if len(xshape) == 3:
        stride, dilation, pads = (1,) + tuple(stride), (1,) + tuple(dilation), ((0, 0),) + tuple(pads)
    src, ws = _as2d(xshape), _as2d(wshape)
    out = tuple((sz + lo + hi - dl * (k - 1) - 1) // s + 1
                for sz, (lo, hi), k, s, dl in zip(src[2:], pads, ws[2:], stride, dilation))
    return _plan(src, ws, (src[0], ws[0]) + out, tuple(stride), tuple(pads), tuple(dilation), groups, bias, train)


def conv_transpose_plan(xshape: tuple, wshape: tuple, outshape: tuple, stride, padding, dilation, groups: int):
    """The plan of ``conv_transpose{1,2}d``: the convolution from its output (N, Cout, *L_out) to its input,
    whose weight (Cin, Cout/G, *K) is that convolution's; None where oneDNN is not used."""
    if len(xshape) not in (3, 4):
        return None
    if len(xshape) == 3:
        stride, dilation, padding = (1,) + tuple(stride), (1,) + tuple(dilation), (0,) + tuple(padding)
    src, dst, ws = _as2d(outshape), _as2d(xshape), _as2d(wshape)
    for sz, o, p, k, s, dl in zip(src[2:], dst[2:], padding, ws[2:], stride, dilation):
        if (sz + 2 * p - dl * (k - 1) - 1) // s + 1 != o:  # output_padding >= stride: not expressible
            return None
    pads = tuple((p, p) for p in padding)
    return _plan(src, ws, dst, tuple(stride), pads, tuple(dilation), groups, False, True)
