"""ember.amp.GradScaler step by step against torch.amp.GradScaler on a float16 model that overflows."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember.amp import GradScaler


def _run(lib, scaler_cls, w0, xs, clip: bool):
    w = (ember.nn.Parameter if lib is ember else torch.nn.Parameter)(lib.tensor(w0))
    opt = (ember.optim.SGD if lib is ember else torch.optim.SGD)([w], lr=1e-3, momentum=0.9)
    scaler = scaler_cls("cpu", init_scale=2.0 ** 16, growth_interval=2)
    scales, stepped = [], []
    for x in xs:
        opt.zero_grad()
        out = (lib.tensor(x).to(lib.float16) @ w.to(lib.float16)).float()
        loss = (out * out).sum()  # gradients of ~1e1 overflow float16 once scaled by 2^13 or more
        scaler.scale(loss).backward()
        if clip:
            scaler.unscale_(opt)
            (ember.nn.utils.clip_grad_norm_ if lib is ember else torch.nn.utils.clip_grad_norm_)([w], 10.0)
        before = w.detach().clone()
        scaler.step(opt)
        stepped.append(bool((w.detach() != before).any()))
        scaler.update()
        scales.append(scaler.get_scale())
    return w.detach().numpy(), scales, stepped, scaler.state_dict()


@pytest.mark.parametrize("clip", [False, True])
def test_scale_sequence_skipped_steps_and_weights_match_torch(clip):
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=(6, 3)).astype(np.float32)
    xs = [rng.normal(size=(4, 6)).astype(np.float32) for _ in range(12)]
    we, se, ste, sde = _run(ember, GradScaler, w0, xs, clip)
    wt, st, stt, sdt = _run(torch, torch.amp.GradScaler, w0, xs, clip)
    assert se == st
    assert ste == stt and not all(ste) and any(ste)  # some steps skipped, some taken
    np.testing.assert_allclose(we, wt, rtol=1e-3, atol=1e-4)
    assert sde == {k: (v if not isinstance(v, torch.Tensor) else v.item()) for k, v in sdt.items()}


def test_state_dict_round_trip_and_disabled_scaler():
    s = GradScaler(init_scale=8.0, growth_interval=5)
    sd = s.state_dict()
    assert sd == torch.amp.GradScaler("cpu", init_scale=8.0, growth_interval=5).state_dict()
    s2 = GradScaler()
    s2.load_state_dict(sd)
    assert s2.get_scale() == 8.0 and s2.get_growth_interval() == 5
    off = GradScaler(enabled=False)
    t = ember.ones(2)
    assert off.scale(t) is t and off.get_scale() == 1.0 and off.state_dict() == {}
    with pytest.raises(RuntimeError, match="source state dict is empty"):
        GradScaler().load_state_dict({})


def test_misuse_raises_torchs_errors():
    w = ember.nn.Parameter(ember.ones(2))
    opt = ember.optim.SGD([w], lr=0.1)
    s = GradScaler()
    with pytest.raises(RuntimeError, match="did not use scaler.scale"):
        s.step(opt)
    s.scale(w.sum()).backward()
    s.unscale_(opt)
    with pytest.raises(RuntimeError, match="already been called on this optimizer"):
        s.unscale_(opt)
    s.step(opt)
    with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
        s.step(opt)
    with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
        s.step(opt, closure=lambda: 0)
    with pytest.raises(ValueError, match="growth factor"):
        GradScaler(growth_factor=0.5)
