"""Collect the public layer classes of every topic module in this package (activation.py, conv.py, ...),
so a new file of layers needs no edit anywhere else."""
from __future__ import annotations

import importlib
import pkgutil


def load_all() -> dict:
    out = {}
    pkg = importlib.import_module(__package__)
    for m in pkgutil.iter_modules(pkg.__path__):
        if m.name.startswith("_") or m.name in ("module", "hooks"):
            continue
        mod = importlib.import_module(f"{__package__}.{m.name}")
        for name in getattr(mod, "__all__", ()):
            out[name] = getattr(mod, name)
    return out
