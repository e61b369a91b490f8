"""A captured backward pass: the engine's walk over one graph, frozen into a flat schedule.

At capture, :func:`plan_backward` walks the graph of the loss exactly as the engine does (dependency
counts, a last-in-first-out ready list), so the nodes run, and the gradients that meet at a node are
summed, in the engine's order: the replayed gradients are bitwise those of eager mode. Each node becomes
one schedule entry that names the program slot whose ``grad_fn`` it is, and where each of its input
gradients goes: into another entry's gradient buffer (``ENTRY``) or into a leaf's ``.grad`` (``LEAF``),
with the shape to sum a broadcast gradient back to and the dtype to cast it to. The replay
(:func:`run_backward`) calls each node's ``backward`` and routes the results; the topological sort, the
dependency counting, the dictionaries and the per-edge type tests of the engine are gone.
"""
from __future__ import annotations

import numpy as np

from ..autograd.engine import _call, _input_dtype, cast_grad, sum_to
from ..autograd.function import FREED
from ..tensor import Tensor, wrap
from ._program import CaptureError

ENTRY, LEAF = 0, 1


class BackwardPlan:
    """``entries``: (slot, simple, n_outputs, routes) per node in the engine's order; a route is
    ``(input index, kind, target, output_nr, shape, dtype)``. ``leaves``: the tensors whose ``.grad`` the
    pass accumulates into."""

    def __init__(self, entries: list, leaves: list, retain: bool) -> None:
        self.entries, self.leaves, self.retain = entries, leaves, retain
        self.leaf_index = {id(t): i for i, t in enumerate(leaves)}


def _node(e):
    return e if type(e) is not tuple else e[0]


def plan_backward(root: Tensor, slot_of_node: dict, skip_leaves: set, retain: bool) -> BackwardPlan:
    """The schedule of ``root.backward()`` over the current graph. ``slot_of_node`` maps ``id(node)`` to a
    program slot holding an output of that node; leaves in ``skip_leaves`` (ids: the traced inputs) get no
    gradient. Raises ``CaptureError`` for what the schedule cannot express (hooks, unknown nodes)."""
    first = _node(root._grad_fn)
    deps: dict = {}
    seen = {id(first)}
    stack = [first]
    while stack:  # dependency counts over the reachable graph, as the engine counts them
        n = stack.pop()
        if n.hooks is not None:
            raise CaptureError(f"{n.name()} has hooks (register_hook / retain_grad on a non-leaf)")
        for e in n.next or ():
            if e is None or e is False or isinstance(e, Tensor):
                continue
            m = _node(e)
            deps[id(m)] = deps.get(id(m), 0) + 1
            if id(m) not in seen:
                seen.add(id(m))
                stack.append(m)
    order: list = []
    index: dict = {}
    ready = [first]
    while ready:  # the engine's walk: pop the last ready node, release its inputs in edge order
        n = ready.pop()
        index[id(n)] = len(order)
        order.append(n)
        for e in n.next or ():
            if e is None or e is False or isinstance(e, Tensor):
                continue
            m = _node(e)
            deps[id(m)] -= 1
            if deps[id(m)] == 0:
                ready.append(m)
    leaves: list = []
    leaf_index: dict = {}
    entries = []
    for n in order:
        slot = slot_of_node.get(id(n))
        if slot is None:
            raise CaptureError(f"the graph has a node ({n.name()}) that no recorded op made")
        routes = []
        for i, e in enumerate(n.next or ()):
            if e is None or e is False:
                continue
            shape = n.in_meta[i][0] if n.in_meta is not None else None
            if isinstance(e, Tensor):
                if id(e) in skip_leaves:
                    continue
                if e._hooks is not None:
                    raise CaptureError("a parameter has hooks (register_hook / post-accumulate hooks)")
                if id(e) not in leaf_index:
                    leaf_index[id(e)] = len(leaves)
                    leaves.append(e)
                routes.append((i, LEAF, leaf_index[id(e)], 0, shape, e._data.dtype))
            else:
                m, nr = (e, 0) if type(e) is not tuple else e
                routes.append((i, ENTRY, index[id(m)], nr, shape, _input_dtype(m, nr)))
        simple = n.fn._internal and n.out_meta is None
        entries.append((slot, simple, len(n.out_meta) if n.out_meta else 1, tuple(routes)))
    return BackwardPlan(entries, leaves, retain)


