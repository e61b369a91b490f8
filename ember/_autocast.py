"""Autocast's state and its one cast point: ``autocast_policy`` marks a public op as computing in the
autocast dtype (``"lower"``: matmul, linear, conv) or in float32 (``"fp32"``: losses, reductions that
overflow); while ``ember.autocast`` is on, the marked op casts its floating tensor arguments (not float64,
as torch) and runs with autocast suspended inside, so the ops it is built from do not cast again.

The public API (``ember.autocast``, ``ember.amp``) lives in ``ember/amp``; this module sits on the ground
floor so that the op modules can mark themselves without importing upward.
"""
from __future__ import annotations

import functools

from . import dtypes
from .tensor import Tensor


class _State:
    __slots__ = ("active", "enabled", "dtype", "cache_enabled", "cache")

    def __init__(self) -> None:
        self.active = False  # enabled and not suspended inside a marked op: the one flag the hot path reads
        self.enabled = False
        self.dtype = None  # an ember dtype, bfloat16 by default on the CPU
        self.cache_enabled = True
        self.cache: dict = {}


AUTOCAST = _State()


def _cast(t, policy: str):
    if not isinstance(t, Tensor):
        return t
    target = AUTOCAST.dtype if policy == "lower" else dtypes.float32
    if t.dtype not in (dtypes.float32, dtypes.float16, dtypes.bfloat16) or t.dtype == target:
        return t
    weight = policy == "lower" and AUTOCAST.cache_enabled and t.requires_grad and t.grad_fn is None
    if weight:  # torch caches the low-precision copy of each fp32 weight for the whole autocast region
        hit = AUTOCAST.cache.get(id(t))
        if hit is not None and hit[0] is t:
            return hit[1]
    out = t.to(target)
    if weight:
        AUTOCAST.cache[id(t)] = (t, out)
    return out


def autocast_policy(policy: str):
    """Mark a public op: under autocast its floating tensor arguments are cast (see the module doc)."""
    if policy not in ("lower", "fp32"):
        raise ValueError(f"autocast_policy: unknown policy {policy!r}")

    def deco(fn):
        @functools.wraps(fn)
        def op(*args, **kwargs):
            if not AUTOCAST.active:
                return fn(*args, **kwargs)
            args = tuple(_cast(a, policy) for a in args)
            kwargs = {k: _cast(v, policy) for k, v in kwargs.items()}
            AUTOCAST.active = False
            try:
                return fn(*args, **kwargs)
            finally:
                AUTOCAST.active = True

        op.__autocast_policy__ = policy
        return op

    return deco
