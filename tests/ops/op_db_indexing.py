"""Op-table rows for ember/ops/indexing.py."""
from __future__ import annotations

import numpy as np
import torch

import ember

from .opinfo import ALL, ErrorSample, FLOAT, Sample, T, arr, table
from .samples import NO_GRAD, _f, _fn, _idx, _m, _t, _ties, err, gen

OPS, row = table()


# ---------------------------------------------------------------- indexing
row("getitem_basic", lambda x: x[1:, ::2, None, 0], lambda x: x[1:, ::2, None, 0], _m((3, 4, 2)))
row("getitem_ellipsis", lambda x: x[..., 1], lambda x: x[..., 1], _m((3, 4, 2)))
row("getitem_int_list", lambda x: x[[0, 2, 2]], lambda x: x[[0, 2, 2]], _m((3, 4)))
row("getitem_adv_pair", lambda x: x[[0, 1], [3, 2]], lambda x: x[[0, 1], [3, 2]], _m((3, 4)))
row("getitem_mixed", lambda x: x[:, [1, 1, 0]], lambda x: x[:, [1, 1, 0]], _m((3, 4)))
row("getitem_mask", lambda x: x[x > 0], lambda x: x[x > 0], _m((3, 4)))
row("getitem_tensor_idx", lambda x, i: x[i], lambda x, i: x[i],
    lambda d, rng: [Sample((T(arr(rng, (5, 2), d)), T(np.array([4, 0, 4], "int64"))))],
    errors=lambda: [ErrorSample((T(np.ones((3,), "float32")), T(np.array([5], "int64"))))])
row("index_select", lambda x, i: x.index_select(1, i), lambda x, i: x.index_select(1, i),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)), T(np.array([3, 0, 3], "int64"))))])
# ---------------------------------------------------------------- gather-style indexing
row("take", *_fn("take"), gen(("flat", [_f((3, 4)), _idx(0, 11, 5, 5)], {}), ("neg", [_f((3, 4)), _idx(-1, 2)], {}),
                              ("2d_idx", [_f((5,)), lambda d, r: T(np.array([[0, 1], [4, 4]]))], {})),
    dtypes=FLOAT + ("int64",), errors=err(([_t((3,)), T(np.array([3]))], {})))
row("masked_select", lambda x, m: ember.masked_select(x, m > 0), lambda x, m: torch.masked_select(x, m > 0),
    gen(("same", [_f((3, 4)), lambda d, r: T(arr(r, (3, 4), d), grad=False)], {}),
        ("bcast", [_f((3, 4)), lambda d, r: T(arr(r, (4,), d), grad=False)], {}),
        ("noncontig", [_f((3, 4), "transposed"), lambda d, r: T(arr(r, (3, 4), d), grad=False)], {})),
    errors=lambda: [])
row("index_put", lambda x, i, v, **k: ember.index_put(x, (i,), v, **k),
    lambda x, i, v, **k: torch.index_put(x, (i,), v, **k),
    gen(("put", [_f((5, 2)), _idx(0, 3), _f((2, 2))], {}),
        ("accumulate", [_f((5, 2)), _idx(1, 1, 4), _f((3, 2))], {"accumulate": True})))
row("nonzero", *_fn("nonzero"), gen(("2d", [lambda d, r: T(arr(r, (3, 4), d, -1, 1).round())], {}),
                                    ("1d", [lambda d, r: T(arr(r, (6,), d, -1, 1).round())], {})),
    dtypes=FLOAT + ("int64", "bool"), **NO_GRAD)
row("nonzero_tuple", lambda x: ember.nonzero(x, as_tuple=True), lambda x: torch.nonzero(x, as_tuple=True),
    gen(("2d", [lambda d, r: T(arr(r, (3, 4), d, -1, 1).round())], {})), **NO_GRAD)
row("argwhere", lambda x: x.argwhere(), lambda x: x.argwhere(), gen(("2d", [_ties], {})), dtypes=ALL,
    grad=False, gradcheck=False)
