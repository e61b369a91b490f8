"""``Flatten`` and ``Unflatten``: reshape views as layers.

>>> import ember
>>> ember.nn.Flatten()(ember.zeros(2, 3, 4)).shape
ember.Size([2, 12])
"""
from __future__ import annotations

__all__ = ['Flatten', 'Unflatten']

from .module import Module


class Flatten(Module):
    """Merge dims ``start_dim..end_dim`` into one (a view when possible)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into ``unflattened_size``."""

    def __init__(self, dim: int, unflattened_size) -> None:
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, input):
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
