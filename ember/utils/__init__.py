"""ember.utils: ``data`` (Dataset, DataLoader, samplers), ``safetensors`` (save/load .safetensors) and
``checkpoint`` (activation checkpointing)."""
from __future__ import annotations


def __getattr__(name: str):
    if name in ("data", "safetensors", "checkpoint"):
        import importlib

        mod = importlib.import_module(f".{name}", __name__)
        globals()[name] = mod
        return mod
    raise AttributeError(f"module 'ember.utils' has no attribute '{name}'")
