"""Reductions: sum, mean, prod, max/min (with indices), amax/amin, argmax/argmin, var/std, logsumexp,
all/any. The backward of a reduction broadcasts the gradient back over the reduced dimensions.

>>> import ember
>>> x = ember.tensor([[1., 5.], [7., 3.]])
>>> x.max(dim=1)
ember.return_types.max(
values=tensor([5., 7.]),
indices=tensor([1, 0]))
>>> x.var(), x.std(dim=0, correction=0)
(tensor(6.6667), tensor([3., 1.]))
"""
from __future__ import annotations

import collections
import numpy as np

from .._autocast import autocast_policy
from .. import dtypes as _dt
from ..autograd.engine import sum_to
from ..tensor import Tensor, wrap
from ._common import method, norm_dims, Op, wrap_dim
from .arith import maximum, minimum
from .joining import cat

__all__ = ["sum", "mean", "nansum", "nanmean", "prod", "max", "min", "amax", "amin", "aminmax", "argmax", "argmin",
           "var", "std", "var_mean", "std_mean", "logsumexp", "all", "any", "count_nonzero"]


def _namedtuple(name: str, fields=("values", "indices")):
    cls = collections.namedtuple(name, fields)
    cls.__repr__ = lambda self: (f"ember.return_types.{name}(\n" +
                                 ",\n".join(f"{f}={getattr(self, f)!r}" for f in fields) + ")")
    return cls


class return_types:  # noqa: N801 - torch's name
    max = _namedtuple("max")
    min = _namedtuple("min")
    sort = _namedtuple("sort")
    topk = _namedtuple("topk")
    kthvalue = _namedtuple("kthvalue")
    median = _namedtuple("median")
    mode = _namedtuple("mode")
    cummax = _namedtuple("cummax")
    cummin = _namedtuple("cummin")
    aminmax = _namedtuple("aminmax", ("min", "max"))
    var_mean = tuple
    slogdet = _namedtuple("slogdet", ("sign", "logabsdet"))
    qr = _namedtuple("qr", ("Q", "R"))
    svd = _namedtuple("svd", ("U", "S", "Vh"))
    eigh = _namedtuple("eigh", ("eigenvalues", "eigenvectors"))
    lstsq = _namedtuple("lstsq", ("solution", "residuals", "rank", "singular_values"))


def _expand_back(g: Tensor, in_shape: tuple, dims: tuple, keepdim: bool) -> Tensor:
    """Undo a reduction's shape change: the reduced dims put back as 1, then broadcast to ``in_shape``."""
    return ExpandBack.apply(g, in_shape, dims, keepdim)


class ExpandBack(Op):
    """The backward op of a reduction over ``dims`` (torch's ``sum_backward``): g with the reduced dims
    reinserted as 1 and broadcast to the input's shape, a raw broadcast view. Its backward sums them again."""

    node_name = "ExpandBackward0"

    @staticmethod
    def forward(ctx, g, in_shape, dims, keepdim):
        gd = g._data
        ctx.dims, ctx.keepdim = dims, keepdim
        if not keepdim and dims:
            shape = list(in_shape)
            for d in dims:
                shape[d] = 1
            gd = gd.reshape(shape)
        return np.broadcast_to(gd, in_shape)

    @staticmethod
    def backward(ctx, gg):
        return gg.sum(ctx.dims, keepdim=ctx.keepdim) if ctx.dims else gg


def _sum_dtype(x, dtype):
    if dtype is not None:
        return _dt.to_dtype(dtype).np
    if x.dtype.kind in "biu":
        return np.dtype(np.int64)
    return None


class Sum(Op):
    """sum over dims; d/dx = g broadcast back."""

    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype=None):
        d = x._data
        ctx.shape, ctx.dims, ctx.keepdim = d.shape, dims, keepdim
        return np.asarray(d.sum(axis=dims, keepdims=keepdim, dtype=_sum_dtype(d, dtype)))

    @staticmethod
    def backward(ctx, g):
        return _expand_back(g, ctx.shape, ctx.dims, ctx.keepdim)


