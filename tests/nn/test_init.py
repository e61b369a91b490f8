"""ember.nn.init against torch: gains, fans, and each initialiser's distribution (Kolmogorov-Smirnov)."""
from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember.nn import init

torch = pytest.importorskip("torch", reason="torch is the test oracle (pip install -e '.[test]')")
stats = pytest.importorskip("scipy.stats", reason="the distribution checks use scipy's KS test")


@pytest.mark.parametrize("nl,param", [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
                                      ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None)])
def test_calculate_gain(nl, param):
    assert init.calculate_gain(nl, param) == pytest.approx(torch.nn.init.calculate_gain(nl, param))


def test_fans_and_errors():
    w = ember.empty(8, 3, 5, 5)
    assert init._calculate_fan_in_and_fan_out(w) == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(8, 3, 5, 5))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(ember.empty(3))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(ember.empty(3, 3), mode="fan_avg")


def _ks(values, cdf):
    return stats.kstest(np.asarray(values, dtype=np.float64).ravel(), cdf).pvalue


SHAPE = (64, 50)
FAN_IN, FAN_OUT = 50, 64


@pytest.mark.parametrize("name,call,dist", [
    ("uniform_", lambda w: init.uniform_(w, -0.3, 0.7), stats.uniform(-0.3, 1.0).cdf),
    ("normal_", lambda w: init.normal_(w, 0.5, 2.0), stats.norm(0.5, 2.0).cdf),
    ("xavier_uniform_", lambda w: init.xavier_uniform_(w, gain=2.0),
     stats.uniform(-2 * math.sqrt(6 / (FAN_IN + FAN_OUT)), 4 * math.sqrt(6 / (FAN_IN + FAN_OUT))).cdf),
    ("xavier_normal_", lambda w: init.xavier_normal_(w), stats.norm(0, math.sqrt(2 / (FAN_IN + FAN_OUT))).cdf),
    ("kaiming_uniform_", lambda w: init.kaiming_uniform_(w, a=math.sqrt(5)),
     stats.uniform(-1 / math.sqrt(FAN_IN), 2 / math.sqrt(FAN_IN)).cdf),
    ("kaiming_normal_fan_out", lambda w: init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu"),
     stats.norm(0, math.sqrt(2 / FAN_OUT)).cdf),
    ("trunc_normal_", lambda w: init.trunc_normal_(w, 0.0, 1.0, -2.0, 2.0), stats.truncnorm(-2, 2).cdf),
])
def test_distributions(name, call, dist):
    w = ember.empty(*SHAPE)
    out = call(w)
    assert out is w
    assert _ks(w.numpy(), dist) > 1e-3, name


def test_constant_ones_zeros_eye_dirac():
    w = ember.empty(3, 4)
    assert (init.constant_(w, 0.25).numpy() == 0.25).all()
    assert (init.ones_(w).numpy() == 1).all() and (init.zeros_(w).numpy() == 0).all()
    np.testing.assert_array_equal(init.eye_(w).numpy(), np.eye(3, 4))
    d = init.dirac_(ember.empty(4, 2, 3, 3), groups=2).numpy()
    td = torch.nn.init.dirac_(torch.empty(4, 2, 3, 3), groups=2).numpy()
    np.testing.assert_array_equal(d, td)


def test_orthogonal_and_sparse():
    w = init.orthogonal_(ember.empty(6, 10), gain=2.0).numpy()
    np.testing.assert_allclose(w @ w.T, 4 * np.eye(6), atol=1e-5)
    s = init.sparse_(ember.empty(20, 7), sparsity=0.3).numpy()
    assert ((s == 0).sum(0) >= 6).all()


def test_init_does_not_record_and_bumps_version():
    p = ember.nn.Parameter(ember.zeros(3, 3))
    v = p._version
    init.normal_(p)
    assert p.grad_fn is None and p.requires_grad and p._version == v + 1
