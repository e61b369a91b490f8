"""Op-table rows for ember/ops/special.py."""
from __future__ import annotations

import numpy as np
import torch

import ember

from .opinfo import FLOAT, T, positive, standard_unary, table
from .samples import _LOOSE_INT, _p, gen, same

OPS, row = table()


row("sinc_zero", *same(lambda m: m.sinc), gen(("zero", [lambda d, r: T(np.array([0.0, 1.0, -0.5], d))], {})))
row("lgamma", *same(lambda m: m.lgamma), standard_unary(positive), dtypes=FLOAT + ("int64",), tol=_LOOSE_INT)
row("digamma", *same(lambda m: m.digamma), standard_unary(positive), dtypes=FLOAT + ("int64",), tol=_LOOSE_INT)
for _k in (1, 2):
    row(f"polygamma_{_k}", lambda x, k=_k: ember.polygamma(k, x), lambda x, k=_k: torch.polygamma(k, x),
        standard_unary(positive), tol={"float32": (1e-4, 1e-5)})
row("polygamma_method", lambda x: x.polygamma(1), lambda x: x.polygamma(1), gen(("m", [_p((3,))], {})))
row("mvlgamma", *same(lambda m: m.mvlgamma), gen(("p1", [_p((3,), 1.0, 3.0), 1], {}), ("p3", [_p((2, 2), 1.5, 4.0), 3], {})))
