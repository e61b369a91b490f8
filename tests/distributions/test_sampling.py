"""Sampling: moments of 20k draws within 5 standard errors of the analytic ones (torch's, checked
in test_against_torch.py), draws from ember's global generator, and the gradients of rsample."""
from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.distributions as ED

torch = pytest.importorskip("torch", reason="torch is the oracle for ember.distributions")
import torch.distributions as TD  # noqa: E402

N = 20_000
Z = 5.0  # standard errors allowed


def _assert_mean_within(samples: np.ndarray, mean: np.ndarray, what: str = "mean") -> None:
    """Sample mean within Z standard errors (the sample std / sqrt(n)) of ``mean``, per entry."""
    se = samples.std(0) / np.sqrt(len(samples)) + 1e-12
    z = np.abs(samples.mean(0) - mean) / se
    assert np.all(z < Z), f"{what}: worst z = {z.max():.2f}"


def _assert_moments(samples: np.ndarray, mean: np.ndarray, var: np.ndarray) -> None:
    _assert_mean_within(samples, mean)
    centred = (samples - mean) ** 2  # its mean is the variance; its spread gives the standard error
    _assert_mean_within(centred, var, "variance")


MOMENT_CASES = {
    "Normal": lambda D, L: D.Normal(L.tensor([0.0, 2.0]), L.tensor([1.0, 0.5])),
    "Bernoulli": lambda D, L: D.Bernoulli(L.tensor([0.1, 0.5, 0.8])),
    "OneHotCategorical": lambda D, L: D.OneHotCategorical(L.tensor([[0.1, 0.2, 0.7], [0.5, 0.0, 0.5]])),
    "Uniform": lambda D, L: D.Uniform(L.tensor([0.0, -2.0]), L.tensor([1.0, 3.0])),
    "Beta": lambda D, L: D.Beta(L.tensor([0.5, 2.0, 8.0]), L.tensor([0.5, 3.0, 1.5])),
    "Gamma": lambda D, L: D.Gamma(L.tensor([0.3, 1.0, 5.0, 300.0]), L.tensor([1.0, 2.0, 0.5, 3.0])),
    "Dirichlet": lambda D, L: D.Dirichlet(L.tensor([[0.3, 1.0, 2.0], [5.0, 5.0, 5.0]])),
    "Exponential": lambda D, L: D.Exponential(L.tensor([0.5, 3.0])),
    "Laplace": lambda D, L: D.Laplace(L.tensor([0.0, 1.0]), L.tensor([1.0, 0.2])),
    "Poisson": lambda D, L: D.Poisson(L.tensor([0.5, 4.0, 30.0])),
    "Binomial": lambda D, L: D.Binomial(L.tensor([5.0, 20.0]), L.tensor([0.3, 0.9])),
    "Multinomial": lambda D, L: D.Multinomial(7, L.tensor([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])),
    "MultivariateNormal": lambda D, L: D.MultivariateNormal(L.tensor([1.0, -1.0]),
                                                            L.tensor([[2.0, 0.6], [0.6, 0.5]])),
    "LogNormal": lambda D, L: D.LogNormal(L.tensor([0.0, 1.0]), L.tensor([0.25, 0.5])),
    "Independent": lambda D, L: D.Independent(D.Normal(L.zeros(2, 3), L.ones(2, 3)), 1),
    "Gumbel": lambda D, L: D.Gumbel(L.tensor([0.0, 2.0]), L.tensor([1.0, 0.3])),
    "HalfNormal": lambda D, L: D.HalfNormal(L.tensor([1.0, 2.5])),
    "Chi2": lambda D, L: D.Chi2(L.tensor([1.0, 4.0])),
    "StudentT": lambda D, L: D.StudentT(L.tensor([10.0, 30.0]), L.tensor([1.0, -1.0]), L.tensor([2.0, 0.5])),
    "Geometric": lambda D, L: D.Geometric(L.tensor([0.2, 0.7])),
    "MixtureSameFamily": lambda D, L: D.MixtureSameFamily(D.Categorical(L.tensor([0.3, 0.7])),
                                                          D.Normal(L.tensor([-2.0, 1.0]), L.tensor([0.5, 1.0]))),
    "LowRankMultivariateNormal": lambda D, L: D.LowRankMultivariateNormal(
        L.tensor([1.0, -1.0, 0.0]), L.tensor([[1.0], [0.5], [-1.0]]), L.tensor([0.5, 1.0, 0.2])),
    "Kumaraswamy": lambda D, L: D.Kumaraswamy(L.tensor([0.7, 3.0]), L.tensor([2.0, 0.9])),
    "FisherSnedecor": lambda D, L: D.FisherSnedecor(L.tensor([5.0, 10.0]), L.tensor([12.0, 20.0])),
    "ContinuousBernoulli": lambda D, L: D.ContinuousBernoulli(L.tensor([0.1, 0.5, 0.8])),
    "GeneralizedPareto": lambda D, L: D.GeneralizedPareto(L.tensor([0.0, 1.0]), L.tensor([1.0, 2.0]),
                                                          L.tensor([-0.3, 0.1])),
    "Pareto": lambda D, L: D.Pareto(L.tensor([1.0, 0.5]), L.tensor([6.0, 9.0])),
    "Weibull": lambda D, L: D.Weibull(L.tensor([1.0, 2.0]), L.tensor([0.8, 3.0])),
    "InverseGamma": lambda D, L: D.InverseGamma(L.tensor([6.0, 10.0]), L.tensor([1.0, 3.0])),
    "NegativeBinomial": lambda D, L: D.NegativeBinomial(L.tensor([3.0, 0.7]), L.tensor([0.4, 0.8])),
    "MixtureSameFamily-MVN": lambda D, L: D.MixtureSameFamily(
        D.Categorical(L.tensor([0.5, 0.5])), D.MultivariateNormal(L.tensor([[0.0, 1.0], [2.0, -1.0]]), L.eye(2))),
}


