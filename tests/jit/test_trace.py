"""ember.jit.trace / script and ember.compile: the replay equals eager mode (values and gradients), guards
trace again on new shapes or dtypes, and compile falls back to eager with one warning."""
import warnings

import numpy as np
import pytest

import ember
from ember import nn


def _first(y):
    return y[0] if isinstance(y, tuple) else y


@pytest.mark.parametrize("make,shape", [
    (lambda: ember.models.get_model("resnet18", num_classes=10).eval(), (2, 3, 32, 32)),
    (lambda: ember.models.get_model("mobilenet_v2", num_classes=10).eval(), (2, 3, 32, 32)),
    (lambda: ember.models.get_model("lenet"), (2, 1, 28, 28)),
    (lambda: nn.LSTM(4, 5, num_layers=2), (3, 2, 4)),
    (lambda: nn.GRU(4, 5, bidirectional=True, batch_first=True), (2, 3, 4)),
    (lambda: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), (3, 2, 8)),
])
def test_replay_equals_eager_values_and_gradients(make, shape):
    model = make()
    traced = ember.jit.trace(model, ember.randn(*shape))
    x = ember.randn(*shape, requires_grad=True)
    x2 = x.detach().clone().requires_grad_(True)
    got, want = _first(traced(x)), _first(model(x2))
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5, atol=1e-6)
    w = ember.randn(*got.shape)
    params = [p for p in model.parameters()]
    g_got = ember.autograd.grad((got * w).sum(), [x] + params, allow_unused=True)
    g_want = ember.autograd.grad((want * w).sum(), [x2] + params, allow_unused=True)
    for a, b in zip(g_got, g_want):
        assert (a is None) == (b is None)
        if a is not None:
            assert a.dtype == b.dtype
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-6)


def test_replay_sees_parameter_updates_and_inplace_ops():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(inplace=True), nn.Linear(4, 2))
    traced = ember.jit.trace(net, ember.randn(2, 3))
    with ember.no_grad():
        net[0].weight.mul_(2.0)
    x = ember.randn(2, 3)
    np.testing.assert_allclose(traced(x).detach().numpy(), net(x).detach().numpy(), rtol=1e-6)


def test_guards_trace_again_on_new_shape_or_dtype():
    net = nn.Linear(3, 2)
    traced = ember.jit.trace(net, ember.randn(2, 3))
    traced(ember.randn(2, 3))
    assert traced.retraces == 0
    y = traced(ember.randn(5, 3))
    assert traced.retraces == 1 and y.shape == (5, 2)
    net.double()
    x = ember.randn(4, 3, dtype=ember.float64)
    y = traced(x)
    assert traced.retraces == 2 and y.dtype == ember.float64
    np.testing.assert_allclose(y.detach().numpy(), net(x).detach().numpy())


def test_trace_a_function():
    def f(a, b):
        return (a * b + 1).tanh().sum(1)

    traced = ember.jit.trace(f, (ember.randn(2, 3), ember.randn(2, 3)))
    a, b = ember.randn(2, 3), ember.randn(2, 3)
    np.testing.assert_allclose(traced(a, b).numpy(), f(a, b).numpy(), rtol=1e-6)


def test_script_warns_that_it_traces():
    net = nn.Linear(3, 2)
    with pytest.warns(UserWarning, match="data-dependent control flow"):
        scripted = ember.jit.script(net)
    x = ember.randn(2, 3)
    np.testing.assert_allclose(scripted(x).detach().numpy(), net(x).detach().numpy())


def test_compile_replays_and_falls_back_with_one_warning():
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh())
    compiled = ember.compile(net)
    x = ember.randn(2, 3)
    np.testing.assert_allclose(compiled(x).detach().numpy(), net(x).detach().numpy())
    bn = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).train()
    cbn = ember.compile(bn)
    with pytest.warns(UserWarning, match="eagerly: BatchNorm1d in training mode") as rec:
        cbn(ember.randn(4, 3))
    assert len(rec) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = cbn(ember.randn(4, 3))  # no second warning
    assert y.shape == (4, 4)


def test_compiled_training_step_matches_eager():
    ember.manual_seed(0)
    a = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    b = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    b.load_state_dict(a.state_dict())
    ca = ember.compile(a)
    opt_a, opt_b = ember.optim.SGD(a.parameters(), lr=0.1), ember.optim.SGD(b.parameters(), lr=0.1)
    for _ in range(3):
        x, y = ember.randn(5, 4), ember.randint(0, 3, (5,))
        for model, opt in ((ca, opt_a), (b, opt_b)):
            opt.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            opt.step()
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-5, atol=1e-7)


def test_save_and_load_round_trip(tmp_path):
    model = ember.models.get_model("lenet_bn").eval()
    x = ember.randn(2, 1, 28, 28)
    traced = ember.jit.trace(model, x)
    path = tmp_path / "lenet.pt"
    ember.jit.save(traced, str(path))
    loaded = ember.jit.load(str(path))
    with ember.no_grad():
        np.testing.assert_allclose(loaded(x).numpy(), model(x).numpy(), rtol=1e-5, atol=1e-6)
    assert set(loaded.state_dict()) <= set(model.state_dict())
    with pytest.raises(RuntimeError, match="traced for inputs"):
        loaded(ember.randn(3, 1, 28, 28))


def test_load_refuses_foreign_ops(tmp_path):
    import json

    path = tmp_path / "evil.npz"
    meta = {"steps": [{"op": "os:system", "args": [], "kwargs": {}, "outs": [0]}], "n_slots": 1,
            "inputs": [], "out": {"slot": 0}, "signature": []}
    np.savez(path, __program__=np.array(json.dumps(meta)))
    with pytest.raises(ValueError, match="only ember's own ops"):
        ember.jit.load(str(path))


@pytest.mark.parametrize("name,shape", [("resnet18", (2, 3, 32, 32)), ("googlenet", (2, 3, 64, 64))])
def test_inference_replay_equals_eager(name, shape):
    kw = {"num_classes": 10, "aux_logits": False} if name == "googlenet" else {"num_classes": 10}
    model = ember.models.get_model(name, **kw).eval()
    x = ember.randn(*shape)
    traced = ember.jit.trace(model, x)
    with ember.no_grad():
        got, want = traced(x), model(x)
    assert not got.requires_grad
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)


def test_trace_refuses_indices_computed_outside_the_ops():
    with pytest.raises(ember.jit.CaptureError, match="indices"):
        ember.jit.trace(lambda x: x.sort(1)[0], ember.randn(2, 3))
    with pytest.raises(ember.jit.CaptureError, match="index"):
        ember.jit.trace(lambda x: x[x > 0], ember.randn(2, 3))


def test_load_finds_an_op_that_moved_module():
    """Files saved before an op file was split name the old module (``ember.ops.views:Slice``); the op is found by
    its name, and names that match no op, or that are not ember's, are refused."""
    from ember.jit._serialize import _op_class
    from ember.ops.strided import Slice

    assert _op_class("ember.ops.views:Slice") is Slice
    assert _op_class("ember.ops.strided:Slice") is Slice
    with pytest.raises(ValueError, match="is not in this version of ember"):
        _op_class("ember.ops.views:NoSuchOp")
    with pytest.raises(ValueError, match="only ember's own ops load"):
        _op_class("os:system")
    with pytest.raises(ValueError, match="is not an ember op"):
        _op_class("ember.tensor:Tensor")
