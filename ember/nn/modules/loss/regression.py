"""Regression losses: the distance of a prediction from a real-valued target, element by element
(L1Loss, MSELoss, and the two that are quadratic near 0 and linear beyond: SmoothL1Loss, HuberLoss)."""
from __future__ import annotations

from ... import functional as F
from .base import _Loss

__all__ = ["L1Loss", "MSELoss", "SmoothL1Loss", "HuberLoss"]


class L1Loss(_Loss):
    """Mean absolute error: l_n = |x_n - y_n| per element, then reduced (mean by default).

    Args:
        reduction: ``'none'`` (one loss per element), ``'mean'`` or ``'sum'`` of them. Default: ``'mean'``.

    Shape: Input (*), Target (*) of the same shape; Output a scalar, or (*) with ``reduction='none'``.

    Gradient: dl/dx = sign(x - y) (0 where x = y), divided by the element count with ``'mean'``.

    No parameters.

    Examples::

        >>> import ember
        >>> x = ember.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        >>> y = ember.tensor([[1.5, 2.0], [2.0, 6.0]])
        >>> loss = ember.nn.L1Loss()(x, y)
        >>> loss.backward()
        >>> loss, x.grad
        (tensor(0.8750, grad_fn=<MeanBackward0>), tensor([[-0.2500,  0.0000],
                [ 0.2500, -0.2500]]))
    """

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """Mean squared error: l_n = (x_n - y_n)^2 per element, then reduced (mean by default).

    Args:
        reduction: ``'none'`` (one loss per element), ``'mean'`` or ``'sum'`` of them. Default: ``'mean'``.

    Shape: Input (*), Target (*) of the same shape; Output a scalar, or (*) with ``reduction='none'``.

    Gradient: dl/dx = 2 (x - y), divided by the element count with ``'mean'``.

    No parameters.

    Examples::

        >>> import ember
        >>> x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
        >>> loss = ember.nn.MSELoss()(x, ember.tensor([1.0, 0.0, 5.0]))
        >>> loss.backward()
        >>> loss, x.grad
        (tensor(2.6667, grad_fn=<MseLossBackward0>), tensor([ 0.0000,  1.3333, -1.3333]))
    """

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Smooth L1 loss on d = x - y: l = 0.5 d^2 / beta if |d| < beta else |d| - 0.5 beta (quadratic near 0,
    linear beyond beta; HuberLoss(delta) equals beta * SmoothL1Loss(beta=delta)).

    Args:
        reduction: ``'none'`` (one loss per element), ``'mean'`` or ``'sum'`` of them. Default: ``'mean'``.
        beta: where the quadratic part ends; 0 gives L1Loss. Default: 1.0.

    Shape: Input (*), Target (*) of the same shape; Output a scalar, or (*) with ``reduction='none'``.

    Gradient: dl/dx = d / beta if |d| < beta else sign(d).

    No parameters.

    Examples::

        >>> import ember
        >>> x = ember.tensor([0.0, 0.5, 3.0])
        >>> ember.nn.SmoothL1Loss(reduction='none')(x, ember.zeros(3))
        tensor([0.0000, 0.1250, 2.5000])
    """

    def __init__(self, size_average=None, reduce=None, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Huber loss on d = x - y: l = 0.5 d^2 if |d| < delta else delta (|d| - 0.5 delta).

    Args:
        reduction: ``'none'`` (one loss per element), ``'mean'`` or ``'sum'`` of them. Default: ``'mean'``.
        delta: where the quadratic part ends. Default: 1.0.

    Shape: Input (*), Target (*) of the same shape; Output a scalar, or (*) with ``reduction='none'``.

    Gradient: dl/dx = d if |d| < delta else delta sign(d).

    No parameters.

    Examples::

        >>> import ember
        >>> x = ember.tensor([0.0, 0.5, 3.0])
        >>> ember.nn.HuberLoss(reduction='none', delta=2.0)(x, ember.zeros(3))
        tensor([0.0000, 0.1250, 4.0000])
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)
