"""Box operations with torchvision's names, signatures and results: ``box_area``, ``box_iou``,
``generalized_box_iou``, ``distance_box_iou``, ``box_convert``, ``clip_boxes_to_image``,
``remove_small_boxes``, ``masks_to_boxes``, ``nms``, ``batched_nms``.

Boxes are ``Tensor[N, 4]`` in ``(x1, y1, x2, y2)`` ("xyxy") unless a format says otherwise, with
``0 <= x1 < x2`` and ``0 <= y1 < y2``. The pure box formulas are compositions of ember ops, so they are
differentiable as torchvision's are; ``nms`` and ``batched_nms`` return int64 indices (no gradient).

>>> import ember
>>> from ember.vision.ops import box_iou, nms
>>> b = ember.tensor([[0., 0., 2., 2.], [1., 0., 3., 2.], [5., 5., 6., 6.]])
>>> box_iou(b[:1], b)
tensor([[1.0000, 0.3333, 0.0000]])
>>> nms(b, ember.tensor([0.9, 0.8, 0.7]), iou_threshold=0.3)
tensor([0, 2])
"""
from __future__ import annotations

import numpy as np

import ember
from ember.tensor import Tensor

_FORMATS = ("xyxy", "xywh", "cxcywh")


def _upcast(t: Tensor) -> Tensor:
    """Protect products of box sides from overflow: half floats go to float32, small ints to int32."""
    if t.is_floating_point():
        return t if t.dtype in (ember.float32, ember.float64) else t.float()
    return t if t.dtype in (ember.int32, ember.int64) else t.int()


def _check_boxes(name: str, boxes: Tensor) -> None:
    if not isinstance(boxes, Tensor):
        raise TypeError(f"{name}: boxes should be an ember Tensor, got {type(boxes).__name__}")
    if boxes.ndim < 1 or boxes.shape[-1] != 4:
        raise ValueError(f"{name}: boxes should have shape [..., 4], got {list(boxes.shape)}; "
                         "pass (x1, y1, x2, y2) boxes, one per row")


def box_convert(boxes: Tensor, in_fmt: str, out_fmt: str) -> Tensor:
    """Convert boxes between ``"xyxy"`` (corners), ``"xywh"`` (top-left and size) and ``"cxcywh"``
    (centre and size).

    >>> box_convert(ember.tensor([[1., 2., 3., 6.]]), "xyxy", "cxcywh")
    tensor([[2., 4., 2., 4.]])
    """
    if in_fmt not in _FORMATS or out_fmt not in _FORMATS:
        raise ValueError("Unsupported Bounding Box Conversions for given in_fmt and out_fmt: "
                         f"{in_fmt!r} -> {out_fmt!r}; choose from {_FORMATS}")
    if in_fmt == out_fmt:
        return boxes.clone()
    a, b, c, d = boxes.unbind(-1)
    if in_fmt == "xywh":
        a, b, c, d = a, b, a + c, b + d
    elif in_fmt == "cxcywh":
        a, b, c, d = a - 0.5 * c, b - 0.5 * d, a + 0.5 * c, b + 0.5 * d
    if out_fmt == "xywh":
        a, b, c, d = a, b, c - a, d - b
    elif out_fmt == "cxcywh":
        a, b, c, d = (a + c) / 2, (b + d) / 2, c - a, d - b
    return ember.stack((a, b, c, d), dim=-1)


def box_area(boxes: Tensor, fmt: str = "xyxy") -> Tensor:
    """(x2 - x1) * (y2 - y1) for each box: Tensor[N, 4] -> Tensor[N].

    >>> box_area(ember.tensor([[0, 0, 2, 3]]))
    tensor([6])
    """
    _check_boxes("box_area", boxes)
    if fmt != "xyxy":
        boxes = box_convert(boxes, fmt, "xyxy")
    boxes = _upcast(boxes)
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def _inter_union(boxes1: Tensor, boxes2: Tensor) -> tuple:
    area1, area2 = box_area(boxes1), box_area(boxes2)
    lt = ember.maximum(boxes1[:, None, :2], boxes2[:, :2])
    rb = ember.minimum(boxes1[:, None, 2:], boxes2[:, 2:])
    wh = _upcast(rb - lt).clamp(min=0)
    inter = wh[:, :, 0] * wh[:, :, 1]
    return inter, area1[:, None] + area2 - inter


def box_iou(boxes1: Tensor, boxes2: Tensor, fmt: str = "xyxy") -> Tensor:
    """Intersection over union of every pair: Tensor[N, 4], Tensor[M, 4] -> Tensor[N, M].

    IoU(a, b) = |a ∩ b| / (|a| + |b| - |a ∩ b|).
    """
    _check_boxes("box_iou", boxes1)
    _check_boxes("box_iou", boxes2)
    if fmt != "xyxy":
        boxes1, boxes2 = box_convert(boxes1, fmt, "xyxy"), box_convert(boxes2, fmt, "xyxy")
    inter, union = _inter_union(boxes1, boxes2)
    return inter / union


def _enclosing(boxes1: Tensor, boxes2: Tensor) -> tuple:
    lti = ember.minimum(boxes1[:, None, :2], boxes2[:, :2])
    rbi = ember.maximum(boxes1[:, None, 2:], boxes2[:, 2:])
    return lti, rbi


