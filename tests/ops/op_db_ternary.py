"""Op-table rows for ember/ops/ternary.py."""
from __future__ import annotations

import numpy as np
import torch

import ember

from .opinfo import FLOAT, Sample, T, arr, positive, standard_binary, standard_unary, table
from .samples import NO_GRAD, _SPECIAL, _f, _fn, _t, err, gen

OPS, row = table()


for _n in ("logical_and", "logical_or", "logical_xor"):
    row(_n, getattr(ember, _n), getattr(torch, _n), standard_binary(scalar=None), dtypes=FLOAT + ("bool",),
        grad=False, gradcheck=False)
# ---------------------------------------------------------------- where / clamp
row("where", lambda c, a, b: ember.where(c > 0, a, b), lambda c, a, b: torch.where(c > 0, a, b),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d), grad=False), T(arr(rng, (3, 4), d)), T(arr(rng, (1, 4), d)))),
                    Sample((T(arr(rng, (3, 1), d), grad=False), T(arr(rng, (), d)), T(arr(rng, (4,), d))))])
row("where_scalar", lambda c, a: ember.where(c > 0, a, 0.0), lambda c, a: torch.where(c > 0, a, 0.0),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d), grad=False), T(arr(rng, (3, 4), d))))])
row("clamp", lambda x: x.clamp(-1, 1), lambda x: x.clamp(-1, 1), standard_unary(), dtypes=FLOAT + ("int64",))
row("clamp_min", lambda x: x.clamp(min=0.5), lambda x: x.clamp(min=0.5), standard_unary())
row("clamp_tensor", lambda x, lo, hi: ember.clamp(x, lo, hi), lambda x, lo, hi: torch.clamp(x, lo, hi),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)), T(arr(rng, (3, 4), d, -3, -1)), T(arr(rng, (4,), d, 1, 3))))])
row("clamp_max", lambda x: ember.clamp_max(x, 0.5), lambda x: torch.clamp_max(x, 0.5), standard_unary(),
    dtypes=FLOAT + ("int64",))
row("clip", lambda x: ember.clip(x, -1.0, 1.0), lambda x: torch.clip(x, -1.0, 1.0), standard_unary())
# ---------------------------------------------------------------- binary math
for _n in ("atan2", "arctan2"):
    row(_n, *_fn(_n), standard_binary(fn_b=positive, scalar=None), gradgrad=True,
        errors=err(([_t((3,)), _t((4,))], {})))
row("hypot", *_fn("hypot"), standard_binary(fn_a=positive, fn_b=positive, scalar=None))
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
