"""Quality figures of the detection and segmentation recipes, on NumPy arrays.

Detection, ``average_precision`` (PASCAL VOC 2010+, all-point interpolation): the detections of a class
over all images, by decreasing score, are true positives when their IoU with a not-yet-matched
ground-truth box of the same image is >= ``iou_threshold`` (the best-overlapping box is the one tried),
false positives otherwise. With precision p_k and recall r_k after the k-th detection,
``AP = sum_k (r_k - r_{k-1}) max_{j >= k} p_j``. ``mean_average_precision`` averages AP over the
classes that have ground truth (mAP@0.5 with the default threshold).

Segmentation, from the confusion matrix C (C[t, p] pixels of true class t predicted p):
``pixel_accuracy = trace(C) / sum(C)``; ``IoU_c = C[c, c] / (sum_p C[c, p] + sum_t C[t, c] - C[c, c])``;
``mean_iou`` averages IoU over the classes present in the truth or the prediction.

>>> import numpy as np
>>> gt = [np.array([[0, 0, 10, 10]])]
>>> average_precision([np.array([[0, 0, 10, 10], [20, 20, 30, 30]])], [np.array([0.9, 0.8])], gt)
1.0
>>> average_precision([np.array([[20, 20, 30, 30], [0, 0, 10, 10]])], [np.array([0.9, 0.8])], gt)
0.5
>>> mean_iou(np.array([[0, 1], [1, 1]]), np.array([[0, 1], [0, 1]]), num_classes=2)
0.5833333333333333
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["average_precision", "confusion_matrix", "mean_average_precision", "mean_iou", "pixel_accuracy"]


def _iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """IoU of one corner box (4,) with each of ``boxes`` (M, 4)."""
    lt = np.maximum(box[:2], boxes[:, :2])
    rb = np.minimum(box[2:], boxes[:, 2:])
    inter = np.prod(np.clip(rb - lt, 0, None), axis=1)
    area = np.prod(box[2:] - box[:2])
    areas = np.prod(boxes[:, 2:] - boxes[:, :2], axis=1)
    return inter / np.maximum(area + areas - inter, 1e-12)


def average_precision(pred_boxes: Sequence[np.ndarray], pred_scores: Sequence[np.ndarray],
                      gt_boxes: Sequence[np.ndarray], iou_threshold: float = 0.5) -> float:
    """AP of one class: per image, predicted boxes (K_i, 4) with scores (K_i,) and true boxes (G_i, 4)."""
    if not len(pred_boxes) == len(pred_scores) == len(gt_boxes):
        raise ValueError(f"average_precision: pred_boxes, pred_scores and gt_boxes need one entry per image, "
                         f"got {len(pred_boxes)}, {len(pred_scores)} and {len(gt_boxes)}")
    num_gt = sum(len(g) for g in gt_boxes)
    if num_gt == 0:
        return float("nan")
    dets = [(float(s), i, np.asarray(b, np.float64)) for i, (bs, ss) in enumerate(zip(pred_boxes, pred_scores))
            for b, s in zip(bs, ss)]
    dets.sort(key=lambda d: -d[0])
    matched = [np.zeros(len(g), bool) for g in gt_boxes]
    tp = np.zeros(len(dets))
    for k, (_, i, box) in enumerate(dets):
        gts = np.asarray(gt_boxes[i], np.float64).reshape(-1, 4)
        if len(gts) == 0:
            continue
        ious = _iou(box, gts)
        j = int(ious.argmax())
        if ious[j] >= iou_threshold and not matched[i][j]:
            matched[i][j] = True
            tp[k] = 1
    if len(dets) == 0:
        return 0.0
    ctp = np.cumsum(tp)
    recall = ctp / num_gt
    precision = ctp / np.arange(1, len(dets) + 1)
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    steps = np.diff(np.concatenate([[0.0], recall]))
    return float((steps * envelope).sum())


def mean_average_precision(detections: Sequence[np.ndarray], labels: Sequence[np.ndarray],
                           num_classes: int, iou_threshold: float = 0.5) -> float:
    """mAP: per image, ``detections`` (K, 6) rows (class, score, x1, y1, x2, y2) (class -1 ignored, as
    ``multibox_detection`` marks them) and ``labels`` (G, 5) rows (class, x1, y1, x2, y2); the mean of each
    class's ``average_precision`` over the classes with ground truth."""
    aps = []
    for c in range(num_classes):
        pb, ps, gb = [], [], []
        for det, lab in zip(detections, labels):
            det, lab = np.asarray(det).reshape(-1, 6), np.asarray(lab).reshape(-1, 5)
            keep = det[:, 0] == c
            pb.append(det[keep, 2:])
            ps.append(det[keep, 1])
            gb.append(lab[lab[:, 0] == c, 1:])
        ap = average_precision(pb, ps, gb, iou_threshold)
        if not np.isnan(ap):
            aps.append(ap)
    return float(np.mean(aps)) if aps else float("nan")


def confusion_matrix(target: np.ndarray, pred: np.ndarray, num_classes: int) -> np.ndarray:
    """C (num_classes, num_classes) int64, C[t, p] = pixels of true class t predicted as p."""
    target, pred = np.asarray(target).ravel(), np.asarray(pred).ravel()
    if target.shape != pred.shape:
        raise ValueError(f"confusion_matrix: target and pred need the same number of pixels, got "
                         f"{target.size} and {pred.size}")
    return np.bincount(target * num_classes + pred, minlength=num_classes ** 2).reshape(num_classes, num_classes)


def pixel_accuracy(target: np.ndarray, pred: np.ndarray, num_classes: int) -> float:
    """Fraction of pixels whose predicted class is the true one."""
    c = confusion_matrix(target, pred, num_classes)
    return float(np.trace(c) / max(c.sum(), 1))


def mean_iou(target: np.ndarray, pred: np.ndarray, num_classes: int) -> float:
    """Mean over present classes of the intersection over union of true and predicted pixels."""
    c = confusion_matrix(target, pred, num_classes).astype(np.float64)
    union = c.sum(0) + c.sum(1) - np.diag(c)
    present = union > 0
    return float((np.diag(c)[present] / union[present]).mean())