def generalized_box_iou(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    """GIoU (Rezatofighi et al., 2019): IoU - (|C| - |a ∪ b|) / |C|, C the smallest enclosing box.

    Values lie in [-1, 1]; Tensor[N, 4], Tensor[M, 4] -> Tensor[N, M].
    """
    _check_boxes("generalized_box_iou", boxes1)
    _check_boxes("generalized_box_iou", boxes2)
    inter, union = _inter_union(boxes1, boxes2)
    iou = inter / union
    lti, rbi = _enclosing(boxes1, boxes2)
    whi = _upcast(rbi - lti).clamp(min=0)
    areai = whi[:, :, 0] * whi[:, :, 1]
    return iou - (areai - union) / areai


def distance_box_iou(boxes1: Tensor, boxes2: Tensor, eps: float = 1e-7) -> Tensor:
    """DIoU (Zheng et al., 2020): IoU - ρ²(centres) / c², c the diagonal of the enclosing box."""
    _check_boxes("distance_box_iou", boxes1)
    _check_boxes("distance_box_iou", boxes2)
    boxes1, boxes2 = _upcast(boxes1), _upcast(boxes2)
    inter, union = _inter_union(boxes1, boxes2)
    iou = inter / union
    lti, rbi = _enclosing(boxes1, boxes2)
    whi = _upcast(rbi - lti).clamp(min=0)
    diag = whi[:, :, 0] ** 2 + whi[:, :, 1] ** 2 + eps
    c1 = (boxes1[:, None, :2] + boxes1[:, None, 2:]) / 2
    c2 = (boxes2[None, :, :2] + boxes2[None, :, 2:]) / 2
    dist = ((c1 - c2) ** 2).sum(-1)
    return iou - dist / diag


def clip_boxes_to_image(boxes: Tensor, size: tuple) -> Tensor:
    """Clamp x into [0, width] and y into [0, height]; ``size`` is (height, width)."""
    _check_boxes("clip_boxes_to_image", boxes)
    height, width = size
    x = boxes[..., 0::2].clamp(min=0, max=width)
    y = boxes[..., 1::2].clamp(min=0, max=height)
    return ember.stack((x, y), dim=boxes.ndim).reshape(boxes.shape)


def remove_small_boxes(boxes: Tensor, min_size: float) -> Tensor:
    """Indices (int64) of the boxes whose width and height are both >= ``min_size``."""
    _check_boxes("remove_small_boxes", boxes)
    ws, hs = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    keep = (ws >= min_size) & (hs >= min_size)
    return ember.where(keep)[0]


def masks_to_boxes(masks: Tensor) -> Tensor:
    """(N, H, W) masks -> (N, 4) float boxes (x1, y1, x2, y2) of their non-zero pixels (x2, y2 are the last
    column and row that hold the mask, as torchvision)."""
    m = masks.numpy() if isinstance(masks, Tensor) else np.asarray(masks)
    out = np.zeros((m.shape[0], 4), dtype=np.float32)
    for i, mask in enumerate(m):
        ys, xs = np.nonzero(mask)
        if ys.size:
            out[i] = (xs.min(), ys.min(), xs.max(), ys.max())
    return ember.from_numpy(out)


def _nms_indices(b: np.ndarray, s: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Greedy NMS on arrays: visit boxes by decreasing score, drop those with IoU > threshold to a kept one."""
    order = np.argsort(-s, kind="stable")
    b = b[order].astype(np.float64)
    area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    alive = np.ones(len(b), dtype=bool)
    keep = []
    for i in range(len(b)):
        if not alive[i]:
            continue
        keep.append(i)
        rest = np.nonzero(alive[i + 1:])[0] + i + 1
        if rest.size == 0:
            break
        w = np.clip(np.minimum(b[i, 2], b[rest, 2]) - np.maximum(b[i, 0], b[rest, 0]), 0, None)
        h = np.clip(np.minimum(b[i, 3], b[rest, 3]) - np.maximum(b[i, 1], b[rest, 1]), 0, None)
        inter = w * h
        with np.errstate(divide="ignore", invalid="ignore"):
            iou = inter / (area[i] + area[rest] - inter)
        alive[rest[iou > iou_threshold]] = False
    return order[np.asarray(keep, dtype=np.int64)]


def _check_nms(name: str, boxes: Tensor, scores: Tensor) -> None:
    if boxes.ndim != 2 or boxes.shape[-1] != 4:
        raise RuntimeError(f"{name}: boxes should be a 2d tensor of shape [N, 4], got {list(boxes.shape)}")
    if scores.ndim != 1 or scores.shape[0] != boxes.shape[0]:
        raise RuntimeError(f"{name}: scores should be a 1d tensor with one score per box; got boxes "
                           f"{list(boxes.shape)} and scores {list(scores.shape)}")


def nms(boxes: Tensor, scores: Tensor, iou_threshold: float) -> Tensor:
    """Non-maximum suppression: repeatedly keep the highest-scoring box and discard the boxes whose
    IoU with it is > ``iou_threshold``. Returns the kept indices (int64) by decreasing score."""
    _check_nms("nms", boxes, scores)
    keep = _nms_indices(boxes.detach().numpy(), scores.detach().numpy(), float(iou_threshold))
    return ember.from_numpy(keep)


def batched_nms(boxes: Tensor, scores: Tensor, idxs: Tensor, iou_threshold: float) -> Tensor:
    """NMS within each category ``idxs[i]`` (boxes of different categories never suppress each other).
    Returns the kept indices (int64) by decreasing score."""
    _check_nms("batched_nms", boxes, scores)
    if idxs.shape != scores.shape:
        raise RuntimeError(f"batched_nms: idxs should have one category per box, got idxs {list(idxs.shape)} "
                           f"and scores {list(scores.shape)}")
    b, s, c = boxes.detach().numpy(), scores.detach().numpy(), idxs.numpy()
    keep = [np.nonzero(c == k)[0][_nms_indices(b[c == k], s[c == k], float(iou_threshold))]
            for k in np.unique(c)]
    keep = np.concatenate(keep) if keep else np.zeros(0, np.int64)
    keep = keep[np.argsort(-s[keep], kind="stable")]
    return ember.from_numpy(keep.astype(np.int64))
