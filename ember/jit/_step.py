"""Capture of a whole training step: forward ops, ``zero_grad``, ``backward`` and ``optimizer.step()``.

``capture_step(fn, inputs)`` runs ``fn(*inputs)`` once, eagerly, with the step tape on. Besides every
top-level op (the op tape of ``ember.onnx``), the tape records the calls that make a training step:
``Optimizer.zero_grad``/``Module.zero_grad``, ``Tensor.backward``/``autograd.backward`` (frozen into a
:class:`~ember.jit._backward.BackwardPlan` from the graph as it stands), ``Optimizer.step``, and
``Tensor.item`` called from user code (not from ember). The tape becomes a :class:`StepProgram`: a flat list of events
over value slots that replays the step without the module calls, argument parsing, autograd engine walk
and optimizer bookkeeping.

What cannot be captured is found during that first run (which has then done the step eagerly) and
reported as a ``CaptureError``: a closure passed to ``step``, ``backward`` with ``create_graph``,
``inputs`` or an explicit gradient, hooks on the graph, BatchNorm in training mode (its running
statistics are updated outside the ops), an op that reads a ``.grad`` (gradient clipping), and Python
control flow on tensor values in user code (``bool``/``float``/``int``/``tolist``/``numpy`` of a tensor, or
an ``item()`` that is used for anything but the returned value).
"""
from __future__ import annotations

import sys

import numpy as np

from .. import autograd
from ..autograd import engine
from ..autograd.grad_mode import STATE
from ..nn.modules.module import Module
from ..onnx._trace import Entry, OpTape
from ..optim.optimizer import Optimizer
from ..tensor import Tensor
from ._backward import BackwardPlan, plan_backward, plan_nodes, run_backward
from ._buffers import held_elsewhere
from ._program import _SLOT, CaptureError, _has_array, _node_key

OP, ZERO, BACKWARD, STEP, ITEM = range(5)


