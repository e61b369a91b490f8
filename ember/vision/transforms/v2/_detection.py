"""SSD's detection augmentations (Liu et al., 2016) as in ``transforms.v2``: ``RandomZoomOut`` (place the image
on a larger canvas) and ``RandomIoUCrop`` (crop so that some object overlaps the crop by a random minimum
IoU). Follow them with ``SanitizeBoundingBoxes`` to drop the boxes left empty."""
from __future__ import annotations

import numpy as np

from ._geometry import _Geometry
from ._transform import boxes_xyxy, image_size, kind_of, rng


class RandomZoomOut(_Geometry):
    """With probability ``p``, pad the image to a canvas ``r`` times larger (r uniform in ``side_range``) at a
    random position, filling with ``fill``."""

    def __init__(self, fill=0, side_range=(1.0, 4.0), p: float = 0.5) -> None:
        if side_range[0] < 1.0 or side_range[0] > side_range[1]:
            raise ValueError(f"Invalid side range provided {side_range}.")
        self.fill, self.side_range, self.p = fill, tuple(side_range), p

    def make_params(self, flat_inputs):
        g = rng()
        if g.random() >= self.p:
            return None
        h, w = image_size(flat_inputs)
        r = self.side_range[0] + g.random() * (self.side_range[1] - self.side_range[0])
        cw, ch = int(w * r), int(h * r)
        fx, fy = g.random(2)
        left, top = int((cw - w) * fx), int((ch - h) * fy)
        return {"pad": (left, top, cw - (left + w), ch - (top + h))}

    def extra_repr(self) -> str:
        return f"fill={self.fill}, side_range={self.side_range}, p={self.p}"


class RandomIoUCrop(_Geometry):
    """SSD's crop: pick a minimum IoU from ``sampler_options`` (1.0 or more: keep the sample as is); then up to
    ``trials`` times draw a crop of scale in [min_scale, max_scale] per side and aspect ratio in
    [min_aspect_ratio, max_aspect_ratio], accepted when some box centre lies inside it and one of those
    boxes has IoU >= the minimum with it. Boxes whose centre falls outside become zero-size."""

    def __init__(self, min_scale: float = 0.3, max_scale: float = 1.0, min_aspect_ratio: float = 0.5,
                 max_aspect_ratio: float = 2.0, sampler_options=None, trials: int = 40) -> None:
        self.min_scale, self.max_scale = min_scale, max_scale
        self.min_aspect_ratio, self.max_aspect_ratio = min_aspect_ratio, max_aspect_ratio
        self.options = [0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0] if sampler_options is None else list(sampler_options)
        self.trials = trials

    def make_params(self, flat_inputs):
        boxes = [x for x in flat_inputs if kind_of(x) == "boxes"]
        if len(boxes) != 1:
            raise TypeError("RandomIoUCrop: the sample should hold exactly one BoundingBoxes")
        b = boxes_xyxy(boxes[0])
        h, w = image_size(flat_inputs)
        g = rng()
        while True:
            min_iou = self.options[int(g.integers(0, len(self.options)))]
            if min_iou >= 1.0:
                return {}
            for _ in range(self.trials):
                r = self.min_scale + (self.max_scale - self.min_scale) * g.random(2)
                nw, nh = int(w * r[0]), int(h * r[1])
                if nh == 0 or not self.min_aspect_ratio <= nw / nh <= self.max_aspect_ratio:
                    continue
                r = g.random(2)
                left, top = int((w - nw) * r[0]), int((h - nh) * r[1])
                if nw == 0:
                    continue
                params = self._accept(b, left, top, nw, nh, min_iou)
                if params is not None:
                    return params

    @staticmethod
    def _accept(b: np.ndarray, left: int, top: int, nw: int, nh: int, min_iou: float) -> dict | None:
        cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
        inside = (left < cx) & (cx < left + nw) & (top < cy) & (cy < top + nh)
        if not inside.any():
            return None
        sel = b[inside]
        iw = np.clip(np.minimum(sel[:, 2], left + nw) - np.maximum(sel[:, 0], left), 0, None)
        ih = np.clip(np.minimum(sel[:, 3], top + nh) - np.maximum(sel[:, 1], top), 0, None)
        inter = iw * ih
        iou = inter / ((sel[:, 2] - sel[:, 0]) * (sel[:, 3] - sel[:, 1]) + nw * nh - inter)
        if iou.max() < min_iou:
            return None
        return {"crop": (top, left, nh, nw), "inside": inside}

    def _boxes(self, b, canvas, p):
        b, canvas = super()._boxes(b, canvas, p)
        if "inside" in p:
            b = np.where(p["inside"][:, None], b, 0.0)
        return b, canvas

    def extra_repr(self) -> str:
        return f"min_scale={self.min_scale}, max_scale={self.max_scale}, sampler_options={self.options}"


__all__ = ["RandomIoUCrop", "RandomZoomOut"]
