"""Draw the two images that ``ember train --task style`` uses by default, procedurally (no photo is copied,
so there is no licence to track; they are released with ember under its licence and may be treated as
public domain): ``content.png``, a landscape (sky, sun, hills, lake, a house), and ``style.png``, a
swirling mosaic of bold colour cells with dark seams. Run from the repository root:
``python tools/make_style_images.py`` rewrites ``ember/vision/datasets/_data/style/``.
"""
from __future__ import annotations

import os

import numpy as np
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), "..", "ember", "vision", "datasets", "_data", "style")


def content(h: int = 96, w: int = 128) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    y, x = y / h, x / w
    img = np.zeros((h, w, 3))
    img[:] = np.stack([0.45 + 0.4 * y, 0.65 + 0.25 * y, 0.95 - 0.1 * y], -1)  # sky
    sun = (x - 0.78) ** 2 + (y - 0.2) ** 2 < 0.09 ** 2
    img[sun] = [1.0, 0.85, 0.3]
    far = y > 0.45 + 0.08 * np.sin(7 * x + 1) + 0.04 * np.sin(19 * x)
    img[far] = [0.35, 0.45, 0.6]
    near = y > 0.58 + 0.06 * np.sin(4 * x + 2)
    img[near] = np.stack([0.25 + 0.1 * y, 0.55 - 0.1 * y, 0.2 + 0 * y], -1)[near]
    lake = ((x - 0.3) / 0.25) ** 2 + ((y - 0.85) / 0.09) ** 2 < 1
    img[lake] = [0.2, 0.4, 0.75]
    wall = (x > 0.55) & (x < 0.72) & (y > 0.6) & (y < 0.78)
    img[wall] = [0.85, 0.8, 0.7]
    roof = (y > 0.48) & (y <= 0.6) & (np.abs(x - 0.635) < (y - 0.48) * 0.9)
    img[roof] = [0.7, 0.15, 0.12]
    door = (x > 0.61) & (x < 0.66) & (y > 0.68) & (y < 0.78)
    img[door] = [0.35, 0.2, 0.1]
    return img


def style(h: int = 96, w: int = 96, cells: int = 60, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    y, x = y / h, x / w
    r = np.hypot(x - 0.5, y - 0.5)  # swirl the plane before cutting it into cells
    a = np.arctan2(y - 0.5, x - 0.5) + 4 * r
    sx, sy = 0.5 + r * np.cos(a), 0.5 + r * np.sin(a)
    pts = rng.uniform(0, 1, (cells, 2))
    d = (sx[..., None] - pts[:, 0]) ** 2 + (sy[..., None] - pts[:, 1]) ** 2
    part = np.sort(d, axis=-1)
    owner = d.argmin(-1)
    palette = np.array([[0.1, 0.2, 0.6], [0.95, 0.8, 0.15], [0.15, 0.45, 0.8], [0.9, 0.45, 0.1],
                        [0.05, 0.1, 0.3], [0.55, 0.75, 0.9]])
    img = palette[rng.integers(len(palette), size=cells)][owner]
    img *= (0.8 + 0.2 * np.sin(40 * r))[..., None]  # brush rings
    seam = np.sqrt(part[..., 1]) - np.sqrt(part[..., 0]) < 0.012
    img[seam] = [0.05, 0.05, 0.08]
    return img


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    for name, img in (("content.png", content()), ("style.png", style())):
        Image.fromarray((np.clip(img, 0, 1) * 255).round().astype(np.uint8)).save(os.path.join(OUT, name))


if __name__ == "__main__":
    main()