class StepTape(OpTape):
    """The op tape plus the training-step calls; ``errors`` collects what cannot be replayed."""

    def __init__(self, skip_leaves: set) -> None:
        super().__init__()
        self.skip_leaves = skip_leaves
        self.errors: list = []
        self.modules: list = []
        self.grad_ids: set = set()
        self.node_keys: dict = {}  # id(node) -> (entry index, output position) of the op that made it
        self.items: dict = {}  # id(python value) -> entry index of the item() call that returned it
        self.versions: list = []  # (parameter, its version after backward)
        self.grads: list = []  # (parameter, its .grad after backward, the .grad's version)
        self.buffers: dict = {}  # id(module) -> [(name, buffer, version)] when it was first called

    def __enter__(self) -> "StepTape":
        super().__enter__()
        tape, depth = self, self._depth

        def inner(fn):
            def call(*args, **kwargs):
                depth[0] += 1
                try:
                    return fn(*args, **kwargs)
                finally:
                    depth[0] -= 1
            return call

        orig_backward, orig_call = engine.backward, Module.__call__

        def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
                     inputs=None):
            if depth[0] == 0:
                tape._record_backward(tensors, grad_tensors, retain_graph, create_graph, grad_variables, inputs)
            inner(orig_backward)(tensors, grad_tensors, retain_graph, create_graph, grad_variables, inputs)
            if depth[0] == 0 and tape.entries and tape.entries[-1].op == "backward":
                leaves = tape.entries[-1].kwargs["plan"].leaves
                tape.grad_ids.update(id(t.grad) for t in leaves)
                tape.grads = [(t, t.grad, t.grad._version_cell()[0] if t.grad is not None else None)
                              for t in leaves]

        def zero_grad(owner_cls):
            orig = owner_cls.__dict__["zero_grad"]

            def call(owner, set_to_none: bool = True):
                if depth[0] == 0:
                    tape.entries.append(Entry("zero_grad", (owner, set_to_none), {}, ()))
                return inner(orig)(owner, set_to_none)
            return call

        def step(orig, bound=None):
            def call(*args, **kwargs):
                opt, rest = (bound, args) if bound is not None else (args[0], args[1:])
                if depth[0] == 0:
                    tape._check_grads()
                    if rest or kwargs:
                        tape.errors.append("optimizer.step() is given a closure")
                    tape.entries.append(Entry("step", (opt,), {}, ()))
                return inner(orig)(*args, **kwargs)
            return call

        orig_item = Tensor.item

        def item(t):
            value = orig_item(t)
            if depth[0] == 0 and _user_frame(sys._getframe(1)):
                tape.items[id(value)] = len(tape.entries)
                tape.keep.append(value)
                tape.entries.append(Entry("item", (t,), {}, ()))
            return value

        def reads_value(name):
            orig = getattr(Tensor, name)

            def call(t, *args, **kwargs):
                if depth[0] == 0 and _user_frame(sys._getframe(1)):
                    tape.errors.append(f"the step reads a tensor's value into Python (Tensor.{name}): "
                                       "data-dependent control flow or values would be frozen")
                return orig(t, *args, **kwargs)
            return call

        def module_call(module, *args, **kwargs):
            if id(module) not in tape.buffers:
                tape.modules.append(module)
                tape.buffers[id(module)] = [(name, b, b._version_cell()[0])
                                            for name, b in module.__dict__.get("_buffers", {}).items()
                                            if b is not None]
            return orig_call(module, *args, **kwargs)

        patches = [(engine, "backward", backward), (autograd, "backward", backward),
                   (Module, "zero_grad", zero_grad(Module)), (Optimizer, "zero_grad", zero_grad(Optimizer)),
                   (Tensor, "item", item), (Module, "__call__", module_call)]
        patches += [(Tensor, name, reads_value(name)) for name in ("__bool__", "__float__", "__int__", "tolist",
                                                                    "numpy")]
        for cls in _optimizer_classes(Optimizer):
            patches.append((cls, "step", step(cls.__dict__["step"])))
        for opt in _wrapped_optimizers(Optimizer):  # an LR scheduler wraps its optimizer's step per instance
            patches.append((opt, "step", step(opt.__dict__["step"], opt)))
        for owner, name, value in patches:
            self._restore.append((owner, name, owner.__dict__[name] if isinstance(owner, type)
                                  else getattr(owner, name)))
            setattr(owner, name, value)
        return self

    def _check_grads(self) -> None:
        """The gradients must be those backward made: a change outside the ops (``clip_grad_norm_``,
        ``GradScaler.unscale_``, an assignment to ``.grad``) would not be replayed."""
        for t, g, version in self.grads:
            if t.grad is not g or (g is not None and g._version_cell()[0] != version):
                self.errors.append("the gradients were changed after backward outside the ops "
                                   "(clip_grad_norm_, GradScaler.unscale_, an assignment to .grad)")
                return

    def _record(self, op, args, kwargs, out, module) -> None:
        super()._record(op, args, kwargs, out, module)
        e = self.entries[-1]
        for pos, node in enumerate(e.nodes):
            if node is not None:
                self.node_keys.setdefault(_node_key(node)[0] if type(node) is tuple else id(node),
                                          (len(self.entries) - 1, pos))

    def _record_backward(self, tensors, grad_tensors, retain_graph, create_graph, grad_variables, inputs):
        if not isinstance(tensors, Tensor) or grad_tensors is not None or grad_variables is not None \
                or create_graph or inputs is not None:
            self.errors.append("backward() with several outputs, an explicit gradient, create_graph or inputs")
            return
        if tensors._grad_fn is None:
            return  # the engine raises its own error
        try:
            plan = plan_backward(tensors, self.node_keys, self.skip_leaves, bool(retain_graph))
        except CaptureError as e:
            self.errors.append(str(e))
            return
        self.entries.append(Entry("backward", (tensors,), {"plan": plan}, ()))
        self.versions = [(t, t._version_cell()[0]) for t in plan.leaves]


def _user_frame(frame) -> bool:
    """A call from user code (not from ember itself, whose checks may read values harmlessly)."""
    name = frame.f_globals.get("__name__", "")
    return not (name == "ember" or name.startswith("ember."))


def _optimizer_classes(base) -> list:
    """Optimizer and every subclass that defines its own ``step`` (each is patched where it is defined)."""
    out, stack = [], [base]
    while stack:
        cls = stack.pop()
        if "step" in cls.__dict__:
            out.append(cls)
        stack.extend(cls.__subclasses__())
    return out


def _wrapped_optimizers(base) -> list:
    """Optimizer instances whose ``step`` is an instance attribute (set by an LR scheduler). Found through the
    garbage collector's referrers of their classes: slow on a big heap, but run once per capture."""
    import gc

    classes, stack = [], [base]
    while stack:
        cls = stack.pop()
        classes.append(cls)
        stack.extend(cls.__subclasses__())
    return [o for o in gc.get_referrers(*classes) if isinstance(o, base) and "step" in o.__dict__]


