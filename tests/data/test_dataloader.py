"""DataLoader against torch's for deterministic configs, and the worker-process machinery."""
import collections
import os
import time

import numpy as np
import pytest

import ember
from ember.utils.data import (BatchSampler, DataLoader, SequentialSampler, TensorDataset, default_collate,
                              default_convert)

from ._datasets import Sharded, Slow, Squares, WorkerSeeds

torch = pytest.importorskip("torch")
tud = torch.utils.data


def to_np(x):
    """Batch structure -> NumPy leaves (ember or torch tensors), lists for tuples/lists."""
    if hasattr(x, "_data"):
        return np.asarray(x._data)
    if isinstance(x, torch.Tensor):
        return x.numpy()
    if isinstance(x, dict):
        return {k: to_np(v) for k, v in x.items()}
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return (type(x).__name__, [to_np(v) for v in x])
    if isinstance(x, (list, tuple)):
        return [to_np(v) for v in x]
    return x


def assert_same(a, b):
    a, b = to_np(a), to_np(b)
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    else:
        assert a == b


Point = collections.namedtuple("Point", "x y")


def nested_samples():
    return [{"a": np.arange(3, dtype=np.float32) + i, "b": (i, float(i), i % 2 == 0), "c": f"s{i}",
             "d": [np.int16(i), np.float64(i)], "p": Point(np.ones(2, np.uint8) * i, i),
             "t": ember.tensor([i, i + 1])} for i in range(4)]


def torch_sample(s):
    out = dict(s)
    out["t"] = torch.tensor(s["t"].tolist())
    return out


def test_default_collate_nested_matches_torch():
    samples = nested_samples()
    assert_same(default_collate(samples), tud.default_collate([torch_sample(s) for s in samples]))


def test_default_convert_matches_torch():
    s = {"a": np.arange(3), "b": (1, np.float32(2.0)), "c": "x"}
    assert_same(default_convert(s), tud.default_convert(s))


def test_collate_errors():
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        default_collate([object(), object()])
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [1]])


@pytest.mark.parametrize("kwargs", [dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None),
                                    dict(batch_size=1), dict(batch_sampler="custom")])
def test_batches_equal_torch(kwargs):
    data = np.arange(20, dtype=np.float32).reshape(10, 2)
    e_ds = TensorDataset(ember.tensor(data), ember.arange(10))
    t_ds = tud.TensorDataset(torch.tensor(data), torch.arange(10))
    e_kw, t_kw = dict(kwargs), dict(kwargs)
    if kwargs.get("batch_sampler") == "custom":
        e_kw["batch_sampler"] = [[3, 1], [0, 9, 8], [2]]
        t_kw["batch_sampler"] = [[3, 1], [0, 9, 8], [2]]
    e = list(DataLoader(e_ds, **e_kw))
    t = list(tud.DataLoader(t_ds, **t_kw))
    assert len(e) == len(t) == len(DataLoader(e_ds, **e_kw))
    for a, b in zip(e, t):
        assert_same(a, b)


def test_workers_match_single_process_and_torch_order():
    ds = Squares(24)
    want = [b["i"].tolist() for b in tud.DataLoader(ds, batch_size=5)]
    assert [b["i"].tolist() for b in DataLoader(ds, batch_size=5)] == want
    got = list(DataLoader(ds, batch_size=5, num_workers=2))
    assert [b["i"].tolist() for b in got] == want
    assert got[0]["x"].shape == (5, 3, 4) and got[0]["x"].dtype == ember.float32


def test_order_kept_despite_random_delays():
    np.random.seed(1)
    got = [b["i"].tolist() for b in DataLoader(Squares(30, delay=0.02), batch_size=2, num_workers=2,
                                                prefetch_factor=3)]
    assert got == [[i, i + 1] for i in range(0, 30, 2)]


def test_large_batches_through_shared_memory():
    loader = DataLoader(Squares(8, big=True), batch_size=4, num_workers=2)
    batches = list(loader)
    assert [b["x"].shape for b in batches] == [(4, 64, 64, 8)] * 2
    assert float(batches[1]["x"][2, 0, 0, 0]) == 6.0
    batches[0]["x"]._data[...] = 1  # shared memory mapped writable
    leftovers = [n for n in os.listdir("/dev/shm") if n.startswith(f"ember_dl_{os.getpid()}_")]
    assert leftovers == []


def test_in_order_false_yields_every_batch():
    got = [b["i"].tolist() for b in DataLoader(Squares(12, delay=0.01), batch_size=2, num_workers=2,
                                                in_order=False)]
    assert sorted(got) == [[i, i + 1] for i in range(0, 12, 2)]


def test_worker_exception_names_worker_and_index():
    loader = DataLoader(Squares(40, fail_at=17), batch_size=4, num_workers=2)
    with pytest.raises(ValueError) as ei:
        list(loader)
    msg = str(ei.value)
    # batch 4 (indices 16..19) goes to worker 0 under round-robin
    assert "Caught ValueError in DataLoader worker process 0 while fetching sample index 17" in msg
    assert "bad sample 17" in msg


