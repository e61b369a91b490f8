"""ember.onnx.export of cumprod: an ONNX Scan before opset 26 and CumProd from opset 26 (as torch's dynamo
exporter); ONNX Runtime gives ember's values (zeros and negatives included) with the scanned axis dynamic."""
import io

import numpy as np
import pytest

import ember
from ember import nn

onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed")
ort = pytest.importorskip("onnxruntime", reason="onnxruntime (test extra) is not installed")


class Fn(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def _data(shape, seed, dtype=np.float32):
    x = np.random.default_rng(seed).uniform(-1.5, 1.5, shape).astype(dtype)
    x.reshape(-1)[3::7] = 0  # zeros (a product through 0 stays 0) and negatives (its sign flips)
    return x


CASES = {  # name: (fn, input shape at export, dynamic axes of x, shape fed at run time)
    "dim1_dynamic_length": (lambda x: x.cumprod(1), (2, 6), {0: "batch", 1: "n"}, (3, 9)),
    "dim0_batch": (lambda x: ember.cumprod(x, 0), (4, 3), {0: "batch"}, (5, 3)),
    "last_dim_3d": (lambda x: x.cumprod(-1) * 2, (2, 3, 5), {0: "batch", 2: "n"}, (1, 3, 8)),
    "middle_dim_3d": (lambda x: x.cumprod(1), (2, 4, 3), {1: "n"}, (2, 7, 3)),
    "one_d": (lambda x: x.cumprod(0), (6,), {0: "n"}, (11,)),
    "dtype_float64": (lambda x: ember.cumprod(x, 1, dtype=ember.float64), (2, 5), {0: "batch"}, (3, 5)),
}


@pytest.mark.parametrize("opset", [17, 26])
@pytest.mark.parametrize("name", sorted(CASES))
def test_cumprod_runs_in_onnxruntime(name, opset):
    fn, shape, dyn, run_shape = CASES[name]
    buf = io.BytesIO()
    ember.onnx.export(Fn(fn), ember.tensor(_data(shape, 0)), buf, input_names=["x"], output_names=["y"],
                      opset_version=opset, dynamic_axes={"x": dyn, "y": dyn})
    proto = onnx.load_from_string(buf.getvalue())
    onnx.checker.check_model(proto)
    assert ("CumProd" if opset >= 26 else "Scan") in [n.op_type for n in proto.graph.node]
    sess = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])
    for s in (shape, run_shape):
        x = _data(s, 1)
        ref = fn(ember.tensor(x)).numpy()
        got = sess.run(None, {"x": x})[0]
        assert got.shape == ref.shape and got.dtype == ref.dtype
        assert (got == 0).sum() == (ref == 0).sum() > 0 and (got < 0).sum() == (ref < 0).sum() > 0
        np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-7)
        if opset < 26:  # the Scan multiplies in ember's order: the same floats, signs of zeros included
            np.testing.assert_array_equal(got, ref)
            assert (np.signbit(got) == np.signbit(ref)).all()


def test_integer_cumprod_accumulates_in_int64_as_ember():
    fn = lambda x: x.cumprod(1)  # noqa: E731
    x = np.array([[2, -3, 1, 4], [0, 5, -1, 2]], np.int32)
    buf = io.BytesIO()
    ember.onnx.export(Fn(fn), ember.tensor(x), buf, input_names=["x"], output_names=["y"])
    got = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    ref = fn(ember.tensor(x)).numpy()
    assert got.dtype == ref.dtype == np.int64
    np.testing.assert_array_equal(got, ref)
