"""d2l's anchor-box helpers (Dive into Deep Learning, 1.0, chapter 14.4), with the book's names:
``multibox_prior``, ``box_corner_to_center``/``box_center_to_corner``, ``box_iou``,
``assign_anchor_to_bbox``, ``offset_boxes``/``offset_inverse``, ``multibox_target``, ``nms`` and
``multibox_detection``.

Boxes are in corner form (x1, y1, x2, y2), coordinates relative to the image (0..1) as in the book.

Anchors of a pixel: for sizes s_1..s_n and ratios r_1..r_m, the n + m - 1 pairs
(s_1, r_j) and (s_i, r_1); an anchor's width is ``s * sqrt(r) * H / W`` and its height ``s / sqrt(r)``
(both relative), centred on ((j + 0.5) / W, (i + 0.5) / H).

Offsets of an assigned box b from its anchor a (both in centre form):
``(10 (x_b - x_a) / w_a, 10 (y_b - y_a) / h_a, 5 log(w_b / w_a), 5 log(h_b / h_a))``.

>>> import ember
>>> from ember.vision.detection import multibox_prior
>>> multibox_prior(ember.zeros(1, 3, 2, 2), sizes=[0.5], ratios=[1]).shape
ember.Size([1, 4, 4])
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

import ember
from ember.tensor import Tensor

from .ops.boxes import batched_nms as _batched_nms
from .ops.boxes import box_iou as _box_iou
from .ops.boxes import nms as _nms


def box_corner_to_center(boxes: Tensor) -> Tensor:
    """(x1, y1, x2, y2) -> (cx, cy, w, h) along the last dim."""
    x1, y1, x2, y2 = boxes[..., 0], boxes[..., 1], boxes[..., 2], boxes[..., 3]
    return ember.stack(((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1), dim=-1)


def box_center_to_corner(boxes: Tensor) -> Tensor:
    """(cx, cy, w, h) -> (x1, y1, x2, y2) along the last dim."""
    cx, cy, w, h = boxes[..., 0], boxes[..., 1], boxes[..., 2], boxes[..., 3]
    return ember.stack((cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h), dim=-1)


def box_iou(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    """Pairwise IoU of corner boxes, (N, 4) x (M, 4) -> (N, M) (the same as ``ember.vision.ops.box_iou``)."""
    return _box_iou(boxes1, boxes2)


def multibox_prior(data: Tensor, sizes: Sequence[float], ratios: Sequence[float]) -> Tensor:
    """Anchors centred on every pixel of ``data`` (..., H, W): (1, H * W * (n + m - 1), 4), pixel-major.

    >>> a = multibox_prior(ember.zeros(1, 1, 1, 1), sizes=[0.5], ratios=[1, 4])
    >>> a
    tensor([[[0.2500, 0.2500, 0.7500, 0.7500],
             [0.0000, 0.3750, 1.0000, 0.6250]]])
    """
    h, w = int(data.shape[-2]), int(data.shape[-1])
    sizes, ratios = [float(s) for s in sizes], [float(r) for r in ratios]
    pairs = [(s, ratios[0]) for s in sizes] + [(sizes[0], r) for r in ratios[1:]]
    half_w = np.array([s * math.sqrt(r) * h / w for s, r in pairs]) / 2
    half_h = np.array([s / math.sqrt(r) for s, r in pairs]) / 2
    cy, cx = np.meshgrid((np.arange(h) + 0.5) / h, (np.arange(w) + 0.5) / w, indexing="ij")
    cx, cy = cx.reshape(-1, 1), cy.reshape(-1, 1)
    out = np.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], axis=-1)
    return ember.from_numpy(out.reshape(1, -1, 4).astype(np.float32))


def assign_anchor_to_bbox(ground_truth: Tensor, anchors: Tensor, device=None, iou_threshold: float = 0.5) -> Tensor:
    """Index of the ground-truth box assigned to each anchor (-1: background), as d2l assigns them.

    First, for each ground-truth box in turn, the anchor-box pair with the largest IoU left in the matrix
    is matched and its row and column are discarded; then every other anchor takes its best box when
    that IoU is >= ``iou_threshold``. -> int64 (num_anchors,).
    """
    jaccard = box_iou(anchors, ground_truth).numpy().astype(np.float64)
    num_anchors, num_gt = jaccard.shape
    best = jaccard.argmax(axis=1) if num_gt else np.zeros(num_anchors, np.int64)
    best_iou = jaccard.max(axis=1) if num_gt else np.zeros(num_anchors)
    assigned = np.where(best_iou >= iou_threshold, best, -1).astype(np.int64)
    for _ in range(num_gt):
        flat = int(jaccard.argmax())
        anc, box = divmod(flat, num_gt)
        assigned[anc] = box
        jaccard[:, box] = -1
        jaccard[anc, :] = -1
    return ember.from_numpy(assigned)


def offset_boxes(anchors: Tensor, assigned_bb: Tensor, eps: float = 1e-6) -> Tensor:
    """Offsets of ``assigned_bb`` from ``anchors`` (both (N, 4) corners), the book's scaled form."""
    a, b = box_corner_to_center(anchors), box_corner_to_center(assigned_bb)
    xy = 10 * (b[:, :2] - a[:, :2]) / a[:, 2:]
    wh = 5 * ember.log(eps + b[:, 2:] / a[:, 2:])
    return ember.cat([xy, wh], dim=1)


