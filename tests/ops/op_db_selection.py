"""Op-table rows for ember/ops/selection.py (order statistics, unique, index/mask writes, counting, search)."""
from __future__ import annotations

import numpy as np
import torch

import ember

from .op_db_shape import _f, _t, err, gen, same
from .opinfo import ALL, FLOAT, INT, ErrorSample, OpInfo, Sample, T, arr

OPS: list = []


def row(name, e, t, samples, **kw):
    OPS.append(OpInfo(name, e, t, samples, **kw))


def _perm(shape):
    """Distinct values (no ties, so indices and gradients are unique), shuffled."""
    def make(d, rng):
        n = int(np.prod(shape))
        v = rng.permutation(n).reshape(shape)
        return T((v - n // 3).astype(d) if d != "uint8" else v.astype(d))

    return make


def _ties(d, rng):
    return T(np.array([[2, 1, 2, 3, 1, 2], [0, 0, 5, 5, 1, 1]], dtype=d))


def _nan(d, rng):
    return T(np.array([[1.0, np.nan, 3.0, 0.5], [2.0, 1.0, 4.0, 3.0]], dtype=d))


def _idx(*v):
    return lambda d, rng: T(np.array(v, dtype=np.int64))


NUM = FLOAT + ("int64", "int32", "uint8")
ORDER = [("1d", [_perm((5,))], {}), ("2d", [_perm((3, 4))], {}), ("dim0", [_perm((3, 4)), 0], {}),
         ("noncontig", [lambda d, rng: T(_perm((4, 3))(d, rng).value, layout="transposed")], {}),
         ("0d", [_perm(())], {})]

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
row("put", *same(lambda m: m.put),
    gen(("plain", [_f((2, 3)), _idx(0, 5), _f((2,))], {}), ("acc", [_f((2, 3)), _idx(1, 1), _f((2,)), True], {})))
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
_SEQ = lambda d, r: T(np.array([-2, 0, 1, 1, 3], d))  # noqa: E731
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
row("argwhere", lambda x: x.argwhere(), lambda x: x.argwhere(), gen(("2d", [_ties], {})), dtypes=ALL,
    grad=False, gradcheck=False)