class Mean(Op):
    """mean over dims = sum / n (n = number of reduced elements); d/dx = g / n broadcast back."""

    @staticmethod
    def forward(ctx, x, dims, keepdim, n):
        d = x._data
        ctx.shape, ctx.dims, ctx.keepdim, ctx.n = d.shape, dims, keepdim, n
        s = np.asarray(d.sum(axis=dims, keepdims=keepdim))
        return s / n if n else s * np.nan

    @staticmethod
    def backward(ctx, g):
        return _expand_back(g / ctx.n if ctx.n else g * float("nan"), ctx.shape, ctx.dims, ctx.keepdim)


class LogSumExp(Op):
    """y = m + log sum exp(x - m) over dims (m = the max, 0 where it is not finite); d/dx = g exp(x - y),
    the softmax (the backward op ``LogsumexpBackward``)."""

    node_name = "LogsumexpBackward0"
    save_output = True

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        d = x._data
        m = d.max(axis=dims, keepdims=True, initial=-np.inf)  # over zero elements: -inf, as torch
        m[~np.isfinite(m)] = 0
        y = np.log(np.exp(d - m).sum(axis=dims, keepdims=True)) + m
        if ctx.next is not None:
            ctx.save_for_backward(x)
            ctx.kept_shape, ctx.keepdim = y.shape, keepdim
        return y if keepdim else y.squeeze(dims)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        y = ctx.output  # under create_graph it leads back through this node: d/dx of the softmax sees y(x)
        if not ctx.keepdim:
            g, y = g.reshape(ctx.kept_shape), y.reshape(ctx.kept_shape)
        return LogsumexpBackward.apply(g, x, y)


class LogsumexpBackward(Op):
    """The backward op of logsumexp (torch's ``logsumexp_backward``): dx = g exp(x - y), g and y with the
    reduced dims kept as 1. Its gradients, with p = exp(x - y): d/dg = sum(gg p), d/dx = gg g p,
    d/dy = -sum(gg g p) over the reduced dims."""

    node_name = "MulBackward0"  # torch writes it as grad * (self - result).exp()

    @staticmethod
    def forward(ctx, g, x, y):
        ctx.save_for_backward(g, x, y)
        return g._data * np.exp(x._data - y._data)

    @staticmethod
    def backward(ctx, gg):
        g, x, y = ctx.saved_tensors
        need = ctx.needs_input_grad
        p = (x - y).exp()
        dx = gg * g * p if need[1] or need[2] else None
        return ((gg * p).sum_to_size(g.shape) if need[0] else None,
                dx if need[1] else None,
                (-dx).sum_to_size(y.shape) if need[2] else None)


class SumToSize(Op):
    """Sum a broadcast gradient down to ``shape`` (the engine's unbroadcast)."""

    @staticmethod
    def forward(ctx, x, shape):
        d = x._data
        ctx.shape = d.shape
        lead = d.ndim - len(shape)
        if lead < 0:
            raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size {{{list(d.shape)}}}.")
        for i, s in enumerate(shape):
            if s != 1 and s != d.shape[lead + i]:
                raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size {{{list(d.shape)}}}.")
        return np.asarray(sum_to(d, shape))

    @staticmethod
    def backward(ctx, g):
        return g.expand(ctx.shape)


class Prod(Op):
    """prod over one dim (or all); d/dx_i = prod / x_i, computed without dividing by zero."""

    @staticmethod
    def forward(ctx, x, dim, keepdim, dtype=None):
        d = x._data
        ctx.save_for_backward(x)
        if dim is not None:
            ctx.rename("ProdBackward1")  # torch's prod over a dim
        ctx.dim, ctx.keepdim = dim, keepdim
        return np.asarray(d.prod(axis=dim, keepdims=keepdim, dtype=_sum_dtype(d, dtype)))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        dim = ctx.dim
        if dim is not None and not ctx.keepdim:
            g = g.unsqueeze(dim)
        if dim is None:
            g = g.reshape((1,) * x.ndim) if x.ndim else g
        if not x.ndim:
            return g
        if not (x._data == 0).any():  # torch's prod_backward: without zeros, g * result / x (NaN reaches all)
            return g * ((x.prod(dim, keepdim=True) if dim is not None else x.prod()) / x)
        return g * _prod_others(x, dim)