def offset_inverse(anchors: Tensor, offset_preds: Tensor) -> Tensor:
    """The boxes (corners) that ``offset_preds`` describe relative to ``anchors``: inverse of offset_boxes."""
    a = box_corner_to_center(anchors)
    xy = offset_preds[:, :2] * a[:, 2:] / 10 + a[:, :2]
    wh = ember.exp(offset_preds[:, 2:] / 5) * a[:, 2:]
    return box_center_to_corner(ember.cat([xy, wh], dim=1))


def multibox_target(anchors: Tensor, labels: Tensor) -> tuple:
    """Training targets of anchors (1, A, 4) for ``labels`` (B, G, 5) rows of (class, x1, y1, x2, y2).

    Returns ``(bbox_offset (B, 4A), bbox_mask (B, 4A), class_labels (B, A))``: the offsets of each anchor's
    assigned box (0 for background anchors), a 0/1 mask of the anchors that have one, and the class
    (object class + 1, 0 for background).
    """
    anchors = anchors.reshape(-1, 4)
    num_anchors = anchors.shape[0]
    offsets, masks, classes = [], [], []
    for label in labels:
        assigned = assign_anchor_to_bbox(label[:, 1:], anchors).numpy()
        pos = np.nonzero(assigned >= 0)[0]
        mask = np.repeat((assigned >= 0).astype(np.float32)[:, None], 4, axis=1)
        cls = np.zeros(num_anchors, np.int64)
        boxes = np.zeros((num_anchors, 4), np.float32)
        lab = label.numpy()
        cls[pos] = lab[assigned[pos], 0].astype(np.int64) + 1
        boxes[pos] = lab[assigned[pos], 1:]
        off = offset_boxes(anchors, ember.from_numpy(boxes)) * ember.from_numpy(mask)
        offsets.append(off.reshape(-1))
        masks.append(ember.from_numpy(mask.reshape(-1)))
        classes.append(ember.from_numpy(cls))
    return ember.stack(offsets), ember.stack(masks), ember.stack(classes)


def nms(boxes: Tensor, scores: Tensor, iou_threshold: float) -> Tensor:
    """Indices kept by greedy NMS, by decreasing score (``ember.vision.ops.nms``; the book drops a box when
    its IoU with a kept one is > ``iou_threshold``, as here)."""
    return _nms(boxes, scores, iou_threshold)


def multibox_detection(cls_probs: Tensor, offset_preds: Tensor, anchors: Tensor, nms_threshold: float = 0.5,
                       pos_threshold: float = 0.009999999, class_wise: bool = True) -> Tensor:
    """Predicted boxes from class probabilities (B, 1 + classes, A) (row 0: background), offsets (B, 4A) and
    anchors (1, A, 4): (B, A, 6) rows of (class, confidence, x1, y1, x2, y2).

    Each anchor predicts its most likely object class; NMS keeps the best boxes (``class_wise=True``:
    within each predicted class, so a cat never suppresses a dog; ``False``: over all classes, the book's
    version). Suppressed anchors and those below ``pos_threshold`` get class -1 (the latter with
    confidence 1 - conf). Kept rows come first, by decreasing confidence, then the others by index.
    """
    anchors = anchors.reshape(-1, 4)
    num_anchors = anchors.shape[0]
    out = []
    for probs, offsets in zip(cls_probs, offset_preds):
        conf, class_id = probs[1:].max(0)
        boxes = offset_inverse(anchors, offsets.reshape(-1, 4))
        keep = (_batched_nms(boxes, conf, class_id, nms_threshold) if class_wise
                else _nms(boxes, conf, nms_threshold)).numpy()
        rest = np.setdiff1d(np.arange(num_anchors), keep)
        order = np.concatenate([keep, rest]).astype(np.int64)
        cid = class_id.numpy().astype(np.float32)
        cid[rest] = -1
        c, cid, b = conf.numpy()[order].astype(np.float32), cid[order], boxes.numpy()[order]
        low = c < pos_threshold
        cid[low] = -1
        c[low] = 1 - c[low]
        out.append(np.concatenate([cid[:, None], c[:, None], b], axis=1))
    return ember.from_numpy(np.stack(out).astype(np.float32))