class StepProgram:
    """``events``: ``(OP, cls, template, kwargs, outs, grad_mode)``, ``(ZERO, owner, set_to_none, params)``,
    ``(BACKWARD, root slot, plan)``, ``(STEP, optimizer)``, ``(ITEM, tensor slot, value slot)``.
    ``modules``/``flags``: the modules called and their ``training`` flags (guards)."""

    def __init__(self, events, n_slots, input_slots, out, modules, plan) -> None:
        self.events, self.n_slots, self.input_slots, self.out = events, n_slots, input_slots, out
        self.frees = _frees(events, n_slots, out)
        self.modules = modules
        self.flags = tuple(m.training for m in modules)
        self.plan = plan
        self.fresh = [False] * (len(plan.leaves) if plan is not None else 0)
        self.meta: dict = {}  # slot -> (shape, dtype) at record time (for the lowering)
        self.aliases: dict = {}  # op output slot -> input slots sharing its memory at record time
        self.lowered = None  # the kernel replay (``_lower.lower_step``), where the step could be lowered

    def guards_hold(self) -> bool:
        for m, f in zip(self.modules, self.flags):
            if m.training is not f:
                return False
        return True

    def run(self, inputs):
        low = self.lowered
        if low is not None and not STATE.anomaly and low.guards_hold():  # anomaly mode: the nodes' checks
            return low.run(inputs)
        env = [None] * self.n_slots
        for slot, x in zip(self.input_slots, inputs):
            if slot is not None:
                env[slot] = x
        prev = STATE.enabled
        frees = self.frees
        try:
            for i, ev in enumerate(self.events):
                tag = ev[0]
                if tag == OP:
                    _, cls, template, kwargs, outs, grad = ev
                    STATE.enabled = grad
                    args = [env[a[1]] if type(a) is tuple and a and a[0] is _SLOT else a for a in template]
                    res = cls.apply(*args, **kwargs) if kwargs else cls.apply(*args)
                    if len(outs) == 1:
                        env[outs[0]] = res
                    else:
                        for s, r in zip(outs, res):
                            env[s] = r
                elif tag == BACKWARD:
                    STATE.enabled = False
                    nodes, root = plan_nodes(ev[2], env), env[ev[1]]
                    for s in frees[i]:  # drop the activations now: the nodes free theirs as backward goes
                        env[s] = None
                    run_backward(ev[2], nodes, root, self.fresh)
                    del nodes, root
                    continue
                elif tag == STEP:
                    STATE.enabled = prev
                    ev[1].step()
                elif tag == ZERO:
                    self._zero_grad(ev[1], ev[2], ev[3])
                else:
                    env[ev[2]] = env[ev[1]].item()
                for s in frees[i]:  # a value no later event reads is released (as eager mode's refcounts do)
                    env[s] = None
        finally:
            STATE.enabled = prev
        return _rebuild(self.out, env)

    def _zero_grad(self, owner, set_to_none: bool, params: list) -> None:
        """``zero_grad``: a parameter that this step's backward writes keeps its ``.grad`` tensor, marked to
        take the new gradient (no new tensor per step), unless something besides the parameter holds the tensor
        or its array; the others get ``None`` as in eager mode."""
        if not set_to_none:
            owner.zero_grad(False)
            return
        fresh = self.fresh
        for p, j in params:
            t = p.grad
            if t is None:
                continue
            if j < 0 or held_elsewhere(t, 1):  # the caller holds the .grad: it keeps this step's values
                p.grad = None
            else:
                fresh[j] = True


def _frees(events: list, n_slots: int, out) -> list:
    """For each event, the slots that no later event reads (and that are not part of the result)."""
    last = [-1] * n_slots
    for i, ev in enumerate(events):
        if ev[0] == OP:
            for a in ev[2]:
                if type(a) is tuple and a and a[0] is _SLOT:
                    last[a[1]] = i
            for s in ev[4]:
                last[s] = max(last[s], i)
        elif ev[0] == BACKWARD:
            last[ev[1]] = i
            for slot, _, _, _ in ev[2].entries:
                last[slot] = i
        elif ev[0] == ITEM:
            last[ev[1]] = i
            last[ev[2]] = max(last[ev[2]], i)
    keep = _slots_in(out)
    frees: list = [[] for _ in events]
    for s, i in enumerate(last):
        if i >= 0 and s not in keep:
            frees[i].append(s)
    return [tuple(f) for f in frees]


