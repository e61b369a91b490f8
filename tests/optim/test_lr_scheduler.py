"""Every scheduler's lr (and cycled momentum) over 100 steps equals torch's, with two param groups,
across a state-dict swap ember <-> torch at step 50; the scheduler-before-optimizer warning."""
from __future__ import annotations

import copy
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from ember import optim


def _sequential(lib, opt):
    s = lib.optim.lr_scheduler
    return s.SequentialLR(opt, [s.LinearLR(opt, start_factor=0.1, total_iters=10),
                                s.ExponentialLR(opt, gamma=0.97),
                                s.CosineAnnealingLR(opt, T_max=20, eta_min=0.001)], milestones=[10, 40])


def _chained(lib, opt):
    s = lib.optim.lr_scheduler
    return s.ChainedScheduler([s.ConstantLR(opt, factor=0.5, total_iters=7), s.ExponentialLR(opt, gamma=0.98),
                               s.StepLR(opt, step_size=13, gamma=0.7)])


class Halve:
    """A callable object as lr_lambda: its __dict__ goes into the state dict."""

    def __init__(self):
        self.k = 0.9

    def __call__(self, epoch):
        return self.k ** epoch


SCHEDULERS = {
    "LambdaLR": ("SGD", lambda lib, o: lib.optim.lr_scheduler.LambdaLR(o, [lambda e: 1 / (1 + e), Halve()])),
    "MultiplicativeLR": ("SGD", lambda lib, o: lib.optim.lr_scheduler.MultiplicativeLR(o, lambda e: 0.97)),
    "StepLR": ("SGD", lambda lib, o: lib.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5)),
    "MultiStepLR": ("SGD", lambda lib, o: lib.optim.lr_scheduler.MultiStepLR(o, [10, 30, 30, 77], gamma=0.3)),
    "ConstantLR": ("SGD", lambda lib, o: lib.optim.lr_scheduler.ConstantLR(o, factor=0.25, total_iters=20)),
    "LinearLR": ("SGD", lambda lib, o: lib.optim.lr_scheduler.LinearLR(o, 0.2, 0.9, total_iters=60)),
    "ExponentialLR": ("SGD", lambda lib, o: lib.optim.lr_scheduler.ExponentialLR(o, gamma=0.95)),
    "PolynomialLR": ("SGD", lambda lib, o: lib.optim.lr_scheduler.PolynomialLR(o, total_iters=70, power=2.0)),
    "CosineAnnealingLR": ("SGD", lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingLR(o, T_max=15, eta_min=0.01)),
    "CosineAnnealingWarmRestarts": ("SGD", lambda lib, o: lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        o, T_0=5, T_mult=2, eta_min=0.001)),
    "CyclicLR-triangular": ("SGD", lambda lib, o: lib.optim.lr_scheduler.CyclicLR(
        o, base_lr=0.01, max_lr=[0.1, 0.2], step_size_up=7, step_size_down=4)),
    "CyclicLR-triangular2": ("SGD", lambda lib, o: lib.optim.lr_scheduler.CyclicLR(
        o, 0.01, 0.1, step_size_up=5, mode="triangular2", base_momentum=0.7)),
    "CyclicLR-exp_range-adam": ("Adam", lambda lib, o: lib.optim.lr_scheduler.CyclicLR(
        o, 0.001, 0.01, step_size_up=6, mode="exp_range", gamma=0.98)),
    "CyclicLR-no-momentum": ("Adagrad", lambda lib, o: lib.optim.lr_scheduler.CyclicLR(
        o, 0.001, 0.01, step_size_up=9, cycle_momentum=False)),
    "OneCycleLR-cos": ("SGD", lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(o, max_lr=[0.5, 1.0], total_steps=100)),
    "OneCycleLR-linear-3phase-adam": ("Adam", lambda lib, o: lib.optim.lr_scheduler.OneCycleLR(
        o, max_lr=0.01, epochs=10, steps_per_epoch=10, anneal_strategy="linear", three_phase=True, pct_start=0.25)),
    "ReduceLROnPlateau-min-rel": ("SGD", lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(
        o, patience=3, factor=0.5, cooldown=2, min_lr=[0.001, 0.004])),
    "ReduceLROnPlateau-max-abs": ("SGD", lambda lib, o: lib.optim.lr_scheduler.ReduceLROnPlateau(
        o, mode="max", threshold=0.05, threshold_mode="abs", patience=2, eps=1e-3)),
    "SequentialLR": ("SGD", _sequential),
    "ChainedScheduler": ("SGD", _chained),
    "NoamLR": ("Adam", None),
}


