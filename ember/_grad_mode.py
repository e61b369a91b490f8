"""Grad mode: whether ops record the graph. ``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``inference_mode``: each a context manager and a decorator, as torch's.

>>> import ember
>>> x = ember.ones(2, requires_grad=True)
>>> with ember.no_grad():
...     y = x * 2
>>> y.requires_grad
False
"""
from __future__ import annotations

import functools
import inspect


class _State:
    __slots__ = ("enabled", "inference", "anomaly")

    def __init__(self) -> None:
        self.enabled = True
        self.inference = False
        self.anomaly = False


STATE = _State()


def is_grad_enabled() -> bool:
    return STATE.enabled


def is_inference_mode_enabled() -> bool:
    return STATE.inference


class _GradModeContext:
    """Base for the grad-mode managers: subclasses set ``_target`` and use it on enter."""

    _target = True

    def __enter__(self):
        self._prev = STATE.enabled
        STATE.enabled = self._target
        return self

    def __exit__(self, *exc) -> None:
        STATE.enabled = self._prev

    def __call__(self, fn):
        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def gen_wrapper(*args, **kwargs):
                gen = fn(*args, **kwargs)
                with self.clone():
                    value = next(gen)
                while True:
                    sent = yield value
                    with self.clone():
                        value = gen.send(sent)
            return gen_wrapper

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return type(self)()


class no_grad(_GradModeContext):
    """Ops inside record no graph; results have ``requires_grad=False``."""

    _target = False

    def __new__(cls, orig_func=None):
        if callable(orig_func):  # used bare, as ``@no_grad``
            return cls()(orig_func)
        return super().__new__(cls)


class enable_grad(_GradModeContext):
    """Turn recording back on inside a ``no_grad`` block."""

    _target = True


class set_grad_enabled(_GradModeContext):
    """``set_grad_enabled(False)`` acts at once (as a function) and as a context manager."""

    def __init__(self, mode: bool) -> None:
        self._prev = STATE.enabled
        self._target = bool(mode)
        STATE.enabled = self._target

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        STATE.enabled = self._prev

    def clone(self):
        return set_grad_enabled(self._target)


class inference_mode(_GradModeContext):
    """Like ``no_grad`` (ember keeps no extra bookkeeping to skip); ``mode=False`` is a no-op."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)
        self._target = not self.mode if self.mode else STATE.enabled

    def __enter__(self):
        self._prev = STATE.enabled
        self._prev_inf = STATE.inference
        if self.mode:
            STATE.enabled = False
            STATE.inference = True
        return self

    def __exit__(self, *exc) -> None:
        STATE.enabled = self._prev
        STATE.inference = self._prev_inf

    def clone(self):
        return inference_mode(self.mode)