def _prod_others(x: Tensor, dim) -> Tensor:
    """The product of all the other elements along ``dim`` (all when None), without dividing by zero: the
    exclusive cumprods from both ends (as torch's prod_safe_zeros_backward), in ember ops, so it is
    differentiable again."""
    flat = x.movedim(dim, -1) if dim is not None else x.reshape(1, -1)
    one = flat[..., :1].new_ones(flat[..., :1].shape)
    left = cat([one, flat[..., :-1]], -1).cumprod(-1)  # the method: ops/scan.py imports this module
    right = cat([one, flat.flip(-1)[..., :-1]], -1).cumprod(-1).flip(-1)
    ex = left * right
    return ex.movedim(-1, dim) if dim is not None else ex.reshape(x.shape)


class MaxMinDim(Op):
    """max/min along a dim with indices; the gradient goes to the chosen index."""

    @staticmethod
    def forward(ctx, x, dim, keepdim, is_max):
        d = x._data
        if d.size == 0 and d.shape[dim] == 0:
            raise IndexError(f"{'max' if is_max else 'min'}(): Expected reduction dim {dim} to have non-zero size.")
        ctx.rename("MaxBackward0" if is_max else "MinBackward0")
        idx = (np.argmax if is_max else np.argmin)(d, axis=dim)
        if d.dtype.kind == "f":  # NaN propagates and is chosen, as torch
            nan = np.isnan(d)
            if nan.any():
                has = nan.any(axis=dim)
                idx = np.where(has, np.argmax(nan, axis=dim), idx)
        idx_k = np.expand_dims(idx, dim)
        vals = np.take_along_axis(d, idx_k, axis=dim)
        ctx.shape, ctx.dim, ctx.keepdim, ctx.idx = d.shape, dim, keepdim, idx_k
        ctx.mark_non_differentiable(idx_k if keepdim else idx)
        if keepdim:
            return vals, idx_k.astype(np.int64)
        return vals.squeeze(dim), idx.astype(np.int64)

    @staticmethod
    def backward(ctx, g, g_idx=None):
        if not ctx.keepdim:
            g = g.unsqueeze(ctx.dim)
        z = wrap(np.zeros(ctx.shape, dtype=g._data.dtype))
        return z.scatter(ctx.dim, wrap(ctx.idx), g)


class MaxMinAll(Op):
    """max/min of all elements; ties share the gradient evenly (torch's rule)."""

    @staticmethod
    def forward(ctx, x, is_max, amax=False):
        d = x._data
        if d.size == 0:
            name = ("amax" if is_max else "amin") if amax else ("max" if is_max else "min")
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        ctx.rename(("Amax" if is_max else "Amin") + "Backward0" if amax else ("Max" if is_max else "Min") + "Backward1")
        ctx.save_for_backward(x)
        out = np.asarray(d.max() if is_max else d.min())
        ctx.out, ctx.amax = out, amax
        return out

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if ctx.amax:  # torch's amax/amin backward scales by the count: a product (a NaN max gives NaN everywhere)
            mask = (x == wrap(ctx.out)).to(g.dtype)
            return mask * (g / mask.sum())
        # max()/min(): torch's evenly_distribute_backward, a masked_fill (NaN max: the NaN elements share it)
        xd = x._data
        m = np.isnan(xd) if xd.dtype.kind == "f" and np.isnan(ctx.out) else xd == ctx.out
        return g.new_zeros(x.shape).masked_fill(wrap(m), g / int(m.sum()))


class AmaxAmin(Op):
    """amax/amin over dims; ties share the gradient evenly."""

    @staticmethod
    def forward(ctx, x, dims, keepdim, is_max):
        d = x._data
        ctx.rename("AmaxBackward0" if is_max else "AminBackward0")
        out = np.asarray((d.max if is_max else d.min)(axis=dims, keepdims=True))
        ctx.save_for_backward(x)
        ctx.dims, ctx.keepdim, ctx.out = dims, keepdim, out
        return out if keepdim else out.squeeze(dims) if dims else out.reshape(())

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        mask = (x == wrap(ctx.out)).to(g.dtype)
        g = _expand_back(g, x.shape, ctx.dims, ctx.keepdim)
        return g * mask / mask.sum(ctx.dims, keepdim=True)


def _reduce_args(input, dim, keepdim):
    return norm_dims(dim, input._data.ndim), keepdim


