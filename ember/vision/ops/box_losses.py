"""IoU-based box regression losses with torchvision's signatures: ``generalized_box_iou_loss``,
``distance_box_iou_loss``, ``complete_box_iou_loss``. Boxes are paired row by row ((N, 4) with (N, 4),
xyxy); each loss is composed from ember ops.

    GIoU loss = 1 - IoU + (|C| - |A ∪ B|) / |C|                (C: the smallest enclosing box)
    DIoU loss = 1 - IoU + ρ²(centres) / c²                     (c: the diagonal of C)
    CIoU loss = DIoU loss + α v,  v = 4/π² (atan(w_g/h_g) - atan(w/h))²,  α = v / (1 - IoU + v) (no gradient)

>>> import ember
>>> from ember.vision.ops import generalized_box_iou_loss
>>> generalized_box_iou_loss(ember.tensor([[0., 0., 2., 2.]]), ember.tensor([[1., 0., 3., 2.]]))  # IoU 1/3
tensor([0.6667])
"""
from __future__ import annotations

import math

import ember
from ember.tensor import Tensor


def _float(t: Tensor) -> Tensor:
    return t if t.is_floating_point() else t.float()


def _inter_union(b1: Tensor, b2: Tensor) -> tuple:
    x1, y1, x2, y2 = b1.unbind(-1)
    x1g, y1g, x2g, y2g = b2.unbind(-1)
    w = (ember.minimum(x2, x2g) - ember.maximum(x1, x1g)).clamp(min=0)
    h = (ember.minimum(y2, y2g) - ember.maximum(y1, y1g)).clamp(min=0)
    inter = w * h
    return inter, (x2 - x1) * (y2 - y1) + (x2g - x1g) * (y2g - y1g) - inter


def _enclosing(b1: Tensor, b2: Tensor) -> tuple:
    x1, y1, x2, y2 = b1.unbind(-1)
    x1g, y1g, x2g, y2g = b2.unbind(-1)
    return ember.minimum(x1, x1g), ember.minimum(y1, y1g), ember.maximum(x2, x2g), ember.maximum(y2, y2g)


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean() if loss.numel() > 0 else 0.0 * loss.sum()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"Invalid Value for arg 'reduction': '{reduction} \n Supported reduction modes: "
                     "'none', 'mean', 'sum'")


def generalized_box_iou_loss(boxes1: Tensor, boxes2: Tensor, reduction: str = "none", eps: float = 1e-7) -> Tensor:
    """1 - GIoU of each pair of boxes (Rezatofighi et al., 2019)."""
    boxes1, boxes2 = _float(boxes1), _float(boxes2)
    inter, union = _inter_union(boxes1, boxes2)
    iou = inter / (union + eps)
    xc1, yc1, xc2, yc2 = _enclosing(boxes1, boxes2)
    area_c = (xc2 - xc1) * (yc2 - yc1)
    return _reduce(1 - (iou - (area_c - union) / (area_c + eps)), reduction)


def _diou_loss(boxes1: Tensor, boxes2: Tensor, eps: float) -> tuple:
    inter, union = _inter_union(boxes1, boxes2)
    iou = inter / (union + eps)
    xc1, yc1, xc2, yc2 = _enclosing(boxes1, boxes2)
    diag = (xc2 - xc1) ** 2 + (yc2 - yc1) ** 2 + eps
    x1, y1, x2, y2 = boxes1.unbind(-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(-1)
    centres = ((x1 + x2) / 2 - (x1g + x2g) / 2) ** 2 + ((y1 + y2) / 2 - (y1g + y2g) / 2) ** 2
    return 1 - iou + centres / diag, iou


def distance_box_iou_loss(boxes1: Tensor, boxes2: Tensor, reduction: str = "none", eps: float = 1e-7) -> Tensor:
    """1 - DIoU of each pair (Zheng et al., 2020): IoU loss plus the squared centre distance over the squared
    diagonal of the enclosing box."""
    loss, _ = _diou_loss(_float(boxes1), _float(boxes2), eps)
    return _reduce(loss, reduction)


def complete_box_iou_loss(boxes1: Tensor, boxes2: Tensor, reduction: str = "none", eps: float = 1e-7) -> Tensor:
    """1 - CIoU of each pair (Zheng et al., 2020): the DIoU loss plus an aspect-ratio term α v, with α held
    constant in the gradient (as torchvision)."""
    boxes1, boxes2 = _float(boxes1), _float(boxes2)
    diou, iou = _diou_loss(boxes1, boxes2, eps)
    x1, y1, x2, y2 = boxes1.unbind(-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(-1)
    v = (4 / math.pi ** 2) * (ember.atan((x2g - x1g) / (y2g - y1g)) - ember.atan((x2 - x1) / (y2 - y1))) ** 2
    with ember.no_grad():
        alpha = v / (1 - iou + v + eps)
    return _reduce(diou + alpha * v, reduction)
