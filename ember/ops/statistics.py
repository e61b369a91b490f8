"""Statistics of a tensor's values: quantile/nanquantile (sort-based), bincount, histc and histogram.

>>> import ember
>>> ember.quantile(ember.tensor([1., 2., 3., 4.]), 0.5), ember.bincount(ember.tensor([0, 1, 1, 3]))
(tensor(2.5000), tensor([1, 2, 0, 1]))
"""
from __future__ import annotations

import numpy as np

from .._autocast import autocast_policy
from ..tensor import Tensor, wrap
from ._common import method, type_name, wrap_dim, write_out
from .sort import _long
from .reduction import _namedtuple, return_types
from .joining import stack

__all__ = ["quantile", "nanquantile", "bincount", "histc", "histogram"]

return_types.histogram = _namedtuple("histogram", ("hist", "bin_edges"))



# --------------------------------------------------------------------------- statistics
_INTERP = ("linear", "lower", "higher", "midpoint", "nearest")


def _interpolate(srt: Tensor, dim: int, rank: np.ndarray, interpolation: str) -> Tensor:
    """The sorted values at fractional ``rank`` along ``dim``, by the interpolation rule."""
    lo, hi = np.floor(rank).astype(np.int64), np.ceil(rank).astype(np.int64)
    if interpolation == "nearest":
        lo = hi = np.round(rank).astype(np.int64)  # half to even, as torch
    a, b = srt.gather(dim, wrap(lo)), srt.gather(dim, wrap(hi))
    if interpolation in ("lower", "nearest"):
        return a
    if interpolation == "higher":
        return b
    if interpolation == "midpoint":
        return a + (b - a) * 0.5
    return a + (b - a) * wrap((rank - lo).astype(srt._data.dtype))


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan, name, out):
    d = input._data
    if d.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    qa = q._data if isinstance(q, Tensor) else np.asarray(q, dtype=np.float64)
    if qa.ndim > 1:
        raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
    if isinstance(q, Tensor) and q._data.dtype != d.dtype:
        raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
    if ((qa < 0) | (qa > 1)).any():
        bad = float(qa.reshape(-1)[((qa < 0) | (qa > 1)).reshape(-1)][0])
        raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {bad}")
    if interpolation not in _INTERP:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest. "
                           f"Got {interpolation}")
    flat = dim is None
    x = input.reshape(-1) if flat else input
    dim = 0 if flat else wrap_dim(dim, input.ndim)
    if x.ndim == 0:
        x = x.reshape(1)
    n = x.shape[dim]
    if n == 0:
        raise IndexError(f"{name}() input tensor must be non-empty")
    srt = x.sort(dim).values
    nan = np.isnan(x._data)
    valid = n - nan.sum(dim, keepdims=True) if ignore_nan else np.full(nan.sum(dim, keepdims=True).shape, n)
    bad = (valid == 0) if ignore_nan else nan.any(dim, keepdims=True)
    outs = []
    for qi in qa.reshape(-1):
        v = _interpolate(srt, dim, qi * np.maximum(valid - 1, 0), interpolation)
        if bad.any():
            v = v.masked_fill(wrap(bad), float("nan"))
        if flat:
            v = v.reshape((1,) * input.ndim) if keepdim else v.reshape(())
        elif not keepdim:
            v = v.squeeze(dim)
        outs.append(v)
    if qa.ndim == 0:
        res = outs[0]
    else:

        res = stack(outs, 0)
    return write_out(res, out)


@method
@autocast_policy("fp32")
def quantile(input: Tensor, q, dim: int | None = None, keepdim: bool = False, *, interpolation: str = "linear",
             out=None) -> Tensor:
    """The q-th quantiles along ``dim`` (all elements when None): sorted values at rank q (n - 1),
    interpolated ('linear', 'lower', 'higher', 'midpoint', 'nearest'); NaN if a slice holds NaN.

    >>> ember.quantile(ember.tensor([1., 2., 3., 4.]), 0.5)
    tensor(2.5000)
    """
    return _quantile(input, q, dim, keepdim, interpolation, False, "quantile", out)


@method
def nanquantile(input: Tensor, q, dim: int | None = None, keepdim: bool = False, *, interpolation: str = "linear",
                out=None) -> Tensor:
    """``quantile`` ignoring NaN (NaN only for an all-NaN slice)."""
    return _quantile(input, q, dim, keepdim, interpolation, True, "nanquantile", out)


# --------------------------------------------------------------------------- counting and searching
@method
def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value 0..max occurs in the 1-d non-negative int input (summing ``weights``).

    >>> ember.bincount(ember.tensor([0, 2, 2]))
    tensor([1, 0, 2])
    """
    d = input._data
    if d.dtype.kind not in "iub":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{type_name(d.dtype)}'")
    if d.ndim != 1 or (d.size and d.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return _long(np.bincount(d, minlength=minlength))
    w = weights._data
    dt = w.dtype if w.dtype.kind == "f" else np.dtype(np.float64)
    return wrap(np.bincount(d, w.astype(np.float64), minlength=minlength).astype(dt))


@method
def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0, *, out=None) -> Tensor:
    """Counts in ``bins`` equal-width bins over [min, max] (the data's range when min == max);
    values outside are ignored.

    >>> ember.histc(ember.tensor([1., 2., 1.]), bins=4, min=0, max=3)
    tensor([0., 2., 1., 0.])
    """
    d = input._data
    if d.dtype.kind != "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{type_name(d.dtype)}'")
    if bins <= 0:
        raise RuntimeError("torch.histc(): bins must be > 0, but got " + str(bins) + " for dimension 0")
    lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if lo == hi and d.size:
        lo, hi = float(np.nanmin(d)), float(np.nanmax(d))
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    x = d[(d >= lo) & (d <= hi)].astype(np.float64)
    pos = np.minimum(((x - lo) * bins / (hi - lo)).astype(np.int64), bins - 1)
    return write_out(wrap(np.bincount(pos, minlength=bins).astype(d.dtype)), out)


def histogram(input: Tensor, bins=100, *, range=None, weight: Tensor | None = None, density: bool = False):
    """(hist, bin_edges): counts (or weights, or a density) in ``bins`` (a count or the edges)."""
    d = input._data
    if d.dtype.kind != "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{type_name(d.dtype)}'")
    edges = bins._data if isinstance(bins, Tensor) else bins
    w = weight._data if weight is not None else None
    hist, e = np.histogram(d.reshape(-1), edges, range=range, weights=None if w is None else w.reshape(-1),
                           density=density)
    return return_types.histogram(wrap(hist.astype(d.dtype)), wrap(np.asarray(e).astype(d.dtype)))
