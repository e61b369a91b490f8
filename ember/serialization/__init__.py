"""``ember.save`` / ``ember.load``: PyTorch's checkpoint format, both ways, and safe loading.

``save`` writes torch's zip format (``<archive>/data.pkl`` + ``<archive>/data/<key>`` raw little-endian
storages + ``byteorder``/``version`` records), so ``torch.load(f, weights_only=True)`` reads it.
Views that share memory are stored once and come back sharing. ``load`` reads what ``torch.save``
writes, zip or legacy (``_use_new_zipfile_serialization=False``).

Loading is safe by default (``weights_only=True``): only torch's allow-list of globals (tensors,
storages, dtypes, ``OrderedDict``, ``torch.Size``, sets, complex...) may appear in the pickle; anything
else raises ``pickle.UnpicklingError`` naming the global before any of it runs. Extend the list with
``add_safe_globals``. ``weights_only=False`` unpickles anything: use it for trusted files only.

Saving to a path is atomic: a temp file in the same folder is written, flushed, fsync'ed and renamed
over the target, so a crash mid-save leaves the old file intact (and at worst a stray
``.<name>.<pid>.<rand>.tmp`` beside it). A file object is written directly.

>>> import ember, io
>>> buf = io.BytesIO()
>>> ember.save({"w": ember.ones(2)}, buf)
>>> _ = buf.seek(0)
>>> ember.load(buf)["w"]
tensor([1., 1.])
"""
from __future__ import annotations

import contextlib
import io
import os
from typing import Any, BinaryIO, Union

from ..tensor import _rebuild_pickled  # noqa: F401 - plain pickles made before it moved to tensor.py name it here
from . import _names
from ._reader import load_legacy, load_zip
from ._writer import atomic_write, write_zip

FileLike = Union[str, os.PathLike, BinaryIO]
DEFAULT_PROTOCOL = 2

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals", "safe_globals"]


def save(obj: Any, f: FileLike, pickle_module: Any = None, pickle_protocol: int = DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization: bool = True, _disable_byteorder_record: bool = False) -> None:
    """Save ``obj`` (tensors, state dicts, nested containers) in torch's zip checkpoint format.

    ``f`` is a path (written atomically) or a writable binary file object (written directly).
    """
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("ember.save writes only the zip format; the legacy format can be loaded")
    if isinstance(f, (str, os.PathLike)):
        archive = os.path.splitext(os.path.basename(os.fspath(f)))[0] or "archive"
        atomic_write(f, lambda fh: write_zip(obj, fh, archive))
    else:
        write_zip(obj, f, "archive")


def load(f: FileLike, map_location: Any = None, pickle_module: Any = None, *, weights_only: bool = True,
         mmap: bool | None = None, **pickle_load_args) -> Any:
    """Load a checkpoint written by ``torch.save`` or ``ember.save``; tensors come back as ember Tensors.

    ``map_location`` is accepted for compatibility; ember loads every tensor onto the CPU.
    ``weights_only=False`` allows arbitrary globals and so can run code from the file: trusted files only.
    """
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            return _load_from(fh, weights_only)
    return _load_from(f, weights_only)


def _load_from(fh: BinaryIO, weights_only: bool) -> Any:
    if not fh.seekable():
        fh = io.BytesIO(fh.read())
    start = fh.tell()
    magic = fh.read(4)
    fh.seek(start)
    if not magic:
        raise RuntimeError("ember.load: the file is empty")
    if magic[:2] == b"PK":
        return load_zip(fh, weights_only)
    if magic[:1] == b"\x80":
        return load_legacy(fh, weights_only)
    raise RuntimeError("ember.load: not a torch checkpoint (neither a zip archive nor a pickle stream)")


# ---------------------------------------------------------------------- the allow-list
def add_safe_globals(safe_globals: list) -> None:
    """Allow these globals (objects, or ``(object, "module.name")`` pairs) in ``weights_only`` loads."""
    _names.register(list(safe_globals))


def get_safe_globals() -> list:
    return list(_names.user_globals().values())


def clear_safe_globals() -> None:
    _names.user_globals().clear()


@contextlib.contextmanager
def safe_globals(globals_: list):
    """Allow these globals inside a ``with`` block only."""
    before = dict(_names.user_globals())
    add_safe_globals(globals_)
    try:
        yield
    finally:
        _names.user_globals().clear()
        _names.user_globals().update(before)
