"""Computer-vision helpers with torchvision's layout: ``ember.vision.datasets``.

Importing this package imports only NumPy and the standard library, never ember's tensor
core, so datasets can be loaded on their own.

Example:
    >>> from ember.vision import datasets
    >>> datasets.FashionMNIST(root="builtin", train=False).data.shape
    (2000, 28, 28)
"""

from . import datasets

__all__ = ["datasets"]
