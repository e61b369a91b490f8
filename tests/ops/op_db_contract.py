"""Op-table rows for ember/ops/contract.py."""
from __future__ import annotations

import numpy as np
import torch

import ember

from .opinfo import ErrorSample, FLOAT, Sample, T, arr, table
from .samples import _f, _fn, _mm_err, _t, err, gen, same

OPS, row = table()


row("matmul", ember.matmul, torch.matmul,
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)), T(arr(rng, (4, 5), d))), name="mm"),
                    Sample((T(arr(rng, (2, 3, 4), d)), T(arr(rng, (4, 5), d))), name="batched_bcast"),
                    Sample((T(arr(rng, (4,), d)), T(arr(rng, (4, 5), d))), name="vec_mat"),
                    Sample((T(arr(rng, (3, 4), d)), T(arr(rng, (4,), d))), name="mat_vec"),
                    Sample((T(arr(rng, (4,), d)), T(arr(rng, (4,), d))), name="dot"),
                    Sample((T(arr(rng, (2, 1, 3, 4), d)), T(arr(rng, (5, 4, 2), d))), name="bcast_batch"),
                    Sample((T(arr(rng, (3, 4), d), layout="transposed"), T(arr(rng, (4, 5), d))), name="noncontig")],
    errors=_mm_err, gradgrad=True)
row("mm", ember.mm, torch.mm, lambda d, rng: [Sample((T(arr(rng, (3, 4), d)), T(arr(rng, (4, 5), d))))],
    errors=_mm_err)
row("bmm", ember.bmm, torch.bmm, lambda d, rng: [Sample((T(arr(rng, (2, 3, 4), d)), T(arr(rng, (2, 4, 5), d))))],
    errors=lambda: [ErrorSample((T(np.ones((2, 3, 4), "float32")), T(np.ones((2, 5, 5), "float32"))))])
row("mv", ember.mv, torch.mv, lambda d, rng: [Sample((T(arr(rng, (3, 4), d)), T(arr(rng, (4,), d))))])
row("dot", ember.dot, torch.dot, lambda d, rng: [Sample((T(arr(rng, (4,), d)), T(arr(rng, (4,), d))))],
    errors=lambda: [ErrorSample((T(np.ones((3,), "float32")), T(np.ones((4,), "float32"))))])
row("addmm", lambda b, x, y: ember.addmm(b, x, y, beta=0.5, alpha=2),
    lambda b, x, y: torch.addmm(b, x, y, beta=0.5, alpha=2),
    lambda d, rng: [Sample((T(arr(rng, (5,), d)), T(arr(rng, (3, 4), d)), T(arr(rng, (4, 5), d))))])
row("matmul_dtype_error", ember.matmul, torch.matmul, lambda d, rng: [], grad=False, gradcheck=False, errors=lambda: [
    ErrorSample((T(np.ones((2, 2), "float32")), T(np.ones((2, 2), "float64"))))])
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
row("einsum_matmul", lambda a, b: ember.einsum("ij,jk->ik", a, b), lambda a, b: torch.einsum("ij,jk->ik", a, b),
    gen(("mm", [_f((2, 3)), _f((3, 4))], {}), ("noncontig", [_f((2, 3), "transposed"), _f((3, 2))], {})),
    gradgrad=True, errors=err(([_t((2, 3)), _t((4, 2))], {}), ([_t((2, 3)), _t((3, 2), "float64")], {})))
for _eq, _shapes in [("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("ij->", [(2, 3)]), ("ij->j", [(2, 3)]),
                     ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]), ("...ij,...jk", [(2, 2, 3), (3, 2)]),
                     ("i,j->ij", [(2,), (3,)]), ("ij,ij->i", [(2, 3), (2, 3)]), ("bi,i->b", [(2, 3), (1,)]),
                     ("ijk->kji", [(2, 3, 2)]), ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]), ("i,i", [(3,), (3,)]),
                     ("iij->ij", [(2, 2, 3)])]:
    row(f"einsum[{_eq}]", lambda *a, eq=_eq: ember.einsum(eq, *a), lambda *a, eq=_eq: torch.einsum(eq, *a),
        gen(("s", [_f(s) for s in _shapes], {})))
row("einsum_list", lambda a, b: ember.einsum("i,i->", [a, b]), lambda a, b: torch.einsum("i,i->", [a, b]),
    gen(("list", [_f((3,)), _f((3,))], {})))
row("tensordot", *same(lambda m: m.tensordot),
    gen(("int", [_f((2, 3, 4)), _f((3, 4, 2))], {}), ("one", [_f((2, 3)), _f((3, 2)), 1], {}),
        ("lists", [_f((2, 3, 4)), _f((4, 2, 3)), ([1, 2], [2, 0])], {}), ("zero", [_f((2,)), _f((3,)), 0], {})),
    dtypes=FLOAT + ("int64",), errors=err(([_t((2, 3)), _t((4, 2)), 1], {})))
row("kron", *same(lambda m: m.kron),
    gen(("1d", [_f((2,)), _f((3,))], {}), ("2d", [_f((2, 2)), _f((1, 3))], {}), ("mixed", [_f((2, 3)), _f((2,))], {})),
    dtypes=FLOAT + ("int64",))
row("inner", *same(lambda m: m.inner),
    gen(("1d", [_f((3,)), _f((3,))], {}), ("nd", [_f((2, 3)), _f((4, 3))], {}), ("0d", [_f(()), _f((2, 3))], {})),
    dtypes=FLOAT + ("int64",), errors=err(([_t((2, 3)), _t((2, 4))], {})))
for _pp in (2.0, 1.0, 3.0, 0.0, float("inf")):
    row(f"cdist_p{_pp}", lambda a, b, p=_pp: ember.cdist(a, b, p), lambda a, b, p=_pp: torch.cdist(a, b, p),
        gen(("2d", [_f((3, 2)), _f((4, 2))], {}), ("batch", [_f((2, 3, 2)), _f((2, 2, 2))], {})),
        errors=err(([_t((2, 3)), _t((4, 2))], {})) if _pp == 2.0 else None,
        gradcheck=_pp not in (0.0,), grad=_pp != 0.0)
row("cdist_same_point", lambda a: ember.cdist(a, a), lambda a: torch.cdist(a, a), gen(("self", [_f((3, 2))], {})),
    gradcheck=False)
row("dist", *same(lambda m: m.dist), gen(("p2", [_f((2, 3)), _f((3,))], {}), ("p3", [_f((4,)), _f((4,)), 3], {}),
                                         ("p1", [_f((4,)), _f((4,)), 1], {})))
