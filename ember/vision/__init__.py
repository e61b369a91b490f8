"""Computer-vision helpers with torchvision's layout: ``datasets``, ``transforms`` (and ``transforms.v2``),
``tv_tensors``, ``ops`` (boxes, NMS, RoI pooling, focal loss), ``io`` (image files), ``utils``
(``make_grid``, ``save_image``) and ``detection`` (d2l's anchor-box helpers).

Importing this package imports only NumPy and the standard library: ``datasets`` loads eagerly, the other
submodules on first use (they need ember's core), so datasets can be loaded on their own.

Example:
    >>> from ember.vision import datasets
    >>> datasets.FashionMNIST(root="builtin", train=False).data.shape
    (2000, 28, 28)
"""
import importlib

from . import datasets

_LAZY = ("detection", "io", "metrics", "ops", "transforms", "tv_tensors", "utils")

__all__ = ["datasets", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
