"""Every distribution against torch.distributions on the same parameters: log_prob, entropy, mean,
mode, variance, stddev, cdf/icdf values and their gradients w.r.t. every parameter, and shapes."""
from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.distributions as ED

from ._cases import CASES, Case

torch = pytest.importorskip("torch", reason="torch is the oracle for ember.distributions")
import torch.distributions as TD  # noqa: E402

QUANTITIES = ["log_prob", "entropy", "mean", "mode", "variance", "stddev", "cdf", "icdf"]


def _float(case: Case, lib):
    return lib.float32 if case.float32 else lib.float64


def _build(case: Case, lib: str):
    if lib == "ember":
        f = _float(case, ember)
        p = {k: ember.tensor(v, dtype=f, requires_grad=True) for k, v in case.params.items()}
        c = {k: ember.tensor(v, dtype=f) for k, v in case.const.items()}
        return ED, p, c, case.make(ED, p, c)
    f = _float(case, torch)
    p = {k: torch.tensor(v, dtype=f, requires_grad=True) for k, v in case.params.items()}
    c = {k: torch.tensor(v, dtype=f) for k, v in case.const.items()}
    return TD, p, c, case.make(TD, p, c)


def _value(case: Case, lib: str, what: str):
    v = case.value
    if what == "icdf":  # a probability of the batch shape broadcast against the sample shape
        v = np.random.default_rng(7).uniform(0.05, 0.95, size=case.value.shape)
    if lib == "ember":
        return ember.tensor(v, dtype=ember.int64 if case.int_value else _float(case, ember))
    return torch.tensor(v, dtype=torch.int64 if case.int_value else _float(case, torch))


def _evaluate(case: Case, lib: str, what: str):
    _, params, _, dist = _build(case, lib)
    if what in ("log_prob", "cdf", "icdf"):
        out = getattr(dist, what)(_value(case, lib, what))
    elif what == "entropy":
        out = dist.entropy()
    else:
        out = getattr(dist, what)
    return params, out


def _check(case: Case, what: str) -> None:
    try:
        t_params, t_out = _evaluate(case, "torch", what)
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            _evaluate(case, "ember", what)
        return
    e_params, e_out = _evaluate(case, "ember", what)
    assert tuple(e_out.shape) == tuple(t_out.shape), (what, e_out.shape, t_out.shape)
    t_np = t_out.detach().numpy()
    rtol, atol = (2e-5, 1e-6) if case.float32 else (1e-6, 1e-8)
    np.testing.assert_allclose(e_out.detach().numpy(), t_np, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)
    if not (t_out.requires_grad and e_out.requires_grad) or not np.isfinite(t_np).all():
        assert t_out.requires_grad == e_out.requires_grad or not np.isfinite(t_np).all(), what
        return
    weight = np.random.default_rng(8).normal(size=t_np.shape)
    (t_out * torch.tensor(weight)).sum().backward()
    (e_out * ember.tensor(weight)).sum().backward()
    for name in case.params:
        tg, eg = t_params[name].grad, e_params[name].grad
        if tg is None:
            assert eg is None or not np.any(eg.numpy()), (what, name)
            continue
        assert eg is not None, f"{case.name}.{what}: no gradient for {name}"
        np.testing.assert_allclose(eg.numpy(), tg.numpy(), rtol=10 * rtol, atol=atol, err_msg=f"d{what}/d{name}")


ROWS = [(c, w) for c in CASES for w in QUANTITIES if c.cdf or w not in ("cdf", "icdf")]


@pytest.mark.parametrize("case,what", ROWS, ids=[f"{c.name}-{w}" for c, w in ROWS])
def test_values_and_gradients_match_torch(case: Case, what: str) -> None:
    _check(case, what)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_shapes_and_expand_match_torch(case: Case) -> None:
    _, _, _, e = _build(case, "ember")
    _, _, _, t = _build(case, "torch")
    assert tuple(e.batch_shape) == tuple(t.batch_shape)
    assert tuple(e.event_shape) == tuple(t.event_shape)
    assert e.has_rsample == t.has_rsample and e.has_enumerate_support == t.has_enumerate_support
    assert tuple(e.sample((5, 1)).shape) == tuple(t.sample((5, 1)).shape)
    assert e.sample().dtype.is_floating_point == t.sample().dtype.is_floating_point
    new_batch = (3,) + tuple(t.batch_shape)
    te, ee = t.expand(new_batch), e.expand(new_batch)
    assert type(ee) is type(e) and tuple(ee.batch_shape) == tuple(te.batch_shape)
    assert tuple(ee.event_shape) == tuple(te.event_shape)
    assert tuple(ee.sample((2,)).shape) == tuple(te.sample((2,)).shape)
    lp_t = te.log_prob(torch.tensor(case.value, dtype=torch.int64 if case.int_value else _float(case, torch))[:1])
    lp_e = ee.log_prob(ember.tensor(case.value[:1], dtype=ember.int64 if case.int_value else _float(case, ember)))
    np.testing.assert_allclose(lp_e.detach().numpy(), lp_t.detach().numpy(), rtol=2e-5 if case.float32 else 1e-6)
    if e.has_rsample:
        x = e.rsample((2,))
        assert tuple(x.shape) == (2,) + tuple(t.batch_shape + t.event_shape) and x.requires_grad


