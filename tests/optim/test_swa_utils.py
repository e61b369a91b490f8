"""AveragedModel / EMA / SWALR / update_bn against torch.optim.swa_utils on a duck-typed model."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember
from ember.optim import swa_utils


class Duck:
    """Anything with parameters() and buffers(): no ember.nn needed."""

    def __init__(self, rng):
        self.w = ember.tensor(rng.standard_normal((2, 3)), requires_grad=True)
        self.b = ember.tensor(rng.standard_normal(2), requires_grad=True)
        self.running = ember.tensor(rng.standard_normal(2))

    def parameters(self):
        return iter([self.w, self.b])

    def buffers(self):
        return iter([self.running])

    def __call__(self, x):
        return x @ self.w.t() + self.b


class TorchDuck(torch.nn.Module):
    def __init__(self, duck):
        super().__init__()
        self.w = torch.nn.Parameter(torch.tensor(duck.w._data.copy()))
        self.b = torch.nn.Parameter(torch.tensor(duck.b._data.copy()))
        self.register_buffer("running", torch.tensor(duck.running._data.copy()))


CONFIGS = {
    "swa": dict(),
    "swa-buffers": dict(use_buffers=True),
    "ema-multi": dict(multi_avg_fn="ema_multi"),
    "ema-fn-buffers": dict(avg_fn="ema", use_buffers=True),
}


def _kwargs(mod, cfg):
    out = dict(cfg)
    if out.get("multi_avg_fn") == "ema_multi":
        out["multi_avg_fn"] = mod.optim.swa_utils.get_ema_multi_avg_fn(0.8)
    if out.get("avg_fn") == "ema":
        out["avg_fn"] = mod.optim.swa_utils.get_ema_avg_fn(0.7)
    return out


@pytest.mark.parametrize("name", list(CONFIGS))
def test_averaged_model_matches_torch(name):
    rng = np.random.default_rng(0)
    model = Duck(rng)
    tmodel = TorchDuck(model).double()
    avg = swa_utils.AveragedModel(model, **_kwargs(ember, CONFIGS[name]))
    tavg = torch.optim.swa_utils.AveragedModel(tmodel, **_kwargs(torch, CONFIGS[name]))
    assert avg.module is not model and avg.module.w is not model.w
    for step in range(6):
        new = [rng.standard_normal(t.shape) for t in (model.w, model.b, model.running)]
        for e, t, v in zip((model.w, model.b, model.running), (tmodel.w, tmodel.b, tmodel.running), new):
            e._data[...] = v
            t.data.copy_(torch.tensor(v))
        avg.update_parameters(model)
        tavg.update_parameters(tmodel)
        for e, t in zip((avg.module.w, avg.module.b, avg.module.running),
                        (tavg.module.w, tavg.module.b, tavg.module.running)):
            np.testing.assert_allclose(e._data, t.detach().numpy(), rtol=1e-12, err_msg=f"update {step}")
        assert int(avg.n_averaged._data) == int(tavg.n_averaged)
    out = avg(ember.ones(1, 3, dtype=ember.float64))
    assert tuple(out.shape) == (1, 2)


def test_ema_helper_tracks_model():
    model = Duck(np.random.default_rng(1))
    ema = swa_utils.EMA(model, decay=0.9)
    start = model.w._data.copy()
    model.w._data[...] += 1.0
    ema.update()
    np.testing.assert_allclose(ema.module.w._data, start + 0.1, rtol=1e-12)
    with pytest.raises(ValueError, match="Invalid decay value"):
        swa_utils.EMA(model, decay=1.5)


class FakeBN:
    def __init__(self):
        self.momentum = 0.1
        self.resets = 0
        self.seen_momentum = []

    def reset_running_stats(self):
        self.resets += 1


class Net:
    def __init__(self):
        self.bn = FakeBN()
        self.training = False
        self.calls = 0

    def modules(self):
        return iter([self, self.bn])

    def train(self, mode=True):
        self.training = mode
        return self

    def __call__(self, x):
        self.calls += 1
        self.bn.seen_momentum.append(self.bn.momentum)
        assert self.training


def test_update_bn_resets_and_restores():
    net = Net()
    loader = [(ember.ones(2, 3), ember.zeros(2)) for _ in range(3)]
    swa_utils.update_bn(loader, net)
    assert net.calls == 3 and net.bn.resets == 1 and net.bn.seen_momentum == [None] * 3
    assert net.bn.momentum == 0.1 and net.training is False


@pytest.mark.parametrize("kw", [dict(swa_lr=0.05), dict(swa_lr=[0.05, 0.2], anneal_epochs=5, anneal_strategy="linear"),
                                dict(swa_lr=0.01, anneal_epochs=0)])
def test_swalr_matches_torch(kw):
    seqs = []
    for mod in (ember, torch):
        groups = [{"params": [mod.zeros(1, requires_grad=True)], "lr": 0.5},
                  {"params": [mod.zeros(1, requires_grad=True)], "lr": 0.1}]
        opt = mod.optim.SGD(groups, lr=0.1)
        sched = mod.optim.swa_utils.SWALR(opt, **kw)
        seq = [list(sched.get_last_lr())]
        for _ in range(20):
            opt.step()
            sched.step()
            seq.append(list(sched.get_last_lr()))
        seqs.append(seq)
    np.testing.assert_allclose(seqs[0], seqs[1], rtol=1e-12)


def test_swalr_bad_arguments():
    opt = ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear', instead got x"):
        swa_utils.SWALR(opt, 0.1, anneal_strategy="x")
    with pytest.raises(ValueError, match="anneal_epochs must be equal or greater than 0, got -1"):
        swa_utils.SWALR(opt, 0.1, anneal_epochs=-1)
