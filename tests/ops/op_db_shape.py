"""Op-table rows for ember/ops/shape.py."""
from __future__ import annotations

import numpy as np
import torch

import ember

from .opinfo import ALL, ErrorSample, FLOAT, Sample, T, arr, table
from .samples import _f, _fill_diag, _resize, _t, err, gen, same

OPS, row = table()


row("repeat", lambda x, *r: x.repeat(*r), lambda x, *r: x.repeat(*r),
    gen(("2d", [_f((2, 3)), 2, 1], {}), ("lead", [_f((3,)), 2, 1, 2], {}), ("0d", [_f(()), 3], {}),
        ("noncontig", [_f((3, 2), "transposed"), 1, 2], {}), ("zero", [_f((2,)), 0], {})),
    dtypes=ALL, errors=err(([_t((2, 2)), 2], {})))
row("tile", *same(lambda m: m.tile), gen(("short", [_f((2, 3)), (2,)], {}), ("long", [_f((3,)), (2, 2)], {})),
    dtypes=FLOAT + ("int64",))
row("repeat_interleave", *same(lambda m: m.repeat_interleave),
    gen(("int", [_f((2, 3)), 2], {}), ("dim", [_f((2, 3)), 2], {"dim": 1}),
        ("tensor", [_f((3, 2)), lambda d, r: T(np.array([1, 0, 2]))], {"dim": 0}),
        ("out_size", [_f((2,)), lambda d, r: T(np.array([2, 1]))], {"dim": 0, "output_size": 3})),
    dtypes=FLOAT + ("int64",),
    errors=err(([_t((2,)), T(np.array([1, 2, 3]))], {"dim": 0}), ([_t((2,)), -1], {})))
row("repeat_interleave_counts", lambda r: ember.repeat_interleave(r), lambda r: torch.repeat_interleave(r),
    gen(("counts", [lambda d, r: T(np.array([1, 0, 3]))], {})), dtypes=("int64",), grad=False, gradcheck=False)
row("flip", *same(lambda m: m.flip),
    gen(("one", [_f((2, 3)), [0]], {}), ("both", [_f((2, 3)), (0, -1)], {}), ("neg", [_f((4,), "flipped"), [0]], {}),
        ("noncontig", [_f((3, 2), "transposed"), [1]], {}), ("0d", [_f(()), []], {})),
    dtypes=ALL, errors=err(([_t((2,)), [1]], {})))
row("fliplr", *same(lambda m: m.fliplr), gen(("2d", [_f((2, 3))], {})), dtypes=ALL, errors=err(([_t((2,))], {})))
row("flipud", *same(lambda m: m.flipud), gen(("2d", [_f((2, 3))], {}), ("1d", [_f((3,))], {})), dtypes=ALL,
    errors=err(([_t(())], {})))
row("roll", *same(lambda m: m.roll),
    gen(("flat", [_f((2, 3)), 2], {}), ("dim", [_f((2, 3)), 1, 1], {}), ("multi", [_f((2, 3)), (1, -1), (0, 1)], {}),
        ("noncontig", [_f((3, 2), "transposed"), -1, 0], {})),
    dtypes=ALL, errors=err(([_t((2, 3)), (1, 2), (0,)], {})))
row("rot90", *same(lambda m: m.rot90),
    gen(("k1", [_f((2, 3))], {}), ("k2", [_f((2, 3)), 2], {}), ("k3", [_f((2, 3, 2)), 3, (2, 0)], {}),
        ("k0", [_f((2, 3)), 0], {}), ("kneg", [_f((2, 3)), -1], {})),
    dtypes=FLOAT + ("int64",), errors=err(([_t((2,))], {}), ([_t((2, 2)), 1, (0, 0)], {}), ([_t((2, 2)), 1, (0, 1, 1)], {})))
for _n in ("tril", "triu"):
    row(_n, *same(lambda m, n=_n: getattr(m, n)),
        gen(("2d", [_f((3, 4))], {}), ("diag", [_f((3, 4)), 1], {}), ("neg", [_f((4, 3)), -1], {}),
            ("batch", [_f((2, 3, 3))], {}), ("noncontig", [_f((3, 3), "transposed")], {}), ("empty", [_f((0, 3))], {})),
        dtypes=ALL, errors=err(([_t((3,))], {})))
row("diag", *same(lambda m: m.diag),
    gen(("vec", [_f((3,))], {}), ("vec_off", [_f((2,)), -1], {}), ("mat", [_f((3, 4))], {}), ("mat_off", [_f((3, 4)), 1], {})),
    dtypes=ALL, errors=err(([_t((2, 2, 2))], {})))
row("diag_embed", *same(lambda m: m.diag_embed),
    gen(("1d", [_f((3,))], {}), ("batch", [_f((2, 3))], {}), ("off", [_f((2, 3)), 1, 0, 2], {}),
        ("neg", [_f((2,)), -1], {})),
    dtypes=FLOAT + ("int64",), errors=err(([_t((2,)), 0, 0, 0], {})))
row("diagflat", *same(lambda m: m.diagflat), gen(("2d", [_f((2, 2))], {}), ("off", [_f((3,)), 1], {})),
    dtypes=FLOAT + ("int64",))
row("block_diag", *same(lambda m: m.block_diag),
    gen(("mixed", [_f((2, 2)), _f((3,)), _f(()), _f((1, 2))], {}), ("one", [_f((2, 3))], {})),
    dtypes=FLOAT + ("int64",), errors=err(([_t((2, 2, 2))], {})))
