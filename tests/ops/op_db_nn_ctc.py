"""Op-table rows for ember/nn/functional/ctc.py. The log-probabilities go through log_softmax on both sides:
torch's CTC gradient assumes normalised inputs, so finite differences of raw scores would not match it."""
from __future__ import annotations

import numpy as np

from .opinfo import T, table
from .samples import _f, err, gen
from .samples_nn import const, fn

OPS, row = table()


def _ctc(lib_fn, log_softmax):
    def f(x, targets, in_len, tgt_len, **kw):
        return lib_fn(log_softmax(x, -1), targets, in_len, tgt_len, **kw)

    return f


_E, _LS = fn("ctc_loss"), fn("log_softmax")
_SAMPLE = [_f((4, 1, 3)), const([[1, 2]], "int64"), const([4], "int64"), const([2], "int64")]
_BATCH = [_f((6, 2, 4)), const([[1, 2, 2], [3, 1, 0]], "int64"), const([6, 5], "int64"), const([3, 2], "int64")]
row("F.ctc_loss", _ctc(_E[0], _LS[0]), _ctc(_E[1], _LS[1]),
    gen(("tiny", _SAMPLE, {}), *[(r, _BATCH, {"reduction": r}) for r in ("none", "mean", "sum")],
        ("blank_inf", _BATCH, {"blank": 0, "zero_infinity": True}),
        ("concat_targets", [_f((5, 2, 3)), const([1, 2, 2, 1, 1], "int64"), const([5, 4], "int64"),
                            const([2, 3], "int64")], {}),
        ("unbatched", [_f((5, 3)), const([1, 2], "int64"), const(5, "int64"), const(2, "int64")], {})),
    errors=err(([T(np.zeros((4, 1, 3), "float32")), T(np.array([[1, 2]])), T(np.array([5])), T(np.array([2]))], {}),
               ([T(np.zeros((4, 1, 3), "float32")), T(np.array([[1, 2]])), T(np.array([4])), T(np.array([2]))],
                {"reduction": "bad"})))
