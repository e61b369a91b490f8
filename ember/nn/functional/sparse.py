"""``F.embedding``, ``F.embedding_bag``, ``F.one_hot``.

embedding: y[j] = W[z_j] for integer indices z of any shape; W (num_embeddings, embedding_dim) ->
y (*z.shape, embedding_dim). The gradient dL/dW[i] = sum over the j with z_j = i of g[j] (a
scatter-add, done with a stable sort and ``np.add.reduceat``, not ``np.add.at``); the padding row
gets none; with ``scale_grad_by_freq`` each row's sum is divided by its count in the batch.

>>> import ember
>>> import ember.nn.functional as F
>>> w = ember.arange(6.0).reshape(3, 2)
>>> F.embedding(ember.tensor([2, 0]), w)
tensor([[4., 5.],
        [0., 1.]])
>>> F.one_hot(ember.tensor([0, 2]))
tensor([[1, 0, 0],
        [0, 0, 1]])
"""
from __future__ import annotations

import numpy as np

from ..._grad_mode import no_grad
from ...autograd.function import Op
from ...tensor import Tensor, wrap

__all__ = ["embedding", "embedding_bag", "one_hot"]


def _segment_sum(rows: np.ndarray, idx: np.ndarray, n: int) -> np.ndarray:
    """out[i] = sum of rows[j] over j with idx[j] = i, for i < n (rows (m, D)): sort + reduceat."""
    out = np.zeros((n,) + rows.shape[1:], dtype=rows.dtype)
    if idx.size == 0:
        return out
    order = np.argsort(idx, kind="stable")
    s = idx[order]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    out[s[starts]] = np.add.reduceat(rows[order], starts, axis=0)
    return out


def _check_indices(ind: Tensor, fname: str) -> np.ndarray:
    d = ind._data
    if d.dtype.kind not in "iu":
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {ind.type()} instead (while checking arguments for {fname})")
    return d


class Embedding(Op):
    """y = W[z]; dW = scatter-add of g over z (see the module docstring)."""

    @staticmethod
    def forward(ctx, w, ind, padding_idx, scale_grad):
        idx = ind._data
        n = w._data.shape[0]
        if idx.size and (idx.max() >= n or idx.min() < 0):
            raise IndexError("index out of range in self")
        ctx.ind, ctx.n, ctx.pad, ctx.scale = ind, n, padding_idx, scale_grad
        return w._data[idx]

    @staticmethod
    def backward(ctx, g):
        return EmbeddingGrad.apply(g, ctx.ind, ctx.n, ctx.pad, ctx.scale), None


class EmbeddingGrad(Op):
    """The weight gradient of ``Embedding`` as an op of g (so double backward works: it is linear in g)."""

    @staticmethod
    def forward(ctx, g, ind, n, padding_idx, scale_grad):
        gd = g._data
        idx = ind._data.reshape(-1)
        rows = gd.reshape(idx.size, gd.shape[-1])
        out = _segment_sum(rows, idx, n)
        ctx.ind, ctx.pad, ctx.scale, ctx.counts = ind, padding_idx, scale_grad, None
        if scale_grad:
            counts = np.bincount(idx, minlength=n).astype(gd.dtype)
            ctx.counts = np.maximum(counts, 1)[:, None]
            out /= ctx.counts
        if padding_idx is not None:
            out[padding_idx] = 0
        return out

    @staticmethod
    def backward(ctx, gg):
        if ctx.scale:
            gg = gg / wrap(ctx.counts)
        if ctx.pad is not None:
            keep = np.ones((gg.shape[0], 1), dtype=gg._data.dtype)
            keep[ctx.pad] = 0
            gg = gg * wrap(keep)
        return Embedding.apply(gg, ctx.ind, None, False)


