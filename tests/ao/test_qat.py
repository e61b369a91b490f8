"""HistogramObserver and quantization-aware training against torch.ao.quantization on the same inputs:
histograms and chosen scales, the fake-quantize ops (values and straight-through gradients), FakeQuantize's
running qparams, and prepare_qat -> SGD steps -> convert of a fused conv-bn-relu net."""
from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest
import torch
import torch.ao.quantization as tq

import ember
import ember.nn as nn
from ember.ao import quantization as eq
from ember.ao.nn import qat as enqat
from ember.ao.nn import quantized as enq

from .test_static import FUSE, EmberNet, TorchNet

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")
torch.backends.quantized.engine = "x86"


def _batches(seed=0):
    rng = np.random.default_rng(seed)
    out = [rng.normal(size=(6, 40)).astype(np.float32),
           (rng.normal(size=(6, 40)) * 2 + 1).astype(np.float32),  # wider on both sides: histograms combine
           rng.normal(size=(6, 40)).astype(np.float32) * 0.5,  # inside the range: plain addition
           rng.normal(size=(6, 40)).astype(np.float32)]
    out[3][0, 0] = 30.0  # an outlier that the search should clip
    return out


@pytest.mark.parametrize("qscheme,reduce_range,dtype", [("per_tensor_affine", False, "quint8"),
                                                         ("per_tensor_affine", True, "quint8"),
                                                         ("per_tensor_symmetric", False, "qint8")])
def test_histogram_observer_matches_torch(qscheme, reduce_range, dtype):
    t = tq.HistogramObserver(bins=256, qscheme=getattr(torch, qscheme), reduce_range=reduce_range,
                             dtype=getattr(torch, dtype))
    e = eq.HistogramObserver(bins=256, qscheme=qscheme, reduce_range=reduce_range, dtype=getattr(ember, dtype))
    for x in _batches():
        t(torch.tensor(x)), e(ember.tensor(x))
        np.testing.assert_array_equal(e.histogram.numpy(), t.histogram.numpy())
        assert float(e.min_val) == t.min_val.item() and float(e.max_val) == t.max_val.item()
    (se, ze), (st, zt) = e.calculate_qparams(), t.calculate_qparams()
    np.testing.assert_array_equal(se.numpy(), st.numpy())
    np.testing.assert_array_equal(ze.numpy(), zt.numpy())
    assert ze.dtype == {torch.int32: ember.int32, torch.int64: ember.int64}[zt.dtype]


def test_histogram_observer_edge_cases_match_torch():
    t, e = tq.HistogramObserver(bins=128), eq.HistogramObserver(bins=128)
    const = np.full((4, 4), 0.25, np.float32)  # min == max first: its mass lands in one bin of the new range
    with_inf = np.array([1.0, -np.inf, 0.5, 3.0], np.float32)
    for x in (const, with_inf):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t(torch.tensor(x)), e(ember.tensor(x))
        np.testing.assert_array_equal(e.histogram.numpy(), t.histogram.numpy())
    np.testing.assert_array_equal(e.calculate_qparams()[0].numpy(), t.calculate_qparams()[0].numpy())
    with pytest.warns(UserWarning, match="must run observer"):
        eq.HistogramObserver().calculate_qparams()
    with pytest.raises(NotImplementedError, match="per_tensor"):
        eq.HistogramObserver(qscheme="per_channel_affine")


def test_fake_quantize_ops_values_and_gradients_match_torch():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(size=30) * 2, [0.05, 0.15, -0.25, 12.8, 12.9, -12.9, -13.0]]).astype(np.float32)
    xt = torch.tensor(x, requires_grad=True)
    xe = ember.tensor(x, requires_grad=True)
    yt = torch.fake_quantize_per_tensor_affine(xt, 0.1, 3, -128, 127)
    ye = eq.fake_quantize_per_tensor_affine(xe, 0.1, 3, -128, 127)
    np.testing.assert_array_equal(ye.detach().numpy(), yt.detach().numpy())
    w = rng.normal(size=x.shape).astype(np.float32)
    (yt * torch.tensor(w)).sum().backward()
    (ye * ember.tensor(w)).sum().backward()
    np.testing.assert_array_equal(xe.grad.numpy(), xt.grad.numpy())

    x2 = rng.normal(size=(3, 4, 5)).astype(np.float32) * 3
    scale, zp = np.array([0.02, 0.05, 0.01, 0.1], np.float32), np.array([0, 2, -1, 0], np.int32)
    xt = torch.tensor(x2, requires_grad=True)
    xe = ember.tensor(x2, requires_grad=True)
    yt = torch.fake_quantize_per_channel_affine(xt, torch.tensor(scale), torch.tensor(zp), 1, -128, 127)
    ye = eq.fake_quantize_per_channel_affine(xe, ember.tensor(scale), ember.tensor(zp), 1, -128, 127)
    np.testing.assert_array_equal(ye.detach().numpy(), yt.detach().numpy())
    yt.sum().backward(), ye.sum().backward()
    np.testing.assert_array_equal(xe.grad.numpy(), xt.grad.numpy())


def test_fake_quantize_modules_track_torch():
    tq_act = tq.FakeQuantize(observer=tq.MovingAverageMinMaxObserver, quant_min=0, quant_max=255, reduce_range=True)
    eq_act = eq.FakeQuantize(observer=eq.MovingAverageMinMaxObserver, quant_min=0, quant_max=255, reduce_range=True)
    tq_w = tq.FakeQuantize(observer=tq.MovingAveragePerChannelMinMaxObserver, quant_min=-128, quant_max=127,
                           dtype=torch.qint8, qscheme=torch.per_channel_symmetric)
    eq_w = eq.FakeQuantize(observer=eq.MovingAveragePerChannelMinMaxObserver, quant_min=-128, quant_max=127,
                           dtype=ember.qint8, qscheme="per_channel_symmetric")
    for i, x in enumerate(_batches(1)):
        if i == 3:
            tq_act.apply(tq.disable_observer), eq_act.apply(eq.disable_observer)
        for t, e in ((tq_act, eq_act), (tq_w, eq_w)):
            np.testing.assert_array_equal(e(ember.tensor(x)).numpy(), t(torch.tensor(x)).numpy())
            np.testing.assert_array_equal(e.scale.numpy(), t.scale.numpy())
            np.testing.assert_array_equal(e.zero_point.numpy(), t.zero_point.numpy())
    eq_act.apply(eq.disable_fake_quant)
    x = ember.tensor(_batches()[0])
    assert eq_act(x) is x


@pytest.fixture(scope="module")
def qat_nets():
    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    tnet, enet = TorchNet(), EmberNet()
    enet.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tnet.state_dict().items()})
    tnet.eval(), enet.eval()
    tf, ef = tq.fuse_modules(tnet, FUSE), eq.fuse_modules(enet, FUSE)  # BN folded in eval mode
    tf.qconfig = tq.QConfig(
        activation=tq.FakeQuantize.with_args(observer=tq.MovingAverageMinMaxObserver, quant_min=0, quant_max=255,
                                             reduce_range=True),
        weight=tq.FakeQuantize.with_args(observer=tq.MovingAveragePerChannelMinMaxObserver, quant_min=-128,
                                         quant_max=127, dtype=torch.qint8, qscheme=torch.per_channel_symmetric))
    ef.qconfig = eq.get_default_qat_qconfig("x86")
    tp, ep = tq.prepare_qat(tf.train()), eq.prepare_qat(ef.train())
    eopt = ember.optim.SGD(ep.parameters(), lr=0.05)  # torch: the same update by hand (torch.optim imports dynamo)
    losses = []
    for _ in range(3):
        x = rng.normal(size=(8, 2, 6, 6)).astype(np.float32)
        y = rng.integers(0, 3, 8)
        lt = torch.nn.functional.cross_entropy(tp(torch.tensor(x)), torch.tensor(y))
        le = nn.functional.cross_entropy(ep(ember.tensor(x)), ember.tensor(y))
        tp.zero_grad(), eopt.zero_grad()
        lt.backward(), le.backward()
        with torch.no_grad():
            for p in tp.parameters():
                p -= 0.05 * p.grad
        eopt.step()
        losses.append((float(le), float(lt)))
    tp.eval(), ep.eval()
    return dict(tp=tp, ep=ep, losses=losses, tc=tq.convert(copy.deepcopy(tp)), ec=eq.convert(copy.deepcopy(ep)),
                test=rng.normal(size=(16, 2, 6, 6)).astype(np.float32))


def test_prepare_qat_swaps_torchs_modules(qat_nets):
    ep = qat_nets["ep"]
    assert type(ep.conv).__name__ == "ConvReLU2d" and isinstance(ep.conv, enqat.Conv2d)
    assert type(ep.out) is enqat.Linear and isinstance(ep.out.weight_fake_quant, eq.FakeQuantize)
    assert isinstance(ep.quant.activation_post_process, eq.FakeQuantize)
    with pytest.raises(AssertionError, match="training mode"):
        eq.prepare_qat(EmberNet().eval())


def test_qat_training_steps_match_torch(qat_nets):
    for le, lt in qat_nets["losses"]:
        assert le == pytest.approx(lt, rel=1e-4)
    tp, ep = qat_nets["tp"], qat_nets["ep"]
    for (name, pt), pe in zip(tp.named_parameters(), ep.parameters()):
        np.testing.assert_allclose(pe.detach().numpy(), pt.detach().numpy(), rtol=1e-4, atol=1e-5, err_msg=name)
    for name in ["quant", "conv", "fc", "out"]:
        st = getattr(tp, name).activation_post_process.scale.numpy()
        np.testing.assert_allclose(getattr(ep, name).activation_post_process.scale.numpy(), st, rtol=1e-4)


def test_qat_convert_matches_torch(qat_nets):
    ec, tc = qat_nets["ec"], qat_nets["tc"]
    assert [type(ec.conv), type(ec.fc), type(ec.out)] == [enq.ConvReLU2d, enq.LinearReLU, enq.Linear]
    for name in ["conv", "fc", "out"]:
        we, wt = getattr(ec, name).weight(), getattr(tc, name).weight()
        assert np.abs(we.int_repr().numpy().astype(int) - wt.int_repr().numpy().astype(int)).max() <= 1
        assert getattr(ec, name).zero_point == getattr(tc, name).zero_point
    x = qat_nets["test"]
    out_e, out_t = ec(ember.tensor(x)).numpy(), tc(torch.tensor(x)).numpy()
    steps = np.rint(np.abs(out_e - out_t) / tc.out.scale)
    assert steps.max() <= 2 and np.mean(steps == 0) > 0.85
    # the fake-quantized float model predicts what the int8 model computes
    fq = qat_nets["ep"](ember.tensor(x)).detach().numpy()
    assert np.abs(fq - out_e).max() <= 2.5 * tc.out.scale
