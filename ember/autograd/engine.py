"""The backward engine: one iterative pass over the graph, in topological order.

The engine owns the cross-cutting work so no op repeats it: the walk (no recursion, so a chain of
100,000 ops is fine), summing gradients that meet at a node, unbroadcasting (``sum_to_size``),
casting each gradient to its input's dtype, as an array even when 0-d (torch's ``validate_outputs``),
skipping edges that need no gradient, tensor hooks and ``retain_grad``, accumulation into leaves'
``.grad``, freeing saved tensors unless ``retain_graph``, and ``autograd.grad``'s capture of chosen
inputs. The cyclic garbage collector is paused during the pass: the graph is acyclic and freed by
reference counting.
"""
from __future__ import annotations

import gc
from typing import Sequence

import numpy as np

from ..dtypes import from_numpy_dtype
from ..tensor import Tensor, wrap
from .anomaly import check_nan
from .function import BACKWARD, FREED, Node
from .grad_mode import STATE


def _as_tuple(x) -> tuple:
    if x is None:
        return (None,)
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _root_grads(outputs: tuple, grads: tuple, create_graph: bool) -> list:
    if len(grads) == 1 and grads[0] is None:
        grads = (None,) * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(f"grad_tensors/grad_outputs should be a sequence of length {len(outputs)}, "
                           f"got {len(grads)}")
    pairs = []
    for i, (t, g) in enumerate(zip(outputs, grads)):
        if not isinstance(t, Tensor):
            raise TypeError(f"backward(): expected a Tensor, got {type(t).__name__}")
        if not t._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = wrap(np.ones_like(t._data))
        elif not isinstance(g, Tensor):
            g = wrap(np.full_like(t._data, g))
        elif tuple(g._data.shape) != tuple(t._data.shape):
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {_shape(g)} and "
                               f"output[{i}] has a shape of {_shape(t)}.")
        elif g._data.dtype != t._data.dtype or isinstance(g._data, np.generic):
            g = cast_grad(g, t._data.dtype)
        pairs.append((t, g))
    return pairs


def _shape(t) -> str:
    return f"torch.Size({list(t._data.shape)})"


def tensor_backward(self, gradient: Tensor | None = None, retain_graph: bool | None = None,
                    create_graph: bool = False, inputs=None) -> None:
    """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (see ``ember.autograd.backward``)."""
    backward(self, gradient, retain_graph, create_graph, inputs=inputs)


def install(tensor_class: type) -> None:
    """Give the Tensor its one method that runs the engine, ``backward`` (the engine sits above the Tensor, so the
    Tensor does not import it; ``ember/__init__.py`` calls this, as it calls ``ops.install``)."""
    tensor_backward.__name__, tensor_backward.__qualname__ = "backward", "Tensor.backward"
    tensor_class.backward = tensor_backward


def backward(tensors, grad_tensors=None, retain_graph: bool | None = None, create_graph: bool = False,
             grad_variables=None, inputs=None) -> None:
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the leaves (or of ``inputs``)."""
    outputs = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors if grad_tensors is not None else grad_variables)
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if len(inputs) == 0:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    retain = create_graph if retain_graph is None else retain_graph
    _run(_root_grads(outputs, grads, create_graph), retain, create_graph, inputs, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None, create_graph: bool = False,
         only_inputs: bool = True, allow_unused: bool | None = None, is_grads_batched: bool = False,
         materialize_grads: bool = False) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs``, without touching any ``.grad``."""
    outputs = _as_tuple(outputs)
    single = isinstance(inputs, Tensor)
    inputs = _as_tuple(inputs)
    for t in inputs:
        if not isinstance(t, Tensor) or not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    retain = create_graph if retain_graph is None else retain_graph
    pairs = _root_grads(outputs, _as_tuple(grad_outputs), create_graph)
    result = _run(pairs, retain, create_graph, inputs, accumulate=False)
    out = []
    for t, g in zip(inputs, result):
        if g is None:
            if materialize_grads:
                g = wrap(t._data * 0)
            elif not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been used in the "
                                   "graph. Set allow_unused=True if this is the desired behavior.")
        out.append(g)
    return tuple(out)


