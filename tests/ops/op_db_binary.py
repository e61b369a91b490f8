"""Op-table rows for ember/ops/binary.py."""
from __future__ import annotations

import numpy as np

from .opinfo import FLOAT, T, positive, standard_binary, table
from .samples import _f, _t, err, gen, same

OPS, row = table()


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
row("heaviside", *same(lambda m: m.heaviside), gen(("b", [lambda d, r: T(np.array([-1, 0, 2, 0], d)), _f((1,))], {})),
    dtypes=FLOAT + ("int64",), grad=False, gradcheck=False,
    errors=err(([_t((2,)), _t((2,), "float64")], {})))
row("ldexp", *same(lambda m: m.ldexp), gen(("int_exp", [_f((3,)), lambda d, r: T(np.array([1, 0, 3]))], {}),
                                           ("float_exp", [_f((2, 3)), _f((3,))], {})))
for _n in ("gcd", "lcm"):
    row(_n, *same(lambda m, n=_n: getattr(m, n)),
        gen(("ints", [lambda d, r: T(r.integers(-20, 20, (3, 4)).astype(d)), lambda d, r: T(r.integers(0, 20, (4,)).astype(d))], {})),
        dtypes=("int64", "int32", "uint8"), grad=False, gradcheck=False, errors=err(([_t((2,)), _t((2,))], {})))
row("nextafter", *same(lambda m: m.nextafter), standard_binary(scalar=None), grad=False, gradcheck=False)
