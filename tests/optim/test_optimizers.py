"""Every algorithm and flag: 30-step trajectories equal torch's (float64, 1e-6 relative), state-dict
round trips ember -> torch -> ember mid-trajectory, param groups, closures, hooks and errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember import optim

from ._harness import Pair, grads_at, groups, make_problem, to_ember, to_torch

CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.05)),
    ("Adam", dict(lr=0.05, amsgrad=True)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, maximize=True)),
    ("Adam", dict(lr=0.05, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1, amsgrad=True)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05, weight_decay=0.2, amsgrad=True, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.5, eps=1e-6, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.8, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.8, centered=True, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1, maximize=True)),
    ("Adamax", dict(lr=0.05)),
    ("Adamax", dict(lr=0.05, betas=(0.8, 0.95), weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.05)),
    ("NAdam", dict(lr=0.05, momentum_decay=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.05)),
    ("RAdam", dict(lr=0.05, weight_decay=0.1)),
    ("RAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'default'}" for name, kw in CASES]


def _run(pair, eopt, topt, problem, steps, start=0):
    _, mats, targets = problem
    for i in range(start, start + steps):
        pair.set_grads(grads_at([p._data for p in pair.e], mats, targets))
        eopt.step()
        topt.step()
        pair.assert_close(where=f"step {i + 1}")


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
@pytest.mark.parametrize("lrs", [None, (0.02, 0.07)], ids=["one-group", "two-groups"])
def test_trajectory_matches_torch(name, kwargs, lrs):
    problem = make_problem()
    pair = Pair(problem[0])
    eopt = getattr(optim, name)(groups(pair.e, lrs), **kwargs)
    topt = getattr(torch.optim, name)(groups(pair.t, lrs), **kwargs)
    _run(pair, eopt, topt, problem, 30)
    esd, tsd = eopt.state_dict(), topt.state_dict()
    assert esd["param_groups"] == [{k: v for k, v in g.items()} for g in tsd["param_groups"]]
    assert esd["state"].keys() == tsd["state"].keys()
    for k in tsd["state"]:
        assert list(esd["state"][k]) == list(tsd["state"][k])
        for key, tv in tsd["state"][k].items():
            ev = esd["state"][k][key]
            assert str(ev.dtype).split(".")[-1] == str(tv.dtype).split(".")[-1], key
            np.testing.assert_allclose(ev._data, tv.numpy(), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("name,kwargs", CASES[1::3], ids=IDS[1::3])
def test_state_dict_round_trip_mid_trajectory(name, kwargs):
    problem = make_problem(1)
    pair = Pair(problem[0])
    eopt = getattr(optim, name)(groups(pair.e, (0.03, 0.06)), **kwargs)
    topt = getattr(torch.optim, name)(groups(pair.t, (0.03, 0.06)), **kwargs)
    _run(pair, eopt, topt, problem, 15)
    # ember -> torch: a fresh torch optimizer continues from ember's state
    topt2 = getattr(torch.optim, name)(groups(pair.t, (1.0, 1.0)), **kwargs)
    topt2.load_state_dict(to_torch(eopt.state_dict()))
    # torch -> ember: a fresh ember optimizer continues from torch's state
    eopt2 = getattr(optim, name)(groups(pair.e, (1.0, 1.0)), **kwargs)
    eopt2.load_state_dict(to_ember(topt.state_dict()))
    assert eopt2.param_groups[1]["lr"] == 0.06
    _run(pair, eopt2, topt2, problem, 15, start=15)


def test_load_state_dict_copies_and_casts():
    w = ember.zeros(3, dtype=ember.float32, requires_grad=True)
    opt = optim.Adam([w])
    w.grad = ember.ones(3)
    opt.step()
    sd = opt.state_dict()
    sd["state"][0]["exp_avg"] = ember.ones(3, dtype=ember.float64)
    opt2 = optim.Adam([w])
    opt2.load_state_dict(sd)
    assert opt2.state[w]["exp_avg"].dtype == ember.float32
    assert opt2.state[w]["step"].dtype == ember.float32 and float(opt2.state[w]["step"]) == 1.0
    assert opt2.state[w]["exp_avg_sq"] is not sd["state"][0]["exp_avg_sq"]
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt2.load_state_dict({"state": {}, "param_groups": []})


def test_params_without_grad_are_skipped_and_versions_bumped():
    a, b = ember.zeros(2, requires_grad=True), ember.zeros(2, requires_grad=True)
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = ember.ones(2)
    v = a._version
    opt.step()
    assert a._version == v + 1 and b not in opt.state and float(b.sum()) == 0.0


def test_zero_grad():
    a = ember.zeros(2, requires_grad=True)
    opt = optim.SGD([a], lr=0.1)
    a.grad = ember.ones(2)
    g = a.grad
    opt.zero_grad(set_to_none=False)
    assert a.grad is g and float(g.sum()) == 0.0
    opt.zero_grad()
    assert a.grad is None


def test_closure_runs_with_grad_and_returns_loss():
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with ember.no_grad():
        loss = opt.step(closure)
    assert float(loss) == 5.0
    np.testing.assert_allclose(w._data, [0.8, 1.6], rtol=1e-6)


def test_step_hooks():
    w = ember.zeros(2, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append(("pre", o is opt)))
    opt.register_step_post_hook(lambda o, args, kwargs: calls.append(("post", round(float(w.sum()), 5))))
    w.grad = ember.ones(2)
    opt.step()
    h1.remove()
    opt.step()
    assert calls == [("pre", True), ("post", -0.2), ("post", -0.4)]


def test_param_groups_editable_and_add_param_group():
    a, b, c = (ember.zeros(2, requires_grad=True) for _ in range(3))
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[1]["lr"] == 0.5
    assert opt.param_groups[1]["momentum"] == 0.9
    opt.param_groups[0]["lr"] = 0.01
    opt.add_param_group({"params": [c], "lr": 1.0})
    a.grad, b.grad, c.grad = ember.ones(2), ember.ones(2), ember.ones(2)
    opt.step()
    np.testing.assert_allclose([float(a[0]), float(b[0]), float(c[0])], [-0.01, -0.5, -1.0], rtol=1e-6)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts"):
        optim.SGD(a, lr=0.1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([a * 2], lr=0.1)


BAD = [
    ("SGD", dict(lr=-0.1), "Invalid learning rate: -0.1"),
    ("SGD", dict(lr=0.1, momentum=-1), "Invalid momentum value: -1"),
    ("SGD", dict(lr=0.1, weight_decay=-1), "Invalid weight_decay value: -1"),
    ("SGD", dict(lr=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov momentum requires"),
    ("Adam", dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    ("Adam", dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    ("Adam", dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
    ("AdamW", dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
    ("Adagrad", dict(lr_decay=-1), "Invalid lr_decay value: -1"),
    ("Adagrad", dict(initial_accumulator_value=-1), "Invalid initial_accumulator_value value: -1"),
    ("RMSprop", dict(alpha=-0.5), "Invalid alpha value: -0.5"),
    ("RMSprop", dict(momentum=-0.5), "Invalid momentum value: -0.5"),
    ("Adadelta", dict(rho=1.5), "Invalid rho value: 1.5"),
    ("Adamax", dict(betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
    ("NAdam", dict(momentum_decay=-1), "Invalid momentum_decay value: -1"),
    ("RAdam", dict(lr=-1), "Invalid learning rate: -1"),
    ("LBFGS", dict(lr=-1), "Invalid learning rate: -1"),
]


@pytest.mark.parametrize("name,kwargs,message", BAD, ids=[f"{b[0]}-{b[2][:30]}" for b in BAD])
def test_bad_hyper_parameters_raise_torchs_message(name, kwargs, message):
    with pytest.raises(ValueError) as ours:
        getattr(optim, name)([ember.zeros(2, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kwargs)
    assert str(ours.value) == str(theirs.value)
    assert message in str(ours.value)


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


@pytest.mark.parametrize("kwargs", [dict(), dict(line_search_fn="strong_wolfe"),
                                    dict(history_size=3, max_iter=7, lr=0.5),
                                    dict(history_size=4, line_search_fn="strong_wolfe", tolerance_change=1e-6)],
                         ids=["plain", "strong_wolfe", "history3", "wolfe-history4"])
def test_lbfgs_matches_torch_on_rosenbrock(kwargs):
    xe = ember.tensor([-1.5, 2.0], dtype=ember.float64, requires_grad=True)
    xt = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
    eopt, topt = optim.LBFGS([xe], **kwargs), torch.optim.LBFGS([xt], **kwargs)

    def closure(opt, x):
        def run():
            opt.zero_grad()
            loss = _rosenbrock(x[0], x[1])
            loss.backward()
            return loss
        return run

    for i in range(3):  # Rosenbrock amplifies round-off: ~1e-16 at the start, ~1e-7 after 60 evaluations
        le = eopt.step(closure(eopt, xe))
        lt = topt.step(closure(topt, xt))
        np.testing.assert_allclose(float(le), float(lt.detach()), rtol=1e-6, err_msg=f"outer step {i}")
        np.testing.assert_allclose(xe._data, xt.detach().numpy(), rtol=1e-6, atol=1e-10, err_msg=f"outer step {i}")
        se, st = eopt.state[xe], topt.state[xt]
        assert se["func_evals"] == st["func_evals"] and se["n_iter"] == st["n_iter"]
    if "line_search_fn" in kwargs:
        np.testing.assert_allclose(xe._data, [1.0, 1.0], atol=1e-2)


def test_lbfgs_rejects_groups_and_unknown_line_search():
    a, b = ember.zeros(2, requires_grad=True), ember.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        optim.LBFGS([{"params": [a]}, {"params": [b]}])
    opt = optim.LBFGS([a], line_search_fn="bogus")

    def closure():
        opt.zero_grad()
        loss = ((a - 1) ** 2).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)
