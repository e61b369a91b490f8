"""``ember.vision.transforms.v2``: torchvision's v2 transforms on ember tensors, NumPy arrays and PIL images,
with joint transforms of an image and its boxes and masks (``ember.vision.tv_tensors``).

Random transforms draw from ember's default generator: ``ember.manual_seed(s)`` makes a pipeline repeat.

>>> import ember
>>> from ember.vision import tv_tensors
>>> from ember.vision.transforms import v2
>>> img = tv_tensors.Image(ember.zeros(3, 4, 6, dtype=ember.uint8))
>>> boxes = tv_tensors.BoundingBoxes([[0, 0, 2, 1]], format="XYXY", canvas_size=(4, 6))
>>> out_img, out_boxes = v2.RandomHorizontalFlip(p=1.0)(img, boxes)
>>> out_boxes
BoundingBoxes([[4, 0, 6, 1]], format=BoundingBoxFormat.XYXY, canvas_size=(4, 6))
"""
from ._augment import CutMix, GridMask, MixUp, RandomErasing
from ._auto_augment import (AugMix, RandAugment, RandomAdjustSharpness, RandomAutocontrast, RandomEqualize,
                            RandomInvert, RandomPosterize, RandomSolarize, TrivialAugmentWide)
from ._color import ColorJitter, GaussianBlur, Grayscale, Normalize, RandomGrayscale
from ._detection import RandomIoUCrop, RandomZoomOut
from ._geometry import (CenterCrop, ElasticTransform, Pad, RandomAffine, RandomCrop, RandomHorizontalFlip,
                        RandomPerspective, RandomResizedCrop, RandomRotation, RandomVerticalFlip, Resize)
from ._misc import (Compose, ConvertImageDtype, Lambda, PILToTensor, RandomApply, RandomChoice, RandomOrder,
                    ToDtype, ToImage, ToPILImage, ToPureTensor, ToTensor)
from ._sanitize import ClampBoundingBoxes, SanitizeBoundingBoxes
from .._geometry import InterpolationMode
from ._transform import Transform

__all__ = ["AugMix", "CenterCrop", "ClampBoundingBoxes", "ColorJitter", "Compose", "ConvertImageDtype", "CutMix",
           "ElasticTransform", "GaussianBlur", "Grayscale", "GridMask", "InterpolationMode", "Lambda", "MixUp",
           "Normalize", "PILToTensor", "Pad", "RandAugment", "RandomAdjustSharpness", "RandomAffine", "RandomApply",
           "RandomAutocontrast", "RandomChoice", "RandomCrop", "RandomEqualize", "RandomErasing", "RandomGrayscale",
           "RandomHorizontalFlip", "RandomInvert", "RandomIoUCrop", "RandomOrder", "RandomPerspective",
           "RandomPosterize", "RandomResizedCrop", "RandomRotation", "RandomSolarize", "RandomVerticalFlip",
           "RandomZoomOut", "Resize", "SanitizeBoundingBoxes", "ToDtype", "ToImage", "ToPILImage", "ToPureTensor",
           "ToTensor", "Transform", "TrivialAugmentWide"]
