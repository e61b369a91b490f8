"""Distance layers. CosineSimilarity: x1.x2 / (max(||x1||, eps) max(||x2||, eps)) along ``dim``;
PairwiseDistance: ||x1 - x2 + eps||_p along the last dim. No parameters.
Shape: CosineSimilarity (*1, D, *2) x2 -> (*1, *2); PairwiseDistance (N, D) x2 -> (N,) (or (N, 1) keepdim).

>>> import ember
>>> ember.nn.PairwiseDistance(eps=0)(ember.tensor([[0.0, 0.0]]), ember.tensor([[3.0, 4.0]]))
tensor([5.])
"""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class CosineSimilarity(Module):
    """Cosine similarity along ``dim`` (see ``F.cosine_similarity``)."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """p-norm distance between rows (see ``F.pairwise_distance``)."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
