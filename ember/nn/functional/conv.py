"""(being written) nn.functional.conv"""
from __future__ import annotations

__all__: list = []