def _make(lib, kind, factory):
    mod = ember if lib == "ember" else torch
    params = [mod.zeros(2, requires_grad=True), mod.zeros(3, requires_grad=True)]
    groups = [{"params": params[:1], "lr": 0.1}, {"params": params[1:], "lr": 0.05}]
    extra = {"momentum": 0.9} if kind == "SGD" else {}
    opt = getattr(mod.optim, kind)(groups, **extra)
    return opt, factory(mod, opt)


def _metric(i):
    return 1.0 / (1 + i % 17) + 0.1 * math.sin(i)


def _keys(sd):
    return {k: ([_keys(v) for v in sd[k]] if k == "_schedulers" else None) for k in sd}


def _snapshot(opt, sched):
    """Last lrs, group lrs, momenta and beta1s as one flat float list (None -> nan)."""
    groups = opt.param_groups
    values = list(sched.get_last_lr()) + [g["lr"] for g in groups] + [g.get("momentum") for g in groups]
    values += [g["betas"][0] if "betas" in g else None for g in groups]
    return np.array([np.nan if v is None else float(v) for v in values])


@pytest.mark.parametrize("name", [n for n in SCHEDULERS if n != "NoamLR"])
def test_lr_sequence_matches_torch(name):
    kind, factory = SCHEDULERS[name]
    eopt, esched = _make("ember", kind, factory)
    topt, tsched = _make("torch", kind, factory)
    plateau = name.startswith("ReduceLROnPlateau")
    np.testing.assert_allclose(_snapshot(eopt, esched), _snapshot(topt, tsched), rtol=1e-12)
    for i in range(100):
        eopt.step()
        topt.step()
        if plateau:
            esched.step(_metric(i))
            tsched.step(_metric(i))
        else:
            esched.step()
            tsched.step()
        np.testing.assert_allclose(_snapshot(eopt, esched), _snapshot(topt, tsched), rtol=1e-12,
                                   err_msg=f"step {i}")
        if i == 49:
            esd, tsd = esched.state_dict(), tsched.state_dict()
            assert _keys(esd) == _keys(tsd)
            esched.load_state_dict(copy.deepcopy(tsd))
            tsched.load_state_dict(copy.deepcopy(esd))


def test_state_dict_restores_a_fresh_scheduler():
    eopt, esched = _make("ember", "SGD", SCHEDULERS["CosineAnnealingWarmRestarts"][1])
    for _ in range(13):
        eopt.step()
        esched.step()
    sd, opt_sd = copy.deepcopy(esched.state_dict()), eopt.state_dict()
    eopt2, esched2 = _make("ember", "SGD", SCHEDULERS["CosineAnnealingWarmRestarts"][1])
    eopt2.load_state_dict(opt_sd)
    esched2.load_state_dict(sd)
    for _ in range(20):
        eopt.step()
        eopt2.step()
        esched.step()
        esched2.step()
        assert esched.get_last_lr() == esched2.get_last_lr()


def test_cosine_warm_restarts_fractional_epochs():
    eopt, esched = _make("ember", "SGD", SCHEDULERS["CosineAnnealingWarmRestarts"][1])
    topt, tsched = _make("torch", "SGD", SCHEDULERS["CosineAnnealingWarmRestarts"][1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in range(12):
            for i in range(4):
                e = epoch + i / 4
                eopt.step()
                topt.step()
                esched.step(e)
                tsched.step(e)
                np.testing.assert_allclose(esched.get_last_lr(), tsched.get_last_lr(), rtol=1e-12)


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
                                  "PolynomialLR", "ConstantLR"])