def _edge(e):
    """(node, output_nr) of a non-leaf edge."""
    return (e, 0) if type(e) is not tuple else e


def _run(pairs: list, retain: bool, create_graph: bool, inputs, accumulate: bool):
    prev_mode = STATE.enabled
    gc_on = gc.isenabled()
    gc.disable()
    STATE.enabled = create_graph
    try:
        return _execute(pairs, retain, create_graph, inputs, accumulate)
    finally:
        STATE.enabled = prev_mode
        if gc_on:
            gc.enable()


def _execute(pairs, retain, create_graph, inputs, accumulate):
    outer, BACKWARD.retain = BACKWARD.retain, retain
    try:
        return _execute_graph(pairs, retain, create_graph, inputs, accumulate)
    finally:
        BACKWARD.retain = outer


def _execute_graph(pairs, retain, create_graph, inputs, accumulate):
    buf: dict = {}  # node -> [grad per output]
    leaf_grads: dict = {}  # id(leaf) -> [leaf, grad]
    roots = []
    for t, g in pairs:
        if t._grad_fn is None:
            _add_leaf(leaf_grads, t, g)
        else:
            n = t.grad_fn
            slot = buf.get(n)
            if slot is None:
                slot = buf[n] = [None] * (len(n.out_meta) if n.out_meta else 1)
                roots.append(n)
            nr = t._output_nr
            slot[nr] = g if slot[nr] is None else slot[nr] + g

    # dependency counts over the reachable graph
    deps: dict = {}
    order_seen = set(roots)
    stack = list(roots)
    early: dict = {}  # id(leaf with a post-accumulate hook) -> edges still to come (it accumulates at 0)
    while stack:
        n = stack.pop()
        for e in n.next:
            if e is None or e is False:
                continue
            if isinstance(e, Tensor):
                if accumulate and e._hooks is not None and e._hooks.get("post_acc"):
                    early[id(e)] = early.get(id(e), 0) + 1
                continue
            m = e if type(e) is not tuple else e[0]
            deps[m] = deps.get(m, 0) + 1
            if m not in order_seen:
                order_seen.add(m)
                stack.append(m)

    # which nodes lead to the requested inputs (all of them when no inputs are given)
    capture: dict = {}
    needed = None
    if inputs is not None:
        for i, t in enumerate(inputs):
            if t._grad_fn is not None:
                capture.setdefault((t.grad_fn, t._output_nr), []).append(i)
        needed = _needed_nodes(roots, inputs)
    captured = [None] * (len(inputs) if inputs is not None else 0)

    ready = [n for n in roots if deps.get(n, 0) == 0]
    while ready:
        n = ready.pop()
        grads = buf.pop(n, None)
        results = ()
        if grads is not None and (needed is None or n in needed):
            if n.hooks is not None:
                grads = _pre_hooks(n, grads)
            if capture:
                for nr, g in enumerate(grads):
                    idx = capture.get((n, nr))
                    if idx is not None and g is not None:
                        for i in idx:
                            captured[i] = g
            if n.next:
                fn = n.fn
                if fn._internal and n.out_meta is None and n.hooks is None and not STATE.anomaly:
                    results = fn.backward(n, grads[0])  # the common case, inline
                    if type(results) is not tuple:
                        results = (results,)
                else:
                    results = _call(n, grads)
        in_meta = n.in_meta
        nres = len(results)
        for i, e in enumerate(n.next):
            if e is None or e is False:
                continue
            g = results[i] if i < nres else None
            if g is not None and in_meta is not None:
                shape = in_meta[i][0]
                if g._data.shape != shape:
                    g = g.sum_to_size(shape)  # the op SumToSize: raw sum, recorded only under create_graph
            if type(e) is tuple:
                m, nr = e
            elif isinstance(e, Tensor):
                if g is not None:
                    _add_leaf(leaf_grads, e, g, n)
                if early and id(e) in early:
                    _leaf_edge_done(e, early, leaf_grads, inputs, create_graph, pairs)
                continue
            else:
                m, nr = e, 0
            if g is not None:
                gd = g._data
                dt = _input_dtype(m, nr)
                if (gd.dtype is not dt and dt is not None and gd.dtype != dt) or isinstance(gd, np.generic):
                    g = cast_grad(g, dt)
                slot = buf.get(m)
                if slot is None:
                    slot = buf[m] = [None] * (len(m.out_meta) if m.out_meta else 1)
                slot[nr] = g if slot[nr] is None else slot[nr] + g
            c = deps[m] - 1
            deps[m] = c
            if c == 0:
                ready.append(m)
        if not retain:
            n.saved = FREED
            if n.out_data is not None:
                n.out_data = FREED

    if inputs is not None:
        for i, t in enumerate(inputs):
            if t._grad_fn is None:
                entry = leaf_grads.get(id(t))
                if entry is not None:
                    captured[i] = _leaf_hooks(t, entry[1])
    if not accumulate:
        return captured
    allowed = None if inputs is None else {id(t) for t in inputs}
    seen_grads = {id(g) for _, g in pairs}
    for key, (t, g) in leaf_grads.items():
        if allowed is not None and key not in allowed:
            continue
        g = _leaf_hooks(t, g)
        _accumulate(t, g, create_graph, seen_grads)
        _post_accumulate(t)
    if inputs is not None:  # non-leaf inputs of backward(inputs=...) get .grad too
        for i, t in enumerate(inputs):
            if t._grad_fn is not None and captured[i] is not None:
                _accumulate(t, captured[i], create_graph, seen_grads)
    return None