@pytest.mark.parametrize("name", list(MOMENT_CASES))
def test_sample_moments(name: str) -> None:
    d = MOMENT_CASES[name](ED, ember)
    t = MOMENT_CASES[name](TD, torch)
    x = d.sample((N,)).numpy().astype(np.float64)
    assert x.shape == (N,) + tuple(t.batch_shape + t.event_shape)
    _assert_moments(x, t.mean.numpy(), t.variance.numpy())
    if name == "MultivariateNormal":  # the off-diagonal covariance too
        xc = x - t.mean.numpy()
        _assert_mean_within(xc[:, 0] * xc[:, 1], t.covariance_matrix.numpy()[0, 1], "covariance")
    support = d.support.check(ember.tensor(x[:100]))
    assert bool(support.all())


def test_categorical_frequencies() -> None:
    probs = np.array([[0.1, 0.0, 0.6, 0.3], [0.25, 0.25, 0.25, 0.25]])
    x = ED.Categorical(ember.tensor(probs)).sample((N,)).numpy()
    assert x.dtype == np.int64 and x.shape == (N, 2)
    onehot = np.eye(4)[x]
    _assert_mean_within(onehot, probs, "frequency")
    assert not np.any(x[:, 0] == 1)  # a zero-probability category never comes up


def test_cauchy_quantile_frequencies() -> None:
    """No moments: the fraction of draws below q is cdf(q) within 5 standard errors."""
    for make, qs in ((lambda D, L: D.Cauchy(L.tensor([0.5]), L.tensor([2.0])), (-5.0, 0.5, 3.0)),
                     (lambda D, L: D.HalfCauchy(L.tensor([2.0])), (0.5, 2.0, 10.0))):
        x = make(ED, ember).sample((N,)).numpy()[:, 0]
        for q in qs:
            p = float(make(TD, torch).cdf(torch.tensor([q])))
            assert abs((x < q).mean() - p) < Z * np.sqrt(p * (1 - p) / N)


def test_lkj_cholesky_correlations() -> None:
    """L L^T has a unit diagonal; each correlation r_ij is marginally a Beta(a, a) on (-1, 1),
    a = eta - 1 + d/2: mean 0 and variance 1 / (2 eta + d - 1) (the LKJ law; torch's sampler misses it
    beyond the second row, see ember.distributions.lkj_cholesky)."""
    eta, d = 1.5, 4
    L = ED.LKJCholesky(d, ember.tensor(eta)).sample((N,)).numpy().astype(np.float64)
    corr = L @ np.swapaxes(L, -1, -2)
    np.testing.assert_allclose(np.diagonal(corr, axis1=-2, axis2=-1), 1.0, atol=1e-5)
    r = corr[:, np.tril_indices(d, -1)[0], np.tril_indices(d, -1)[1]]
    _assert_moments(r, np.zeros(r.shape[1]), np.full(r.shape[1], 1 / (2 * eta + d - 1)))


