"""Op-table rows for ember/nn/functional/dropout.py: training draws random masks (shape and dtype against torch;
the statistics in tests/nn/test_dropout_embedding.py), evaluation is the identity (values and gradients)."""
from __future__ import annotations

import numpy as np

from .opinfo import T
from .samples import _f, _RAND, err, gen
from .samples_nn import fn
from .opinfo import table

OPS, row = table()

_SHAPE = {"dropout": (3, 4), "alpha_dropout": (3, 4), "dropout1d": (2, 3, 4), "dropout2d": (2, 3, 2, 2),
          "dropout3d": (1, 2, 2, 2, 2), "feature_alpha_dropout": (2, 3, 2, 2)}
for _n, _s in _SHAPE.items():
    _bad = T(np.ones(_s, "float32"))
    row(f"F.{_n}", *fn(_n), gen(("train", [_f(_s)], {"p": 0.5, "training": True}), ("p0", [_f(_s)], {"p": 0.0}),
                               ("p1", [_f(_s)], {"p": 1.0})),
        errors=err(([_bad], {"p": 1.5}), ([_bad], {"p": -0.1})), **_RAND)
    row(f"F.{_n}[eval]", *fn(_n), gen(("eval", [_f(_s)], {"p": 0.5, "training": False}),
                                      ("tiny", [_f((1, 2) + _s[2:] if len(_s) > 2 else (2, 3))], {"training": False})))
row("F.dropout[unbatched]", *fn("dropout1d"), gen(("2d", [_f((3, 4))], {"p": 0.5})), **_RAND)
