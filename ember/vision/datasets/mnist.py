"""MNIST and Fashion-MNIST, read from IDX files with torchvision's API.

Both datasets are 28x28 grayscale images in 10 classes: 60,000 for training and 10,000 for
testing. The files are the four IDX files ``train-images-idx3-ubyte``,
``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte``,
gzipped (``.gz``) or not. Where they are looked for, in order (see
:mod:`ember.vision.datasets._sources`):

1. ``root``, then ``root/MNIST/raw`` or ``root/FashionMNIST/raw`` (torchvision's layout);
2. ``$EMBER_DATA``, then the same subfolders below it;
3. Fashion-MNIST only: the Debian package ``dataset-fashion-mnist`` (found with
   ``dpkg -L``, else at ``/usr/share/datasets/fashion-mnist``);
4. with ``download=True``: the official mirrors, each file checked against its MD5 sum and
   saved to ``root/<Class>/raw``; when the network is unreachable the next source is used
   and a warning is logged on the ``ember.vision`` logger;
5. Fashion-MNIST only: a real subset shipped inside ember.

The shipped subset (``ember/vision/datasets/_data/fashion-mnist-subset``) holds real
Fashion-MNIST images, not synthetic ones: 10,000 training images (1,000 per class) and
2,000 test images (200 per class) drawn without replacement, with a fixed seed, from the
official files by ``tools/make_fmnist_subset.py``; within each split they keep their
original order. Use it on purpose with ``root="builtin"`` or ``EMBER_DATA=builtin`` (the
environment variable overrides ``root``). MNIST ships no subset.

The source used is kept in the attribute ``source``, for example
``"debian:/usr/share/datasets/fashion-mnist"`` or ``"builtin:fashion-mnist-subset"``.

Unlike torchvision, an image without a transform is a ``uint8`` NumPy array of shape
``(28, 28)``, not a PIL image; ember's transforms accept both.

Example:
    >>> ds = FashionMNIST(root="builtin", train=False)
    >>> len(ds), ds.source
    (2000, 'builtin:fashion-mnist-subset')
    >>> img, target = ds[0]
    >>> img.shape, img.dtype, ds.classes[target]
    ((28, 28), dtype('uint8'), 'Shirt')
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from . import _sources
from .vision import VisionDataset

#: IDX type code to the big-endian NumPy dtype it stores.
_IDX_DTYPES: dict[int, str] = {
    0x08: "u1",
    0x09: "i1",
    0x0B: ">i2",
    0x0C: ">i4",
    0x0D: ">f4",
    0x0E: ">f8",
}
IMAGES_MAGIC = 0x00000803  # uint8, 3 dimensions: (N, rows, cols)
LABELS_MAGIC = 0x00000801  # uint8, 1 dimension: (N,)
IMAGE_SIZE = (28, 28)

Transform = Callable[[Any], Any]


def _read_bytes(path: Path) -> bytes:
    """The content of ``path``, gunzipped when it starts with the gzip magic bytes."""
    with open(path, "rb") as handle:
        raw = handle.read()
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as error:
        raise RuntimeError(
            f"{path}: cannot decompress ({error}); the file is corrupt or truncated. "
            "Delete it and download it again."
        ) from error


def read_idx(path: str | os.PathLike, expect_magic: int | None = None) -> np.ndarray:
    """Read an IDX file (gzipped or not) into a native-endian NumPy array.

    The IDX format is a 4-byte magic number ``0x0000TTDD`` (type code ``TT``, number of
    dimensions ``DD``), ``DD`` big-endian ``uint32`` sizes, then the data, big-endian.

    Args:
        path: the file.
        expect_magic: the magic number the file must have, e.g. ``0x00000803`` for
            ``uint8`` images of shape ``(N, rows, cols)``.

    Raises:
        RuntimeError: the file is not IDX, has the wrong magic number, or its data is
            shorter or longer than its header says. The message names the file.

    Example:
        >>> import tempfile, struct
        >>> f = Path(tempfile.mkdtemp()) / "x-idx1-ubyte"
        >>> _ = f.write_bytes(struct.pack(">II", 0x801, 3) + bytes([7, 8, 9]))
        >>> read_idx(f, expect_magic=LABELS_MAGIC)
        array([7, 8, 9], dtype=uint8)
    """
    path = Path(path)
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise RuntimeError(f"{path}: truncated IDX file ({len(raw)} bytes, no header)")
    magic = int.from_bytes(raw[:4], "big")
    type_code, ndim = raw[2], raw[3]
    if raw[:2] != b"\x00\x00" or type_code not in _IDX_DTYPES:
        raise RuntimeError(f"{path}: not an IDX file (magic number 0x{magic:08x})")
    if expect_magic is not None and magic != expect_magic:
        raise RuntimeError(
            f"{path}: wrong IDX magic number 0x{magic:08x}, expected 0x{expect_magic:08x}; "
            "the file is corrupt or is not the file its name says"
        )
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise RuntimeError(f"{path}: truncated IDX header ({len(raw)} of {header_size} bytes)")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_DTYPES[type_code])
    expected = int(np.prod(shape, dtype=object)) * dtype.itemsize
    found = len(raw) - header_size
    if found != expected:
        state = "truncated" if found < expected else "longer than its header says"
        raise RuntimeError(
            f"{path}: IDX file is {state}: shape {shape} needs {expected} data bytes, "
            f"found {found}"
        )
    array = np.frombuffer(raw, dtype=dtype, offset=header_size).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=True)


def _check_split(images: np.ndarray, labels: np.ndarray, files: tuple[Path, Path], num_classes: int) -> None:
    images_path, labels_path = files
    if images.shape[1:] != IMAGE_SIZE:
        raise RuntimeError(
            f"{images_path}: images have shape {images.shape[1:]}, expected {IMAGE_SIZE}"
        )
    if len(images) != len(labels):
        raise RuntimeError(
            f"{images_path} holds {len(images)} images but {labels_path} holds "
            f"{len(labels)} labels; one of the files is corrupt or from another split"
        )
    if len(labels) and int(labels.max()) >= num_classes:
        raise RuntimeError(
            f"{labels_path}: label {int(labels.max())} is out of range for "
            f"{num_classes} classes; the file is corrupt"
        )


class MNIST(VisionDataset):
    """The MNIST handwritten digits, with torchvision's ``MNIST`` API.

    Args:
        root: folder holding the IDX files, directly or in ``root/MNIST/raw``; ``None``
            to rely on ``$EMBER_DATA``; downloads go to ``root/MNIST/raw``.
        train: the 60,000 training images if ``True``, else the 10,000 test images.
        transform: applied to each image (a ``uint8`` array of shape ``(28, 28)``).
        target_transform: applied to each target (a Python ``int``).
        download: fetch the files from the official mirrors (MD5-checked) when no local
            copy is found.

    Attributes:
        data: ``uint8`` array of shape ``(N, 28, 28)``.
        targets: ``int64`` array of shape ``(N,)``.
        classes: the class names, as in torchvision.
        class_to_idx: class name to index.
        source: where the files came from, e.g. ``"root:/data/MNIST/raw"``.

    Raises:
        RuntimeError: no source holds the files (the message lists the places looked
            in), or a file is corrupt or truncated (the message names it).

    Example:
        >>> MNIST(root="builtin")
        Traceback (most recent call last):
        ...
        RuntimeError: MNIST: dataset files [...] not found. Looked in: builtin (no subset of this dataset ships with ember). Pass download=True, or set EMBER_DATA to a folder holding the files.
    """

    mirrors: list[str] = [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ]
    resources: list[tuple[str, str]] = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    classes: list[str] = [
        "0 - zero",
        "1 - one",
        "2 - two",
        "3 - three",
        "4 - four",
        "5 - five",
        "6 - six",
        "7 - seven",
        "8 - eight",
        "9 - nine",
    ]
    #: ``(package, known folder)`` of a Debian package shipping the files, if any.
    debian: tuple[str, str] | None = None
    #: Folder name of the subset under ``_data``, if one ships with ember.
    builtin_subset: str | None = None

    def __init__(
        self,
        root: str | os.PathLike | None,
        train: bool = True,
        transform: Transform | None = None,
        target_transform: Transform | None = None,
        download: bool = False,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        located = self._locate(download)
        self.source: str = located.source
        self.data, self.targets = self._load(located.files)

    @property
    def raw_folder(self) -> Path:
        """``root/<ClassName>/raw``, torchvision's folder for the files; downloads go here.

        Raises:
            RuntimeError: neither ``root`` nor ``$EMBER_DATA`` names a folder.
        """
        return _sources.download_dir(self.root) / type(self).__name__ / "raw"

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.classes)}

    def _file_names(self) -> list[str]:
        return [name.removesuffix(".gz") for name, _ in self.resources]

    def _locate(self, download: bool) -> _sources.Located:
        name = type(self).__name__
        dirs = _sources.local_dirs(self.root, [f"{name}/raw"])
        if self.debian is not None:
            dirs += [("debian", d) for d in _sources.debian_dirs(*self.debian)]
        builtin = _sources.BUILTIN_DIR / self.builtin_subset if self.builtin_subset else None
        return _sources.locate(
            name,
            self._file_names(),
            dirs,
            downloader=self._download if download else None,
            builtin=builtin,
            force_builtin=_sources.wants_builtin(self.root),
        )

    def _download(self) -> Path:
        folder = self.raw_folder
        for filename, md5 in self.resources:
            urls = [mirror + filename for mirror in self.mirrors]
            _sources.download_file(urls, folder / filename, md5)
        return folder

    def _load(self, files: dict[str, Path]) -> tuple[np.ndarray, np.ndarray]:
        prefix = "train" if self.train else "t10k"
        images_path = files[f"{prefix}-images-idx3-ubyte"]
        labels_path = files[f"{prefix}-labels-idx1-ubyte"]
        images = read_idx(images_path, expect_magic=IMAGES_MAGIC)
        labels = read_idx(labels_path, expect_magic=LABELS_MAGIC)
        _check_split(images, labels, (images_path, labels_path), len(self.classes))
        return images, labels.astype(np.int64)

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Return ``(image, target)``; the image is ``uint8`` ``(28, 28)`` before ``transform``."""
        return self._apply_transforms(self.data[index], int(self.targets[index]))

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train else 'Test'}\nSource: {self.source}"


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: 28x28 grayscale pictures of clothes in 10 classes.

    Same API as :class:`MNIST`; the files are looked for in ``root/FashionMNIST/raw``,
    and two more sources exist: the Debian package ``dataset-fashion-mnist`` and a real
    subset of 10,000 training and 2,000 test images shipped with ember (see the module
    docstring; force it with ``root="builtin"``).

    Example:
        >>> ds = FashionMNIST(root="builtin")
        >>> len(ds), ds.data.shape, ds.targets.dtype
        (10000, (10000, 28, 28), dtype('int64'))
        >>> ds.class_to_idx["Sneaker"]
        7
    """

    mirrors = [
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ]
    debian = ("dataset-fashion-mnist", "/usr/share/datasets/fashion-mnist")
    builtin_subset = "fashion-mnist-subset"
