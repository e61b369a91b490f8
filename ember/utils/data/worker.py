"""What runs inside a DataLoader worker process, and how its batches travel back.

A worker reads ``(send_idx, indices)`` from its own index queue, fetches and collates the samples,
and puts ``(send_idx, result)`` on the one result queue. Arrays of at least ``SHM_THRESHOLD`` bytes
travel through POSIX shared memory: the worker copies each into a fresh segment and sends its name;
the main process maps it (no copy), unlinks the name at once, and the memory is freed with the array.
Smaller objects are pickled. A dataset exception is sent as an ``ExceptionWrapper`` naming the worker
and the sample index; the main process re-raises it. A worker exits on ``None``, or when its parent dies.
"""
from __future__ import annotations

import itertools
import mmap
import os
import pickle
import queue
import random
import signal
import sys
import traceback
from typing import Any

import numpy as np

from ...random import manual_seed
from ...tensor import Tensor, _init

try:  # POSIX shared memory, as multiprocessing.shared_memory uses it (without its resource tracker)
    import _posixshmem
except ImportError:  # pragma: no cover - Windows: everything is pickled
    _posixshmem = None

MP_STATUS_CHECK_INTERVAL = 5.0  # seconds between a worker's checks that its parent is alive
SHM_THRESHOLD = 64 * 1024  # arrays at least this large go through shared memory
SHM_DIR = "/dev/shm"


class WorkerInfo:
    """``get_worker_info()`` inside a worker: ``id``, ``num_workers``, ``seed``, ``dataset`` (its copy)."""

    __initialized = False

    def __init__(self, **kwargs) -> None:
        for k, v in kwargs.items():
            setattr(self, k, v)
        self.__keys = tuple(kwargs.keys())
        self.__initialized = True

    def __setattr__(self, key, val):
        if self.__initialized:
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")
        return super().__setattr__(key, val)

    def __repr__(self) -> str:
        items = ", ".join(f"{k}={getattr(self, k)}" for k in self.__keys)
        return f"{self.__class__.__name__}({items})"


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """This worker's ``WorkerInfo``, or ``None`` in the main process.

    Use it in an ``IterableDataset.__iter__`` to give each worker its own shard::

        info = get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, n, step))
    """
    return _worker_info


class _IterableDatasetStopIteration:
    """Sent by a worker whose IterableDataset iterator is exhausted."""

    def __init__(self, worker_id: int) -> None:
        self.worker_id = worker_id


class _ResumeIteration:
    """Sent to persistent workers at a new epoch; they reply with it once reset."""


class ExceptionWrapper:
    """An exception caught in a worker, with its formatted traceback, re-raised in the main process."""

    def __init__(self, exc_info=None, where: str = "in background") -> None:
        exc_info = exc_info or sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)
        try:
            exception = self.exc_type(msg)
        except Exception:  # an exception type whose constructor needs other arguments
            raise RuntimeError(msg) from None
        raise exception


class _KeyErrorMessage(str):
    def __repr__(self) -> str:  # KeyError reprs its argument: keep the traceback readable
        return str(self)


# ---------------------------------------------------------------------- fetchers (also used in-process)
class MapFetcher:
    """Samples of a map-style dataset; ``current`` is the key being fetched (for error messages)."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn
        self.current: Any = None

    def fetch(self, index):
        if self.auto_collation:
            getitems = getattr(self.dataset, "__getitems__", None)
            if callable(getitems):
                self.current = index
                data = getitems(index)
            else:
                data = []
                for i in index:
                    self.current = i
                    data.append(self.dataset[i])
        else:
            self.current = index
            data = self.dataset[index]
        self.current = None
        return self.collate_fn(data)


class IterFetcher:
    """The next samples of an IterableDataset; raises StopIteration at its end."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.it = iter(dataset)
        self.auto_collation, self.collate_fn, self.drop_last = auto_collation, collate_fn, drop_last
        self.ended = False
        self.current: Any = None

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.it))
        data = []
        for _ in index:
            try:
                data.append(next(self.it))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(index)):
            raise StopIteration
        return self.collate_fn(data)


def create_fetcher(is_iterable: bool, dataset, auto_collation: bool, collate_fn, drop_last: bool):
    cls = IterFetcher if is_iterable else MapFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)


# ---------------------------------------------------------------------- shared-memory transport
_counter = itertools.count()


def _shm_write(a: np.ndarray, prefix: str) -> str:
    name = f"/{prefix}{os.getpid()}_{next(_counter)}"
    fd = _posixshmem.shm_open(name, os.O_CREAT | os.O_EXCL | os.O_RDWR, mode=0o600)
    try:
        os.ftruncate(fd, a.nbytes)
        m = mmap.mmap(fd, a.nbytes)
    finally:
        os.close(fd)
    dst = np.ndarray(a.shape, a.dtype, buffer=m)
    dst[...] = a
    del dst
    m.close()
    return name


