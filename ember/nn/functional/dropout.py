"""(being written) nn.functional.dropout"""
from __future__ import annotations

__all__: list = []
