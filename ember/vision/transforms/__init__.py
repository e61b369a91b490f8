"""Image transforms with torchvision's names: ``Compose``, ``ToTensor``, ``Normalize``, ``Resize``,
``CenterCrop``, ``RandomCrop``, ``RandomHorizontalFlip``, ``RandomVerticalFlip``, ``RandomResizedCrop``,
``Pad``, ``Grayscale``, ``ColorJitter``, ``GaussianBlur``, ``RandomRotation``, ``RandomAffine``,
``RandomErasing``, ``Lambda``, ... (the same classes as :mod:`ember.vision.transforms.v2`, which also
transforms boxes and masks jointly and adds MixUp, CutMix and GridMask).

Images are NumPy arrays (HW or HWC, uint8 or float), PIL images, or ember tensors (..., C, H, W); each
transform returns the type it was given. ``ToTensor`` maps uint8 [0, 255] HWC to float32 [0, 1] CHW, as
torchvision. Random transforms draw from ember's default generator (``ember.manual_seed``).

>>> import numpy as np
>>> from ember.vision import transforms as T
>>> t = T.Compose([T.Resize(32), T.ToTensor(), T.Normalize((0.5,), (0.5,))])
>>> t(np.zeros((28, 28), np.uint8)).shape
ember.Size([1, 32, 32])
"""
from __future__ import annotations

from . import v2
from ._geometry import InterpolationMode
from .v2 import (CenterCrop, ColorJitter, Compose, ConvertImageDtype, GaussianBlur, Grayscale, Lambda, Normalize,
                 Pad, PILToTensor, RandomAffine, RandomApply, RandomChoice, RandomCrop, RandomErasing,
                 RandomGrayscale, RandomHorizontalFlip, RandomOrder, RandomResizedCrop, RandomRotation,
                 RandomVerticalFlip, Resize, ToPILImage, ToTensor)

__all__ = ["CenterCrop", "ColorJitter", "Compose", "ConvertImageDtype", "GaussianBlur", "Grayscale",
           "InterpolationMode", "Lambda", "Normalize", "PILToTensor", "Pad", "RandomAffine", "RandomApply",
           "RandomChoice", "RandomCrop", "RandomErasing", "RandomGrayscale", "RandomHorizontalFlip", "RandomOrder",
           "RandomResizedCrop", "RandomRotation", "RandomVerticalFlip", "Resize", "ToPILImage", "ToTensor", "v2"]
