"""Activations: float64 gradcheck (and gradgradcheck for the fused ops) of every functional, torch's
errors and warnings, in-place variants, PReLU's init (a constant 0.25)."""
from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.backends import kernels
from ember.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch", reason="torch is the test oracle")
TF = torch.nn.functional

UNARY = {
    "relu": {}, "relu6": {}, "leaky_relu": {"negative_slope": 0.2}, "elu": {"alpha": 0.7}, "selu": {},
    "celu": {"alpha": 1.3}, "gelu": {}, "silu": {}, "mish": {}, "sigmoid": {}, "tanh": {},
    "hardtanh": {"min_val": -0.5, "max_val": 1.5}, "hardsigmoid": {}, "hardswish": {},
    "softplus": {"beta": 2.0, "threshold": 3.0}, "softsign": {}, "threshold": {"threshold": 0.1, "value": 2.0},
    "softmax": {"dim": 1}, "log_softmax": {"dim": 0}, "softmin": {"dim": 1}, "glu": {"dim": 1},
    "logsigmoid": {}, "tanhshrink": {}, "softshrink": {"lambd": 0.3}, "hardshrink": {"lambd": 0.3},
}


def _x(shape=(3, 4), seed=0):
    x = np.random.default_rng(seed).standard_normal(shape) * 2
    x[np.abs(np.abs(x) - 3) < 0.05] += 0.2  # keep away from kinks (+-3 for hardswish/hardsigmoid)
    return x


@pytest.mark.parametrize("name", sorted(UNARY))
def test_gradcheck_float64(name):
    kw = UNARY[name]
    x = ember.tensor(_x(), requires_grad=True)
    assert gradcheck(lambda t: getattr(F, name)(t, **kw), (x,))


@pytest.mark.parametrize("name", ["gelu", "silu", "softmax", "log_softmax", "leaky_relu", "hardswish", "elu"])
def test_gradgradcheck(name):
    kw = UNARY[name]
    x = ember.tensor(_x(), requires_grad=True)
    assert gradgradcheck(lambda t: getattr(F, name)(t, **kw), (x,))


@pytest.mark.parametrize("name", sorted(UNARY))
def test_matches_torch_float32(name):
    kw = UNARY[name]
    x = _x().astype(np.float32)
    np.testing.assert_allclose(getattr(F, name)(ember.tensor(x), **kw).numpy(),
                               getattr(TF, name)(torch.tensor(x), **kw).numpy(), rtol=1e-5, atol=1e-6)


def test_gelu_tanh_and_errors():
    x = _x()
    e = F.gelu(ember.tensor(x), approximate="tanh").numpy()
    np.testing.assert_allclose(e, TF.gelu(torch.tensor(x), approximate="tanh").numpy(), rtol=1e-12)
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
    kw = dict(UNARY.get(name, {}))
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
