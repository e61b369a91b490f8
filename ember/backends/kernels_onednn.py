"""Convolution through oneDNN (the library torch's CPU convolutions use), float32, 1-d and 2-d.

A ``ConvPlan`` holds oneDNN's primitives for one geometry (shapes, stride, padding, dilation, groups),
built on first use and cached by that key: forward, backward-data and backward-weights, each made with
``format_tag any`` memory descriptors so oneDNN picks its fast blocked layout (with plain NCHW
descriptors it picks a GEMM kernel 1.3-4.5x slower), plus the reorders between ember's arrays (NCHW or
channels-last) and those layouts. The blocked temporaries live in per-thread buffers reused by every
plan (a call never keeps one), the scratchpad in one 64-byte-aligned per-thread buffer, except the weights
of inference plans, whose reordered copies ``reorder_cache`` keeps (checked against a byte snapshot), and
which read ember's own weight array where each weight is used only a few times (``PLAIN_WEIGHTS_MAX_USES``).
An inference plan may end in a ReLU post-op (``relu=True``: ``ConvReLU2d``). The per-channel and
elementwise kernels (batch norm, sigmoid backward, average pooling) are in ``kernels_onednn_plain``; the
kernel switch reads them as ``KERNELS`` here.

The plan is role-neutral: a transposed convolution is the backward-data pass of the convolution with
input and output swapped, and its gradients are that convolution's forward and backward-weights.

Importing this module raises ImportError when oneDNN is missing (see ``ember.backends.onednn``).
"""
from __future__ import annotations

import ctypes
import os
import threading

import numpy as np

from . import onednn as D
from .reorder_cache import WEIGHTS, new_owner

_plans: dict = {}
MAX_PLANS = 256  # distinct geometries kept (a run uses a few dozen)
PLAIN_WEIGHTS_MAX_USES = 64
"""Output positions (batch x height x width) up to which an inference convolution reads ember's own OIHW weight
(oneDNN then runs its GEMM-based kernel) instead of a blocked copy. Such a layer uses each weight only a few
times, so it is bound by reading the weights: a blocked copy must be checked against its snapshot on every call
(``reorder_cache``), three streams of the weight's size instead of one. ResNet-18 at batch 1 (CIFAR maps): the
256- and 512-channel stages (8x8 and 4x4 maps, 41 of the 45 MB of weights) read plain weights; at 1 thread
a forward took 0.69-0.75x torch's time against 0.83-0.90x with every weight blocked (interleaved, one process)."""
_buffer, _strides = D.buffer, D.strides
_F32 = np.dtype(np.float32)


def _layout(a: np.ndarray):
    """(array, strides in elements) for a C-contiguous or channels-last array; others are copied."""
    if not a.flags.c_contiguous:
        t = np.moveaxis(a, 1, -1)
        if not t.flags.c_contiguous:
            a = np.ascontiguousarray(a)
    if a.flags.c_contiguous:
        return a, _strides(a.shape, range(a.ndim))
    return a, _strides(a.shape, (0,) + tuple(range(2, a.ndim)) + (1,))


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
        self.owner = new_owner()

    def reorder(self, arg: int, strides: tuple, shape: tuple, into: bool):
        """The cached reorder between a user array of ``strides`` and the primitive's layout for ``arg``."""
        key = (arg, strides)
        if key not in self.reorders:
            user = D.Desc.strided(shape, strides)
            mine = self.descs[arg]
            self.reorders[key] = D.reorder(user, mine) if into else D.reorder(mine, user)
        return self.reorders[key]

    def blocked(self, arg: int, a: np.ndarray, slot: str) -> np.ndarray:
        """Input ``a`` in this primitive's layout for ``arg`` (a reordered copy in buffer ``slot``, or ``a``)."""
        a, st = _layout(a)
        r = self.reorder(arg, st, a.shape, True)
        if r is None:
            return a
        tmp = _buffer(slot, self.descs[arg].size)
        r.run(a, tmp)
        return tmp

    def cached(self, arg: int, a: np.ndarray) -> np.ndarray | None:
        """Input ``a`` in this primitive's layout for ``arg`` from the reorder cache (an inference weight read
        again and again, see ``reorder_cache``), or None when not cached: ``run`` then reorders it."""
        if not a.flags.c_contiguous:
            return None
        r = self.reorder(arg, _strides(a.shape, range(a.ndim)), a.shape, True)
        if r is None:
            return a
        return WEIGHTS.get(self.owner, arg, a, self.descs[arg].size, r)

    def run(self, arrays: dict, ready: dict | None = None) -> None:
        """``arrays``: arg -> user array (inputs are read, outputs written); blocked copies in between.
        ``ready``: arg -> an input already in this primitive's layout (``blocked``)."""
        bound, back = dict(ready or {}), []
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


