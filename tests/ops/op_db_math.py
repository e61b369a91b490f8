"""Op-table rows for ember/ops/mathx.py and ember/ops/pointwisex.py (scans, contractions, distances,
statistics, softmax, special functions)."""
from __future__ import annotations

import numpy as np
import torch

import ember

from .op_db_shape import _f, _t, err, gen, same
from .opinfo import FLOAT, INT, ErrorSample, OpInfo, Sample, T, arr, positive, standard_binary, standard_unary

OPS: list = []


def row(name, e, t, samples, **kw):
    OPS.append(OpInfo(name, e, t, samples, **kw))


def _p(shape, lo=0.5, hi=3.0):
    return lambda d, rng: T(arr(rng, shape, d, lo, hi))


SCAN = [("1d", [_f((5,)), 0], {}), ("2d", [_f((3, 4)), 1], {}), ("dim0", [_f((3, 4)), 0], {}),
        ("noncontig", [_f((4, 3), "transposed"), -1], {}), ("0d", [_f(()), 0], {}), ("empty", [_f((0, 3)), 1], {})]
row("cumsum", *same(lambda m: m.cumsum), gen(*SCAN), dtypes=FLOAT + INT + ("bool",), gradgrad=True)
row("cumsum_dtype", lambda x: ember.cumsum(x, 0, dtype=ember.float64), lambda x: torch.cumsum(x, 0, dtype=torch.float64),
    gen(("int", [lambda d, r: T(np.array([1, 2, 3]))], {})), dtypes=("int64",), grad=False, gradcheck=False)
row("cumprod", *same(lambda m: m.cumprod), gen(*SCAN), dtypes=FLOAT + ("int64",))
row("cumprod_zeros", *same(lambda m: m.cumprod),
    gen(("zeros", [lambda d, r: T(np.array([[2.0, 0.0, 3.0, 0.5], [0.0, 1.5, 0.0, 2.0]], d)), 1], {})))
row("cummax", *same(lambda m: m.cummax), gen(*SCAN[:5]), dtypes=FLOAT + ("int64",))
row("cummin", *same(lambda m: m.cummin), gen(*SCAN[:5]), dtypes=FLOAT + ("int64",))
row("logcumsumexp", *same(lambda m: m.logcumsumexp), gen(*SCAN), errors=err(([T(np.ones(3, np.int64)), 0], {})))
row("diff", *same(lambda m: m.diff),
    gen(("1d", [_f((5,))], {}), ("n2", [_f((3, 5)), 2], {}), ("dim0", [_f((3, 4)), 1, 0], {}),
        ("pre_app", [_f((2, 3)), 1, -1, _f((2, 1)), _f((2, 2))], {}), ("big_n", [_f((3,)), 5], {})),
    dtypes=FLOAT + ("int64", "bool"), errors=err(([_t(())], {})))
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
for _interp in ("linear", "lower", "higher", "midpoint", "nearest"):
    row(f"quantile_{_interp}", lambda x, q, *a, i=_interp, **k: ember.quantile(x, q, *a, interpolation=i, **k),
        lambda x, q, *a, i=_interp, **k: torch.quantile(x, q, *a, interpolation=i, **k),
        lambda d, rng: [Sample((T(arr(rng, (7,), d)), 0.3), name="all"),
                        Sample((T(arr(rng, (3, 5), d)), 0.5, 1), name="dim"),
                        Sample((T(arr(rng, (3, 4), d)), T(np.array([0.0, 0.25, 1.0], d), grad=False), 0, True), name="qvec_keep"),
                        Sample((T(arr(rng, (2, 3), d)), 0.75), {"keepdim": True}, name="all_keep")],
        errors=err(([_t((3,)), 1.5], {}), ([T(np.ones(3, np.int64)), 0.5], {})) if _interp == "linear" else None)
row("nanquantile", *same(lambda m: m.nanquantile),
    gen(("all", [lambda d, r: T(np.array([1.0, np.nan, 3.0, 2.0], d)), 0.4], {}),
        ("dim", [lambda d, r: T(np.array([[1.0, np.nan, 3.0], [np.nan, 2.0, np.nan]], d)), 0.5, 1], {})),
    gradcheck=False)