def _dtype_name(dtype) -> str:
    return str(dtype).split(".")[-1]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_float32_parameters_give_torchs_dtypes(case: Case) -> None:
    """float32 parameters: log_prob, entropy, samples, moments and gradients have torch's dtypes."""
    ep = {k: ember.tensor(v, dtype=ember.float32, requires_grad=True) for k, v in case.params.items()}
    tp = {k: torch.tensor(v, dtype=torch.float32, requires_grad=True) for k, v in case.params.items()}
    e = case.make(ED, ep, {k: ember.tensor(v, dtype=ember.float32) for k, v in case.const.items()})
    t = case.make(TD, tp, {k: torch.tensor(v, dtype=torch.float32) for k, v in case.const.items()})
    ev = ember.tensor(case.value, dtype=ember.int64 if case.int_value else ember.float32)
    tv = torch.tensor(case.value, dtype=torch.int64 if case.int_value else torch.float32)
    e_lp, t_lp = e.log_prob(ev), t.log_prob(tv)
    pairs = [(e_lp, t_lp), (e.sample((2,)), t.sample((2,)))]
    for what in ("entropy", "mean", "variance"):
        try:
            b = t.entropy() if what == "entropy" else getattr(t, what)
        except NotImplementedError:
            continue
        pairs.append((e.entropy() if what == "entropy" else getattr(e, what), b))
    for a, b in pairs:
        assert _dtype_name(a.dtype) == _dtype_name(b.dtype)
    e_lp.sum().backward()
    t_lp.sum().backward()
    for k in tp:
        if tp[k].grad is not None:
            assert _dtype_name(ep[k].grad.dtype) == _dtype_name(tp[k].grad.dtype), k


def test_enumerate_support_matches_torch() -> None:
    for make in (lambda D, lib: D.Bernoulli(lib.tensor([0.3, 0.6])),
                 lambda D, lib: D.Categorical(logits=lib.zeros(2, 3)),
                 lambda D, lib: D.OneHotCategorical(logits=lib.zeros(2, 3)),
                 lambda D, lib: D.Binomial(4, lib.tensor([0.3, 0.6]))):
        for expand in (True, False):
            e = make(ED, ember).enumerate_support(expand)
            t = make(TD, torch).enumerate_support(expand)
            np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_gamma_cdf_matches_torch_and_its_concentration_gradient_scipy() -> None:
    """Gamma.cdf = P(a, rate x): values and d/drate against torch; torch has no d/da (it raises), so
    d/da is checked against a central difference of scipy's gammainc."""
    rng = np.random.default_rng(2)
    a_np = np.array([0.2, 0.9, 3.0, 12.0, 60.0, 400.0])
    rate_np = rng.uniform(0.5, 2.0, size=6)
    x_np = rng.standard_gamma(a_np, size=(5, 6)) / rate_np * rng.uniform(0.5, 1.5, size=(5, 6))
    ta, trate = torch.tensor(a_np), torch.tensor(rate_np, requires_grad=True)
    ea = ember.tensor(a_np, dtype=ember.float64, requires_grad=True)
    erate = ember.tensor(rate_np, dtype=ember.float64, requires_grad=True)
    t_cdf = TD.Gamma(ta, trate).cdf(torch.tensor(x_np))
    e_cdf = ED.Gamma(ea, erate).cdf(ember.tensor(x_np, dtype=ember.float64))
    # torch's igamma is accurate to ~1e-9 relative for large a (scipy is the tighter reference below)
    np.testing.assert_allclose(e_cdf.detach().numpy(), t_cdf.detach().numpy(), rtol=1e-8, atol=1e-12)
    t_cdf.sum().backward()
    e_cdf.sum().backward()
    np.testing.assert_allclose(erate.grad.numpy(), trate.grad.numpy(), rtol=1e-8)
    special = pytest.importorskip("scipy.special", reason="scipy gives the d/da reference")
    np.testing.assert_allclose(e_cdf.detach().numpy(), special.gammainc(a_np, rate_np * x_np), rtol=1e-12)
    h = 1e-6 * a_np
    fd = (special.gammainc(a_np + h, rate_np * x_np) - special.gammainc(a_np - h, rate_np * x_np)) / (2 * h)
    np.testing.assert_allclose(ea.grad.numpy(), fd.sum(0), rtol=1e-4, atol=1e-9)
    assert float(ED.Gamma(2.0, 1.0).cdf(ember.tensor(0.0))) == 0.0


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_support_and_arg_constraints_match_torch(case: Case) -> None:
    _, _, _, e = _build(case, "ember")
    _, _, _, t = _build(case, "torch")
    assert type(e.support).__name__ == type(t.support).__name__
    assert e.support.event_dim == t.support.event_dim and e.support.is_discrete == t.support.is_discrete
    assert sorted(e.arg_constraints) == sorted(t.arg_constraints)
    assert repr(e).split("(")[0] == repr(t).split("(")[0]


def test_straight_through_perplexity_and_param_shape() -> None:
    logits = np.array([[0.2, -1.0, 0.5], [1.0, 0.0, 0.0]])
    e_logits = ember.tensor(logits, requires_grad=True)
    t_logits = torch.tensor(logits, requires_grad=True)
    e = ED.OneHotCategoricalStraightThrough(logits=e_logits)
    t = TD.OneHotCategoricalStraightThrough(logits=t_logits)
    x = e.rsample((4,))
    assert e.has_rsample and tuple(x.shape) == (4, 2, 3) and bool(((x.detach() == 0) | (x.detach() == 1)).all())
    w = np.random.default_rng(0).normal(size=(4, 2, 3))
    (x * ember.tensor(w)).sum().backward()  # the gradient of probs, whatever the draw
    (t.rsample((4,)) * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(e_logits.grad.numpy(), t_logits.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(e.perplexity().detach().numpy(), t.perplexity().detach().numpy(), rtol=1e-10)
    assert tuple(e.param_shape) == tuple(t.param_shape)
    assert tuple(ED.Bernoulli(ember.zeros(2, 1)).param_shape) == (2, 1)
