"""The op table: one ``OpInfo`` row per op; generic tests in test_ops.py cross every row with every check.

A row names the op, an ember callable, a torch callable with the same signature, a sample generator
and tolerances. Samples hold NumPy arrays; ``make_pair`` turns each into an ember tensor and a torch
tensor with equal values (ember's may be a negative-stride or non-contiguous view of the same data).

Adding an op: write it in ember/ops, then add one row in ``op_db_<op file>.py`` (one table file per file of
ember/ops, ``op_db_nn_<file>.py`` per file of ember/nn/functional; shared sample generators in ``samples.py``).
Each table file starts with ``OPS, row = table()`` (defaults for every row of the file as keywords).
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable

import numpy as np

FLOAT = ("float32", "float64")
ALL_FLOAT = ("float16", "float32", "float64")
INT = ("int64", "int32", "uint8", "int8", "int16")
ALL = FLOAT + INT + ("bool",)


@dataclasses.dataclass
class T:
    """A tensor argument in a sample: values plus how ember should see them."""

    value: np.ndarray
    grad: bool = True  # requires_grad when floating
    layout: str = "contiguous"  # or "transposed" (non-contiguous) or "flipped" (negative stride in ember)


@dataclasses.dataclass
class Sample:
    args: tuple
    kwargs: dict = dataclasses.field(default_factory=dict)
    name: str = ""


@dataclasses.dataclass
class ErrorSample:
    args: tuple
    kwargs: dict = dataclasses.field(default_factory=dict)
    match: str | None = None  # a substring ember's message must contain


@dataclasses.dataclass
class OpInfo:
    name: str
    ember: Callable
    torch: Callable
    samples: Callable[[str, np.random.Generator], list]  # (dtype name, rng) -> [Sample]
    dtypes: tuple = FLOAT
    grad: bool = True  # compare gradients with torch
    gradcheck: bool = True  # float64 finite differences
    gradgrad: bool = True  # second derivatives by finite differences (test_gradgradcheck), on differentiable rows
    atol: float = 1e-5
    rtol: float = 1.3e-6
    grad_atol: float | None = None
    view: bool | None = None  # None: compare sharing with torch automatically
    errors: Callable[[], list] | None = None
    output_index: int | None = None  # compare only this output of a tuple result
    nondeterministic_values: bool = False  # random ops: compare shape/dtype only
    skip_checks: tuple = ()
    tol: dict = dataclasses.field(default_factory=dict)  # per-dtype (atol, rtol)


def arr(rng: np.random.Generator, shape, dtype: str, low=-3.0, high=3.0) -> np.ndarray:
    """Random values of a dtype; floats avoid the kinks that break finite differences."""
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if dtype in INT:
        lo = 0 if dtype == "uint8" else int(low)
        return rng.integers(lo, max(int(high), lo + 1) + 1, size=shape).astype(dtype)
    return rng.uniform(low, high, size=shape).astype(dtype)


def positive(rng, shape, dtype):
    return arr(rng, shape, dtype, 0.5, 3.0) if dtype not in INT else arr(rng, shape, dtype, 1, 4)


def unit(rng, shape, dtype):
    return arr(rng, shape, dtype, -0.9, 0.9)


def standard_unary(fn=arr, empty: bool = True):
    """Shapes every pointwise op should handle: scalar, vector, matrix, empty, and odd layouts."""

    def gen(dtype, rng):
        return [s for s in [
            Sample((T(fn(rng, (), dtype)),), name="0d"),
            Sample((T(fn(rng, (5,), dtype)),), name="1d"),
            Sample((T(fn(rng, (3, 4), dtype)),), name="2d"),
            Sample((T(fn(rng, (0, 3), dtype)),), name="empty"),
            Sample((T(fn(rng, (4, 3), dtype), layout="transposed"),), name="noncontig"),
            Sample((T(fn(rng, (6,), dtype), layout="flipped"),), name="negstride"),
        ] if empty or s.name != "empty"]

    return gen


def standard_binary(fn_a=arr, fn_b=arr, scalar=1.5):
    def gen(dtype, rng):
        out = [
            Sample((T(fn_a(rng, (3, 4), dtype)), T(fn_b(rng, (3, 4), dtype))), name="same"),
            Sample((T(fn_a(rng, (3, 1), dtype)), T(fn_b(rng, (1, 4), dtype))), name="broadcast"),
            Sample((T(fn_a(rng, (2, 3, 4), dtype)), T(fn_b(rng, (4,), dtype))), name="broadcast_rank"),
            Sample((T(fn_a(rng, (), dtype)), T(fn_b(rng, (3,), dtype))), name="0d_a"),
            Sample((T(fn_a(rng, (0, 4), dtype)), T(fn_b(rng, (1, 4), dtype))), name="empty"),
            Sample((T(fn_a(rng, (3, 4), dtype), layout="transposed"), T(fn_b(rng, (3, 4), dtype))), name="noncontig"),
            Sample((T(fn_a(rng, (5,), dtype), layout="flipped"), T(fn_b(rng, (5,), dtype))), name="negstride"),
        ]
        if scalar is not None:
            out.append(Sample((T(fn_a(rng, (3,), dtype)), scalar), name="pyscalar"))
        return out

    return gen


def to_ember(t: T, ember, want_grad: bool):
    """The ember side: same values; "transposed" is Fortran-ordered, "flipped" a negative-stride view."""
    from ember.tensor import wrap

    v = t.value
    if t.layout == "transposed":
        data = np.asfortranarray(v)
    elif t.layout == "flipped":
        data = np.ascontiguousarray(v[::-1])[::-1]
    else:
        data = v.copy()
    x = wrap(data)
    if want_grad and t.grad and data.dtype.kind == "f":
        x.requires_grad_(True)
    return x


def to_torch(t: T, torch, dtype_grad: bool):
    x = torch.from_numpy(np.array(t.value, copy=True))
    if t.layout == "transposed":
        x = x.T.contiguous().T
    if dtype_grad and t.grad and t.value.dtype.kind == "f":
        x.requires_grad_(True)
    return x


def convert(args, kwargs, conv):
    def c(a):
        if isinstance(a, T):
            return conv(a)
        if isinstance(a, (list, tuple)) and any(isinstance(x, T) for x in a):
            return type(a)(c(x) for x in a)
        return a

    return tuple(c(a) for a in args), {k: c(v) for k, v in kwargs.items()}


def table(**defaults) -> tuple[list, Callable]:
    """A new table file's rows and its ``row(name, ember, torch, samples, **kw)``, which appends one OpInfo.

    ``defaults`` apply to every row of the file (``table(tol=TOL)``); a row's own keywords win."""
    rows: list = []

    def row(name: str, e: Callable, t: Callable, samples: Callable, **kw) -> OpInfo:
        op = OpInfo(name, e, t, samples, **{**defaults, **kw})
        rows.append(op)
        return op

    return rows, row
