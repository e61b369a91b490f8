"""Loss layers: each holds its options (and ``weight`` / ``pos_weight`` buffers) and forwards to ``F``,
where every formula and gradient is written down. ``reduction`` is 'none' | 'mean' | 'sum'; the
deprecated ``size_average`` / ``reduce`` map onto it as in torch. No parameters.
Shape: Input (*), Target (*) the same, Output scalar (or (*) with reduction='none'); the
classification losses take Input (N, C) / (N, C, d1, ...) / (C,) and Target (N) / (N, d1, ...) / ().

>>> import ember
>>> loss = ember.nn.CrossEntropyLoss()
>>> round(loss(ember.zeros(2, 4), ember.tensor([1, 3])).item(), 4)
1.3863
>>> ember.nn.MSELoss(reduction="sum")(ember.tensor([1.0, 2.0]), ember.tensor([0.0, 0.0]))
tensor(5.)
"""
from .base import _Loss, _WeightedLoss  # noqa: F401 (torch's path for the bases: nn.modules.loss._Loss)
from .margin import (CosineEmbeddingLoss, HingeEmbeddingLoss, MarginRankingLoss, MultiLabelMarginLoss,  # noqa: F401
                     MultiLabelSoftMarginLoss, MultiMarginLoss, SoftMarginLoss, TripletMarginLoss,
                     TripletMarginWithDistanceLoss)
from .probabilistic import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, CTCLoss, GaussianNLLLoss,  # noqa: F401
                            KLDivLoss, NLLLoss, NLLLoss2d, PoissonNLLLoss)
from .regression import HuberLoss, L1Loss, MSELoss, SmoothL1Loss  # noqa: F401

__all__ = ["L1Loss", "MSELoss", "SmoothL1Loss", "HuberLoss", "CrossEntropyLoss", "NLLLoss", "NLLLoss2d",
           "BCELoss", "BCEWithLogitsLoss", "KLDivLoss", "PoissonNLLLoss", "GaussianNLLLoss", "MarginRankingLoss",
           "HingeEmbeddingLoss", "MultiMarginLoss", "MultiLabelMarginLoss", "MultiLabelSoftMarginLoss",
           "SoftMarginLoss", "CosineEmbeddingLoss", "TripletMarginLoss", "TripletMarginWithDistanceLoss",
           "CTCLoss"]
