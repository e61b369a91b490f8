"""Writing PyTorch's zip checkpoint: ``<archive>/data.pkl`` plus one raw record per storage.

The pickle is protocol 2 and names torch's globals (``torch._utils _rebuild_tensor_v2``, ``torch
FloatStorage``) without importing torch: a pure-Python pickler writes ``TorchGlobal`` markers as GLOBAL
opcodes. A tensor is saved as (storage, offset, size, stride): views of one array share one record.
"""
from __future__ import annotations

import collections
import io
import os
import pickle
import random
import zipfile
from typing import Any, BinaryIO

import numpy as np

from .. import dtypes as _dt
from ..tensor import Size, Tensor, _ptr, _root, _to_host, wrap
from ._names import TorchGlobal, storage_global

REBUILD_V2 = TorchGlobal("torch._utils", "_rebuild_tensor_v2")
REBUILD_PARAMETER = TorchGlobal("torch._utils", "_rebuild_parameter")
TORCH_SIZE = TorchGlobal("torch", "Size")
TORCH_DEVICE = TorchGlobal("torch", "device")
ALIGNMENT = 64  # torch aligns each record's data to 64 bytes (so torch.load(mmap=True) can map it)


class _StorageRef:
    """One storage of the checkpoint: a flat array (its bytes become ``data/<key>``)."""

    __slots__ = ("key", "array")

    def __init__(self, key: str, array: np.ndarray) -> None:
        self.key, self.array = key, array


def storage_view(a: np.ndarray):
    """(root, element offset, element strides) if ``a`` can be saved as a view of its root array, else None.

    torch storages are flat and strides non-negative, so a negative-stride view, one not aligned to its
    itemsize, or a root that is not C-contiguous is saved as its own contiguous copy instead.
    """
    root = _root(a)
    isz = a.itemsize
    if not isinstance(root, np.ndarray) or not root.flags.c_contiguous or root.nbytes % isz or a.size == 0:
        return None
    byte_off = _ptr(a) - _ptr(root)
    if byte_off % isz or any(s < 0 or s % isz for s in a.strides):
        return None
    return root, byte_off // isz, tuple(s // isz for s in a.strides)


class TorchPickler(pickle._Pickler):
    """Pickles ember objects under torch's names; storages go out through ``persistent_id``."""

    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, file: BinaryIO) -> None:
        super().__init__(file, protocol=2)
        self.storages: dict[tuple, _StorageRef] = {}
        self._keep: list = []  # roots referenced by key: kept alive so id() stays unique

    def persistent_id(self, obj: Any):
        if isinstance(obj, _StorageRef):
            a = obj.array
            return ("storage", storage_global(a.dtype), obj.key, "cpu", a.size)
        return None

    def _storage(self, root: np.ndarray, dtype) -> _StorageRef:
        ident = (id(root), np.dtype(dtype).str)
        ref = self.storages.get(ident)
        if ref is None:
            flat = np.ndarray((root.nbytes // np.dtype(dtype).itemsize,), dtype, buffer=root)
            ref = self.storages[ident] = _StorageRef(str(len(self.storages)), flat)
            self._keep.append(root)
        return ref

    def tensor_args(self, t: Tensor) -> tuple:
        a = _to_host(t._data)
        view = storage_view(a)
        if view is None:
            root = np.ascontiguousarray(a).reshape(-1).copy()
            offset, strides = 0, _contiguous(a.shape)
        else:
            root, offset, strides = view
        return (self._storage(root, a.dtype), offset, tuple(a.shape), strides, t.requires_grad,
                collections.OrderedDict())

    def reducer_override(self, obj: Any):
        if isinstance(obj, Tensor):
            if type(obj).__name__ == "Parameter":
                return (REBUILD_PARAMETER, (wrap(obj._data), obj.requires_grad, collections.OrderedDict()))
            return (REBUILD_V2, self.tensor_args(obj))
        if isinstance(obj, Size):
            return (TORCH_SIZE, (tuple(obj),))
        if type(obj).__name__ == "Device" and type(obj).__module__.startswith("ember"):
            return (TORCH_DEVICE, (str(obj),))
        return NotImplemented

    def save_torch_global(self, obj: TorchGlobal) -> None:
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
        self.memoize(obj)

    def save_dtype(self, obj: _dt.dtype) -> None:
        self.save_torch_global(TorchGlobal("torch", obj.name))

    dispatch[TorchGlobal] = save_torch_global
    dispatch[_dt.dtype] = save_dtype


def _contiguous(shape) -> tuple:
    out, acc = [], 1
    for s in reversed(shape):
        out.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(out))


def _aligned_info(zf: zipfile.ZipFile, name: str, nbytes: int) -> zipfile.ZipInfo:
    """A STORED ZipInfo whose extra field pads the local header so the data starts 64-byte aligned."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    zip64 = nbytes > zipfile.ZIP64_LIMIT
    header = 30 + len(name.encode()) + 4 + (20 if zip64 else 0)
    pad = -(zf.fp.tell() + header) % ALIGNMENT
    info.extra = b"FB" + pad.to_bytes(2, "little") + bytes(pad)
    return info


def _write_record(zf: zipfile.ZipFile, name: str, data) -> None:
    mv = memoryview(data).cast("B") if not isinstance(data, bytes) else memoryview(data)
    info = _aligned_info(zf, name, mv.nbytes)
    with zf.open(info, "w", force_zip64=mv.nbytes > zipfile.ZIP64_LIMIT) as w:
        step = 64 << 20
        for i in range(0, mv.nbytes, step):
            w.write(mv[i:i + step])


def write_zip(obj: Any, f: BinaryIO, archive: str) -> None:
    """Write ``obj`` to the open binary file ``f`` in torch's zip format under folder ``archive``."""
    buf = io.BytesIO()
    pickler = TorchPickler(buf)
    pickler.dump(obj)
    with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        _write_record(zf, f"{archive}/data.pkl", buf.getvalue())
        _write_record(zf, f"{archive}/.format_version", b"1")
        _write_record(zf, f"{archive}/.storage_alignment", b"64")
        _write_record(zf, f"{archive}/byteorder", b"little")
        for ref in pickler.storages.values():
            arr = ref.array if ref.array.dtype.byteorder != ">" else ref.array.astype(ref.array.dtype.newbyteorder("<"))
            _write_record(zf, f"{archive}/data/{ref.key}", arr.view(np.uint8) if arr.size else b"")
        _write_record(zf, f"{archive}/version", b"3\n")
        serial = "".join(random.choice("0123456789") for _ in range(40))
        _write_record(zf, f"{archive}/.data/serialization_id", serial.encode())


def atomic_write(path: str, write) -> None:
    """Call ``write(fileobj)`` on a temp file beside ``path``, fsync it, then rename it over ``path``."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    tmp = os.path.join(folder, f".{base}.{os.getpid()}.{random.getrandbits(32):08x}.tmp")
    try:
        with open(tmp, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    try:  # make the rename itself durable
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass
