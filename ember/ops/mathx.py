"""Scans, contractions, distances and statistics: cumsum/cumprod/cummax/cummin/logcumsumexp, diff,
einsum/tensordot/kron/inner, cdist/dist, quantile, renorm (softmax lives in ``softmax.py``).

Primitives: cumsum (backward: reversed cumsum of g), cumprod, einsum (backward: einsum with the
operand's subscripts moved to the output).
Everything else composes from existing ops and gets its gradient for free.

>>> import ember
>>> x = ember.tensor([1., 2., 3.])
>>> x.cumsum(0), ember.einsum("i,i->", x, x), ember.diff(x)
(tensor([1., 3., 6.]), tensor(14.), tensor([1., 1.]))
"""
from __future__ import annotations

import math

import numpy as np

from .._autocast import autocast_policy
from ..tensor import Tensor, wrap
from ._common import Op, in_float32, is_low_precision, method, type_name, wrap_dim, write_out
from .reduction import _sum_dtype, return_types

__all__ = ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "diff", "einsum", "tensordot", "kron", "inner",
           "cdist", "dist", "quantile", "nanquantile", "renorm"]


_out = write_out  # the one out= helper


# --------------------------------------------------------------------------- scans
class Cumsum(Op):
    """out_i = sum_{j<=i} x_j along ``dim``; d/dx_j = sum_{i>=j} g_i (a reversed cumsum)."""

    @staticmethod
    def forward(ctx, x, dim, dtype=None):
        d = x._data
        ctx.dim, ctx.dtype = dim, d.dtype
        if d.ndim == 0:
            return d.astype(_sum_dtype(d, dtype) or d.dtype)
        return np.cumsum(d, axis=dim, dtype=_sum_dtype(d, dtype))

    @staticmethod
    def backward(ctx, g):
        if g._data.ndim == 0:
            return g
        return Cumsum.apply(g.flip(ctx.dim), ctx.dim).flip(ctx.dim)


@method
def cumsum(input: Tensor, dim: int, *, dtype=None, out=None) -> Tensor:
    """Running sum along ``dim``: out_i = x_0 + ... + x_i (ints and bools sum to int64).

    >>> ember.tensor([1, 2, 3]).cumsum(0)
    tensor([1, 3, 6])
    """
    dim = wrap_dim(dim, input._data.ndim)
    return _out(Cumsum.apply(input, dim, dtype) if dtype is not None else Cumsum.apply(input, dim), out)


class Cumprod(Op):
    """out_i = prod_{j<=i} x_j; d/dx_j = sum_{i>=j} g_i out_i / x_j when no x is 0, else computed by
    products of the other elements (that branch has no double backward)."""

    @staticmethod
    def forward(ctx, x, dim, dtype=None):
        d = x._data
        ctx.dim = dim
        if ctx.next is not None:
            ctx.save_for_backward(x)
        if d.ndim == 0:
            return d.astype(_sum_dtype(d, dtype) or d.dtype)
        return np.cumprod(d, axis=dim, dtype=_sum_dtype(d, dtype))

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if x._data.ndim == 0:
            return g
        dim = ctx.dim
        if not (x._data == 0).any():
            out = Cumprod.apply(x, dim)
            return Cumsum.apply((g * out).flip(dim), dim).flip(dim) / x
        xd, gd = np.moveaxis(x._data, dim, -1), np.moveaxis(g._data, dim, -1)
        n = xd.shape[-1]
        res = np.zeros_like(gd)
        for j in range(n):  # d out_i / d x_j = prod_{k<=i, k!=j} x_k for i >= j
            others = xd.copy()
            others[..., j] = 1
            res[..., j] = (np.cumprod(others, -1)[..., j:] * gd[..., j:]).sum(-1)
        return wrap(np.ascontiguousarray(np.moveaxis(res, -1, dim)))


@method
def cumprod(input: Tensor, dim: int, *, dtype=None, out=None) -> Tensor:
    """Running product along ``dim``: out_i = x_0 * ... * x_i.

    >>> ember.tensor([1., 2., 3.]).cumprod(0)
    tensor([1., 2., 6.])
    """
    dim = wrap_dim(dim, input._data.ndim)
    return _out(Cumprod.apply(input, dim, dtype) if dtype is not None else Cumprod.apply(input, dim), out)


