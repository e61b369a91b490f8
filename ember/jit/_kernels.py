"""The lowerings of single ops for the kernel replay (see ``_buffers``): each writes its output, or the
gradients its backward routes ask for, into buffers with ``out=``, computed exactly as the op computes them
(the same GEMMs, ufuncs and reductions, the same compiled kernel), so a lowered replay is bitwise eager mode's."""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..autograd.function import Op
from ..backends import kernels as _kernels
from ..nn.functional.linear import Linear
from ..nn.functional.loss import CrossEntropy, CrossEntropyBackward
from ..ops.unary import Relu
from ..tensor import wrap
from ._buffers import BUF, FRESH, GRAD, Builder
from ._program import _SLOT

_new = object.__new__


def _library_has(name: str) -> bool:
    lib = getattr(_kernels, "_library", None)
    return lib is not None and name in getattr(lib, "KERNELS", {})


def _numba_body(name: str, shape, dtype):
    """The compiled loop that the numba kernel set runs for an array of this size (parallel or serial, as it
    picks); None when the numba set is not the one in use or does not cover the dtype; False when it is in use
    but has no such loop (then the op is not lowered)."""
    if _kernels.current() != "numba" or dtype.kind != "f" or dtype.itemsize < 4:
        return None
    kn = _kernels._impl  # the numba kernel set's module
    big = int(np.prod(shape)) >= getattr(kn, "_PAR_MIN", 1 << 16)
    return getattr(kn, name + ("_par" if big else "_ser"), False)


def _relu_into(shape, dtype) -> Callable | None:
    """relu(x) into ``out``, computed as the kernel set's ``relu`` computes it (None: no such kernel)."""
    if _library_has("relu"):
        return None
    body = _numba_body("_relu", shape, dtype)
    if body is False:
        return None
    if body is not None:

        def relu(x, out):
            body(np.ascontiguousarray(x).reshape(-1), out.reshape(-1))
        return relu

    def relu_ref(x, out):
        np.maximum(x, 0, out=out)
    return relu_ref


def _relu_backward_into(shape, dtype) -> Callable | None:
    """threshold_backward(g, y, 0) into ``out``, as the kernel set computes it."""
    if _library_has("relu_backward"):
        return None
    body = _numba_body("_relu_bwd", shape, dtype)
    if body is False:
        return None
    if body is not None:

        def relu_backward(g, y, out):
            body(np.ascontiguousarray(g).reshape(-1), np.ascontiguousarray(y).reshape(-1), out.reshape(-1))
        return relu_backward

    def relu_backward_ref(g, y, out):
        np.copyto(out, g)
        out[y <= 0] = 0  # a select, as the reference's where: NaN in y passes g
    return relu_backward_ref


def _is_float(dt) -> bool:
    return dt == np.float32 or dt == np.float64


# ---------------------------------------------------------------- forward lowerings: True when lowered

def _rows(a: np.ndarray) -> np.ndarray:
    """The leading dims merged (as ``ops._common.rows``): a view of a contiguous buffer."""
    return a.reshape(int(np.prod(a.shape[:-1])), a.shape[-1])


def _linear_forward(b: Builder, template, kwargs, outs) -> bool:
    """x W^T (+ b): ``kernels.gemm`` over all rows into the output buffer, the bias added in place."""
    if kwargs or len(template) not in (2, 3):
        return False
    x, w = b.value(template[0]), b.value(template[1])
    has_bias = len(template) == 3 and template[2] is not None
    bias = b.value(template[2]) if has_bias else None
    if x is None or w is None or (has_bias and bias is None):
        return False
    (xs, xd), (ws, wd) = b.meta[x], b.meta[w]
    if len(xs) < 2 or len(ws) != 2 or xd != wd or not _is_float(xd) or xs[-1] != ws[1]:
        return False
    env, o, gemm = b.env, outs[0], _kernels.gemm
    b.kind[o] = BUF
    if len(xs) == 2:
        def linear():
            y = env[o]
            gemm(env[x], env[w].T, y)
            if bias is not None:
                y += env[bias]
    else:
        def linear():
            y = env[o]
            gemm(_rows(env[x]), env[w].T, _rows(y))
            if bias is not None:
                y += env[bias]
    b.emit(linear, (x, w, bias), (o,))
    b.made[o] = (Linear, (x, w, bias), None)
    return True


