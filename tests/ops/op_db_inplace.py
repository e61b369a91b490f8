"""Op-table rows for ember/ops/inplace.py."""
from __future__ import annotations

import torch

import ember

from .opinfo import table
from .samples import NO_GRAD, _f, gen

OPS, row = table()


# ---------------------------------------------------------------- whole-tensor in-place writers (on a copy)
row("fill_", lambda x: ember.fill_(x * 1, 2.5), lambda x: torch.fill_(x * 1, 2.5), gen(("2d", [_f((3, 4))], {})),
    skip_checks=("view",), gradcheck=False)
row("zero_", lambda x: ember.zero_(x * 1), lambda x: torch.zero_(x * 1), gen(("2d", [_f((3, 4))], {})),
    skip_checks=("view",), gradcheck=False)
row("resize_as_", lambda x, y: ember.resize_as_(x.detach().clone(), y).shape,
    lambda x, y: torch.resize_as_(x.detach().clone(), y).shape,
    gen(("same_numel", [_f((3, 4)), _f((4, 3))], {}), ("shrink", [_f((3, 4)), _f((2, 2))], {})), **NO_GRAD)
