"""Op-table rows for products (addmv, addr, baddbmm, outer, vdot, ...), NaN-aware and paired reductions
(nansum, std_mean, aminmax, count_nonzero), joining (hstack, tensor_split, ...), axis aliases and
gather-style indexing (take, take_along_dim, masked_select, index_add, index_put, nonzero)."""
from __future__ import annotations

import numpy as np
import torch

import ember

from .op_db_shape import _f, _t, err, gen
from .opinfo import ALL, FLOAT, OpInfo, T, arr

OPS: list = []


def row(name, e, t, samples, **kw):
    OPS.append(OpInfo(name, e, t, samples, **kw))


def _fn(name):
    return getattr(ember, name), getattr(torch, name)


NO_GRAD = {"grad": False, "gradcheck": False}


def _idx(*values):
    return lambda d, r: T(np.array(values, "int64"))


# ---------------------------------------------------------------- products
row("addmv", *_fn("addmv"), gen(("plain", [_f((3,)), _f((3, 4)), _f((4,))], {}),
                                ("scaled", [_f(()), _f((3, 4), "transposed"), _f((4,))], {"beta": 0.5, "alpha": 2})),
    gradgrad=True, errors=err(([_t((3,)), _t((3, 4)), _t((5,))], {})))
row("addr", *_fn("addr"), gen(("plain", [_f((3, 4)), _f((3,)), _f((4,))], {}),
                              ("scaled", [_f((4,)), _f((3,)), _f((4,))], {"beta": 2, "alpha": -1})), gradgrad=True)
row("baddbmm", *_fn("baddbmm"), gen(("plain", [_f((2, 3, 5)), _f((2, 3, 4)), _f((2, 4, 5))], {}),
                                    ("scaled", [_f((3, 5)), _f((2, 3, 4)), _f((2, 4, 5))], {"beta": 0.5, "alpha": 2})),
    errors=err(([_t((2, 3, 5)), _t((2, 3, 4)), _t((2, 3, 5))], {})))
row("addbmm", *_fn("addbmm"), gen(("plain", [_f((3, 5)), _f((2, 3, 4)), _f((2, 4, 5))], {}),
                                  ("scaled", [_f((5,)), _f((2, 3, 4)), _f((2, 4, 5))], {"beta": 0.5, "alpha": 2})))
for _n in ("outer", "ger"):
    row(_n, *_fn(_n), gen(("vec", [_f((3,)), _f((4,))], {})), dtypes=FLOAT + ("int64",))
row("vdot", *_fn("vdot"), gen(("vec", [_f((4,)), _f((4,))], {})), dtypes=FLOAT + ("int64",),
    errors=err(([_t((3,)), _t((4,))], {})))
row("adjoint", *_fn("adjoint"), gen(("2d", [_f((3, 4))], {}), ("batch", [_f((2, 3, 4))], {})))

# ---------------------------------------------------------------- reductions
# NaNs at fixed places, none of the reduced slices all-NaN (there torch's gradient is 0/0 = nan)
_NAN_AT = np.array([[1, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]], bool)
_NANS = lambda d, r: T(np.where(_NAN_AT, np.nan, r.uniform(-2, 2, (3, 4))).astype(d))  # noqa: E731
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

# ---------------------------------------------------------------- joining
for _n in ("hstack", "vstack", "row_stack", "column_stack", "dstack"):
    row(_n, lambda *a, n=_n: getattr(ember, n)(list(a)), lambda *a, n=_n: getattr(torch, n)(list(a)),
        gen(("1d", [_f((3,)), _f((3,))], {}), ("2d", [_f((2, 3)), _f((2, 3))], {}), ("0d", [_f(()), _f(())], {})),
        dtypes=FLOAT + ("int64",))
for _n in ("concat", "concatenate"):
    _kw = "dim" if _n == "concat" else "axis"
    row(_n, lambda a, b, n=_n, k=_kw: getattr(ember, n)([a, b], **{k: 1}),
        lambda a, b, n=_n, k=_kw: getattr(torch, n)([a, b], **{k: 1}),
        gen(("2d", [_f((2, 3)), _f((2, 1))], {})), dtypes=FLOAT + ("int64",),
        errors=err(([_t((2, 3)), _t((3, 1))], {})))
