"""``ember.ao.nn.quantized.dynamic``: layers with int8 weights whose activations are quantized per call."""
from __future__ import annotations

from .modules import LSTM, Linear

__all__ = ["Linear", "LSTM"]
