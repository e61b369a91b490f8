"""Gradient clipping: ``clip_grad_norm_`` and ``clip_grad_value_``.

clip_grad_norm_: total = || (||g_1||_p, ..., ||g_k||_p) ||_p over every gradient (max |g| for p = inf);
each g is scaled by min(1, max_norm / (total + 1e-6)). Returns total as a tensor.

>>> import ember
>>> p = ember.nn.Parameter(ember.zeros(2))
>>> p.grad = ember.tensor([3.0, 4.0])
>>> ember.nn.utils.clip_grad_norm_([p], 1.0)
tensor(5.)
>>> [round(v, 4) for v in p.grad.tolist()]
[0.6, 0.8]
"""
from __future__ import annotations

import math

import numpy as np

from ...tensor import Tensor, wrap

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _grads(parameters) -> list:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _norm(a: np.ndarray, p: float) -> float:
    if a.size == 0:
        return 0.0
    if p == math.inf:
        return float(np.abs(a).max())
    if p == -math.inf:
        return float(np.abs(a).min())
    if p == 0:
        return float(np.count_nonzero(a))
    if p == 2:
        return float(np.sqrt(np.vdot(a, a).real)) if a.dtype.kind == "f" else float(np.linalg.norm(a.ravel()))
    return float((np.abs(a) ** p).sum() ** (1.0 / p))


def get_total_norm(tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """The p-norm of the per-tensor p-norms of ``tensors``."""
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    tensors = [t for t in tensors if t is not None]
    norm_type = float(norm_type)
    if not tensors:
        return wrap(np.asarray(0.0, np.float32))
    dtype = tensors[0]._data.dtype
    norms = np.array([_norm(t._data.astype(np.float64), norm_type) for t in tensors])
    total = _norm(norms, norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           "norm anyway, set `error_if_nonfinite=False`")
    return wrap(np.asarray(total, dtype=dtype))


def clip_grads_with_norm_(parameters, max_norm: float, total_norm: Tensor, foreach=None) -> None:
    """Scale every gradient by min(1, max_norm / (total_norm + 1e-6)), in place."""
    grads = _grads(parameters)
    if not grads:
        return
    coef = min(float(max_norm) / (float(total_norm.item()) + 1e-6), 1.0)
    for g in grads:
        g._data *= g._data.dtype.type(coef)
        g._bump()


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach=None) -> Tensor:
    """Rescale the gradients so that their total p-norm is at most ``max_norm``; return the norm
    before clipping. ``foreach`` is accepted and ignored."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    parameters = list(parameters)
    grads = _grads(parameters)
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(parameters, max_norm, total)
    return total


def clip_grad_norm(parameters, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach=None) -> Tensor:
    """Deprecated alias of ``clip_grad_norm_``."""
    import warnings

    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clamp every gradient into [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        np.clip(g._data, -clip_value, clip_value, out=g._data)
        g._bump()
