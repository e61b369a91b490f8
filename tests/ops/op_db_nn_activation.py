"""Op-table rows for ember/nn/functional/activation.py (``F.<name>`` against ``torch.nn.functional.<name>``)."""
from __future__ import annotations

import numpy as np
import torch

import ember

from .opinfo import T, arr, standard_unary, table
from .samples import _f, err, gen
from .samples_nn import fn, on_clone

OPS, row = table()


def _ones(*shape):
    return T(np.ones(shape, "float32"))


def _away(lo=-3.0, hi=3.0, kinks=(0.0,)):
    """Values away from the kinks (finite differences across a kink are meaningless)."""
    def make(rng, shape, dtype):
        v = arr(rng, shape, "float64", lo, hi)
        for k in kinks:
            v[abs(v - k) < 0.05] += 0.1
        return v.astype(dtype)

    return make


def _x(shape, kinks=(0.0,), layout="contiguous"):
    """A sample argument of the dtype, away from the kinks."""
    return lambda d, r: T(_away(kinks=kinks)(r, shape, d), layout=layout)


_UNARY = ("relu", "relu6", "selu", "silu", "mish", "sigmoid", "tanh", "hardsigmoid", "hardswish", "softsign",
          "logsigmoid", "tanhshrink", "gelu", "elu", "celu", "leaky_relu", "hardtanh", "softplus", "softshrink",
          "hardshrink")
_KINKS = {"relu6": (0.0, 6.0), "hardtanh": (-1.0, 1.0), "hardsigmoid": (-3.0, 3.0), "hardswish": (-3.0, 3.0),
          "softshrink": (-0.5, 0.5), "hardshrink": (-0.5, 0.5)}
_ERRORS = {"hardtanh": err(([_ones(3)], {"min_val": 2.0, "max_val": 1.0})), "celu": err(([_ones(3)], {"alpha": 0.0})),
           "gelu": err(([_ones(3)], {"approximate": "foo"})), "softshrink": err(([_ones(3), -1.0], {}))}
for _n in _UNARY:
    _vals = _away(-7, 7, (0.0, 6.0)) if _n == "relu6" else _away(kinks=_KINKS.get(_n, (0.0,)))
    row(f"F.{_n}", *fn(_n), standard_unary(_vals), errors=_ERRORS.get(_n))
# keyword variants torch accepts
for _n, _kw, _k in [("leaky_relu", {"negative_slope": 0.2}, (0.0,)), ("elu", {"alpha": 0.7}, (0.0,)),
                    ("celu", {"alpha": 1.3}, (0.0,)), ("gelu", {"approximate": "tanh"}, ()),
                    ("hardtanh", {"min_val": -0.5, "max_val": 1.5}, (-0.5, 1.5)),
                    ("softplus", {"beta": 2.0, "threshold": 3.0}, (1.5,)), ("softshrink", {"lambd": 0.3}, (-0.3, 0.3)),
                    ("hardshrink", {"lambd": 0.3}, (-0.3, 0.3))]:
    row(f"F.{_n}[{','.join(_kw)}]", lambda a, n=_n, k=_kw: fn(n)[0](a, **k), lambda a, n=_n, k=_kw: fn(n)[1](a, **k),
        gen(("2d", [_x((3, 4), _k)], {}), ("noncontig", [_x((4, 3), _k, "transposed")], {})))
row("F.threshold", *fn("threshold"), gen(("2d", [_x((3, 4), (0.1,)), 0.1, 2.0], {}),
                                         ("0d", [_x((), (0.1,)), 0.1, -1.0], {})),
    errors=err(([_ones(3), 0.1], {})))
for _n, _extra in [("relu_", ()), ("leaky_relu_", (0.1,)), ("elu_", (0.5,)), ("hardtanh_", (-0.5, 0.5)),
                   ("threshold_", (0.1, 2.0))]:
    row(f"F.{_n}", *on_clone(_n), gen(("2d", [_x((3, 4), (-0.5, 0.0, 0.1, 0.5)), *_extra], {})))
row("F.prelu", *fn("prelu"), gen(("channel", [_x((2, 3, 2)), _f((3,))], {}), ("shared", [_x((2, 3)), _f((1,))], {}),
                                 ("1d", [_x((4,)), _f((1,))], {})),
    errors=err(([_ones(2, 4), _ones(3)], {})))
row("F.rrelu", *fn("rrelu"), gen(("eval", [_x((3, 4))], {}), ("bounds", [_x((5,)), 0.1, 0.2], {})))
row("F.rrelu_training", lambda a: fn("rrelu")[0](a, training=True), lambda a: fn("rrelu")[1](a, training=True),
    gen(("2d", [_f((3, 4))], {})), nondeterministic_values=True, grad=False, gradcheck=False)
for _n in ("softmax", "log_softmax", "softmin"):
    row(f"F.{_n}", *fn(_n),
        gen(("dim1", [_f((3, 4))], {"dim": 1}), ("dim0", [_f((3, 4))], {"dim": 0}),
            ("noncontig", [_f((4, 3), "transposed")], {"dim": -1}), ("0d", [_f(())], {"dim": 0}),
            ("empty", [_f((0, 3))], {"dim": 1})),
        errors=err(([_ones(3, 4)], {"dim": 2}), ([_ones(3, 4)], {"dim": -3})))
    row(f"F.{_n}[dtype]", lambda a, n=_n: fn(n)[0](a, 0, dtype=ember.float64),
        lambda a, n=_n: fn(n)[1](a, 0, dtype=torch.float64), gen(("1d", [_f((4,))], {})), dtypes=("float32",))
row("F.glu", *fn("glu"), gen(("last", [_f((3, 4))], {}), ("dim0", [_f((4, 3))], {"dim": 0}),
                             ("noncontig", [_f((4, 2), "transposed")], {"dim": 1})),
    errors=err(([_ones(2, 3), 1], {})))
