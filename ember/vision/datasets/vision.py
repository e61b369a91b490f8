"""``VisionDataset``: what every ember vision dataset shares, with torchvision's name and behaviour.

A vision dataset has a ``root`` (``~`` expanded; ``None`` for data drawn in memory), an optional
``transform`` applied to each input, ``target_transform`` applied to each target, or one joint
``transforms(input, target)`` instead of both, and torchvision's ``__repr__``: the class name, the number
of datapoints, the root, the lines of ``extra_repr()`` and the transforms. Subclasses define ``__len__`` and
``__getitem__``, and end ``__getitem__`` with ``return self._apply_transforms(input, target)``.

Example:
    >>> class Pairs(VisionDataset):
    ...     def __len__(self):
    ...         return 3
    ...     def __getitem__(self, index):
    ...         return self._apply_transforms(index, -index)
    >>> ds = Pairs(target_transform=abs)
    >>> ds[2]
    (2, 2)
    >>> print(ds)
    Dataset Pairs
        Number of datapoints: 3
        StandardTransform
    Target transform: <built-in function abs>
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ...utils.data import Dataset

__all__ = ["StandardTransform", "VisionDataset"]


def _format_transform_repr(transform: Callable, head: str) -> list[str]:
    lines = repr(transform).splitlines()
    return [f"{head}{lines[0]}"] + [" " * len(head) + line for line in lines[1:]]


class StandardTransform:
    """The joint transform made of ``transform`` (on the input) and ``target_transform`` (on the target)."""

    def __init__(self, transform: Callable | None = None, target_transform: Callable | None = None) -> None:
        self.transform, self.target_transform = transform, target_transform

    def __call__(self, input: Any, target: Any) -> tuple[Any, Any]:
        if self.transform is not None:
            input = self.transform(input)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return input, target

    def __repr__(self) -> str:
        body = [type(self).__name__]
        if self.transform is not None:
            body += _format_transform_repr(self.transform, "Transform: ")
        if self.target_transform is not None:
            body += _format_transform_repr(self.target_transform, "Target transform: ")
        return "\n".join(body)


class VisionDataset(Dataset):
    """Base class of the vision datasets (torchvision's ``VisionDataset``).

    Args:
        root: the dataset's folder (``~`` is expanded), or ``None``.
        transforms: a callable ``(input, target) -> (input, target)``; not together with the next two.
        transform: applied to each input.
        target_transform: applied to each target.

    Raises:
        ValueError: both ``transforms`` and ``transform``/``target_transform`` are given.
    """

    _repr_indent = 4

    def __init__(self, root: str | os.PathLike | None = None, transforms: Callable | None = None,
                 transform: Callable | None = None, target_transform: Callable | None = None) -> None:
        if isinstance(root, (str, os.PathLike)):
            root = os.path.expanduser(os.fspath(root))
        self.root = root
        separate = transform is not None or target_transform is not None
        if transforms is not None and separate:
            raise ValueError("Only transforms or transform/target_transform can be passed as argument")
        self.transform, self.target_transform = transform, target_transform
        self.transforms = StandardTransform(transform, target_transform) if separate else transforms

    def _apply_transforms(self, input: Any, target: Any) -> tuple[Any, Any]:
        """``(input, target)`` after ``transforms`` (the joint one, or transform and target_transform)."""
        if self.transforms is not None:
            return self.transforms(input, target)
        return input, target

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def extra_repr(self) -> str:
        """More lines for ``__repr__`` (for example the split)."""
        return ""

    def __repr__(self) -> str:
        body = [f"Number of datapoints: {len(self)}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if self.transforms is not None:
            body.append(repr(self.transforms))  # as torchvision: only its first line is indented
        indent = " " * self._repr_indent
        return "\n".join([f"Dataset {type(self).__name__}"] + [indent + line for line in body])
