"""Distances: ``F.normalize``, ``F.cosine_similarity``, ``F.pairwise_distance``, ``F.pdist``.

cosine_similarity(u, v) = sum_i u_i v_i / (max(||u||_2, eps) max(||v||_2, eps)) along ``dim``.
pairwise_distance(u, v) = ||u - v + eps||_p along the last dim.
normalize(x) = x / max(||x||_p, eps) along ``dim``.
Gradients come from the composition (the norm's gradient is 0 at a zero vector, as torch).

>>> import ember
>>> import ember.nn.functional as F
>>> F.cosine_similarity(ember.tensor([[1.0, 0.0]]), ember.tensor([[1.0, 1.0]]))
tensor([0.7071])
>>> F.pairwise_distance(ember.tensor([[0.0, 0.0]]), ember.tensor([[3.0, 4.0]]), eps=0)
tensor([5.])
"""
from __future__ import annotations

import numpy as np

from ...ops._common import wrap_dim, write_out
from ...ops.linalg_functions import vector_norm
from ...ops.views import broadcast_to
from ...tensor import Tensor, wrap

__all__ = ["normalize", "cosine_similarity", "pairwise_distance", "pdist"]


def _vnorm(x: Tensor, p: float, dim, keepdim: bool = False) -> Tensor:
    return vector_norm(x, p, dim, keepdim)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Tensor | None = None) -> Tensor:
    """x / max(||x||_p, eps) along ``dim``."""
    denom = _vnorm(input, p, dim, True).clamp_min(eps)
    res = input / denom
    return write_out(res, out)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum(x1 x2) / (max(||x1||, eps) max(||x2||, eps)) along ``dim`` (inputs broadcast).
    Each input is divided by its own clamped norm first, which keeps the product in range."""
    shape = _broadcast(x1, x2)
    a, b = broadcast_to(x1, shape), broadcast_to(x2, shape)
    d = wrap_dim(dim, len(shape))
    na, nb = _vnorm(a, 2, d, True), _vnorm(b, 2, d, True)
    na = na + (na.clamp_min(eps) - na).detach()  # torch clamps the norms without recording the clamp
    nb = nb + (nb.clamp_min(eps) - nb).detach()
    return ((a / na) * (b / nb)).sum(d)


def _broadcast(x1: Tensor, x2: Tensor) -> tuple:
    s1, s2 = tuple(x1.shape), tuple(x2.shape)
    n = max(len(s1), len(s2))
    s1, s2 = (1,) * (n - len(s1)) + s1, (1,) * (n - len(s2)) + s2
    out = []
    for i, (a, b) in enumerate(zip(s1, s2)):
        if a != b and a != 1 and b != 1:
            raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton "
                               f"dimension {i}")
        out.append(max(a, b) if a and b else 0)
    return tuple(out)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p over the last dim ((N, D) or (D,) inputs, broadcast)."""
    out_ndim = max(x1.ndim, x2.ndim)
    diff = x1 - x2 + eps
    if out_ndim == 0:
        return diff.abs()
    return _vnorm(diff, p, -1, keepdim)


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """||x_i - x_j||_p for every pair i < j of the rows of an (N, M) input, as a vector of N(N-1)/2."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    n = input.shape[0]
    i, j = np.triu_indices(n, 1)
    return _vnorm(input[wrap(i)] - input[wrap(j)], p, -1)