def _cum_ext(input: Tensor, dim: int, is_max: bool, rt):
    d = input._data
    dim = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        return rt(input.clone(), wrap(np.asarray(0, np.int64)))
    if d.size == 0:
        return rt(input.clone(), wrap(np.zeros(d.shape, np.int64)))
    acc = (np.maximum if is_max else np.minimum).accumulate(d, axis=dim)
    pos = np.arange(d.shape[dim]).reshape([-1 if i == dim else 1 for i in range(d.ndim)])
    here = d == acc
    if d.dtype.kind == "f":
        nan_seen = np.logical_or.accumulate(np.isnan(d), axis=dim)
        first_nan = np.isnan(d) & ~np.concatenate([np.zeros_like(np.take(nan_seen, [0], dim)),
                                                    np.take(nan_seen, np.arange(d.shape[dim] - 1), dim)], dim)
        here = (here & ~nan_seen) | first_nan
    idx = np.maximum.accumulate(np.where(here, pos, 0), axis=dim)
    return rt(input.gather(dim, wrap(idx.astype(np.int64))), wrap(idx.astype(np.int64)))


@method
def cummax(input: Tensor, dim: int):
    """Running maximum along ``dim`` and the index where it was (last) attained.

    >>> ember.cummax(ember.tensor([1, 3, 2]), 0).values
    tensor([1, 3, 3])
    """
    return _cum_ext(input, dim, True, return_types.cummax)


@method
def cummin(input: Tensor, dim: int):
    """Running minimum along ``dim`` and the index where it was (last) attained."""
    return _cum_ext(input, dim, False, return_types.cummin)


@method
def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """out_i = log sum_{j<=i} exp(x_j), computed as m + log cumsum exp(x - m) with m = max(x) (stable).

    >>> ember.logcumsumexp(ember.tensor([0., 0.]), 0)
    tensor([0.0000, 0.6931])
    """
    if input._data.dtype.kind not in "fc":
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{type_name(input._data.dtype)}'")
    dim = wrap_dim(dim, input._data.ndim)
    if input._data.size == 0:
        return input.clone()
    m = input.amax(dim, keepdim=True).detach()
    m = m.masked_fill(~m.isfinite(), 0)
    return (input - m).exp().cumsum(dim).log() + m


@method
def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,
         append: Tensor | None = None, *, out=None) -> Tensor:
    """The ``n``-th forward difference along ``dim``: out_i = x_{i+1} - x_i (repeated n times),
    after joining ``prepend`` and ``append``.

    >>> ember.diff(ember.tensor([1, 4, 9]))
    tensor([3, 5])
    """
    from .joining import cat

    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    dim = wrap_dim(dim, input._data.ndim)
    parts = [t for t in (prepend, input, append) if t is not None]
    x = cat(parts, dim) if len(parts) > 1 else input
    for _ in range(n):
        k = x._data.shape[dim]
        if k == 0:
            break
        a, b = x.narrow(dim, 1, k - 1), x.narrow(dim, 0, k - 1)
        x = a ^ b if x._data.dtype == np.bool_ else a - b
    return _out(x, out)


# --------------------------------------------------------------------------- contractions
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse_einsum(equation: str, shapes: list) -> tuple:
    """Explicit subscripts (ellipsis spelled out with spare letters) and the output subscripts."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise RuntimeError(f"einsum(): more operands were provided than specified in the equation"
                           if len(shapes) > len(terms) else
                           "einsum(): fewer operands were provided than specified in the equation")
    used = set(c for c in eq if c.isalpha())
    spare = [c for c in _LETTERS if c not in used]
    n_ell = 0
    for t, s in zip(terms, shapes):
        if "..." in t:
            n_ell = max(n_ell, len(s) - (len(t) - 3))
    ell = "".join(spare[:n_ell])
    subs = []
    for t, s in zip(terms, shapes):
        if "..." in t:
            k = len(s) - (len(t) - 3)
            t = t.replace("...", ell[n_ell - k:] if k else "")
        if len(t) != len(s):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(t)}) does not match "
                               f"the number of dimensions ({len(s)}) for operand {len(subs)}"
                               + ("" if "..." in eq else " and no ellipsis was given"))
        subs.append(t)
    if arrow:
        out = rhs.replace("...", ell)
    else:  # implicit output: the ellipsis dims, then letters seen once, sorted
        letters = "".join(subs)
        out = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ell))
    return subs, out


class Einsum(Op):
    """out = einsum(subs -> out, *xs); the gradient of operand k is einsum of g and the other operands
    into operand k's subscripts (dims only in operand k are broadcast back; a repeated subscript, a
    diagonal, is rebuilt with identity matrices). Operands are broadcast to a common size per letter
    first, and the engine sums each gradient back to its input's shape."""

    broadcasting = True

    @staticmethod
    def forward(ctx, subs, out_sub, *xs):
        sizes: dict = {}
        for k, (s, x) in enumerate(zip(subs, xs)):
            for c, n in zip(s, x._data.shape):
                if sizes.get(c, 1) != 1 and n != 1 and n != sizes[c]:
                    raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {k} which does not "
                                       f"broadcast with previously seen size {sizes[c]}")
                if n != 1 or c not in sizes:
                    sizes[c] = n
        arrays = [np.broadcast_to(x._data, tuple(sizes[c] for c in s)) for s, x in zip(subs, xs)]
        ctx.subs, ctx.out_sub, ctx.sizes = subs, out_sub, sizes
        ctx.save_for_backward(*xs)
        return np.asarray(np.einsum(",".join(subs) + "->" + out_sub, *arrays, optimize=len(xs) > 2))

    @staticmethod
    def backward(ctx, g):
        xs = ctx.saved_tensors
        grads = []
        for k, s in enumerate(ctx.subs):
            if not ctx.needs_input_grad[2 + k]:
                grads.append(None)
                continue
            grads.append(_einsum_grad(g, ctx, xs, k, s))
        return (None, None) + tuple(grads)


