"""Op-table rows for ember/ops/sort.py."""
from __future__ import annotations

import numpy as np
import torch

import ember

from .opinfo import FLOAT, Sample, T, arr, table
from .samples import NUM, ORDER, _SEQ, _idx, _nan, _perm, _t, _ties, err, gen, same

OPS, row = table()


row("sort", *same(lambda m: m.sort), gen(*ORDER, ("desc", [_perm((3, 4))], {"descending": True}),
                                         ("ties", [_ties], {"stable": True}),
                                         ("ties_desc", [_ties], {"stable": True, "descending": True})),
    dtypes=NUM + ("bool",) if False else NUM)
row("sort_nan", *same(lambda m: m.sort), gen(("asc", [_nan], {}), ("desc", [_nan], {"descending": True})),
    grad=False, gradcheck=False)
row("argsort", *same(lambda m: m.argsort), gen(*ORDER, ("desc", [_perm((3, 4))], {"descending": True}),
                                               ("ties", [_ties], {"stable": True})), dtypes=NUM,
    grad=False, gradcheck=False)
row("msort", *same(lambda m: m.msort), gen(("2d", [_perm((3, 4))], {})), dtypes=NUM)
row("topk", *same(lambda m: m.topk),
    gen(("1d", [_perm((5,)), 2], {}), ("2d", [_perm((3, 4)), 3], {}), ("small", [_perm((3, 4)), 2, 0, False], {}),
        ("k0", [_perm((3, 4)), 0], {}), ("0d", [_perm(()), 1], {})),
    dtypes=NUM, errors=err(([_t((3,)), 4], {})))
row("kthvalue", *same(lambda m: m.kthvalue),
    gen(("1d", [_perm((5,)), 2], {}), ("2d", [_perm((3, 4)), 3, 0], {}), ("keep", [_perm((3, 4)), 1, 1, True], {})),
    dtypes=NUM, errors=err(([_t((3,)), 4], {})))
row("median", *same(lambda m: m.median), gen(("all_even", [_perm((3, 4))], {}), ("all_odd", [_perm((5,))], {}),
                                             ("dim", [_perm((3, 4)), 1], {}), ("keep", [_perm((3, 5)), 0, True], {})),
    dtypes=NUM)
row("median_ties", lambda x: ember.median(x), lambda x: torch.median(x),
    lambda d, rng: [Sample((T(np.array([1.0, 2.0, 2.0, 3.0], d)),), name="ties")])
row("median_nan", *same(lambda m: m.median), gen(("all", [_nan], {}), ("dim", [_nan, 1], {})),
    grad=False, gradcheck=False)
row("nanmedian", *same(lambda m: m.nanmedian),
    gen(("all", [_nan], {}), ("dim", [_nan, 1], {}), ("allnan", [lambda d, r: T(np.full((2, 2), np.nan, d))], {"dim": 0})),
    gradcheck=False)
row("mode", *same(lambda m: m.mode), gen(("ties", [_ties], {}), ("dim0", [_ties, 0], {}), ("keep", [_ties, 1, True], {})),
    dtypes=NUM)
row("unique", *same(lambda m: m.unique),
    gen(("plain", [_ties], {}), ("inv", [_ties], {"return_inverse": True, "return_counts": True}),
        ("dim", [lambda d, r: T(np.array([[1, 2], [1, 2], [0, 3]], d))], {"dim": 0, "return_inverse": True,
                                                                          "return_counts": True})),
    dtypes=NUM + ("bool",), grad=False, gradcheck=False)
row("unique_consecutive", *same(lambda m: m.unique_consecutive),
    gen(("plain", [_ties], {}), ("inv", [_ties], {"return_inverse": True, "return_counts": True}),
        ("dim", [lambda d, r: T(np.array([[1, 2], [1, 2], [0, 3], [1, 2]], d))], {"dim": 0, "return_counts": True})),
    dtypes=NUM, grad=False, gradcheck=False)
row("searchsorted", *same(lambda m: m.searchsorted),
    gen(("left", [_SEQ, _perm((2, 3))], {}), ("right", [_SEQ, _perm((2, 3))], {"right": True}),
        ("side", [_SEQ, _perm((4,))], {"side": "right", "out_int32": True}),
        ("nd", [lambda d, r: T(np.sort(arr(r, (2, 4), d), 1)), _perm((2, 3))], {}),
        ("sorter", [lambda d, r: T(np.array([3, 1, 2], d)), _perm((4,))], {"sorter": _idx(1, 2, 0)})),
    dtypes=FLOAT + ("int64",), grad=False, gradcheck=False,
    errors=err(([T(np.ones((2, 2))), T(np.ones(3))], {}), ([_t((3,)), _t((2,))], {"side": "left", "right": True})))
row("bucketize", *same(lambda m: m.bucketize),
    gen(("left", [_perm((2, 3)), _SEQ], {}), ("right", [_perm((2, 3)), _SEQ], {"right": True})),
    dtypes=FLOAT + ("int64",), grad=False, gradcheck=False, errors=err(([_t((3,)), _t((2, 2))], {})))
row("isin", *same(lambda m: m.isin),
    gen(("tensor", [_perm((2, 3)), _perm((3,))], {}), ("invert", [_perm((4,)), _perm((2,))], {"invert": True}),
        ("scalar", [_perm((4,)), 1], {})),
    dtypes=FLOAT + ("int64",), grad=False, gradcheck=False)
