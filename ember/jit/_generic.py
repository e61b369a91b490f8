"""The generic lowering of a training step's ops (see ``_buffers``): any ember op without a lowering of its own.

Forward: the op's raw forward (``cls.forward(ctx, *args)``, the computation ``apply`` runs) on one node kept
across replays, marked as recording (``next`` holds True where an input needs a gradient), so it keeps what its
backward reads; no Tensor wrapping of the output, no graph bookkeeping, no argument parsing. Its output shares
memory with an input exactly where it did at record time (a view: the input's buffer outlives it).

Backward: the op's ``backward`` on that node under ``no_grad`` (ember's backward ops compute on raw arrays), and
the engine's routes done on arrays: the sum of a broadcast gradient back to its input's shape, the cast to its
input's dtype, the zeros of an output that got no gradient (several outputs), and the sum where two gradients
meet, in the engine's order. The first gradient of a value is that array itself (never written into: it may be
a view of another value); a later one is added out of place, or in place where the sum is a buffer of ours.
"""
from __future__ import annotations

import numpy as np

from ..autograd.engine import sum_to
from ..autograd.function import Op
from ..autograd.grad_mode import STATE
from ..tensor import Tensor, wrap
from ._buffers import BUF, FRESH, GRAD, Builder

_new = object.__new__
SET, COPY, ADD_INPLACE, ADD_NEW = range(4)


def generic_train_forward(b: Builder, cls, template, kwargs, outs, grad: bool, aliases: dict) -> bool:
    """An op's raw forward on a node kept across replays (True when lowered)."""
    if not isinstance(cls, type) or not issubclass(cls, Op):
        return False
    make, reads = b.tensor_args(template)
    needs = [b.needs_grad(a) for a in template]
    recording = grad and any(needs)
    ctx = _new(cls._node)
    ctx.fn = cls
    ctx.next = [_edge(a) if n else (None if b.is_tensor(a) else False) for n, a in zip(needs, template)] \
        if recording else None
    env = b.env
    one = len(outs) == 1
    save_out = cls.save_output
    for o in outs:
        b.kind[o] = FRESH
        if recording and cls.differentiable and b.meta[o][1].kind == "f":
            b.requires.add(o)
        for r in aliases.get(o, ()):  # shared memory at record time: the input's buffer must outlive the output
            b.alias(o, r)

    def op():
        res = cls.forward(ctx, *make(), **kwargs)  # looked up per call: the benchmark times it as a kernel
        if one:
            if type(res) is not np.ndarray:
                res = np.asarray(res)
            env[outs[0]] = res
            if save_out:
                ctx.out_data = (res, [0], 0)
        else:
            for s, r in zip(outs, res):
                env[s] = np.asarray(r)
    op.__name__ = "generic_" + cls.__name__
    b.emit(op, reads, tuple(outs))
    state = (ctx, reads + tuple(outs), template)
    for o in outs:
        b.made[o] = (cls, tuple(b.value(a) for a in template), state)
    return True


def _edge(a):
    """A recording node's edge for an argument that needs a gradient: a parameter is its own edge (as in eager
    mode); a value made in the step is marked True (no node of it exists; no backward under no_grad follows it)."""
    return a if isinstance(a, Tensor) else True


def _has_saved(ctx) -> bool:
    try:
        ctx.saved
    except AttributeError:
        return False
    return True


def generic_backward(b: Builder, grads, made, gvals: list, out_meta: list, routes: list) -> bool:
    """The op's ``backward`` on its forward's node; ``gvals``: the value of each output's gradient (None: no
    gradient reached it); ``routes``: ``(input index, key, shape or None, dtype)``."""
    state = made[2]
    if type(state) is not tuple or len(state) != 3:
        return False  # not made by ``generic_train_forward`` (no node to run backward on)
    ctx, fwd_values, _ = state
    cls = made[0]
    if any(dt is None or dt.kind != "f" for _, _, _, dt in routes):
        return False
    env = b.env
    several = len(gvals) > 1
    zeros = tuple(None if g is not None or not cls.materialize or m is None or m[1].kind not in "fc"
                  else m for g, m in zip(gvals, out_meta))
    gv = tuple(gvals)
    ins = tuple(g for g in gvals if g is not None)
    plan = deposits(b, grads, made, routes, (*ins, *fwd_values))
    backward = cls.backward

    def generic_grad():
        gs = [wrap(env[v]) if v is not None else (wrap(np.zeros(*z)) if z is not None else None)
              for v, z in zip(gv, zeros)]
        res = backward(ctx, *gs) if several else backward(ctx, gs[0])
        if type(res) is not tuple:
            res = (res,)
        if _has_saved(ctx):  # what forward kept is dropped, as the engine frees a node's: the node is as new
            del ctx.saved
        state = ctx.__dict__
        if state:
            state.clear()
        n_res = len(res)
        for d in plan:
            i = d[0]
            r = res[i] if i < n_res else None
            deposit(env, d, r._data if r is not None else None)
    generic_grad.__name__ = "generic_grad_" + cls.__name__
    b.emit(generic_grad, (*ins, *fwd_values), tuple(d[2] for d in plan))
    return True


def deposits(b: Builder, grads, made, routes: list, shares: tuple) -> tuple:
    """Where each route's gradient goes and how: ``(input index, mode, value, shape or None, dtype, its shape)``.
    The first gradient of a value is the array itself (``SET``; it may share memory with ``shares``, which then
    outlive it) or copied into our buffer (``COPY``: a leaf's ``.grad``); a later one is added."""
    plan = []
    for i, key, shape, dt in routes:
        like = shape if shape is not None else b.meta[made[1][i]][0]
        v, first = grads.claim(key, like, dt)
        own = b.kind.get(v) in (BUF, GRAD)  # a buffer of ours: written into; else the array itself is kept
        mode = (COPY if own else SET) if first else (ADD_INPLACE if own else ADD_NEW)
        if mode == SET:
            for r in shares:
                b.alias(v, r)
        plan.append((i, mode, v, shape, dt, like))
    return tuple(plan)


def deposit(env: list, d: tuple, gd) -> None:
    """One gradient routed as the engine routes it: summed to its input's shape, cast to its dtype, and set,
    copied or added (see :func:`deposits`)."""
    _, mode, v, shape, dt, like = d
    if gd is None:  # no gradient where the recorded call had one: zeros (no ember op does this)
        gd = np.zeros(like, dt)
    else:
        if shape is not None and gd.shape != shape:
            gd = sum_to(gd, shape)
        if gd.dtype != dt or isinstance(gd, np.generic):
            gd = np.asarray(gd, dtype=dt)
    if mode == SET:
        env[v] = gd
    elif mode == COPY:
        np.copyto(env[v], gd)
    elif mode == ADD_INPLACE:
        a = env[v]
        np.add(a, gd, out=a)
    else:
        env[v] = env[v] + gd


def grad_mode_switch() -> tuple:
    """Two bookkeeping closures: ``no_grad`` for the lowered backward (ember's backward ops must record nothing),
    and the caller's grad mode back after it (``Lowered.run`` restores it on an error too)."""
    saved = [True]

    def grad_mode_off():
        saved[0] = STATE.enabled
        STATE.enabled = False

    def grad_mode_on():
        STATE.enabled = saved[0]
    return grad_mode_off, grad_mode_on


__all__ = ["generic_train_forward", "generic_backward", "grad_mode_switch", "deposits", "deposit"]
