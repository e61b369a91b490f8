"""Op-table rows for ember/ops/unary.py."""
from __future__ import annotations

import numpy as np
import torch

import ember

from .opinfo import FLOAT, T, arr, positive, standard_unary, unit, table
from .samples import NO_GRAD, _LOOSE_INT, _SPECIAL, _f, _fn, err, gen, same

OPS, row = table()


# ---------------------------------------------------------------- unary pointwise
for _n, _gen in [("exp", arr), ("log", positive), ("log2", positive), ("log10", positive), ("log1p", positive),
                 ("expm1", arr), ("sqrt", positive), ("rsqrt", positive), ("sin", arr), ("cos", arr),
                 ("tan", unit), ("asin", unit), ("acos", unit), ("atan", arr), ("sinh", arr), ("cosh", arr),
                 ("tanh", arr), ("asinh", arr), ("atanh", unit), ("sigmoid", arr), ("erf", arr),
                 ("erfc", arr), ("erfinv", unit), ("reciprocal", positive), ("neg", arr), ("abs", arr),
                 ("relu", arr), ("square", arr), ("exp2", arr)]:
    row(_n, getattr(ember, _n), getattr(torch, _n), standard_unary(_gen),
        dtypes=FLOAT + (("int64",) if _n not in ("neg", "abs", "relu", "square") else ("int64", "int32")))
row("acosh", ember.acosh, torch.acosh, standard_unary(lambda r, s, d: arr(r, s, d, 1.2, 3.0)))
for _n in ("floor", "ceil", "trunc", "round", "sign", "frac"):
    row(_n, getattr(ember, _n), getattr(torch, _n), standard_unary(), dtypes=FLOAT, gradcheck=False)
row("round_decimals", lambda x: ember.round(x, decimals=2), lambda x: torch.round(x, decimals=2), standard_unary(),
    gradcheck=False)
for _n in ("isnan", "isinf", "isfinite", "logical_not"):
    row(_n, getattr(ember, _n), getattr(torch, _n), standard_unary(), dtypes=FLOAT + ("int64",), grad=False,
        gradcheck=False)
row("bitwise_not", ember.bitwise_not, torch.bitwise_not, standard_unary(), dtypes=("int64", "bool"), grad=False,
    gradcheck=False)
for _n in ("deg2rad", "rad2deg", "sinc", "i0"):
    row(_n, *same(lambda m, n=_n: getattr(m, n)), standard_unary(), dtypes=FLOAT + ("int64",), tol=_LOOSE_INT)
row("frexp", *same(lambda m: m.frexp), standard_unary(), errors=err(([T(np.ones(2, np.int64))], {})))
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
for _n in ("isposinf", "isneginf"):
    row(_n, *_fn(_n), gen(("special", [_SPECIAL], {}), ("2d", [_f((3, 4))], {})), **NO_GRAD)
