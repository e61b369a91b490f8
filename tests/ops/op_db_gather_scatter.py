"""Op-table rows for ember/ops/gather_scatter.py."""
from __future__ import annotations

import numpy as np

from .opinfo import FLOAT, Sample, T, arr, table
from .samples import _f, _fn, _idx, _t, err, gen, same

OPS, row = table()


row("masked_fill", lambda x, m: x.masked_fill(m > 0, 2.0), lambda x, m: x.masked_fill(m > 0, 2.0),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)), T(arr(rng, (3, 4), d), grad=False))),
                    Sample((T(arr(rng, (3, 4), d)), T(arr(rng, (4,), d), grad=False)))])
row("gather", lambda x, i: x.gather(1, i), lambda x, i: x.gather(1, i),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)), T(np.array([[0, 3], [1, 1], [2, 0]], "int64"))))])
row("scatter", lambda x, i, s: x.scatter(1, i, s), lambda x, i, s: x.scatter(1, i, s),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)), T(np.array([[0, 3], [1, 2], [2, 0]], "int64")),
                            T(arr(rng, (3, 2), d))))])
row("scatter_add", lambda x, i, s: x.scatter_add(0, i, s), lambda x, i, s: x.scatter_add(0, i, s),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)), T(np.array([[0, 1, 2, 0], [0, 0, 0, 0]], "int64")),
                            T(arr(rng, (2, 4), d))))])
row("take_along_dim", *_fn("take_along_dim"),
    gen(("dim", [_f((3, 4)), lambda d, r: T(np.array([[0, 3], [1, 1], [2, 0]]))], {"dim": 1}),
        ("bcast", [_f((3, 4)), lambda d, r: T(np.array([[2, 0, 1, 1]]))], {"dim": 0}),
        ("flat", [_f((3, 4)), _idx(0, 11, 3)], {})),
    dtypes=FLOAT + ("int64",))
row("index_add", *_fn("index_add"),
    gen(("dim0", [_f((4, 3)), 0, _idx(0, 2, 0), _f((3, 3))], {}),
        ("alpha", [_f((3, 4)), 1, _idx(3, 1), _f((3, 2))], {"alpha": 2.0})),
    errors=err(([_t((4, 3)), 0, T(np.array([0, 5])), _t((2, 3))], {})))
row("index_copy", *same(lambda m: m.index_copy),
    gen(("dim0", [_f((4, 3)), 0, _idx(2, 0), _f((2, 3))], {}), ("dim1", [_f((2, 3)), 1, _idx(1), _f((2, 1))], {}),
        ("noncontig", [_f((3, 3), "transposed"), 1, _idx(0, 2), _f((3, 2))], {})),
    dtypes=FLOAT + ("int64",),
    errors=err(([_t((3,)), 0, T(np.array([0])), _t((2,))], {}), ([_t((3,)), 0, T(np.array([0.0])), _t((1,))], {})))
row("index_fill", *same(lambda m: m.index_fill),
    gen(("dim0", [_f((4, 3)), 0, _idx(2, 0), 1.5], {}), ("dim1", [_f((2, 3)), -1, _idx(1), -2.0], {}),
        ("tensor_value", [_f((2, 3)), 1, _idx(0, 2), _f(())], {})),
    errors=err(([_t((3,)), 0, T(np.array([0.0])), 1.0], {})))
row("masked_scatter", *same(lambda m: m.masked_scatter),
    lambda d, rng: [Sample((T(arr(rng, (2, 3), d)), T(arr(rng, (2, 3), "bool")), T(arr(rng, (3, 3), d))), name="same"),
                    Sample((T(arr(rng, (2, 3), d)), T(np.array([True, False, True])), T(arr(rng, (5,), d))),
                           name="broadcast_mask")],
    dtypes=FLOAT + ("int64",),
    errors=err(([_t((3,)), T(np.ones(3, bool)), _t((2,))], {}), ([_t((3,)), T(np.ones(3, bool)), _t((3,), "float64")], {})))
row("put", *same(lambda m: m.put),
    gen(("plain", [_f((2, 3)), _idx(0, 5), _f((2,))], {}), ("acc", [_f((2, 3)), _idx(1, 1), _f((2,)), True], {})))
for _red in ("sum", "prod", "mean", "amax", "amin"):
    for _inc in (True, False):
        row(f"scatter_reduce_{_red}{'' if _inc else '_noself'}",
            lambda x, d, i, s, r=_red, inc=_inc: x.scatter_reduce(d, i, s, r, include_self=inc),
            lambda x, d, i, s, r=_red, inc=_inc: x.scatter_reduce(d, i, s, r, include_self=inc),
            lambda d, rng: [Sample((T(arr(rng, (3, 2), d, 0.5, 2.0) if d in FLOAT else arr(rng, (3, 2), d)), 0,
                                    T(np.array([[0, 1], [0, 0], [2, 1], [0, 1]])),
                                    T(arr(rng, (4, 2), d, 0.5, 2.0) if d in FLOAT else arr(rng, (4, 2), d))),
                             name="dim0"),
                            Sample((T(arr(rng, (2, 3), d, 0.5, 2.0)), 1, T(np.array([[0, 0], [2, 2]])),
                                    T(arr(rng, (2, 2), d, 0.5, 2.0))), name="dim1")],
            dtypes=FLOAT + ("int64",),
            errors=err(([_t((3,)), 0, T(np.array([0])), _t((1,)), "foo"], {})))