def test_killed_worker_raises_quickly():
    loader = DataLoader(Squares(40, kill_at=5), batch_size=2, num_workers=2)
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid \d+, killed by signal SIGKILL\) exited unexpectedly"):
        list(loader)
    assert time.monotonic() - t0 < 5


def test_timeout():
    loader = DataLoader(Slow(), batch_size=2, num_workers=1, timeout=1)
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match="DataLoader timed out after 1 seconds"):
        next(iter(loader))
    assert time.monotonic() - t0 < 6


def _gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_iterator_deletion_stops_workers():
    it = iter(DataLoader(Squares(100, delay=0.01), batch_size=2, num_workers=2))
    next(it)
    pids = it._worker_pids
    assert not any(_gone(p) for p in pids)
    del it
    import gc

    gc.collect()
    assert all(_gone(p) for p in pids)


def test_exhaustion_stops_workers():
    it = iter(DataLoader(Squares(6), batch_size=2, num_workers=2))
    list(it)
    assert all(_gone(p) for p in it._worker_pids)


def test_persistent_workers_survive_epochs():
    loader = DataLoader(Squares(10), batch_size=3, num_workers=2, persistent_workers=True)
    first = [b["i"].tolist() for b in loader]
    pids = loader._iterator._worker_pids
    it = iter(loader)
    next(it)  # stop this epoch early: its leftovers must not leak into the next
    second = [b["i"].tolist() for b in loader]
    assert first == second == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert loader._iterator._worker_pids == pids and not any(_gone(p) for p in pids)
    loader._iterator._shutdown_workers()
    assert all(_gone(p) for p in pids)


def test_iterable_dataset_sharded_by_worker_info():
    got = [b.tolist() for b in DataLoader(Sharded(10), batch_size=2, num_workers=2)]
    # worker 0 yields 0,2,4,..; worker 1 yields 1,3,5,..; batches alternate between workers
    assert got == [[0, 2], [1, 3], [4, 6], [5, 7], [8], [9]]
    single = [b.tolist() for b in DataLoader(Sharded(5), batch_size=2)]
    assert single == [[0, 1], [2, 3], [4]]
    assert sorted(x for b in DataLoader(Sharded(9), batch_size=4, num_workers=2,
                                        persistent_workers=True) for x in b.tolist()) == list(range(9))


def test_worker_seeding_and_info():
    gen = ember.Generator().manual_seed(123)
    rows = [b[0].tolist() for b in DataLoader(WorkerSeeds(), batch_size=1, num_workers=2, generator=gen)]
    ids = [r[0] for r in rows]
    seeds = [r[1] for r in rows]
    assert ids == [0, 1, 0, 1]
    assert seeds[1] == seeds[0] + 1 and seeds[2] == seeds[0]
    assert rows[0][2] != rows[1][2]  # NumPy's global RNG differs per worker
    gen2 = ember.Generator().manual_seed(123)
    again = [b[0].tolist() for b in DataLoader(WorkerSeeds(), batch_size=1, num_workers=2, generator=gen2)]
    assert [r[:3] for r in again] == [r[:3] for r in rows]


def test_spawn_context():
    ds = TensorDataset(ember.arange(10.0))
    got = [b[0].tolist() for b in DataLoader(ds, batch_size=4, num_workers=1, multiprocessing_context="spawn")]
    assert got == [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0]]


def test_pin_memory_is_accepted():
    b = next(iter(DataLoader(Squares(4), batch_size=2, pin_memory=True)))
    assert b["i"].tolist() == [0, 1]


def test_errors_for_conflicting_options_match_torch():
    ds = TensorDataset(ember.arange(4.0))
    tds = tud.TensorDataset(torch.arange(4.0))
    cases = [dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2), dict(persistent_workers=True),
             dict(sampler=SequentialSampler(ds), shuffle=True), dict(batch_sampler=[[0]], batch_size=2),
             dict(batch_size=None, drop_last=True), dict(multiprocessing_context="fork"),
             dict(num_workers=1, multiprocessing_context="nope")]
    for kw in cases:
        with pytest.raises(ValueError) as e_err:
            DataLoader(ds, **kw)
        tkw = dict(kw)
        if "sampler" in tkw:
            tkw["sampler"] = tud.SequentialSampler(tds)
        with pytest.raises(ValueError) as t_err:
            tud.DataLoader(tds, **tkw)
        assert str(e_err.value) == str(t_err.value), kw
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(Sharded(3), shuffle=True)
    loader = DataLoader(ds)
    with pytest.raises(ValueError, match="batch_size attribute should not be set after DataLoader is initialized"):
        loader.batch_size = 3


def test_batch_sampler_object():
    bs = BatchSampler(SequentialSampler(range(7)), 3, drop_last=False)
    ds = TensorDataset(ember.arange(7))
    assert [b[0].tolist() for b in DataLoader(ds, batch_sampler=bs, num_workers=2)] == [[0, 1, 2], [3, 4, 5], [6]]
