"""``parameters_to_vector`` (one flat vector, differentiable) and ``vector_to_parameters`` (the inverse:
each parameter's ``.data`` becomes its slice of the vector).

>>> import ember
>>> m = ember.nn.Linear(2, 1)
>>> ember.nn.utils.parameters_to_vector(m.parameters()).shape
ember.Size([3])
"""
from __future__ import annotations

from ...ops.joining import cat
from ...tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters) -> Tensor:
    """cat(p.view(-1) for p in parameters)."""
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters) -> None:
    """Copy consecutive slices of ``vec`` into the parameters (they become views of ``vec``, as torch)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    ptr = 0
    for p in parameters:
        n = p.numel()
        p.data = vec[ptr:ptr + n].view_as(p).data
        ptr += n
