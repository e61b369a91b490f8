"""Op-table rows for ember/ops/random.py."""
from __future__ import annotations

import torch

import ember

from .opinfo import FLOAT, T, table
from .samples import _RAND, _f, _p, gen, same

OPS, row = table()


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
