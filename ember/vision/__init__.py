"""Computer-vision helpers with torchvision's layout: ``ember.vision.datasets`` and
``ember.vision.transforms``.

Importing this package imports only NumPy and the standard library (transforms import ember's core
only when they make a tensor), so datasets can be loaded on their own.

Example:
    >>> from ember.vision import datasets
    >>> datasets.FashionMNIST(root="builtin", train=False).data.shape
    (2000, 28, 28)
"""

from . import datasets, transforms

__all__ = ["datasets", "transforms"]
