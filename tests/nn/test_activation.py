"""Activations beyond the op table (values, gradients, gradgrad of every F.<name>: tests/ops/op_db_nn_activation.py):
torch's messages and warnings, in-place variants, PReLU's init (a constant 0.25), both relu kernel sets."""
from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.backends import kernels

torch = pytest.importorskip("torch", reason="torch is the test oracle")
TF = torch.nn.functional

# keywords of the in-place forms below (values against torch: the F.<name> rows of tests/ops/op_db_nn_activation.py)
INPLACE_KW = {"leaky_relu": {"negative_slope": 0.2}, "elu": {"alpha": 0.7},
              "hardtanh": {"min_val": -0.5, "max_val": 1.5}, "threshold": {"threshold": 0.1, "value": 2.0}}


def _x(shape=(3, 4), seed=0):
    x = np.random.default_rng(seed).standard_normal(shape) * 2
    x[np.abs(np.abs(x) - 3) < 0.05] += 0.2  # keep away from kinks (+-3 for hardswish/hardsigmoid)
    return x


def test_gelu_error_message():
    x = _x()
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        F.gelu(ember.tensor(x), approximate="foo")


def test_softmax_stable_and_implicit_dim_warning():
    x = ember.tensor([[1000.0, 0.0], [-1000.0, 5.0]])
    y = F.softmax(x, dim=1)
    assert np.isfinite(y.numpy()).all()
    assert np.isfinite(F.log_softmax(x, dim=1).numpy()).all()
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        F.softmax(x)
    with pytest.warns(UserWarning, match="Implicit dimension choice for log_softmax"):
        ember.nn.LogSoftmax()(x)
    assert F.softmax(ember.tensor([1, 2, 3]), dim=0, dtype=ember.float64).dtype == ember.float64
    np.testing.assert_allclose(x.softmax(1).numpy(), y.numpy())


def test_errors_match_torch():
    x = ember.randn(2, 3)
    with pytest.raises(RuntimeError, match="Halving dimension must be even, but dimension 1 is size 3"):
        F.glu(x, 1)
    with pytest.raises(RuntimeError, match="lambda must be greater or equal to 0"):
        F.softshrink(x, -1.0)
    with pytest.raises(ValueError, match="Softmax2d: expected input to be 3D or 4D, got 2D instead"):
        ember.nn.Softmax2d()(x)
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.softmax(x, dim=2)
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers and input channel size"):
        F.prelu(ember.randn(2, 4), ember.ones(3))


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu", "hardtanh", "silu", "selu", "threshold", "relu6"])
def test_inplace(name):
    kw = dict(INPLACE_KW.get(name, {}))
    x = _x()
    e = ember.tensor(x)
    out = getattr(F, name)(e, inplace=True, **kw)
    assert out is e
    np.testing.assert_allclose(e.numpy(), getattr(TF, name)(torch.tensor(x), **kw).numpy(), rtol=1e-12)


def test_inplace_relu_backward_through_graph():
    x = ember.tensor(_x(), requires_grad=True)
    y = x * 2
    ember.nn.ReLU(inplace=True)(y).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * (x.detach().numpy() > 0))


def test_prelu_init_and_grad():
    m = ember.nn.PReLU(3)
    assert m.weight.shape == (3,) and np.all(m.weight.detach().numpy() == np.float32(0.25))
    x = ember.randn(2, 3, 4)
    m(x).sum().backward()
    expect = np.minimum(x.numpy(), 0).sum(axis=(0, 2))
    np.testing.assert_allclose(m.weight.grad.numpy(), expect, rtol=1e-5)


@pytest.mark.parametrize("kset", kernels.available())
def test_relu_kernels_match_torch_on_specials(kset):
    """relu forward/backward on both kernel sets, small (serial) and large (parallel), with NaN and inf."""
    before = kernels.current()
    kernels.use(kset)
    try:
        for n in (7, 70000):
            a = np.random.default_rng(0).standard_normal(n).astype(np.float32)
            a[:4] = [np.nan, np.inf, -np.inf, 0.0]
            g = np.random.default_rng(1).standard_normal(n).astype(np.float32)
            x, t = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
            y, ty = x.relu(), t.relu()
            y.backward(ember.tensor(g))
            ty.backward(torch.tensor(g))
            np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
            np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())
    finally:
        kernels.use(before)