row("nanquantile_allnan", *same(lambda m: m.nanquantile),
    gen(("dim", [lambda d, r: T(np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan]], d)), 0.5, 1], {})),
    grad=False, gradcheck=False)
row("quantile_nan", *same(lambda m: m.quantile),
    gen(("dim", [lambda d, r: T(np.array([[1.0, np.nan, 3.0], [1.0, 2.0, 0.0]], d)), 0.5, 1], {})),
    grad=False, gradcheck=False)
row("renorm", *same(lambda m: m.renorm),
    gen(("p2", [_f((3, 4)), 2, 0, 1.5], {}), ("p1", [_f((3, 4)), 1, 1, 2.0], {}), ("pinf", [_f((2, 3)), float("inf"), 0, 1.0], {})))
for _n in ("softmax", "log_softmax"):
    row(_n, *same(lambda m, n=_n: getattr(m, n)),
        gen(("1d", [_f((5,)), 0], {}), ("2d", [_f((3, 4)), 1], {}), ("dim0", [_f((3, 4)), 0], {}),
            ("noncontig", [_f((4, 3), "transposed"), -1], {}), ("0d", [_f(()), 0], {}), ("empty", [_f((0, 3)), 1], {}),
            ("big", [lambda d, r: T(np.array([1000.0, 0.0, -1000.0], d)), 0], {})),
        gradgrad=True, errors=err(([T(np.ones(3, np.int64)), 0], {})))
    row(_n + "_dtype", lambda x, n=_n: getattr(ember, n)(x, 0, dtype=ember.float64),
        lambda x, n=_n: getattr(torch, n)(x, 0, dtype=torch.float64), gen(("f32", [_f((4,))], {})), dtypes=("float32",))

# ---------------------------------------------------------------- pointwise extras
row("xlogy", *same(lambda m: m.xlogy), standard_binary(fn_b=positive), dtypes=FLOAT + ("int64",))
row("xlogy_zero", *same(lambda m: m.xlogy),
    gen(("zeros", [lambda d, r: T(np.array([0.0, 0.0, 1.0], d)), lambda d, r: T(np.array([0.0, 2.0, np.nan], d))], {})),
    gradcheck=False, grad=False)
for _n in ("logaddexp", "logaddexp2"):
    row(_n, *same(lambda m, n=_n: getattr(m, n)), standard_binary(scalar=None),
        errors=err(([T(np.ones(2, np.int64)), T(np.ones(2, np.int64))], {})))
    row(_n + "_inf", *same(lambda m, n=_n: getattr(m, n)),
        gen(("inf", [lambda d, r: T(np.array([-np.inf, np.inf, 1000.0], d)), lambda d, r: T(np.array([-np.inf, np.inf, 1000.0], d))], {})),
        grad=False, gradcheck=False)
row("copysign", *same(lambda m: m.copysign), standard_binary(), dtypes=FLOAT + ("int64",))
_LOOSE_INT = {"int64": (1e-6, 1e-6)}  # float32 results of int inputs: scipy vs torch kernels differ by 1 ulp
for _n in ("deg2rad", "rad2deg", "sinc", "i0"):
    row(_n, *same(lambda m, n=_n: getattr(m, n)), standard_unary(), dtypes=FLOAT + ("int64",), tol=_LOOSE_INT)
row("sinc_zero", *same(lambda m: m.sinc), gen(("zero", [lambda d, r: T(np.array([0.0, 1.0, -0.5], d))], {})))
row("heaviside", *same(lambda m: m.heaviside), gen(("b", [lambda d, r: T(np.array([-1, 0, 2, 0], d)), _f((1,))], {})),
    dtypes=FLOAT + ("int64",), grad=False, gradcheck=False,
    errors=err(([_t((2,)), _t((2,), "float64")], {})))