def _relu_forward(b: Builder, template, kwargs, outs) -> bool:
    x = b.value(template[0]) if len(template) == 1 and not kwargs else None
    if x is None or not _is_float(b.meta[x][1]):
        return False
    fn = _relu_into(*b.meta[x])
    if fn is None:
        return False
    env, o = b.env, outs[0]
    b.kind[o] = BUF

    def relu():
        fn(env[x], env[o])
    b.emit(relu, (x,), (o,))
    b.made[o] = (Relu, (x,), None)
    return True


def _cross_entropy_forward(b: Builder, template, kwargs, outs) -> bool:
    """The op's own forward on one node kept across replays (it holds the softmax for the backward); for class
    indices with no weight or smoothing, the same computation without the per-row weights (``_PlainCE``)."""
    if kwargs or len(template) != 7:
        return False
    make, reads = b.tensor_args(template)
    ctx = _new(CrossEntropy._node)
    ctx.fn = CrossEntropy
    ctx.next = [None] * 7  # marks the node as recording: forward keeps what backward reads
    env, o = b.env, outs[0]
    b.kind[o] = FRESH
    plain = _PlainCE.make(b, template, ctx)
    if plain is not None:
        def cross_entropy():
            loss = plain.forward(env[reads[0]], env[reads[1]])
            env[o] = CrossEntropy.forward(ctx, *make()) if loss is None else loss
    else:
        def cross_entropy():
            env[o] = CrossEntropy.forward(ctx, *make())
    b.emit(cross_entropy, reads, (o,))
    b.made[o] = (CrossEntropy, tuple(b.value(a) for a in template), ctx)
    return True


class _PlainCE:
    """cross_entropy of (M, C) float logits and M class indices, with no weight, no smoothing, an ``ignore_index``
    outside [0, C) and a mean or sum: ``CrossEntropy.forward``'s and ``CrossEntropyBackward.forward``'s arrays,
    computed as they compute them, where every per-row weight is 1 and every row is valid. Those weights, the row
    numbers and the total weight are made once; a target with a value outside [0, C) (a bad one, or an ignored
    row) takes the op's own forward, which raises or weighs as eager mode does, and then its own backward."""

    @classmethod
    def make(cls, b: Builder, template, ctx) -> "_PlainCE | None":
        if not all(type(a) is tuple and a and a[0] is _SLOT for a in template[:2]):
            return None  # the logits and the target are the closure's first two reads only when both are slots
        x, t = b.value(template[0]), b.value(template[1])
        weight, ignore_index, reduction, smoothing, probs = template[2:]
        if weight is not None or probs or smoothing != 0 or reduction not in ("mean", "sum"):
            return None
        (xs, xd), (ts, td) = b.meta[x], b.meta[t]
        if len(xs) != 2 or not _is_float(xd) or td not in (np.int64, np.uint8) or ts != xs[:1] or xs[0] == 0:
            return None
        if type(ignore_index) is not int or 0 <= ignore_index < xs[1]:
            return None
        return cls(ctx, xs, np.dtype(xd), np.dtype(td), smoothing, reduction)

    def __init__(self, ctx, shape: tuple, dt: np.dtype, dt_t: np.dtype, smoothing, reduction: str) -> None:
        M, C = shape
        wt = np.ones(M, dt) * np.ones(M, bool)  # the op's per-row weights: 1 on every valid row
        self.ctx, self.C = ctx, C
        ctx.plain = self  # read by the backward lowering
        self.unsigned = np.uint64 if dt_t == np.int64 else dt_t  # a negative int64 viewed so is at least 2^63
        self.row_starts, self.at = np.arange(M) * C, None  # flat indices of (row, target): row_starts + target
        self.neg = -(1 - smoothing) * wt  # the op's loss is neg * log p[row, target]
        self.mean = reduction == "mean"
        self.fields = dict(rows=np.arange(M), wt_hard=(1 - smoothing) * wt, valid=np.ones(M, bool), denom=wt.sum(),
                           coef=(1 - smoothing) * wt, sub=None, reduction=reduction, shape=shape, probs=False,
                           smoothing=smoothing, C=C, logp=None)

    def forward(self, x: np.ndarray, t: np.ndarray):
        """The loss, or None where a target is outside [0, C) (the op's own forward then runs)."""
        if t.view(self.unsigned).max() >= self.C:  # one reduction finds a negative target too
            return None
        ctx = self.ctx
        ctx.__dict__.update(self.fields)
        s = x - x.max(axis=1, keepdims=True)
        e = np.exp(s)
        sumexp = e.sum(axis=1, keepdims=True)
        s -= np.log(sumexp)  # log p
        self.at = at = self.row_starts + t
        total = (self.neg * s.reshape(-1)[at]).sum()  # s[rows, t]
        e /= sumexp
        ctx.p, ctx.tc = e, t
        return np.asarray(total / ctx.denom if self.mean else total, dtype=x.dtype)

    def backward(self, g: np.ndarray):
        """The gradient of the logits as ``CrossEntropyBackward.forward`` gives it (its per-row factors are 1),
        or None where the op's own forward ran."""
        ctx = self.ctx
        if ctx.valid is not self.fields["valid"]:
            return None
        scale = g / ctx.denom if self.mean else g
        grad = ctx.p * scale
        flat = grad.reshape(-1)
        flat[self.at] -= scale  # grad[rows, t]
        return grad.astype(g.dtype, copy=False)


