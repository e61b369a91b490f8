"""The model registry: ``register`` tags a builder with a name and the input size it needs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Entry:
    builder: Callable
    input_size: int                 # the side d2l resizes Fashion-MNIST to for this model
    small_input_size: int | None    # the side with ``small_input=True``; None if not offered


MODELS: dict[str, Entry] = {}


def register(name: str, input_size: int, small_input_size: int | None = None) -> Callable:
    """Decorator: file the builder under ``name``."""
    def deco(fn: Callable) -> Callable:
        MODELS[name] = Entry(fn, input_size, small_input_size)
        return fn
    return deco


def check_weights(weights) -> None:
    """ember downloads nothing: ``weights`` exists for torchvision's signature and must be None."""
    if weights is not None:
        raise ValueError(f"ember.models downloads no weights (got weights={weights!r}); build the model "
                         "with weights=None and load a checkpoint: model.load_state_dict(ember.load(path))")
