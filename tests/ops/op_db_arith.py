"""Op-table rows for ember/ops/arith.py."""
from __future__ import annotations

import numpy as np
import torch

import ember

from .opinfo import ALL, FLOAT, INT, Sample, T, arr, positive, standard_binary, standard_unary, table
from .samples import NO_GRAD, _bin_errors, _fn, _mixed, gen

OPS, row = table()


row("add", lambda a, b: ember.add(a, b), lambda a, b: torch.add(a, b), standard_binary(),
    dtypes=FLOAT + INT, errors=_bin_errors)
row("add_alpha", lambda a, b: ember.add(a, b, alpha=2), lambda a, b: torch.add(a, b, alpha=2), standard_binary())
row("sub", lambda a, b: a - b, lambda a, b: a - b, standard_binary(), dtypes=FLOAT + INT, errors=_bin_errors)
row("rsub", lambda a, b: 2.0 - a, lambda a, b: 2.0 - a, standard_binary(scalar=None))
row("mul", lambda a, b: a * b, lambda a, b: a * b, standard_binary(), dtypes=ALL, errors=_bin_errors,
    gradgrad=True)
row("div", lambda a, b: a / b, lambda a, b: a / b, standard_binary(fn_b=positive), dtypes=FLOAT + INT)
row("div_floor", lambda a, b: ember.div(a, b, rounding_mode="floor"),
    lambda a, b: torch.div(a, b, rounding_mode="floor"), standard_binary(fn_b=positive), dtypes=FLOAT + ("int64",),
    grad=False, gradcheck=False)
row("div_trunc", lambda a, b: ember.div(a, b, rounding_mode="trunc"),
    lambda a, b: torch.div(a, b, rounding_mode="trunc"), standard_binary(fn_b=positive), dtypes=FLOAT + ("int64",),
    grad=False, gradcheck=False)
row("floordiv", lambda a, b: a // b, lambda a, b: a // b, standard_binary(fn_b=positive), dtypes=FLOAT + ("int64",),
    grad=False, gradcheck=False)
row("pow", lambda a, b: a ** b, lambda a, b: a ** b, standard_binary(fn_a=positive), gradgrad=True)
row("pow_scalar", lambda a: a ** 3, lambda a: a ** 3, standard_unary())
row("rpow", lambda a: 2.0 ** a, lambda a: 2.0 ** a, standard_unary())
row("remainder", lambda a, b: a % b, lambda a, b: a % b, standard_binary(fn_b=positive), dtypes=FLOAT + ("int64",))
row("fmod", ember.fmod, torch.fmod, standard_binary(fn_b=positive), dtypes=FLOAT + ("int64",))
row("maximum", ember.maximum, torch.maximum, standard_binary(scalar=None), dtypes=FLOAT + ("int64",))
row("minimum", ember.minimum, torch.minimum, standard_binary(scalar=None), dtypes=FLOAT + ("int64",))
for _n in ("eq", "ne", "lt", "le", "gt", "ge"):
    row(_n, getattr(ember, _n), getattr(torch, _n), standard_binary(), dtypes=FLOAT + INT, grad=False,
        gradcheck=False)
for _n in ("bitwise_and", "bitwise_or", "bitwise_xor"):
    row(_n, getattr(ember, _n), getattr(torch, _n), standard_binary(scalar=3), dtypes=("int64", "int32", "bool"),
        grad=False, gradcheck=False)
row("add_promotion", lambda a, b: a + b, lambda a, b: a + b, _mixed, dtypes=("float32", "float16"), grad=False,
    gradcheck=False)
row("mul_promotion", lambda a, b: a * b, lambda a, b: a * b, _mixed, dtypes=("float32",), grad=False,
    gradcheck=False)
row("div_promotion", lambda a, b: a / b, lambda a, b: a / b,
    lambda d, rng: [Sample((T(arr(rng, (3,), "int64")), T(positive(rng, (3,), "int64"))), name="int/int")],
    dtypes=("float32",), grad=False, gradcheck=False)
row("float_power_method", lambda x: x.float_power(2), lambda x: x.float_power(2), standard_unary(positive))
row("true_divide_method", lambda a, b: a.true_divide(b), lambda a, b: a.true_divide(b), standard_binary(fn_b=positive))
# ---------------------------------------------------------------- aliases of binary ops
for _n in ("multiply", "subtract"):
    row(_n, *_fn(_n), standard_binary(), dtypes=FLOAT + ("int64",))
row("divide", *_fn("divide"), standard_binary(fn_b=positive), dtypes=FLOAT + ("int64",))
row("divide_floor", lambda a, b: ember.divide(a, b, rounding_mode="floor"),
    lambda a, b: torch.divide(a, b, rounding_mode="floor"), standard_binary(fn_b=positive), **NO_GRAD)
row("floor_divide", *_fn("floor_divide"), standard_binary(fn_b=positive), dtypes=FLOAT + ("int64",), **NO_GRAD)
for _n in ("greater", "greater_equal", "less", "less_equal", "not_equal"):
    row(_n, *_fn(_n), standard_binary(), dtypes=FLOAT + ("int64",), **NO_GRAD)
for _n in ("fmax", "fmin"):
    row(_n, *_fn(_n), standard_binary(scalar=None), dtypes=FLOAT + ("int64",))
    row(f"{_n}_nan", *_fn(_n), gen(("nan", [lambda d, r: T(np.array([np.nan, 1.0, np.nan], d)),
                                            lambda d, r: T(np.array([2.0, np.nan, np.nan], d))], {})),
        **NO_GRAD)
for _n in ("bitwise_left_shift", "bitwise_right_shift"):
    row(_n, *_fn(_n), gen(("same", [lambda d, r: T(arr(r, (3, 4), d, 0, 20)), lambda d, r: T(arr(r, (3, 4), d, 0, 3))], {}),
                          ("bcast", [lambda d, r: T(arr(r, (3, 1), d, 0, 20)), lambda d, r: T(arr(r, (4,), d, 0, 3))], {})),
        dtypes=("int64", "int32"), **NO_GRAD)