TRAIN_FORWARD = {Linear: _linear_forward, Relu: _relu_forward, CrossEntropy: _cross_entropy_forward}
INFER_FORWARD = {Linear: _linear_forward, Relu: _relu_forward}  # into buffers; other ops: ``generic_forward``


def generic_forward(b: Builder, cls, template, kwargs, outs, aliases: dict) -> bool:
    """Inference: an ember op without a lowering runs its raw forward on a bare node (a view through ``apply``),
    as the generic no-grad replay does; an output that shares memory with an input is an alias of it."""
    if not isinstance(cls, type) or not issubclass(cls, Op):
        return False
    make, reads = b.tensor_args(template)
    env = b.env
    view = cls.is_view
    one = len(outs) == 1
    for o in outs:
        b.kind[o] = FRESH
        for r in aliases.get(o, ()):  # sharing memory at record time: the input's buffer must outlive the output
            b.alias(o, r)

    def op():
        args = make()
        if view:
            res = cls.apply(*args, **kwargs)
            res = res._data if one else tuple(t._data for t in res)
        else:
            ctx = _new(cls._node)
            ctx.fn = cls
            ctx.next = None
            res = cls.forward(ctx, *args, **kwargs)
        if one:
            env[outs[0]] = np.asarray(res)
        else:
            for s, r in zip(outs, res):
                env[s] = np.asarray(r)
    op.__name__ = "generic_" + cls.__name__  # benchmarks time the op's forward inside, not the closure
    b.emit(op, reads, tuple(outs))
    return True


# ---------------------------------------------------------------- backward lowerings

