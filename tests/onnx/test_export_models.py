"""ember.onnx.export on every model of ember.models: onnx.checker passes and ONNX Runtime gives ember's
outputs, at the traced batch size and at another one (the batch axis is dynamic)."""
import inspect
import io
import os

import numpy as np
import pytest

import ember

onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed")
ort = pytest.importorskip("onnxruntime", reason="onnxruntime is not installed")

# The deeper twins of a family already tested (same blocks, more of them) take minutes to build at full
# width; they run with EMBER_SLOW_TESTS=1 (all 25 passed when this file was written).
SLOW = {"vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn", "vgg11", "resnet34", "resnet101",
        "se_resnet34", "se_resnet50", "se_resnet101"}
SIDES = {"alexnet": 64, "nin": 96, "googlenet": 64, "lenet": 28, "lenet_bn": 28, "mlp": 28}


def export_and_run(model, inputs, names, out_names=("y",), dynamic=None, batches=(2, 3), make=None,
                   export_params=True):
    """Export with the first batch size; ORT and ember agree at each batch size; returns the ModelProto.
    ``export_params=False`` keeps the file small: the weights are fed to ORT as inputs."""
    buf = io.BytesIO()
    ember.onnx.export(model, make(batches[0]), buf, input_names=list(names), output_names=list(out_names),
                      dynamic_axes=dynamic, export_params=export_params)
    proto = onnx.load_from_string(buf.getvalue())
    onnx.checker.check_model(proto)
    sess = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])
    model.eval()
    for b in batches:
        xs = make(b)
        xs = xs if isinstance(xs, tuple) else (xs,)
        with ember.no_grad():
            ref = model(*xs)
        refs = ref if isinstance(ref, tuple) else (ref,)
        feed = {n: x.numpy() for n, x in zip(names, xs)}
        if not export_params:
            wanted = {i.name for i in sess.get_inputs()}
            feed.update({k: v.numpy() for k, v in model.state_dict().items() if k in wanted})
        got = sess.run(None, feed)
        for r, o in zip(_flat(refs), got):
            r = r.numpy()
            assert o.shape == r.shape
            scale = max(1.0, float(np.abs(r).max()))
            np.testing.assert_allclose(o, r, atol=1e-4 * scale, rtol=1e-4)
    return proto


def _flat(out):
    res = []
    for o in out:
        res += _flat(o) if isinstance(o, (tuple, list)) else [o]
    return res


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.skipif(n in SLOW and not os.environ.get("EMBER_SLOW_TESTS"),
                                             reason="deeper twin of a tested family; set EMBER_SLOW_TESTS=1"))
    for n in ember.models.list_models()])
def test_model_exports_and_runs(name):
    kw = {"num_classes": 10}
    if "aux_logits" in inspect.signature(ember.models._entry(name).builder).parameters:
        kw["aux_logits"] = False
    ember.manual_seed(0)
    model = ember.models.get_model(name, **kw).eval()
    channels = 1 if name == "mlp" else next(p for p in model.parameters() if p.ndim >= 2).shape[1]
    side = SIDES.get(name, 32)
    export_and_run(model, None, ["x"], dynamic={"x": {0: "batch"}, "y": {0: "batch"}},
                   make=lambda b: ember.randn(b, channels, side, side), export_params=False)
