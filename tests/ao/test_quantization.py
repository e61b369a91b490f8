"""ember.ao.quantization against torch.ao.quantization: quantized tensors, observers' parameters, and
dynamically quantized Linear/LSTM on the same weights."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.ao.quantization as tq

import ember
import ember.nn as nn
from ember.ao import quantization as eq

warnings.filterwarnings("ignore", category=UserWarning)
rng = np.random.default_rng(0)
DT = [("qint8", 0.05, 3), ("quint8", 0.02, 128), ("qint32", 1e-3, -7)]


@pytest.mark.parametrize("dtype,scale,zp", DT)
def test_quantize_per_tensor_matches_torch(dtype, scale, zp):
    x = np.concatenate([rng.normal(size=200) * 3, [0.0, 1e6, -1e6, scale * 2.5, -scale * 0.5]]).astype(np.float32)
    q = ember.quantize_per_tensor(ember.tensor(x), scale, zp, getattr(ember, dtype))
    t = torch.quantize_per_tensor(torch.tensor(x), scale, zp, getattr(torch, dtype))
    np.testing.assert_array_equal(q.int_repr().numpy(), t.int_repr().numpy())
    np.testing.assert_array_equal(q.dequantize().numpy(), t.dequantize().numpy())
    assert q.q_scale() == t.q_scale() and q.q_zero_point() == t.q_zero_point() and q.dtype == getattr(ember, dtype)


@pytest.mark.parametrize("axis", [0, 1])
def test_quantize_per_channel_matches_torch(axis):
    x = rng.normal(size=(4, 5)).astype(np.float32) * 2
    n = x.shape[axis]
    scales, zps = rng.uniform(0.01, 0.1, n), rng.integers(-5, 5, n)
    q = ember.quantize_per_channel(ember.tensor(x), ember.tensor(scales), ember.tensor(zps), axis, ember.qint8)
    t = torch.quantize_per_channel(torch.tensor(x), torch.tensor(scales), torch.tensor(zps), axis, torch.qint8)
    np.testing.assert_array_equal(q.int_repr().numpy(), t.int_repr().numpy())
    np.testing.assert_allclose(q.dequantize().numpy(), t.dequantize().numpy(), rtol=1e-6)
    assert q.q_per_channel_axis() == axis
    with pytest.raises(RuntimeError, match="kPerTensorAffine"):
        q.q_scale()


OBSERVERS = [
    ("MinMaxObserver", dict()), ("MinMaxObserver", dict(reduce_range=True)),
    ("MinMaxObserver", dict(dtype="qint8", qscheme="per_tensor_symmetric")),
    ("MovingAverageMinMaxObserver", dict(averaging_constant=0.1)),
    ("PerChannelMinMaxObserver", dict(dtype="qint8", qscheme="per_channel_symmetric")),
    ("PerChannelMinMaxObserver", dict(ch_axis=1)),
]


def _kw(kw, lib):
    out = dict(kw)
    if "dtype" in out:
        out["dtype"] = getattr(lib, out["dtype"])
    if "qscheme" in out and lib is torch:
        out["qscheme"] = getattr(torch, out["qscheme"])
    return out


@pytest.mark.parametrize("name,kw", OBSERVERS, ids=[f"{n}-{k}" for n, k in OBSERVERS])
def test_observer_qparams_match_torch(name, kw):
    eo, to = getattr(eq, name)(**_kw(kw, ember)), getattr(tq, name)(**_kw(kw, torch))
    for _ in range(3):
        x = (rng.normal(size=(3, 4)) * rng.uniform(0.5, 4) + rng.normal()).astype(np.float32)
        eo(ember.tensor(x))
        to(torch.tensor(x))
    es, ez = eo.calculate_qparams()
    ts, tz = to.calculate_qparams()
    np.testing.assert_allclose(es.numpy(), ts.numpy(), rtol=1e-6)
    np.testing.assert_array_equal(ez.numpy(), tz.numpy())


def _linear_pair(qconfig_e, qconfig_t):
    ember.manual_seed(0)
    em = nn.Sequential(nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 4))
    tm = torch.nn.Sequential(torch.nn.Linear(16, 8), torch.nn.ReLU(), torch.nn.Linear(8, 4))
    tm.load_state_dict({k: torch.tensor(v.numpy()) for k, v in em.state_dict().items()})
    qe = eq.quantize_dynamic(em, {nn.Linear: qconfig_e}, dtype=ember.qint8)
    qt = tq.quantize_dynamic(tm, {torch.nn.Linear: qconfig_t}, dtype=torch.qint8)
    return em, qe, qt


@pytest.mark.parametrize("per_channel", [False, True])
def test_dynamic_linear_matches_torch(per_channel):
    qc_e = eq.per_channel_dynamic_qconfig if per_channel else eq.default_dynamic_qconfig
    qc_t = tq.per_channel_dynamic_qconfig if per_channel else tq.default_dynamic_qconfig
    em, qe, qt = _linear_pair(qc_e, qc_t)
    for i in (0, 2):
        np.testing.assert_array_equal(qe[i].weight().int_repr().numpy(), qt[i].weight().int_repr().numpy())
    x = rng.normal(size=(32, 16)).astype(np.float32)
    out, ref, exact = qe(ember.tensor(x)).numpy(), qt(torch.tensor(x)).numpy(), em(ember.tensor(x)).detach().numpy()
    # same integers and scales; only the rounding of individual activations may differ from FBGEMM's
    assert np.abs(out - ref).max() <= 0.02 * np.abs(ref).max()
    assert np.abs(out - exact).max() <= 0.05 * np.abs(exact).max()  # and int8 stays close to float


def test_dynamic_lstm_quantizes_the_weights_like_torch():
    ember.manual_seed(1)
    em = nn.LSTM(6, 5, num_layers=2)
    tm = torch.nn.LSTM(6, 5, num_layers=2)
    tm.load_state_dict({k: torch.tensor(v.numpy()) for k, v in em.state_dict().items()})
    qe = eq.quantize_dynamic(em, {nn.LSTM})
    qt = tq.quantize_dynamic(tm, {torch.nn.LSTM})
    x = rng.normal(size=(7, 3, 6)).astype(np.float32)
    out, _ = qe(ember.tensor(x))
    ref, _ = qt(torch.tensor(x))
    full, _ = em(ember.tensor(x))
    assert np.abs(out.numpy() - ref.detach().numpy()).max() < 0.02
    assert np.abs(out.numpy() - full.detach().numpy()).max() < 0.02
    w = qe._qweights["weight_ih_l0"]
    obs = tq.MinMaxObserver(dtype=torch.qint8, qscheme=torch.per_tensor_symmetric)
    obs(tm.weight_ih_l0.detach())
    s, z = obs.calculate_qparams()
    ref_w = torch.quantize_per_tensor(tm.weight_ih_l0.detach(), float(s), int(z), torch.qint8)
    np.testing.assert_array_equal(w.int_repr().numpy(), ref_w.int_repr().numpy())


def test_quantize_dynamic_swaps_by_type_or_name_and_copies():
    ember.manual_seed(0)
    m = nn.Sequential(nn.Linear(4, 4), nn.Sequential(nn.Linear(4, 2)))
    q = eq.quantize_dynamic(m, {"1.0": eq.default_dynamic_qconfig})
    assert type(q[0]) is nn.Linear and type(q[1][0]).__module__.startswith("ember.ao.nn.quantized.dynamic")
    assert type(m[1][0]) is nn.Linear  # not in place
    q2 = eq.quantize_dynamic(m, inplace=True)
    assert q2 is m and all(type(x).__name__ == "Linear" and hasattr(x, "weight") and callable(x.weight)
                           for x in (m[0], m[1][0]))
    with pytest.raises(ValueError, match="qint8"):
        eq.quantize_dynamic(m, dtype=ember.float16)


def test_quantized_state_dict_is_about_four_times_smaller():
    ember.manual_seed(0)
    m = nn.Sequential(nn.Linear(256, 256), nn.Linear(256, 10))
    size = lambda sd: sum(v.numpy().nbytes for v in sd.values())  # noqa: E731
    ratio = size(m.state_dict()) / size(eq.quantize_dynamic(m).state_dict())
    assert 3.5 < ratio < 4.1
