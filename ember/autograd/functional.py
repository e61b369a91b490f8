"""``ember.autograd.functional``: jacobian and hessian by repeated vector-Jacobian products."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor, wrap
from .engine import grad


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False):
    """d func(inputs) / d inputs, shaped ``out.shape + in.shape`` (a tuple for several inputs)."""
    single = isinstance(inputs, Tensor)
    xs = (inputs,) if single else tuple(inputs)
    xs = tuple(x.detach().requires_grad_(True) for x in xs)
    y = func(*xs)
    rows = [[] for _ in xs]
    for r in range(y.numel()):
        g = np.zeros(y._data.size, dtype=y._data.dtype)
        g[r] = 1
        gs = grad(y, xs, wrap(g.reshape(y._data.shape)), retain_graph=True, create_graph=create_graph,
                  allow_unused=True)
        for i, gi in enumerate(gs):
            rows[i].append(gi if gi is not None else xs[i] * 0)
    from .. import stack

    out = tuple(stack(r).reshape(tuple(y.shape) + tuple(x.shape)) for r, x in zip(rows, xs))
    return out[0] if single else out


def hessian(func, inputs, create_graph: bool = False, strict: bool = False):
    """Second derivatives of a scalar ``func``."""
    def grad_fn(*xs):
        y = func(*xs)
        gs = grad(y, xs, create_graph=True)
        return gs[0] if len(gs) == 1 else gs

    return jacobian(grad_fn, inputs, create_graph=create_graph)


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    single = isinstance(inputs, Tensor)
    xs = (inputs,) if single else tuple(inputs)
    xs = tuple(x.detach().requires_grad_(True) for x in xs)
    y = func(*xs)
    gs = grad(y, xs, v, create_graph=create_graph, allow_unused=True)
    return y.detach(), (gs[0] if single else gs)
