"""Op-table rows for ember/nn/functional/normalization.py (the kernel sets and large shapes stay in
tests/nn/test_norm.py; running statistics of the modules in the module table)."""
from __future__ import annotations

import numpy as np

from .opinfo import T, table
from .samples import _f, _p, err, gen
from .samples_nn import fn, x

OPS, row = table()

_RM, _RV = x((3,), grad=False), x((3,), 0.5, 2.0, grad=False)  # running statistics: buffers, no gradient
row("F.batch_norm", *fn("batch_norm"),
    gen(("train", [_f((4, 3)), _RM, _RV, _f((3,)), _f((3,))], {"training": True, "momentum": 0.2}),
        ("train_spatial", [_f((2, 3, 2, 2)), _RM, _RV], {"training": True, "eps": 1e-3}),
        ("eval", [_f((4, 3, 2)), _RM, _RV, _f((3,)), _f((3,))], {}),
        ("train_nostats", [_f((3, 3)), None, None], {"training": True}),
        ("noncontig", [_f((4, 3), "transposed"), _RM, _RV], {"training": True})),
    errors=err(([T(np.ones((1, 3), "float32")), None, None], {"training": True})))
row("F.instance_norm", *fn("instance_norm"),
    gen(("tiny", [_f((1, 2, 3))], {}), ("plain", [_f((2, 3, 4))], {}),
        ("affine", [_f((2, 3, 2, 2))], {"weight": _f((3,)), "bias": _f((3,))}),
        ("running", [_f((2, 3, 4))], {"running_mean": _RM, "running_var": _RV, "use_input_stats": True})),
    errors=err(([T(np.ones((1, 3, 1), "float32"))], {})))
row("F.layer_norm", *fn("layer_norm"),
    gen(("last", [_f((3, 4)), (4,), _f((4,)), _f((4,))], {}), ("two_dims", [_f((2, 3, 2)), (3, 2)], {"eps": 1e-3}),
        ("noncontig", [_f((4, 3), "transposed"), (3,), _f((3,))], {}), ("1d", [_f((5,)), [5]], {})),
    errors=err(([T(np.ones((3, 4), "float32")), (3,)], {})))
row("F.group_norm", *fn("group_norm"),
    gen(("affine", [_f((2, 4, 3)), 2, _f((4,)), _f((4,))], {}), ("spatial", [_f((2, 4, 2, 2)), 4], {"eps": 1e-3}),
        ("one_group", [_f((3, 2))], {"num_groups": 1})),
    errors=err(([T(np.ones((2, 4, 3), "float32")), 3], {})))
row("F.rms_norm", *fn("rms_norm"),
    gen(("last", [_f((3, 4)), (4,), _f((4,))], {}), ("two_dims_eps", [_f((2, 3, 2)), (3, 2)], {"eps": 1e-3}),
        ("noncontig", [_f((4, 3), "transposed"), [3]], {})))
row("F.local_response_norm", *fn("local_response_norm"),
    gen(("tiny", [_f((1, 3, 2)), 2], {}), ("3d", [_f((2, 4, 3)), 3], {}),
        ("4d", [_p((1, 5, 2, 2)), 2], {"alpha": 0.1, "beta": 0.5, "k": 2.0}),
        ("5d", [_f((1, 3, 2, 2, 2)), 2], {})),
    errors=err(([T(np.ones((3,), "float32")), 2], {})))