def _leaf_edge_done(t: Tensor, early: dict, leaf_grads: dict, inputs, create_graph: bool, pairs: list) -> None:
    """One more edge into ``t`` is done; after the last one its gradient is final, so accumulate it now
    and run its post-accumulate hooks (the rest of the graph is still to be differentiated)."""
    left = early[id(t)] - 1
    early[id(t)] = left
    if left or id(t) not in leaf_grads:
        return
    if inputs is not None and not any(t is i for i in inputs):
        return
    _, g = leaf_grads.pop(id(t))
    _accumulate(t, _leaf_hooks(t, g), create_graph, {id(g) for _, g in pairs})
    _post_accumulate(t)


def _post_accumulate(t: Tensor) -> None:
    hooks = t._hooks
    if hooks is not None:
        for h in list(hooks.get("post_acc", ())):
            h(t)


def _needed_nodes(roots: list, inputs: tuple) -> set:
    """Nodes from which some requested input can be reached (iterative post-order)."""
    targets_leaf = {id(t) for t in inputs if t._grad_fn is None}
    targets_node = {t.grad_fn for t in inputs if t._grad_fn is not None}
    needed: set = set()
    done: set = set()
    stack = [(n, False) for n in roots]
    while stack:
        n, expanded = stack.pop()
        if n in done:
            continue
        if not expanded:
            stack.append((n, True))
            for e in n.next:
                if e is None or e is False or isinstance(e, Tensor):
                    continue
                m = _edge(e)[0]
                if m not in done:
                    stack.append((m, False))
            continue
        done.add(n)
        hit = n in targets_node
        for e in n.next:
            if e is None or e is False:
                continue
            if isinstance(e, Tensor):
                hit = hit or id(e) in targets_leaf
            elif _edge(e)[0] in needed:
                hit = True
        if hit:
            needed.add(n)
    return needed


def _pre_hooks(n: Node, grads: list) -> list:
    hooks = n.hooks
    if hooks is None:
        return grads
    for nr in range(len(grads)):
        for h in list(hooks.get(("tensor", nr), ())):
            if grads[nr] is not None:
                r = h(grads[nr])
                if r is not None:
                    grads[nr] = r
        ref = hooks.get(("retain", nr))
        t = ref() if ref is not None else None
        if t is not None and grads[nr] is not None:
            g = grads[nr]
            t.grad = wrap(g._data.copy()) if t.grad is None else wrap(t.grad._data + g._data)
    for h in hooks.get("pre", ()):
        r = h(tuple(grads))
        if r is not None:
            grads = list(r)
    return grads


