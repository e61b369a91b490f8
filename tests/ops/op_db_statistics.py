"""Op-table rows for ember/ops/statistics.py."""
from __future__ import annotations

import numpy as np
import torch

import ember

from .opinfo import Sample, T, arr, table
from .samples import _f, _t, err, gen, same

OPS, row = table()


for _interp in ("linear", "lower", "higher", "midpoint", "nearest"):
    row(f"quantile_{_interp}", lambda x, q, *a, i=_interp, **k: ember.quantile(x, q, *a, interpolation=i, **k),
        lambda x, q, *a, i=_interp, **k: torch.quantile(x, q, *a, interpolation=i, **k),
        lambda d, rng: [Sample((T(arr(rng, (7,), d)), 0.3), name="all"),
                        Sample((T(arr(rng, (3, 5), d)), 0.5, 1), name="dim"),
                        Sample((T(arr(rng, (3, 4), d)), T(np.array([0.0, 0.25, 1.0], d), grad=False), 0, True), name="qvec_keep"),
                        Sample((T(arr(rng, (2, 3), d)), 0.75), {"keepdim": True}, name="all_keep")],
        errors=err(([_t((3,)), 1.5], {}), ([T(np.ones(3, np.int64)), 0.5], {})) if _interp == "linear" else None)
row("nanquantile", *same(lambda m: m.nanquantile),
    gen(("all", [lambda d, r: T(np.array([1.0, np.nan, 3.0, 2.0], d)), 0.4], {}),
        ("dim", [lambda d, r: T(np.array([[1.0, np.nan, 3.0], [np.nan, 2.0, np.nan]], d)), 0.5, 1], {})),
    gradcheck=False)
row("nanquantile_allnan", *same(lambda m: m.nanquantile),
    gen(("dim", [lambda d, r: T(np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan]], d)), 0.5, 1], {})),
    grad=False, gradcheck=False)
row("quantile_nan", *same(lambda m: m.quantile),
    gen(("dim", [lambda d, r: T(np.array([[1.0, np.nan, 3.0], [1.0, 2.0, 0.0]], d)), 0.5, 1], {})),
    grad=False, gradcheck=False)
row("bincount", *same(lambda m: m.bincount),
    gen(("plain", [lambda d, r: T(np.array([0, 3, 3, 1]))], {}),
        ("weights", [lambda d, r: T(np.array([0, 3, 3, 1])), lambda d, r: T(arr(r, (4,), d))], {"minlength": 6})),
    grad=False, gradcheck=False,
    errors=err(([T(np.array([-1, 2]))], {}), ([T(np.array([1.0, 2.0]))], {})))
row("histc", *same(lambda m: m.histc),
    gen(("auto", [_f((20,))], {"bins": 5}), ("range", [_f((4, 5))], {"bins": 4, "min": -1, "max": 2})),
    grad=False, gradcheck=False,
    errors=err(([T(np.array([1, 2]))], {}), ([_t((3,))], {"min": 3, "max": 1})))
row("histogram", *same(lambda m: m.histogram),
    gen(("bins", [_f((20,)), 4], {}), ("range_w", [_f((6,)), 3], {"range": (-1.0, 1.0), "weight": _f((6,))}),
        ("density", [_f((10,)), 4], {"density": True})),
    grad=False, gradcheck=False)
