"""A fixed least-squares-plus-sine problem, run side by side in ember and torch with the SAME grads."""
from __future__ import annotations

import numpy as np
import torch

import ember

SHAPES = [(5,), (3, 4), (1,)]


def make_problem(seed: int = 0):
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s) for s in SHAPES]
    mats = [rng.standard_normal((s[0], s[0])) * 0.5 for s in SHAPES]
    targets = [rng.standard_normal(s) for s in SHAPES]
    return init, mats, targets


def grads_at(values, mats, targets):
    """Hand-computed gradient of sum_i 0.5 |A_i p_i - b_i|^2 + 0.3 sum(sin p_i)."""
    return [a.T @ (a @ p - b) + 0.3 * np.cos(p) for p, a, b in zip(values, mats, targets)]


def to_torch(obj):
    if isinstance(obj, ember.Tensor):
        return torch.from_numpy(np.array(obj._data, copy=True))
    if isinstance(obj, dict):
        return {k: to_torch(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_torch(v) for v in obj)
    return obj


def to_ember(obj):
    if isinstance(obj, torch.Tensor):
        return ember.from_numpy(obj.detach().numpy().copy())
    if isinstance(obj, dict):
        return {k: to_ember(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_ember(v) for v in obj)
    return obj


class Pair:
    """The same parameters as ember leaves and torch leaves, float64."""

    def __init__(self, init):
        self.e = [ember.tensor(v.copy(), requires_grad=True) for v in init]
        self.t = [torch.tensor(v.copy(), requires_grad=True) for v in init]

    def set_grads(self, grads):
        for pe, pt, g in zip(self.e, self.t, grads):
            pe.grad = ember.tensor(g.copy())
            pt.grad = torch.tensor(g.copy())

    def assert_close(self, rtol=1e-6, atol=1e-12, where=""):
        for pe, pt in zip(self.e, self.t):
            np.testing.assert_allclose(pe._data, pt.detach().numpy(), rtol=rtol, atol=atol, err_msg=where)


def groups(params, lrs):
    """Split ``params`` over param groups with the given lrs (the last group gets the rest)."""
    if lrs is None:
        return params
    return [{"params": [params[0]], "lr": lrs[0]}, {"params": params[1:], "lr": lrs[1]}]
