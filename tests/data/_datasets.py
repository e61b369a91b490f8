"""Datasets for the DataLoader tests (importable, so spawn-started workers can unpickle them)."""
import os
import signal
import time

import numpy as np

from ember.utils.data import Dataset, IterableDataset, get_worker_info


class Squares(Dataset):
    """Sample i: {"x": a (3, 4) float32 array filled with i, "i": i}; optional random delay per sample."""

    def __init__(self, n=40, delay=0.0, fail_at=None, kill_at=None, big=False):
        self.n, self.delay, self.fail_at, self.kill_at, self.big = n, delay, fail_at, kill_at, big

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if self.delay:
            time.sleep(np.random.rand() * self.delay)
        if i == self.fail_at:
            raise ValueError(f"bad sample {i}")
        if i == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        shape = (64, 64, 8) if self.big else (3, 4)
        return {"x": np.full(shape, i, np.float32), "i": i}


class Slow(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        time.sleep(30)
        return i


class Sharded(IterableDataset):
    """range(n), split between workers by get_worker_info()."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))

    def __len__(self):
        return self.n


class WorkerSeeds(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        info = get_worker_info()
        return np.array([info.id, info.seed, np.random.randint(0, 2**31), os.getpid()], dtype=np.int64)