row("block_diag_promote", *same(lambda m: m.block_diag),
    lambda d, rng: [Sample((T(arr(rng, (2, 2), d)), T(arr(rng, (1, 2), "int64"))), name="promote")], dtypes=FLOAT)
row("meshgrid_ij", lambda *a: ember.meshgrid(*a, indexing="ij"), lambda *a: torch.meshgrid(*a, indexing="ij"),
    gen(("two", [_f((2,)), _f((3,))], {}), ("three", [_f((2,)), _f(()), _f((3,))], {})),
    dtypes=FLOAT + ("int64",), errors=err(([_t((2, 2)), _t((2,))], {}), ([_t((2,)), _t((2,), "float64")], {})))
row("meshgrid_xy", lambda *a: ember.meshgrid(*a, indexing="xy"), lambda *a: torch.meshgrid(*a, indexing="xy"),
    gen(("two", [_f((2,)), _f((3,))], {}), ("three", [_f((2,)), _f((4,)), _f((3,))], {})), dtypes=FLOAT + ("int64",))
row("broadcast_tensors", *same(lambda m: m.broadcast_tensors),
    gen(("two", [_f((2, 1)), _f((3,))], {}), ("three", [_f(()), _f((2, 1, 3)), _f((4, 1))], {})), dtypes=ALL,
    errors=err(([_t((2,)), _t((3,))], {})))
row("broadcast_shapes", lambda *s: tuple(ember.broadcast_shapes(*s)), lambda *s: tuple(torch.broadcast_shapes(*s)),
    gen(("shapes", [(2, 1), (3,), 1], {})), grad=False, gradcheck=False,
    errors=lambda: [ErrorSample(((2,), (3,)))])
for _n in ("atleast_1d", "atleast_2d", "atleast_3d"):
    row(_n, *same(lambda m, n=_n: getattr(m, n)),
        gen(("0d", [_f(())], {}), ("1d", [_f((3,))], {}), ("2d", [_f((2, 3))], {}), ("3d", [_f((2, 3, 1))], {})),
        dtypes=FLOAT + ("int64",))
    # gradcheck's no-grad pass filters out outputs that are the input itself: backward still checks it
    row(_n + "_many", *same(lambda m, n=_n: getattr(m, n)), gen(("many", [_f(()), _f((2, 3))], {})),
        gradcheck=False)
row("cartesian_prod", *same(lambda m: m.cartesian_prod),
    gen(("two", [_f((2,)), _f((3,))], {}), ("three", [_f((2,)), _f((1,)), _f((2,))], {}), ("one", [_f((3,))], {})),
    dtypes=FLOAT + ("int64",), errors=err(([_t((2, 2))], {})))
row("combinations", *same(lambda m: m.combinations),
    gen(("r2", [_f((4,))], {}), ("r3", [_f((4,)), 3], {}), ("repl", [_f((3,)), 2, True], {}),
        ("r_big", [_f((2,)), 3], {})),
    dtypes=FLOAT + ("int64",), errors=err(([_t((2, 2))], {})))
row("new_tensor", lambda x: x.new_tensor([[1, 2], [3, 4]]), lambda x: x.new_tensor([[1, 2], [3, 4]]),
    gen(("list", [_f((2,))], {})), dtypes=ALL, grad=False, gradcheck=False)
for _n, _extra in (("new_zeros", ()), ("new_ones", ()), ("new_full", (2.5,))):
    row(_n, lambda x, n=_n, e=_extra: getattr(x, n)((2, 3), *e), lambda x, n=_n, e=_extra: getattr(x, n)((2, 3), *e),
        gen(("shape", [_f((2,))], {})), dtypes=FLOAT + ("int64",), grad=False, gradcheck=False)
row("new_empty", lambda x: x.new_empty(2, 3), lambda x: x.new_empty(2, 3), gen(("shape", [_f((2,))], {})),
    dtypes=FLOAT + ("int64",), nondeterministic_values=True, grad=False, gradcheck=False)
row("new_zeros_dtype", lambda x: x.new_zeros(2, dtype=ember.int32), lambda x: x.new_zeros(2, dtype=torch.int32),
    gen(("dtype", [_f((2,))], {})), grad=False, gradcheck=False)
row("new_data", lambda x: x.new([1, 2]), lambda x: x.new([1, 2]), gen(("list", [_f((2,))], {})),
    dtypes=FLOAT + ("int64",), grad=False, gradcheck=False)
row("new_size", lambda x: x.new(2, 3).shape, lambda x: x.new(2, 3).shape, gen(("shape", [_f((2,))], {})),
    grad=False, gradcheck=False)
row("resize", _resize(ember), _resize(torch), gen(("same_numel", [_f((2, 3)), 3, 2], {}),
                                                  ("noncontig", [_f((2, 3), "transposed"), 6], {})),
    errors=err(([_t((2, 3)), 4], {})))
row("fill_diagonal_", _fill_diag(ember), _fill_diag(torch),
    gen(("square", [_f((3, 3)), 2.0], {}), ("tall", [_f((7, 3)), 2.0], {}), ("tall_wrap", [_f((7, 3)), 2.0], {"wrap": True}),
        ("wide", [_f((2, 4)), -1.0], {}), ("cube", [_f((2, 2, 2)), 0.0], {})),
    errors=err(([_t((2, 3, 2)), 1.0], {}), ([_t((3,)), 1.0], {})))
