"""Op-table rows for ember/nn/functional/sparse.py."""
from __future__ import annotations

import numpy as np

from .opinfo import T, table
from .samples import _f, err, gen
from .samples_nn import const, fn

OPS, row = table()

_IDX = const([[0, 2, 4], [4, 3, 0]], "int64")
row("F.embedding", *fn("embedding"),
    gen(("2d", [_IDX, _f((5, 3))], {}), ("padding_idx", [_IDX, _f((5, 2))], {"padding_idx": 4}),
        ("neg_padding_idx", [const([1, 4, 4], "int64"), _f((5, 2))], {"padding_idx": -1}),
        ("0d", [const(2, "int64"), _f((5, 3))], {}), ("noncontig", [_IDX, _f((5, 3), "transposed")], {})),
    errors=err(([T(np.array([5])), T(np.ones((5, 3), "float32"))], {}),
               ([T(np.array([1.0])), T(np.ones((5, 3), "float32"))], {})))
row("F.embedding_bag", *fn("embedding_bag"),
    gen(("mean_offsets", [const([0, 2, 4, 1, 3], "int64"), _f((5, 3)), const([0, 2], "int64")], {}),
        ("sum_2d", [_IDX, _f((5, 2))], {"mode": "sum"}),
        ("max", [const([0, 2, 4, 1], "int64"), _f((5, 2)), const([0, 3], "int64")], {"mode": "max"}),
        ("weights", [const([0, 2, 4, 1], "int64"), _f((5, 2)), const([0, 1], "int64")],
         {"mode": "sum", "per_sample_weights": _f((4,))}),
        ("last_offset", [const([0, 2, 4, 1], "int64"), _f((5, 2)), const([0, 1, 4], "int64")],
         {"include_last_offset": True}),
        ("padding_idx", [_IDX, _f((5, 2))], {"padding_idx": 0})))
row("F.one_hot", *fn("one_hot"), gen(("1d", [const([0, 3, 1], "int64")], {}),
                                     ("classes", [const([[0, 2], [1, 1]], "int64")], {"num_classes": 4}),
                                     ("0d", [const(2, "int64"), 3], {})),
    dtypes=("float32",), grad=False, gradcheck=False,
    errors=err(([T(np.array([0, 3]))], {"num_classes": 2}), ([T(np.array([0.0, 1.0]))], {})))
