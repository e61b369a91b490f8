"""Process-wide switches that PyTorch scripts set: float32 matmul precision and deterministic algorithms.

ember computes float32 GEMMs in full float32 on NumPy and its algorithms are deterministic, so these record
the setting (scripts read it back) and change no result.

>>> import ember
>>> ember.set_float32_matmul_precision("high")
>>> ember.get_float32_matmul_precision()
'high'
>>> ember.set_float32_matmul_precision("highest")
"""
from __future__ import annotations

import warnings

_state = {"matmul_precision": "highest", "deterministic": False, "warn_only": False}


def set_float32_matmul_precision(precision: str) -> None:
    """torch's switch for TF32/bf16 float32 GEMMs: 'highest', 'high' or 'medium' (no effect on NumPy)."""
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "set_float32_matmul_precision call has no effect.", UserWarning, stacklevel=2)
        return
    _state["matmul_precision"] = precision


def get_float32_matmul_precision() -> str:
    return _state["matmul_precision"]


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Recorded only: every ember kernel is already deterministic."""
    _state["deterministic"], _state["warn_only"] = bool(mode), bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _state["deterministic"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _state["warn_only"]
