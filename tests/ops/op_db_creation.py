"""Op-table rows for ember/ops/creation.py."""
from __future__ import annotations

import numpy as np
import torch

import ember

from .opinfo import ALL, table
from .samples import NO_GRAD, _dt, _f, _fn, gen

OPS, row = table()


for _n in ("zeros", "ones", "empty"):
    row(_n, lambda *a, n=_n, **k: getattr(ember, n)(*a, **{kk: _dt(ember, v) if kk == "dtype" else v for kk, v in k.items()}),
        lambda *a, n=_n, **k: getattr(torch, n)(*a, **{kk: _dt(torch, v) if kk == "dtype" else v for kk, v in k.items()}),
        gen(("varargs", [2, 3], {}), ("tuple", [(2, 3)], {}), ("0d", [()], {}), ("dtype", [4], {"dtype": "int64"}),
            ("size", [], {"size": (1, 2)})),
        dtypes=("float32",), nondeterministic_values=_n == "empty", **NO_GRAD)
row("full", lambda s, v, **k: ember.full(s, v, **k), lambda s, v, **k: torch.full(s, v, **k),
    gen(("float", [(2, 3), 1.5], {}), ("int", [(2,), 7], {}), ("bool", [(2,), True], {})), dtypes=("float32",),
    **NO_GRAD)
for _n in ("zeros_like", "ones_like", "empty_like"):
    row(_n, *_fn(_n), gen(("2d", [_f((3, 4))], {}), ("noncontig", [_f((3, 4), "transposed")], {})),
        dtypes=ALL, nondeterministic_values=_n == "empty_like", view=False, **NO_GRAD)
row("full_like", lambda x: ember.full_like(x, 2), lambda x: torch.full_like(x, 2),
    gen(("2d", [_f((3, 4))], {})), dtypes=ALL, view=False, **NO_GRAD)
row("arange", lambda *a, **k: ember.arange(*a, **k), lambda *a, **k: torch.arange(*a, **k),
    gen(("end", [5], {}), ("start_end", [2, 7], {}), ("step", [1, 10, 3], {}), ("float", [0.0, 1.0, 0.25], {}),
        ("neg_step", [5, 0, -2], {}), ("empty", [3, 3], {})), dtypes=("float32",), **NO_GRAD)
row("linspace", *_fn("linspace"), gen(("5", [0.0, 1.0, 5], {}), ("1", [2.0, 3.0, 1], {}), ("0", [0.0, 1.0, 0], {}),
                                      ("desc", [3, -1, 4], {})), dtypes=("float32",), **NO_GRAD)
row("logspace", *_fn("logspace"), gen(("10", [0.0, 2.0, 5], {}), ("base2", [0.0, 3.0, 4], {"base": 2.0})),
    dtypes=("float32",), **NO_GRAD)
row("eye", *_fn("eye"), gen(("square", [3], {}), ("rect", [2, 4], {}), ("zero", [0], {})), dtypes=("float32",),
    **NO_GRAD)
row("scalar_tensor", *_fn("scalar_tensor"), gen(("float", [3.5], {}), ("int", [2], {})), dtypes=("float32",), **NO_GRAD)
for _n in ("tensor", "as_tensor", "asarray"):
    row(_n, *_fn(_n), gen(("floats", [[[1.0, 2.0], [3.0, 4.5]]], {}), ("ints", [[1, 2, 3]], {}),
                          ("bools", [[True, False]], {}), ("scalar", [2.5], {}), ("empty", [[]], {})),
        dtypes=("float32",), **NO_GRAD)
row("from_numpy", lambda a: ember.from_numpy(a), lambda a: torch.from_numpy(a),
    gen(("f32", [np.arange(6, dtype=np.float32).reshape(2, 3)], {}), ("i64", [np.arange(3)], {}),
        ("f64", [np.linspace(0, 1, 4)], {})), dtypes=("float32",), **NO_GRAD)
# ---------------------------------------------------------------- complex parts (of a real input)
row("complex", *_fn("complex"), gen(("pair", [_f((3,)), _f((3,))], {})), **NO_GRAD)
