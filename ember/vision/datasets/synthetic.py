"""Datasets drawn on the fly, so the detection and segmentation recipes run offline.

``BananasDataset``: d2l's banana-detection data (Dive into Deep Learning 1.0, 14.6) redrawn here: one
yellow crescent ("banana") pasted, at a random size, angle and place, on a varied background (colour
gradients, stripes, blobs and noise). A target is one row ``(class, x1, y1, x2, y2)`` with the box
corners relative to the image (0..1), class 0, exactly the book's label layout (``(1, 5)`` per image).

``ShapesSegmentation``: 1 to 3 filled shapes (disc, square, triangle) in random colours on the same
kind of background; the target is a mask of class indices (0 background, 1 disc, 2 square,
3 triangle), later shapes painted over earlier ones.

Images are float32 ``(3, H, W)`` in [0, 1]. Every sample is a pure function of ``(seed, split,
index)``: two datasets with the same arguments hold the same pixels, and train and test never share
a sample. Only NumPy (and the VisionDataset base) is imported.

>>> ds = BananasDataset(train=False, num_samples=4, image_size=32)
>>> img, label = ds[0]
>>> img.shape, img.dtype, label.shape
((3, 32, 32), dtype('float32'), (1, 5))
>>> bool((label[0, 1:3] < label[0, 3:]).all() and 0 <= label[0, 1:].min() and label[0, 1:].max() <= 1)
True
>>> seg = ShapesSegmentation(train=False, num_samples=2, image_size=32)
>>> seg[1][1].shape, seg.classes
((32, 32), ['background', 'disc', 'square', 'triangle'])
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .vision import VisionDataset

__all__ = ["BananasDataset", "ShapesSegmentation"]

_SPLIT = {True: 1, False: 2}


def _grid(size: int) -> tuple:
    """Pixel-centre coordinates (y, x) in [0, 1], each (size, size)."""
    c = (np.arange(size, dtype=np.float32) + 0.5) / size
    return np.meshgrid(c, c, indexing="ij")


def background(rng: np.random.Generator, size: int) -> np.ndarray:
    """A varied background (3, size, size) in [0, 1]: a two-colour gradient, then stripes or blobs, then
    noise; muted colours so that the pasted objects stay visible but not trivially so."""
    y, x = _grid(size)
    angle = rng.uniform(0, 2 * np.pi)
    t = (np.cos(angle) * x + np.sin(angle) * y + 1.5) / 3
    c0, c1 = rng.uniform(0.1, 0.8, 3), rng.uniform(0.1, 0.8, 3)
    img = c0[:, None, None] * (1 - t) + c1[:, None, None] * t
    kind = rng.integers(3)
    if kind == 0:  # stripes
        freq, phase, theta = rng.uniform(3, 10), rng.uniform(0, 2 * np.pi), rng.uniform(0, np.pi)
        s = np.sin(2 * np.pi * freq * (np.cos(theta) * x + np.sin(theta) * y) + phase)
        img = img + 0.12 * s * rng.uniform(-1, 1, 3)[:, None, None]
    elif kind == 1:  # soft blobs
        for _ in range(rng.integers(2, 6)):
            cy, cx, r = rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.05, 0.3)
            w = np.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * r * r))
            img = img * (1 - 0.6 * w) + 0.6 * w * rng.uniform(0, 0.9, 3)[:, None, None]
    img = img + rng.normal(0, 0.04, img.shape)
    return np.clip(img, 0, 1).astype(np.float32)


def _paste(img: np.ndarray, mask: np.ndarray, colour: np.ndarray, shade: np.ndarray | None = None) -> None:
    """Paint ``colour`` (3,) where ``mask`` (H, W) is true, optionally times a per-pixel ``shade``."""
    fill = colour[:, None, None] * (1.0 if shade is None else shade[None])
    img[:] = np.where(mask[None], np.clip(fill, 0, 1), img)


def banana_mask(rng: np.random.Generator, size: int) -> np.ndarray:
    """A crescent: a disc minus a shifted disc, rotated, scaled and placed at random, fully inside."""
    y, x = _grid(size)
    r = rng.uniform(0.12, 0.22)  # radius relative to the image
    cy, cx = rng.uniform(r + 0.03, 1 - r - 0.03, 2)
    a = rng.uniform(0, 2 * np.pi)
    shift = r * rng.uniform(0.45, 0.65)
    outer = (y - cy) ** 2 + (x - cx) ** 2 <= r * r
    inner = (y - cy - shift * np.sin(a)) ** 2 + (x - cx - shift * np.cos(a)) ** 2 <= (r * 0.95) ** 2
    mask = outer & ~inner
    if mask.sum() < 4:  # degenerate at tiny sizes: keep the disc
        mask = outer
    return mask


def _box(mask: np.ndarray) -> np.ndarray:
    """Tight corner box (x1, y1, x2, y2) of a mask, relative to the image (pixel edges)."""
    size = mask.shape[0]
    rows, cols = np.nonzero(mask.any(1))[0], np.nonzero(mask.any(0))[0]
    return np.array([cols[0], rows[0], cols[-1] + 1, rows[-1] + 1], np.float32) / size


class _Generated(VisionDataset):
    """Shared shape of the generated datasets: ``num_samples`` drawn at construction, ``transform``s."""

    def __init__(self, train: bool, num_samples: int | None, image_size: int, seed: int,
                 transform: Callable | None, target_transform: Callable | None, default_n: tuple) -> None:
        if image_size < 8:
            raise ValueError(f"{type(self).__name__}: image_size must be >= 8, got {image_size}")
        n = default_n[0 if train else 1] if num_samples is None else int(num_samples)
        if n < 0:
            raise ValueError(f"{type(self).__name__}: num_samples must be >= 0, got {num_samples}")
        super().__init__(None, transform=transform, target_transform=target_transform)
        self.train, self.image_size, self.seed = train, int(image_size), int(seed)
        pairs = [self._draw(np.random.default_rng([self.seed, _SPLIT[bool(train)], i])) for i in range(n)]
        self.data = np.stack([p[0] for p in pairs]) if n else np.zeros((0, 3, image_size, image_size), np.float32)
        shape, dtype = self._target_shape()
        self.targets = np.stack([p[1] for p in pairs]) if n else np.zeros((0,) + shape, dtype)

    def _draw(self, rng: np.random.Generator) -> tuple:
        raise NotImplementedError

    def _target_shape(self) -> tuple:
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        return self._apply_transforms(self.data[index], self.targets[index])

    def __repr__(self) -> str:
        split = "train" if self.train else "test"
        return f"{type(self).__name__}({split}, {len(self)} images of {self.image_size}x{self.image_size})"


class BananasDataset(_Generated):
    """Banana detection, drawn here (d2l's ``BananasDataset`` layout): ``(image (3, S, S) float32 in [0, 1],
    label (1, 5) float32 = (class 0, x1, y1, x2, y2) relative)``; 1000 train / 100 test by default, as the
    book. ``seed`` picks the whole set."""

    classes = ["banana"]

    def __init__(self, train: bool = True, num_samples: int | None = None, image_size: int = 64, seed: int = 0,
                 transform: Callable | None = None, target_transform: Callable | None = None) -> None:
        super().__init__(train, num_samples, image_size, seed, transform, target_transform, (1000, 100))

    def _target_shape(self) -> tuple:
        return (1, 5), np.float32

    def _draw(self, rng: np.random.Generator) -> tuple:
        size = self.image_size
        img = background(rng, size)
        mask = banana_mask(rng, size)
        y, x = _grid(size)
        shade = 0.75 + 0.25 * np.cos(6 * (x + y) + rng.uniform(0, 6))  # a little shading along the fruit
        _paste(img, mask, np.array([rng.uniform(0.85, 1.0), rng.uniform(0.7, 0.9), rng.uniform(0.0, 0.25)]), shade)
        label = np.concatenate([[0.0], _box(mask)]).astype(np.float32)[None]
        return img, label


class ShapesSegmentation(_Generated):
    """Semantic segmentation of drawn shapes: ``(image (3, S, S) float32 in [0, 1], mask (S, S) int64)`` with
    the classes in ``classes`` (index 0 is background); 1 to 3 shapes an image, 512 train / 64 test by
    default."""

    classes = ["background", "disc", "square", "triangle"]

    def __init__(self, train: bool = True, num_samples: int | None = None, image_size: int = 64, seed: int = 0,
                 transform: Callable | None = None, target_transform: Callable | None = None) -> None:
        super().__init__(train, num_samples, image_size, seed, transform, target_transform, (512, 64))

    def _target_shape(self) -> tuple:
        return (self.image_size, self.image_size), np.int64

    def _draw(self, rng: np.random.Generator) -> tuple:
        size = self.image_size
        img = background(rng, size)
        target = np.zeros((size, size), np.int64)
        y, x = _grid(size)
        for _ in range(rng.integers(1, 4)):
            kind = int(rng.integers(1, 4))
            r = rng.uniform(0.1, 0.22)
            cy, cx = rng.uniform(r, 1 - r, 2)
            if kind == 1:
                mask = (y - cy) ** 2 + (x - cx) ** 2 <= r * r
            elif kind == 2:
                a = rng.uniform(0, np.pi / 2)
                u, v = np.cos(a) * (x - cx) + np.sin(a) * (y - cy), -np.sin(a) * (x - cx) + np.cos(a) * (y - cy)
                mask = (np.abs(u) <= r * 0.85) & (np.abs(v) <= r * 0.85)
            else:
                mask = self._triangle(x, y, cx, cy, r, rng.uniform(0, 2 * np.pi))
            _paste(img, mask, rng.uniform(0, 1, 3) * 0.8 + 0.1)
            target[mask] = kind
        return img, target

    @staticmethod
    def _triangle(x, y, cx, cy, r, a) -> np.ndarray:
        """Equilateral triangle with circumradius ``r``: inside all three edge half-planes."""
        angles = a + np.array([0, 2, 4]) * np.pi / 3
        px, py = cx + r * np.cos(angles), cy + r * np.sin(angles)
        inside = np.ones_like(x, dtype=bool)
        for i in range(3):
            j = (i + 1) % 3
            cross = (px[j] - px[i]) * (y - py[i]) - (py[j] - py[i]) * (x - px[i])
            ref = (px[j] - px[i]) * (cy - py[i]) - (py[j] - py[i]) * (cx - px[i])
            inside &= cross * ref >= 0
        return inside
