"""Op-table rows for ember/ops/linalg.py."""
from __future__ import annotations

import ember
import math
import numpy as np
import torch

from .opinfo import ErrorSample, Sample, T, table
from .samples import (_eigh, _f, _rect, _singular, _spd, _sq, _svd_abs, _svd_inv, gen, mat_samples, rect, same,
                      square, TOL, two, vec_samples)

OPS, row = table(tol=TOL)


# ---------------------------------------------------------------- inverse, determinants, solve
row("linalg.inv", ember.linalg.inv, torch.linalg.inv, square(), gradgrad=True,
    errors=lambda: [ErrorSample((T(_singular(None, "float32")),), match="The diagonal element 2 is zero, the "
                                "inversion could not be completed because the input matrix is singular."),
                    ErrorSample((T(np.ones((2, 3), "float32")),), match="A must be batches of square matrices, "
                                "but they are 2 by 3 matrices"),
                    ErrorSample((T(np.ones(3, "float32")),))])
row("inverse", ember.inverse, torch.inverse, square())
row("linalg.det", ember.linalg.det, torch.linalg.det, square(), gradgrad=True)
row("det_method", lambda a: a.det(), lambda a: a.det(), square())
row("linalg.slogdet", ember.linalg.slogdet, torch.linalg.slogdet, square())
row("slogdet", ember.slogdet, torch.slogdet, square())
row("logdet", ember.logdet, torch.logdet, square(_spd))
row("linalg.solve", ember.linalg.solve, torch.linalg.solve, two(_sq, (3, 2)), gradgrad=True,
    errors=lambda: [ErrorSample((T(_singular(None, "float32")), T(np.ones(2, "float32"))),
                                match="The solver failed because the input matrix is singular."),
                    ErrorSample((T(np.eye(3, dtype="float32")), T(np.ones((4, 2), "float32"))))])
row("linalg.solve_vector", ember.linalg.solve, torch.linalg.solve, two(_sq, (3,)))
row("linalg.solve_right", lambda a, b: ember.linalg.solve(a, b, left=False),
    lambda a, b: torch.linalg.solve(a, b, left=False), two(_sq, (2, 3)))
# ---------------------------------------------------------------- factorizations
row("linalg.cholesky", ember.linalg.cholesky, torch.linalg.cholesky, square(_spd), gradgrad=True,
    errors=lambda: [ErrorSample((T(np.array([[1.0, 2.0], [2.0, 1.0]], "float32")),),
                                match="the leading minor of order 2 is not positive-definite")])
row("linalg.cholesky_upper", lambda a: ember.linalg.cholesky(a, upper=True),
    lambda a: torch.linalg.cholesky(a, upper=True), square(_spd))
row("cholesky", lambda a: ember.cholesky(a, True), lambda a: torch.cholesky(a, True), square(_spd))
row("linalg.qr", ember.linalg.qr, torch.linalg.qr, rect)
row("linalg.qr_complete", lambda a: ember.linalg.qr(a, "complete"), lambda a: torch.linalg.qr(a, "complete"),
    lambda d, rng: [Sample((T(_rect(rng, s, d)),)) for s in [(3, 5), (4, 4), (5, 3)]], grad=False,
    gradcheck=False)
row("linalg.qr_r", lambda a: ember.linalg.qr(a, "r")[1], lambda a: torch.linalg.qr(a, "r")[1], rect,
    grad=False, gradcheck=False)
row("qr", ember.qr, torch.qr, rect)
row("linalg.svd", _svd_inv(ember), _svd_inv(torch), rect)
row("linalg.svd_full", _svd_inv(ember, True), _svd_inv(torch, True), rect)
row("linalg.svd_factors", _svd_abs(ember), _svd_abs(torch), rect, grad=False, gradcheck=False)
row("linalg.svdvals", ember.linalg.svdvals, torch.linalg.svdvals, rect)
row("svd", lambda a: (lambda r: (r.U @ r.V.mT, r.S))(ember.svd(a)),
    lambda a: (lambda r: (r.U @ r.V.mT, r.S))(torch.svd(a)), rect)
row("linalg.eigh", _eigh(ember), _eigh(torch), square(_spd))
row("linalg.eigh_upper", _eigh(ember, "U"), _eigh(torch, "U"), square(_spd))
row("linalg.eigvalsh", ember.linalg.eigvalsh, torch.linalg.eigvalsh, square(_spd))
row("linalg.pinv", ember.linalg.pinv, torch.linalg.pinv, rect)
row("linalg.pinv_hermitian", lambda a: ember.linalg.pinv(a, hermitian=True),
    lambda a: torch.linalg.pinv(a, hermitian=True), square(_spd))
row("linalg.matrix_rank", ember.linalg.matrix_rank, torch.linalg.matrix_rank,
    lambda d, rng: rect(d, rng) + [Sample((T(np.ones((4, 3), d)),), name="rank1")], grad=False,
    gradcheck=False)