SERIAL_MACS = 1 << 20
"""Multiply-adds of one pass below which a plan's primitives are built and run on one thread: an OpenMP region
costs a few microseconds on an idle machine and, when another process holds a core, waits for the scheduler
(LeNet at batch 1, whose convolutions have 86k and 154k multiply-adds, took 3.1 ms per inference at 2 threads
beside other work with parallel plans and 0.8-0.9 ms with one-thread plans). torch's own CPU loops run serially
below a grain of 32,768 elements for the same reason."""


class _AllThreads:
    """The pool's threads: no change (the context of plans above ``SERIAL_MACS``)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc) -> None:
        return None


_ALL = _AllThreads()


def _impl(pd: int) -> bytes:
    """The name of the implementation oneDNN chose for primitive descriptor ``pd`` (b"brgconv:avx512_core")."""
    s = ctypes.c_char_p()
    D.call("dnnl_primitive_desc_query", pd, D.Q_IMPL_INFO, 0, ctypes.byref(s))
    return s.value or b""


class ConvPlan:
    """oneDNN's convolution primitives for one geometry (2-d; 1-d is 2-d with height 1). ``relu``: an
    inference plan whose forward applies max(y, 0) as the convolution's post-op (no backward). A plan of
    fewer than ``SERIAL_MACS`` multiply-adds builds and runs its primitives on one thread."""

    def __init__(self, src: tuple, wshape: tuple, dst: tuple, stride, pads, dilation, groups: int, bias: bool,
                 train: bool, relu: bool = False):
        macs = int(np.prod(dst, dtype=np.int64) // max(dst[1], 1)) * int(np.prod(wshape, dtype=np.int64))
        # a context of its own per plan (it keeps the caller's setting while inside; the plan's lock serialises it)
        self.threads = D.Threads(1) if macs < SERIAL_MACS else _ALL
        with self.threads:
            self._build(src, wshape, dst, stride, pads, dilation, groups, bias, train, relu)

    def _build(self, src, wshape, dst, stride, pads, dilation, groups, bias, train, relu) -> None:
        self.src, self.dst, self.groups, self.train = src, dst, groups, train
        cout = wshape[0]
        self.wdims = wshape if groups == 1 else (groups, cout // groups) + tuple(wshape[1:])
        self.wshape = wshape
        self.geom = (D.dims(stride), D.dims(d - 1 for d in dilation),  # oneDNN counts dilation from 0
                     D.dims(lo for lo, _ in pads), D.dims(hi for _, hi in pads))
        self.bias_desc = D.Desc.tagged((cout,), D.TAG_A) if bias else None
        self.lock = threading.Lock()
        any_ = D.TAG_ANY
        # an inference layer that uses each weight only a few times (batch 1, small maps) reads ember's own
        # OIHW array: a blocked copy would cost its check against the snapshot (``PLAIN_WEIGHTS_MAX_USES``)
        self.plain_w = not train and groups == 1 and int(np.prod(dst[:1] + dst[2:])) <= PLAIN_WEIGHTS_MAX_USES
        wmd = D.Desc.strided(self.wdims, _strides(self.wdims, range(len(self.wdims)))) if self.plain_w else \
            D.Desc.tagged(self.wdims, any_)
        self.md = {"src": D.Desc.tagged(src, any_), "w": wmd,
                   "dst": D.Desc.tagged(dst, any_)}
        prop = D.FORWARD_TRAINING if train else D.FORWARD_INFERENCE
        self.attr = D.attr(relu=relu)
        self.fwd_pd = self._fwd_pd(prop, bias)
        if self.plain_w and b"ref" in _impl(self.fwd_pd):  # no fast kernel reads plain weights here: blocked
            D.fn.dnnl_primitive_desc_destroy(self.fwd_pd)
            self.plain_w, self.md["w"] = False, D.Desc.tagged(self.wdims, any_)
            self.fwd_pd = self._fwd_pd(prop, bias)
        self._fwd = self._bwd_data = self._bwd_w = None

    def _fwd_pd(self, prop: int, bias: bool) -> int:
        return D.new("dnnl_convolution_forward_primitive_desc_create", D.ENGINE, prop, D.CONVOLUTION_DIRECT,
                     self.md["src"].h, self.md["w"].h, self.bias_desc.h if bias else None, self.md["dst"].h,
                     *self.geom, self.attr)

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
        args = {D.ARG_SRC: x, D.ARG_DST: y}
        if self.bias_desc is not None:
            args[D.ARG_BIAS] = np.ascontiguousarray(b)
        cache = not self.train and w.flags.c_contiguous  # inference on a weight kept in memory (not a copy)
        w = self._w(w)
        with self.lock, self.threads:
            stage = self._stage_fwd()
            blocked = stage.cached(D.ARG_WEIGHTS, w) if cache else None  # reordered once, see reorder_cache
            if blocked is None:
                args[D.ARG_WEIGHTS] = w
            stage.run(args, None if blocked is None else {D.ARG_WEIGHTS: blocked})
        return y

    def backward_data(self, g: np.ndarray, w: np.ndarray, channels_last: bool) -> np.ndarray:
        dx = _empty(self.src, channels_last)
        with self.lock, self.threads:
            self._stage_bwd_data().run({D.ARG_DIFF_DST: g, D.ARG_WEIGHTS: self._w(w), D.ARG_DIFF_SRC: dx})
        return dx

    def backward_weights(self, x: np.ndarray, g: np.ndarray, bias: bool):
        dw = np.empty(self.wdims, dtype=np.float32)
        args = {D.ARG_SRC: x, D.ARG_DIFF_DST: g, D.ARG_DIFF_WEIGHTS: dw}
        db = None
        if bias:
            db = args[D.ARG_DIFF_BIAS] = np.empty(self.wshape[0], dtype=np.float32)
        with self.lock, self.threads:
            self._stage_bwd_w(bias).run(args)
        return dw.reshape(self.wshape), db

    def backward(self, x: np.ndarray, w: np.ndarray, g: np.ndarray, need_x: bool, need_w: bool, bias: bool,
                 channels_last: bool):
        """(dx, dw, db) of the convolution (None where not needed); the output gradient is reordered once
        when backward-data and backward-weights read it in the same layout."""
        dx = dw = db = None
        with self.lock, self.threads:
            ready = {}
            if need_x and need_w:
                data, wts = self._stage_bwd_data(), self._stage_bwd_w(bias)
                if data.descs[D.ARG_DIFF_DST] == wts.descs[D.ARG_DIFF_DST]:
                    ready[D.ARG_DIFF_DST] = data.blocked(D.ARG_DIFF_DST, g, "g")
            if need_x:
                dx = _empty(self.src, channels_last)
                args = {D.ARG_WEIGHTS: self._w(w), D.ARG_DIFF_SRC: dx}
                if not ready:
                    args[D.ARG_DIFF_DST] = g
                self._stage_bwd_data().run(args, ready)
            if need_w:
                dw = np.empty(self.wdims, dtype=np.float32)
                args = {D.ARG_SRC: x, D.ARG_DIFF_WEIGHTS: dw}
                if not ready:
                    args[D.ARG_DIFF_DST] = g
                if bias:
                    db = args[D.ARG_DIFF_BIAS] = np.empty(self.wshape[0], dtype=np.float32)
                self._stage_bwd_w(bias).run(args, ready)
                dw = dw.reshape(self.wshape)
        return dx, dw, db

    def _w(self, w: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(w).reshape(self.wdims)


_BLAS_SYMBOLS = ("openblas_set_num_threads", "scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_",
                 "scipy_openblas_set_num_threads")


def _one_blas_pool() -> None:
    """Once a process runs oneDNN convolutions, OpenBLAS (NumPy's GEMMs: a conv net's few linear layers)
    runs on one thread, so that a single pool (OpenMP: oneDNN and numba) owns the cores. Two pools of
    workers on a busy 2-core machine wait on each other: ``ember train`` epochs measured 18.7 s this way
    against 39.9 s with both pools at two threads (torch's twin: 31 s). ``EMBER_BLAS_THREADS`` keeps it."""
    if os.environ.get("EMBER_BLAS_THREADS") or not os.path.exists("/proc/self/maps"):
        return
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "openblas" in line.lower() and "/" in line}
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _BLAS_SYMBOLS:
            fn = getattr(lib, name, None)
            if fn is not None:
                fn.argtypes, fn.restype = [ctypes.c_int], None
                fn(1)
                break


