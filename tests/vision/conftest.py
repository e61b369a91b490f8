"""Let the vision tests run while ember's core package is half-written.

``ember.vision`` imports only NumPy and the standard library. If ``import ember`` fails
(its ``__init__`` is being written), register a bare package for ``ember`` so that
``ember.vision.datasets`` still imports from the source tree.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

try:
    import ember  # noqa: F401
except Exception:  # any error from a half-written core
    package = types.ModuleType("ember")
    package.__path__ = [str(Path(__file__).resolve().parents[2] / "ember")]
    sys.modules["ember"] = package
