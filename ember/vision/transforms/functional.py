"""Functional transforms with torchvision's names (``transforms.functional`` / ``transforms.v2.functional``):
each takes an image (tensor, NumPy array or PIL image), a ``tv_tensors.Mask`` or ``tv_tensors.BoundingBoxes``
and returns the same type, transformed with fixed parameters (no random draws).

>>> import ember
>>> from ember.vision import tv_tensors
>>> from ember.vision.transforms import functional as F
>>> F.hflip(tv_tensors.BoundingBoxes([[0, 0, 2, 1]], format="XYXY", canvas_size=(4, 6)))
BoundingBoxes([[4, 0, 6, 1]], format=BoundingBoxFormat.XYXY, canvas_size=(4, 6))
>>> F.get_size(ember.zeros(3, 4, 6))
[4, 6]
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .. import tv_tensors
from . import _color as C
from . import _geometry as G
from .v2 import _geometry as GT
from .v2._color import Normalize
from .v2._misc import ToDtype, ToImage, ToPILImage, ToTensor, PILToTensor
from .v2._transform import Transform, boxes_back, boxes_xyxy, image_size, kind_of, to_chw

ImageLike = Any  # an ember Tensor or tv_tensors.Image, a NumPy array, a PIL image, a Mask or BoundingBoxes


def _apply(t: Transform, inpt, params: dict):
    kind = kind_of(inpt)
    if kind is None:
        raise TypeError(f"expected an image (tensor, NumPy array, PIL image), Mask or BoundingBoxes, got "
                        f"{type(inpt).__name__}")
    return t.transform(inpt, "image" if kind == "tensor" else kind, params)


def _image_only(inpt: ImageLike, kernel):
    if kind_of(inpt) in ("boxes", "mask"):
        return inpt
    a, restore = to_chw(inpt)
    return restore(kernel(a))


def get_size(inpt: ImageLike) -> list:
    """[height, width]."""
    return list(image_size([inpt]))


def get_dimensions(inpt: ImageLike) -> list:
    """[channels, height, width] of an image."""
    a, _ = to_chw(inpt)
    return [a.shape[-3], a.shape[-2], a.shape[-1]]


def hflip(inpt: ImageLike) -> ImageLike:
    return _apply(GT.RandomHorizontalFlip(1.0), inpt, {})


horizontal_flip = hflip


def vflip(inpt: ImageLike) -> ImageLike:
    return _apply(GT.RandomVerticalFlip(1.0), inpt, {})


vertical_flip = vflip


def resize(inpt: ImageLike, size, interpolation="bilinear", max_size: int | None = None,
           antialias: bool = True) -> ImageLike:
    t = GT.Resize(size, interpolation, max_size, antialias)
    return _apply(t, inpt, t.make_params([inpt]))


def _geometry(interpolation="bilinear", antialias=True, fill=0, padding_mode="constant") -> GT._Geometry:
    t = GT._Geometry()
    t.interpolation, t.antialias, t.fill, t.padding_mode = interpolation, antialias, fill, padding_mode
    return t


def crop(inpt: ImageLike, top: int, left: int, height: int, width: int) -> ImageLike:
    return _apply(_geometry(), inpt, {"crop": (top, left, height, width)})


def center_crop(inpt: ImageLike, output_size) -> ImageLike:
    t = GT.CenterCrop(output_size)
    return _apply(t, inpt, t.make_params([inpt]))


def resized_crop(inpt: ImageLike, top: int, left: int, height: int, width: int, size, interpolation="bilinear",
                 antialias: bool = True) -> ImageLike:
    size = (size, size) if isinstance(size, numbers.Number) else tuple(size)
    return _apply(_geometry(interpolation, antialias), inpt, {"crop": (top, left, height, width), "size": size})


def pad(inpt: ImageLike, padding, fill=0, padding_mode: str = "constant") -> ImageLike:
    return _apply(_geometry(fill=fill, padding_mode=padding_mode), inpt, {"pad": G.pad_ltrb(padding)})


def _warp(interpolation, fill) -> GT._Warp:
    t = GT._Warp()
    t.interpolation, t.fill = interpolation, fill
    return t


def rotate(inpt: ImageLike, angle: float, interpolation="nearest", expand: bool = False, center=None,
           fill=None) -> ImageLike:
    """Rotate counter-clockwise by ``angle`` degrees about ``center`` (default: the image centre)."""
    t = _warp(interpolation, fill)
    h, w = image_size([inpt])
    return _apply(t, inpt, t._plan(h, w, -angle, (0.0, 0.0), 1.0, (0.0, 0.0), center, expand))


def affine(inpt: ImageLike, angle: float, translate, scale: float, shear, interpolation="nearest", fill=None,
           center=None) -> ImageLike:
    """Affine map about ``center``: rotation ``angle`` (clockwise, torchvision's convention), ``translate``
    (pixels), ``scale``, ``shear`` (degrees; a number shears x only)."""
    shear = (float(shear), 0.0) if isinstance(shear, numbers.Number) else tuple(float(s) for s in shear)
    shear = shear if len(shear) == 2 else (shear[0], 0.0)
    t = _warp(interpolation, fill)
    h, w = image_size([inpt])
    return _apply(t, inpt, t._plan(h, w, angle, tuple(translate), scale, shear, center, False))


def perspective(inpt: ImageLike, startpoints, endpoints, interpolation="bilinear", fill=None) -> ImageLike:
    """Warp so that the four ``startpoints`` (pixel corners [x, y]) land on ``endpoints``."""
    t = _warp(interpolation, fill)
    h, w = image_size([inpt])
    return _apply(t, inpt, {"inv": G.perspective_coeffs(startpoints, endpoints), "out": (h, w), "offset": (0.0, 0.0)})


def gaussian_blur(inpt: ImageLike, kernel_size, sigma=None) -> ImageLike:
    ks = (kernel_size, kernel_size) if isinstance(kernel_size, numbers.Number) else tuple(kernel_size)
    if sigma is None:  # torchvision's default: 0.3 * ((k - 1) * 0.5 - 1) + 0.8
        sigma = [k * 0.15 + 0.35 for k in ks]
    sig = (float(sigma), float(sigma)) if isinstance(sigma, numbers.Number) else tuple(float(s) for s in sigma)
    return _image_only(inpt, lambda a: C.gaussian_blur(a, ks, sig))


def adjust_brightness(inpt: ImageLike, brightness_factor: float) -> ImageLike:
    return _image_only(inpt, lambda a: C.adjust_brightness(a, brightness_factor))


def adjust_contrast(inpt: ImageLike, contrast_factor: float) -> ImageLike:
    return _image_only(inpt, lambda a: C.adjust_contrast(a, contrast_factor))


def adjust_saturation(inpt: ImageLike, saturation_factor: float) -> ImageLike:
    return _image_only(inpt, lambda a: C.adjust_saturation(a, saturation_factor))


def adjust_hue(inpt: ImageLike, hue_factor: float) -> ImageLike:
    return _image_only(inpt, lambda a: C.adjust_hue(a, hue_factor))


def adjust_sharpness(inpt: ImageLike, sharpness_factor: float) -> ImageLike:
    return _image_only(inpt, lambda a: C.adjust_sharpness(a, sharpness_factor))


def posterize(inpt: ImageLike, bits: int) -> ImageLike:
    return _image_only(inpt, lambda a: C.posterize(a, bits))


def solarize(inpt: ImageLike, threshold: float) -> ImageLike:
    return _image_only(inpt, lambda a: C.solarize(a, threshold))


def autocontrast(inpt: ImageLike) -> ImageLike:
    return _image_only(inpt, C.autocontrast)


def equalize(inpt: ImageLike) -> ImageLike:
    return _image_only(inpt, C.equalize)


def invert(inpt: ImageLike) -> ImageLike:
    return _image_only(inpt, C.invert)


def rgb_to_grayscale(inpt: ImageLike, num_output_channels: int = 1) -> ImageLike:
    return _image_only(inpt, lambda a: C.rgb_to_grayscale(a, num_output_channels))


to_grayscale = rgb_to_grayscale


def normalize(inpt: ImageLike, mean, std, inplace: bool = False) -> ImageLike:
    return Normalize(mean, std, inplace)(inpt)


def erase(inpt: ImageLike, i: int, j: int, h: int, w: int, v, inplace: bool = False) -> ImageLike:
    """Set inpt[..., i:i+h, j:j+w] to ``v`` (a tensor broadcastable to that region, or a number)."""
    def kernel(a):
        out = a.copy()
        out[..., i:i + h, j:j + w] = v._data if hasattr(v, "_data") else v
        return out
    return _image_only(inpt, kernel)


def to_image(inpt: ImageLike) -> tv_tensors.Image:
    return ToImage()(inpt)


def to_dtype(inpt: ImageLike, dtype, scale: bool = False) -> ImageLike:
    return ToDtype(dtype, scale)(inpt)


def to_tensor(pic: ImageLike) -> ImageLike:
    return ToTensor()(pic)


def pil_to_tensor(pic: ImageLike) -> ImageLike:
    return PILToTensor()(pic)


def to_pil_image(pic: ImageLike, mode: str | None = None) -> ImageLike:
    return ToPILImage(mode)(pic)


def convert_bounding_box_format(inpt: tv_tensors.BoundingBoxes, new_format) -> tv_tensors.BoundingBoxes:
    new = tv_tensors.BoundingBoxFormat[new_format.upper()] if isinstance(new_format, str) else new_format
    target = tv_tensors.BoundingBoxes(np.zeros((0, 4)), format=new, canvas_size=inpt.canvas_size)
    out = boxes_back(boxes_xyxy(inpt), target, inpt.canvas_size)
    return tv_tensors.BoundingBoxes(out._data.astype(inpt._data.dtype), format=new, canvas_size=inpt.canvas_size)


def clamp_bounding_boxes(inpt: tv_tensors.BoundingBoxes) -> tv_tensors.BoundingBoxes:
    return boxes_back(G.clamp_boxes(boxes_xyxy(inpt), inpt.canvas_size), inpt, inpt.canvas_size)


__all__ = ["adjust_brightness", "adjust_contrast", "adjust_hue", "adjust_saturation", "adjust_sharpness", "affine",
           "autocontrast", "center_crop", "clamp_bounding_boxes", "convert_bounding_box_format", "crop", "equalize",
           "erase", "gaussian_blur", "get_dimensions", "get_size", "hflip", "horizontal_flip", "invert", "normalize",
           "pad", "perspective", "pil_to_tensor", "posterize", "resize", "resized_crop", "rgb_to_grayscale", "rotate",
           "solarize", "to_dtype", "to_grayscale", "to_image", "to_pil_image", "to_tensor", "vertical_flip", "vflip"]