def _einsum_grad(g: Tensor, ctx, xs, k: int, s: str) -> Tensor:
    others = [(sub, x) for j, (sub, x) in enumerate(zip(ctx.subs, xs)) if j != k]
    present = set(ctx.out_sub) | set("".join(sub for sub, _ in others))
    target, eyes, seen = "", [], {}
    spare = iter(c for c in _LETTERS if c not in set("".join(ctx.subs) + ctx.out_sub))
    for c in s:  # a repeated letter becomes a new one tied to the first by an identity matrix
        if c in seen:
            new = next(spare)
            eyes.append(c + new)
            target += new
        else:
            seen[c] = True
            target += c
    kept = "".join(c for c in dict.fromkeys(s) if c in present)
    operands = [g] + [x.expand(tuple(ctx.sizes[c] for c in sub)) for sub, x in others]
    eye_ts = [wrap(np.eye(ctx.sizes[p[0]], dtype=g._data.dtype)) for p in eyes]
    eq = ",".join([ctx.out_sub] + [sub for sub, _ in others]) + "->" + kept
    part = einsum(eq, *operands)
    full = "".join(c for c in dict.fromkeys(s))
    if kept != full:  # letters summed only inside operand k: broadcast g over them
        shape = tuple(ctx.sizes[c] if c in kept else 1 for c in full)
        part = einsum(kept + "->" + "".join(c for c in full if c in kept), part)
        part = part.reshape(tuple(ctx.sizes[c] if c in kept else 1 for c in full))
        part = part.expand(tuple(ctx.sizes[c] for c in full)) if shape else part
    if eyes:
        return einsum(",".join([full] + eyes) + "->" + target, part, *eye_ts)
    return part


