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
    """Cosine similarity along ``dim``:
    y = sum(x1 x2) / (max(||x1||_2, eps) max(||x2||_2, eps)).

    Gradient (where neither norm is clamped): dL/dx1 = g (x2 / (||x1|| ||x2||) - y x1 / ||x1||^2), and
    symmetrically for x2.

    Args:
        dim: the dim along which the similarity is computed. Default: 1.
        eps: a small value that avoids division by zero. Default: 1e-8.

    Shape:
        - Input1: (*1, D, *2), D at position ``dim``.
        - Input2: a shape broadcastable with Input1.
        - Output: (*1, *2), the broadcast shape without ``dim``.

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.CosineSimilarity(dim=1)
        >>> m(ember.tensor([[1.0, 0.0], [1.0, 1.0]]), ember.tensor([[0.0, 2.0], [2.0, 2.0]]))
        tensor([0.0000, 1.0000])
        >>> m(ember.randn(8, 16, 3), ember.randn(8, 16, 3)).shape
        ember.Size([8, 3])
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """The p-norm distance between the rows of two inputs: y = ||x1 - x2 + eps||_p along the last dim.

    Gradient: with d = x1 - x2 + eps, dL/dx1 = -dL/dx2 = g |d|^(p-1) sign(d) / y^(p-1).

    Args:
        p: the norm degree (may be negative). Default: 2.
        eps: a small value added to the difference, avoiding a zero norm. Default: 1e-6.
        keepdim: if ``True``, keep the reduced last dim with size 1. Default: ``False``.

    Shape:
        - Input1: (N, D) or (D,).
        - Input2: the same shape as Input1 (or broadcastable to it).
        - Output: (N,) or () (with keepdim: (N, 1) or (1,)).

    No parameters.

    Examples::

        >>> import ember
        >>> m = ember.nn.PairwiseDistance(eps=0)
        >>> m(ember.tensor([[0.0, 0.0], [1.0, 1.0]]), ember.tensor([[3.0, 4.0], [1.0, 2.0]]))
        tensor([5., 1.])
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