row("linalg.lstsq", lambda a, b: ember.linalg.lstsq(a, b), lambda a, b: torch.linalg.lstsq(a, b),
    lambda d, rng: [Sample((T(_rect(rng, (5, 3), d)), T(_rect(rng, (5, 2), d))), name="tall"),
                    Sample((T(_sq(rng, (2, 3, 3), d)), T(_rect(rng, (2, 3, 1), d))), name="batch")])
row("linalg.lstsq_gelsd", lambda a, b: ember.linalg.lstsq(a, b, driver="gelsd"),
    lambda a, b: torch.linalg.lstsq(a, b, driver="gelsd"),
    lambda d, rng: [Sample((T(_rect(rng, (5, 3), d)), T(_rect(rng, (5, 2), d))), name="tall")], grad=False,
    gradcheck=False)
# ---------------------------------------------------------------- powers and products
for _n in (0, 1, 3, -2):
    row(f"linalg.matrix_power_{_n}", lambda a, n=_n: ember.linalg.matrix_power(a, n),
        lambda a, n=_n: torch.linalg.matrix_power(a, n), square(), view=False if _n == 1 else None,
        skip_checks=("view",) if _n == 1 else ())
row("matrix_power", lambda a: a.matrix_power(2), lambda a: a.matrix_power(2), square())
row("linalg.cross", ember.linalg.cross, torch.linalg.cross,
    lambda d, rng: [Sample((T(_rect(rng, (4, 3), d)), T(_rect(rng, (4, 3), d))), name="same"),
                    Sample((T(_rect(rng, (2, 1, 3), d)), T(_rect(rng, (1, 5, 3), d))), name="broadcast")],
    errors=lambda: [ErrorSample((T(np.ones((4, 2), "float32")), T(np.ones((4, 2), "float32"))),
                                match="must have length 3")])
row("linalg.multi_dot", lambda *ts: ember.linalg.multi_dot(list(ts)), lambda *ts: torch.linalg.multi_dot(list(ts)),
    lambda d, rng: [Sample((T(_rect(rng, (3,), d)), T(_rect(rng, (3, 4), d)), T(_rect(rng, (4, 2), d))), name="vec"),
                    Sample((T(_rect(rng, (2, 3), d)), T(_rect(rng, (3, 4), d)), T(_rect(rng, (4,), d))), name="col")])
row("linalg.diagonal", lambda a: ember.linalg.diagonal(a, offset=1), lambda a: torch.linalg.diagonal(a, offset=1),
    lambda d, rng: [Sample((T(_rect(rng, (2, 3, 4), d)),))])
row("linalg.vecdot", ember.linalg.vecdot, torch.linalg.vecdot,
    lambda d, rng: [Sample((T(_rect(rng, (3, 4), d)), T(_rect(rng, (4,), d))))])
row("trace", ember.trace, torch.trace, lambda d, rng: [Sample((T(_rect(rng, (3, 4), d)),))],
    errors=lambda: [ErrorSample((T(np.ones((2, 2, 2), "float32")),), match="expected a matrix")])
for _o in (2, 1, 3, 0.5, math.inf, -math.inf):
    row(f"linalg.vector_norm_{_o}", lambda x, o=_o, **k: ember.linalg.vector_norm(x, o, **k),
        lambda x, o=_o, **k: torch.linalg.vector_norm(x, o, **k), vec_samples)
row("linalg.vector_norm_0", lambda x, **k: ember.linalg.vector_norm(x, 0, **k),
    lambda x, **k: torch.linalg.vector_norm(x, 0, **k), vec_samples, grad=False, gradcheck=False)
row("linalg.vector_norm_zero", lambda x: ember.linalg.vector_norm(x * 0), lambda x: torch.linalg.vector_norm(x * 0),
    lambda d, rng: [Sample((T(_rect(rng, (3,), d)),))], gradcheck=False)
for _o in ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf):
    row(f"linalg.matrix_norm_{_o}", lambda x, o=_o, **k: ember.linalg.matrix_norm(x, o, **k),
        lambda x, o=_o, **k: torch.linalg.matrix_norm(x, o, **k), mat_samples,
        errors=(lambda: [ErrorSample((T(np.ones(3, "float32")),))]) if _o == "fro" else None)
row("linalg.norm", ember.linalg.norm, torch.linalg.norm, vec_samples)
row("linalg.norm_ord", lambda x: ember.linalg.norm(x, 1), lambda x: torch.linalg.norm(x, 1),
    lambda d, rng: [Sample((T(_rect(rng, (3, 4), d)),), name="2d"), Sample((T(_rect(rng, (4,), d)),), name="1d")])
row("renorm", *same(lambda m: m.renorm),
    gen(("p2", [_f((3, 4)), 2, 0, 1.5], {}), ("p1", [_f((3, 4)), 1, 1, 2.0], {}), ("pinf", [_f((2, 3)), float("inf"), 0, 1.0], {})))
