"""Random sampling: rand, randn, randint, normal, bernoulli, multinomial, randperm, the ``*_like``
family and the in-place fillers (``uniform_``, ``normal_``, ``bernoulli_``, ``exponential_``, ...).

Every function takes ``generator=``; without it the default generator (``ember.manual_seed``) is used.

>>> import ember
>>> g = ember.Generator().manual_seed(1)
>>> ember.randint(0, 10, (3,), generator=g).dtype
ember.int64
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..random import np_rng
from ..tensor import Tensor, wrap
from ._common import method, shape_arg
from .creation import _dtype_np, _finish
from .inplace import _check_leaf

__all__ = ["rand", "randn", "randint", "randperm", "normal", "bernoulli", "multinomial", "rand_like", "randn_like",
           "randint_like", "poisson"]


def _size(size):
    if len(size) == 1 and size[0] is None:
        return ()
    return shape_arg(size)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False) -> Tensor:
    """Uniform on [0, 1)."""
    d = _dtype_np(dtype)
    return _finish(np_rng(generator).random(_size(size), dtype=np.float64).astype(d), requires_grad, device)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False) -> Tensor:
    """Standard normal."""
    d = _dtype_np(dtype)
    return _finish(np_rng(generator).standard_normal(_size(size)).astype(d), requires_grad, device)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False) -> Tensor:
    """Integers uniform on [low, high); int64 by default."""
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if isinstance(size, int):
        raise TypeError("randint(): argument 'size' must be tuple of ints, but found element of type int")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    d = _dtype_np(dtype, _dt.int64)
    return _finish(np_rng(generator).integers(low, high, size=tuple(size)).astype(d), requires_grad, device)


def randperm(n: int, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:
    """A random permutation of 0..n-1."""
    d = _dtype_np(dtype, _dt.int64)
    return _finish(np_rng(generator).permutation(n).astype(d), requires_grad, device)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, device=None,
           requires_grad=False) -> Tensor:
    """Normal samples; ``mean``/``std`` may be tensors (broadcast) or numbers with a ``size``."""
    rng = np_rng(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        if np.any(np.asarray(s) < 0):
            raise RuntimeError("normal expects all elements of std >= 0.0")
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        dt = (mean if isinstance(mean, Tensor) else std)._data.dtype
        return wrap((m + s * rng.standard_normal(shape)).astype(dt))
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    size = () if size is None else tuple(size)
    return _finish((mean + std * rng.standard_normal(size)).astype(_dtype_np(dtype)), requires_grad, device)


@method
def bernoulli(input, p=None, *, generator=None) -> Tensor:
    """1 with probability ``input`` (or ``p``), else 0; same dtype as input."""
    probs = input._data if p is None else np.full(input._data.shape, p)
    if np.any((probs < 0) | (probs > 1)):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    draw = np_rng(generator).random(input._data.shape) < probs
    return wrap(draw.astype(input._data.dtype))


@method
def multinomial(input, num_samples: int, replacement: bool = False, *, generator=None) -> Tensor:
    """Sample category indices from rows of non-negative weights."""
    w = np.asarray(input._data, dtype=np.float64)
    if w.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    rows = w.reshape(-1, w.shape[-1])
    if np.any(rows < 0) or not np.all(np.isfinite(rows)):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if np.any(rows.sum(1) <= 0):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    rng = np_rng(generator)
    out = np.empty((rows.shape[0], num_samples), dtype=np.int64)
    for i, r in enumerate(rows):
        p = r / r.sum()
        if replacement:
            out[i] = rng.choice(len(p), size=num_samples, replace=True, p=p)
        else:  # Gumbel top-k: exact sampling without replacement
            nz = p > 0
            if num_samples > nz.sum():
                raise RuntimeError("invalid multinomial distribution (with replacement=False, not enough "
                                   "non-negative category to sample)")
            keys = np.where(nz, np.log(np.where(nz, p, 1)) - np.log(-np.log(rng.random(len(p)))), -np.inf)
            out[i] = np.argsort(-keys, kind="stable")[:num_samples]
    return wrap(out if w.ndim == 2 else out[0])


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return rand(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    return randn(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None):
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), dtype=dtype or input.dtype, requires_grad=requires_grad)


def poisson(input, generator=None):
    return wrap(np_rng(generator).poisson(input._data).astype(input._data.dtype))


# ---------------------------------------------------------------- in-place fillers
def _fill(self: Tensor, values: np.ndarray) -> Tensor:

    _check_leaf(self)
    self._data[...] = values
    self._bump()
    return self


@method
def uniform_(self, from_: float = 0.0, to: float = 1.0, *, generator=None) -> Tensor:
    return _fill(self, np_rng(generator).uniform(from_, to, self._data.shape))


@method
def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    return _fill(self, mean + std * np_rng(generator).standard_normal(self._data.shape))


@method
def bernoulli_(self, p=0.5, *, generator=None) -> Tensor:
    probs = p._data if isinstance(p, Tensor) else p
    return _fill(self, np_rng(generator).random(self._data.shape) < probs)


@method
def exponential_(self, lambd: float = 1.0, *, generator=None) -> Tensor:
    return _fill(self, np_rng(generator).exponential(1.0 / lambd, self._data.shape))


@method
def geometric_(self, p: float, *, generator=None) -> Tensor:
    return _fill(self, np_rng(generator).geometric(p, self._data.shape))


@method
def log_normal_(self, mean: float = 1.0, std: float = 2.0, *, generator=None) -> Tensor:
    return _fill(self, np_rng(generator).lognormal(mean, std, self._data.shape))


@method
def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *, generator=None) -> Tensor:
    return _fill(self, median + sigma * np_rng(generator).standard_cauchy(self._data.shape))


@method
def random_(self, from_: int = 0, to: int | None = None, *, generator=None) -> Tensor:
    if to is None:
        if self.is_floating_point():
            to = 2 ** np.finfo(self._data.dtype).nmant + 1
        elif self._data.dtype == np.bool_:
            to = 2
        else:
            to = int(np.iinfo(self._data.dtype).max) + 1
        if from_ and to is not None and from_ >= to:
            from_, to = 0, from_
    return _fill(self, np_rng(generator).integers(from_, to, self._data.shape))
