"""A captured program: the op tape of one call, as a flat list of steps over value slots."""
from __future__ import annotations

from .._grad_mode import STATE, enable_grad
from ..autograd.function import Function
import numpy as _np

from ..tensor import Tensor, wrap

_new = object.__new__
from ..onnx._graph import _node_key
from ..onnx._trace import OpTape


class CaptureError(RuntimeError):
    """The call cannot be captured as a replayable program (ember.compile then runs it eagerly)."""


_SLOT = object()  # marks a template argument that is read from a slot


class Program:
    """``steps``: (op class, argument template, kwargs, output slots). A template argument is
    ``(_SLOT, i)`` for a value made by the program (or an input), or the object itself (a parameter, a
    buffer, a Python value). ``out`` mirrors the structure of the traced result with slots for tensors."""

    def __init__(self, steps: list, n_slots: int, input_slots: list, out, result) -> None:
        self.steps, self.n_slots, self.input_slots, self.out, self.result = steps, n_slots, input_slots, out, result
        self.meta = self.aliases = None  # slot -> (shape, dtype); op output slot -> input slots sharing memory
        self.lowered = None  # the kernel replay without grad (``_lower.lower_forward``), where lowered

    def run(self, inputs):
        if not STATE.enabled and not STATE.anomaly:
            low = self.lowered
            if low is not None and low.guards_hold():
                return low.run(inputs)
            return self._run_no_grad(inputs)
        env = [None] * self.n_slots
        for slot, x in zip(self.input_slots, inputs):
            if slot is not None:
                env[slot] = x
        for cls, template, kwargs, outs in self.steps:
            args = [env[a[1]] if type(a) is tuple and a and a[0] is _SLOT else a for a in template]
            if cls is None:  # an in-place write: the target now holds the written value
                env[outs[0]] = args[0]
                continue
            res = cls.apply(*args, **kwargs)
            if len(outs) == 1:
                env[outs[0]] = res
            else:
                for s, r in zip(outs, res):
                    env[s] = r
        return _rebuild(self.out, env)


    def _run_no_grad(self, inputs):
        """Inference replay: an op that is not a view runs its forward directly on a bare node (nothing is
        recorded, so ``apply``'s graph bookkeeping is skipped); views and user Functions go through ``apply``."""
        env = [None] * self.n_slots
        for slot, x in zip(self.input_slots, inputs):
            if slot is not None:
                env[slot] = x
        for cls, template, kwargs, outs in self.steps:
            args = [env[a[1]] if type(a) is tuple and a and a[0] is _SLOT else a for a in template]
            if cls is None:
                env[outs[0]] = args[0]
                continue
            if not cls._internal or cls.is_view:
                res = cls.apply(*args, **kwargs)
            else:
                ctx = _new(cls._node)
                ctx.fn = cls
                ctx.next = None
                out = cls.forward(ctx, *args, **kwargs)
                res = tuple(wrap(_np.asarray(o)) for o in out) if type(out) is tuple else wrap(_np.asarray(out))
            if len(outs) == 1:
                env[outs[0]] = res
            else:
                for s, r in zip(outs, res):
                    env[s] = r
        return _rebuild(self.out, env)


def _rebuild(spec, env):
    if type(spec) is tuple and spec and spec[0] is _SLOT:
        return env[spec[1]]
    if isinstance(spec, list):
        return [_rebuild(s, env) for s in spec]
    if isinstance(spec, tuple):
        return tuple(_rebuild(s, env) for s in spec)
    return spec