def plan_nodes(plan: BackwardPlan, env: list) -> list:
    """The ``grad_fn`` of each entry's slot in this replay (None where nothing was recorded)."""
    return [env[slot]._grad_fn for slot, _, _, _ in plan.entries]


def run_backward(plan: BackwardPlan, nodes: list, root: Tensor, fresh: list) -> None:
    """Replay ``plan`` on the graph the replayed forward built (``nodes``: see :func:`plan_nodes`) and
    accumulate into the leaves' ``.grad``; a leaf marked in ``fresh`` (its ``.grad`` was zeroed by the step's
    ``zero_grad``) keeps its ``.grad`` tensor, which takes the new gradient."""
    entries = plan.entries
    buf: list = [None] * len(entries)
    buf[0] = [wrap(np.ones_like(root._data))]
    leaf_grads: list = [None] * len(plan.leaves)
    retain = plan.retain
    for k, (slot, simple, n_out, routes) in enumerate(entries):
        grads = buf[k]
        if grads is None:
            continue
        buf[k] = None
        gf = nodes[k]
        if gf is None:  # not recorded in this replay (nothing it depends on needs a gradient)
            continue
        n = gf if type(gf) is not tuple else gf[0]
        if simple:
            res = n.fn.backward(n, grads[0])
            if type(res) is not tuple:
                res = (res,)
        else:
            res = _call(n, grads)
        n_res = len(res)
        for i, kind, target, nr, shape, dt in routes:
            g = res[i] if i < n_res else None
            if g is None:
                continue
            gd = g._data
            if shape is not None and gd.shape != shape:
                g = wrap(sum_to(gd, shape))
                gd = g._data
            if (dt is not None and gd.dtype != dt) or isinstance(gd, np.generic):
                g = cast_grad(g, dt)
            if kind == LEAF:
                old = leaf_grads[target]
                leaf_grads[target] = g if old is None else old + g
                continue
            b = buf[target]
            if b is None:
                b = buf[target] = [None] * entries[target][2]
            b[nr] = g if b[nr] is None else b[nr] + g
        if not retain:
            n.saved = FREED
            if n.out_data is not None:
                n.out_data = FREED
    _accumulate(plan.leaves, leaf_grads, fresh)


def _accumulate(leaves: list, grads: list, fresh: list) -> None:
    seen: set = set()  # a gradient array given to two leaves is copied for the second (as the engine does)
    for j, t in enumerate(leaves):
        g = grads[j]
        if g is None:
            continue
        if g._data.shape != t._data.shape:
            g = wrap(sum_to(g._data, t._data.shape))
        cur = t.grad
        gd = g._data
        if cur is None:
            if id(gd) in seen or gd.base is not None or not gd.flags.c_contiguous:
                gd = gd.copy()
            seen.add(id(gd))
            t.grad = wrap(gd)
        elif fresh[j]:  # zeroed by the step: the same .grad tensor takes the new gradient
            cd = cur._data
            if id(gd) not in seen and gd.base is None and gd.flags.c_contiguous and cur._base is None:
                cur._data = gd  # the backward's own array: no copy (eager mode keeps it too)
            elif cd.shape == gd.shape and cd.dtype == gd.dtype and cd.flags.writeable:
                np.copyto(cd, gd)  # shared or a view: written into the last step's buffer
            else:
                t.grad = wrap(gd.copy())
            seen.add(id(gd))
            cur._bump()
        else:
            cd = cur._data
            if cd.flags.writeable:
                cd += gd
                cur._bump()
            else:
                t.grad = wrap(cd + gd)
        fresh[j] = False