@method
def sum(input, dim=None, keepdim: bool = False, *, dtype=None):
    """Sum over ``dim`` (all when None); bools and ints sum to int64."""
    dims = norm_dims(dim, input._data.ndim) if dim is not None and dim != () else tuple(range(input._data.ndim))
    out = Sum.apply(input, dims, keepdim, dtype) if dtype is not None else Sum.apply(input, dims, keepdim)
    if dim is not None and out._grad_fn is not None:
        out._grad_fn.rename("SumBackward1")  # torch's node for a sum over dims
    return out


@method
def sum_to_size(input, *size):
    shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else tuple(size)
    if tuple(input._data.shape) == shape:
        return input
    return SumToSize.apply(input, shape)


@method
def mean(input, dim=None, keepdim: bool = False, *, dtype=None):
    """Arithmetic mean over ``dim``; input must be floating (or pass ``dtype``)."""
    if dtype is None and input._data.dtype.kind not in "fcV":
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating "
                           f"point or complex dtype. Got: {_dt.scalar_type_name(input.dtype)}")
    if dtype is not None:
        input = input.to(dtype)
    dims = norm_dims(dim, input._data.ndim) if dim is not None and dim != () else tuple(range(input._data.ndim))
    n = 1
    for d in dims:
        n *= input._data.shape[d]
    out = Mean.apply(input, dims, keepdim, n)
    if dim is not None and out._grad_fn is not None:
        out._grad_fn.rename("MeanBackward1")  # torch's node for a mean over dims
    return out


@method
def nansum(input, dim=None, keepdim: bool = False, *, dtype=None):
    return sum(input.nan_to_num(0.0, float("inf"), float("-inf")) if input.is_floating_point() else input,
               dim, keepdim, dtype=dtype)


@method
def nanmean(input, dim=None, keepdim: bool = False, *, dtype=None):
    notnan = (~input.isnan()).sum(dim, keepdim)
    return nansum(input, dim, keepdim) / notnan


@method
@autocast_policy("fp32")
def prod(input, dim=None, keepdim: bool = False, *, dtype=None):
    """Product over one dim (or all)."""
    if dim is not None:
        dim = wrap_dim(dim, input._data.ndim)
        if input._data.ndim == 0:  # a 0-d tensor's only dim holds its one element
            dim = None
    return Prod.apply(input, dim, keepdim, dtype)


def _max_min(input, dim, keepdim, other, is_max):
    if isinstance(dim, Tensor) and other is None:
        other, dim = dim, None
    if other is not None:

        return maximum(input, other) if is_max else minimum(input, other)
    if dim is None:
        return MaxMinAll.apply(input, is_max)
    dim = wrap_dim(dim, input._data.ndim)
    if input._data.ndim == 0:
        return (return_types.max if is_max else return_types.min)(input.clone(), wrap(np.asarray(0)))
    v, i = MaxMinDim.apply(input, dim, keepdim, is_max)
    return (return_types.max if is_max else return_types.min)(v, i)


@method
def max(input, dim=None, keepdim: bool = False, *, other=None):
    """Largest element, or (values, indices) along ``dim``, or elementwise with another tensor."""
    return _max_min(input, dim, keepdim, other, True)


@method
def min(input, dim=None, keepdim: bool = False, *, other=None):
    """Smallest element, or (values, indices) along ``dim``."""
    return _max_min(input, dim, keepdim, other, False)


@method
def amax(input, dim=(), keepdim: bool = False):
    dims = norm_dims(dim if dim != () else None, input._data.ndim)
    if input._data.size == 0 and _empty_reduction(input, dim, dims, "amax"):
        return MaxMinAll.apply(input, True, True)
    return AmaxAmin.apply(input, dims, keepdim, True)


@method
def amin(input, dim=(), keepdim: bool = False):
    dims = norm_dims(dim if dim != () else None, input._data.ndim)
    if input._data.size == 0 and _empty_reduction(input, dim, dims, "amin"):
        return MaxMinAll.apply(input, False, True)
    return AmaxAmin.apply(input, dims, keepdim, False)


def _empty_reduction(input, dim, dims, name: str) -> bool:
    """For a zero-size input: True when no dim was given (the caller raises torch's error); an IndexError
    when a reduced dim has size 0; False when the reduced dims are non-empty (the result is empty)."""
    if dim == () or dim is None:
        return True
    for d in dims:
        if input._data.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    return False


