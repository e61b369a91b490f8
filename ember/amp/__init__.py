"""``ember.amp``: mixed precision, as torch.amp: ``GradScaler`` (dynamic loss scaling)."""
from __future__ import annotations

from .grad_scaler import GradScaler

__all__ = ["GradScaler"]
