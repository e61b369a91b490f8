"""Op-table rows for ember/ops/scan.py."""
from __future__ import annotations

import numpy as np
import torch

import ember

from .opinfo import FLOAT, INT, T, table
from .samples import SCAN, _f, _t, err, gen, same

OPS, row = table()


row("cumsum", *same(lambda m: m.cumsum), gen(*SCAN), dtypes=FLOAT + INT + ("bool",), gradgrad=True)
row("cumsum_dtype", lambda x: ember.cumsum(x, 0, dtype=ember.float64), lambda x: torch.cumsum(x, 0, dtype=torch.float64),
    gen(("int", [lambda d, r: T(np.array([1, 2, 3]))], {})), dtypes=("int64",), grad=False, gradcheck=False)
row("cumprod", *same(lambda m: m.cumprod), gen(*SCAN), dtypes=FLOAT + ("int64",))
row("cumprod_zeros", *same(lambda m: m.cumprod),
    gen(("zeros", [lambda d, r: T(np.array([[2.0, 0.0, 3.0, 0.5], [0.0, 1.5, 0.0, 2.0]], d)), 1], {})))
row("cummax", *same(lambda m: m.cummax), gen(*SCAN[:5]), dtypes=FLOAT + ("int64",))
row("cummin", *same(lambda m: m.cummin), gen(*SCAN[:5]), dtypes=FLOAT + ("int64",))
row("logcumsumexp", *same(lambda m: m.logcumsumexp), gen(*SCAN), errors=err(([T(np.ones(3, np.int64)), 0], {})))
row("diff", *same(lambda m: m.diff),
    gen(("1d", [_f((5,))], {}), ("n2", [_f((3, 5)), 2], {}), ("dim0", [_f((3, 4)), 1, 0], {}),
        ("pre_app", [_f((2, 3)), 1, -1, _f((2, 1)), _f((2, 2))], {}), ("big_n", [_f((3,)), 5], {})),
    dtypes=FLOAT + ("int64", "bool"), errors=err(([_t(())], {})))
