"""Datasets with torchvision's names and signatures: MNIST, FashionMNIST, CIFAR10, and the folder datasets
DatasetFolder and ImageFolder, all on the base class VisionDataset (root, transform,
target_transform / transforms, __repr__).

Each dataset is a map-style dataset (``__len__`` and ``__getitem__``) returning
``(image, target)``, the image a ``uint8`` NumPy array before any ``transform``. Where the
files are looked for, and how to force the real Fashion-MNIST subset that ships with
ember (``root="builtin"`` or ``EMBER_DATA=builtin``), is described in
:mod:`ember.vision.datasets.mnist` and :mod:`ember.vision.datasets._sources`.

Example:
    >>> from ember.vision.datasets import FashionMNIST
    >>> img, target = FashionMNIST(root="builtin")[0]
    >>> img.shape, type(target)
    ((28, 28), <class 'int'>)
"""

from .cifar import CIFAR10
from .folder import DatasetFolder, ImageFolder
from .mnist import MNIST, FashionMNIST
from .synthetic import BananasDataset, ShapesSegmentation
from .vision import VisionDataset

__all__ = ["BananasDataset", "CIFAR10", "DatasetFolder", "FashionMNIST", "ImageFolder", "MNIST", "ShapesSegmentation",
           "VisionDataset"]
