"""Samplers (statistics, torch's arithmetic), datasets and random_split."""
import numpy as np
import pytest

import ember
from ember.utils.data import (ChainDataset, ConcatDataset, DistributedSampler, RandomSampler, Subset,
                              SubsetRandomSampler, TensorDataset, WeightedRandomSampler, random_split)

from ._datasets import Sharded

torch = pytest.importorskip("torch")
tud = torch.utils.data


def test_random_sampler_is_a_permutation_and_uniform():
    perm = list(RandomSampler(range(50)))
    assert sorted(perm) == list(range(50)) and perm != list(range(50))
    draws = list(RandomSampler(range(10), replacement=True, num_samples=20000))
    counts = np.bincount(draws, minlength=10)
    assert len(draws) == 20000 and np.all(np.abs(counts / 20000 - 0.1) < 0.015)
    more = list(RandomSampler(range(5), num_samples=12))
    assert len(more) == 12 and sorted(more[:5]) == list(range(5))


def test_random_sampler_generator_reproducible():
    a = list(RandomSampler(range(20), generator=ember.Generator().manual_seed(7)))
    b = list(RandomSampler(range(20), generator=ember.Generator().manual_seed(7)))
    assert a == b
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        RandomSampler(range(3), num_samples=0)


def test_weighted_sampler_statistics():
    w = [0.1, 0.2, 0.7, 0.0]
    draws = list(WeightedRandomSampler(w, 20000, generator=ember.Generator().manual_seed(0)))
    freq = np.bincount(draws, minlength=4) / 20000
    np.testing.assert_allclose(freq, w, atol=0.015)
    no_rep = list(WeightedRandomSampler([1, 1, 1, 1], 4, replacement=False))
    assert sorted(no_rep) == [0, 1, 2, 3]


def test_subset_random_sampler():
    got = list(SubsetRandomSampler([5, 7, 9]))
    assert sorted(got) == [5, 7, 9]


@pytest.mark.parametrize("n,replicas,shuffle,drop_last", [(10, 3, False, False), (10, 3, False, True),
                                                           (10, 4, True, False), (3, 4, False, False)])
def test_distributed_sampler_partitions_like_torch(n, replicas, shuffle, drop_last):
    ours = [list(DistributedSampler(range(n), replicas, r, shuffle=shuffle, drop_last=drop_last))
            for r in range(replicas)]
    theirs = [list(tud.DistributedSampler(range(n), replicas, r, shuffle=shuffle, drop_last=drop_last))
              for r in range(replicas)]
    assert [len(o) for o in ours] == [len(t) for t in theirs]
    if not shuffle:
        assert ours == theirs
    else:
        assert set(sum(ours, [])) == set(range(n))  # every sample once, plus torch's padding
        s = DistributedSampler(range(n), replicas, 0, seed=3)
        e0 = list(s)
        s.set_epoch(1)
        assert list(s) != e0


def test_random_split_lengths_fractions_and_reproducibility():
    ds = list(range(11))
    parts = random_split(ds, [0.33, 0.33, 0.34], generator=ember.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [len(p) for p in tud.random_split(ds, [0.33, 0.33, 0.34])]
    again = random_split(ds, [0.33, 0.33, 0.34], generator=ember.Generator().manual_seed(0))
    assert [list(p) for p in parts] == [list(p) for p in again]
    assert sorted(sum((list(p) for p in parts), [])) == ds
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(ds, [3, 3])


def test_datasets():
    a = TensorDataset(ember.arange(3), ember.arange(3) * 10)
    b = TensorDataset(ember.arange(2) + 100, ember.arange(2))
    c = ConcatDataset([a, b])
    assert len(c) == 5 and c[3][0].item() == 100 and c[-1][0].item() == 101
    assert len(a + b) == 5
    s = Subset(c, [4, 0])
    assert [s[i][0].item() for i in range(2)] == [101, 0]
    assert list(ChainDataset([Sharded(2), Sharded(3)])) == [0, 1, 0, 1, 2]
    with pytest.raises(ValueError, match="Size mismatch between tensors"):
        TensorDataset(ember.arange(3), ember.arange(2))
