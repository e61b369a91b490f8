"""A captured program lowered to kernels on buffers allocated once.

A program whose ops all have a lowering here (the inference forward of ``jit.trace`` replayed without grad, or a
whole training step of ``ember.compile``) is rewritten at record time into a flat list of closures, each bound to
its operands (indices into one list of arrays, ``env``), so a replay is ``for k in kernels: k()``: the Python of
``apply``, of the autograd engine and of the gradient routing is gone.

* Forward: ``linear`` (one GEMM, then the bias added in place) and ``relu`` write into their output buffer with
  ``out=``; any other ember op runs its own raw forward on a node kept across replays (``_generic``), which keeps
  what its backward reads (a dropout mask is drawn there, per replay, as eager mode draws it).
* Backward: each node of the recorded schedule (the engine's order) becomes the raw kernels of the gradients
  its routes ask for (GEMMs, the bias reduction, the relu mask with ``out=``; cross-entropy runs its own
  backward op's raw forward; a reshape, transpose or permute is NumPy's inverse view; slices that split a tensor
  write into one buffer of it), or the op's own backward on its kept node under ``no_grad`` with the engine's
  routing done on arrays (unbroadcast sums, casts, several outputs). Where two gradients meet, the later one is
  added (in place into a buffer of ours, else out of place), in the engine's order, so the values are bitwise
  eager mode's.
* Buffers: a value lives from the kernel that writes it to its last reader; values of one shape and dtype whose
  lifetimes do not overlap share one buffer (a view of a value, or an op output that shares its memory with an
  input at record time, extends that input's lifetime). An array made per replay (a generic op's result or
  gradient) is dropped after its last reader.

What the caller can hold is never reused: the returned tensors get fresh arrays on every replay, and a
parameter's ``.grad`` keeps its buffer across steps only when nothing but the parameter holds the ``.grad``
tensor and nothing but that tensor holds its array (reference counts, checked at the step's ``zero_grad``);
otherwise the backward writes into a new array and the parameter gets a new ``.grad`` tensor, as in eager mode.
"""
from __future__ import annotations

import sys
from typing import Callable

import numpy as np

from ..autograd.grad_mode import STATE
from ..tensor import Tensor, wrap
from ._program import _SLOT

INPUT, PARAM, CONST, BUF, FRESH, GRAD = range(6)
_new = object.__new__


def _refs(obj) -> int:
    return sys.getrefcount(obj)


def _calibrate() -> int:
    x = object()
    return _refs(x)  # the local name, the parameter and getrefcount's argument


_BASE_REFS = _calibrate()


def held_elsewhere(t: Tensor, owners: int) -> bool:
    """Whether anything but its ``owners`` known references holds the tensor ``t``, or anything but ``t`` holds
    its array (a view of it holds it too)."""
    a = t._data  # counted besides the known holders: the caller's name and this frame's (t, a)
    return _refs(t) > _BASE_REFS + 1 + owners or _refs(a) > _BASE_REFS + 1


class Builder:
    """Values (indices into ``env``) with their shape, dtype and kind, and the kernels with what each reads and
    writes (for the lifetimes)."""

    def __init__(self, meta: dict, n: int) -> None:
        self.meta = dict(meta)  # value -> (shape, dtype) at record time
        self.kind: dict = {}
        self.root: dict = {}  # a view or alias -> the values whose memory it shares
        self.n = n
        self.env: list = []
        self.consts: dict = {}  # value -> the array or tensor bound once
        self.params: dict = {}  # id(tensor) -> value
        self.param_list: list = []  # (value, tensor, shape, dtype, requires_grad)
        self.kernels: list = []
        self.uses: list = []
        self.made: dict = {}  # output value -> (op class, argument values or constants, state)
        self.requires: set = set()  # values that require a gradient (outputs of recording ops)

    def new(self, shape, dtype, kind: int = BUF) -> int:
        v = self.n
        self.n += 1
        self.meta[v] = (tuple(shape), np.dtype(dtype))
        self.kind[v] = kind
        return v

    def value(self, a):
        """The value of a template argument (a slot, or a tensor bound at record time), else None."""
        if type(a) is tuple and a and a[0] is _SLOT:
            return a[1]
        if isinstance(a, Tensor):
            v = self.params.get(id(a))
            if v is None:
                d = a._data
                v = self.params[id(a)] = self.new(d.shape, d.dtype, PARAM)
                self.param_list.append((v, a, d.shape, d.dtype, a._requires_grad))
            return v
        return None

    def is_tensor(self, a) -> bool:
        return (type(a) is tuple and bool(a) and a[0] is _SLOT) or isinstance(a, Tensor)

    def needs_grad(self, a) -> bool:
        """Whether a template argument requires a gradient in the replay (a traced input does not)."""
        if type(a) is tuple and a and a[0] is _SLOT:
            return a[1] in self.requires
        return isinstance(a, Tensor) and a._requires_grad

    def const(self, array) -> int:
        v = self.new(array.shape, array.dtype, CONST)
        self.consts[v] = array
        return v

    def emit(self, fn: Callable, reads: tuple, writes: tuple) -> None:
        self.kernels.append(fn)
        self.uses.append((tuple(r for r in reads if r is not None), tuple(writes)))

    def alias(self, v: int, base: int) -> None:
        """``v`` shares memory with ``base``: ``base``'s buffer lives as long as ``v`` is used."""
        self.root.setdefault(v, set()).update(self.roots(base))

    def roots(self, v: int) -> set:
        return self.root.get(v) or {v}

    def tensor_args(self, template) -> tuple:
        """A maker of the op's arguments as tensors: values wrapped, parameters as themselves, constants."""
        env, parts = self.env, []
        for a in template:
            if type(a) is tuple and a and a[0] is _SLOT:
                parts.append((True, a[1]))
            else:
                if isinstance(a, Tensor):
                    self.value(a)
                parts.append((False, a))
        parts = tuple(parts)

        def make():
            return [wrap(env[x]) if is_value else x for is_value, x in parts]
        return make, tuple(x for is_value, x in parts if is_value)

    def finish(self, escaping: set) -> list:
        """Allocate the buffers (shared by lifetime); ``escaping`` values (returned) get no shared buffer."""
        self.env.extend([None] * (self.n - len(self.env)))
        for v, a in self.consts.items():
            self.env[v] = a._data if isinstance(a, Tensor) else a
        out_roots = {r for v in escaping for r in self.roots(v)}
        first, last = {}, {}
        for k, (reads, writes) in enumerate(self.uses):
            for v in (*reads, *writes):
                for r in self.roots(v):
                    first.setdefault(r, k)
                    last[r] = k
        fresh_bufs = []
        pool: dict = {}
        ends: dict = {}
        for r, k in last.items():
            ends.setdefault(k, []).append(r)
        for k, (reads, writes) in enumerate(self.uses):
            for r in writes:
                if self.kind.get(r) != BUF or first[r] != k or self.env[r] is not None:
                    continue
                shape, dt = self.meta[r]
                if r in out_roots:  # returned: a new array per replay
                    fresh_bufs.append((r, shape, dt))
                    self.env[r] = np.empty(shape, dt)
                    continue
                free = pool.get((shape, dt))
                self.env[r] = free.pop() if free else np.empty(shape, dt)
            for r in ends.get(k, ()):
                if self.kind.get(r) == BUF and r not in out_roots:
                    pool.setdefault(self.meta[r], []).append(self.env[r])
        return fresh_bufs


