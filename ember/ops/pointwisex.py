"""(being written) ops: see docs/DEVELOPING.md."""
from __future__ import annotations
