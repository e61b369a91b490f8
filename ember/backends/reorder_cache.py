"""Reordered copies of the arrays a oneDNN primitive reads again and again: an inference model's weights.

oneDNN's fast convolutions read their weights in a blocked layout, and reordering a weight from ember's
(Cout, Cin, kh, kw) array costs a full pass over it on every call (at batch 1 the weight reorders of a
ResNet-18 took about as long as its convolutions). This cache keeps the reordered copy per primitive and
array address, and reuses it while the array's bytes are unchanged.

Why a byte comparison and not the tensor's version counter: the counter is bumped by ember's in-place ops,
but memory can be written without them (``Tensor.numpy()`` views, the NumPy array a tensor was made from
with ``from_numpy``, ``np.asarray(t)``, ctypes through ``data_ptr()``), so a cache keyed on the version could
serve stale weights. Each use therefore compares the array with a snapshot of its bytes (``memcmp``: it
reads the weight and the snapshot, about half a reorder's cost, and stops at the first difference); a
difference refreshes the snapshot and the reordered copy. The price is memory: a snapshot and a blocked
copy per cached weight, bounded by ``MAX_BYTES`` (least recently used entries go first).

An array is cached from its second use at the same address (an array made fresh for each call is never
copied), and only for primitives built for inference (see ``ConvPlan``): in training the weights change at
every step, so a cache would only add its comparison and copies.
"""
from __future__ import annotations

import ctypes
import itertools
import threading
from collections import OrderedDict

import numpy as np

from .onednn import aligned

MAX_BYTES = 512 << 20  # snapshots plus reordered copies kept (ResNet-18: 2 x 45 MB)

_libc = ctypes.CDLL(None)
_memcmp = _libc.memcmp
_memcmp.argtypes, _memcmp.restype = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t], ctypes.c_int

_serial = itertools.count()  # a unique id per cached primitive (``id()`` of a freed object can recur)


def new_owner() -> int:
    """An id for one primitive whose inputs may be cached (never reused in the process)."""
    return next(_serial)


class _Entry:
    __slots__ = ("snapshot", "blocked")

    def __init__(self, snapshot: np.ndarray, blocked: np.ndarray):
        self.snapshot, self.blocked = snapshot, blocked


class ReorderCache:
    """Reordered copies keyed by (owner, argument, address, size), each checked against a byte snapshot."""

    def __init__(self, max_bytes: int = MAX_BYTES):
        self.max_bytes = max_bytes
        self.entries: OrderedDict = OrderedDict()
        self.seen: OrderedDict = OrderedDict()  # keys used once (admitted on their second use)
        self.nbytes = 0
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, owner: int, arg: int, a: np.ndarray, size: int, reorder) -> np.ndarray | None:
        """The reordered copy of C-contiguous ``a`` (``reorder.run(a, out)`` makes one of ``size`` bytes), or
        None when ``a`` is not cached (yet): the caller then reorders into its own temporary. The caller
        holds the lock of the primitive ``owner``, so one owner's entries are never used concurrently."""
        key = (owner, arg, a.ctypes.data, a.nbytes)
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            elif key not in self.seen:
                self.seen[key] = None
                if len(self.seen) > 4096:
                    self.seen.popitem(last=False)
                return None
        if entry is not None:
            if _memcmp(a.ctypes.data, entry.snapshot.ctypes.data, a.nbytes) == 0:
                self.hits += 1
                return entry.blocked
            self.misses += 1
            np.copyto(entry.snapshot, a.reshape(entry.snapshot.shape))
            reorder.run(a, entry.blocked)
            return entry.blocked
        return self._admit(key, a, size, reorder)

    def _admit(self, key: tuple, a: np.ndarray, size: int, reorder) -> np.ndarray | None:
        cost = a.nbytes + size
        if cost > self.max_bytes:
            return None
        entry = _Entry(a.copy(), aligned(size))
        reorder.run(a, entry.blocked)
        with self.lock:
            self.seen.pop(key, None)
            self.entries[key] = entry
            self.nbytes += cost
            while self.nbytes > self.max_bytes:
                _, old = self.entries.popitem(last=False)
                self.nbytes -= old.snapshot.nbytes + old.blocked.nbytes
        self.misses += 1
        return entry.blocked

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.seen.clear()
            self.nbytes = 0


WEIGHTS = ReorderCache()
