"""Random number generators: ``Generator`` (torch's API over NumPy's PCG64), the default one, seeding.

The same seed and the same sequence of calls give the same numbers run to run (torch's exact bits
are not reproduced).

>>> import ember
>>> _ = ember.manual_seed(0); a = ember.rand(3)
>>> _ = ember.manual_seed(0); b = ember.rand(3)
>>> bool((a == b).all())
True
"""
from __future__ import annotations

import json
import time

import numpy as np

from .tensor import wrap


class Generator:
    """A random stream: ``manual_seed``, ``seed``, ``initial_seed``, ``get_state``/``set_state``."""

    def __init__(self, device="cpu") -> None:
        self.device = device
        self._seed = 67280421310721  # torch's default seed
        self._np = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed: int) -> "Generator":
        seed = int(seed)
        if seed < 0:
            seed = seed & 0xFFFF_FFFF_FFFF_FFFF
        self._seed = seed
        self._np = np.random.Generator(np.random.PCG64(seed))
        return self

    def seed(self) -> int:
        s = int(time.time_ns()) & 0xFFFF_FFFF_FFFF_FFFF
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self):
        state = json.dumps({"seed": self._seed, "bg": self._np.bit_generator.state}).encode()
        return wrap(np.frombuffer(state, dtype=np.uint8).copy())

    def set_state(self, new_state) -> "Generator":
        data = np.asarray(new_state._data if hasattr(new_state, "_data") else new_state, dtype=np.uint8)
        try:
            st = json.loads(data.tobytes().decode())
            bg = np.random.PCG64()
            bg.state = st["bg"]
        except (ValueError, KeyError, TypeError) as e:
            raise RuntimeError("Invalid RNG state: expected a tensor from Generator.get_state()") from e
        self._seed = st["seed"]
        self._np = np.random.Generator(bg)
        return self

    def __repr__(self) -> str:
        return f"<ember.Generator object at {hex(id(self))}>"


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (and return it), as torch.manual_seed."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    default_generator.set_state(new_state)


def np_rng(generator: Generator | None = None) -> np.random.Generator:
    """The NumPy generator behind ``generator`` (or the default one)."""
    return (generator or default_generator)._np


class fork_rng:
    """Save the default generator's state and restore it on exit."""

    def __init__(self, devices=None, enabled: bool = True, **kwargs) -> None:
        self.enabled = enabled

    def __enter__(self):
        if self.enabled:
            self.state = default_generator.get_state()
        return self

    def __exit__(self, *exc) -> None:
        if self.enabled:
            default_generator.set_state(self.state)