def capture_step(fn, inputs: tuple):
    """Run ``fn(*inputs)`` once with the step tape on. Returns ``(program or None, reason, result)``:
    the call's own result always (the step ran eagerly), and the reason when it cannot be replayed."""
    traced = [x.detach().requires_grad_(True) if isinstance(x, Tensor) and x.is_floating_point() else x
              for x in inputs]
    skip = {id(x) for x in traced if isinstance(x, Tensor) and x.requires_grad}
    with StepTape(skip) as tape:
        result = fn(*traced)
    tape._check_grads()
    try:
        if tape.errors:
            raise CaptureError(tape.errors[0])
        _check_modules(tape.modules, tape.buffers)
        _check_updates(tape)
        prog = _build(tape, traced, result)
    except CaptureError as e:
        return None, str(e), result
    return prog, None, result


def _check_updates(tape: StepTape) -> None:
    """Every parameter changed after backward must belong to an optimizer whose ``step`` was recorded."""
    stepped = {id(p) for e in tape.entries if e.op == "step" for g in e.args[0].param_groups for p in g["params"]}
    for t, version in tape.versions:
        if t._version_cell()[0] != version and id(t) not in stepped:
            raise CaptureError("a parameter was changed after backward by something other than a recorded "
                               "optimizer.step() (a manual update, or a step the capture did not see)")


def _check_modules(modules, buffers: dict) -> None:
    """A module that updates its buffers outside the ops (BatchNorm's running statistics, an observer's
    range) would not update them in a replay."""
    for m in modules:
        if getattr(m, "track_running_stats", False) and m.training:
            raise CaptureError(f"{type(m).__name__} in training mode updates its running statistics outside "
                               "the ops (a replay would not update them)")
        for name, b, version in buffers[id(m)]:
            now = m.__dict__["_buffers"].get(name)
            if now is not b or b._version_cell()[0] != version:
                raise CaptureError(f"{type(m).__name__} changes its buffer {name!r} outside the ops (an observer "
                                   "or a running statistic: a replay would not update it)")


def _build(tape: StepTape, inputs: list, result) -> StepProgram:
    slots: dict = {}
    meta: dict = {}
    n = 0
    input_slots = []
    for x in inputs:
        if isinstance(x, Tensor):
            slots[id(x._data)] = n
            meta[n] = (x._data.shape, x._data.dtype)
            input_slots.append(n)
            n += 1
        else:
            input_slots.append(None)
    events: list = []
    aliases: dict = {}  # op output slot -> the input slots it shares memory with at record time
    by_node: dict = {}
    key_slot: dict = {}  # (entry index, output position) -> slot
    item_slot: dict = {}  # entry index of an item() call -> the slot of its value
    plan = None
    known = {id(t) for m in tape.modules for t in (*m.__dict__.get("_buffers", {}).values(),
                                                   *m.__dict__.get("_parameters", {}).values()) if t is not None}
    for ei, e in enumerate(tape.entries):
        if e.op == "inplace":
            dst, data = e.args
            if id(data) in slots:
                slots[id(dst)] = slots[id(data)]
        elif e.op == "zero_grad":
            owner, set_to_none = e.args
            events.append([ZERO, owner, set_to_none, _params_of(owner)])
        elif e.op == "backward":
            if plan is not None:
                raise CaptureError("the step calls backward() twice")
            plan = e.kwargs["plan"]
            plan.entries = [(_slot_of(key_slot, s), *rest) for s, *rest in plan.entries]
            events.append((BACKWARD, _tensor_slot(e.args[0], slots, by_node), plan))
        elif e.op == "step":
            events.append((STEP, e.args[0]))
        elif e.op == "item":
            item_slot[ei] = n
            events.append((ITEM, _tensor_slot(e.args[0], slots, by_node), n))
            n += 1
        else:
            template = tuple(_template(a, slots, by_node, tape.grad_ids, known) for a in e.args)
            if any(isinstance(a, (list, tuple)) and any(isinstance(t, Tensor) for t in a) for a in e.args):
                raise CaptureError(f"{e.op.__name__} takes a list of tensors")
            if not isinstance(e.op, type) or e.module is not None:
                raise CaptureError(f"{e.op!r} is not an op")
            if any(_has_array(a) for a in (*e.args, *e.kwargs.values())):
                raise CaptureError(f"{e.op.__name__} takes an index array computed outside the ops (advanced "
                                   "indexing, a boolean mask): a replay would reuse it")
            outs = []
            reads = [(slots[id(a._data)], a._data) for a in e.args
                     if isinstance(a, Tensor) and slots.get(id(a._data)) is not None]
            for pos, (o, node) in enumerate(zip(e.outputs, e.nodes)):
                slots[id(o._data)] = n
                meta[n] = (o._data.shape, o._data.dtype)
                aliases[n] = tuple(s for s, d in reads if np.may_share_memory(o._data, d))
                key_slot[(ei, pos)] = n
                if node is not None:
                    by_node[_node_key(node)] = n
                outs.append(n)
                n += 1
            events.append((OP, e.op, template, e.kwargs, tuple(outs), e.grad))
    for ev in events:  # zero_grad: which parameters' buffers the backward rewrites
        if ev[0] == ZERO:
            ev[3] = [(p, plan.leaf_index.get(id(p), -1) if plan is not None else -1) for p in ev[3]]
    out = _result_spec(result, slots, tape.items, item_slot)
    used = _slots_in(out)
    for ei, s in item_slot.items():
        if s not in used:
            raise CaptureError("the step reads a tensor's value into Python (Tensor.item) and uses it for "
                               "something other than the returned value: it would be frozen")
    modules = list(tape.modules)
    prog = StepProgram([tuple(ev) for ev in events], n, input_slots, out, modules, plan)
    prog.meta, prog.aliases = meta, aliases
    return prog


