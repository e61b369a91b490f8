"""``ember.backends.cudnn``: torch's cuDNN switches, so training scripts that set them run unchanged.

ember has no cuDNN (its GPU path is CuPy), so ``is_available()`` is False and the flags change nothing;
they keep torch's names and defaults, and ``flags(...)`` sets them for a ``with`` block, as torch's.

>>> import ember
>>> ember.backends.cudnn.benchmark = True
>>> ember.backends.cudnn.benchmark, ember.backends.cudnn.deterministic, ember.backends.cudnn.is_available()
(True, False, False)
>>> ember.backends.cudnn.benchmark = False
"""
from __future__ import annotations

import contextlib
import sys

enabled: bool = True
benchmark: bool = False
benchmark_limit: int | None = None  # torch's value when cuDNN is absent
deterministic: bool = False
allow_tf32: bool = True


def is_available() -> bool:
    """Whether cuDNN can be used: never in ember."""
    return False


def version() -> int | None:
    """cuDNN's version: None when it is not available (torch's answer on a CPU build)."""
    return None


def is_acceptable(tensor) -> bool:
    """Whether cuDNN would take ``tensor``: False (no cuDNN)."""
    return False


@contextlib.contextmanager
def flags(enabled: bool = False, benchmark: bool = False, benchmark_limit: int | None = 10,
          deterministic: bool = False, allow_tf32: bool = True):
    """Set the flags inside a ``with`` block and restore them after it."""
    mod = sys.modules[__name__]
    names = ("enabled", "benchmark", "benchmark_limit", "deterministic", "allow_tf32")
    saved = {n: getattr(mod, n) for n in names}
    new = dict(zip(names, (enabled, benchmark, benchmark_limit, deterministic, allow_tf32)))
    for n, v in new.items():
        if v is not None:
            setattr(mod, n, v)
    try:
        yield
    finally:
        for n, v in saved.items():
            setattr(mod, n, v)
