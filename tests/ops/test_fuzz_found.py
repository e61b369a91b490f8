"""Regressions found by the composition fuzz (tests/fuzz.py), each checked against torch on the same input.

Each test names the fuzz class it came from ("<op>: <what differed>").
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember


def _both(fn, *arrays, grad=True):
    """fn(T, *tensors) on torch and on ember; returns [(value, grads)] for each."""
    out = []
    for T in (torch, ember):
        ts = [T.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
        y = fn(T, *ts)
        grads = []
        if grad:
            y.backward(T.ones_like(y) if y.ndim else None)
            grads = [None if t.grad is None else t.grad.numpy() for t in ts]
        out.append((y.detach().numpy(), grads, str(y.dtype).rsplit(".", 1)[-1]))
    return out


def _assert_same(pair):
    (tv, tg, td), (ev, eg, ed) = pair
    assert td == ed
    np.testing.assert_allclose(ev, tv, rtol=1e-6, equal_nan=True)
    for a, b in zip(eg, tg):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-6, equal_nan=True)


@pytest.mark.parametrize("fn", ["maximum", "minimum"])
def test_maximum_nan_passes_the_gradient_to_both_sides(fn):
    """fuzz class 'binary: grad value': torch's maximum/minimum backward masks by a < b / a > b, so a NaN
    on one side sends the full gradient to both inputs (ember sent none to the NaN side)."""
    a = np.array([np.nan, 1.0, 2.0, 3.0])
    b = np.array([0.5, np.nan, 2.0, 1.0])
    _assert_same(_both(lambda T, x, y: getattr(T, fn)(x, y) * 2, a, b))


@pytest.mark.parametrize("fn", ["maximum", "minimum"])
def test_maximum_takes_no_python_number(fn):
    """fuzz class 'binary: torch raises TypeError, ember does not'."""
    for T in (torch, ember):
        with pytest.raises(TypeError, match="other"):
            getattr(T, fn)(T.ones(2), 3.0)


def test_clamp_gradient_is_a_select_not_a_product():
    """fuzz class 'pointwise: grad value': a NaN reaching clamp from above (std of one element) gives a zero
    gradient where the input was clamped, as torch's where(mask, grad, 0)."""
    x = np.array([2.0, -3.0, 0.2])

    def fn(T, t):
        y = T.clamp(t, min=-0.5, max=0.5)
        return y * T.tensor([np.nan, np.nan, 1.0], dtype=y.dtype)

    _assert_same(_both(fn, x))