def _rebuild(spec, env):
    if type(spec) is tuple and spec and spec[0] is _SLOT:
        return env[spec[1]]
    if isinstance(spec, dict):
        return {k: _rebuild(v, env) for k, v in spec.items()}
    if isinstance(spec, list):
        return [_rebuild(s, env) for s in spec]
    if isinstance(spec, tuple):
        return tuple(_rebuild(s, env) for s in spec)
    return spec


def _params_of(owner) -> list:
    if hasattr(owner, "param_groups"):
        return [p for g in owner.param_groups for p in g["params"]]
    return list(owner.parameters())


def _slot_of(key_slot: dict, key) -> int:
    s = key_slot.get(key)
    if s is None:
        raise CaptureError("the backward graph has a node that no replayed op makes")
    return s


def _tensor_slot(t: Tensor, slots: dict, by_node: dict) -> int:
    s = slots.get(id(t._data))
    if s is None and t._grad_fn is not None:
        s = by_node.get(_node_key(t._grad_fn))
    if s is None:
        raise CaptureError("backward()/item() of a tensor that no recorded op made")
    return s


def _template(a, slots, by_node, grad_ids, known):
    if isinstance(a, Tensor):
        s = slots.get(id(a._data))
        if s is None and a._grad_fn is not None:
            s = by_node.get(_node_key(a._grad_fn))
        if s is not None:
            return (_SLOT, s)
        if id(a) in grad_ids:
            raise CaptureError("an op reads a parameter's .grad after backward (gradient clipping?)")
        if a._data.dtype.kind in "biu" and id(a) not in known:  # indices made outside the ops (sort, topk)
            raise CaptureError("an op takes integer or boolean indices computed outside the ops (sort, topk, "
                               "argmax, advanced indexing): a replay would reuse them")
    return a


def _result_spec(result, slots, items: dict, item_slot: dict):
    if isinstance(result, Tensor):
        s = slots.get(id(result._data))
        if s is None:
            raise CaptureError("the step's result was not made by an op")
        return (_SLOT, s)
    if isinstance(result, float) and id(result) in items and items[id(result)] in item_slot:
        return (_SLOT, item_slot[items[id(result)]])
    if isinstance(result, dict):
        return {k: _result_spec(v, slots, items, item_slot) for k, v in result.items()}
    if isinstance(result, (list, tuple)):
        parts = [_result_spec(r, slots, items, item_slot) for r in result]
        return parts if isinstance(result, list) else tuple(parts)
    return result


def _slots_in(spec) -> set:
    if type(spec) is tuple and spec and spec[0] is _SLOT:
        return {spec[1]}
    if isinstance(spec, dict):
        spec = list(spec.values())
    if isinstance(spec, (list, tuple)):
        out: set = set()
        for s in spec:
            out |= _slots_in(s)
        return out
    return set()


__all__ = ["StepProgram", "capture_step", "BackwardPlan"]
