"""Reading torch checkpoints (zip and the legacy pickle stream) into ember objects.

``weights_only=True`` uses ``SafeUnpickler``: every global must be in torch's weights-only allow-list
(mapped to ember objects in ``_names``) or added with ``add_safe_globals``; anything else raises
``pickle.UnpicklingError`` when its GLOBAL opcode is read, before any call is made. BUILD (setting
state on an object) is allowed only on OrderedDict/Counter and on user-allowed classes.
"""
from __future__ import annotations

import io
import pickle
import struct
import zipfile
from typing import Any, BinaryIO

import numpy as np

from . import _names
from ._names import StorageType

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001


class _Frozen:
    """A read-only callable around an allowed function, so a pickle cannot BUILD state onto it."""

    __slots__ = ("_fn",)

    def __init__(self, fn) -> None:
        object.__setattr__(self, "_fn", fn)

    def __call__(self, *args, **kwargs):
        return self._fn(*args, **kwargs)

    def __setattr__(self, name, value):
        raise pickle.UnpicklingError(f"refusing to set attribute {name!r} on {self._fn!r}")


def _resolve(module: str, name: str, weights_only: bool, fallback) -> Any:
    import _compat_pickle

    if (module, name) in _compat_pickle.NAME_MAPPING:  # Python 2 names, as protocol-2 pickles write them
        module, name = _compat_pickle.NAME_MAPPING[(module, name)]
    elif module in _compat_pickle.IMPORT_MAPPING:
        module = _compat_pickle.IMPORT_MAPPING[module]
    full = f"{module}.{name}"
    user = _names.user_globals()
    if full in user:
        return user[full]
    table = _names.allowed_globals()
    if full in table:
        obj = table[full]
        return _Frozen(obj) if callable(obj) and type(obj).__name__ == "function" else obj
    if weights_only:
        raise pickle.UnpicklingError(
            f"Weights only load failed. Unsupported global: GLOBAL {full} was not an allowed global by "
            f"default. If you trust this file, load it with weights_only=False, or allow the global with "
            f"ember.serialization.add_safe_globals([{name}]).")
    if module == "torch" or module.startswith("torch."):
        raise pickle.UnpicklingError(f"ember.load: the checkpoint uses {full}, which ember has no equivalent for")
    return fallback(module, name)


class SafeUnpickler(pickle._Unpickler):
    """torch's weights_only unpickler: allow-listed globals only, no code from the file runs."""

    dispatch = pickle._Unpickler.dispatch.copy()

    def __init__(self, file: BinaryIO, persistent_load) -> None:
        super().__init__(file, encoding="utf-8")
        self._pload = persistent_load

    def persistent_load(self, pid):
        return self._pload(pid)

    def find_class(self, module: str, name: str):
        return _resolve(module, name, True, None)

    def load_build(self) -> None:
        inst = self.stack[-2]  # the state is on top, the object below it
        allowed = tuple(c for c in _names.user_globals().values() if isinstance(c, type))
        import collections

        if not isinstance(inst, (collections.OrderedDict, collections.Counter) + allowed):
            raise pickle.UnpicklingError(
                f"Weights only load failed: BUILD (setting state) on {type(inst).__name__} is not allowed")
        super().load_build()

    dispatch[pickle.BUILD[0]] = load_build


class TrustedUnpickler(pickle.Unpickler):
    """weights_only=False: any global may load (trusted files only); torch names map to ember."""

    def __init__(self, file: BinaryIO, persistent_load) -> None:
        super().__init__(file, encoding="utf-8")
        self._pload = persistent_load

    def persistent_load(self, pid):
        return self._pload(pid)

    def find_class(self, module: str, name: str):
        return _resolve(module, name, False, super().find_class)


class _Loader:
    """State of one load: storages read so far (by key) and version counters shared per storage."""

    def __init__(self, weights_only: bool) -> None:
        self.weights_only = weights_only
        self.storages: dict[str, np.ndarray] = {}

    def unpickler(self, file: BinaryIO):
        cls = SafeUnpickler if self.weights_only else TrustedUnpickler
        return cls(file, self.persistent_load)

    def storage_dtype(self, stype) -> np.dtype:
        if isinstance(stype, StorageType):
            if stype.np is None:
                raise TypeError(f"ember.load: {stype} needs ml_dtypes, which is not installed")
            return stype.np
        if hasattr(stype, "np"):  # an ember dtype, used by newer torch for typed storages
            return stype.np
        raise pickle.UnpicklingError(f"ember.load: unknown storage type {stype!r}")

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or not pid or pid[0] != "storage":
            raise pickle.UnpicklingError(f"ember.load: unsupported persistent id {pid!r}")
        return self.load_storage(pid)


