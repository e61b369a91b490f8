"""``Flatten`` and ``Unflatten``: reshape views as layers.

>>> import ember
>>> ember.nn.Flatten()(ember.zeros(2, 3, 4)).shape
ember.Size([2, 12])
"""
from __future__ import annotations

__all__ = ['Flatten', 'Unflatten']

from .module import Module


class Flatten(Module):
    """Flattens the dims ``start_dim`` .. ``end_dim`` into one: y = x.flatten(start_dim, end_dim), a view
    when the strides allow it.

    Gradient: g reshaped back to the input's shape.

    Args:
        start_dim: the first dim to flatten. Default: 1 (keeps the batch dim).
        end_dim: the last dim to flatten. Default: -1.

    Shape:
        - Input: (*, S_start, ..., S_end, *).
        - Output: (*, prod(S_start..S_end), *).

    No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.Flatten()(ember.zeros(32, 1, 5, 5)).shape
        ember.Size([32, 25])
        >>> ember.nn.Flatten(0, 2)(ember.zeros(32, 1, 5, 5)).shape
        ember.Size([160, 5])
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Unflattens one dim into several: y = x.unflatten(dim, unflattened_size), the inverse of Flatten.

    Gradient: g reshaped back to the input's shape.

    Args:
        dim: the dim to unflatten.
        unflattened_size: the new shape of that dim (its product must equal the dim's size; one entry
            may be -1).

    Shape:
        - Input: (*, S_dim, *).
        - Output: (*, U_1, ..., U_n, *), with U = unflattened_size and prod(U) = S_dim.

    No parameters.

    Examples::

        >>> import ember
        >>> ember.nn.Unflatten(1, (2, 5, 5))(ember.zeros(2, 50)).shape
        ember.Size([2, 2, 5, 5])
    """

    def __init__(self, dim: int, unflattened_size) -> None:
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, input):
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
