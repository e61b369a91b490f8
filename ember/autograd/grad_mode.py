"""Grad modes (defined beside the Tensor in ``ember._grad_mode``; re-exported here)."""
from .._grad_mode import (STATE, enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                          no_grad, set_grad_enabled)

__all__ = ["STATE", "enable_grad", "inference_mode", "is_grad_enabled", "is_inference_mode_enabled", "no_grad",
           "set_grad_enabled"]
