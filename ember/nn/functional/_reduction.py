"""The one reduction helper of the losses: torch's ``reduction`` argument ('none' | 'mean' | 'sum') and the
deprecated ``size_average``/``reduce`` pair that maps to it (torch's ``torch/nn/_reduction.py``)."""
from __future__ import annotations

import warnings

from ...tensor import Tensor


def legacy_get_string(size_average, reduce, emit_warning: bool = True) -> str:
    """torch's mapping of the deprecated (size_average, reduce) pair to a ``reduction`` string."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.")
    return ret


def _red(size_average, reduce, reduction: str) -> str:
    if size_average is not None or reduce is not None:
        return legacy_get_string(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def reduce_loss(loss: Tensor, reduction: str) -> Tensor:
    """Apply 'none' / 'mean' / 'sum' to a pointwise loss."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")