def _two_sample(e: np.ndarray, t: np.ndarray, what: str) -> None:
    """ember's and torch's sample means agree within Z combined standard errors."""
    se = np.sqrt(e.var(0) / len(e) + t.var(0) / len(t)) + 1e-12
    z = np.abs(e.mean(0) - t.mean(0)) / se
    assert np.all(z < Z), f"{what}: worst z = {z.max():.2f}"


RELAXED = {
    "RelaxedBernoulli": lambda D, L: D.RelaxedBernoulli(L.tensor(0.5), probs=L.tensor([0.2, 0.7])),
    "RelaxedOneHotCategorical": lambda D, L: D.RelaxedOneHotCategorical(L.tensor(0.8),
                                                                        logits=L.tensor([0.0, 1.0, -1.0])),
    "LogisticNormal": lambda D, L: D.LogisticNormal(L.tensor([0.5, -0.5]), L.tensor([0.3, 0.8])),
    "Transformed-tanh": lambda D, L: D.TransformedDistribution(D.Normal(L.tensor([0.3]), L.tensor([1.5])),
                                                               [D.TanhTransform()]),
}


@pytest.mark.parametrize("name", list(RELAXED))
def test_samples_without_closed_form_moments_match_torchs(name: str) -> None:
    torch.manual_seed(0)
    e = RELAXED[name](ED, ember).rsample((N,)).detach().numpy().astype(np.float64)
    t = RELAXED[name](TD, torch).rsample((N,)).detach().numpy().astype(np.float64)
    _two_sample(e, t, name + " mean")
    _two_sample(e ** 2, t ** 2, name + " second moment")


def test_manual_seed_repeats_samples() -> None:
    for make in (lambda: ED.Normal(ember.zeros(3), 1.0), lambda: ED.Gamma(ember.tensor([0.5, 2.0]), 1.0),
                 lambda: ED.Categorical(logits=ember.zeros(4)), lambda: ED.Poisson(ember.tensor([3.0])),
                 lambda: ED.Dirichlet(ember.ones(3)), lambda: ED.Binomial(5, ember.tensor([0.5]))):
        ember.manual_seed(11)
        a = make().sample((5,))
        ember.manual_seed(11)
        b = make().sample((5,))
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        assert not np.array_equal(make().sample((5,)).numpy(), a.numpy())


# ------------------------------------------------------------------ gradients of rsample
def _leaf(values, dtype=ember.float64):
    return ember.tensor(values, dtype=dtype, requires_grad=True)


def test_location_scale_rsample_gradients_are_exact() -> None:
    """x = loc + scale * eps: dx/dloc = 1, dx/dscale = (x - loc) / scale, per sample."""
    for cls in (ED.Normal, ED.Laplace):
        loc, scale = _leaf([0.5, -1.0]), _leaf([2.0, 0.3])
        x = cls(loc, scale).rsample((50,))
        x.sum().backward()
        eps = (x.detach() - loc.detach()) / scale.detach()
        np.testing.assert_allclose(loc.grad.numpy(), [50.0, 50.0])
        np.testing.assert_allclose(scale.grad.numpy(), eps.sum(0).numpy(), rtol=1e-10)
    low, high = _leaf([0.0, 1.0]), _leaf([1.0, 5.0])
    x = ED.Uniform(low, high).rsample((50,))
    x.sum().backward()
    u = ((x.detach() - low.detach()) / (high.detach() - low.detach())).sum(0).numpy()
    np.testing.assert_allclose(high.grad.numpy(), u, rtol=1e-10)
    np.testing.assert_allclose(low.grad.numpy(), 50 - u, rtol=1e-10)
    rate = _leaf([0.5, 4.0])
    x = ED.Exponential(rate).rsample((50,))
    x.sum().backward()
    np.testing.assert_allclose(rate.grad.numpy(), (-x.detach() / rate.detach()).sum(0).numpy(), rtol=1e-10)


