"""Op-table rows for ember/ops/softmax.py."""
from __future__ import annotations

import numpy as np
import torch

import ember

from .opinfo import T, table
from .samples import _f, err, gen, same

OPS, row = table()


for _n in ("softmax", "log_softmax"):
    row(_n, *same(lambda m, n=_n: getattr(m, n)),
        gen(("1d", [_f((5,)), 0], {}), ("2d", [_f((3, 4)), 1], {}), ("dim0", [_f((3, 4)), 0], {}),
            ("noncontig", [_f((4, 3), "transposed"), -1], {}), ("0d", [_f(()), 0], {}), ("empty", [_f((0, 3)), 1], {}),
            ("big", [lambda d, r: T(np.array([1000.0, 0.0, -1000.0], d)), 0], {})),
        gradgrad=True, errors=err(([T(np.ones(3, np.int64)), 0], {})))
    row(_n + "_dtype", lambda x, n=_n: getattr(ember, n)(x, 0, dtype=ember.float64),
        lambda x, n=_n: getattr(torch, n)(x, 0, dtype=torch.float64), gen(("f32", [_f((4,))], {})), dtypes=("float32",))
