"""kl_divergence against torch for every registered pair ember has (values and gradients w.r.t. both
distributions' parameters), the inf pairs, and register_kl's dispatch."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
import ember.distributions as ED

torch = pytest.importorskip("torch", reason="torch is the oracle for ember.distributions")
import torch.distributions as TD  # noqa: E402

R = np.random.default_rng(5)
B = (3,)


def _pos(low=0.5, high=3.0, shape=B):
    return R.uniform(low, high, size=shape)


def _spd(n=3):
    a = R.normal(size=(2, n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


# name -> (builder, params); builders take (distributions module, params as that library's tensors)
DISTS = {
    "Normal": (lambda D, p: D.Normal(p["loc"], p["scale"]), lambda: dict(loc=R.normal(size=B), scale=_pos())),
    "Laplace": (lambda D, p: D.Laplace(p["loc"], p["scale"]), lambda: dict(loc=R.normal(size=B), scale=_pos())),
    "Uniform": (lambda D, p: D.Uniform(p["low"], p["high"]),
                lambda: dict(low=R.uniform(0.1, 0.3, B), high=R.uniform(0.6, 0.9, B))),
    "UniformWide": (lambda D, p: D.Uniform(p["low"], p["high"]),
                    lambda: dict(low=R.uniform(-0.5, 0.0, B), high=R.uniform(1.0, 2.0, B))),
    "Beta": (lambda D, p: D.Beta(p["a"], p["b"]), lambda: dict(a=_pos(), b=_pos())),
    "Gamma": (lambda D, p: D.Gamma(p["a"], p["b"]), lambda: dict(a=_pos(), b=_pos())),
    "Exponential": (lambda D, p: D.Exponential(p["rate"]), lambda: dict(rate=_pos())),
    "Poisson": (lambda D, p: D.Poisson(p["rate"]), lambda: dict(rate=_pos())),
    "Bernoulli": (lambda D, p: D.Bernoulli(probs=p["probs"]), lambda: dict(probs=_pos(0.1, 0.9))),
    "BernoulliLogits": (lambda D, p: D.Bernoulli(logits=p["logits"]), lambda: dict(logits=R.normal(size=B))),
    "Binomial": (lambda D, p: D.Binomial(4, probs=p["probs"]), lambda: dict(probs=_pos(0.1, 0.9))),
    "Categorical": (lambda D, p: D.Categorical(probs=p["probs"]), lambda: dict(probs=_pos(shape=(3, 4)))),
    "OneHotCategorical": (lambda D, p: D.OneHotCategorical(logits=p["logits"]),
                          lambda: dict(logits=R.normal(size=(3, 4)))),
    "Dirichlet": (lambda D, p: D.Dirichlet(p["c"]), lambda: dict(c=_pos(shape=(3, 4)))),
    "MultivariateNormal": (lambda D, p: D.MultivariateNormal(p["loc"], covariance_matrix=p["cov"]),
                           lambda: dict(loc=R.normal(size=(2, 3)), cov=_spd())),
    "MultivariateNormalTril": (lambda D, p: D.MultivariateNormal(p["loc"], scale_tril=p["L"]),
                               lambda: dict(loc=R.normal(size=(3,)), L=np.linalg.cholesky(_spd()))),
    "Independent": (lambda D, p: D.Independent(D.Normal(p["loc"], p["scale"]), 1),
                    lambda: dict(loc=R.normal(size=B), scale=_pos())),
    "LogNormal": (lambda D, p: D.LogNormal(p["loc"], p["scale"]), lambda: dict(loc=R.normal(size=B), scale=_pos())),
    "Gumbel": (lambda D, p: D.Gumbel(p["loc"], p["scale"]), lambda: dict(loc=R.normal(size=B), scale=_pos())),
    "Cauchy": (lambda D, p: D.Cauchy(p["loc"], p["scale"]), lambda: dict(loc=R.normal(size=B), scale=_pos())),
    "HalfNormal": (lambda D, p: D.HalfNormal(p["scale"]), lambda: dict(scale=_pos())),
    "Geometric": (lambda D, p: D.Geometric(probs=p["probs"]), lambda: dict(probs=_pos(0.1, 0.9))),
    "Chi2": (lambda D, p: D.Chi2(p["df"]), lambda: dict(df=_pos(1.0, 5.0))),
    "Pareto": (lambda D, p: D.Pareto(p["scale"], p["alpha"]),
               lambda: dict(scale=_pos(0.2, 1.0), alpha=np.array([0.8, 1.5, 3.0]))),
    "LowRank": (lambda D, p: D.LowRankMultivariateNormal(p["loc"], p["W"], p["D"]),
                lambda: dict(loc=R.normal(size=(2, 3)), W=R.normal(size=(2, 3, 2)), D=_pos(shape=(2, 3)))),
    "LowRankFlat": (lambda D, p: D.LowRankMultivariateNormal(p["loc"], p["W"], p["D"]),
                    lambda: dict(loc=R.normal(size=(3,)), W=R.normal(size=(3, 1)), D=_pos(shape=(3,)))),
    "ContinuousBernoulli": (lambda D, p: D.ContinuousBernoulli(probs=p["probs"]),
                            lambda: dict(probs=np.array([0.2, 0.4999, 0.8]))),
    "ParetoSteep": (lambda D, p: D.Pareto(p["scale"], p["alpha"]), lambda: dict(scale=_pos(0.2, 1.0), alpha=_pos(3, 6))),
}

PAIRS = [
    ("Bernoulli", "Bernoulli"), ("BernoulliLogits", "Bernoulli"), ("Beta", "Beta"), ("Binomial", "Binomial"),
    ("Categorical", "Categorical"), ("Dirichlet", "Dirichlet"), ("Exponential", "Exponential"),
    ("Gamma", "Gamma"), ("Laplace", "Laplace"), ("MultivariateNormal", "MultivariateNormal"),
    ("MultivariateNormalTril", "MultivariateNormal"), ("Normal", "Normal"),
    ("OneHotCategorical", "OneHotCategorical"), ("Poisson", "Poisson"), ("Uniform", "UniformWide"),
    ("UniformWide", "Uniform"), ("Independent", "Independent"), ("LogNormal", "LogNormal"),
    ("Bernoulli", "Poisson"), ("Beta", "Exponential"), ("Beta", "Gamma"), ("Beta", "Normal"),
    ("Beta", "UniformWide"), ("Beta", "Uniform"), ("Exponential", "Beta"), ("Exponential", "Uniform"),
    ("Exponential", "Gamma"), ("Exponential", "Normal"), ("Gamma", "Beta"), ("Gamma", "Uniform"),
    ("Gamma", "Exponential"), ("Gamma", "Normal"), ("Laplace", "Beta"), ("Laplace", "Exponential"),
    ("Laplace", "Gamma"), ("Laplace", "Uniform"), ("Laplace", "Normal"), ("Normal", "Beta"),
    ("Normal", "Exponential"), ("Normal", "Gamma"), ("Normal", "Uniform"), ("Normal", "Laplace"),
    ("Poisson", "Bernoulli"), ("Poisson", "Binomial"), ("Uniform", "Beta"), ("UniformWide", "Beta"),
    ("Uniform", "Exponential"), ("Uniform", "Gamma"), ("UniformWide", "Gamma"), ("Uniform", "Normal"),
    ("Gumbel", "Gumbel"), ("Cauchy", "Cauchy"), ("HalfNormal", "HalfNormal"), ("Geometric", "Geometric"),
    ("Chi2", "Chi2"), ("Chi2", "Gamma"), ("Exponential", "Gumbel"), ("Gamma", "Gumbel"), ("Gumbel", "Beta"),
    ("Gumbel", "Exponential"), ("Gumbel", "Gamma"), ("Gumbel", "Uniform"), ("Gumbel", "Normal"),
    ("Normal", "Gumbel"), ("Uniform", "Gumbel"), ("Chi2", "Normal"),
    ("Pareto", "Pareto"), ("ParetoSteep", "Pareto"), ("Beta", "Pareto"), ("Exponential", "Pareto"),
    ("Gamma", "Pareto"), ("Gumbel", "Pareto"), ("Laplace", "Pareto"), ("Normal", "Pareto"), ("Pareto", "Beta"),
    ("Pareto", "Uniform"), ("Pareto", "Exponential"), ("ParetoSteep", "Exponential"), ("Pareto", "Gamma"),
    ("ParetoSteep", "Gamma"), ("Pareto", "Normal"), ("ParetoSteep", "Normal"), ("UniformWide", "Pareto"),
    ("Uniform", "Pareto"), ("LowRank", "LowRank"), ("LowRankFlat", "LowRank"), ("LowRank", "MultivariateNormal"),
    ("MultivariateNormal", "LowRank"), ("ContinuousBernoulli", "ContinuousBernoulli"),
    ("Beta", "ContinuousBernoulli"), ("ContinuousBernoulli", "Pareto"), ("ContinuousBernoulli", "Exponential"),
    ("ContinuousBernoulli", "Normal"), ("ContinuousBernoulli", "Uniform"), ("ContinuousBernoulli", "UniformWide"),
    ("Exponential", "ContinuousBernoulli"), ("Gamma", "ContinuousBernoulli"), ("Gumbel", "ContinuousBernoulli"),
    ("Laplace", "ContinuousBernoulli"), ("Normal", "ContinuousBernoulli"), ("Pareto", "ContinuousBernoulli"),
    ("Uniform", "ContinuousBernoulli"), ("UniformWide", "ContinuousBernoulli"), ("MultivariateNormalTril", "LowRankFlat"), ("LowRankFlat", "MultivariateNormal"),
]


def _make(name: str, lib, params: dict):
    builder, _ = DISTS[name]
    D = ED if lib is ember else TD
    p = {k: lib.tensor(v, dtype=lib.float64, requires_grad=True) for k, v in params.items()}
    return builder(D, p), p


@pytest.mark.parametrize("p_name,q_name", PAIRS, ids=[f"{p}-{q}" for p, q in PAIRS])
def test_kl_matches_torch(p_name: str, q_name: str) -> None:
    pp, qp = DISTS[p_name][1](), DISTS[q_name][1]()
    (tp, tpp), (tq, tqp) = _make(p_name, torch, pp), _make(q_name, torch, qp)
    (ep, epp), (eq, eqp) = _make(p_name, ember, pp), _make(q_name, ember, qp)
    t_kl, e_kl = TD.kl_divergence(tp, tq), ED.kl_divergence(ep, eq)
    assert tuple(e_kl.shape) == tuple(t_kl.shape)
    t_np = t_kl.detach().numpy()
    np.testing.assert_allclose(e_kl.detach().numpy(), t_np, rtol=1e-6, atol=1e-9)
    if not t_kl.requires_grad or not np.isfinite(t_np).all():
        return
    t_kl.sum().backward()
    e_kl.sum().backward()
    for tparams, eparams in ((tpp, epp), (tqp, eqp)):
        for k in tparams:
            tg, eg = tparams[k].grad, eparams[k].grad
            if tg is None:
                assert eg is None or not np.any(eg.numpy()), k
                continue
            np.testing.assert_allclose(eg.numpy(), tg.numpy(), rtol=1e-5, atol=1e-9, err_msg=f"dKL/d{k}")


def test_kl_errors_match_torch() -> None:
    p = {"probs": np.array([0.5])}
    with pytest.raises(NotImplementedError, match="No KL\\(p \\|\\| q\\) is implemented for p type Bernoulli and "
                                                  "q type Laplace"):
        ED.kl_divergence(ED.Bernoulli(ember.tensor(p["probs"])), ED.Laplace(0.0, 1.0))
    with pytest.raises(NotImplementedError, match="cross KL-divergence between different exponential families"):
        ED.kl_divergence(ED.Bernoulli(ember.tensor(p["probs"])), ED.Normal(0.0, 1.0))
    with pytest.raises(NotImplementedError, match="q.total_count > p.total_count"):
        ED.kl_divergence(ED.Binomial(2, ember.tensor([0.5])), ED.Binomial(3, ember.tensor([0.5])))
    with pytest.raises(ValueError, match="different event shapes"):
        ED.kl_divergence(ED.MultivariateNormal(ember.zeros(2), ember.eye(2)),
                         ED.MultivariateNormal(ember.zeros(3), ember.eye(3)))
    with pytest.raises(NotImplementedError):  # different transforms
        ED.kl_divergence(ED.TransformedDistribution(ED.Normal(0.0, 1.0), ED.ExpTransform()),
                         ED.TransformedDistribution(ED.Normal(0.0, 1.0), ED.SigmoidTransform()))


def test_binomial_kl_is_inf_when_q_has_fewer_trials() -> None:
    for lib, D in ((ember, ED), (torch, TD)):
        kl = D.kl_divergence(D.Binomial(lib.tensor([3.0, 2.0]), lib.tensor([0.4, 0.4])),
                             D.Binomial(lib.tensor([2.0, 2.0]), lib.tensor([0.5, 0.5])))
        assert np.isinf(kl.numpy()[0]) and np.isfinite(kl.numpy()[1])


def test_bregman_divergence_of_exponential_families_matches_closed_form() -> None:
    from ember.distributions.kl_same_family import _kl_expfamily_expfamily

    for name in ("Normal", "Gamma", "Beta", "Exponential", "Poisson", "Dirichlet", "Bernoulli"):
        p, _ = _make(name, ember, DISTS[name][1]())
        q, _ = _make(name, ember, DISTS[name][1]())
        np.testing.assert_allclose(_kl_expfamily_expfamily(p, q).detach().numpy(),
                                   ED.kl_divergence(p, q).detach().numpy(), rtol=1e-6, err_msg=name)
        if name in ("Normal", "Gamma", "Exponential", "Bernoulli"):  # those with a carrier-measure mean
            np.testing.assert_allclose(ED.ExponentialFamily.entropy(p).detach().numpy(),
                                       p.entropy().detach().numpy(), rtol=1e-6, err_msg=name)


def test_register_kl_dispatch_and_ambiguity() -> None:
    class MyNormal(ED.Normal):
        pass

    class MyLaplace(ED.Laplace):
        pass

    @ED.register_kl(MyNormal, ED.Normal)
    def _custom(p, q):
        return ember.full(tuple(p.batch_shape), 42.0)

    try:
        assert ED.kl_divergence(MyNormal(0.0, 1.0), ED.Normal(0.0, 1.0)).item() == 42.0
        # the most specific registration wins; subclasses inherit their parent's closed form
        assert ED.kl_divergence(ED.Normal(0.0, 1.0), MyNormal(1.0, 1.0)).item() == pytest.approx(0.5)

        @ED.register_kl(ED.Distribution, MyLaplace)
        def _other(p, q):
            return ember.tensor(0.0)

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ED.kl_divergence(MyNormal(0.0, 1.0), MyLaplace(0.0, 1.0))
        assert any("Ambiguous kl_divergence(MyNormal, MyLaplace)" in str(w.message) for w in caught)
    finally:
        from ember.distributions import kl

        for key in [(MyNormal, ED.Normal), (ED.Distribution, MyLaplace)]:
            kl._KL_REGISTRY.pop(key, None)
        kl._KL_MEMOIZE.clear()
    with pytest.raises(TypeError, match="Expected type_p to be a Distribution subclass"):
        ED.register_kl(int, ED.Normal)