def test_multivariate_normal_rsample_gradient_is_exact() -> None:
    loc = _leaf([1.0, 2.0])
    L = _leaf([[1.5, 0.0], [0.4, 0.7]])
    x = ED.MultivariateNormal(loc, scale_tril=L).rsample((30,))
    w = ember.tensor(np.random.default_rng(0).normal(size=(30, 2)))
    (x * w).sum().backward()
    eps = np.linalg.solve(L.detach().numpy(), (x.detach() - loc.detach()).numpy().T).T
    np.testing.assert_allclose(loc.grad.numpy(), w.numpy().sum(0), rtol=1e-10)
    # torch multiplies by the full matrix, so the upper triangle gets the gradient w eps^T too
    np.testing.assert_allclose(L.grad.numpy(), w.numpy().T @ eps, rtol=1e-8, atol=1e-10)


def test_gamma_rsample_gradient_matches_torchs_implicit_gradient() -> None:
    """Per draw, d x / d alpha (at a fixed CDF level) against torch's _standard_gamma_grad on the
    same (x, alpha), and against a finite difference of scipy's inverse incomplete gamma."""
    alpha = _leaf(np.repeat([0.05, 0.3, 1.0, 4.0, 25.0, 150.0, 800.0, 5000.0], 40))
    x = ED.Gamma(alpha, 1.0).rsample()
    x.sum().backward()
    ours = alpha.grad.numpy()
    theirs = torch._standard_gamma_grad(torch.tensor(alpha.detach().numpy()), torch.tensor(x.detach().numpy()))
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=2e-3)
    special = pytest.importorskip("scipy.special", reason="scipy gives the exact reference")
    a, xv = alpha.detach().numpy(), x.detach().numpy()
    u, h = special.gammainc(a, xv), 1e-5 * a
    keep = (u > 1e-6) & (u < 1 - 1e-6)  # the inverse is well conditioned there
    exact = (special.gammaincinv(a + h, u) - special.gammaincinv(a - h, u)) / (2 * h)
    np.testing.assert_allclose(ours[keep], exact[keep], rtol=5e-5)


def test_gamma_rsample_rate_gradient_and_float32() -> None:
    conc, rate = _leaf([2.0], ember.float32), _leaf([3.0], ember.float32)
    x = ED.Gamma(conc, rate).rsample((10,))
    assert x.dtype == ember.float32
    x.sum().backward()
    np.testing.assert_allclose(rate.grad.numpy(), (-x.detach() / rate.detach()).sum(0).numpy(), rtol=1e-5)
    assert conc.grad.dtype == ember.float32 and np.all(conc.grad.numpy() > 0)


def test_dirichlet_rsample_gradient_matches_torchs_implicit_gradient_per_draw() -> None:
    """On ember's own draws x, torch's backward (torch._dirichlet_grad on the same x and concentration,
    then g_i (w_i - sum_j x_j w_j)) gives the same concentration gradient as ember's rsample."""
    conc_np = np.array([[0.3, 1.0, 2.5], [4.0, 0.7, 40.0]])
    conc = _leaf(np.tile(conc_np, (200, 1, 1)))
    x = ED.Dirichlet(conc).rsample()
    w = np.random.default_rng(1).normal(size=x.shape)
    (x * ember.tensor(w)).sum().backward()
    xt, ct = torch.tensor(x.detach().numpy()), torch.tensor(conc.detach().numpy())
    g = torch._dirichlet_grad(xt, ct, ct.sum(-1, keepdim=True).expand_as(ct))
    expected = (g * (torch.tensor(w) - (xt * torch.tensor(w)).sum(-1, keepdim=True))).numpy()
    np.testing.assert_allclose(conc.grad.numpy(), expected, rtol=5e-3, atol=1e-6)


