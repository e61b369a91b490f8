"""Write the real Fashion-MNIST subset that ships inside ember.

Draws, with a fixed seed and stratified by class, 10,000 training images (1,000 per class)
and 2,000 test images (200 per class) from the real Fashion-MNIST IDX files, keeps them in
their original order, and writes them as gzipped IDX files (reproducible: no timestamp in
the gzip header) to ``ember/vision/datasets/_data/fashion-mnist-subset/``, with a
``README.txt`` giving their provenance. Fails if the four files total more than 6 MB.

Usage:
    python tools/make_fmnist_subset.py [--source /usr/share/datasets/fashion-mnist]

By default the source is the Debian package ``dataset-fashion-mnist``
(``apt-get install dataset-fashion-mnist``); any folder holding the four official files
(gzipped or not) works. Running it twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import gzip
import struct
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ember.vision.datasets import _sources  # noqa: E402
from ember.vision.datasets.mnist import IMAGES_MAGIC, LABELS_MAGIC, read_idx  # noqa: E402

SEED = 20240607
PER_CLASS = {"train": 1000, "t10k": 200}
OUT_DIR = REPO / "ember" / "vision" / "datasets" / "_data" / "fashion-mnist-subset"
MAX_TOTAL_BYTES = 6_000_000
NAMES = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
]


LICENSE = """The MIT License (MIT) Copyright (c) 2017 Zalando SE, https://tech.zalando.com

Permission is hereby granted, free of charge, to any person obtaining a copy of this
software and associated documentation files (the "Software"), to deal in the Software
without restriction, including without limitation the rights to use, copy, modify, merge,
publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons
to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,
INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR
PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE
FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
DEALINGS IN THE SOFTWARE.
"""

def stratified_indices(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    """``per_class`` indices of each class drawn without replacement, sorted."""
    chosen = [
        rng.choice(np.flatnonzero(labels == c), size=per_class, replace=False)
        for c in range(10)
    ]
    return np.sort(np.concatenate(chosen))


def write_idx_gz(path: Path, array: np.ndarray, magic: int) -> None:
    """Write a ``uint8`` array as a gzipped IDX file with a fixed (zero) gzip mtime."""
    header = struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape)
    with open(path, "wb") as raw, gzip.GzipFile(
        filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0
    ) as out:
        out.write(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = _sources.debian_dirs("dataset-fashion-mnist", "/usr/share/datasets/fashion-mnist")
    parser.add_argument("--source", type=Path, default=default[0] if default else None)
    args = parser.parse_args()
    files = _sources.find_files(args.source, NAMES) if args.source else None
    if files is None:
        parser.error(f"the four Fashion-MNIST files are not in {args.source}; pass --source")

    rng = np.random.default_rng(SEED)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    provenance = []
    for split, per_class in PER_CLASS.items():
        images = read_idx(files[f"{split}-images-idx3-ubyte"], IMAGES_MAGIC)
        labels = read_idx(files[f"{split}-labels-idx1-ubyte"], LABELS_MAGIC)
        keep = stratified_indices(labels, per_class, rng)
        write_idx_gz(OUT_DIR / f"{split}-images-idx3-ubyte.gz", images[keep], IMAGES_MAGIC)
        write_idx_gz(OUT_DIR / f"{split}-labels-idx1-ubyte.gz", labels[keep], LABELS_MAGIC)
        provenance.append(f"{split}: {len(keep)} of {len(labels)} images, {per_class} per class")

    sizes = {p.name: p.stat().st_size for p in sorted(OUT_DIR.glob("*.gz"))}
    total = sum(sizes.values())
    for name, size in sizes.items():
        print(f"{size:>10,}  {name}")
    print(f"{total:>10,}  total (limit {MAX_TOTAL_BYTES:,})")
    (OUT_DIR / "README.txt").write_text(
        "A real subset of Fashion-MNIST (Zalando Research, MIT licence,\n"
        "https://github.com/zalandoresearch/fashion-mnist), not synthetic data.\n"
        f"Written by tools/make_fmnist_subset.py from {args.source}\n"
        f"with numpy.random.default_rng({SEED}), stratified by class, original order kept:\n"
        + "".join(f"  {line}\n" for line in provenance)
        + "\n"
        + LICENSE
    )
    if total > MAX_TOTAL_BYTES:
        print(f"error: the subset is {total:,} bytes, over {MAX_TOTAL_BYTES:,}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