class Grads:
    """Where each gradient goes: a key (``("e", entry)`` or ``("l", leaf)``) -> the value that holds its sum."""

    def __init__(self, b: Builder, leaf_values: list) -> None:
        self.b = b
        self.values: dict = {("l", j): v for j, v in enumerate(leaf_values)}
        self.started: set = set()

    def dest(self, key, like: int, fresh: bool = False):
        """The value to write a gradient for ``key`` into (shaped as ``like``), and the value to add it to after
        (None for the first gradient of ``key``, which is written in place)."""
        b = self.b
        shape, dt = b.meta[like]
        if key not in self.started:
            self.started.add(key)
            v = self.values.get(key)
            if v is None:
                v = self.values[key] = b.new(shape, dt, FRESH if fresh else BUF)
            elif fresh:  # a leaf's buffer that a fresh array replaces
                return v, None
            return v, None
        return b.new(shape, dt, FRESH if fresh else BUF), self.values[key]

    def claim(self, key, shape, dt) -> tuple:
        """The value that holds ``key``'s gradient (a new value, set by the writer, for its first gradient),
        and whether this is its first gradient."""
        if key not in self.started:
            self.started.add(key)
            v = self.values.get(key)
            if v is None:
                v = self.values[key] = self.b.new(shape, dt, FRESH)
            return v, True
        return self.values[key], False

    def add(self, tmp: int, acc) -> None:
        """``acc += tmp`` in the engine's order: in place into a buffer of ours, else out of place (the first
        gradient may be an array that another value shares)."""
        if acc is None:
            return
        env = self.b.env
        if self.b.kind.get(acc) in (BUF, GRAD):
            def accumulate():
                a = env[acc]
                np.add(a, env[tmp], out=a)
        else:
            def accumulate():
                env[acc] = env[acc] + env[tmp]
        self.b.emit(accumulate, (acc, tmp), (acc,))


def _linear_backward(b: Builder, grads: Grads, made, g: int, wants: list, y: int) -> bool:
    """The GEMMs and the reduction of ``Linear.backward``, over all rows: g W (matmul's forward), g^T x
    (``MatMulGradB``'s forward) and g summed over the leading dims (``sum``'s forward)."""
    x, w, bias = made[1]
    env, gemm, col_sum = b.env, _kernels.gemm, _kernels.col_sum  # the kernel set's (a 2-d gradient's bias sum)
    lead = tuple(range(len(b.meta[g][0]) - 1))
    for i, key in wants:
        d, acc = grads.dest(key, (x, w, bias)[i])
        if i == 0:
            def kernel(d=d):
                gemm(_rows(env[g]), env[w], _rows(env[d]))
            kernel.__name__, reads = "linear_grad_input", (g, w)
        elif i == 1:
            def kernel(d=d):
                gemm(_rows(env[g]).T, _rows(env[x]), env[d])
            kernel.__name__, reads = "linear_grad_weight", (g, x)
        elif len(lead) == 1:
            def kernel(d=d):
                col_sum(env[g], env[d])
            kernel.__name__, reads = "linear_grad_bias", (g,)
        else:
            def kernel(d=d):
                np.sum(env[g], axis=lead, out=env[d])
            kernel.__name__, reads = "linear_grad_bias", (g,)
        b.emit(kernel, reads, (d,))
        grads.add(d, acc)
    return True


def _relu_backward(b: Builder, grads: Grads, made, g: int, wants: list, y: int) -> bool:
    fn = _relu_backward_into(*b.meta[y])
    if fn is None:
        return False
    env = b.env
    for i, key in wants:
        d, acc = grads.dest(key, made[1][0])

        def relu_backward(d=d):
            fn(env[g], env[y], env[d])
        b.emit(relu_backward, (g, y), (d,))
        grads.add(d, acc)
    return True


def _cross_entropy_backward(b: Builder, grads: Grads, made, g: int, wants: list, y: int) -> bool:
    if any(i != 0 for i, _ in wants):
        return False  # a soft target's own gradient
    ce = made[2]
    ctx = _new(CrossEntropyBackward._node)
    ctx.fn = CrossEntropyBackward
    ctx.next = None
    env = b.env
    plain = getattr(ce, "plain", None)
    for i, key in wants:
        d, acc = grads.dest(key, made[1][0], fresh=True)

        def cross_entropy_backward(d=d):
            gx = None if plain is None else plain.backward(env[g])
            env[d] = CrossEntropyBackward.forward(ctx, wrap(env[g]), None, None, None, ce) if gx is None else gx
        b.emit(cross_entropy_backward, (g,), (d,))
        grads.add(d, acc)
    return True


BACKWARD = {Linear: _linear_backward, Relu: _relu_backward, CrossEntropy: _cross_entropy_backward}

__all__ = ["TRAIN_FORWARD", "INFER_FORWARD", "BACKWARD", "Grads", "generic_forward"]
