"""``ember.amp``: mixed precision, as torch.amp: ``autocast`` (ops in bfloat16/float16 where torch's CPU
autocast runs them so) and ``GradScaler`` (dynamic loss scaling)."""
from __future__ import annotations

from .autocast_mode import (autocast, clear_autocast_cache, get_autocast_cpu_dtype, get_autocast_dtype,
                            is_autocast_cpu_enabled, is_autocast_enabled)
from .grad_scaler import GradScaler

__all__ = ["autocast", "GradScaler", "is_autocast_enabled", "is_autocast_cpu_enabled", "get_autocast_dtype",
           "get_autocast_cpu_dtype", "clear_autocast_cache"]