row("lgamma", *same(lambda m: m.lgamma), standard_unary(positive), dtypes=FLOAT + ("int64",), tol=_LOOSE_INT)
row("digamma", *same(lambda m: m.digamma), standard_unary(positive), dtypes=FLOAT + ("int64",), tol=_LOOSE_INT)
for _k in (1, 2):
    row(f"polygamma_{_k}", lambda x, k=_k: ember.polygamma(k, x), lambda x, k=_k: torch.polygamma(k, x),
        standard_unary(positive), tol={"float32": (1e-4, 1e-5)})
row("polygamma_method", lambda x: x.polygamma(1), lambda x: x.polygamma(1), gen(("m", [_p((3,))], {})))
row("mvlgamma", *same(lambda m: m.mvlgamma), gen(("p1", [_p((3,), 1.0, 3.0), 1], {}), ("p3", [_p((2, 2), 1.5, 4.0), 3], {})))
row("frexp", *same(lambda m: m.frexp), standard_unary(), errors=err(([T(np.ones(2, np.int64))], {})))
row("ldexp", *same(lambda m: m.ldexp), gen(("int_exp", [_f((3,)), lambda d, r: T(np.array([1, 0, 3]))], {}),
                                           ("float_exp", [_f((2, 3)), _f((3,))], {})))
for _n in ("gcd", "lcm"):
    row(_n, *same(lambda m, n=_n: getattr(m, n)),
        gen(("ints", [lambda d, r: T(r.integers(-20, 20, (3, 4)).astype(d)), lambda d, r: T(r.integers(0, 20, (4,)).astype(d))], {})),
        dtypes=("int64", "int32", "uint8"), grad=False, gradcheck=False, errors=err(([_t((2,)), _t((2,))], {})))
row("nextafter", *same(lambda m: m.nextafter), standard_binary(scalar=None), grad=False, gradcheck=False)
row("float_power_method", lambda x: x.float_power(2), lambda x: x.float_power(2), standard_unary(positive))
row("true_divide_method", lambda a, b: a.true_divide(b), lambda a, b: a.true_divide(b), standard_binary(fn_b=positive))

# ---------------------------------------------------------------- random ops: shape/dtype only (values: test_random_breadth.py)
_RAND = dict(nondeterministic_values=True, grad=False, gradcheck=False)
row("bernoulli", *same(lambda m: m.bernoulli), gen(("p", [lambda d, r: T(r.uniform(0, 1, (3, 4)).astype(d))], {})), **_RAND)
row("bernoulli_p", lambda x: ember.bernoulli(x, 0.3), lambda x: torch.bernoulli(x, 0.3), gen(("p", [_f((3,))], {})), **_RAND)
for _n in ("rand_like", "randn_like"):
    row(_n, *same(lambda m, n=_n: getattr(m, n)), gen(("2d", [_f((2, 3))], {})), **_RAND)
row("randint_like", lambda x: ember.randint_like(x, 3, 9), lambda x: torch.randint_like(x, 3, 9),
    gen(("2d", [_f((2, 3))], {})), dtypes=FLOAT + ("int64",), **_RAND)
row("randperm", lambda n: ember.randperm(n), lambda n: torch.randperm(n), gen(("n", [7], {})), **_RAND)
row("multinomial", *same(lambda m: m.multinomial),
    gen(("rows", [lambda d, r: T(r.uniform(0.1, 1, (2, 5)).astype(d)), 3], {}),
        ("repl", [lambda d, r: T(r.uniform(0.1, 1, (4,)).astype(d)), 6, True], {})), **_RAND)
row("normal_tensors", *same(lambda m: m.normal), gen(("mean_std", [_f((2, 3)), _p((2, 3))], {})), **_RAND)
row("poisson", *same(lambda m: m.poisson), gen(("rates", [_p((3, 2))], {})), **_RAND)
for _n, _a in (("uniform_", (-1.0, 2.0)), ("normal_", (1.0, 2.0)), ("exponential_", (3.0,)), ("bernoulli_", (0.4,)),
               ("random_", (0, 5)), ("geometric_", (0.3,)), ("log_normal_", ()), ("cauchy_", ())):
    row(_n, lambda x, n=_n, a=_a: getattr(x.clone(), n)(*a), lambda x, n=_n, a=_a: getattr(x.clone(), n)(*a),
        gen(("2d", [_f((2, 3))], {})), **_RAND)
