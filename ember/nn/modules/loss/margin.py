"""Margin, ranking and embedding losses (as ``nn.functional.margin_loss``): hinges that are zero once a score
or a distance clears a margin (MarginRankingLoss, HingeEmbeddingLoss, MultiMarginLoss, MultiLabelMarginLoss,
CosineEmbeddingLoss, TripletMarginLoss, TripletMarginWithDistanceLoss) and their logistic relatives
(SoftMarginLoss, MultiLabelSoftMarginLoss)."""
from __future__ import annotations

from ... import functional as F
from .base import _Loss, _WeightedLoss

__all__ = ["MarginRankingLoss", "HingeEmbeddingLoss", "MultiMarginLoss", "MultiLabelMarginLoss",
           "MultiLabelSoftMarginLoss", "SoftMarginLoss", "CosineEmbeddingLoss", "TripletMarginLoss",
           "TripletMarginWithDistanceLoss"]


class MarginRankingLoss(_Loss):
    """Ranking loss for pairs: l_n = max(0, -y_n (x1_n - x2_n) + margin), y = 1 when x1 should rank
    higher than x2 and y = -1 when lower.

    Gradient: dl/dx1 = -y, dl/dx2 = y where the hinge is active, else 0.

    Args:
        margin: the required gap. Default: 0.
        reduction: ``'none'`` (one loss per sample), ``'mean'`` or ``'sum'`` of them. Default: ``'mean'``.
        size_average, reduce: deprecated; mapped onto ``reduction`` as in torch.

    Call: ``m(input1, input2, target)``.

    Shape:
        - Input1, Input2: (N) or ().
        - Target: the same shape, values in {1, -1}.
        - Output: a scalar, or (N) with ``reduction='none'``.

    No parameters.

    Examples::

        >>> import ember
        >>> x1 = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
        >>> x2, y = ember.tensor([2.0, 2.0, 3.0]), ember.tensor([1.0, -1.0, 1.0])
        >>> loss = ember.nn.MarginRankingLoss(margin=0.5)(x1, x2, y)
        >>> loss.backward()
        >>> round(loss.item(), 4), x1.grad
        (0.8333, tensor([-0.3333,  0.3333, -0.3333]))
    """

    def __init__(self, margin: float = 0.0, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    """Hinge loss for similarity learning with distances x: l_n = x_n if y_n = 1, max(0, margin - x_n)
    if y_n = -1.

    Gradient: dl/dx = 1 where y = 1, -1 where y = -1 and x < margin, else 0.

    Args:
        margin: the margin for the dissimilar pairs. Default: 1.
        reduction: ``'none'`` (one loss per sample), ``'mean'`` or ``'sum'`` of them. Default: ``'mean'``.
        size_average, reduce: deprecated; mapped onto ``reduction`` as in torch.

    Shape:
        - Input: (*), any shape.
        - Target: (*), the same shape, values in {1, -1}.
        - Output: a scalar, or (*) with ``reduction='none'``.

    No parameters.

    Examples::

        >>> import ember
        >>> x = ember.tensor([0.3, 2.0, 0.5], requires_grad=True)
        >>> loss = ember.nn.HingeEmbeddingLoss()(x, ember.tensor([1.0, -1.0, -1.0]))
        >>> loss.backward()
        >>> round(loss.item(), 4), x.grad
        (0.2667, tensor([ 0.3333,  0.0000, -0.3333]))
    """

    def __init__(self, margin: float = 1.0, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input, target):
        return F.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """Multi-class hinge (SVM) loss: l_n = (1/C) sum_{j != y_n} w_{y_n} max(0, margin - x_n[y_n] + x_n[j])^p.

    Gradient: for each active term h_j = margin - x[y] + x[j] > 0, dl/dx[j] += w_y p h_j^(p-1) / C and
    dl/dx[y] -= the same.

    Args:
        p: 1 or 2. Default: 1.
        margin: the margin. Default: 1.
        weight: a manual rescaling weight per class, shape (C,). Default: None (all 1).
        reduction: ``'none'`` (one loss per sample), ``'mean'`` or ``'sum'`` of them. Default: ``'mean'``.
        size_average, reduce: deprecated; mapped onto ``reduction`` as in torch.

    Shape:
        - Input: (N, C) or (C).
        - Target: (N) or (), class indices in [0, C).
        - Output: a scalar, or (N) with ``reduction='none'``.

    No parameters (``weight`` is a buffer).

    Examples::

        >>> import ember
        >>> x = ember.tensor([[0.1, 0.2, 0.4, 0.8]], requires_grad=True)
        >>> loss = ember.nn.MultiMarginLoss()(x, ember.tensor([3]))
        >>> loss.backward()
        >>> round(loss.item(), 4), x.grad
        (0.325, tensor([[ 0.2500,  0.2500,  0.2500, -0.7500]]))
    """

    def __init__(self, p: int = 1, margin: float = 1.0, weight=None, size_average=None, reduce=None,
                 reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError("only p == 1 and p == 2 supported")
        if weight is not None and weight.ndim != 1:
            raise ValueError(f"MultiMarginLoss: expected weight to be None or 1D tensor, got {weight.ndim}D instead")
        self.p, self.margin = p, margin

    def forward(self, input, target):
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin, weight=self.weight,
                                   reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    """Multi-label hinge loss: l_n = sum_{j in Y_n, i not in Y_n} max(0, 1 - (x_n[j] - x_n[i])) / C, where
    the target set Y_n is the leading class indices of y_n before the first -1.

    Gradient: each active pair (j, i) adds -1/C to dl/dx[j] and +1/C to dl/dx[i].

    Args:
        reduction: ``'none'`` (one loss per sample), ``'mean'`` or ``'sum'`` of them. Default: ``'mean'``.
        size_average, reduce: deprecated; mapped onto ``reduction`` as in torch.

    Shape:
        - Input: (C) or (N, C).
        - Target: the same shape, class indices padded with -1.
        - Output: a scalar, or (N) with ``reduction='none'``.

    No parameters.

    Examples::

        >>> import ember
        >>> x = ember.tensor([[0.1, 0.2, 0.4, 0.8]], requires_grad=True)
        >>> loss = ember.nn.MultiLabelMarginLoss()(x, ember.tensor([[3, 0, -1, 1]]))
        >>> loss.backward()
        >>> round(loss.item(), 4), x.grad
        (0.85, tensor([[-0.5000,  0.5000,  0.5000, -0.5000]]))
    """

    def forward(self, input, target):
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """Multi-label one-versus-all logistic loss:
    l_n = -(1/C) sum_c w_c (y_nc log sigmoid(x_nc) + (1 - y_nc) log sigmoid(-x_nc)).

    Gradient: dl/dx_c = w_c (sigmoid(x_c) - y_c) / C, divided by N with ``'mean'``.

    Args:
        weight: a manual rescaling weight per class, shape (C,). Default: None (all 1).
        reduction: ``'none'`` (one loss per sample), ``'mean'`` or ``'sum'`` of them. Default: ``'mean'``.
        size_average, reduce: deprecated; mapped onto ``reduction`` as in torch.

    Shape:
        - Input: (N, C).
        - Target: (N, C), values in {0, 1}.
        - Output: a scalar, or (N) with ``reduction='none'``.

    No parameters (``weight`` is a buffer).

    Examples::

        >>> import ember
        >>> x = ember.tensor([[0.5, 2.0, -1.0]], requires_grad=True)
        >>> loss = ember.nn.MultiLabelSoftMarginLoss()(x, ember.tensor([[1.0, 1.0, 0.0]]))
        >>> loss.backward()
        >>> round(loss.item(), 4), x.grad
        (0.3048, tensor([[-0.1258, -0.0397,  0.0896]]))
    """

    def forward(self, input, target):
        return F.multilabel_soft_margin_loss(input, target, weight=self.weight, reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """Two-class logistic loss: l_n = log(1 + e^(-y_n x_n)), y in {1, -1}.

    Gradient: dl/dx = -y sigmoid(-y x), divided by the element count with ``'mean'``.

    Args:
        reduction: ``'none'`` (one loss per sample), ``'mean'`` or ``'sum'`` of them. Default: ``'mean'``.
        size_average, reduce: deprecated; mapped onto ``reduction`` as in torch.

    Shape:
        - Input: (*), any shape.
        - Target: (*), the same shape, values in {1, -1}.
        - Output: a scalar, or (*) with ``reduction='none'``.

    No parameters.

    Examples::

        >>> import ember
        >>> x = ember.tensor([0.0, 2.0, -1.0], requires_grad=True)
        >>> loss = ember.nn.SoftMarginLoss()(x, ember.tensor([1.0, -1.0, -1.0]))
        >>> loss.backward()
        >>> round(loss.item(), 4), x.grad
        (1.0444, tensor([-0.1667,  0.2936,  0.0896]))
    """

    def forward(self, input, target):
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    """Cosine embedding loss: l_n = 1 - cos(x1_n, x2_n) if y_n = 1, max(0, cos(x1_n, x2_n) - margin)
    if y_n = -1, with cos the cosine similarity along the last dim.

    Gradient: dl/dx1 = -y dcos/dx1 where the term is active, dcos/dx1 = x2 / (|x1| |x2|) - cos x1 / |x1|^2.

    Args:
        margin: in [-1, 1]; 0 to 0.5 is suggested. Default: 0.
        reduction: ``'none'`` (one loss per sample), ``'mean'`` or ``'sum'`` of them. Default: ``'mean'``.
        size_average, reduce: deprecated; mapped onto ``reduction`` as in torch.

    Call: ``m(input1, input2, target)``.

    Shape:
        - Input1, Input2: (N, D) or (D).
        - Target: (N) or (), values in {1, -1}.
        - Output: a scalar, or (N) with ``reduction='none'``.

    No parameters.

    Examples::

        >>> import ember
        >>> x1 = ember.tensor([[1.0, 0.0], [1.0, 1.0]])
        >>> x2 = ember.tensor([[1.0, 1.0], [1.0, 1.0]])
        >>> ember.nn.CosineEmbeddingLoss(margin=0.5, reduction="none")(x1, x2, ember.tensor([1.0, -1.0]))
        tensor([0.2929, 0.5000])
    """

    def __init__(self, margin: float = 0.0, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """Triplet loss (Schroff et al., 2015): l_n = max(d(a_n, p_n) - d(a_n, n_n) + margin, 0), with
    d(u, v) = ||u - v + eps||_p; ``swap=True`` uses min(d(a, n), d(p, n)) for the negative distance.

    Gradient: where active, dl/da = dd(a, p)/da - dd(a, n)/da, dl/dp = dd(a, p)/dp, dl/dn = -dd(a, n)/dn,
    with dd(u, v)/du = |w|^(p-1) sign(w) / d^(p-1), w = u - v + eps.

    Args:
        margin: the margin, > 0. Default: 1.
        p: the norm degree of the distance. Default: 2.
        eps: added to the difference. Default: 1e-6.
        swap: use the distance swap. Default: ``False``.
        reduction: ``'none'`` (one loss per sample), ``'mean'`` or ``'sum'`` of them. Default: ``'mean'``.
        size_average, reduce: deprecated; mapped onto ``reduction`` as in torch.

    Call: ``m(anchor, positive, negative)``.

    Shape:
        - Anchor, Positive, Negative: (N, D) or (D).
        - Output: a scalar, or (N) with ``reduction='none'``.

    No parameters.

    Examples::

        >>> import ember
        >>> a = ember.tensor([[0.0, 0.0]], requires_grad=True)
        >>> loss = ember.nn.TripletMarginLoss(eps=0.0)(a, ember.tensor([[3.0, 4.0]]), ember.tensor([[1.0, 0.0]]))
        >>> loss.backward()
        >>> loss.item(), a.grad
        (5.0, tensor([[ 0.4000, -0.8000]]))
    """

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6, swap: bool = False,
                 size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead")
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p, eps=self.eps,
                                     swap=self.swap, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """Triplet loss with any distance: l_n = max(d(a_n, p_n) - d(a_n, n_n) + margin, 0), d =
    ``distance_function``; ``swap=True`` uses min(d(a, n), d(p, n)) for the negative distance.

    Gradient: through ``distance_function`` by autograd, where the hinge is active.

    Args:
        distance_function: a callable (x1, x2) -> a tensor of distances, one per sample. Default:
            ``F.pairwise_distance`` (the 2-norm).
        margin: the margin, > 0. Default: 1.
        swap: use the distance swap. Default: ``False``.
        reduction: ``'none'``, ``'mean'`` or ``'sum'``. Default: ``'mean'``.

    Call: ``m(anchor, positive, negative)``.

    Shape:
        - Anchor, Positive, Negative: (N, *) or (*), whatever ``distance_function`` accepts.
        - Output: a scalar, or (N) with ``reduction='none'``.

    No parameters.

    Examples::

        >>> import ember
        >>> l1 = lambda u, v: (u - v).abs().sum(-1)
        >>> a = ember.tensor([[0.0, 0.0]], requires_grad=True)
        >>> m = ember.nn.TripletMarginWithDistanceLoss(distance_function=l1)
        >>> loss = m(a, ember.tensor([[3.0, 4.0]]), ember.tensor([[1.0, 0.0]]))
        >>> loss.backward()
        >>> loss.item(), a.grad
        (7.0, tensor([[ 0., -1.]]))
    """

    def __init__(self, *, distance_function=None, margin: float = 1.0, swap: bool = False,
                 reduction: str = "mean") -> None:
        super().__init__(None, None, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {margin} "
                             "instead")
        self.distance_function = distance_function if distance_function is not None else F.pairwise_distance
        self.margin, self.swap = margin, swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_with_distance_loss(anchor, positive, negative,
                                                   distance_function=self.distance_function, margin=self.margin,
                                                   swap=self.swap, reduction=self.reduction)