@method
def aminmax(input, *, dim=None, keepdim: bool = False):
    return return_types.aminmax(amin(input, () if dim is None else dim, keepdim),
                                amax(input, () if dim is None else dim, keepdim))


def _arg(input, dim, keepdim, fn):
    d = input._data
    name = fn.__name__
    if dim is None:
        if d.size == 0:  # torch's IndexError (NumPy's is a ValueError)
            raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        out = fn(d.reshape(-1))
        return wrap(np.asarray(out, dtype=np.int64).reshape((1,) * d.ndim if keepdim else ()))
    dim = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        return wrap(np.asarray(0, dtype=np.int64))
    if d.shape[dim] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")
    out = fn(d, axis=dim)
    if keepdim:
        out = np.expand_dims(out, dim)
    return wrap(np.asarray(out, dtype=np.int64))


@method
def argmax(input, dim=None, keepdim: bool = False):
    """Index of the largest element (first one on ties)."""
    return _arg(input, dim, keepdim, np.argmax)


@method
def argmin(input, dim=None, keepdim: bool = False):
    return _arg(input, dim, keepdim, np.argmin)


@method
def var(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """sum (x - mean)^2 / (N - correction); correction defaults to 1 (Bessel)."""
    if isinstance(dim, bool):  # var(x, unbiased)
        unbiased, dim = dim, None
    c = 1 if correction is None else correction
    if unbiased is not None:
        c = 1 if unbiased else 0
    dims = norm_dims(dim, input._data.ndim) if dim is not None else tuple(range(input._data.ndim))
    n = 1
    for d in dims:
        n *= input._data.shape[d]
    mu = mean(input, dims, keepdim=True)
    diff = input - mu
    sq = (diff * diff.conj()).real if input.is_complex() else diff * diff
    out = Sum.apply(sq, dims, keepdim) / builtins_max(n - c, 0)
    if out._grad_fn is not None:
        out._grad_fn.rename("VarBackward0")  # torch's node for the whole variance
    return out


def builtins_max(a, b):
    return a if a > b else b


class Std(Op):
    """sqrt of a variance; d/dv = 1 / (2 std), and 0 where std is 0, as torch's ``std_backward`` (no NaN
    for a constant slice or a size-1 dim without correction)."""

    save_output = True

    @staticmethod
    def forward(ctx, v):
        return np.sqrt(v._data)

    @staticmethod
    def backward(ctx, g):
        s = ctx.output
        zero = s == 0
        return (g / (2 * s).masked_fill(zero, 1)).masked_fill(zero, 0)


@method
def std(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """sqrt(var)."""
    return Std.apply(var(input, dim, unbiased, keepdim, correction=correction))


def var_mean(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    return var(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    return std(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


@method
def logsumexp(input, dim=None, keepdim: bool = False):
    """log sum exp(x), stably: m + log sum exp(x - m); d/dx = softmax(x)."""
    if dim is None:
        dim = tuple(range(input._data.ndim))
    dims = norm_dims(dim, input._data.ndim)
    if input._data.dtype.kind in "biu":
        input = input.to(_dt.get_default_dtype())
    if not dims:  # over no dims: log(exp(x)) elementwise
        if not input.ndim:  # one element: torch's formula, so an infinite x gets a NaN gradient (exp(inf - inf))
            return LogSumExp.apply(input.reshape(1), (0,), False)
        return (input - input.detach()).exp().log() + input.detach()
    return LogSumExp.apply(input, dims, keepdim)


@method
def all(input, dim=None, keepdim: bool = False):
    """True where every element is nonzero."""
    dims = norm_dims(dim, input._data.ndim) if dim is not None else None
    return wrap(np.asarray(np.all(input._data, axis=dims, keepdims=keepdim)))


@method
def any(input, dim=None, keepdim: bool = False):
    dims = norm_dims(dim, input._data.ndim) if dim is not None else None
    return wrap(np.asarray(np.any(input._data, axis=dims, keepdims=keepdim)))


@method
def count_nonzero(input, dim=None):
    dims = norm_dims(dim, input._data.ndim) if dim is not None else None
    return wrap(np.asarray(np.count_nonzero(input._data, axis=dims), dtype=np.int64))
