"""Op-table rows for ember/nn/functional/margin_loss.py: each loss under every reduction and its keywords."""
from __future__ import annotations

import numpy as np

from .opinfo import T, table
from .samples import _f, err, gen
from .samples_nn import const, fn, signs

OPS, row = table()

_RED = ("none", "mean", "sum")


def _ones(*shape):
    return T(np.ones(shape, "float32"))


def reductions(args, **kw):
    return gen(("default", args, kw), *[(r, args, {**kw, "reduction": r}) for r in _RED])


row("F.margin_ranking_loss", *fn("margin_ranking_loss"), reductions([_f((5,)), _f((5,)), signs((5,))], margin=0.1),
    errors=err(([_ones(3), _ones(3), _ones(4)], {})))
row("F.hinge_embedding_loss", *fn("hinge_embedding_loss"), reductions([_f((3, 4)), signs((3, 4))], margin=0.5))
row("F.soft_margin_loss", *fn("soft_margin_loss"), reductions([_f((3, 4)), signs((3, 4))]))
row("F.multilabel_soft_margin_loss", *fn("multilabel_soft_margin_loss"),
    reductions([_f((3, 4)), const([[1, 0, 0, 1], [0, 0, 0, 0], [1, 1, 1, 0]])]))
row("F.cosine_embedding_loss", *fn("cosine_embedding_loss"), reductions([_f((3, 4)), _f((3, 4)), signs((3,))],
                                                                       margin=0.1))
row("F.multi_margin_loss", *fn("multi_margin_loss"), reductions([_f((3, 4)), const([0, 3, 1], "int64")]))
row("F.multi_margin_loss[p2]", *fn("multi_margin_loss"),
    gen(("p2_weight", [_f((3, 4)), const([0, 3, 1], "int64")], {"p": 2, "margin": 0.8,
                                                                 "weight": const([0.5, 1.0, 1.5, 2.0])})),
    errors=err(([T(np.ones((3, 4), "float32")), T(np.array([0, 1, 2], np.int64))], {"p": 3})))
row("F.multilabel_margin_loss", *fn("multilabel_margin_loss"),
    reductions([_f((3, 4)), const([[3, 0, -1, 1], [1, 2, 3, 0], [-1, 0, 0, 0]], "int64")]))
row("F.triplet_margin_loss", *fn("triplet_margin_loss"), reductions([_f((3, 4)), _f((3, 4)), _f((3, 4))], swap=True),
    errors=err(([_ones(3, 4), _ones(3, 4), _ones(3, 5)], {})))
row("F.triplet_margin_loss[p1]", *fn("triplet_margin_loss"),
    gen(("p1", [_f((2, 3)), _f((2, 3)), _f((2, 3))], {"p": 1.0, "margin": 0.5})))
row("F.triplet_margin_with_distance_loss", *fn("triplet_margin_with_distance_loss"),
    reductions([_f((3, 4)), _f((3, 4)), _f((3, 4))], swap=True))
