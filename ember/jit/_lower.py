"""The lowering of whole programs (see ``_buffers`` for what a lowered replay is and what it guarantees).

:func:`lower_forward` lowers a traced forward for replays without grad; :func:`lower_step` lowers a captured
training step whose ``zero_grad`` sets the gradients to None before its one ``backward`` and whose backward does
not retain the graph. Each op takes its own lowering where it has one (``_kernels``: linear, relu,
cross-entropy; ``_views``: the backward of reshapes, transposes, permutes and of slices that split a tensor),
else the generic one (``_generic``: its raw forward and its backward on a node kept across replays). Either
returns None where it cannot lower (a user ``autograd.Function``, a complex gradient), and the program keeps its
generic replay.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import FREED
from ..tensor import Tensor, wrap
from ._backward import ENTRY
from ._buffers import _BASE_REFS, _refs, FRESH, GRAD, INPUT, Builder, Lowered
from ._generic import generic_backward, generic_train_forward, grad_mode_switch
from ._kernels import BACKWARD, INFER_FORWARD, TRAIN_FORWARD, Grads, generic_forward
from ._views import gather_slice, plan_gathers, view_backward
from ._program import _SLOT
from ._step import BACKWARD as _BACKWARD_EVENT, ITEM, OP, STEP, ZERO, _slots_in

def lower_forward(prog) -> Lowered | None:
    """The kernels of a traced forward (a ``Program``) replayed without grad, or None."""
    meta, aliases = getattr(prog, "meta", None), getattr(prog, "aliases", None)
    if meta is None:
        return None
    b = Builder(meta, prog.n_slots)
    for s in prog.input_slots:
        if s is not None:
            b.kind[s] = INPUT
    for cls, template, kwargs, outs in prog.steps:
        if cls is None:
            return None
        low = INFER_FORWARD.get(cls)
        if low is not None and len(outs) == 1 and low(b, template, kwargs, outs):
            continue
        if not generic_forward(b, cls, template, kwargs, outs, aliases):
            return None
    return Lowered(b, prog.input_slots, prog.out, {}, _slots_in(prog.out), train=False)


def lower_step(prog, result) -> Lowered | None:
    """The kernels of a captured training step (a ``StepProgram``; ``result`` is the recorded call's), or None."""
    plan = prog.plan
    meta, aliases = getattr(prog, "meta", None), getattr(prog, "aliases", None) or {}
    if meta is None or (plan is not None and plan.retain):
        return None
    b = Builder(meta, prog.n_slots)
    for s in prog.input_slots:
        if s is not None:
            b.kind[s] = INPUT
    leaves = plan.leaves if plan is not None else []
    leaf_values = [b.new(t._data.shape, t._data.dtype, GRAD) for t in leaves]
    held: list = [None] * len(leaves)  # the .grad tensor that each leaf keeps across replays
    zeroed: set = set()
    done = False
    for ev in prog.events:
        tag = ev[0]
        if tag == OP:
            _, cls, template, kwargs, outs, _grad = ev
            low = TRAIN_FORWARD.get(cls)
            if low is not None and len(outs) == 1 and low(b, template, kwargs, outs):
                if _grad and any(b.needs_grad(a) for a in template):
                    b.requires.update(outs)
                continue
            if not generic_train_forward(b, cls, template, kwargs, outs, _grad, aliases):
                return None
        elif tag == ZERO:
            if not ev[2] or done:  # zero_grad(set_to_none=False), or after the backward
                return None
            zeroed.update(j for _, j in ev[3] if j >= 0)
            b.emit(_zero_grad(b, ev[3], leaves, leaf_values, held), (), ())
        elif tag == _BACKWARD_EVENT:
            if len(zeroed) != len(leaves):  # a gradient accumulated across steps
                return None
            off, on = grad_mode_switch()
            b.emit(off, (), ())
            grads = _lower_backward(b, ev[1], plan, leaf_values)
            if grads is None:
                return None
            b.emit(on, (), ())
            written = [("l", j) in grads.started for j in range(len(leaves))]
            b.emit(_give_grads(b, leaves, leaf_values, held, written), (), ())
            done = True
        elif tag == STEP:
            b.emit(_step(ev[1]), (), ())
        elif tag == ITEM:
            b.kind[ev[2]] = FRESH
            b.emit(_item(b.env, ev[1], ev[2]), (ev[1],), (ev[2],))
    return Lowered(b, prog.input_slots, prog.out, _result_nodes(result, prog.out), _slots_in(prog.out),
                   train=True)


def _lower_backward(b: Builder, root: int, plan, leaf_values: list) -> Grads | None:
    grads = Grads(b, leaf_values)
    shape, dt = b.meta[root]
    grads.values[("e", 0, 0)] = b.const(np.ones(shape, dt))  # the engine's seed: ones_like(root)
    grads.started.add(("e", 0, 0))
    entries = _pruned(plan.entries)
    gathers = plan_gathers(b, entries)
    for k, (slot, _simple, n_out, routes) in enumerate(entries):
        gvals = [grads.values.get(("e", k, nr)) if ("e", k, nr) in grads.started else None for nr in range(n_out)]
        if all(g is None for g in gvals):
            continue  # no gradient reaches this node
        made = b.made.get(slot)
        if made is None:
            return None
        keyed = [(i, ("e", target, nr) if kind == ENTRY else ("l", target), route_shape, route_dt)
                 for i, kind, target, nr, route_shape, route_dt in routes]
        if not keyed:
            continue  # its gradients go nowhere (a traced input's)
        low = BACKWARD.get(made[0])
        if low is not None and n_out == 1 and _plain(b, made, routes):
            if low(b, grads, made, gvals[0], [(i, key) for i, key, _, _ in keyed], slot):
                continue
        if gather_slice(b, grads, made, gvals[0], keyed, gathers) or view_backward(b, grads, made, gvals[0], keyed):
            continue
        out_meta = [b.meta.get(o) for o in _outputs(b, made, slot, n_out)]
        if not generic_backward(b, grads, made, gvals, out_meta, keyed):
            return None
    return grads


def _pruned(entries: list) -> list:
    """The schedule without the gradients that reach no parameter (those of a traced input: eager mode, where the
    input needs no gradient, does not compute them): a route into an entry none of whose routes lead to a leaf
    is dropped. Entries route only to later entries, so one walk from the end decides."""
    useful = [False] * len(entries)
    kept = [None] * len(entries)
    for k in range(len(entries) - 1, -1, -1):
        slot, simple, n_out, routes = entries[k]
        routes = tuple(r for r in routes if r[1] != ENTRY or useful[r[2]])
        useful[k] = bool(routes)
        kept[k] = (slot, simple, n_out, routes)
    return kept


def _plain(b: Builder, made, routes) -> bool:
    """Routes that a specific backward lowering writes directly: one output, no unbroadcast, no cast."""
    for i, _kind, _target, nr, route_shape, route_dt in routes:
        like = made[1][i] if i < len(made[1]) else None
        if nr != 0 or route_shape is not None or like is None or b.meta[like][1] != route_dt:
            return False
    return True


def _outputs(b: Builder, made, slot: int, n_out: int) -> list:
    """The values of a several-output op's outputs (in order), from the forward that made ``slot``."""
    if n_out == 1:
        return [slot]
    outs = [o for o, m in b.made.items() if m[2] is made[2]]
    return sorted(outs)[:n_out]


def _zero_grad(b: Builder, params: list, leaves: list, leaf_values: list, held: list):
    """``zero_grad(set_to_none=True)``: a parameter the backward writes keeps its ``.grad`` tensor and buffer
    when nothing else holds them (the parameter, ``held`` and ``env`` are the only references), else the backward
    writes into a new array; the others' ``.grad`` become None, as in eager mode."""
    env = b.env
    targets = tuple((p, j, leaf_values[j] if j >= 0 else None, leaves[j]._data.shape if j >= 0 else None,
                     leaves[j]._data.dtype if j >= 0 else None) for p, j in params)
    refs_t = refs_a = _BASE_REFS + 2  # p.grad and held[j]; t._data and env[v]

    def zero_grad():
        for p, j, v, shape, dt in targets:
            t = p.grad
            if j >= 0 and t is not None and t is held[j]:
                a = env[v]
                if t._data is a and _refs(t) <= refs_t and _refs(a) <= refs_a:
                    continue  # nobody else holds them: the backward writes into them again
                a = None
            if j >= 0:
                held[j] = None
                env[v] = np.empty(shape, dt)
            if t is not None:
                p.grad = None
    return zero_grad


def _give_grads(b: Builder, leaves: list, leaf_values: list, held: list, written: list):
    """After the backward: each parameter's ``.grad`` is its gradient buffer (the kept tensor, or a new one)."""
    env = b.env
    targets = tuple(zip(range(len(leaves)), leaves, leaf_values, written))

    def give_grads():
        for j, p, v, w in targets:
            if not w:
                continue
            t = held[j]
            if t is None:
                held[j] = p.grad = wrap(env[v])
            else:
                if t._data is not env[v]:
                    t._data = env[v]
                t._bump()
    return give_grads


def _step(opt):
    def step():
        opt.step()
    return step


def _item(env: list, t: int, v: int):
    def item():
        env[v] = env[t].reshape(-1)[0].item()
    return item


def _result_nodes(result, spec) -> dict:
    """For each returned slot that had a node in the recorded call: a node of the same class whose saved values
    are freed (as an eager result's node is after its backward), so ``grad_fn`` and a second ``backward()``
    behave as in eager mode."""
    out: dict = {}
    if type(spec) is tuple and spec and spec[0] is _SLOT:
        if isinstance(result, Tensor) and result._grad_fn is not None and type(result._grad_fn) is not tuple:
            n = result._grad_fn
            stub = object.__new__(type(n))
            stub.fn = n.fn
            stub.next = [None] * len(n.next or ())
            stub.saved = FREED
            stub.odt = getattr(n, "odt", None)
            out[spec[1]] = stub
        return out
    if isinstance(spec, dict):
        for k, s in spec.items():
            out.update(_result_nodes(result[k], s))
    elif isinstance(spec, (list, tuple)) and isinstance(result, (list, tuple)):
        for r, s in zip(result, spec):
            out.update(_result_nodes(r, s))
    return out


__all__ = ["lower_forward", "lower_step"]