@autocast_policy("lower")
def einsum(equation: str, *operands) -> Tensor:
    """Sum of products over the subscripts in ``equation`` ('ij,jk->ik'); supports '...' and an implicit
    output (letters used once, sorted). Also accepts the operands as one list.

    >>> a = ember.ones(2, 3)
    >>> ember.einsum("ij,kj->ik", a, a)
    tensor([[3., 3.],
            [3., 3.]])
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    dts = {x._data.dtype for x in operands}
    if len(dts) > 1:
        a, b = [type_name(x._data.dtype) for x in operands[:2]]
        raise RuntimeError(f"expected scalar type {a} but found {b}")
    subs, out_sub = _parse_einsum(equation, [x._data.shape for x in operands])
    if operands and is_low_precision(operands[0]):  # np.einsum has no bfloat16 loop and a slow float16 one
        return in_float32(lambda *ops: Einsum.apply(tuple(subs), out_sub, *ops), *operands)
    return Einsum.apply(tuple(subs), out_sub, *operands)


@autocast_policy("lower")
def tensordot(a: Tensor, b: Tensor, dims=2, out=None) -> Tensor:
    """Contract the last ``dims`` dims of a with the first of b, or the listed pairs ``dims=([..], [..])``.

    >>> ember.tensordot(ember.ones(2, 3), ember.ones(3, 4), dims=1).shape
    ember.Size([2, 4])
    """
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = list(dims[0]), list(dims[1])
        da, db = ([da] if isinstance(da, int) else da), ([db] if isinstance(db, int) else db)
    da, db = [wrap_dim(d, a.ndim) for d in da], [wrap_dim(d, b.ndim) for d in db]
    for i, j in zip(da, db):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[i]} in dim {i} "
                               f"and second has size {b.shape[j]} in dim {j}")
    free_a = [d for d in range(a.ndim) if d not in da]
    free_b = [d for d in range(b.ndim) if d not in db]
    k = int(np.prod([a.shape[d] for d in da], dtype=np.int64))
    am = a.permute(*(free_a + da)).reshape(-1, k)
    bm = b.permute(*(db + free_b)).reshape(k, -1)
    res = (am @ bm).reshape(tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b))
    return _out(res, out)


@method
def kron(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Kronecker product: block (i, j) is input[i, j] * other.

    >>> ember.kron(ember.tensor([1, 2]), ember.tensor([1, 10]))
    tensor([ 1, 10,  2, 20])
    """
    nd = max(input.ndim, other.ndim)
    a = input.reshape((1,) * (nd - input.ndim) + tuple(input.shape))
    b = other.reshape((1,) * (nd - other.ndim) + tuple(other.shape))
    a_shape, b_shape = [], []
    for i in range(nd):
        a_shape += [a.shape[i], 1]
        b_shape += [1, b.shape[i]]
    res = a.reshape(tuple(a_shape)) * b.reshape(tuple(b_shape))
    return _out(res.reshape(tuple(a.shape[i] * b.shape[i] for i in range(nd))), out)


@method
def inner(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Sum over the last dims: out[i.., j..] = sum_k a[i.., k] b[j.., k] (a product for 0-d inputs).

    >>> ember.inner(ember.tensor([1, 2]), ember.tensor([3, 4]))
    tensor(11)
    """
    if input.ndim == 0 or other.ndim == 0:
        return _out(input * other, out)
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input.shape)} and {list(other.shape)}")
    return tensordot(input, other, ([-1], [-1]), out=out)


# --------------------------------------------------------------------------- distances
def _pnorm(diff: Tensor, p: float, dim) -> Tensor:
    """(sum |d|^p)^(1/p) over ``dim`` with a zero-safe gradient at d = 0 (torch's)."""
    a = diff.abs()
    if p == 0:
        return (a != 0).to(diff.dtype).sum(dim)
    if p == math.inf:
        return a.amax(dim)
    if p == 1:
        return a.sum(dim)
    s = (a ** p).sum(dim)
    pos = s > 0
    return s.masked_fill(~pos, 1) ** (1.0 / p) * pos


@autocast_policy("fp32")
def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """Pairwise p-norm distances: out[..., i, j] = ||x1[..., i, :] - x2[..., j, :]||_p.

    >>> ember.cdist(ember.tensor([[0., 0.]]), ember.tensor([[3., 4.]]))
    tensor([[5.]])
    """
    if x1.ndim < 2 or x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X{1 if x1.ndim < 2 else 2} got: {min(x1.ndim, x2.ndim)}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values")
    if x1._data.dtype.kind != "f":
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: {type_name(x1._data.dtype)}")
    return _pnorm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, -1)


@method
def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """||input - other||_p over all elements (broadcasting).

    >>> ember.dist(ember.tensor([0., 0.]), ember.tensor([3., 4.]))
    tensor(5.)
    """
    return _pnorm((input - other).reshape(-1), p, 0)


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
        from .joining import stack

        res = stack(outs, 0)
    return _out(res, out)


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


@method
def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """Scale each slice along ``dim`` whose p-norm exceeds ``maxnorm`` down to norm maxnorm:
    x_i * maxnorm / (||x_i||_p + 1e-7).

    >>> ember.renorm(ember.tensor([[3., 4.], [0.3, 0.4]]), 2, 0, 1.)
    tensor([[0.6000, 0.8000],
            [0.3000, 0.4000]])
    """
    if p <= 0:
        raise RuntimeError(f"renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    dim = wrap_dim(dim, input.ndim)
    others = tuple(i for i in range(input.ndim) if i != dim)
    a = input.abs()
    norm = a.amax(others, keepdim=True) if p == math.inf else (a ** p).sum(others, keepdim=True) ** (1.0 / p)
    factor = (maxnorm / (norm + 1e-7)).masked_fill(norm <= maxnorm, 1.0)
    return input * factor
