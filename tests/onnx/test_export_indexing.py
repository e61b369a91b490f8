"""ember.onnx.export of scans, sorting and indexing (cumsum, sort/argsort/topk, gather, scatter, masked_fill,
comparisons, advanced indexing, index_put / x[idx] = v): ONNX Runtime gives ember's outputs at two batch
sizes, with the index tensors fed as graph inputs (so nothing computed from them is baked into the file)."""
import numpy as np
import pytest

import ember
from ember import nn

pytest.importorskip("onnx", reason="the onnx extra is not installed")
from test_export_models import export_and_run  # noqa: E402


class Fn(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, *inputs):
        return self.fn(*inputs)


def _setitem(x, i):
    y = x * 1
    y[i] = 0.5
    return y


def _set_mask(x):
    y = x * 1
    y[y < 0] = 0.0
    return y


def _rng_index(high, shape):
    return lambda b: ember.tensor(np.random.default_rng(b).integers(0, high, shape(b)))


CASES = {  # name: (fn, index input maker or None)
    "cumsum": (lambda x: x.cumsum(1), None),
    "cumsum_dtype": (lambda x: ember.cumsum(x, 0, dtype=ember.float64), None),
    "sort_descending": (lambda x: x.sort(1, descending=True), None),
    "sort_batch_axis": (lambda x: ember.sort(x, dim=0), None),
    "argsort": (lambda x: x.argsort(-1), None),
    "msort": (lambda x: ember.msort(x), None),
    "topk": (lambda x: x.topk(2, 1), None),
    "topk_smallest": (lambda x: ember.topk(x, 3, dim=1, largest=False), None),
    "gather": (lambda x, i: x.gather(1, i), _rng_index(5, lambda b: (b, 2))),
    "scatter": (lambda x, i: x.scatter(1, i[:, :1], 2.5), _rng_index(5, lambda b: (b, 2))),
    "scatter_add": (lambda x, i: x.scatter_add(1, i, x[:, :2]), _rng_index(5, lambda b: (b, 2))),
    "masked_fill": (lambda x: x.masked_fill(x > 0.3, -1.0), None),
    "compare": (lambda x: ((x >= 0) & (x != x[:, :1])).float() + (x <= 0.5).float() * (x == x).float(), None),
    "index_rows": (lambda x, i: x[i], _rng_index(2, lambda b: (4,))),
    "index_cols": (lambda x, i: x[:, i], _rng_index(5, lambda b: (3,))),
    "index_pairs": (lambda x, i: x[i, i], _rng_index(2, lambda b: (3,))),
    "setitem_rows": (_setitem, _rng_index(2, lambda b: (2,))),
    "setitem_mask": (_set_mask, None),
    "index_put_accumulate": (lambda x, i: x.index_put((i,), ember.ones(5), accumulate=True),
                             _rng_index(2, lambda b: (3,))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_indexing_ops_run_in_onnxruntime(name):
    fn, index = CASES[name]
    names = ["x", "i"] if index is not None else ["x"]

    def make(b):
        x = ember.tensor(np.random.default_rng(10 + b).standard_normal((b, 5)).astype(np.float32))
        return (x, index(b)) if index is not None else x

    out = fn(*((make(2),) if index is None else make(2)))
    n_out = len(out) if isinstance(out, tuple) else 1
    out_names = [f"y{k}" for k in range(n_out)]
    dyn = {"x": {0: "batch"}}
    if index is not None and index(2).shape[0] != index(3).shape[0]:
        dyn["i"] = {0: "batch"}
    dyn.update({n: {0: "batch"} for n in out_names if name not in ("index_rows", "index_pairs", "cumsum_dtype")})
    export_and_run(Fn(fn), None, names, out_names, dyn, make=make)


def test_boolean_mask_selection_has_a_data_dependent_length():
    export_and_run(Fn(lambda x: x[x > 0]), None, ["x"], ["y"], {"x": {0: "batch"}, "y": {0: "n"}},
                   make=lambda b: ember.tensor(np.random.default_rng(b).standard_normal((b, 5)).astype(np.float32)))


def test_index_tensor_with_a_slice_exports_as_slice_then_gather():
    # ember applies ints and slices first, as torch's selects do, so x[idx, 1:3] is Slice + Gather
    proto = export_and_run(Fn(lambda x: x[ember.tensor([0, 1]), 1:3]), None, ["x"], ["y"], {"x": {0: "batch"}},
                           make=lambda b: ember.tensor(np.random.default_rng(b).standard_normal((b, 4))
                                                       .astype(np.float32)))
    assert [n.op_type for n in proto.graph.node][:2] == ["Slice", "Gather"]


def test_unsupported_index_forms_raise_a_clear_error():
    x = ember.randn(2, 3, 4)
    with pytest.raises(ember.onnx.UnsupportedOperatorError, match="index"):  # index tensors split by a slice
        ember.onnx.export(Fn(lambda x: x[ember.tensor([0, 1]), :, ember.tensor([1, 0])]), x,
                          __import__("io").BytesIO())
