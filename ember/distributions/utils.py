"""Helpers shared by the distributions: broadcasting parameters, probs <-> logits, cached properties.

>>> import ember
>>> from ember.distributions.utils import broadcast_all, probs_to_logits
>>> a, b = broadcast_all(ember.tensor([0., 1.]), 2.0)
>>> b
tensor([2., 2.])
>>> probs_to_logits(ember.tensor([0.5]), is_binary=True)
tensor([0.])
"""
from __future__ import annotations

import numbers
from typing import Callable

import ember
from ember.tensor import Size, Tensor

euler_constant = 0.57721566490153286060  # Euler-Mascheroni constant


def broadcast_all(*values) -> tuple[Tensor, ...]:
    """Broadcast numbers and tensors to one shape; numbers take the first tensor's dtype (or the default)."""
    if not all(isinstance(v, (Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of Number, torch.Tensor or objects "
                         "implementing __torch_function__.")
    if not all(isinstance(v, Tensor) for v in values):
        dtype = next((v.dtype for v in values if isinstance(v, Tensor)), ember.get_default_dtype())
        values = tuple(v if isinstance(v, Tensor) else ember.tensor(v, dtype=dtype) for v in values)
    return tuple(ember.broadcast_tensors(*values))


def _standard_normal(shape, dtype) -> Tensor:
    """N(0, 1) noise from ember's global generator."""
    return ember.randn(tuple(shape), dtype=dtype)


def _sum_rightmost(value: Tensor, dim: int) -> Tensor:
    """Sum the ``dim`` rightmost dimensions."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[: value.dim() - dim]) + (-1,)).sum(-1)


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """sigmoid(logits) when binary, else softmax over the last dimension."""
    if is_binary:
        return ember.sigmoid(logits)
    return ember.softmax(logits, dim=-1)


def clamp_probs(probs: Tensor) -> Tensor:
    """Clamp to [eps, 1 - eps] of the dtype, so logs stay finite."""
    eps = ember.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """log(p) - log(1 - p) when binary, else log(p) (unnormalised logits), on clamped probabilities."""
    p = clamp_probs(probs)
    if is_binary:
        return ember.log(p) - ember.log1p(-p)
    return ember.log(p)


class lazy_property:
    """A property computed on first access (with gradients enabled) and then stored on the instance.

    Storing it in the instance's ``__dict__`` is how a distribution knows which parametrisation the
    user gave (``"probs" in d.__dict__``).
    """

    def __init__(self, wrapped: Callable) -> None:
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__
        self.__name__ = wrapped.__name__

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return self
        with ember.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


def _size(shape) -> Size:
    return Size(tuple(shape))


def _tril_mask(n: int, diag: int) -> Tensor:
    arange = ember.arange(n)
    return arange < arange.reshape(-1, 1) + (diag + 1)


def tril_matrix_to_vec(mat: Tensor, diag: int = 0) -> Tensor:
    """The entries of ``mat`` on and below diagonal ``diag``, row by row, as the last dimension."""
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    return mat[..., _tril_mask(n, diag)]


def vec_to_tril_matrix(vec: Tensor, diag: int = 0) -> Tensor:
    """The inverse of ``tril_matrix_to_vec``: a square matrix with zeros above diagonal ``diag``."""
    size = vec.shape[-1]
    n = (-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * size + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    if round(n) - n > ember.finfo(vec.dtype).eps:
        raise ValueError(f"The size of last dimension is {size} which cannot be expressed as the lower triangular "
                         "part of a square D x D matrix.")
    n = round(n)
    mask = _tril_mask(n, diag)
    mat = vec.new_zeros(tuple(vec.shape[:-1]) + (n * n,))
    index = ember.nonzero(mask.reshape(-1)).reshape(-1)
    return mat.index_add(-1, index, vec).reshape(tuple(vec.shape[:-1]) + (n, n))


def expand_probs_or_logits(src, new, batch_shape) -> None:
    """Give ``new`` whichever of ``probs``/``logits`` ``src`` holds (both when both were computed), expanded to
    ``batch_shape``; ``_param`` is the last one set (the probs-or-logits families share this step of ``expand``)."""
    for name in ("probs", "logits"):
        if name in src.__dict__:
            value = getattr(src, name).expand(batch_shape)
            setattr(new, name, value)
            new._param = value
