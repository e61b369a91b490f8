"""Op-table rows for ember/nn/functional/loss.py: each loss under every reduction, its keywords, torch's errors."""
from __future__ import annotations

import numpy as np

from .opinfo import T, table
from .samples import _f, _p, err, gen
from .samples_nn import const, fn, probs, x

OPS, row = table()
_W = x((4,), 0.5, 3.0, grad=False)  # class weights: torch refuses their gradient

_RED = ("none", "mean", "sum")


def reductions(args, **kw):
    """One sample per reduction (plus the call without ``reduction``: torch's default 'mean')."""
    return gen(("default", args, kw), *[(r, args, {**kw, "reduction": r}) for r in _RED])


def _bad(shape_a, shape_b):
    return ([T(np.ones(shape_a, "float32")), T(np.ones(shape_b, "float32"))], {})


for _n in ("l1_loss", "mse_loss"):
    row(f"F.{_n}", *fn(_n), reductions([_f((3, 4)), _f((3, 4))]), errors=err(_bad((3,), (4,))))
row("F.l1_loss[0d]", *fn("l1_loss"), gen(("0d", [_f(()), _f(())], {}), ("noncontig", [_f((4, 3), "transposed"),
                                                                                       _f((4, 3))], {})))
row("F.smooth_l1_loss", *fn("smooth_l1_loss"), reductions([_f((3, 4)), _f((3, 4))], beta=0.5),
    errors=err((_bad((3,), (3,))[0], {"beta": -1.0}), _bad((3,), (4,))))
row("F.smooth_l1_loss[beta0]", *fn("smooth_l1_loss"), gen(("beta0", [_f((5,)), _f((5,))], {"beta": 0.0})))
row("F.huber_loss", *fn("huber_loss"), reductions([_f((3, 4)), _f((3, 4))], delta=0.5),
    errors=err((_bad((3,), (3,))[0], {"delta": -1.0})))
row("F.cross_entropy", *fn("cross_entropy"), reductions([_f((3, 4)), const([0, 3, 1], "int64")], label_smoothing=0.1),
    errors=err(([T(np.ones((3, 4), "float32")), T(np.array([0, 1], np.int64))], {})))
row("F.cross_entropy[weight]", *fn("cross_entropy"),
    reductions([_f((3, 4)), const([0, 3, 1], "int64")], weight=_W, ignore_index=3))
row("F.cross_entropy[probs]", *fn("cross_entropy"), reductions([_f((3, 4)), probs((3, 4))], label_smoothing=0.2))
row("F.cross_entropy[nd]", *fn("cross_entropy"),
    gen(("spatial", [_f((2, 3, 2)), const([[0, 2], [1, 1]], "int64")], {}),
        ("1d", [_f((4,)), const(2, "int64")], {}),
        ("noncontig", [_f((4, 3), "transposed"), const([0, 2, 1, 0], "int64")], {})))
row("F.nll_loss", *fn("nll_loss"), reductions([_f((3, 4)), const([0, 3, 1], "int64")], weight=_W),
    errors=err(([T(np.ones((3, 4), "float32")), T(np.array([0, 1, 2, 3], np.int64))], {})))
row("F.nll_loss[ignore]", *fn("nll_loss"), reductions([_f((3, 4)), const([0, -100, 2], "int64")]))
row("F.binary_cross_entropy", *fn("binary_cross_entropy"),
    reductions([_p((3, 4), 0.05, 0.95), _p((3, 4), 0.0, 1.0)], weight=_W),
    errors=err(_bad((3,), (4,))))
row("F.binary_cross_entropy_with_logits", *fn("binary_cross_entropy_with_logits"),
    reductions([_f((3, 4)), _p((3, 4), 0.0, 1.0)], pos_weight=_W))
row("F.binary_cross_entropy_with_logits[weight]", *fn("binary_cross_entropy_with_logits"),
    gen(("w", [_f((3, 4)), _p((3, 4), 0.0, 1.0)], {"weight": x((3, 1), 0.5, 3.0, grad=False)})),
    errors=err(_bad((3,), (4,))))
row("F.kl_div", *fn("kl_div"), gen(*[(r, [lambda d, rng: T(np.log(probs((3, 4))(d, rng).value)), probs((3, 4))],
                                      {"reduction": r}) for r in _RED + ("batchmean",)],
                                   ("log_target", [_f((3, 4)), _f((3, 4))], {"log_target": True,
                                                                             "reduction": "batchmean"})))
row("F.poisson_nll_loss", *fn("poisson_nll_loss"), reductions([_f((3, 4)), _p((3, 4), 0.0, 3.0)], full=True),
    errors=err(_bad((3,), (4,))))
row("F.poisson_nll_loss[nolog]", *fn("poisson_nll_loss"),
    gen(("nolog", [_p((3, 4)), _p((3, 4), 0.0, 3.0)], {"log_input": False})))
row("F.gaussian_nll_loss", *fn("gaussian_nll_loss"), reductions([_f((3, 4)), _f((3, 4)), _p((3, 4))]),
    errors=err(([T(np.ones((3, 4), "float32")), T(np.ones((3, 4), "float32")), T(-np.ones((3, 4), "float32"))],
                {})))
row("F.gaussian_nll_loss[full]", *fn("gaussian_nll_loss"),
    gen(("full_shared_var", [_f((3, 4)), _f((3, 4)), _p((3, 1))], {"full": True, "eps": 1e-3})))
