"""Containers and conversions of ``transforms.v2``: Compose, RandomApply, RandomChoice, RandomOrder, Lambda,
ToImage, ToDtype, ConvertImageDtype, ToTensor, PILToTensor, ToPILImage, ToPureTensor."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ember.dtypes import to_dtype
from ember.tensor import Tensor, wrap

from ... import tv_tensors
from .. import _color as C
from ._transform import Transform, is_pil, rng, to_chw


def _call(t: Callable, inputs: tuple):
    return t(*inputs) if len(inputs) > 1 else t(inputs[0])


class Compose:
    """Apply ``transforms`` in order (a call with several inputs passes them all along)."""

    def __init__(self, transforms: Sequence[Callable]) -> None:
        if not isinstance(transforms, (list, tuple)):
            raise TypeError("Argument transforms should be a sequence of callables")
        self.transforms = list(transforms)

    def __call__(self, *inputs: Any) -> Any:
        for t in self.transforms:
            out = _call(t, inputs)
            inputs = out if len(inputs) > 1 else (out,)
        return inputs if len(inputs) > 1 else inputs[0]

    def __repr__(self) -> str:
        return "Compose(\n" + "".join(f"    {t}\n" for t in self.transforms) + ")"


class RandomApply(Compose):
    """Apply all ``transforms`` with probability ``p``, else none."""

    def __init__(self, transforms: Sequence[Callable], p: float = 0.5) -> None:
        super().__init__(transforms)
        if not 0.0 <= p <= 1.0:
            raise ValueError("`p` should be a floating point value in the interval [0.0, 1.0].")
        self.p = p

    def __call__(self, *inputs: Any) -> Any:
        if rng().random() >= self.p:
            return inputs if len(inputs) > 1 else inputs[0]
        return super().__call__(*inputs)


class RandomChoice:
    """Apply one of ``transforms``, picked with probabilities ``p`` (uniform by default)."""

    def __init__(self, transforms: Sequence[Callable], p: Sequence[float] | None = None) -> None:
        if p is not None and len(p) != len(transforms):
            raise ValueError(f"Length of p doesn't match the number of transforms: {len(p)} != {len(transforms)}")
        self.transforms = list(transforms)
        total = sum(p) if p is not None else len(transforms)
        self.p = [x / total for x in p] if p is not None else [1.0 / total] * len(transforms)

    def __call__(self, *inputs: Any) -> Any:
        i = int(rng().choice(len(self.transforms), p=self.p))
        return _call(self.transforms[i], inputs)


class RandomOrder(Compose):
    """Apply ``transforms`` in a random order."""

    def __call__(self, *inputs: Any) -> Any:
        for i in rng().permutation(len(self.transforms)):
            out = _call(self.transforms[i], inputs)
            inputs = out if len(inputs) > 1 else (out,)
        return inputs if len(inputs) > 1 else inputs[0]


class Lambda:
    """Apply a user function to the input."""

    def __init__(self, lambd: Callable, *types) -> None:
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd, self.types = lambd, types

    def __call__(self, *inputs: Any) -> Any:
        return _call(self.lambd, inputs)

    def __repr__(self) -> str:
        return f"Lambda({getattr(self.lambd, '__name__', 'lambda')})"


class ToImage(Transform):
    """PIL image, HWC/HW array or tensor -> ``tv_tensors.Image`` (C, H, W), dtype kept."""

    def transform(self, inpt, kind, params):
        if kind != "image" and kind != "tensor":
            return inpt
        a, _ = to_chw(inpt)
        return tv_tensors.Image(np.ascontiguousarray(a))


class ToPureTensor(Transform):
    """tv_tensors -> plain ember tensors."""

    def transform(self, inpt, kind, params):
        return wrap(inpt._data) if isinstance(inpt, Tensor) else inpt


def _np_dtype(dtype) -> np.dtype:
    return to_dtype(dtype).np


class ToDtype(Transform):
    """Cast images to ``dtype`` (a dict maps tv_tensor types, or ``"others"``, to dtypes); ``scale=True``
    also maps the value range (uint8 [0, 255] <-> float [0, 1])."""

    def __init__(self, dtype, scale: bool = False) -> None:
        self.dtype, self.scale = dtype, scale

    def _target(self, inpt, kind):
        if not isinstance(self.dtype, dict):
            return self.dtype if kind in ("image", "tensor") else None
        for typ, dt in self.dtype.items():
            if isinstance(typ, type) and isinstance(inpt, typ):
                return dt
        return self.dtype.get("others")

    def transform(self, inpt, kind, params):
        dtype = self._target(inpt, kind)
        if dtype is None:
            return inpt
        npd = _np_dtype(dtype)
        if kind in ("image", "tensor"):
            a, restore = to_chw(inpt)
            out = C.convert_dtype(a, npd) if self.scale else a.astype(npd)
            return restore(out) if isinstance(inpt, Tensor) else tv_tensors.Image(out)
        return type(inpt)(inpt._data.astype(npd)) if not isinstance(inpt, tv_tensors.BoundingBoxes) else \
            tv_tensors.BoundingBoxes(inpt._data.astype(npd), format=inpt.format, canvas_size=inpt.canvas_size)

    def extra_repr(self) -> str:
        return f"dtype={self.dtype}, scale={self.scale}"


class ConvertImageDtype(ToDtype):
    """``ToDtype(dtype, scale=True)`` (torchvision v1's name)."""

    def __init__(self, dtype) -> None:
        super().__init__(dtype, scale=True)


class ToTensor:
    """PIL image or HW/HWC array -> (C, H, W) tensor: uint8 becomes float32 scaled to [0, 1], other dtypes
    keep their dtype and values (torchvision's rule)."""

    def __call__(self, pic):
        if not (is_pil(pic) or isinstance(pic, np.ndarray)):
            raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
        a, _ = to_chw(pic)
        out = a.astype(np.float32) / 255.0 if a.dtype == np.uint8 else a
        return wrap(np.ascontiguousarray(out))

    def __repr__(self) -> str:
        return "ToTensor()"


class PILToTensor:
    """PIL image or array -> (C, H, W) tensor with the same dtype and values."""

    def __call__(self, pic):
        a, _ = to_chw(pic)
        return wrap(np.ascontiguousarray(a))

    def __repr__(self) -> str:
        return "PILToTensor()"


class ToPILImage:
    """(C, H, W) tensor or (H, W, C) array -> PIL image; floats are scaled by 255 and truncated to uint8."""

    def __init__(self, mode: str | None = None) -> None:
        self.mode = mode

    def __call__(self, pic):
        from PIL import Image as PILImage

        if isinstance(pic, Tensor):
            a = pic._data
            if a.ndim not in (2, 3):
                raise ValueError(f"pic should be 2/3 dimensional. Got {a.ndim} dimensions.")
            a = a if a.ndim == 2 else a.transpose(1, 2, 0)
        elif isinstance(pic, np.ndarray):
            a = pic
        else:
            raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
        if np.issubdtype(a.dtype, np.floating) and self.mode != "F":
            a = (a * 255).astype(np.uint8)
        if a.ndim == 3 and a.shape[2] == 1:
            a = a[:, :, 0]
        img = PILImage.fromarray(np.ascontiguousarray(a))
        return img.convert(self.mode) if self.mode and img.mode != self.mode else img

    def __repr__(self) -> str:
        return f"ToPILImage(mode={self.mode})"
