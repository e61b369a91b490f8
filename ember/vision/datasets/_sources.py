"""Where dataset files come from: local folders, a Debian package, a download, the package.

Every dataset in :mod:`ember.vision.datasets` looks for its files in the same order and
stops at the first place that holds all of them:

1. ``root`` given to the dataset (the folder itself, then torchvision's layout below it,
   for example ``root/FashionMNIST/raw/``);
2. the folder named by the environment variable ``EMBER_DATA`` (same two layouts);
3. a Debian data package, where the dataset has one (``dataset-fashion-mnist``);
4. a download from the official mirrors, checked against MD5 sums, when ``download=True``;
5. a real subset shipped inside the package, where the dataset has one.

``root="builtin"`` or ``EMBER_DATA=builtin`` skips all of that and uses step 5 directly.

The result is a :class:`Located`: the files found and a short ``source`` string such as
``"debian:/usr/share/datasets/fashion-mnist"``. The choice is logged once on the
``ember.vision`` logger.

This module imports only the standard library, so the datasets load even while the rest of
ember is being imported.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.bin").write_bytes(b"x")
    >>> find_files(folder, ["a.bin"])["a.bin"].name
    'a.bin'
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger("ember.vision")

#: The value of ``root`` or ``EMBER_DATA`` that asks for the subset shipped in the package.
BUILTIN = "builtin"
#: The environment variable naming a folder of dataset files.
ENV_VAR = "EMBER_DATA"
#: Where the packaged subsets live.
BUILTIN_DIR = Path(__file__).resolve().parent / "_data"

PathLike = str | os.PathLike
Downloader = Callable[[], Path]


@dataclass(frozen=True)
class Located:
    """The files of one dataset and where they came from.

    Attributes:
        source: ``"<kind>:<where>"``, kind one of ``root``, ``env``, ``debian``,
            ``download`` or ``builtin``.
        files: file name (without ``.gz``) to the path that holds it.
    """

    source: str
    files: dict[str, Path]


def env_data_dir() -> str | None:
    """Return ``$EMBER_DATA`` or ``None`` when it is unset or empty.

    Example:
        >>> os.environ.pop("EMBER_DATA", None) and None
        >>> env_data_dir() is None
        True
    """
    value = os.environ.get(ENV_VAR, "").strip()
    return value or None


def find_files(directory: PathLike, names: Iterable[str]) -> dict[str, Path] | None:
    """Map each name to ``directory/name`` or ``directory/name.gz``, or return ``None``.

    The uncompressed file wins when both exist. ``None`` means at least one is missing.

    Example:
        >>> find_files("/nonexistent", ["a"]) is None
        True
    """
    folder = Path(directory)
    found: dict[str, Path] = {}
    for name in names:
        for candidate in (folder / name, folder / f"{name}.gz"):
            if candidate.is_file():
                found[name] = candidate
                break
        else:
            return None
    return found


@functools.lru_cache(maxsize=None)
def debian_dirs(package: str, known_dir: str) -> tuple[Path, ...]:
    """Folders holding the files of a Debian package, from ``dpkg -L``.

    Falls back to ``known_dir`` when ``dpkg`` is missing or does not know the package
    (another distribution, a container without the dpkg database) and the folder exists.

    Example:
        >>> debian_dirs("no-such-package-xyz", "/nonexistent")
        ()
    """
    dirs: list[Path] = []
    try:
        listing = subprocess.run(
            ["dpkg", "-L", package], capture_output=True, text=True, timeout=20, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        listing = ""
    for line in listing.splitlines():
        path = Path(line.strip())
        if line.strip() and path.is_file() and path.parent not in dirs:
            dirs.append(path.parent)
    if not dirs and Path(known_dir).is_dir():
        dirs.append(Path(known_dir))
    return tuple(dirs)


def md5sum(path: PathLike, chunk_size: int = 1 << 20) -> str:
    """Return the hex MD5 of a file (an integrity check against the published sums).

    Example:
        >>> import tempfile
        >>> f = Path(tempfile.mkdtemp()) / "empty"
        >>> _ = f.write_bytes(b"")
        >>> md5sum(f)
        'd41d8cd98f00b204e9800998ecf8427e'
    """
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download_file(urls: Sequence[str], dest: Path, md5: str, timeout: float = 30.0) -> None:
    """Fetch the first of ``urls`` that answers with a file whose MD5 is ``md5``.

    The file is written to ``dest`` only after its checksum matched, so an interrupted or
    corrupt download never leaves a file behind.

    Raises:
        RuntimeError: no URL gave a file with the right checksum; the message lists why
            each one failed.

    Example:
        >>> download_file([], Path("/tmp/never"), "0" * 32)
        Traceback (most recent call last):
        ...
        RuntimeError: could not download never: no URLs to try
    """
    if dest.is_file() and md5sum(dest) == md5:
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".part")
    reasons: list[str] = []
    for url in urls:
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response, open(partial, "wb") as out:
                shutil.copyfileobj(response, out)
        except (urllib.error.URLError, OSError, ValueError) as error:
            reasons.append(f"{url}: {error}")
            continue
        actual = md5sum(partial)
        if actual == md5:
            os.replace(partial, dest)
            return
        reasons.append(f"{url}: MD5 checksum mismatch (expected {md5}, got {actual})")
    partial.unlink(missing_ok=True)
    detail = "; ".join(reasons) if reasons else "no URLs to try"
    raise RuntimeError(f"could not download {dest.name}: {detail}")


def local_dirs(root: PathLike | None, subdirs: Sequence[str]) -> list[tuple[str, Path]]:
    """The folders to search below ``root`` and ``$EMBER_DATA``, labelled by kind.

    Example:
        >>> os.environ.pop("EMBER_DATA", None) and None
        >>> [(kind, str(p)) for kind, p in local_dirs("/data", ["MNIST/raw"])]
        [('root', '/data'), ('root', '/data/MNIST/raw')]
    """
    dirs: list[tuple[str, Path]] = []
    env_dir = env_data_dir()
    for kind, base in (("root", root), ("env", env_dir)):
        if base is None:
            continue
        base_path = Path(os.path.expanduser(os.fspath(base)))
        dirs.append((kind, base_path))
        dirs.extend((kind, base_path / sub) for sub in subdirs)
    return dirs


def download_dir(root: PathLike | None) -> Path:
    """The folder downloads go to: ``root``, else ``$EMBER_DATA``.

    Raises:
        RuntimeError: neither names a folder (both unset, or ``builtin``).

    Example:
        >>> download_dir("~/data") == Path.home() / "data"
        True
    """
    for base in (root, env_data_dir()):
        if base is not None and os.fspath(base) != BUILTIN:
            return Path(os.path.expanduser(os.fspath(base)))
    raise RuntimeError(f"download=True needs root or {ENV_VAR} set to a folder to save the files in")


def wants_builtin(root: PathLike | None) -> bool:
    """True when ``root`` or ``$EMBER_DATA`` is the word ``builtin``.

    Example:
        >>> wants_builtin("builtin")
        True
    """
    root_word = os.fspath(root) if root is not None else None
    return root_word == BUILTIN or env_data_dir() == BUILTIN


def locate(
    dataset: str,
    names: Sequence[str],
    dirs: Sequence[tuple[str, Path]],
    downloader: Downloader | None = None,
    builtin: Path | None = None,
    force_builtin: bool = False,
) -> Located:
    """Return the first of ``dirs``, the download, then ``builtin`` that holds ``names``.

    Args:
        dataset: the class name, for messages.
        names: the file names that must all be present (``.gz`` variants count).
        dirs: ``(kind, folder)`` pairs searched in order; kind is ``root``, ``env`` or
            ``debian``.
        downloader: called when no folder has the files; returns the folder it filled.
            ``None`` when ``download=False``.
        builtin: the packaged subset folder, or ``None`` when the dataset ships none.
        force_builtin: skip ``dirs`` and the download (``root="builtin"``).

    Raises:
        RuntimeError: nowhere holds the files; the message lists every place looked in.

    Example:
        >>> locate("Toy", ["x"], [], builtin=None)
        Traceback (most recent call last):
        ...
        RuntimeError: Toy: dataset files ['x'] not found. Looked in: builtin (no subset of this dataset ships with ember). Pass download=True, or set EMBER_DATA to a folder holding the files.
    """
    looked: list[str] = []
    if not force_builtin:
        for kind, folder in dirs:
            files = find_files(folder, names)
            if files is not None:
                return _chosen(dataset, Located(f"{kind}:{folder}", files))
            looked.append(f"{kind}:{folder}")
        if downloader is not None:
            found = _try_download(dataset, names, downloader, looked)
            if found is not None:
                return _chosen(dataset, found)
    if builtin is not None:
        files = find_files(builtin, names)
        if files is not None:
            located = Located(f"{BUILTIN}:{builtin.name}", files)
            return _chosen(dataset, located, implicit=not force_builtin)
        looked.append(f"{BUILTIN}:{builtin} (package data missing; reinstall ember)")
    else:
        looked.append(f"{BUILTIN} (no subset of this dataset ships with ember)")
    raise RuntimeError(
        f"{dataset}: dataset files {list(names)} not found. Looked in: "
        + "; ".join(looked)
        + f". Pass download=True, or set {ENV_VAR} to a folder holding the files."
    )


def _try_download(
    dataset: str, names: Sequence[str], downloader: Downloader, looked: list[str]
) -> Located | None:
    try:
        folder = downloader()
    except RuntimeError as error:
        looked.append(f"download ({error})")
        logger.warning("%s: download failed, trying the next source: %s", dataset, error)
        return None
    files = find_files(folder, names)
    if files is None:
        looked.append(f"download:{folder} (files missing after download)")
        return None
    return Located(f"download:{folder}", files)


_WARNED: set = set()  # (dataset, source) pairs whose fall-back warning was given: once per process


def _chosen(dataset: str, located: Located, implicit: bool = False) -> Located:
    if implicit and (dataset, located.source) not in _WARNED:  # the train and test splits warn once, not twice
        _WARNED.add((dataset, located.source))
        logger.warning(
            "%s: no full copy found, using the small real subset shipped with ember (%s)",
            dataset,
            located.source,
        )
    else:
        logger.info("%s: using %s", dataset, located.source)
    return located