def _shm_attach(name: str, shape, dtype) -> np.ndarray:
    """Map the segment (the array keeps the mapping alive) and unlink its name at once."""
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    fd = _posixshmem.shm_open(name, os.O_RDWR, mode=0o600)
    try:
        m = mmap.mmap(fd, nbytes)
    finally:
        os.close(fd)
        _posixshmem.shm_unlink(name)
    return np.ndarray(shape, dtype, buffer=m)


def _rebuild_shm_array(name: str, shape, dtype) -> np.ndarray:
    return _shm_attach(name, shape, dtype)


def _rebuild_shm_tensor(cls, name: str, shape, dtype, requires_grad: bool) -> Tensor:
    t = object.__new__(cls)
    _init(t, _shm_attach(name, shape, dtype), False)
    if requires_grad:
        t._requires_grad = True
    return t


def _shm_ok(a) -> bool:
    return (_posixshmem is not None and type(a) is np.ndarray and a.nbytes >= SHM_THRESHOLD
            and not a.dtype.hasobject)


class ShmPickler(pickle.Pickler):
    """Pickles a batch, moving large arrays (plain or inside Tensors) into shared memory."""

    def __init__(self, file, prefix: str) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.prefix = prefix

    def reducer_override(self, obj):
        if isinstance(obj, Tensor) and _shm_ok(obj._data):
            a = obj._data
            return (_rebuild_shm_tensor, (type(obj), _shm_write(a, self.prefix), a.shape, a.dtype,
                                          obj.requires_grad))
        if isinstance(obj, np.ndarray) and _shm_ok(obj):
            return (_rebuild_shm_array, (_shm_write(obj, self.prefix), obj.shape, obj.dtype))
        return NotImplemented


def encode(batch: Any, prefix: str) -> bytes:
    import io

    buf = io.BytesIO()
    ShmPickler(buf, prefix).dump(batch)
    return buf.getvalue()


def decode(payload: bytes) -> Any:
    return pickle.loads(payload)


def unlink_segments(prefix: str) -> None:
    """Remove segments a loader's workers left behind (sent but never received, or half written)."""
    if _posixshmem is None or not os.path.isdir(SHM_DIR):
        return
    try:
        names = [n for n in os.listdir(SHM_DIR) if n.startswith(prefix)]
    except OSError:
        return
    for n in names:
        try:
            _posixshmem.shm_unlink("/" + n)
        except OSError:
            pass


# ---------------------------------------------------------------------- the worker loop
def _seed_worker(seed: int, worker_id: int, base_seed: int) -> None:
    """torch's per-worker seeding: ``base_seed + worker_id`` for Python's and ember's RNGs; NumPy's
    global RNG gets a state derived from (worker_id, base_seed)."""
    random.seed(seed)
    manual_seed(seed)
    np.random.seed(np.random.SeedSequence([worker_id, base_seed]).generate_state(4))


def worker_loop(is_iterable: bool, dataset, index_queue, data_queue, done_event, auto_collation: bool,
                collate_fn, drop_last: bool, base_seed: int, init_fn, worker_id: int, num_workers: int,
                shm_prefix: str, parent_pid: int) -> None:
    global _worker_info
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    where = f"in DataLoader worker process {worker_id}"
    try:
        seed = base_seed + worker_id
        _seed_worker(seed, worker_id, base_seed)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        init_exception = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = create_fetcher(is_iterable, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=where)
        iteration_end = False
        while True:
            try:
                r = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                if os.getppid() != parent_pid:  # the main process is gone: nobody to send to
                    break
                continue
            if isinstance(r, _ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                try:
                    fetcher = create_fetcher(is_iterable, dataset, auto_collation, collate_fn, drop_last)
                except Exception:
                    init_exception = ExceptionWrapper(where=where)
                continue
            if r is None:
                break
            if done_event.is_set() or iteration_end:
                continue
            idx, index = r
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                data = _fetch(fetcher, index, is_iterable, worker_id, where, shm_prefix)
                if isinstance(data, _IterableDatasetStopIteration):
                    iteration_end = True
            data_queue.put((idx, data))
            del data, idx, index, r
    except KeyboardInterrupt:
        pass
    data_queue.cancel_join_thread()
    data_queue.close()


def _fetch(fetcher, index, is_iterable: bool, worker_id: int, where: str, shm_prefix: str):
    try:
        return ("ok", encode(fetcher.fetch(index), shm_prefix))
    except StopIteration:
        if is_iterable:
            return _IterableDatasetStopIteration(worker_id)
        return ExceptionWrapper(where=where)
    except Exception:
        if fetcher.current is not None:
            where = f"{where} while fetching sample index {fetcher.current}"
        return ExceptionWrapper(where=where)
