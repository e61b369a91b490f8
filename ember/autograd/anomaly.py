"""Anomaly detection: name the forward op whose backward produced NaN.

>>> import ember
>>> with ember.autograd.detect_anomaly():
...     x = ember.tensor([0.0], requires_grad=True)
...     try:
...         ember.sqrt(x * 0 - 1).sum().backward()
...     except RuntimeError as e:
...         print(str(e).splitlines()[0])
Function 'SqrtBackward0' returned nan values in its 0th output.
"""
from __future__ import annotations

import sys
import warnings

from .grad_mode import STATE


class detect_anomaly:
    """Context manager: record a forward traceback per node and check every backward for NaN."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self):
        self.prev = STATE.anomaly
        STATE.anomaly = True
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and "
                      "should only be enabled for debugging.", UserWarning, stacklevel=2)
        return self

    def __exit__(self, *exc) -> None:
        STATE.anomaly = self.prev


class set_detect_anomaly:
    """``set_detect_anomaly(True)``: a switch that also works as a context manager."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = STATE.anomaly
        STATE.anomaly = bool(mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        STATE.anomaly = self.prev


def is_anomaly_enabled() -> bool:
    return STATE.anomaly


def check_nan(node, grads) -> None:
    for i, g in enumerate(grads):
        if g is None:
            continue
        d = g._data
        if d.dtype.kind in "fc" and bool((d != d).any()):
            trace = getattr(node, "trace", None)
            if trace:
                print(f"Traceback of forward call that caused the error:\n{trace}", file=sys.stderr)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
