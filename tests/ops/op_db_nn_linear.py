"""Op-table rows for ember/nn/functional/linear.py."""
from __future__ import annotations

import numpy as np

from .opinfo import T, table
from .samples import _f, err, gen
from .samples_nn import fn

OPS, row = table()

row("F.linear", *fn("linear"), gen(("bias", [_f((3, 4)), _f((2, 4)), _f((2,))], {}),
                                   ("nobias", [_f((2, 4)), _f((3, 4))], {}),
                                   ("batched", [_f((2, 3, 2)), _f((2, 2)), _f((2,))], {}),
                                   ("1d", [_f((4,)), _f((2, 4))], {}),
                                   ("noncontig", [_f((4, 3), "transposed"), _f((2, 3), "transposed"), _f((2,))], {}),
                                   ("empty", [_f((0, 3)), _f((2, 3)), _f((2,))], {})),
    errors=err(([T(np.ones((2, 3), "float32")), T(np.ones((2, 4), "float32"))], {})))
row("F.bilinear", *fn("bilinear"), gen(("bias", [_f((2, 3)), _f((2, 2)), _f((2, 3, 2)), _f((2,))], {}),
                                       ("nobias", [_f((3, 2)), _f((3, 1)), _f((1, 2, 1))], {}),
                                       ("batched", [_f((2, 2, 2)), _f((2, 2, 1)), _f((1, 2, 1))], {})))