def capture(fn, inputs: tuple) -> Program:
    """Run ``fn(*inputs)`` once with the op tape on and turn the tape into a Program (whose ``result`` is
    this call's own result)."""
    _check_capturable(fn)
    # traced with grad on and float inputs requiring grad: ember's inference fast paths (a fused kernel on
    # raw arrays, never an op) run only when nothing is recorded, so the tape holds every op; the program
    # replays under the caller's grad mode
    traced = [x.detach().requires_grad_(True) if isinstance(x, Tensor) and x.is_floating_point() else x
              for x in inputs]
    with enable_grad(), OpTape() as tape:
        result = fn(*traced)
    inputs = traced
    slots: dict = {}  # id(array) -> slot
    meta: dict = {}
    aliases: dict = {}
    arrays: dict = {}  # slot -> its array at record time (for the aliases; dropped after capture)
    n = 0
    input_slots = []
    for x in inputs:
        if isinstance(x, Tensor):
            slots[id(x._data)] = n
            meta[n], arrays[n] = (x._data.shape, x._data.dtype), x._data
            input_slots.append(n)
            n += 1
        else:
            input_slots.append(None)
    steps = []
    known = {id(t) for m in (fn.modules() if hasattr(fn, "modules") else ())
             for t in (*m.__dict__.get("_buffers", {}).values(), *m.__dict__.get("_parameters", {}).values())
             if t is not None}
    by_node: dict = {}  # the node that made a value -> its slot (an in-place op's copy of its target)
    for e in tape.entries:
        if e.op == "inplace":
            dst, data = e.args
            if id(data) in slots:
                slots[id(dst)] = slots[id(data)]
            continue
        template = tuple(_template(a, slots, by_node) for a in e.args)
        if any(isinstance(a, (list, tuple)) and any(isinstance(t, Tensor) for t in a) for a in e.args):
            raise CaptureError(f"{e.op.__name__} takes a list of tensors")
        _check_frozen(e, template, known)
        outs = []
        reads = [a[1] for a in template if type(a) is tuple and a and a[0] is _SLOT]
        for o, node in zip(e.outputs, e.nodes):
            slots[id(o._data)] = n
            meta[n], arrays[n] = (o._data.shape, o._data.dtype), o._data
            aliases[n] = tuple(r for r in reads if _np.may_share_memory(o._data, arrays[r]))
            if node is not None:
                by_node[_node_key(node)] = n
            outs.append(n)
            n += 1
        steps.append((e.op, template, e.kwargs, tuple(outs)))
    out = _spec(result, slots)
    prog = Program(steps, n, input_slots, out, result)
    prog.meta, prog.aliases = meta, aliases
    return prog


def _has_array(a) -> bool:
    """An integer or boolean ndarray argument (or one inside a tuple/list: an index key, a mask) was computed
    outside the ops, from the data (float arrays are taken to depend on shapes only: a pooling divisor)."""
    if isinstance(a, _np.ndarray):
        return a.dtype.kind in "biu"
    return isinstance(a, (tuple, list)) and any(_has_array(b) for b in a)


def _check_frozen(e, template, known) -> None:
    """Values computed outside the ops from the inputs would be frozen at their traced values: an array
    argument (a random mask, an index key) or an integer tensor that is no parameter or buffer (the indices
    of sort/topk)."""
    if any(_has_array(a) for a in (*e.args, *e.kwargs.values())):
        raise CaptureError(f"{e.op.__name__} takes an array computed outside the ops (an index key, a mask)")
    for a in template:
        if isinstance(a, Tensor) and a._data.dtype.kind in "biu" and id(a) not in known:
            raise CaptureError(f"{e.op.__name__} takes integer or boolean indices computed outside the ops "
                               "(sort, topk, argmax, advanced indexing)")


def _template(a, slots, by_node):
    if isinstance(a, Tensor):
        s = slots.get(id(a._data))
        if s is None and a._grad_fn is not None:
            s = by_node.get(_node_key(a._grad_fn))
        return (_SLOT, s) if s is not None else a
    return a


def _spec(result, slots):
    if isinstance(result, Tensor):
        s = slots.get(id(result._data))
        if s is None:
            raise CaptureError("the output was not made by an op")
        return (_SLOT, s)
    if isinstance(result, (list, tuple)):
        items = [_spec(r, slots) for r in result]
        return items if isinstance(result, list) else tuple(items)
    return result


def _check_capturable(fn) -> None:
    modules = fn.modules() if hasattr(fn, "modules") else ()
    for m in modules:
        if getattr(m, "track_running_stats", False) and m.training:
            raise CaptureError(f"{type(m).__name__} in training mode updates its running statistics outside "
                               "the ops (a replay would not update them)")


__all__ = ["Program", "capture", "CaptureError", "Function"]
