"""``sigmoid_focal_loss`` (Lin et al., 2017, RetinaNet) with torchvision's signature.

    p = sigmoid(x),  p_t = p * y + (1 - p) * (1 - y),  alpha_t = alpha * y + (1 - alpha) * (1 - y)
    FL = alpha_t * BCEWithLogits(x, y) * (1 - p_t) ** gamma          (alpha < 0 drops alpha_t)

Composed from ember ops, so its gradient comes for free.

>>> import ember
>>> from ember.vision.ops import sigmoid_focal_loss
>>> sigmoid_focal_loss(ember.tensor([0.]), ember.tensor([1.]), alpha=-1, gamma=0)  # plain BCE: log 2
tensor([0.6931])
"""
from __future__ import annotations

import ember
from ember.nn import functional as F
from ember.tensor import Tensor


def sigmoid_focal_loss(inputs: Tensor, targets: Tensor, alpha: float = 0.25, gamma: float = 2,
                       reduction: str = "none") -> Tensor:
    """Focal loss on logits ``inputs`` and 0/1 (or soft) ``targets`` of the same shape.

    ``reduction``: ``"none"`` (elementwise), ``"mean"`` or ``"sum"``.
    """
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"Invalid Value for arg 'reduction': '{reduction} \n Supported reduction modes: "
                         "'none', 'mean', 'sum'")
    p = ember.sigmoid(inputs)
    ce = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce * ((1 - p_t) ** gamma)
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