def _plan(src: tuple, wshape: tuple, dst: tuple, stride, pads, dilation, groups, bias, train,
          relu: bool = False) -> ConvPlan:
    key = (src, wshape, dst, stride, pads, dilation, groups, bias, train, relu)
    plan = _plans.get(key)
    if plan is None:
        if not _plans:
            _one_blas_pool()
        if len(_plans) >= MAX_PLANS:
            _plans.clear()
        plan = _plans[key] = ConvPlan(src, wshape, dst, stride, pads, dilation, groups, bias, train, relu)
    return plan


def _as2d(shape: tuple) -> tuple:
    return shape if len(shape) == 4 else shape[:2] + (1,) + shape[2:]


def conv_plan(xshape: tuple, wshape: tuple, stride, pads, dilation, groups: int, bias: bool, train: bool,
              relu: bool = False):
    """The plan of ``conv{1,2}d`` (x, w shapes as the op sees them), or None where oneDNN is not used;
    ``relu`` (inference only): the forward returns max(conv, 0)."""
    if len(xshape) not in (3, 4):
        return None
    if len(xshape) == 3:
        stride, dilation, pads = (1,) + tuple(stride), (1,) + tuple(dilation), ((0, 0),) + tuple(pads)
    src, ws = _as2d(xshape), _as2d(wshape)
    out = tuple((sz + lo + hi - dl * (k - 1) - 1) // s + 1
                for sz, (lo, hi), k, s, dl in zip(src[2:], pads, ws[2:], stride, dilation))
    return _plan(src, ws, (src[0], ws[0]) + out, tuple(stride), tuple(pads), tuple(dilation), groups, bias,
                 train and not relu, relu)


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


