"""Lowerings of views for the kernel replay (see ``_buffers``).

The backward of a reshape (``view``, a ``reshape`` that copied), a ``transpose`` or a ``permute`` is NumPy's
inverse view of the gradient array (a reshape copies only where the gradient's strides cannot express the
input's shape, as the op's own backward does), routed as the engine routes it; the op's backward would make the
same array through a Tensor method, its argument parsing and ``apply``.

The backward of slices that split one tensor (``q, k, v`` of a fused projection) writes each slice's gradient
straight into one buffer of the whole tensor.

Eager mode gives each slice's gradient as zeros of the whole shape with the slice scattered in, and sums those in
the engine's order. Where every gradient of a value comes from slices of it that do not overlap, that sum is, for
each element, its one slice's gradient plus some zeros: ``g + 0.0`` (which turns ``-0.0`` into ``0.0``) when two
or more slices meet, ``g`` itself when there is one; elements no slice covers are ``0.0``. The lowering writes
exactly that into the buffer (set to zero first only when the slices leave elements uncovered): bitwise eager's,
without the zeros of the whole tensor per slice and the sums.
"""
from __future__ import annotations

import numpy as np

from ..ops.strided import Slice
from ..ops.views import Permute, Transpose, UnsafeView, View
from ._backward import ENTRY
from ._buffers import Builder
from ._generic import deposit, deposits


def _inverse(cls, template, in_shape):
    """The array function that gives the gradient of the input from the output's, or None."""
    if cls is View or cls is UnsafeView:
        return lambda g: g.reshape(in_shape)
    if cls is Transpose:
        d0, d1 = template[1], template[2]
        return lambda g: np.swapaxes(g, d0, d1)
    if cls is Permute:
        inverse = tuple(int(i) for i in np.argsort(template[1]))
        return lambda g: g.transpose(inverse)
    return None


def view_backward(b: Builder, grads, made, g, keyed: list) -> bool:
    """A reshape's, transpose's or permute's backward as NumPy's inverse view (True when lowered)."""
    state = made[2]
    if g is None or len(keyed) != 1 or keyed[0][0] != 0 or type(state) is not tuple or len(state) != 3:
        return False
    fn = _inverse(made[0], state[2], b.meta[made[1][0]][0])
    if fn is None:
        return False
    (d,) = deposits(b, grads, made, keyed, (g,))
    env = b.env

    def view_grad():
        deposit(env, d, fn(env[g]))
    view_grad.__name__ = "view_grad_" + made[0].__name__
    b.emit(view_grad, (g,), (d[2],))
    return True


def plan_gathers(b: Builder, entries: list) -> dict:
    """The gradients (keys) that slices gather: key -> [number of slices, whether some element is uncovered]."""
    reached = {0}
    contributors: dict = {}
    for k, (slot, _simple, _n_out, routes) in enumerate(entries):
        if k not in reached:
            continue
        made = b.made.get(slot)
        for i, kind, target, nr, route_shape, route_dt in routes:
            key = ("e", target, nr) if kind == ENTRY else ("l", target)
            if kind == ENTRY:
                reached.add(target)
            contributors.setdefault(key, []).append((made, i, route_shape, route_dt))
    out: dict = {}
    for key, parts in contributors.items():
        keys = []
        for made, i, route_shape, route_dt in parts:
            state = made[2] if made is not None else None
            if made is None or made[0] is not Slice or i != 0 or route_shape is not None \
                    or type(state) is not tuple or len(state) != 3:
                break
            x = made[1][0]
            shape, dt = b.meta[x]
            if dt != route_dt or dt.kind != "f":
                break
            keys.append(state[2][1])
        else:
            marks = np.zeros(shape, np.uint8)
            for index in keys:
                marks[index] += 1
            if marks.size and marks.max() <= 1:
                out[key] = [len(keys), bool(marks.min() == 0)]
    return out


def gather_slice(b: Builder, grads, made, g, keyed: list, gathers: dict) -> bool:
    """A slice's gradient written into the buffer of the whole tensor (True when lowered)."""
    if made[0] is not Slice or len(keyed) != 1 or keyed[0][1] not in gathers or g is None:
        return False
    key = keyed[0][1]
    n, uncovered = gathers[key]
    env = b.env
    x = made[1][0]
    index = made[2][2][1]
    if key not in grads.started:
        grads.started.add(key)
        v = grads.values.get(key)
        if v is None:
            v = grads.values[key] = b.new(*b.meta[x])
        if uncovered:
            def zero_fill():
                env[v].fill(0)
            b.emit(zero_fill, (), (v,))
    v = grads.values[key]
    if n == 1:
        def slice_grad():
            np.copyto(env[v][index], env[g])
    else:
        def slice_grad():
            np.add(env[g], 0.0, out=env[v][index])
    b.emit(slice_grad, (g, v), (v,))
    return True


__all__ = ["plan_gathers", "gather_slice"]
