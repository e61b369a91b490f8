"""``ember.testing``: torch.testing's ``assert_close`` (and the deprecated ``assert_allclose``), with torch's default
tolerances per dtype, its checks (type, shape, dtype, device) and its messages.

>>> import ember
>>> ember.testing.assert_close(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 2.0 + 1e-7]))
>>> ember.testing.assert_close(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 2.1]))
Traceback (most recent call last):
...
AssertionError: Tensor-likes are not close!
<BLANKLINE>
Mismatched elements: 1 / 2 (50.0%)
Greatest absolute difference: 0.09999990463256836 at index (1,) (up to 1e-05 allowed)
Greatest relative difference: 0.04761900380253792 at index (1,) (up to 1.3e-06 allowed)
"""
from __future__ import annotations

import numbers

import numpy as np

from . import dtypes as _dt
from .ops.creation import tensor as _tensor
from .tensor import Tensor

__all__ = ["assert_close", "assert_allclose"]

# torch.testing's default (rtol, atol) per dtype; exact comparison for the others
_TOL = {"float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7),
        "complex64": (1.3e-6, 1e-5), "complex128": (1e-7, 1e-7)}


def _fail(msg, default: str):
    text = default if msg is None else (msg(default) if callable(msg) else msg)
    raise AssertionError(text)


def _compare_tensors(a: Tensor, e: Tensor, rtol, atol, equal_nan, check_dtype, check_device, msg) -> None:
    if tuple(a.shape) != tuple(e.shape):
        _fail(msg, f"The values for attribute 'shape' do not match: {a.shape} != {e.shape}.")
    if check_device and a.device != e.device:
        _fail(msg, f"The values for attribute 'device' do not match: {a.device} != {e.device}.")
    if check_dtype and a.dtype != e.dtype:
        _fail(msg, f"The values for attribute 'dtype' do not match: {a.dtype} != {e.dtype}.")
    if rtol is None:
        rtol, atol = max((_TOL.get(t.dtype.name, (0.0, 0.0)) for t in (a, e)), key=lambda p: p[0])
    ad, ed = np.asarray(a.detach().cpu()._data), np.asarray(e.detach().cpu()._data)
    if ad.dtype != ed.dtype:
        common = np.promote_types(ad.dtype, ed.dtype)
        ad, ed = ad.astype(common), ed.astype(common)
    exact = ad.dtype == np.bool_ or ad.dtype.kind in "iu"
    if exact:
        ok = ad == ed
        diff = np.abs(ad.astype(np.int64) - ed.astype(np.int64))
    else:
        ok = np.isclose(ad, ed, rtol=rtol, atol=atol, equal_nan=equal_nan)
        diff = np.abs(ad - ed)  # in the tensors' dtype, as torch's message reports it
    if ok.all():
        return
    bad = ~ok
    n_bad, n = int(bad.sum()), ok.size
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = (diff.astype(np.float32) / np.abs(ed).astype(np.float32)) if exact else diff / np.abs(ed)
    d_masked = np.where(bad, np.nan_to_num(diff.astype(np.float64), nan=np.inf), -1)
    r_masked = np.where(bad, np.nan_to_num(rel.astype(np.float64), nan=np.inf), -1)
    ia, ir = np.unravel_index(np.argmax(d_masked), ok.shape), np.unravel_index(np.argmax(r_masked), ok.shape)
    equal = exact or (rtol == 0 and atol == 0)
    what = ("Scalars are" if ad.ndim == 0 else "Tensor-likes are") + (" not equal!" if equal else " not close!")
    up_a, up_r = ("", "") if equal else (f" (up to {atol} allowed)", f" (up to {rtol} allowed)")
    if ad.ndim == 0:
        text = (f"{what}\n\nExpected {ed.item()} but got {ad.item()}.\n"
                f"Absolute difference: {diff.item()}{up_a}\nRelative difference: {rel.item()}{up_r}")
    else:
        text = (f"{what}\n\nMismatched elements: {n_bad} / {n} ({100.0 * n_bad / n:.1f}%)\n"
                f"Greatest absolute difference: {diff[ia].item()} at index {tuple(int(i) for i in ia)}{up_a}\n"
                f"Greatest relative difference: {float(rel[ir])} at index {tuple(int(i) for i in ir)}{up_r}")
    _fail(msg, text)


def assert_close(actual, expected, *, allow_subclasses: bool = True, rtol: float | None = None,
                 atol: float | None = None, equal_nan: bool = False, check_device: bool = True,
                 check_dtype: bool = True, check_layout: bool = True, check_stride: bool = False, msg=None) -> None:
    """Raise AssertionError unless ``actual`` and ``expected`` are close: |actual - expected| <= atol + rtol
    |expected| elementwise, with torch's defaults per dtype when neither tolerance is given. Tensors, Python
    numbers, and sequences/mappings of them (compared item by item)."""
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got no "
                         f"{'rtol' if rtol is None else 'atol'}.")
    if isinstance(actual, Tensor) and isinstance(expected, Tensor):
        return _compare_tensors(actual, expected, rtol, atol, equal_nan, check_dtype, check_device, msg)
    if isinstance(actual, (list, tuple)) and isinstance(expected, (list, tuple)) \
            and not isinstance(actual, str):
        if len(actual) != len(expected):
            _fail(msg, f"The length of the sequences mismatch: {len(actual)} != {len(expected)}")
        for a, e in zip(actual, expected):
            assert_close(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan, check_device=check_device,
                         check_dtype=check_dtype, msg=msg)
        return None
    if isinstance(actual, dict) and isinstance(expected, dict):
        if set(actual) != set(expected):
            _fail(msg, f"The keys of the mappings do not match:\n{sorted(map(str, actual))} != "
                       f"{sorted(map(str, expected))}")
        for k in actual:
            assert_close(actual[k], expected[k], rtol=rtol, atol=atol, equal_nan=equal_nan,
                         check_device=check_device, check_dtype=check_dtype, msg=msg)
        return None
    if isinstance(actual, numbers.Number) and isinstance(expected, numbers.Number) \
            and not isinstance(actual, Tensor):
        if check_dtype and type(actual) is not type(expected):
            _fail(msg, f"The values for attribute 'dtype' do not match: {type(actual)} != {type(expected)}.")
        dt = "float64" if isinstance(actual, float) else ("complex128" if isinstance(actual, complex) else "int64")
        return _compare_tensors(_tensor(actual, dtype=getattr(_dt, dt)), _tensor(expected, dtype=getattr(_dt, dt)),
                                rtol, atol, equal_nan, False, False, msg)
    raise TypeError(f"No comparison pair was able to handle inputs of type {type(actual)} and {type(expected)}.")


def assert_allclose(actual, expected, rtol: float | None = None, atol: float | None = None, equal_nan: bool = True,
                    msg: str = "") -> None:
    """The deprecated ``torch.testing.assert_allclose``: ``assert_close`` without the dtype check, NaN equal."""
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_dtype=False,
                 msg=msg or None)
