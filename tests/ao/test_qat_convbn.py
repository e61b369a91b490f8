"""Quantization-aware training with the BatchNorm kept (torch.ao.nn.intrinsic.qat's ConvBn2d, ConvBnReLU2d,
LinearBn1d, ...) against torch on the same model, weights and data: fuse_modules_qat -> prepare_qat -> SGD
steps (values, gradients, running statistics, fake-quant scales), freeze_bn_stats, state_dict keys, and
convert (the BatchNorm folded; int8 weights and outputs)."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
import torch.ao.nn.intrinsic.qat as tnniqat
import torch.ao.quantization as tq

import ember
import ember.nn as nn
from ember.ao import quantization as eq
from ember.ao.nn import intrinsic as enni
from ember.ao.nn import quantized as enq
from ember.ao.nn.intrinsic import qat as enniqat

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")
torch.backends.quantized.engine = "x86"
LR = 0.05


def _torch_qconfig():
    return tq.QConfig(
        activation=tq.FakeQuantize.with_args(observer=tq.MovingAverageMinMaxObserver, quant_min=0, quant_max=255,
                                             reduce_range=True),
        weight=tq.FakeQuantize.with_args(observer=tq.MovingAveragePerChannelMinMaxObserver, quant_min=-128,
                                         quant_max=127, dtype=torch.qint8, qscheme=torch.per_channel_symmetric))


def _layers(lib, stub):
    return dict(quant=stub.QuantStub(), conv1=lib.Conv2d(2, 4, 3, padding=1), bn1=lib.BatchNorm2d(4),
                relu1=lib.ReLU(), conv2=lib.Conv2d(4, 4, 3, padding=1, bias=False), bn2=lib.BatchNorm2d(4),
                relu2=lib.ReLU(), pool=lib.AvgPool2d(2), flat=lib.Flatten(), fc=lib.Linear(4 * 3 * 3, 3),
                dequant=stub.DeQuantStub())


class TorchNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        for k, v in _layers(torch.nn, tq).items():
            setattr(self, k, v)

    def forward(self, x):
        x = self.relu1(self.bn1(self.conv1(self.quant(x))))
        x = self.pool(self.relu2(self.bn2(self.conv2(x))))
        return self.dequant(self.fc(self.flat(x)))


class EmberNet(nn.Module):
    def __init__(self):
        super().__init__()
        for k, v in _layers(nn, eq).items():
            setattr(self, k, v)

    forward = TorchNet.forward


FUSE = [["conv1", "bn1", "relu1"], ["conv2", "bn2", "relu2"]]
STEPS, FROZEN_FROM = 4, 3  # the last step with the BatchNorm statistics frozen


def _to_ember(state):
    return {k: ember.tensor(v.detach().clone().numpy()) for k, v in state.items()}  # clone: torch resizes


@pytest.fixture(scope="module")
def run():
    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    tnet, enet = TorchNet(), EmberNet()
    with torch.no_grad():  # BatchNorm state that is not the identity, so that the fold matters from step one
        for bn in (tnet.bn1, tnet.bn2):
            bn.running_mean.copy_(torch.tensor(rng.normal(size=4) * 0.2, dtype=torch.float32))
            bn.running_var.copy_(torch.tensor(rng.uniform(0.5, 2.0, 4), dtype=torch.float32))
            bn.weight.copy_(torch.tensor(rng.uniform(0.5, 1.5, 4), dtype=torch.float32))
            bn.bias.copy_(torch.tensor(rng.normal(size=4) * 0.1, dtype=torch.float32))
    enet.load_state_dict(_to_ember(tnet.state_dict()))
    tf, ef = tq.fuse_modules_qat(tnet.train(), FUSE), eq.fuse_modules_qat(enet.train(), FUSE)
    tf.qconfig, ef.qconfig = _torch_qconfig(), eq.get_default_qat_qconfig("x86")
    tp, ep = tq.prepare_qat(tf), eq.prepare_qat(ef)
    eopt = ember.optim.SGD(ep.parameters(), lr=LR)  # torch: the same update by hand (torch.optim imports dynamo)
    steps = []
    for i in range(STEPS):
        if i == FROZEN_FROM:
            tp.apply(tnniqat.freeze_bn_stats), ep.apply(enniqat.freeze_bn_stats)
        x = rng.normal(size=(8, 2, 6, 6)).astype(np.float32)
        y = rng.integers(0, 3, 8)
        lt = torch.nn.functional.cross_entropy(tp(torch.tensor(x)), torch.tensor(y))
        le = nn.functional.cross_entropy(ep(ember.tensor(x)), ember.tensor(y))
        tp.zero_grad(), eopt.zero_grad()
        lt.backward(), le.backward()
        grads = [(n, p.grad.numpy().copy(), pe.grad.numpy().copy())
                 for (n, p), pe in zip(tp.named_parameters(), ep.parameters())]
        with torch.no_grad():
            for p in tp.parameters():
                p -= LR * p.grad
        eopt.step()
        steps.append(dict(loss=(float(le), float(lt)), grads=grads,
                          buffers=[(k, v.numpy().copy(), ep.state_dict()[k].numpy().copy())
                                   for k, v in tp.state_dict().items()]))
    tp.eval(), ep.eval()
    test = rng.normal(size=(16, 2, 6, 6)).astype(np.float32)
    return dict(tp=tp, ep=ep, steps=steps, test=test, tc=tq.convert(copy.deepcopy(tp)),
                ec=eq.convert(copy.deepcopy(ep)))


def test_fuse_modules_qat_and_prepare_qat_build_torchs_layers(run):
    ep = run["ep"]
    assert type(ep.conv1) is enniqat.ConvBnReLU2d and type(ep.conv2) is enniqat.ConvBnReLU2d
    assert isinstance(ep.bn1, nn.Identity) and isinstance(ep.relu2, nn.Identity)
    assert isinstance(ep.conv1.weight_fake_quant, eq.FakeQuantize)
    assert isinstance(ep.conv1.activation_post_process, eq.FakeQuantize)
    assert ep.conv2.bias is None and ep.conv1.bias is not None
    assert [type(m).__name__ for m in ep.modules()][1:] == [type(m).__name__ for m in run["tp"].modules()][1:]
    m = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Linear(3, 2), nn.BatchNorm1d(2))
    f = eq.fuse_modules_qat(m, [["0", "1"], ["2", "3"]])
    assert [type(c) for c in f] == [enni.ConvBn2d, nn.Identity, enni.LinearBn1d, nn.Identity]
    with pytest.raises(AssertionError, match="same mode"):
        eq.fuse_modules_qat(nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2).eval()), ["0", "1"])


def test_state_dict_keys_as_torchs(run):
    assert list(run["ep"].state_dict()) == list(run["tp"].state_dict())


def test_training_steps_match_torch(run):
    for step in run["steps"]:
        assert step["loss"][0] == pytest.approx(step["loss"][1], rel=1e-4)
        for name, gt, ge in step["grads"]:
            np.testing.assert_allclose(ge, gt, rtol=1e-3, atol=1e-5, err_msg=name)
        for name, bt, be in step["buffers"]:  # running statistics, fake-quant scales and zero points, flags
            assert be.dtype == bt.dtype, name
            np.testing.assert_allclose(be, bt, rtol=1e-4, atol=1e-6, err_msg=name)


def test_freeze_bn_stats_keeps_running_statistics(run):
    before, after = run["steps"][FROZEN_FROM - 1]["buffers"], run["steps"][FROZEN_FROM]["buffers"]
    for (name, _, b0), (_, _, b1) in zip(before, after):
        if ".bn.running" in name or name.endswith("num_batches_tracked"):
            np.testing.assert_array_equal(b1, b0, err_msg=name)
    ep = copy.deepcopy(run["ep"])
    assert ep.conv1.freeze_bn and not ep.conv1.bn.training
    ep.train()  # a frozen BatchNorm stays in eval mode when the model goes back to training
    ep.conv1(ember.randn(2, 2, 6, 6))
    assert not ep.conv1.bn.training
    ep.apply(enniqat.update_bn_stats)
    assert not ep.conv1.freeze_bn and ep.conv1.bn.training


def test_eval_forward_matches_torch(run):
    x = run["test"]
    with torch.no_grad():
        yt = run["tp"](torch.tensor(x)).numpy()
    ye = run["ep"](ember.tensor(x)).detach().numpy()
    np.testing.assert_allclose(ye, yt, rtol=1e-4, atol=1e-4)


def test_convert_folds_the_batchnorm_as_torch(run):
    ec, tc = run["ec"], run["tc"]
    assert [type(ec.conv1), type(ec.conv2), type(ec.fc)] == [enq.ConvReLU2d, enq.ConvReLU2d, enq.Linear]
    for name in ["conv1", "conv2", "fc"]:
        we, wt = getattr(ec, name).weight(), getattr(tc, name).weight()
        assert np.abs(we.int_repr().numpy().astype(int) - wt.int_repr().numpy().astype(int)).max() <= 1
        np.testing.assert_allclose(we.q_per_channel_scales().numpy(), wt.q_per_channel_scales().numpy(), rtol=1e-5)
        assert getattr(ec, name).zero_point == getattr(tc, name).zero_point
        be, bt = getattr(ec, name).bias(), getattr(tc, name).bias()
        np.testing.assert_allclose(be.numpy(), bt.detach().numpy(), rtol=1e-4, atol=1e-5)
    x = run["test"]
    out_e, out_t = ec(ember.tensor(x)).numpy(), tc(torch.tensor(x)).numpy()
    steps = np.rint(np.abs(out_e - out_t) / tc.fc.scale)
    assert steps.max() <= 2 and np.mean(steps == 0) > 0.85
    fq = run["ep"](ember.tensor(x)).detach().numpy()  # the fake-quantized model predicts the int8 one
    assert np.abs(fq - out_e).max() <= 3 * tc.fc.scale


def _pair_of_layers(kind: str, slow: bool = False):
    """The same QAT layer in torch and ember (weights, BatchNorm state copied), in training mode. torch's
    float32 sqrt is not always the correctly rounded one (1 ulp off for some inputs on AVX CPUs), which can move a
    folded weight across a rounding boundary of its fake quantizer; seeded, the layers are the same every run."""
    rng = np.random.default_rng(1)
    torch.manual_seed(1)
    tqc, eqc = _torch_qconfig(), eq.get_default_qat_qconfig("x86")
    if kind == "linear":
        t = tnniqat.LinearBn1d(5, 4, qconfig=tqc)
        e = enniqat.LinearBn1d(5, 4, qconfig=eqc)
    else:
        nd = int(kind[-2])
        cls_t, cls_e = getattr(tnniqat, kind), getattr(enniqat, kind)
        t = cls_t(3, 4, 3, padding=1, bias=nd != 3, qconfig=tqc)
        e = cls_e(3, 4, 3, padding=1, bias=nd != 3, qconfig=eqc)
    with torch.no_grad():
        t.bn.running_mean.copy_(torch.tensor(rng.normal(size=4) * 0.2, dtype=torch.float32))
        t.bn.running_var.copy_(torch.tensor(rng.uniform(0.5, 2.0, 4), dtype=torch.float32))
        if t.bias is not None:  # torch's LinearBn1d leaves its bias uninitialised (torch.empty)
            t.bias.copy_(torch.tensor(rng.normal(size=4) * 0.1, dtype=torch.float32))
    e.load_state_dict(_to_ember(t.state_dict()))
    t._enable_slow_path_for_better_numerical_stability = slow
    e._enable_slow_path_for_better_numerical_stability = slow
    return t, e


@pytest.mark.parametrize("kind,slow", [("ConvBn1d", False), ("ConvBnReLU3d", False), ("ConvBn2d", True),
                                       ("linear", False)])
def test_fused_qat_layers_match_torch(kind, slow):
    t, e = _pair_of_layers(kind, slow)
    rng = np.random.default_rng(2)
    shape = {"linear": (6, 5), "ConvBn1d": (2, 3, 7), "ConvBnReLU3d": (2, 3, 3, 4, 4), "ConvBn2d": (2, 3, 5, 5)}[kind]
    for step in range(2):
        if step == 1 and kind != "linear":
            t.freeze_bn_stats(), e.freeze_bn_stats()
        x = rng.normal(size=shape).astype(np.float32)
        t.zero_grad(), e.zero_grad()
        yt, ye = t(torch.tensor(x)), e(ember.tensor(x))
        w = rng.normal(size=yt.shape).astype(np.float32)
        np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-4, atol=1e-5)
        (yt * torch.tensor(w)).sum().backward()
        (ye * ember.tensor(w)).sum().backward()
        for (name, pt), pe in zip(t.named_parameters(), e.parameters()):
            np.testing.assert_allclose(pe.grad.numpy(), pt.grad.numpy(), rtol=1e-3, atol=1e-5, err_msg=name)
        for name, bt in t.state_dict().items():
            np.testing.assert_allclose(e.state_dict()[name].numpy(), bt.numpy(), rtol=1e-5, atol=1e-7, err_msg=name)
    ft, fe = t.to_float(), e.to_float()  # the BatchNorm folded into a float layer
    assert type(fe).__name__ == type(ft).__name__
    for (name, pt), pe in zip(ft.named_parameters(), fe.parameters()):
        np.testing.assert_allclose(pe.detach().numpy(), pt.detach().numpy(), rtol=1e-6, atol=1e-7, err_msg=name)


def test_linear_bn_converts_as_torch():
    rng = np.random.default_rng(3)
    torch.manual_seed(3)
    tm = torch.nn.Sequential(tq.QuantStub(), torch.nn.Linear(5, 4), torch.nn.BatchNorm1d(4), tq.DeQuantStub())
    em = nn.Sequential(eq.QuantStub(), nn.Linear(5, 4), nn.BatchNorm1d(4), eq.DeQuantStub())
    em.load_state_dict(_to_ember(tm.state_dict()))
    tm, em = tq.fuse_modules_qat(tm.train(), ["1", "2"]), eq.fuse_modules_qat(em.train(), ["1", "2"])
    tm.qconfig, em.qconfig = _torch_qconfig(), eq.get_default_qat_qconfig("x86")
    tm, em = tq.prepare_qat(tm), eq.prepare_qat(em)
    assert type(em[1]) is enniqat.LinearBn1d
    for _ in range(3):
        x = rng.normal(size=(6, 5)).astype(np.float32)
        tm(torch.tensor(x)), em(ember.tensor(x))
    np.testing.assert_allclose(em[1].bn.running_var.numpy(), tm[1].bn.running_var.numpy(), rtol=1e-5)
    tc, ec = tq.convert(tm.eval()), eq.convert(em.eval())
    assert type(ec[1]) is enq.Linear
    we, wt = ec[1].weight(), tc[1].weight()
    assert np.abs(we.int_repr().numpy().astype(int) - wt.int_repr().numpy().astype(int)).max() <= 1
    np.testing.assert_allclose(ec[1].bias().numpy(), tc[1].bias().detach().numpy(), rtol=1e-5, atol=1e-6)
    x = rng.normal(size=(6, 5)).astype(np.float32)
    steps = np.rint(np.abs(ec(ember.tensor(x)).numpy() - tc(torch.tensor(x)).numpy()) / tc[1].scale)
    assert steps.max() <= 1


def test_fused_qat_errors():
    qc = eq.get_default_qat_qconfig("x86")
    with pytest.raises(AssertionError, match="qconfig must be provided"):
        enniqat.ConvBn2d(1, 2, 3)
    float_mod = enni.ConvBnReLU2d(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU())
    float_mod.qconfig = qc
    with pytest.raises(AssertionError, match="only works for ConvBn2d"):
        enniqat.ConvBn2d.from_float(float_mod)
    with pytest.raises(AssertionError, match="Incorrect types"):
        enni.ConvBn2d(nn.Conv2d(1, 2, 3), nn.BatchNorm1d(2))
    with pytest.raises(NotImplementedError, match="cannot fuse"):
        eq.fuse_modules_qat(nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm1d(2)), ["0", "1"])


@pytest.mark.parametrize("nd,relu", [(1, False), (1, True), (3, False), (3, True)])
def test_conv1d_conv3d_bn_qat_convert_as_torch(nd, relu):
    rng = np.random.default_rng(4)
    torch.manual_seed(4)
    conv, bn = f"Conv{nd}d", f"BatchNorm{nd}d"
    tail_t, tail_e = ([torch.nn.ReLU()], [nn.ReLU()]) if relu else ([], [])
    tm = torch.nn.Sequential(tq.QuantStub(), getattr(torch.nn, conv)(2, 4, 3, padding=1, stride=2),
                             getattr(torch.nn, bn)(4), *tail_t, tq.DeQuantStub())
    em = nn.Sequential(eq.QuantStub(), getattr(nn, conv)(2, 4, 3, padding=1, stride=2), getattr(nn, bn)(4), *tail_e,
                       eq.DeQuantStub())
    em.load_state_dict(_to_ember(tm.state_dict()))
    group = ["1", "2", "3"] if relu else ["1", "2"]
    tm, em = tq.fuse_modules_qat(tm.train(), group), eq.fuse_modules_qat(em.train(), group)
    tm.qconfig, em.qconfig = _torch_qconfig(), eq.get_default_qat_qconfig("x86")
    tm, em = tq.prepare_qat(tm), eq.prepare_qat(em)
    assert type(em[1]).__name__ == type(tm[1]).__name__
    spatial = (9,) if nd == 1 else (5, 6, 5)
    for _ in range(3):
        x = rng.normal(size=(4, 2, *spatial)).astype(np.float32)
        tm(torch.tensor(x)), em(ember.tensor(x))
    tc, ec = tq.convert(tm.eval()), eq.convert(em.eval())
    assert type(ec[1]) is getattr(enq, f"ConvReLU{nd}d" if relu else conv)
    we, wt = ec[1].weight(), tc[1].weight()
    assert we.shape == wt.shape
    assert np.abs(we.int_repr().numpy().astype(int) - wt.int_repr().numpy().astype(int)).max() <= 1
    x = rng.normal(size=(3, 2, *(s + 2 for s in spatial))).astype(np.float32)
    out_e, out_t = ec(ember.tensor(x)).numpy(), tc(torch.tensor(x)).numpy()
    assert out_e.shape == out_t.shape
    steps = np.rint(np.abs(out_e - out_t) / tc[1].scale)
    assert steps.max() <= 1 and np.mean(steps == 0) > 0.9


def test_version_1_state_dict_loads_into_bn():
    qc = eq.get_default_qat_qconfig("x86")
    src = enniqat.ConvBn2d(2, 3, 3, qconfig=qc)
    src(ember.randn(4, 2, 5, 5))  # running statistics that are not the initial ones
    old = {k.replace("bn.weight", "gamma").replace("bn.bias", "beta").replace("bn.", ""): v
           for k, v in src.state_dict().items()}  # torch's version 1 layout, no _metadata
    assert "gamma" in old and "running_var" in old
    dst = enniqat.ConvBn2d(2, 3, 3, qconfig=qc)
    dst.load_state_dict(old)
    for k, v in src.state_dict().items():
        np.testing.assert_array_equal(dst.state_dict()[k].numpy(), v.numpy(), err_msg=k)
    dst.load_state_dict(src.state_dict())  # version 2 (with _metadata)
    with pytest.raises(RuntimeError, match="bn.running_var"):
        enniqat.ConvBn2d(2, 3, 3, qconfig=qc).load_state_dict({k: v for k, v in old.items() if k != "running_var"})


def test_torchs_trained_qat_state_dict_loads_into_a_fresh_prepared_model(run):
    fresh = eq.fuse_modules_qat(EmberNet().train(), FUSE)
    fresh.qconfig = eq.get_default_qat_qconfig("x86")
    fresh = eq.prepare_qat(fresh)  # per-channel observers still empty, fake-quant scales of one element
    tp = copy.deepcopy(run["tp"])  # its observers still run in eval mode: keep the fixture's untouched
    fresh.load_state_dict(_to_ember(tp.state_dict()))
    fresh.eval()
    x = run["test"]
    with torch.no_grad():
        yt = tp(torch.tensor(x)).numpy()
    np.testing.assert_allclose(fresh(ember.tensor(x)).detach().numpy(), yt, rtol=1e-4, atol=1e-4)
    assert fresh.conv1.weight_fake_quant.scale.shape == (4,)


@pytest.mark.parametrize("relu", [False, True])
def test_conv3d_qat_layers_train_and_convert_as_torch(relu):
    rng = np.random.default_rng(5)
    torch.manual_seed(5)
    tail_t, tail_e = ([torch.nn.ReLU()], [nn.ReLU()]) if relu else ([], [])
    tm = torch.nn.Sequential(tq.QuantStub(), torch.nn.Conv3d(2, 3, 2, padding=1), *tail_t, tq.DeQuantStub())
    em = nn.Sequential(eq.QuantStub(), nn.Conv3d(2, 3, 2, padding=1), *tail_e, eq.DeQuantStub())
    em.load_state_dict(_to_ember(tm.state_dict()))
    if relu:
        tm, em = tq.fuse_modules_qat(tm.train(), ["1", "2"]), eq.fuse_modules_qat(em.train(), ["1", "2"])
    tm.qconfig, em.qconfig = _torch_qconfig(), eq.get_default_qat_qconfig("x86")
    tm, em = tq.prepare_qat(tm.train()), eq.prepare_qat(em.train())
    assert type(em[1]).__name__ == type(tm[1]).__name__ == ("ConvReLU3d" if relu else "Conv3d")
    for _ in range(2):
        x = rng.normal(size=(2, 2, 3, 4, 4)).astype(np.float32)
        yt, ye = tm(torch.tensor(x)), em(ember.tensor(x))
        np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-4, atol=1e-5)
        tm.zero_grad(), em.zero_grad()
        (yt ** 2).sum().backward(), (ye ** 2).sum().backward()
        np.testing.assert_allclose(em[1].weight.grad.numpy(), tm[1].weight.grad.numpy(), rtol=1e-4, atol=1e-5)
    tc, ec = tq.convert(tm.eval()), eq.convert(em.eval())
    assert type(ec[1]) is (enq.ConvReLU3d if relu else enq.Conv3d)
    x = rng.normal(size=(2, 2, 3, 4, 4)).astype(np.float32)
    steps = np.rint(np.abs(ec(ember.tensor(x)).numpy() - tc(torch.tensor(x)).numpy()) / tc[1].scale)
    assert steps.max() <= 1
