"""``DatasetFolder`` and ``ImageFolder`` with torchvision's semantics: ``root/<class>/**/<file>``; classes are
the sorted sub-folder names, ``class_to_idx`` numbers them in that order, ``samples`` lists
(path, class_index) pairs in sorted walk order, and a file counts when its extension is in ``extensions``
(case-insensitive) or ``is_valid_file(path)`` says so.

>>> import os, tempfile
>>> from ember.vision.datasets import DatasetFolder
>>> root = tempfile.mkdtemp()
>>> for c in ("dog", "cat"):
...     os.makedirs(os.path.join(root, c))
...     open(os.path.join(root, c, "a.txt"), "w").close()
>>> ds = DatasetFolder(root, loader=os.path.basename, extensions=(".txt",))
>>> ds.classes, ds.class_to_idx, ds[1]
(['cat', 'dog'], {'cat': 0, 'dog': 1}, ('a.txt', 1))
"""
from __future__ import annotations

import os
from typing import Callable

from .vision import VisionDataset

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename: str, extensions) -> bool:
    exts = (extensions,) if isinstance(extensions, str) else tuple(extensions)
    return filename.lower().endswith(exts)


def is_image_file(filename: str) -> bool:
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def find_classes(directory: str | os.PathLike) -> tuple:
    """(sorted class folder names, {name: index})."""
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {name: i for i, name in enumerate(classes)}


def make_dataset(directory: str | os.PathLike, class_to_idx: dict | None = None, extensions=None,
                 is_valid_file: Callable | None = None, allow_empty: bool = False) -> list:
    """(path, class_index) for every valid file under each class folder, in sorted order."""
    directory = os.path.expanduser(directory)
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_index' must have at least one entry to collect any samples.")
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at the same time")
    if extensions is not None:
        def is_valid_file(path: str) -> bool:
            return has_file_allowed_extension(path, extensions)
    instances, found = [], set()
    for target_class in sorted(class_to_idx):
        target_dir = os.path.join(directory, target_class)
        if not os.path.isdir(target_dir):
            continue
        for root, _, fnames in sorted(os.walk(target_dir, followlinks=True)):
            for fname in sorted(fnames):
                path = os.path.join(root, fname)
                if is_valid_file(path):
                    instances.append((path, class_to_idx[target_class]))
                    found.add(target_class)
    empty = set(class_to_idx) - found
    if empty and not allow_empty:
        msg = f"Found no valid file for the classes {', '.join(sorted(empty))}. "
        if extensions is not None:
            msg += f"Supported extensions are: {extensions if isinstance(extensions, str) else ', '.join(extensions)}"
        raise FileNotFoundError(msg)
    return instances


def pil_loader(path: str):
    """Open an image file with Pillow as RGB (the ``vision`` extra)."""
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover
        raise ImportError("ImageFolder's default loader needs Pillow: pip install 'ember[vision]'") from e
    with open(path, "rb") as f:
        return Image.open(f).convert("RGB")


default_loader = pil_loader


class DatasetFolder(VisionDataset):
    """A map-style dataset of ``(loader(path), class_index)`` from ``root/<class>/...`` files, after
    ``transform`` and ``target_transform``."""

    def __init__(self, root: str | os.PathLike, loader: Callable, extensions=None, transform: Callable | None = None,
                 target_transform: Callable | None = None, is_valid_file: Callable | None = None,
                 allow_empty: bool = False) -> None:
        super().__init__(os.fspath(root), transform=transform, target_transform=target_transform)
        self.classes, self.class_to_idx = self.find_classes(self.root)
        self.samples = self.make_dataset(self.root, self.class_to_idx, extensions, is_valid_file, allow_empty)
        self.loader, self.extensions = loader, extensions
        self.targets = [s[1] for s in self.samples]

    @staticmethod
    def make_dataset(directory, class_to_idx, extensions=None, is_valid_file=None, allow_empty=False) -> list:
        return make_dataset(directory, class_to_idx, extensions, is_valid_file, allow_empty)

    def find_classes(self, directory) -> tuple:
        return find_classes(directory)

    def __getitem__(self, index: int) -> tuple:
        path, target = self.samples[index]
        return self._apply_transforms(self.loader(path), target)

    def __len__(self) -> int:
        return len(self.samples)



class ImageFolder(DatasetFolder):
    """``DatasetFolder`` of image files (``IMG_EXTENSIONS`` unless ``is_valid_file`` is given), loaded as RGB
    PIL images by default; ``imgs`` is ``samples``."""

    def __init__(self, root: str | os.PathLike, transform: Callable | None = None,
                 target_transform: Callable | None = None, loader: Callable = default_loader,
                 is_valid_file: Callable | None = None, allow_empty: bool = False) -> None:
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None, transform=transform,
                         target_transform=target_transform, is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples
