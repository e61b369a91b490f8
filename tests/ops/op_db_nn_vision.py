"""Op-table rows for ember/nn/functional/vision.py: padding modes, resampling modes, pixel shuffles."""
from __future__ import annotations

import warnings

import numpy as np

from .opinfo import T, table
from .samples import _f, err, gen
from .samples_nn import fn

OPS, row = table()


def _quiet(f):
    """The deprecated ``upsample*`` spellings warn on both sides; the values are what the row compares."""
    def g(*a, **k):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return f(*a, **k)

    return g


row("F.pad", *fn("pad"),
    gen(("tiny", [_f((2, 3)), (1, 2)], {}), ("constant_value", [_f((2, 3)), (1, 0, 0, 2)], {"value": 1.5}),
        ("negative", [_f((3, 4)), (-1, 1)], {}), ("mixed_value", [_f((1, 3, 4)), (1, -2, 2, -1)], {"value": 2.5}),
        ("noncontig", [_f((4, 3), "transposed"), (1, 1)], {}),
        ("0d_nopad", [_f(()), ()], {}),
        *[(m, [_f((1, 2, 3, 4)), (1, 2, 2, 1)], {"mode": m}) for m in ("reflect", "replicate", "circular")],
        *[(m + "_1d", [_f((1, 2, 4)), (2, 1)], {"mode": m}) for m in ("reflect", "replicate", "circular")],
        ("replicate_3d", [_f((1, 1, 2, 2, 3)), (1, 1, 1, 0, 0, 1)], {"mode": "replicate"})),
    errors=err(([T(np.ones((1, 2, 3), "float32")), (3, 3)], {"mode": "reflect"}),
               ([T(np.ones((2, 3), "float32")), (1,)], {})))
row("F.interpolate", *fn("interpolate"),
    gen(("nearest", [_f((1, 2, 3))], {"scale_factor": 2}),
        ("nearest_size", [_f((1, 1, 2, 3))], {"size": (3, 5)}),
        ("nearest_exact", [_f((1, 1, 3, 2))], {"size": (5, 3), "mode": "nearest-exact"}),
        ("linear", [_f((1, 2, 4))], {"size": 6, "mode": "linear"}),
        ("linear_corners", [_f((1, 2, 4))], {"size": 7, "mode": "linear", "align_corners": True}),
        ("bilinear", [_f((1, 1, 2, 3))], {"scale_factor": 1.5, "mode": "bilinear"}),
        ("bilinear_corners", [_f((2, 1, 3, 3))], {"size": (4, 5), "mode": "bilinear", "align_corners": True}),
        ("bicubic", [_f((1, 1, 3, 3))], {"size": (5, 4), "mode": "bicubic"}),
        ("bicubic_corners", [_f((1, 2, 3, 2))], {"size": (4, 3), "mode": "bicubic", "align_corners": True}),
        ("bilinear_scale", [_f((1, 1, 3, 2))], {"scale_factor": 1.7, "mode": "bilinear"}),
        ("trilinear", [_f((1, 1, 2, 2, 3))], {"scale_factor": 2, "mode": "trilinear"}),
        ("area", [_f((1, 2, 6, 4))], {"size": (3, 2), "mode": "area"}),
        ("recompute", [_f((1, 1, 3, 3))], {"scale_factor": 1.7, "mode": "bilinear", "recompute_scale_factor": True}),
        ("noncontig", [_f((1, 2, 4), "transposed")], {"scale_factor": 2})),
    errors=err(([T(np.ones((1, 1, 3), "float32"))], {"size": 4, "mode": "bilinear"}),
               ([T(np.ones((1, 1, 3), "float32"))], {})))
row("F.upsample", *map(_quiet, fn("upsample")),
    gen(("nearest", [_f((1, 1, 2, 3))], {"scale_factor": 2}),
        ("bilinear", [_f((1, 1, 2, 2))], {"size": (3, 4), "mode": "bilinear", "align_corners": False})))
row("F.upsample_nearest", *map(_quiet, fn("upsample_nearest")),
    gen(("scale", [_f((1, 1, 2, 3))], {"scale_factor": 2}), ("size", [_f((1, 2, 3))], {"size": 5})),
    errors=err(([T(np.ones((1, 1, 2, 2), "float32"))], {})))
row("F.upsample_bilinear", *map(_quiet, fn("upsample_bilinear")),
    gen(("scale", [_f((1, 1, 2, 3))], {"scale_factor": 2}), ("size", [_f((1, 1, 2, 2))], {"size": (3, 3)})))
row("F.pixel_shuffle", *fn("pixel_shuffle"),
    gen(("r2", [_f((1, 4, 2, 2)), 2], {}), ("batch", [_f((2, 4, 1, 2)), 2], {}),
        ("unbatched", [_f((8, 1, 2)), 2], {})),
    errors=err(([T(np.ones((1, 3, 2, 2), "float32")), 2], {})))
row("F.pixel_unshuffle", *fn("pixel_unshuffle"),
    gen(("r2", [_f((1, 1, 4, 4)), 2], {}), ("unbatched", [_f((2, 2, 4)), 2], {})),
    errors=err(([T(np.ones((1, 1, 3, 4), "float32")), 2], {})))
