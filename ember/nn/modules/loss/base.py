"""The bases of every loss layer, around the one reduction helper: ``_Loss`` turns the deprecated
``size_average`` / ``reduce`` into ``reduction`` (``legacy_get_string``), ``_WeightedLoss`` adds the ``weight``
buffer."""
from __future__ import annotations

from ...functional._reduction import legacy_get_string
from ..module import Module


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__()
        if size_average is not None or reduce is not None:
            self.reduction = legacy_get_string(size_average, reduce)
        else:
            self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.weight = weight