# ---------------------------------------------------------------- the kernel switch's convolution entries
# Same contract as ``conv_reference.forward``/``transpose_forward`` (``(y, state)``; ``state.backward(g, need)``
# gives (dx, dW, db)), or None where oneDNN does not cover the call (not float32, not 1-d/2-d): the switch then
# asks ember's own kernels. 1-d convolutions run as 2-d ones of height 1 (a free reshape).
def _as4d(a: np.ndarray) -> np.ndarray:
    return a if a.ndim == 4 else a.reshape(a.shape[:2] + (1,) + a.shape[2:])


def _back(a: np.ndarray, nd: int) -> np.ndarray:
    return a if nd == 2 else a[:, :, 0]


def _channels_last(d: np.ndarray) -> bool:
    return d.ndim == 4 and not d.flags.c_contiguous and np.moveaxis(d, 1, -1).flags.c_contiguous


def _covered(x: np.ndarray, w: np.ndarray, b) -> bool:
    return x.ndim in (3, 4) and x.dtype == _F32 and w.dtype == _F32 and (b is None or b.dtype == _F32)


def _bias_grad(g4: np.ndarray) -> np.ndarray:
    return g4.sum((0, 2, 3), dtype=np.float32)


class _ConvState:
    """A plan and the arrays its backward passes read (the convolution's input and weight)."""

    __slots__ = ("plan", "x", "w", "cl")

    def __init__(self, plan, x, w, cl):
        self.plan, self.x, self.w, self.cl = plan, x, w, cl

    def backward(self, g: np.ndarray, need: tuple) -> tuple:
        nd = g.ndim - 2
        g4 = _as4d(g.astype(np.float32, copy=False))
        dx, dw, db = self.plan.backward(_as4d(self.x), _as4d(self.w), g4, need[0], need[1], need[2] and need[1],
                                        self.cl)
        if need[2] and db is None:
            db = _bias_grad(g4)
        return (None if dx is None else _back(dx, nd)), (None if dw is None else dw.reshape(self.w.shape)), db


