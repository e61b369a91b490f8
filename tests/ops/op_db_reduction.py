"""Op-table rows for ember/ops/reduction.py."""
from __future__ import annotations

import numpy as np
import torch

import ember

from .opinfo import ErrorSample, FLOAT, INT, Sample, T, arr, positive, standard_unary, table
from .samples import NO_GRAD, _NANS, _f, _fn, _red, _t, err, gen

OPS, row = table()


row("sum", ember.sum, torch.sum, _red, dtypes=FLOAT + INT + ("bool",), gradgrad=True)
row("mean", ember.mean, torch.mean, _red)
row("prod", lambda x: x.prod(), lambda x: x.prod(), standard_unary(positive), dtypes=FLOAT + ("int64",))
row("prod_dim", lambda x: x.prod(1), lambda x: x.prod(1),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)),))])
row("amax", ember.amax, torch.amax, _red, dtypes=FLOAT + ("int64",))
row("amin", ember.amin, torch.amin, _red, dtypes=FLOAT + ("int64",))
row("max_all", lambda x: x.max(), lambda x: x.max(), standard_unary(empty=False), dtypes=FLOAT + ("int64",),
    errors=lambda: [ErrorSample((T(np.ones((0,), "float32")),))])
row("max_dim", lambda x: x.max(1), lambda x: x.max(1), lambda d, rng: [Sample((T(arr(rng, (3, 4), d)),))],
    dtypes=FLOAT + ("int64",))
row("min_dim_keep", lambda x: x.min(0, keepdim=True), lambda x: x.min(0, keepdim=True),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)),))])
row("argmax", ember.argmax, torch.argmax, _red.__call__ if False else (
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)),)), Sample((T(arr(rng, (3, 4), d)), 1)),
                    Sample((T(arr(rng, (3, 4), d)), 0), {"keepdim": True})]), dtypes=FLOAT + ("int64",), grad=False)
row("argmin", ember.argmin, torch.argmin,
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)),)), Sample((T(arr(rng, (3, 4), d)), 1))], grad=False)
row("var", lambda x, *a, **k: ember.var(x, *a, **k), lambda x, *a, **k: torch.var(x, *a, **k),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)),)), Sample((T(arr(rng, (3, 4), d)), 1)),
                    Sample((T(arr(rng, (3, 4), d)), 0), {"correction": 0, "keepdim": True})])
row("std", ember.std, torch.std,
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)),)), Sample((T(arr(rng, (3, 4), d)), 1), {"unbiased": False})])
row("logsumexp", ember.logsumexp, torch.logsumexp,
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)), 1)), Sample((T(arr(rng, (3, 4), d)), (0, 1)))])
row("all", lambda x: ember.all(x > 0), lambda x: torch.all(x > 0), standard_unary(), grad=False, gradcheck=False)
row("any_dim", lambda x: ember.any(x > 0, 1), lambda x: torch.any(x > 0, 1),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)),))], grad=False, gradcheck=False)
for _n in ("nansum", "nanmean"):
    row(_n, *_fn(_n), gen(("all", [_NANS], {}), ("dim", [_NANS, 1], {}), ("keep", [_NANS, 0], {"keepdim": True}),
                          ("plain", [_f((3, 4)), -1], {})), gradcheck=False)
for _n in ("std_mean", "var_mean"):
    row(_n, *_fn(_n), gen(("all", [_f((3, 4))], {}), ("dim", [_f((3, 4)), 1], {}),
                          ("corr", [_f((3, 4)), 0], {"correction": 0, "keepdim": True})))
row("aminmax", *_fn("aminmax"), gen(("all", [_f((3, 4))], {}), ("dim", [_f((3, 4))], {"dim": 1}),
                                    ("keep", [_f((3, 4))], {"dim": 0, "keepdim": True})),
    dtypes=FLOAT + ("int64",), errors=err(([_t((0,))], {})))
row("count_nonzero", *_fn("count_nonzero"),
    gen(("all", [lambda d, r: T(arr(r, (3, 4), d, -1, 1).round())], {}),
        ("dim", [lambda d, r: T(arr(r, (3, 4), d, -1, 1).round()), 1], {}),
        ("dims", [lambda d, r: T(arr(r, (2, 3, 4), d, -1, 1).round()), (0, 2)], {})),
    dtypes=FLOAT + ("int64", "bool"), **NO_GRAD)