def _call(n: Node, grads: list) -> tuple:
    if n.out_meta is not None:
        import numpy as np

        for i, g in enumerate(grads):
            if g is None and n.out_meta[i] is not None and n.fn.materialize:
                shape, dt = n.out_meta[i]
                grads[i] = wrap(np.zeros(shape, dt)) if dt.kind in "fc" else None
    res = n.fn.backward(n, *grads)
    if not isinstance(res, tuple):
        res = (res,)
    k = len(n.next)
    if len(res) < k and n.fn._internal:  # ember's ops may omit trailing grads of non-tensor args
        res = res + (None,) * (k - len(res))
    if len(res) < k or any(r is not None for r in res[k:]):
        raise RuntimeError(f"function {n.name()} returned an incorrect number of gradients "
                           f"(expected {k}, got {len(res)})")
    out = []
    for i, r in enumerate(res[:k]):
        if r is not None and not isinstance(r, Tensor):
            r = wrap(r)
        if r is not None and (n.next[i] is None or n.next[i] is False):
            r = None
        out.append(r)
    if STATE.anomaly or getattr(type(n.fn), "_check_nan", False):
        check_nan(n, out)
    hooks = n.hooks
    if hooks is not None and hooks.get("post"):
        for h in hooks["post"]:
            r = h(tuple(out), tuple(grads))
            if r is not None:
                out = list(r)
    return tuple(out)


def _input_dtype(m: Node, nr: int):
    """The dtype of output ``nr`` of node ``m``, the input its gradient is for (None when unknown)."""
    meta = m.out_meta
    if meta is not None:
        return meta[nr][1] if meta[nr] is not None else None
    return getattr(m, "odt", None)


def cast_grad(g: Tensor, dt) -> Tensor:
    """``g`` as an array of NumPy dtype ``dt`` (its real part for a real input), never a NumPy scalar: torch's
    engine gives every gradient its input's dtype (``validate_outputs``). Under ``create_graph`` the cast is
    recorded, so a higher-order gradient flows back through it."""
    gd = g._data
    if dt is None:
        dt = gd.dtype
    if gd.dtype.kind == "c" and dt.kind != "c":
        g = g.real
        gd = g._data
    if g._requires_grad and STATE.enabled:
        return g.to(from_numpy_dtype(dt), copy=True)
    return wrap(np.asarray(gd, dtype=dt))


def sum_to(d, shape: tuple):
    """Sum a broadcast gradient array down to ``shape`` (raw: no graph, for backward without create_graph)."""
    lead = d.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and d.shape[lead + i] != 1)
    out = d.sum(axis=axes, keepdims=True) if axes else d
    return out.reshape(shape)


def _add_leaf(leaf_grads: dict, t: Tensor, g: Tensor, n: Node | None = None) -> None:
    if g._data.shape != t._data.shape:
        try:
            g = g.sum_to_size(t._data.shape)
        except RuntimeError:
            name = n.name() if n is not None else "backward"
            raise RuntimeError(f"Function {name} returned an invalid gradient at index 0 - got "
                               f"{list(g.shape)} but expected shape compatible with {list(t.shape)}") from None
    gd = g._data
    if gd.dtype != t._data.dtype or isinstance(gd, np.generic):
        g = cast_grad(g, t._data.dtype)
    entry = leaf_grads.get(id(t))
    if entry is None:
        leaf_grads[id(t)] = [t, g]
    else:
        entry[1] = entry[1] + g


def _leaf_hooks(t: Tensor, g: Tensor) -> Tensor:
    hooks = t._hooks
    if hooks is not None:
        for h in list(hooks.get("leaf", ())):
            r = h(g)
            if r is not None:
                g = r
    return g


def _accumulate(t: Tensor, g: Tensor, create_graph: bool, seen: set) -> None:
    if t.grad is None:
        if create_graph:
            t.grad = g
        else:
            d = g._data
            if id(g) in seen or d.base is not None or not d.flags.c_contiguous or g._grad_fn is not None:
                d = d.copy()
            seen.add(id(g))
            t.grad = wrap(d)
    elif create_graph:
        t.grad = t.grad + g
    else:
        gd = t.grad._data
        if gd.flags.writeable:
            gd += g._data
            t.grad._bump()
        else:
            t.grad = wrap(gd + g._data)


def run_backward(tensors: Sequence[Tensor], grad_tensors, retain_graph, create_graph) -> None:
    backward(tensors, grad_tensors, retain_graph, create_graph)