def test_closed_form_with_epoch_argument(name):
    kind, factory = SCHEDULERS[name]
    eopt, esched = _make("ember", kind, factory)
    topt, tsched = _make("torch", kind, factory)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in [3, 10, 4, 31, 80]:
            esched.step(epoch)
            tsched.step(epoch)
            np.testing.assert_allclose(esched.get_last_lr(), tsched.get_last_lr(), rtol=1e-12)


def test_scheduler_before_optimizer_warns_like_torch():
    for lib in ("ember", "torch"):
        opt, sched = _make(lib, "SGD", SCHEDULERS["StepLR"][1])
        with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`"):
            sched.step()
        opt, sched = _make(lib, "SGD", SCHEDULERS["StepLR"][1])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            opt.step()
            sched.step()


def test_get_lr_outside_step_warns():
    opt, sched = _make("ember", "SGD", SCHEDULERS["StepLR"][1])
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        sched.get_lr()


def test_noam_lr_equals_seed_formula_and_lambda_recipe():
    d_model, warmup, factor = 512, 40, 2.0
    opt, sched = _make("ember", "Adam", lambda lib, o: lib.optim.lr_scheduler.NoamLR(o, d_model, warmup, factor))
    opt2 = ember.optim.Adam([ember.zeros(1, requires_grad=True)], lr=1.0)
    recipe = ember.optim.lr_scheduler.LambdaLR(opt2, lambda s: factor * d_model ** -0.5 * min(
        max(s, 1) ** -0.5, max(s, 1) * warmup ** -1.5))
    lrs = [sched.get_last_lr()[0]]
    for step in range(1, 101):
        opt.step()
        opt2.step()
        sched.step()
        recipe.step()
        expected = factor * d_model ** -0.5 * min(step ** -0.5, step * warmup ** -1.5)
        assert sched.get_last_lr() == [pytest.approx(expected, rel=1e-12)] * 2
        assert recipe.get_last_lr()[0] == pytest.approx(expected, rel=1e-12)
        lrs.append(sched.get_last_lr()[0])
    assert int(np.argmax(lrs)) == warmup


BAD = [
    (lambda s, o: s.ConstantLR(o, factor=1.5), "Constant multiplicative factor expected to be between 0 and 1."),
    (lambda s, o: s.LinearLR(o, start_factor=0), "Starting multiplicative factor expected"),
    (lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=0), "Expected positive integer T_0, but got 0"),
    (lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0), "Expected integer T_mult >= 1, but got 0"),
    (lambda s, o: s.ReduceLROnPlateau(o, factor=1.0), "Factor should be < 1.0."),
    (lambda s, o: s.ReduceLROnPlateau(o, mode="up"), "mode up is unknown!"),
    (lambda s, o: s.OneCycleLR(o, max_lr=0.1), "You must define either total_steps OR"),
    (lambda s, o: s.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=2.0), "Expected float between 0 and 1"),
    (lambda s, o: s.CyclicLR(o, 0.1, 1.0, mode="bogus"), "mode is invalid and scale_fn is None"),
    (lambda s, o: s.LambdaLR(o, [lambda e: 1.0] * 3), "Expected 2 lr_lambdas, but got 3"),
    (lambda s, o: s.SequentialLR(o, [s.StepLR(o, 2)], milestones=[3]), "Sequential Schedulers expects number"),
]


@pytest.mark.parametrize("build,message", BAD, ids=[b[1][:30] for b in BAD])
def test_bad_scheduler_arguments_raise_torchs_message(build, message):
    errors = []
    for mod in (ember, torch):
        opt, _ = _make("ember" if mod is ember else "torch", "SGD", lambda lib, o: None)
        with pytest.raises(ValueError) as info:
            build(mod.optim.lr_scheduler, opt)
        errors.append(str(info.value))
    assert errors[0] == errors[1] and message in errors[0]
