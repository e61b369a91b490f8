"""Op-table rows for pointwise ops not covered in op_db_core.py: torch's aliases (``absolute``,
``arctan2``, ``greater``, ...), binary and ternary math (``atan2``, ``hypot``, ``lerp``, ``addcmul``),
and predicates (``isclose``, ``isposinf``, ``nan_to_num``)."""
from __future__ import annotations

import numpy as np
import torch

import ember

from .op_db_shape import _f, _t, err, gen
from .opinfo import FLOAT, OpInfo, T, arr, positive, standard_binary, standard_unary, unit

OPS: list = []


def row(name, e, t, samples, **kw):
    OPS.append(OpInfo(name, e, t, samples, **kw))


def _fn(name):
    return getattr(ember, name), getattr(torch, name)


NO_GRAD = {"grad": False, "gradcheck": False}

# ---------------------------------------------------------------- aliases of unary ops
for _n, _gen in [("absolute", arr), ("arccos", unit), ("arcsin", unit), ("arctan", arr), ("arcsinh", arr),
                 ("arctanh", unit), ("negative", arr), ("positive", arr)]:
    row(_n, *_fn(_n), standard_unary(_gen))
row("arccosh", *_fn("arccosh"), standard_unary(lambda r, s, d: arr(r, s, d, 1.2, 3.0)))
row("fix", *_fn("fix"), standard_unary(), gradcheck=False)
row("sgn", *_fn("sgn"), standard_unary(), dtypes=FLOAT + ("int64",), gradcheck=False)
row("logit", *_fn("logit"), standard_unary(lambda r, s, d: arr(r, s, d, 0.05, 0.95)))
row("logit_eps", lambda x: ember.logit(x, eps=0.1), lambda x: torch.logit(x, eps=0.1),
    standard_unary(lambda r, s, d: arr(r, s, d, 0.2, 0.8)))
row("clamp_max", lambda x: ember.clamp_max(x, 0.5), lambda x: torch.clamp_max(x, 0.5), standard_unary(),
    dtypes=FLOAT + ("int64",))
row("clip", lambda x: ember.clip(x, -1.0, 1.0), lambda x: torch.clip(x, -1.0, 1.0), standard_unary())

# ---------------------------------------------------------------- aliases of binary ops
for _n in ("multiply", "subtract"):
    row(_n, *_fn(_n), standard_binary(), dtypes=FLOAT + ("int64",))
row("divide", *_fn("divide"), standard_binary(fn_b=positive), dtypes=FLOAT + ("int64",))
row("divide_floor", lambda a, b: ember.divide(a, b, rounding_mode="floor"),
    lambda a, b: torch.divide(a, b, rounding_mode="floor"), standard_binary(fn_b=positive), **NO_GRAD)
row("floor_divide", *_fn("floor_divide"), standard_binary(fn_b=positive), dtypes=FLOAT + ("int64",), **NO_GRAD)
for _n in ("greater", "greater_equal", "less", "less_equal", "not_equal"):
    row(_n, *_fn(_n), standard_binary(), dtypes=FLOAT + ("int64",), **NO_GRAD)

# ---------------------------------------------------------------- binary math
for _n in ("atan2", "arctan2"):
    row(_n, *_fn(_n), standard_binary(fn_b=positive, scalar=None), gradgrad=True,
        errors=err(([_t((3,)), _t((4,))], {})))
row("hypot", *_fn("hypot"), standard_binary(fn_a=positive, fn_b=positive, scalar=None))
for _n in ("fmax", "fmin"):
    row(_n, *_fn(_n), standard_binary(scalar=None), dtypes=FLOAT + ("int64",))
    row(f"{_n}_nan", *_fn(_n), gen(("nan", [lambda d, r: T(np.array([np.nan, 1.0, np.nan], d)),
                                            lambda d, r: T(np.array([2.0, np.nan, np.nan], d))], {})),
        **NO_GRAD)
for _n in ("bitwise_left_shift", "bitwise_right_shift"):
    row(_n, *_fn(_n), gen(("same", [lambda d, r: T(arr(r, (3, 4), d, 0, 20)), lambda d, r: T(arr(r, (3, 4), d, 0, 3))], {}),
                          ("bcast", [lambda d, r: T(arr(r, (3, 1), d, 0, 20)), lambda d, r: T(arr(r, (4,), d, 0, 3))], {})),
        dtypes=("int64", "int32"), **NO_GRAD)

# ---------------------------------------------------------------- ternary
row("lerp", *_fn("lerp"),
    gen(("scalar_w", [_f((3, 4)), _f((3, 4)), 0.3], {}), ("tensor_w", [_f((3, 4)), _f((4,)), _f((3, 1))], {}),
        ("noncontig", [_f((3, 4), "transposed"), _f((3, 4)), 0.7], {})),
    gradgrad=True, errors=err(([_t((3,)), _t((4,)), 0.5], {})))