def test_beta_rsample_gradient_is_the_exact_implicit_gradient() -> None:
    """dx/da and dx/db of each Beta draw at a fixed CDF level, against scipy's inverse incomplete beta."""
    special = pytest.importorskip("scipy.special", reason="scipy gives the exact reference")
    a_np, b_np = np.repeat([0.4, 2.0, 9.0], 100), np.repeat([1.5, 0.6, 20.0], 100)
    a, b = _leaf(a_np), _leaf(b_np)
    x = ED.Beta(a, b).rsample()
    x.sum().backward()
    xv = x.detach().numpy()
    u = special.betainc(a_np, b_np, xv)
    keep = (u > 1e-6) & (u < 1 - 1e-6)
    h = 1e-6
    da = (special.betaincinv(a_np + h, b_np, u) - special.betaincinv(a_np - h, b_np, u)) / (2 * h)
    db = (special.betaincinv(a_np, b_np + h, u) - special.betaincinv(a_np, b_np - h, u)) / (2 * h)
    np.testing.assert_allclose(a.grad.numpy()[keep], da[keep], rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(b.grad.numpy()[keep], db[keep], rtol=1e-4, atol=1e-7)


def test_beta_and_dirichlet_rsample_gradients_of_expectations() -> None:
    """d/da E[x] = b / (a + b)^2 and d/db E[x] = -a / (a + b)^2 for Beta(a, b), and
    d/dc_j E[x_0] = (delta_0j c0 - c_0) / c0^2 for Dirichlet(c), c0 = sum(c): the mean of per-draw
    gradients (one parameter row per draw) within 5 standard errors."""
    a_, b_ = np.array([0.7, 3.0]), np.array([2.0, 1.5])
    a, b = _leaf(np.tile(a_, (N, 1))), _leaf(np.tile(b_, (N, 1)))
    ED.Beta(a, b).rsample().sum().backward()
    _assert_mean_within(a.grad.numpy(), b_ / (a_ + b_) ** 2, "dE[x]/da")
    _assert_mean_within(b.grad.numpy(), -a_ / (a_ + b_) ** 2, "dE[x]/db")
    cv = np.array([0.5, 1.5, 3.0])
    c = _leaf(np.tile(cv, (N, 1)))
    y = ED.Dirichlet(c).rsample()
    y[:, 0].sum().backward(retain_graph=True)
    _assert_mean_within(c.grad.numpy(), (np.eye(3)[0] * cv.sum() - cv[0]) / cv.sum() ** 2, "dE[x0]/dc")
    # the draws stay on the simplex, so the gradient of sum(x) vanishes draw by draw
    (g1,) = ember.autograd.grad(y.sum(), [c])
    np.testing.assert_allclose(g1.numpy(), 0.0, atol=1e-8)


def test_gamma_gradient_of_expectation_within_standard_errors() -> None:
    """d/da E[x^2] for Gamma(a, 1) is 2a + 1; estimate and standard error from per-draw gradients."""
    alpha = _leaf(np.full(N, 1.7))
    x = ED.Gamma(alpha, 1.0).rsample()
    (x ** 2).sum().backward()
    g = alpha.grad.numpy()
    se = g.std() / np.sqrt(N)
    assert abs(g.mean() - (2 * 1.7 + 1)) < Z * se


def test_relaxed_rsample_gradients_match_torchs_in_expectation() -> None:
    """E[d y / d logits] of the Gumbel-softmax sample, ember's against torch's (per-draw gradients)."""
    logits_np = np.array([0.5, -0.3, 0.1])
    e_logits = _leaf(np.tile(logits_np, (N, 1)))
    y = ED.RelaxedOneHotCategorical(ember.tensor(0.6, dtype=ember.float64), logits=e_logits).rsample()
    y[:, 0].sum().backward()
    torch.manual_seed(0)
    t_logits = torch.tensor(np.tile(logits_np, (N, 1)), requires_grad=True)
    TD.RelaxedOneHotCategorical(torch.tensor(0.6, dtype=torch.float64), logits=t_logits).rsample()[:, 0].sum().backward()
    _two_sample(e_logits.grad.numpy(), t_logits.grad.numpy(), "dy0/dlogits")
    p = _leaf(np.full(N, 0.3))
    ED.RelaxedBernoulli(ember.tensor(0.5, dtype=ember.float64), probs=p).rsample().sum().backward()
    tp = torch.full((N,), 0.3, dtype=torch.float64, requires_grad=True)
    TD.RelaxedBernoulli(torch.tensor(0.5, dtype=torch.float64), probs=tp).rsample().sum().backward()
    _two_sample(p.grad.numpy(), tp.grad.numpy(), "dy/dprobs")


def test_sample_has_no_gradient_and_rsample_raises_where_torch_does() -> None:
    loc = _leaf([0.0])
    assert not ED.Normal(loc, 1.0).sample((3,)).requires_grad
    for d in (ED.Bernoulli(ember.tensor([0.5])), ED.Categorical(logits=ember.zeros(3)),
              ED.Poisson(ember.tensor([1.0])), ED.Binomial(3, ember.tensor([0.5]))):
        assert not d.has_rsample
        with pytest.raises(NotImplementedError):
            d.rsample()
