"""CIFAR-10, read from the official python batches without running pickled code.

The official archive ``cifar-10-python.tar.gz`` unpacks to ``cifar-10-batches-py/`` with
five training batches ``data_batch_1`` to ``data_batch_5``, one ``test_batch`` and
``batches.meta``. Each batch is a pickled dict of bytes keys: ``data``, a ``uint8`` array
of shape ``(10000, 3072)`` (the red, green then blue planes of a 32x32 image), and
``labels``, a list of ints; ``batches.meta`` holds ``label_names``.

Pickle can run any function, so these files are read with :class:`RestrictedUnpickler`,
which resolves only the four globals that pickled NumPy arrays need and raises
``pickle.UnpicklingError`` naming any other, for example ``posix.system``. (Batches that
Python 3 re-pickled with protocol 2 name ``_codecs.encode`` for their bytes and are refused
too; re-pickle them with protocol 4, or use the official files.)

Files are looked for in ``root``, ``root/cifar-10-batches-py``, then ``$EMBER_DATA`` and
the same folder below it; with ``download=True`` the archive is fetched, checked against
its MD5 sum and unpacked into ``root``. No subset of CIFAR-10 ships with ember.

Example:
    >>> import io, pickle, numpy as np
    >>> blob = pickle.dumps({b"data": np.zeros((1, 3072), np.uint8)}, protocol=4)
    >>> RestrictedUnpickler(io.BytesIO(blob), encoding="bytes").load()[b"data"].shape
    (1, 3072)
"""

from __future__ import annotations

import gzip
import io
import os
import pickle
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from . import _sources
from .vision import VisionDataset

Transform = Callable[[Any], Any]

#: The only globals a CIFAR batch may name: how NumPy pickles an ``ndarray``.
ALLOWED_GLOBALS: frozenset[tuple[str, str]] = frozenset(
    {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
    }
)
IMAGE_SHAPE = (3, 32, 32)


def _numpy_reconstruct() -> Callable[..., np.ndarray]:
    """NumPy's ``_reconstruct``, from ``numpy._core`` (NumPy >= 2) or ``numpy.core``."""
    try:
        from numpy._core.multiarray import _reconstruct
    except ImportError:  # NumPy < 1.26 has no numpy._core
        from numpy.core.multiarray import _reconstruct
    return _reconstruct


