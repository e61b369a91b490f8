"""Post-training static quantization against torch.ao.quantization's eager mode (x86 backend): fusion,
observers, integer weights and quantized outputs of a conv-bn-relu-pool-linear net on the same weights and
calibration data; each quantized layer against torch's on the same quantized input."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.ao.quantization as tq

import ember
import ember.nn as nn
from ember.ao import quantization as eq
from ember.ao.nn import quantized as enq

warnings.filterwarnings("ignore", category=UserWarning)
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")
torch.backends.quantized.engine = "x86"


class TorchNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.quant, self.dequant = tq.QuantStub(), tq.DeQuantStub()
        self.conv, self.bn, self.relu = torch.nn.Conv2d(2, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU()
        self.pool, self.flat = torch.nn.AvgPool2d(2), torch.nn.Flatten()
        self.fc, self.fc_relu, self.out = torch.nn.Linear(4 * 3 * 3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)

    def forward(self, x):
        x = self.pool(self.relu(self.bn(self.conv(self.quant(x)))))
        return self.dequant(self.out(self.fc_relu(self.fc(self.flat(x)))))


class EmberNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant, self.dequant = eq.QuantStub(), eq.DeQuantStub()
        self.conv, self.bn, self.relu = nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU()
        self.pool, self.flat = nn.AvgPool2d(2), nn.Flatten()
        self.fc, self.fc_relu, self.out = nn.Linear(4 * 3 * 3, 8), nn.ReLU(), nn.Linear(8, 3)

    def forward(self, x):
        x = self.pool(self.relu(self.bn(self.conv(self.quant(x)))))
        return self.dequant(self.out(self.fc_relu(self.fc(self.flat(x)))))


FUSE = [["conv", "bn", "relu"], ["fc", "fc_relu"]]


def _qconfigs():
    t = tq.QConfig(activation=tq.MinMaxObserver.with_args(reduce_range=True),
                   weight=tq.default_per_channel_weight_observer)
    return t, eq.get_default_qconfig("x86")


@pytest.fixture(scope="module")
def nets():
    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    tnet = TorchNet()
    with torch.no_grad():  # BN statistics that are not the identity, so that folding matters
        tnet.bn.running_mean.copy_(torch.tensor(rng.normal(size=4), dtype=torch.float32))
        tnet.bn.running_var.copy_(torch.tensor(rng.uniform(0.5, 2.0, 4), dtype=torch.float32))
        tnet.bn.weight.copy_(torch.tensor(rng.uniform(0.5, 1.5, 4), dtype=torch.float32))
        tnet.bn.bias.copy_(torch.tensor(rng.normal(size=4) * 0.1, dtype=torch.float32))
    enet = EmberNet()
    enet.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tnet.state_dict().items()})
    tnet.eval(), enet.eval()
    calib = rng.normal(size=(32, 2, 6, 6)).astype(np.float32)
    test = rng.normal(size=(16, 2, 6, 6)).astype(np.float32)
    tqc, eqc = _qconfigs()
    tnet.qconfig, enet.qconfig = tqc, eqc
    tf = tq.fuse_modules(tnet, FUSE)
    ef = eq.fuse_modules(enet, FUSE)
    tp, ep = tq.prepare(tf), eq.prepare(ef)
    for i in range(0, 32, 8):
        tp(torch.tensor(calib[i:i + 8]))
        ep(ember.tensor(calib[i:i + 8]))
    return dict(tnet=tnet, enet=enet, tf=tf, ef=ef, tp=tp, ep=ep, tc=tq.convert(tp), ec=eq.convert(ep), test=test)


def test_fused_float_matches_unfused(nets):
    x = nets["test"]
    ref = nets["tnet"](torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(nets["ef"](ember.tensor(x)).detach().numpy(), ref, atol=1e-5)
    assert type(nets["ef"].conv).__name__ == "ConvReLU2d" and isinstance(nets["ef"].bn, nn.Identity)
    np.testing.assert_allclose(nets["ef"].conv[0].weight.detach().numpy(), nets["tf"].conv[0].weight.detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_observers_match_torch(nets):
    for name in ["quant", "conv", "fc", "out"]:
        te, to = getattr(nets["ep"], name), getattr(nets["tp"], name)
        se, ze = te.activation_post_process.calculate_qparams()
        st, zt = to.activation_post_process.calculate_qparams()
        np.testing.assert_allclose(se.numpy(), st.numpy(), rtol=1e-6)
        np.testing.assert_array_equal(ze.numpy(), zt.numpy())
    assert not hasattr(nets["ep"].dequant, "activation_post_process")


def test_converted_types_and_int_weights_match_torch(nets):
    ec, tc = nets["ec"], nets["tc"]
    assert [type(ec.quant), type(ec.conv), type(ec.fc), type(ec.out), type(ec.dequant)] == \
        [enq.Quantize, enq.ConvReLU2d, enq.LinearReLU, enq.Linear, enq.DeQuantize]
    for name in ["conv", "fc", "out"]:
        we, wt = getattr(ec, name).weight(), getattr(tc, name).weight()
        np.testing.assert_array_equal(we.int_repr().numpy(), wt.int_repr().numpy())
        np.testing.assert_allclose(we.q_per_channel_scales().numpy(), wt.q_per_channel_scales().numpy(), rtol=1e-6)
        assert getattr(ec, name).scale == pytest.approx(getattr(tc, name).scale, rel=1e-6)
        assert getattr(ec, name).zero_point == getattr(tc, name).zero_point
    assert not hasattr(ec.conv, "activation_post_process") and not hasattr(ec, "qconfig")


def test_quantized_net_output_matches_torch(nets):
    x = nets["test"]
    out_e = nets["ec"](ember.tensor(x)).numpy()
    out_t = nets["tc"](torch.tensor(x)).numpy()
    step = nets["tc"].out.scale
    steps = np.rint(np.abs(out_e - out_t) / step)
    assert steps.max() <= 2
    assert np.mean(steps == 0) > 0.9  # almost every output on the same integer


def _torch_q(xe):
    return torch.quantize_per_tensor(torch.tensor(xe.dequantize().numpy()), xe.q_scale(), xe.q_zero_point(),
                                     torch.quint8)


@pytest.mark.parametrize("name", ["conv", "fc"])
def test_each_quantized_layer_matches_torch_on_the_same_input(nets, name):
    rng = np.random.default_rng(1)
    ec, tc = nets["ec"], nets["tc"]
    shape = (3, 2, 6, 6) if name == "conv" else (5, 36)
    xe = ember.quantize_per_tensor(ember.tensor(rng.normal(size=shape).astype(np.float32)), 0.03, 70, ember.quint8)
    ye, yt = getattr(ec, name)(xe), getattr(tc, name)(_torch_q(xe))
    diff = np.abs(ye.int_repr().numpy().astype(int) - yt.int_repr().numpy().astype(int))
    assert diff.max() <= 1 and diff.mean() < 0.05


def test_quantized_sigmoid_relu_pool_flatten_match_torch():
    rng = np.random.default_rng(2)
    xe = ember.quantize_per_tensor(ember.tensor(rng.normal(size=(2, 3, 4, 6)).astype(np.float32)), 0.02, 100,
                                   ember.quint8)
    xt = _torch_q(xe)
    ys = enq.Sigmoid()(xe)
    yt = torch.ao.nn.quantized.Sigmoid(1.0 / 256.0, 0)(xt)
    assert (ys.q_scale(), ys.q_zero_point()) == (yt.q_scale(), yt.q_zero_point())
    assert np.abs(ys.int_repr().numpy().astype(int) - yt.int_repr().numpy().astype(int)).max() <= 1
    np.testing.assert_array_equal(enq.ReLU()(xe).int_repr().numpy(), torch.relu(xt).int_repr().numpy())
    yp, tp = enq.AvgPool2d(2)(xe), torch.nn.AvgPool2d(2)(xt)
    assert np.abs(yp.int_repr().numpy().astype(int) - tp.int_repr().numpy().astype(int)).max() <= 1
    np.testing.assert_array_equal(enq.Flatten()(xe).int_repr().numpy(), torch.flatten(xt, 1).int_repr().numpy())


def test_errors():
    with pytest.raises(NotImplementedError, match="QuantStub"):  # torch: NotImplementedError for quantized ops
        enq.Linear(2, 2)(ember.randn(2))
    with pytest.raises(NotImplementedError):
        torch.ao.nn.quantized.Linear(2, 2)(torch.randn(2, 2))
    with pytest.raises(NotImplementedError, match="cannot fuse"):
        eq.fuse_modules(nn.Sequential(nn.ReLU(), nn.Conv2d(1, 1, 1)), ["0", "1"])
    with pytest.raises(AssertionError, match="eval"):
        eq.fuse_modules(nn.Sequential(nn.Conv2d(1, 1, 1), nn.BatchNorm2d(1)).train(), ["0", "1"])
    with pytest.raises(RuntimeError, match="prepare"):
        lin = nn.Linear(2, 2)
        lin.qconfig = eq.get_default_qconfig()
        enq.Linear.from_float(lin)


@pytest.mark.parametrize("kw", [dict(stride=2, padding=1), dict(groups=2, dilation=2, padding=2), dict(bias=False)])
def test_conv_geometry_and_max_pool_match_torch(kw):
    rng = np.random.default_rng(3)
    tm = torch.nn.Sequential(tq.QuantStub(), torch.nn.Conv2d(4, 6, 3, **kw), torch.nn.MaxPool2d(2, padding=1),
                             tq.DeQuantStub()).eval()
    em = nn.Sequential(eq.QuantStub(), nn.Conv2d(4, 6, 3, **kw), nn.MaxPool2d(2, padding=1), eq.DeQuantStub())
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    em.eval()
    tm.qconfig, em.qconfig = _qconfigs()
    tp, ep = tq.prepare(tm), eq.prepare(em)
    calib = rng.normal(size=(4, 4, 9, 9)).astype(np.float32)
    tp(torch.tensor(calib)), ep(ember.tensor(calib))
    tc, ec = tq.convert(tp), eq.convert(ep)
    assert type(ec[2]) is enq.MaxPool2d
    x = rng.normal(size=(3, 4, 9, 9)).astype(np.float32)
    ye, yt = ec(ember.tensor(x)).numpy(), tc(torch.tensor(x)).numpy()
    assert ye.shape == yt.shape
    assert np.rint(np.abs(ye - yt) / tc[1].scale).max() <= 1


def test_converted_state_dict_round_trip(nets):
    ec = nets["ec"]
    other = EmberNet().eval()
    other.qconfig = _qconfigs()[1]
    op = eq.prepare(eq.fuse_modules(other, FUSE))
    op(ember.randn(4, 2, 6, 6) * 5)  # other weights and other ranges
    oc = eq.convert(op)
    x = ember.tensor(nets["test"])
    assert not np.array_equal(oc(x).numpy(), ec(x).numpy())
    oc.load_state_dict(ec.state_dict())
    np.testing.assert_array_equal(oc(x).numpy(), ec(x).numpy())
    with pytest.raises(RuntimeError, match="Missing"):
        oc.load_state_dict({k: v for k, v in ec.state_dict().items() if k != "fc.scale"})


def test_lenet_bn_recipe_matches_torch():
    """LeNet-BN's recipe (conv-bn and linear-bn folded, sigmoid, avg-pool, flatten) against torch's."""
    from ember.models import lenet_bn

    rng = np.random.default_rng(4)
    em = lenet_bn().eval()
    for m in em.modules():  # BN statistics that make the folding matter
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.running_mean.copy_(ember.tensor(rng.normal(size=m.num_features).astype(np.float32) * 0.3))
            m.running_var.copy_(ember.tensor(rng.uniform(0.3, 2.0, m.num_features).astype(np.float32)))
    tn = torch.nn
    tm = tn.Sequential(tn.Conv2d(1, 6, 5), tn.BatchNorm2d(6), tn.Sigmoid(), tn.AvgPool2d(2, 2), tn.Conv2d(6, 16, 5),
                       tn.BatchNorm2d(16), tn.Sigmoid(), tn.AvgPool2d(2, 2), tn.Flatten(), tn.Linear(256, 120),
                       tn.BatchNorm1d(120), tn.Sigmoid(), tn.Linear(120, 84), tn.BatchNorm1d(84), tn.Sigmoid(),
                       tn.Linear(84, 10))
    tm.load_state_dict({k[4:]: torch.tensor(v.numpy()) for k, v in em.state_dict().items()})
    tw, ew = tq.QuantWrapper(tm.eval()).eval(), eq.QuantWrapper(em)
    tw.qconfig, ew.qconfig = _qconfigs()
    pairs = [["0", "1"], ["4", "5"], ["9", "10"], ["12", "13"]]
    tf = tq.fuse_modules(tw, [["module." + a, "module." + b] for a, b in pairs])
    ef = eq.fuse_modules(ew, [["module.net." + a, "module.net." + b] for a, b in pairs])
    tp, ep = tq.prepare(tf), eq.prepare(ef)
    calib, x = rng.normal(size=(16, 1, 28, 28)).astype(np.float32), rng.normal(size=(8, 1, 28, 28)).astype(np.float32)
    tp(torch.tensor(calib)), ep(ember.tensor(calib))
    tc, ec = tq.convert(tp), eq.convert(ep)
    assert [type(ec.module.net[i]) for i in (0, 2, 3, 8, 9)] == \
        [enq.Conv2d, enq.Sigmoid, enq.AvgPool2d, enq.Flatten, enq.Linear]
    for i in (0, 4, 9, 12, 15):
        np.testing.assert_array_equal(ec.module.net[i].weight().int_repr().numpy(),
                                      tc.module[i].weight().int_repr().numpy())
    ye, yt = ec(ember.tensor(x)).numpy(), tc(torch.tensor(x)).numpy()
    assert np.rint(np.abs(ye - yt) / tc.module[15].scale).max() <= 3
    np.testing.assert_array_equal(ye.argmax(1), yt.argmax(1))


def test_sigmoid_gets_torchs_fixed_qparams_observer():
    tm = torch.nn.Sequential(tq.QuantStub(), torch.nn.Sigmoid())
    em = nn.Sequential(eq.QuantStub(), nn.Sigmoid())
    tm.qconfig, em.qconfig = _qconfigs()
    tp, ep = tq.prepare(tm), eq.prepare(em)
    se, ze = ep[1].activation_post_process.calculate_qparams()
    st, zt = tp[1].activation_post_process.calculate_qparams()
    assert type(ep[1].activation_post_process).__name__ == type(tp[1].activation_post_process).__name__
    assert float(se[0]) == float(st) and int(ze[0]) == int(zt)
    ep(ember.randn(4, 3))
    q = eq.convert(ep)
    assert (q[1].scale, q[1].zero_point) == (1.0 / 256.0, 0)


def test_qconfig_none_keeps_a_submodule_float():
    m = nn.Sequential(eq.QuantStub(), nn.Linear(3, 4), eq.DeQuantStub(), nn.Linear(4, 2))
    m.qconfig = eq.get_default_qconfig("x86")
    m[3].qconfig = None
    p = eq.prepare(m)
    assert hasattr(p[1], "activation_post_process") and not hasattr(p[3], "activation_post_process")
    p(ember.randn(8, 3))
    q = eq.convert(p)
    assert type(q[1]) is enq.Linear and type(q[3]) is nn.Linear
    assert tuple(q(ember.randn(2, 3)).shape) == (2, 2)


def test_quantize_is_prepare_calibrate_convert(nets):
    calib = ember.randn(8, 2, 6, 6)
    fused = nets["ef"]
    one = eq.quantize(fused, lambda m, data: m(data), [calib])
    two_p = eq.prepare(fused)
    two_p(calib)
    two = eq.convert(two_p)
    x = ember.tensor(nets["test"])
    np.testing.assert_array_equal(one(x).numpy(), two(x).numpy())
    assert not hasattr(fused.conv, "activation_post_process")  # not in place


def test_prepare_observes_a_fused_module_once(nets):
    ep = nets["ep"]
    assert hasattr(ep.conv, "activation_post_process")
    assert not hasattr(ep.conv[0], "activation_post_process") and not hasattr(ep.fc[0], "activation_post_process")
