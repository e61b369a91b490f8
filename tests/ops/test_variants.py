"""The method, in-place and ``out=`` variants of every op-table row, derived from the row as PyTorch's OpInfo
does (``method_variant``, ``inplace_variant``, ``out=``): a row whose ember callable is an exported function
``ember.<name>`` also checks ``x.<name>(...)``, ``x.<name>_(...)`` and ``ember.<name>(..., out=...)`` against the
same forms in torch, on the row's samples (values, dtypes, shapes; or the same exception type where torch raises)."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.tensor import Tensor

from .test_ops import OPS, _dtype_name, _np, _outputs, _pairs, _tol

torch = pytest.importorskip("torch", reason="torch is the test oracle (pip install -e '.[test]')")

_NAME_OF = {id(f): n for n, f in vars(ember).items() if callable(f) and not isinstance(f, type)}


def _function(op) -> str | None:
    """The exported function a row calls directly (``ember.<name>``), or None for composed callables."""
    n = _NAME_OF.get(id(op.ember))
    return n if n is not None and getattr(torch, n, None) is op.torch else None


ROWS = [(op, _function(op)) for op in OPS if _function(op) is not None and not op.nondeterministic_values]


def _same(got, exp, op, dtype, what):
    g_outs, e_outs = _outputs(got, op), _outputs(exp, op)
    assert len(g_outs) == len(e_outs), f"{what}: output count"
    for g, e in zip(g_outs, e_outs):
        if isinstance(e, torch.Tensor):
            assert isinstance(g, Tensor), f"{what}: expected a Tensor, got {type(g).__name__}"
            assert tuple(g.shape) == tuple(e.shape), f"{what}: shape {tuple(g.shape)} vs {tuple(e.shape)}"
            assert _dtype_name(g) == _dtype_name(e), f"{what}: dtype {g.dtype} vs {e.dtype}"
        atol, rtol = _tol(op, dtype)
        gn, en = _np(g), _np(e)
        np.testing.assert_allclose(gn.astype(np.float64) if gn.dtype.kind != "c" else gn,
                                   en.astype(np.float64) if en.dtype.kind != "c" else en,
                                   atol=atol, rtol=rtol, equal_nan=True, err_msg=what)


def _run(fe, ft, op, dtype, what):
    """Call torch's form, then ember's: equal results, or the same exception type when torch raises."""
    try:
        exp = ft()
    except Exception as err:  # noqa: BLE001 - torch's rejection is the expected behaviour
        with pytest.raises(type(err) if type(err) in (TypeError, ValueError, IndexError) else RuntimeError):
            fe()
        return None
    got = fe()
    _same(got, exp, op, dtype, what)
    return got, exp


def _variants(kind):
    out = []
    for op, n in ROWS:
        if kind == "method" and hasattr(torch.Tensor, n) and hasattr(Tensor, n):
            out.append(op)
        elif kind == "inplace" and hasattr(torch.Tensor, n + "_") and hasattr(Tensor, n + "_"):
            out.append(op)
        elif kind == "out":
            out.append(op)
    return out


@pytest.mark.parametrize("op", _variants("method"), ids=lambda op: op.name)
def test_method_variant(op):
    n = _function(op)
    rng = np.random.default_rng(0)
    for dtype in op.dtypes:
        for s, (ea, ek), (ta, tk) in _pairs(op, dtype, rng, False):
            if not ea or not isinstance(ea[0], Tensor):
                continue
            _run(lambda: getattr(ea[0], n)(*ea[1:], **ek), lambda: getattr(ta[0], n)(*ta[1:], **tk), op, dtype,
                 f"Tensor.{n}[{s.name}, {dtype}]")


@pytest.mark.parametrize("op", _variants("inplace"), ids=lambda op: op.name)
def test_inplace_variant(op):
    n = _function(op)
    rng = np.random.default_rng(0)
    for dtype in op.dtypes:
        for s, (ea, ek), (ta, tk) in _pairs(op, dtype, rng, False):
            if not ea or not isinstance(ea[0], Tensor):
                continue
            e0, t0 = ea[0].clone(), ta[0].clone()
            if n == "addbmm" and t0.dim() < 2:
                # torch's addbmm_ resizes a broadcast self to the result (it writes through addbmm's out= path);
                # ember raises torch's usual in-place error ("output with shape [5] doesn't match the broadcast
                # shape [3, 5]"), as every other in-place op does. Only this sample differs.
                continue
            res = _run(lambda: getattr(e0, n + "_")(*ea[1:], **ek), lambda: getattr(t0, n + "_")(*ta[1:], **tk),
                       op, dtype, f"Tensor.{n}_[{s.name}, {dtype}]")
            if res is not None:
                assert res[0] is e0, f"Tensor.{n}_ must return self"
                _same(e0, t0, op, dtype, f"Tensor.{n}_[{s.name}, {dtype}]: the written tensor")


@pytest.mark.parametrize("op", _variants("out"), ids=lambda op: op.name)
def test_out_variant(op):
    n = _function(op)
    rng = np.random.default_rng(0)
    checked = 0
    for dtype in op.dtypes:
        for s, (ea, ek), (ta, tk) in _pairs(op, dtype, rng, False):
            try:
                exp = op.torch(*ta, **tk)
            except Exception:  # noqa: BLE001 - error samples are test_errors' job
                continue
            if not isinstance(exp, torch.Tensor):
                continue
            t_out = torch.empty(0, dtype=exp.dtype)
            try:
                op.torch(*ta, **tk, out=t_out)
            except TypeError:  # torch has no out= here (or not for these arguments)
                return
            except RuntimeError:  # e.g. out= with arguments that require grad
                continue
            e_out = ember.empty(0, dtype=getattr(ember, str(exp.dtype).replace("torch.", "")))
            got = op.ember(*ea, **ek, out=e_out)
            assert got is e_out, f"ember.{n}(..., out=t) must return t"
            _same(e_out, t_out, op, dtype, f"ember.{n}(out=)[{s.name}, {dtype}]")
            checked += 1