class _ForbiddenGlobal(pickle.UnpicklingError):
    """A pickle named a global outside :data:`ALLOWED_GLOBALS`."""


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that builds dicts, lists, bytes, numbers and NumPy arrays, nothing else.

    ``find_class`` is the only way a pickle reaches a callable (``GLOBAL``,
    ``STACK_GLOBAL``, ``INST`` and the extension registry all go through it), so allowing
    only :data:`ALLOWED_GLOBALS` there means no other code can run while loading.

    Raises:
        pickle.UnpicklingError: the pickle names any other global; the message names it.

    Example:
        >>> import io, os
        >>> class Evil:
        ...     def __reduce__(self):
        ...         return (os.system, ("echo pwned",))
        >>> try:
        ...     RestrictedUnpickler(io.BytesIO(pickle.dumps(Evil()))).load()
        ... except pickle.UnpicklingError as error:
        ...     print(error)
        forbidden global 'posix.system' in pickle; only NumPy arrays (numpy.ndarray, numpy.dtype, numpy.core.multiarray._reconstruct) may be loaded
    """

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in ALLOWED_GLOBALS:
            raise _ForbiddenGlobal(
                f"forbidden global '{module}.{name}' in pickle; only NumPy arrays "
                "(numpy.ndarray, numpy.dtype, numpy.core.multiarray._reconstruct) may be loaded"
            )
        if name == "_reconstruct":
            return _numpy_reconstruct()
        return getattr(np, name)


def safe_load(path: str | os.PathLike) -> Any:
    """Unpickle ``path`` (gzipped or not) with :class:`RestrictedUnpickler`, ``encoding="bytes"``.

    Raises:
        pickle.UnpicklingError: the file names a forbidden global (message: file and global).
        RuntimeError: the file is corrupt or truncated (the message names it).
    """
    raw = Path(path).read_bytes()
    try:
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        return RestrictedUnpickler(io.BytesIO(raw), encoding="bytes").load()
    except _ForbiddenGlobal as error:
        raise pickle.UnpicklingError(f"{path}: {error}") from None
    except Exception as error:  # a damaged pickle can raise almost any exception type
        raise RuntimeError(
            f"{path}: cannot unpickle ({type(error).__name__}: {error}); the file is corrupt "
            "or truncated. Delete it and download it again."
        ) from error


def _field(entry: Any, key: str, path: Path) -> Any:
    """``entry[b"key"]`` or ``entry["key"]`` (batches pickled by Python 2 or 3)."""
    if not isinstance(entry, dict):
        raise RuntimeError(f"{path}: expected a pickled dict, found {type(entry).__name__}")
    for candidate in (key.encode(), key):
        if candidate in entry:
            return entry[candidate]
    raise RuntimeError(f"{path}: the batch has no '{key}' entry; the file is corrupt")


def _read_batch(path: Path, num_classes: int) -> tuple[np.ndarray, list[int]]:
    entry = safe_load(path)
    data = _field(entry, "data", path)
    labels = _field(entry, "labels", path)
    size = int(np.prod(IMAGE_SHAPE))
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != size:
        found = f"{data.dtype} {data.shape}" if isinstance(data, np.ndarray) else type(data).__name__
        raise RuntimeError(f"{path}: 'data' must be a uint8 array of shape (N, {size}), found {found}")
    targets = [int(label) for label in labels]
    if len(targets) != len(data):
        raise RuntimeError(f"{path}: {len(data)} images but {len(targets)} labels")
    if any(not 0 <= t < num_classes for t in targets):
        raise RuntimeError(f"{path}: labels must be in [0, {num_classes}); the file is corrupt")
    return data, targets


class CIFAR10(VisionDataset):
    """CIFAR-10: 60,000 32x32 colour images in 10 classes, with torchvision's API.

    Args:
        root: folder holding ``cifar-10-batches-py`` (or that folder itself); ``None`` to
            rely on ``$EMBER_DATA``; the archive is downloaded and unpacked here.
        train: the 50,000 training images if ``True``, else the 10,000 test images.
        transform: applied to each image (a ``uint8`` array of shape ``(32, 32, 3)``).
        target_transform: applied to each target (a Python ``int``).
        download: fetch the archive (MD5-checked) when no local copy is found.

    Attributes:
        data: ``uint8`` array of shape ``(N, 32, 32, 3)`` (HWC, RGB), as in torchvision.
        targets: list of ``int`` labels, as in torchvision.
        classes: the class names, read from ``batches.meta``.
        class_to_idx: class name to index.
        source: where the files came from, e.g. ``"root:/data/cifar-10-batches-py"``.

    Raises:
        RuntimeError: the files are missing (the message lists the places looked in) or
            one is corrupt (the message names it).
        pickle.UnpicklingError: a file tries to call a function other than NumPy's.

    Example:
        >>> CIFAR10(root="/nonexistent")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        RuntimeError: CIFAR10: dataset files [...] not found. Looked in: root:/nonexistent; ...
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [
        ["data_batch_1", "c99cafc152244af753f735de768cd75f"],
        ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
        ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
        ["data_batch_4", "634d18415352ddfa80567beed471001a"],
        ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"],
    ]
    test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta = {"filename": "batches.meta", "key": "label_names", "md5": "5ff9c542aee3614f3951f8cda6e48888"}

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
        names = [name for name, _ in self.train_list + self.test_list] + [self.meta["filename"]]
        located = _sources.locate(
            type(self).__name__,
            names,
            _sources.local_dirs(self.root, [self.base_folder]),
            downloader=self._download if download else None,
            builtin=None,
            force_builtin=_sources.wants_builtin(self.root),
        )
        self.source: str = located.source
        self.classes: list[str] = self._load_meta(located.files[self.meta["filename"]])
        batches = self.train_list if train else self.test_list
        parts = [_read_batch(located.files[name], len(self.classes)) for name, _ in batches]
        images = np.vstack([data for data, _ in parts]).reshape(-1, *IMAGE_SHAPE)
        self.data: np.ndarray = np.ascontiguousarray(images.transpose(0, 2, 3, 1))
        self.targets: list[int] = [t for _, targets in parts for t in targets]

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.classes)}

    def _load_meta(self, path: Path) -> list[str]:
        names = _field(safe_load(path), self.meta["key"], path)
        if not isinstance(names, list) or not all(isinstance(n, (bytes, str)) for n in names):
            raise RuntimeError(f"{path}: '{self.meta['key']}' must be a list of strings")
        return [n.decode("utf-8") if isinstance(n, bytes) else n for n in names]

    def _download(self) -> Path:
        base = _sources.download_dir(self.root)
        archive = base / self.filename
        _sources.download_file([self.url], archive, self.tgz_md5)
        _extract_tar(archive, base)
        return base / self.base_folder

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Return ``(image, target)``; the image is ``uint8`` ``(32, 32, 3)`` before ``transform``."""
        return self._apply_transforms(self.data[index], self.targets[index])

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train else 'Test'}\nSource: {self.source}"


def _extract_tar(archive: Path, dest: Path) -> None:
    """Unpack regular files and folders only, refusing paths that leave ``dest``."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            for member in members:
                target = (dest / member.name).resolve()
                unsafe = member.name.startswith("/") or ".." in Path(member.name).parts
                if unsafe or not (member.isfile() or member.isdir()) or dest.resolve() not in (target, *target.parents):
                    raise RuntimeError(f"{archive}: refusing to extract unsafe member '{member.name}'")
            if hasattr(tarfile, "data_filter"):
                tar.extractall(dest, members=members, filter="data")
            else:  # Python < 3.11.4; every member was checked above
                tar.extractall(dest, members=members)
    except (tarfile.TarError, OSError, EOFError) as error:
        raise RuntimeError(f"{archive}: cannot unpack ({error}); the archive is corrupt") from error
