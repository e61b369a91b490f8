"""``ember.jit``: graph capture. ``trace`` records one forward as a flat list of op calls and replays it
without the Python around them (module calls, hooks, argument parsing, shape checks in functional code).

A traced function is specialised to its inputs' shapes, dtypes and grad mode: a call with new ones is a
guard miss, and the function is traced again (one cached program per signature). Replay calls each op's
``apply`` directly, so gradients flow as in eager mode. As with ``torch.jit.trace``, Python control flow
and Python numbers read from tensors are frozen at the traced values; values made outside ops (a tensor
built with ``ember.zeros`` inside forward) are constants of the program.

>>> import ember
>>> net = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.ReLU())
>>> traced = ember.jit.trace(net, ember.randn(2, 3))
>>> x = ember.randn(2, 3)
>>> bool((traced(x) == net(x)).all())
True
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

from .._grad_mode import STATE
from ..nn.modules.module import Module
from ..tensor import Tensor
from ._program import CaptureError, capture
from ._lower import lower_forward, lower_step
from ._serialize import load_program, save_program
from ._step import capture_step

__all__ = ["trace", "script", "TracedModule", "save", "load", "CompiledFunction"]


class TracedModule:
    """A module (or function) with its forward captured; calls replay the program for the inputs'
    signature and trace again on a guard miss (new shapes, dtypes or grad mode)."""

    def __init__(self, fn: Callable, example_inputs: tuple) -> None:
        self._fn = fn
        self._programs: dict = {}
        self.retraces = 0
        self(*example_inputs)

    @property
    def module(self):
        return self._fn

    def __getattr__(self, name: str) -> Any:  # parameters(), state_dict(), train() ... of the module
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._fn, name)

    def __call__(self, *inputs):
        key = (_fast_signature(inputs), getattr(self._fn, "training", None))
        prog = self._programs.get(key)
        if prog is None:
            if self._programs:
                self.retraces += 1
            prog = self._programs[key] = capture(self._fn, inputs)
            prog.lowered = lower_forward(prog)
        return prog.run(inputs)

    def forward(self, *inputs):
        return self(*inputs)


def _fast_signature(inputs) -> tuple:
    """The guard key of a call: each tensor's shape and dtype, each Python value's repr."""
    return tuple((a._data.shape, a._data.dtype) if isinstance(a, Tensor) else ("py", repr(a)) for a in inputs)


def trace(func: Callable, example_inputs: Any, **kwargs: Any) -> TracedModule:
    """Capture ``func(*example_inputs)`` (a Module or a function of tensors) as a replayable program."""
    inputs = (example_inputs,) if isinstance(example_inputs, Tensor) else tuple(example_inputs)
    return TracedModule(func, inputs)


def script(obj: Any, example_inputs: Any = None, **kwargs: Any):
    """ember has no TorchScript compiler: a module is traced instead (with ``example_inputs``, or on its
    first call), which is right only when its forward has no data-dependent control flow."""
    warnings.warn("ember.jit.script traces the module instead of compiling its source: the result is "
                  "correct only if forward has no data-dependent control flow (if/while on tensor values)",
                  stacklevel=2)
    if example_inputs is not None:
        return trace(obj, example_inputs)
    return _LazyTrace(obj)


class _LazyTrace:
    """Traces on the first call (``script`` without example inputs)."""

    def __init__(self, fn: Callable) -> None:
        self._fn, self._traced = fn, None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._fn, name)

    def __call__(self, *inputs):
        if self._traced is None:
            self._traced = TracedModule(self._fn, inputs)
        return self._traced(*inputs)


def save(m: TracedModule, f: Any) -> None:
    """Write the traced program of ``m`` (its first input signature) and its weights to ``f`` (a path or a
    binary file): one ``.npz`` of arrays and a JSON program, no pickle (see ``_serialize``)."""
    save_program(m, f)


def load(f: Any, map_location: Any = None):
    """Read a program written by :func:`save`; only ember's own ops are imported, no code from the file
    runs. The result is callable on inputs of the traced shapes and dtypes."""
    return load_program(f)


def compile(model: Any = None, *, fullgraph: bool = False, dynamic: Any = None, backend: Any = None,
            mode: Any = None, options: Any = None, disable: bool = False):
    """``ember.compile``: a Module's calls replay its captured forward (see :func:`trace`); a function's
    calls replay the whole captured call, a training step included (forward, ``backward``,
    ``optimizer.step()``; see :class:`CompiledFunction`). Both are traced on the first call of each input
    signature; where capture is not possible they run eagerly, with a one-time warning that says why."""
    if model is None:
        return lambda m: compile(m, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                                 options=options, disable=disable)
    if disable:
        return model
    if isinstance(model, Module):
        return CompiledModule(model)
    return CompiledFunction(model)


class CompiledFunction:
    """What ``ember.compile(fn)`` returns for a function, e.g. a training step::

        def train_step(x, y):
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            return loss            # or loss.item()

    The first call with a new input signature (shapes, dtypes, grad mode) runs ``fn`` eagerly while
    recording it; later calls replay the recording: the ops of the forward on value slots, the backward as
    a fixed schedule of the nodes' backward functions (no graph walk), each gradient given to the same
    ``.grad`` tensor as in the last step, and the optimizer's update; each value is released after its last
    use. A call whose modules changed ``training``
    mode, or whose inputs have a new signature, is captured again (``retraces`` counts those).

    The replay does what the recorded call did with the same tensors: ``fn``'s Python code does not run
    again, so Python side effects, control flow on tensor values and values made outside ops (a tensor
    built from a NumPy array inside ``fn``) are frozen. What is known not to replay (see ``_step``) makes
    the function run eagerly from then on, with one warning.
    """

    def __init__(self, fn: Callable) -> None:
        self._fn = fn
        self._programs: dict = {}
        self.retraces = 0
        self._eager_reason = None

    def __call__(self, *inputs):
        if self._eager_reason is not None:
            return self._fn(*inputs)
        key = (_fast_signature(inputs), STATE.enabled)
        for prog in self._programs.get(key, ()):
            if prog.guards_hold():
                return prog.run(inputs)
        if self._programs:
            self.retraces += 1
        prog, reason, result = capture_step(self._fn, inputs)
        if prog is None:
            self._eager_reason = reason
            warnings.warn(f"ember.compile: running {getattr(self._fn, '__name__', self._fn)!s} eagerly: {reason}",
                          stacklevel=2)
        else:
            prog.lowered = lower_step(prog, result)
            self._programs.setdefault(key, []).append(prog)
        return result


class CompiledModule(TracedModule):
    """What ``ember.compile`` returns: a lazily traced module that falls back to eager mode."""

    def __init__(self, fn: Callable) -> None:
        self._fn = fn
        self._programs = {}
        self.retraces = 0
        self._eager_reason = None

    def __call__(self, *inputs):
        if self._eager_reason is not None:
            return self._fn(*inputs)
        try:
            return TracedModule.__call__(self, *inputs)
        except CaptureError as e:
            self._eager_reason = str(e)
            warnings.warn(f"ember.compile: running {type(self._fn).__name__} eagerly: {e}", stacklevel=2)
            return self._fn(*inputs)