def _renorm_(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Rows of ``weight`` used by ``idx`` with p-norm > max_norm are scaled to max_norm (in place)."""
    w = weight._data
    rows = np.unique(idx.reshape(-1))
    if rows.size == 0:
        return
    sub = w[rows]
    if norm_type == np.inf:
        norms = np.abs(sub).max(axis=1)
    else:
        norms = (np.abs(sub) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    big = norms > max_norm
    if big.any():
        w[rows[big]] = sub[big] * (max_norm / (norms[big] + 1e-7))[:, None]
        weight._bump()


def _norm_padding(padding_idx, n: int):
    """``padding_idx`` wrapped into [0, n) (None stays None); torch's AssertionError when out of range. The one
    check behind F.embedding, F.embedding_bag and the Embedding / EmbeddingBag modules."""
    if padding_idx is None:
        return None
    if padding_idx > 0 and padding_idx >= n:
        raise AssertionError("Padding_idx must be within num_embeddings")
    if padding_idx < 0:
        if padding_idx < -n:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx = n + padding_idx
    return padding_idx


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Look up rows of ``weight``: y = W[input]. ``max_norm`` renormalises the used rows in place first.
    ``sparse`` is accepted; the gradient is always dense in ember."""
    idx = _check_indices(input, "embedding")
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    pad = _norm_padding(padding_idx, weight.shape[0])
    if max_norm is not None:
        with no_grad():
            _renorm_(weight, idx, max_norm, norm_type)
    return Embedding.apply(weight, input, pad, scale_grad_by_freq)


class SegmentSum(Op):
    """out[b] = sum of x rows in bag b (bags are contiguous segments); dx = g[bag of row]."""

    @staticmethod
    def forward(ctx, x, bag, nbags):
        ctx.bag = bag
        return _segment_sum(x._data, bag, nbags)

    @staticmethod
    def backward(ctx, g):
        return g[wrap(ctx.bag)]


class SegmentMax(Op):
    """out[b, d] = max of x[j, d] over the rows j of bag b (0 for an empty bag); the gradient goes to the
    first maximal row of each bag and column. Backward on raw arrays (linear in g)."""

    @staticmethod
    def forward(ctx, x, bag, nbags):
        xd = x._data
        m, D = xd.shape
        out = np.zeros((nbags, D), dtype=xd.dtype)
        ctx.rows = ctx.filled = None
        ctx.m = m
        if m == 0:
            return out
        starts = np.flatnonzero(np.r_[True, bag[1:] != bag[:-1]])
        filled = bag[starts]
        mx = np.maximum.reduceat(xd, starts, axis=0)
        out[filled] = mx
        pos = np.where(xd == mx[np.searchsorted(filled, bag)], np.arange(m)[:, None], m)
        ctx.rows, ctx.filled = np.minimum.reduceat(pos, starts, axis=0), filled
        return out

    @staticmethod
    def backward(ctx, g):
        gd = g._data
        gx = np.zeros((ctx.m, gd.shape[1]), dtype=gd.dtype)
        if ctx.rows is not None:
            cols = np.broadcast_to(np.arange(gd.shape[1]), ctx.rows.shape)
            gx[ctx.rows, cols] = gd[ctx.filled]
        return wrap(gx)


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None, max_norm: float | None = None,
                  norm_type: float = 2, scale_grad_by_freq: bool = False, mode: str = "mean",
                  sparse: bool = False, per_sample_weights: Tensor | None = None,
                  include_last_offset: bool = False, padding_idx: int | None = None) -> Tensor:
    """Sum, mean or max of the embeddings of each bag, without building the (bags, len, D) tensor.

    2-D input (B, L): B bags of L indices. 1-D input with ``offsets`` (B,): bag b is
    input[offsets[b]:offsets[b+1]]. sum: y_b = sum_j w_j W[z_j]; mean: divided by the bag's count (0 for
    an empty bag); max: per-column max. Indices equal to ``padding_idx`` are left out.
    """
    idx = _check_indices(input, "embedding_bag")
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch "
                             "of fixed length sequences. However, found offsets of type "
                             f"{type(offsets)}")
        B, L = idx.shape
        offs = np.arange(0, B * L, L, dtype=np.int64)
        idx = idx.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        offs = offsets._data.astype(np.int64)
        if offs.size and offs[0] != 0:
            raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
                               f"from position 0. However, got {offs[0]}")
        if include_last_offset:
            offs = offs[:-1]
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
                                  "on GitHub.")
    if mode not in ("sum", "mean", "max"):
        raise ValueError(f"mode has to be one of sum, mean or max")
    n = weight.shape[0]
    pad = _norm_padding(padding_idx, n)
    if max_norm is not None:
        with no_grad():
            _renorm_(weight, idx, max_norm, norm_type)
    nb = len(offs)
    bag = np.zeros(idx.size, dtype=np.int64)
    if nb > 1:
        marks = np.bincount(offs[1:][offs[1:] < idx.size], minlength=idx.size)
        bag = np.cumsum(marks)[: idx.size]
    keep = np.ones(idx.size, bool) if pad is None else idx != pad
    idx_k, bag_k = idx[keep], bag[keep]
    rows = Embedding.apply(weight, wrap(idx_k), None, scale_grad_by_freq)
    if per_sample_weights is not None:
        psw = per_sample_weights[wrap(np.flatnonzero(keep))] if pad is not None else per_sample_weights
        rows = rows * psw.unsqueeze(-1)
    if mode == "max":
        return SegmentMax.apply(rows, bag_k, nb)
    out = SegmentSum.apply(rows, bag_k, nb)
    if mode == "mean":
        counts = np.bincount(bag_k, minlength=nb).astype(out._data.dtype)
        out = out / wrap(np.maximum(counts, 1)[:, None])
    return out


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """out[..., k] = [tensor[...] = k], int64 of shape (*tensor.shape, num_classes);
    num_classes = -1 uses max(tensor) + 1."""
    d = tensor._data
    if d.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if d.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(d.max()) + 1
    if d.size:
        if d.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if d.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(d.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, d[..., None], 1, axis=-1)
    return wrap(out)