class _TransposeState(_ConvState):
    """A transposed convolution's gradients: its plan's forward (dx) and backward-weights (dW)."""

    __slots__ = ()

    def backward(self, g: np.ndarray, need: tuple) -> tuple:
        nd = g.ndim - 2
        g4 = _as4d(g.astype(np.float32, copy=False))
        dx = dw = db = None
        if need[0]:
            dx = _back(self.plan.forward(g4, _as4d(self.w), None, self.cl), nd)
        if need[1]:
            dw = self.plan.backward_weights(g4, _as4d(self.x), False)[0].reshape(self.w.shape)
        if need[2]:
            db = _bias_grad(g4)
        return dx, dw, db


def conv_forward(x, w, b, stride, pads, dilation, groups: int, keep):
    """y = conv(x, w) + b through oneDNN: ``(y, state)``, or None where not covered."""
    if not _covered(x, w, b):
        return None
    plan = conv_plan(x.shape, w.shape, stride, pads, dilation, groups, b is not None, keep is not None)
    cl = _channels_last(x)
    y = _back(plan.forward(_as4d(x), _as4d(w), b, cl), x.ndim - 2)
    return y, (None if keep is None else _ConvState(plan, x, w, cl))


def conv_transpose_forward(x, w, b, stride, padding, output_padding, dilation, groups: int, keep):
    """y = conv_transpose(x, w) + b through oneDNN (the backward-data pass of its plan): ``(y, state)``, or
    None where not covered."""
    if not _covered(x, w, b):
        return None
    lout = tuple((i - 1) * s - 2 * p + dl * (k - 1) + op + 1
                 for i, s, p, dl, k, op in zip(x.shape[2:], stride, padding, dilation, w.shape[2:], output_padding))
    plan = conv_transpose_plan(x.shape, w.shape, (x.shape[0], w.shape[1] * groups) + lout, stride, padding,
                               dilation, groups)
    if plan is None:
        return None
    cl = _channels_last(x)
    y = plan.backward_data(_as4d(x), _as4d(w), cl)
    if b is not None:
        y += b.reshape(-1, 1, 1)
    return _back(y, x.ndim - 2), (None if keep is None else _TransposeState(plan, x, w, cl))


def _all_finite(*arrays) -> bool:
    """No NaN or infinity in any of ``arrays`` (one read-only pass each: a sum is finite only then, and one that
    overflows only sends the call to the unfused path)."""
    return all(a is None or np.isfinite(np.add.reduce(a, axis=None, dtype=np.float32)) for a in arrays)


def conv2d_relu(x, w, b, stride, pads, dilation, groups: int):
    """max(conv2d(x, w) + b, 0) as one oneDNN convolution whose ReLU is a post-op (the output is written once),
    for inference on float32 NCHW or channels-last arrays; None where not covered, and for input, weight or bias
    that is not finite: oneDNN's ReLU is max(y, 0) by vmaxps, which turns NaN into 0 where torch keeps NaN."""
    if x.ndim != 4 or not _covered(x, w, b) or not _all_finite(x, w, b):
        return None
    plan = conv_plan(x.shape, w.shape, stride, pads, dilation, groups, b is not None, False, relu=True)
    return plan.forward(x, w, b, _channels_last(x))


from .kernels_onednn_plain import KERNELS  # noqa: E402,F401  (the kernel switch reads it here)
