"""Op-table rows for ember/nn/functional/distance.py."""
from __future__ import annotations

import numpy as np

from .opinfo import T, table
from .samples import _f, err, gen
from .samples_nn import fn

OPS, row = table()


def _ones(*shape):
    return T(np.ones(shape, "float32"))


row("F.normalize", *fn("normalize"),
    gen(("default", [_f((3, 4))], {}), ("p1_dim0", [_f((3, 4))], {"p": 1.0, "dim": 0}), ("1d", [_f((5,))], {"dim": 0}),
        ("noncontig", [_f((4, 3), "transposed")], {"eps": 1e-3})),
    errors=err(([_ones(3, 4)], {"dim": 3})))
row("F.cosine_similarity", *fn("cosine_similarity"),
    gen(("rows", [_f((3, 4)), _f((3, 4))], {}), ("dim0", [_f((3, 4)), _f((3, 4))], {"dim": 0}),
        ("broadcast", [_f((3, 4)), _f((1, 4))], {}), ("1d", [_f((5,)), _f((5,))], {"dim": 0})),
    errors=err(([_ones(3, 4), _ones(2, 4)], {})))
row("F.pairwise_distance", *fn("pairwise_distance"),
    gen(("rows", [_f((3, 4)), _f((3, 4))], {}), ("p1_keep", [_f((3, 4)), _f((3, 4))], {"p": 1.0, "keepdim": True}),
        ("1d", [_f((4,)), _f((4,))], {}), ("broadcast", [_f((3, 4)), _f((4,))], {"eps": 1e-3})),
    errors=err(([_ones(3, 4), _ones(2, 4)], {})))
row("F.pdist", *fn("pdist"), gen(("p2", [_f((4, 3))], {}), ("p1", [_f((3, 2))], {"p": 1.0}),
                                 ("p3", [_f((3, 2))], {"p": 3.0})),
    errors=err(([_ones(3)], {})))