class Lowered:
    """The kernels of a program and what a replay sets before running them and reads after."""

    def __init__(self, b: Builder, input_slots: list, out, result_info: dict, escaping: set, train: bool) -> None:
        self.env = b.env
        self.fresh_bufs = b.finish(escaping)
        self.kernels = _with_releases(b, escaping)
        self.train = train
        self.input_slots = [(i, s) for i, s in enumerate(input_slots) if s is not None]
        self.params = tuple(b.param_list)
        self.out, self.result_info = out, result_info
        self.clear = tuple(v for v, k in b.kind.items() if k == FRESH) + tuple(s for _, s in self.input_slots)

    def guards_hold(self) -> bool:
        """The parameters still have the recorded shapes, dtypes and (in a training step) ``requires_grad``."""
        train = self.train
        for v, p, shape, dt, rg in self.params:
            d = p._data
            if d.shape != shape or d.dtype != dt or (train and p._requires_grad is not rg):
                return False
        return True

    def run(self, inputs):
        env = self.env
        for i, s in self.input_slots:
            env[s] = inputs[i]._data
        for v, p, _, _, _ in self.params:
            env[v] = p._data
        for r, shape, dt in self.fresh_bufs:
            env[r] = np.empty(shape, dt)
        grad_mode = STATE.enabled  # the backward's kernels run under no_grad
        try:
            for k in self.kernels:
                k()
            return _result(self.out, env, self.result_info, inputs, self.input_slots)
        finally:
            STATE.enabled = grad_mode
            for v in self.clear:
                env[v] = None
            for r, _, _ in self.fresh_bufs:
                env[r] = None


def _with_releases(b: Builder, escaping: set) -> tuple:
    """The kernels, with a ``release`` after each kernel that is the last to use some arrays made per replay (an
    op's own result, a gradient): they are dropped there, as eager mode's reference counts drop them, so the
    allocator reuses their memory within the step (held to the end, every one was a new allocation)."""
    last: dict = {}
    for k, (reads, writes) in enumerate(b.uses):
        for v in (*reads, *writes):
            if b.kind.get(v) == FRESH and v not in escaping:
                last[v] = k
    dying: dict = {}
    for v, k in last.items():
        dying.setdefault(k, []).append(v)
    env, out = b.env, []
    for k, fn in enumerate(b.kernels):
        out.append(fn)
        if k in dying:
            out.append(_release(env, tuple(dying[k])))
    return tuple(out)


def _release(env: list, values: tuple) -> Callable:
    def release():
        for v in values:
            env[v] = None
    return release


def _result(spec, env, info: dict, inputs, input_slots):
    if type(spec) is tuple and spec and spec[0] is _SLOT:
        s = spec[1]
        for i, si in input_slots:
            if si == s:
                return inputs[i]
        x = env[s]
        if not isinstance(x, np.ndarray):
            return x  # an item() value
        t = wrap(x)
        node = info.get(s)
        if node is not None:  # the recorded step's node, freed by its backward, as eager mode's result has
            t._requires_grad = True
            t._grad_fn = node
        return t
    if isinstance(spec, dict):
        return {k: _result(v, env, info, inputs, input_slots) for k, v in spec.items()}
    if isinstance(spec, (list, tuple)):
        items = [_result(s, env, info, inputs, input_slots) for s in spec]
        return items if isinstance(spec, list) else tuple(items)
    return spec


__all__ = ["Builder", "Lowered", "held_elsewhere", "INPUT", "PARAM", "CONST", "BUF", "FRESH", "GRAD"]
