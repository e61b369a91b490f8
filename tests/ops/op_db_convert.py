"""Op-table rows for ember/ops/convert.py."""
from __future__ import annotations

import torch

import ember

from .opinfo import FLOAT, table
from .samples import NO_GRAD, _f, _fn, _m, gen

OPS, row = table()


row("to_double", lambda x: x.to(ember.float64), lambda x: x.to(torch.float64), _m((3, 4)), dtypes=("float32",))
row("to_long", lambda x: x.long(), lambda x: x.long(), _m((3, 4)), grad=False, gradcheck=False)
for _n in ("is_floating_point", "is_complex"):
    row(_n, *_fn(_n), gen(("t", [_f((2,))], {})), dtypes=FLOAT + ("int64", "bool"), **NO_GRAD)
row("numel", *_fn("numel"), gen(("2d", [_f((3, 4))], {}), ("0d", [_f(())], {}), ("empty", [_f((0, 3))], {})),
    **NO_GRAD)
