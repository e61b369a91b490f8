"""The op tape: run one forward and record every op call (``Function.apply``) with its inputs and outputs.

Recording is off by default and costs nothing then: :class:`OpTape` swaps in a recording ``Function.apply``
for the duration of a ``with`` block only, together with the plain (non fast-path) tensor operators, so
every arithmetic op reaches ``apply``. Only top-level calls are recorded (an op that calls another op
inside its forward is one entry). A module listed in ``leaves`` (the recurrent layers) is recorded as one
entry of its own, and the ops inside it are not.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from ..nn.modules.module import Module
from ..ops import arith, inplace
from ..tensor import Tensor


@dataclass
class Entry:
    """One recorded call: the Function class (or the leaf module), its arguments and its output tensors."""

    op: Any
    args: tuple
    kwargs: dict
    outputs: tuple
    module: Any = None
    nodes: tuple = ()  # each output's grad_fn when it was made (an in-place op later replaces it)
    grad: bool = True  # grad mode when it was called


@dataclass
class OpTape:
    """``with OpTape() as tape: y = model(x)`` fills ``tape.entries``; ``leaves`` maps module classes that
    are recorded whole (their inner ops are not)."""

    leaves: tuple = ()
    functions: tuple = ()  # (owner, attribute) of public functions recorded whole, as Function-like entries
    entries: list = field(default_factory=list)
    keep: list = field(default_factory=list)  # every array seen stays alive: ids are never reused

    def __enter__(self) -> "OpTape":
        tape, depth = self, [0]
        self._depth = depth  # > 0 inside a recorded call (ember.jit's step tape records more kinds of call)
        orig_apply = Function.__dict__["apply"]
        orig_write = inplace._write
        orig_call = Module.__call__
        self._restore = [(Function, "apply", orig_apply), (inplace, "_write", orig_write),
                         (Module, "__call__", orig_call)]
        for name in ("__add__", "__sub__", "__mul__", "__truediv__"):
            self._restore.append((Tensor, name, Tensor.__dict__[name]))
        apply_fn = orig_apply.__func__

        def recording_apply(cls, *args, **kwargs):
            depth[0] += 1
            try:
                out = apply_fn(cls, *args, **kwargs)
            finally:
                depth[0] -= 1
            if depth[0] == 0:
                tape._record(cls, args, kwargs, out, None)
            return out

        def recording_write(dst, data, cast_check):
            orig_write(dst, data, cast_check)
            if depth[0] == 0:
                tape.keep.append((dst._data, data))
                tape.entries.append(Entry("inplace", (dst._data, data), {}, ()))

        def recording_call(module, *args, **kwargs):
            if depth[0] == 0 and isinstance(module, tape.leaves):
                depth[0] += 1
                try:
                    out = orig_call(module, *args, **kwargs)
                finally:
                    depth[0] -= 1
                tape._record(type(module), args, kwargs, out, module)
                return out
            return orig_call(module, *args, **kwargs)

        for owner, attr in self.functions:
            fn = owner.__dict__[attr] if isinstance(owner, type) else getattr(owner, attr)
            self._restore.append((owner, attr, fn))
            setattr(owner, attr, self._recording_function(fn, attr, depth))
        Function.apply = classmethod(recording_apply)
        inplace._write = recording_write
        Module.__call__ = recording_call
        for name, cls in (("__add__", arith.Add), ("__sub__", arith.Sub), ("__mul__", arith.Mul),
                          ("__truediv__", arith.Div)):
            setattr(Tensor, name, _plain(cls))
        return self

    def __exit__(self, *exc) -> None:
        for owner, name, value in reversed(self._restore):  # a later patch may wrap an earlier one
            setattr(owner, name, value)

    def _recording_function(self, fn, name: str, depth: list) -> Callable:
        """``fn`` recorded as one entry whose op is a marker class named ``name`` (its inner ops are not);
        its arguments bound to the inner function's signature, defaults filled in, so converters read them
        by position."""
        import inspect

        inner = inspect.unwrap(fn)
        sig = inspect.signature(inner)
        marker = _FUNCTION_MARKERS.setdefault(name, type(name, (), {}))
        tape = self

        def call(*args, **kwargs):
            if depth[0]:
                return fn(*args, **kwargs)
            depth[0] += 1
            try:
                out = fn(*args, **kwargs)
            finally:
                depth[0] -= 1
            try:
                bound = sig.bind(*args, **kwargs)
                bound.apply_defaults()
                args, kwargs = tuple(bound.arguments.values()), {}
            except TypeError:  # a keyword alias (axis=): the converter sees the call as written
                pass
            tape._record(marker, args, kwargs, out, None)
            return out
        return call

    def _record(self, op, args, kwargs, out, module) -> None:
        outs = _flatten(out)
        self.keep.append((args, kwargs, outs))
        self.entries.append(Entry(op, args, kwargs, outs, module, tuple(o._grad_fn for o in outs),
                                  STATE.enabled))


_FUNCTION_MARKERS: dict = {}


def _plain(cls) -> Callable:
    def op(self, other):
        return cls.apply(self, other)
    return op


def _flatten(out) -> tuple:
    if isinstance(out, Tensor):
        return (out,)
    if isinstance(out, (tuple, list)):
        res = ()
        for o in out:
            res += _flatten(o)
        return res
    return ()
