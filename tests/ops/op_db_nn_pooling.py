"""Op-table rows for ember/nn/functional/pooling.py on distinct values (no ties); both kernel sets, ties and NaNs
stay in tests/nn/test_pool.py."""
from __future__ import annotations

import numpy as np
import torch

from .opinfo import T, table
from .samples import err, gen
from .samples_nn import distinct as _d, fn

OPS, row = table()

_TINY = {1: (1, 1, 6), 2: (1, 1, 3, 4), 3: (1, 1, 2, 2, 3)}  # small enough for test_gradgradcheck
for _k, _s in ((1, (2, 2, 7)), (2, (1, 2, 5, 4)), (3, (1, 1, 4, 3, 4))):
    _u, _t = _s[1:], _TINY[_k]  # unbatched, tiny
    row(f"F.max_pool{_k}d", *fn(f"max_pool{_k}d"),
        gen(("tiny", [_d(_t), 2], {}), ("k2", [_d(_s), 2], {}), ("ceil_pad", [_d(_s), 3, 2, 1], {"ceil_mode": True}),
            ("dilation", [_d(_s), 2], {"stride": 1, "dilation": 2}), ("unbatched", [_d(_u), 2], {}),
            ("indices", [_d(_s), 2], {"return_indices": True})),
        errors=err(([T(np.ones(_s, "float32")), 2], {"padding": 2})))
    row(f"F.max_pool{_k}d_with_indices", *fn(f"max_pool{_k}d_with_indices"),
        gen(("k2", [_d(_s), 2], {}), ("stride1", [_d(_t), 2, 1], {})))
    row(f"F.avg_pool{_k}d", *fn(f"avg_pool{_k}d"),
        gen(("tiny", [_d(_t), 2], {}), ("k2", [_d(_s), 2], {}), ("ceil_pad", [_d(_s), 3, 2, 1], {"ceil_mode": True}),
            ("exclude_pad", [_d(_s), 3, 2, 1], {"count_include_pad": False}), ("unbatched", [_d(_u), 2], {}),
            *([("divisor", [_d(_s), 2], {"divisor_override": 3})] if _k > 1 else [])),
        errors=err(([T(np.ones(_s, "float32")), 2], {"padding": 2})))
    row(f"F.adaptive_avg_pool{_k}d", *fn(f"adaptive_avg_pool{_k}d"),
        gen(("tiny", [_d(_t), 2], {}), ("3", [_d(_s), 3], {}), ("1", [_d(_s), 1], {}), ("unbatched", [_d(_u), 2], {}),
            *([("none", [_d(_s), (None, 2) if _k == 2 else (2, None, 3)], {})] if _k > 1 else [])))
for _k, _s in ((1, (2, 2, 7)), (2, (1, 2, 5, 4))):
    _t = _TINY[_k]
    row(f"F.adaptive_max_pool{_k}d", *fn(f"adaptive_max_pool{_k}d"),
        gen(("tiny", [_d(_t), 2], {}), ("3", [_d(_s), 3], {}), ("indices", [_d(_s), 2], {"return_indices": True}),
            ("unbatched", [_d(_s[1:]), 2], {})))
    row(f"F.adaptive_max_pool{_k}d_with_indices", *fn(f"adaptive_max_pool{_k}d_with_indices"),
        gen(("tiny", [_d(_t), 2], {}), ("3", [_d(_s), 3], {})))
    row(f"F.lp_pool{_k}d", *fn(f"lp_pool{_k}d"),
        gen(("tiny", [_d(_t), 2.0, 2], {}), ("p2", [_d(_s), 2.0, 2], {}), ("p3_stride", [_d(_s), 3.0, 3, 1], {}),
            ("p1_ceil", [_d(_s), 1.0, 2], {"ceil_mode": True})))


def _pooled(k, shape, kernel):
    """(pooled values, int64 indices) of torch's max pool: the inputs of max_unpool."""
    def make(d, rng):
        v = _d(shape)(d, rng).value
        out, idx = getattr(torch.nn.functional, f"max_pool{k}d")(torch.from_numpy(v), kernel, return_indices=True)
        return out.numpy(), idx.numpy()

    return make


for _k, _s in ((1, (2, 2, 6)), (2, (1, 1, 4, 4)), (3, (1, 1, 2, 2, 4))):
    _mk = _pooled(_k, _s, 2)
    row(f"F.max_unpool{_k}d", *fn(f"max_unpool{_k}d"),
        gen(("k2", [lambda d, r, m=_mk: T(m(d, np.random.default_rng(5))[0]),
                    lambda d, r, m=_mk: T(m(d, np.random.default_rng(5))[1], grad=False), 2], {}),
            ("output_size", [lambda d, r, m=_mk: T(m(d, np.random.default_rng(6))[0]),
                             lambda d, r, m=_mk: T(m(d, np.random.default_rng(6))[1], grad=False), 2],
             {"output_size": tuple(_s[2:-1]) + (_s[-1] + 1,)})))
