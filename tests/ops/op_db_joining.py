"""Op-table rows for ember/ops/joining.py."""
from __future__ import annotations

import numpy as np
import torch

import ember

from .opinfo import ALL, ErrorSample, FLOAT, Sample, T, arr, table
from .samples import _f, _t, err, gen

OPS, row = table()


# ---------------------------------------------------------------- joining
row("cat", lambda a, b: ember.cat([a, b], 1), lambda a, b: torch.cat([a, b], 1),
    lambda d, rng: [Sample((T(arr(rng, (3, 2), d)), T(arr(rng, (3, 4), d))))], dtypes=ALL,
    errors=lambda: [ErrorSample((T(np.ones((3, 2), "float32")), T(np.ones((4, 2), "float32"))))])
row("cat_promote", lambda a, b: ember.cat([a, b]), lambda a, b: torch.cat([a, b]),
    lambda d, rng: [Sample((T(arr(rng, (2,), "int64")), T(arr(rng, (3,), d))))])
row("stack", lambda a, b: ember.stack([a, b], -1), lambda a, b: torch.stack([a, b], -1),
    lambda d, rng: [Sample((T(arr(rng, (3, 2), d)), T(arr(rng, (3, 2), d))))])
# ---------------------------------------------------------------- joining
for _n in ("hstack", "vstack", "row_stack", "column_stack", "dstack"):
    row(_n, lambda *a, n=_n: getattr(ember, n)(list(a)), lambda *a, n=_n: getattr(torch, n)(list(a)),
        gen(("1d", [_f((3,)), _f((3,))], {}), ("2d", [_f((2, 3)), _f((2, 3))], {}), ("0d", [_f(()), _f(())], {})),
        dtypes=FLOAT + ("int64",))
for _n in ("concat", "concatenate"):
    _kw = "dim" if _n == "concat" else "axis"
    row(_n, lambda a, b, n=_n, k=_kw: getattr(ember, n)([a, b], **{k: 1}),
        lambda a, b, n=_n, k=_kw: getattr(torch, n)([a, b], **{k: 1}),
        gen(("2d", [_f((2, 3)), _f((2, 1))], {})), dtypes=FLOAT + ("int64",),
        errors=err(([_t((2, 3)), _t((3, 1))], {})))
