"""Sample makers shared by the ``nn.functional`` rows (``op_db_nn_<file>.py``)."""
from __future__ import annotations

import numpy as np
import torch

import ember.nn.functional as F

from .opinfo import T, arr

TF = torch.nn.functional


def fn(name: str):
    """``F.<name>`` and ``torch.nn.functional.<name>``."""
    return getattr(F, name), getattr(TF, name)


def on_clone(name: str):
    """An in-place functional (``relu_``) on a copy, so a leaf that requires grad can take it on both sides."""
    return (lambda x, *a, **k: getattr(F, name)(x.clone(), *a, **k),
            lambda x, *a, **k: getattr(TF, name)(x.clone(), *a, **k))


def x(shape, lo=-3.0, hi=3.0, layout="contiguous", grad=True):
    """A float argument of the sample's dtype."""
    return lambda d, rng: T(arr(rng, shape, d, lo, hi), grad=grad, layout=layout)


def const(values, dtype=None, grad=False):
    """Fixed values (class targets, indices, masks); in the sample's dtype when ``dtype`` is None."""
    return lambda d, rng: T(np.array(values, dtype or d), grad=grad)


def ints(shape, high, low=0):
    return lambda d, rng: T(rng.integers(low, high, shape).astype("int64"), grad=False)


def signs(shape):
    """+1/-1 labels of the sample's dtype (margin losses)."""
    return lambda d, rng: T(np.where(rng.random(shape) > 0.5, 1.0, -1.0).astype(d), grad=False)


def distinct(shape, grad=True, layout="contiguous"):
    """Shuffled distinct values: no ties for max pooling and sorting."""
    def make(d, rng):
        n = int(np.prod(shape))
        return T((rng.permutation(n).reshape(shape) / n * 4 - 2).astype(d), grad=grad, layout=layout)

    return make


def probs(shape, dim=-1, grad=True):
    """Rows that sum to one along ``dim`` (soft targets, kl_div)."""
    def make(d, rng):
        p = rng.uniform(0.1, 1.0, shape)
        return T((p / p.sum(dim, keepdims=True)).astype(d), grad=grad)

    return make
