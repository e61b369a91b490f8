"""The top-level torch forms of torch.linalg's functions: ``torch.norm``, ``torch.pinverse`` and ``torch.cross``
(their torch.linalg counterparts are in ``linalg_functions.py``; the factorization Ops in ``linalg.py``).

>>> import ember
>>> ember.norm(ember.tensor([3., 4.])), ember.cross(ember.tensor([1., 0., 0.]), ember.tensor([0., 1., 0.]))
(tensor(5.), tensor([0., 0., 1.]))
"""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from . import linalg_functions as _lf
from ._common import method

__all__ = ["pinverse", "norm", "cross"]


@method
def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """Moore-Penrose pseudo-inverse (torch.pinverse): singular values below rcond * max are dropped."""
    return _lf.pinv(input, rtol=rcond)


@method
def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """torch.norm: 'fro' (the 2-norm over ``dim``, all elements when None), 'nuc', or a number p
    (the vector p-norm over ``dim``)."""
    if isinstance(p, str):
        if p == "fro" and (dim is None or isinstance(dim, int) or len(dim) <= 2):
            return _lf.vector_norm(input, 2, dim, keepdim, dtype=dtype)
        return _lf.matrix_norm(input, p, dim if dim is not None else tuple(range(input.ndim)), keepdim,
                                  dtype=dtype)
    return _lf.vector_norm(input, 2.0 if p is None else p, dim, keepdim, dtype=dtype)


@method
def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """torch.cross: the 3-vector cross product along ``dim`` (default: the first dim of size 3)."""
    if dim is None:
        shape = np.broadcast_shapes(tuple(input.shape), tuple(other.shape))
        dim = next((i for i, s in enumerate(shape) if s == 3), -1)
    return _lf.cross(input, other, dim=dim)