for _n in ("addcmul", "addcdiv"):
    _den = (lambda d, r: T(arr(r, (4,), d, 0.5, 2.0))) if _n == "addcdiv" else _f((4,))
    row(_n, *_fn(_n),
        gen(("plain", [_f((3, 4)), _f((3, 4)), _den], {}), ("value", [_f((3, 1)), _f((3, 4)), _den], {"value": -0.5}),
            ("noncontig", [_f((4, 4), "transposed"), _f((4, 4)), _den], {"value": 2})),
        gradgrad=True, errors=err(([_t((3,)), _t((4,)), _t((4,))], {})))

# ---------------------------------------------------------------- predicates and cleaning
_SPECIAL = lambda d, r: T(np.array([np.inf, -np.inf, np.nan, 0.0, -1.5, 2.0], d))  # noqa: E731
for _n in ("isposinf", "isneginf"):
    row(_n, *_fn(_n), gen(("special", [_SPECIAL], {}), ("2d", [_f((3, 4))], {})), **NO_GRAD)
row("nan_to_num", *_fn("nan_to_num"),
    gen(("default", [_SPECIAL], {}), ("values", [_SPECIAL], {"nan": 1.0, "posinf": 9.0, "neginf": -9.0}),
        ("plain", [_f((3, 4))], {})), gradcheck=False)
row("isclose", *_fn("isclose"),
    gen(("near", [lambda d, r: T(np.array([1.0, 1.0 + 1e-9, 2.0, np.nan, np.inf], d)),
                  lambda d, r: T(np.array([1.0, 1.0, 2.1, np.nan, np.inf], d))], {}),
        ("nan_eq", [lambda d, r: T(np.array([np.nan, 1.0], d)), lambda d, r: T(np.array([np.nan, 1.0], d))],
         {"equal_nan": True}),
        ("tol", [_f((3, 4)), _f((3, 4))], {"rtol": 0.5, "atol": 1.0})), **NO_GRAD)
row("isclose_int", *_fn("isclose"), gen(("int", [_f((3, 4)), _f((3, 4))], {}), ("tol", [_f((3, 4)), _f((3, 4))], {"atol": 2})),
    dtypes=("int64",), **NO_GRAD)
row("allclose", lambda a, b, **k: ember.allclose(a, b, **k), lambda a, b, **k: torch.allclose(a, b, **k),
    gen(("same", [lambda d, r: T(np.array([1.0, 2.0], d)), lambda d, r: T(np.array([1.0, 2.0 + 1e-9], d))], {}),
        ("far", [_f((3,)), _f((3,))], {}), ("tol", [_f((3,)), _f((3,))], {"atol": 10.0})), **NO_GRAD)
row("equal", lambda a, b: ember.equal(a, b), lambda a, b: torch.equal(a, b),
    gen(("same", [lambda d, r: T(np.arange(4.0).astype(d)), lambda d, r: T(np.arange(4.0).astype(d))], {}),
        ("differ", [_f((3,)), _f((3,))], {}), ("shape", [_f((3,)), _f((1, 3))], {})),
    dtypes=FLOAT + ("int64",), **NO_GRAD)
for _n in ("is_floating_point", "is_complex"):
    row(_n, *_fn(_n), gen(("t", [_f((2,))], {})), dtypes=FLOAT + ("int64", "bool"), **NO_GRAD)
row("numel", *_fn("numel"), gen(("2d", [_f((3, 4))], {}), ("0d", [_f(())], {}), ("empty", [_f((0, 3))], {})),
    **NO_GRAD)

# ---------------------------------------------------------------- complex parts (of a real input)
row("complex", *_fn("complex"), gen(("pair", [_f((3,)), _f((3,))], {})), **NO_GRAD)
row("real", lambda a, b: ember.real(ember.complex(a, b)), lambda a, b: torch.real(torch.complex(a, b)),
    gen(("pair", [_f((3,)), _f((3,))], {})), skip_checks=("view",), gradcheck=False)
row("imag", lambda a, b: ember.imag(ember.complex(a, b)), lambda a, b: torch.imag(torch.complex(a, b)),
    gen(("pair", [_f((3,)), _f((3,))], {})), skip_checks=("view",), gradcheck=False)
row("conj", lambda x: ember.conj(x).resolve_conj() if hasattr(ember.Tensor, "resolve_conj") else ember.conj(x),
    lambda x: torch.conj(x).resolve_conj(), standard_unary(), skip_checks=("view",))