row("tensor_split", *_fn("tensor_split"),
    gen(("sections", [_f((7, 2)), 3], {}), ("indices", [_f((2, 7)), [1, 4]], {"dim": 1}),
        ("neg", [_f((6,)), (2, -1)], {})), dtypes=FLOAT + ("int64",))
row("broadcast_to", *_fn("broadcast_to"), gen(("expand", [_f((3, 1)), (2, 3, 4)], {}), ("same", [_f((2,)), (2,)], {})),
    errors=err(([_t((2, 3)), (3, 3)], {})))
for _n in ("swapaxes", "swapdims"):
    row(_n, *_fn(_n), gen(("3d", [_f((2, 3, 4)), 0, 2], {}), ("neg", [_f((2, 3)), -1, 0], {})), dtypes=ALL)
row("moveaxis", *_fn("moveaxis"), gen(("one", [_f((2, 3, 4)), 0, -1], {}), ("many", [_f((2, 3, 4)), (0, 1), (2, 0)], {})))
row("ravel", *_fn("ravel"), gen(("2d", [_f((3, 4))], {}), ("noncontig", [_f((3, 4), "transposed")], {}),
                                ("0d", [_f(())], {})), dtypes=ALL)

# ---------------------------------------------------------------- gather-style indexing
row("take", *_fn("take"), gen(("flat", [_f((3, 4)), _idx(0, 11, 5, 5)], {}), ("neg", [_f((3, 4)), _idx(-1, 2)], {}),
                              ("2d_idx", [_f((5,)), lambda d, r: T(np.array([[0, 1], [4, 4]]))], {})),
    dtypes=FLOAT + ("int64",), errors=err(([_t((3,)), T(np.array([3]))], {})))
row("take_along_dim", *_fn("take_along_dim"),
    gen(("dim", [_f((3, 4)), lambda d, r: T(np.array([[0, 3], [1, 1], [2, 0]]))], {"dim": 1}),
        ("bcast", [_f((3, 4)), lambda d, r: T(np.array([[2, 0, 1, 1]]))], {"dim": 0}),
        ("flat", [_f((3, 4)), _idx(0, 11, 3)], {})),
    dtypes=FLOAT + ("int64",))
row("masked_select", lambda x, m: ember.masked_select(x, m > 0), lambda x, m: torch.masked_select(x, m > 0),
    gen(("same", [_f((3, 4)), lambda d, r: T(arr(r, (3, 4), d), grad=False)], {}),
        ("bcast", [_f((3, 4)), lambda d, r: T(arr(r, (4,), d), grad=False)], {}),
        ("noncontig", [_f((3, 4), "transposed"), lambda d, r: T(arr(r, (3, 4), d), grad=False)], {})),
    errors=lambda: [])
row("index_add", *_fn("index_add"),
    gen(("dim0", [_f((4, 3)), 0, _idx(0, 2, 0), _f((3, 3))], {}),
        ("alpha", [_f((3, 4)), 1, _idx(3, 1), _f((3, 2))], {"alpha": 2.0})),
    errors=err(([_t((4, 3)), 0, T(np.array([0, 5])), _t((2, 3))], {})))
row("index_put", lambda x, i, v, **k: ember.index_put(x, (i,), v, **k),
    lambda x, i, v, **k: torch.index_put(x, (i,), v, **k),
    gen(("put", [_f((5, 2)), _idx(0, 3), _f((2, 2))], {}),
        ("accumulate", [_f((5, 2)), _idx(1, 1, 4), _f((3, 2))], {"accumulate": True})))
row("nonzero", *_fn("nonzero"), gen(("2d", [lambda d, r: T(arr(r, (3, 4), d, -1, 1).round())], {}),
                                    ("1d", [lambda d, r: T(arr(r, (6,), d, -1, 1).round())], {})),
    dtypes=FLOAT + ("int64", "bool"), **NO_GRAD)
row("nonzero_tuple", lambda x: ember.nonzero(x, as_tuple=True), lambda x: torch.nonzero(x, as_tuple=True),
    gen(("2d", [lambda d, r: T(arr(r, (3, 4), d, -1, 1).round())], {})), **NO_GRAD)
