"""Box hygiene after geometric transforms: ``ClampBoundingBoxes`` and ``SanitizeBoundingBoxes``."""
from __future__ import annotations

import numpy as np

from ember.tensor import Tensor, wrap

from ... import tv_tensors
from .. import _geometry as G
from ._transform import Transform, boxes_back, boxes_xyxy, flatten, kind_of


class ClampBoundingBoxes(Transform):
    """Clamp boxes to their canvas."""

    def _boxes(self, xyxy, canvas, params):
        return G.clamp_boxes(xyxy, canvas), canvas


class SanitizeBoundingBoxes:
    """Drop boxes whose width or height is < ``min_size`` (or with a coordinate outside the canvas), and the
    matching rows of the labels (``labels_getter``: the ``"labels"`` key of a dict sample by default) and of
    per-box masks."""

    def __init__(self, min_size: float = 1.0, min_area: float = 1.0, labels_getter="default") -> None:
        if min_size < 1 and min_size != 0:
            raise ValueError(f"min_size must be >= 1, got {min_size}.")
        self.min_size, self.min_area, self.labels_getter = min_size, min_area, labels_getter

    def __call__(self, *inputs):
        sample = inputs if len(inputs) > 1 else inputs[0]
        leaves, rebuild = flatten(sample)
        boxes = [x for x in leaves if kind_of(x) == "boxes"]
        if len(boxes) != 1:
            raise ValueError(f"SanitizeBoundingBoxes: expected one BoundingBoxes in the sample, found {len(boxes)}")
        b = boxes_xyxy(boxes[0])
        h, w = boxes[0].canvas_size
        ws, hs = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
        valid = (ws >= self.min_size) & (hs >= self.min_size) & (ws * hs >= self.min_area)
        valid &= (b[:, 0] < w) & (b[:, 1] < h) & (b[:, 2] > 0) & (b[:, 3] > 0)
        labels = self._labels(sample)
        out = []
        for x in leaves:
            if x is boxes[0]:
                out.append(boxes_back(b[valid], x, x.canvas_size))
            elif (labels is not None and x is labels) or (kind_of(x) == "mask" and x.shape[0] == len(valid)
                                                          and x.ndim == 3):
                kept = x._data[valid]
                kept = np.ascontiguousarray(kept)
                out.append(tv_tensors.Mask(kept) if isinstance(x, tv_tensors.Mask) else wrap(kept))
            else:
                out.append(x)
        return rebuild(out)

    def _labels(self, sample):
        if callable(self.labels_getter):
            return self.labels_getter(sample)
        if self.labels_getter is None:
            return None
        if isinstance(sample, (tuple, list)) and sample and isinstance(sample[-1], dict):
            sample = sample[-1]
        if isinstance(sample, dict):
            for key in sample:
                if isinstance(key, str) and key.lower() == "labels" and isinstance(sample[key], Tensor):
                    return sample[key]
        return None

    def __repr__(self) -> str:
        return f"SanitizeBoundingBoxes(min_size={self.min_size}, min_area={self.min_area})"
