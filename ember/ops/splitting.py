"""Splitting a tensor into views along one dim: ``unbind``, ``split``, ``chunk``, ``tensor_split``.

Each piece is a ``narrow``/``select`` view of the input (memory shared, as torch), and carries the name of
torch's one multi-output node (``SplitBackward0``, ``SplitWithSizesBackward0``, ``UnbindBackward0``).

>>> import ember
>>> [p.tolist() for p in ember.arange(5).split(2)]
[[0, 1], [2, 3], [4]]
>>> [p.shape[0] for p in ember.arange(7).tensor_split(3)]
[3, 2, 2]
"""
from __future__ import annotations

from ._common import method, wrap_dim
from .strided import narrow, select

__all__ = ["unbind", "split", "chunk", "tensor_split"]


@method
def unbind(input, dim: int = 0):
    dim = wrap_dim(dim, input._data.ndim)
    return _named_pieces(tuple(select(input, dim, i) for i in range(input._data.shape[dim])), "UnbindBackward0")


@method
def split(input, split_size_or_sections, dim: int = 0):
    """Views of consecutive pieces: equal pieces of a given size, or the listed sizes."""
    d = input._data
    dim = wrap_dim(dim, d.ndim)
    n = d.shape[dim]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and n:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
        sizes = [min(step, n - s) for s in range(0, n, step)] if n else [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                               f"size at dimension {dim}), but got split_sizes={sizes}")
    out, start = [], 0
    for s in sizes:
        out.append(narrow(input, dim, start, s))
        start += s
    return _named_pieces(tuple(out), "SplitBackward0" if isinstance(split_size_or_sections, int)
                         else "SplitWithSizesBackward0")


def _named_pieces(pieces: tuple, node: str) -> tuple:
    """Views that torch makes with one multi-output node: each piece's node carries that node's name."""
    for p in pieces:
        if p._grad_fn is not None and type(p._grad_fn) is not tuple:
            p._grad_fn.rename(node)
    return pieces


@method
def chunk(input, chunks: int, dim: int = 0):
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    n = input._data.shape[wrap_dim(dim, input._data.ndim)]
    size = -(-n // chunks) if n else 0
    return split(input, size, dim) if size else split(input, [0] * 0 + [n], dim)


@method
def tensor_split(input, indices_or_sections, dim: int = 0):
    n = input._data.shape[wrap_dim(dim, input._data.ndim)]
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    else:
        idx = [0] + [min(max(int(i) + n if int(i) < 0 else int(i), 0), n) for i in indices_or_sections] + [n]
        sizes = [max(b - a, 0) for a, b in zip(idx[:-1], idx[1:])]
    return split(input, sizes, dim)
