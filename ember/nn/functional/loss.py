"""(being written) nn.functional.loss"""
from __future__ import annotations

__all__: list = []