class ZipLoader(_Loader):
    def __init__(self, zf: zipfile.ZipFile, prefix: str, weights_only: bool) -> None:
        super().__init__(weights_only)
        self.zf, self.prefix = zf, prefix

    def load_storage(self, pid):
        if len(pid) != 5:
            raise pickle.UnpicklingError(f"ember.load: malformed storage id {pid!r}")
        _, stype, key, _location, numel = pid
        key = str(key)
        if key in self.storages:
            return self.storages[key]
        dtype = self.storage_dtype(stype)
        name = f"{self.prefix}data/{key}"
        try:
            info = self.zf.getinfo(name)
        except KeyError:
            raise RuntimeError(f"ember.load: the checkpoint lacks the record {name} (corrupted file?)") from None
        numel = int(numel)
        if numel < 0 or numel * dtype.itemsize > info.file_size:
            raise RuntimeError(f"ember.load: record {name} holds {info.file_size} bytes, fewer than the "
                               f"{numel} x {dtype.itemsize} its storage needs (corrupted checkpoint?)")
        arr = np.empty(numel, dtype)
        with self.zf.open(info) as fh:
            got = fh.readinto(memoryview(arr.view(np.uint8)))
        if got != arr.nbytes:
            raise RuntimeError(f"ember.load: record {name} is truncated")
        self.storages[key] = arr
        return arr


def load_zip(fh: BinaryIO, weights_only: bool) -> Any:
    try:
        zf = zipfile.ZipFile(fh)
        names = zf.namelist()
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as e:
        raise RuntimeError(f"ember.load: failed reading zip archive ({e}); the file is truncated or corrupted") from e
    pkl = [n for n in names if n.endswith("data.pkl") and n.count("/") == 1]
    if not pkl:
        raise RuntimeError("ember.load: the zip archive has no <archive>/data.pkl record; not a torch checkpoint")
    prefix = pkl[0][: -len("data.pkl")]
    byteorder = prefix + "byteorder"
    if byteorder in names and zf.read(byteorder).strip() not in (b"little", b""):
        raise RuntimeError("ember.load: big-endian checkpoints are not supported")
    loader = ZipLoader(zf, prefix, weights_only)
    try:
        data = zf.read(pkl[0])
        return loader.unpickler(io.BytesIO(data)).load()
    except zipfile.BadZipFile as e:
        raise RuntimeError(f"ember.load: corrupted zip record ({e})") from e
    except (EOFError, struct.error, IndexError) as e:
        raise pickle.UnpicklingError(f"ember.load: truncated or corrupted data.pkl ({e!r})") from e


class LegacyLoader(_Loader):
    """torch's pre-1.6 format: magic, protocol, sys_info, the object, storage keys, then raw storages."""

    def load_storage(self, pid):
        if len(pid) != 6:
            raise pickle.UnpicklingError(f"ember.load: malformed legacy storage id {pid!r}")
        _, stype, key, _location, numel, view_metadata = pid
        key = str(key)
        if key not in self.storages:
            self.storages[key] = np.empty(int(numel), self.storage_dtype(stype))
        root = self.storages[key]
        if view_metadata is not None:
            view_key, offset, view_size = view_metadata
            if view_key not in self.storages:
                self.storages[view_key] = root[int(offset):int(offset) + int(view_size)]
            return self.storages[view_key]
        return root


def _read_exact(fh: BinaryIO, out: memoryview) -> None:
    got = fh.readinto(out) if hasattr(fh, "readinto") else None
    if got is None:
        data = fh.read(out.nbytes)
        got = len(data)
        out[:got] = data
    if got != out.nbytes:
        raise RuntimeError("ember.load: the legacy checkpoint is truncated (a storage ends early)")


def load_legacy(fh: BinaryIO, weights_only: bool) -> Any:
    loader = LegacyLoader(weights_only)
    try:
        magic = loader.unpickler(fh).load()
        if magic != LEGACY_MAGIC:
            raise RuntimeError("ember.load: invalid magic number; not a torch checkpoint or corrupted")
        if loader.unpickler(fh).load() != LEGACY_PROTOCOL:
            raise RuntimeError("ember.load: unsupported legacy protocol version")
        sys_info = loader.unpickler(fh).load()
        if isinstance(sys_info, dict) and not sys_info.get("little_endian", True):
            raise RuntimeError("ember.load: big-endian checkpoints are not supported")
        result = loader.unpickler(fh).load()
        keys = loader.unpickler(fh).load()
    except (EOFError, struct.error, IndexError) as e:
        raise pickle.UnpicklingError(f"ember.load: truncated or corrupted legacy checkpoint ({e!r})") from e
    for key in keys:
        arr = loader.storages.get(str(key))
        if arr is None:
            raise RuntimeError(f"ember.load: legacy checkpoint lists unknown storage {key!r}")
        header = fh.read(8)
        if len(header) != 8:
            raise RuntimeError("ember.load: the legacy checkpoint is truncated (missing storage header)")
        if int.from_bytes(header, "little") != arr.size:
            raise RuntimeError(f"ember.load: storage {key} size mismatch (corrupted checkpoint?)")
        _read_exact(fh, memoryview(arr.view(np.uint8)))
    return result

