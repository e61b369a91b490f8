"""Op-table rows for ember/ops/views.py."""
from __future__ import annotations

import numpy as np
import torch

import ember

from .opinfo import ALL, ErrorSample, Sample, T, arr, standard_unary, table
from .samples import _f, _fn, _m, _t, err, gen

OPS, row = table()


row("view", lambda x: x.view(4, 3), lambda x: x.view(4, 3), _m((3, 4)), dtypes=ALL,
    errors=lambda: [ErrorSample((T(np.ones((3, 4), "float32"), layout="transposed"),),
                                match="view size is not compatible with input tensor's size and stride")])
row("view_infer", lambda x: x.view(-1, 2), lambda x: x.view(-1, 2), _m((3, 4)),
    errors=lambda: [ErrorSample((T(np.ones((3, 3), "float32")),), match="is invalid for input of size 9")])
row("reshape", lambda x: x.reshape(2, -1), lambda x: x.reshape(2, -1),
    lambda d, rng: [Sample((T(arr(rng, (3, 4), d)),)), Sample((T(arr(rng, (3, 4), d), layout="transposed"),))])
row("transpose", lambda x: x.transpose(0, 1), lambda x: x.transpose(0, 1), _m((3, 4)), dtypes=ALL)
row("t", lambda x: x.t(), lambda x: x.t(), _m((3, 4)))
row("T", lambda x: x.T, lambda x: x.T, _m((3, 4)))
row("mT", lambda x: x.mT, lambda x: x.mT, _m((2, 3, 4)))
row("permute", lambda x: x.permute(2, 0, 1), lambda x: x.permute(2, 0, 1), _m((2, 3, 4)))
row("movedim", lambda x: x.movedim(0, -1), lambda x: x.movedim(0, -1), _m((2, 3, 4)))
row("expand", lambda x: x.expand(3, 2, 4), lambda x: x.expand(3, 2, 4), _m((2, 1)) if False else (
    lambda d, rng: [Sample((T(arr(rng, (2, 1), d)),))]),
    errors=lambda: [ErrorSample((T(np.ones((2, 3), "float32")),))])
row("expand_as", lambda x, y: x.expand_as(y), lambda x, y: x.expand_as(y),
    lambda d, rng: [Sample((T(arr(rng, (1, 4), d)), T(arr(rng, (3, 4), d), grad=False)))])
row("squeeze", lambda x: x.squeeze(), lambda x: x.squeeze(), _m((3, 1, 4, 1)))
row("squeeze_dim", lambda x: x.squeeze(1), lambda x: x.squeeze(1), _m((3, 1, 4)))
row("unsqueeze", lambda x: x.unsqueeze(-1), lambda x: x.unsqueeze(-1), _m((3, 4)))
row("flatten", lambda x: x.flatten(1), lambda x: x.flatten(1), _m((2, 3, 4)))
row("unflatten", lambda x: x.unflatten(1, (2, 2)), lambda x: x.unflatten(1, (2, 2)), _m((3, 4)))
row("contiguous", lambda x: x.t().contiguous(), lambda x: x.t().contiguous(), _m((3, 4)), view=False)
row("clone", lambda x: x.clone(), lambda x: x.clone(), _m((3, 4)), view=False)
row("adjoint", *_fn("adjoint"), gen(("2d", [_f((3, 4))], {}), ("batch", [_f((2, 3, 4))], {})))
row("broadcast_to", *_fn("broadcast_to"), gen(("expand", [_f((3, 1)), (2, 3, 4)], {}), ("same", [_f((2,)), (2,)], {})),
    errors=err(([_t((2, 3)), (3, 3)], {})))
for _n in ("swapaxes", "swapdims"):
    row(_n, *_fn(_n), gen(("3d", [_f((2, 3, 4)), 0, 2], {}), ("neg", [_f((2, 3)), -1, 0], {})), dtypes=ALL)
row("moveaxis", *_fn("moveaxis"), gen(("one", [_f((2, 3, 4)), 0, -1], {}), ("many", [_f((2, 3, 4)), (0, 1), (2, 0)], {})))
row("ravel", *_fn("ravel"), gen(("2d", [_f((3, 4))], {}), ("noncontig", [_f((3, 4), "transposed")], {}),
                                ("0d", [_f(())], {})), dtypes=ALL)
row("real", lambda a, b: ember.real(ember.complex(a, b)), lambda a, b: torch.real(torch.complex(a, b)),
    gen(("pair", [_f((3,)), _f((3,))], {})), skip_checks=("view",), gradcheck=False)
row("imag", lambda a, b: ember.imag(ember.complex(a, b)), lambda a, b: torch.imag(torch.complex(a, b)),
    gen(("pair", [_f((3,)), _f((3,))], {})), skip_checks=("view",), gradcheck=False)
row("conj", lambda x: ember.conj(x).resolve_conj() if hasattr(ember.Tensor, "resolve_conj") else ember.conj(x),
    lambda x: torch.conj(x).resolve_conj(), standard_unary(), skip_checks=("view",))
