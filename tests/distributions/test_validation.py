"""Argument validation: the same exception types and messages as torch.distributions."""
from __future__ import annotations

import re

import numpy as np
import pytest

import ember
import ember.distributions as ED

torch = pytest.importorskip("torch", reason="torch is the oracle for ember.distributions")
import torch.distributions as TD  # noqa: E402


def _message(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the type is compared by the caller
        return type(e), re.sub(r"\btorch\.", "ember.", str(e))
    return None, None


BAD_CONSTRUCTION = [
    ("Normal scale < 0", lambda D, L: D.Normal(0.0, -1.0)),
    ("Normal tensor scale", lambda D, L: D.Normal(L.tensor([0.0, 1.0]), L.tensor([1.0, -1.0]))),
    ("Bernoulli probs > 1", lambda D, L: D.Bernoulli(probs=L.tensor([0.5, 1.5]))),
    ("Bernoulli both", lambda D, L: D.Bernoulli(probs=L.tensor(0.5), logits=L.tensor(0.0))),
    ("Bernoulli neither", lambda D, L: D.Bernoulli()),
    ("Categorical 0-d probs", lambda D, L: D.Categorical(probs=L.tensor(1.0))),
    ("Categorical 0-d logits", lambda D, L: D.Categorical(logits=L.tensor(1.0))),
    ("Categorical negative", lambda D, L: D.Categorical(probs=L.tensor([0.5, -0.5, 1.0]))),
    ("Uniform low >= high", lambda D, L: D.Uniform(L.tensor([0.0]), L.tensor([0.0]))),
    ("Gamma rate 0", lambda D, L: D.Gamma(L.tensor([1.0]), L.tensor([0.0]))),
    ("Beta concentration < 0", lambda D, L: D.Beta(L.tensor([1.0]), L.tensor([-1.0]))),
    ("Dirichlet 0-d", lambda D, L: D.Dirichlet(L.tensor(1.0))),
    ("Dirichlet negative", lambda D, L: D.Dirichlet(L.tensor([1.0, -1.0]))),
    ("Exponential rate < 0", lambda D, L: D.Exponential(L.tensor([-1.0]))),
    ("Laplace scale 0", lambda D, L: D.Laplace(0.0, 0.0)),
    ("Poisson rate < 0", lambda D, L: D.Poisson(L.tensor([-1.0]))),
    ("Binomial fractional n", lambda D, L: D.Binomial(L.tensor([2.5]), L.tensor([0.5]))),
    ("Multinomial tensor n", lambda D, L: D.Multinomial(L.tensor(3), L.tensor([0.5, 0.5]))),
    ("MVN two matrices", lambda D, L: D.MultivariateNormal(L.zeros(2), L.eye(2), scale_tril=L.eye(2))),
    ("MVN no matrix", lambda D, L: D.MultivariateNormal(L.zeros(2))),
    ("MVN 0-d loc", lambda D, L: D.MultivariateNormal(L.tensor(0.0), L.eye(2))),
    ("MVN 1-d scale_tril", lambda D, L: D.MultivariateNormal(L.zeros(2), scale_tril=L.ones(2))),
    ("MVN 1-d covariance", lambda D, L: D.MultivariateNormal(L.zeros(2), covariance_matrix=L.ones(2))),
    ("MVN not lower", lambda D, L: D.MultivariateNormal(L.zeros(2), scale_tril=L.ones(2, 2))),
    ("MVN not symmetric", lambda D, L: D.MultivariateNormal(L.zeros(2), L.tensor([[2.0, 1.0], [0.0, 2.0]]))),
    ("Independent too many dims", lambda D, L: D.Independent(D.Normal(L.zeros(3), 1.0), 2)),
    ("Transformed bad transforms", lambda D, L: D.TransformedDistribution(D.Normal(0.0, 1.0), 3)),
    ("Transformed bad list", lambda D, L: D.TransformedDistribution(D.Normal(0.0, 1.0), [3])),
    ("Geometric probs 0", lambda D, L: D.Geometric(L.tensor([0.5, 0.0]))),
    ("StudentT df < 0", lambda D, L: D.StudentT(L.tensor([-1.0]))),
    ("Chi2 df < 0", lambda D, L: D.Chi2(L.tensor([-1.0]))),
    ("Cauchy scale < 0", lambda D, L: D.Cauchy(0.0, -1.0)),
    ("HalfNormal scale < 0", lambda D, L: D.HalfNormal(L.tensor([-1.0]))),
    ("Mixture not categorical", lambda D, L: D.MixtureSameFamily(D.Normal(0.0, 1.0), D.Normal(L.zeros(2), 1.0))),
    ("Mixture bad component", lambda D, L: D.MixtureSameFamily(D.Categorical(L.ones(2)), 3)),
    ("Mixture count mismatch", lambda D, L: D.MixtureSameFamily(D.Categorical(L.ones(3)), D.Normal(L.zeros(2), 1.0))),
    ("Pareto alpha < 0", lambda D, L: D.Pareto(L.tensor([1.0]), L.tensor([-1.0]))),
    ("Weibull scale 0", lambda D, L: D.Weibull(L.tensor([0.0]), L.tensor([1.0]))),
    ("InverseGamma rate < 0", lambda D, L: D.InverseGamma(L.tensor([1.0]), L.tensor([-1.0]))),
    ("NegativeBinomial probs 1", lambda D, L: D.NegativeBinomial(L.tensor([2.0]), L.tensor([1.0]))),
    ("NegativeBinomial both", lambda D, L: D.NegativeBinomial(2.0, L.tensor([0.5]), L.tensor([0.0]))),
    ("LowRank 0-d loc", lambda D, L: D.LowRankMultivariateNormal(L.tensor(0.0), L.ones(1, 1), L.ones(1))),
    ("LowRank 1-d factor", lambda D, L: D.LowRankMultivariateNormal(L.zeros(2), L.ones(2), L.ones(2))),
    ("LowRank factor rows", lambda D, L: D.LowRankMultivariateNormal(L.zeros(2), L.ones(3, 1), L.ones(2))),
    ("LowRank diag size", lambda D, L: D.LowRankMultivariateNormal(L.zeros(2), L.ones(2, 1), L.ones(3))),
    ("LowRank batch", lambda D, L: D.LowRankMultivariateNormal(L.zeros(3, 2), L.ones(4, 2, 1), L.ones(2))),
    ("LowRank diag < 0", lambda D, L: D.LowRankMultivariateNormal(L.zeros(2), L.ones(2, 1), -L.ones(2))),
    ("ContinuousBernoulli explicit validate", lambda D, L: D.ContinuousBernoulli(L.tensor([1.5]), validate_args=True)),
    ("ContinuousBernoulli both", lambda D, L: D.ContinuousBernoulli(L.tensor([0.5]), L.tensor([0.0]))),
    ("LKJCholesky dim 1", lambda D, L: D.LKJCholesky(1, 1.0)),
    ("Mixture batch mismatch", lambda D, L: D.MixtureSameFamily(D.Categorical(L.ones(3, 2)),
                                                                D.Normal(L.zeros(4, 2), 1.0))),
]


@pytest.mark.parametrize("make", [m for _, m in BAD_CONSTRUCTION], ids=[n for n, _ in BAD_CONSTRUCTION])
def test_bad_parameters_raise_torchs_error(make) -> None:
    t_type, t_msg = _message(lambda: make(TD, torch))
    e_type, e_msg = _message(lambda: make(ED, ember))
    assert t_type is not None, "torch accepted the parameters"
    # ember's own exception classes stand for torch's (ember.linalg.LinAlgError for torch.linalg.LinAlgError)
    assert e_type is t_type or e_type.__name__.lstrip("_") == t_type.__name__.lstrip("_"), (e_type, t_type, e_msg)
    assert e_msg == t_msg


BAD_VALUES = [
    ("Bernoulli 0.5", lambda D, L: D.Bernoulli(L.tensor([0.3])), lambda L: L.tensor([0.5])),
    ("Normal not a tensor", lambda D, L: D.Normal(0.0, 1.0), lambda L: 0.5),
    ("Normal shape", lambda D, L: D.Normal(L.zeros(3), 1.0), lambda L: L.zeros(2)),
    ("Categorical out of range", lambda D, L: D.Categorical(logits=L.zeros(3)), lambda L: L.tensor([3])),
    ("OneHot event shape", lambda D, L: D.OneHotCategorical(logits=L.zeros(3)), lambda L: L.tensor([0.0, 1.0])),
    ("Dirichlet off simplex", lambda D, L: D.Dirichlet(L.ones(3)), lambda L: L.tensor([0.5, 0.5, 0.5])),
    ("Exponential negative", lambda D, L: D.Exponential(L.ones(2)), lambda L: L.tensor([-1.0, 1.0])),
    ("Uniform outside", lambda D, L: D.Uniform(L.zeros(2), L.ones(2)), lambda L: L.tensor([0.5, 2.0])),
    ("Poisson fraction", lambda D, L: D.Poisson(L.ones(2)), lambda L: L.tensor([0.5, 2.0])),
    ("Binomial above n", lambda D, L: D.Binomial(3, L.tensor([0.5])), lambda L: L.tensor([4.0])),
    ("Beta above 1", lambda D, L: D.Beta(L.ones(1), L.ones(1)), lambda L: L.tensor([1.5])),
    ("HalfNormal negative", lambda D, L: D.HalfNormal(L.ones(1)), lambda L: L.tensor([-1.0])),
    ("Geometric fraction", lambda D, L: D.Geometric(L.tensor([0.5])), lambda L: L.tensor([1.5])),
    ("Pareto below scale", lambda D, L: D.Pareto(L.tensor([1.0]), L.tensor([2.0])), lambda L: L.tensor([0.5])),
    ("LKJCholesky not unit rows", lambda D, L: D.LKJCholesky(2, 1.0), lambda L: L.tensor([[1.0, 0.0], [0.5, 1.0]])),
    ("Mixture MVN event", lambda D, L: D.MixtureSameFamily(D.Categorical(L.ones(2)), D.MultivariateNormal(
        L.zeros(2, 3), L.eye(3))), lambda L: L.zeros(2)),
]


@pytest.mark.parametrize("make,value", [(m, v) for _, m, v in BAD_VALUES], ids=[n for n, _, _ in BAD_VALUES])
def test_bad_values_raise_torchs_error(make, value) -> None:
    t_type, t_msg = _message(lambda: make(TD, torch).log_prob(value(torch)))
    e_type, e_msg = _message(lambda: make(ED, ember).log_prob(value(ember)))
    assert t_type is ValueError and e_type is ValueError
    assert e_msg == t_msg


def test_validate_args_false_and_global_default() -> None:
    d = ED.Normal(0.0, -1.0, validate_args=False)  # no error
    assert bool(d.log_prob(ember.tensor(0.0)).isnan())
    ED.Bernoulli(ember.tensor([0.3]), validate_args=False).log_prob(ember.tensor([0.5]))  # no support check
    ED.Distribution.set_default_validate_args(False)
    try:
        ED.Normal(0.0, -1.0)
        ED.Gamma(-1.0, 1.0)
    finally:
        ED.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        ED.Normal(0.0, -1.0)
    with pytest.raises(ValueError):
        ED.Distribution.set_default_validate_args("yes")
    # expand keeps the flag but never re-checks
    assert ED.Normal(ember.zeros(2), 1.0).expand((3, 2))._validate_args


def test_lazy_parametrisation_is_not_validated_twice() -> None:
    d = ED.Bernoulli(logits=ember.tensor([100.0, -100.0]))  # probs computed lazily, only logits checked
    assert "probs" not in d.__dict__
    assert np.allclose(d.probs.numpy(), [1.0, 0.0]) and "probs" in d.__dict__


def test_constraints_repr_and_checks_match_torch() -> None:
    from torch.distributions import constraints as tc

    from ember.distributions import constraints as ec

    x = np.array([[-1.0, 0.0, 0.5, 1.0], [2.0, np.nan, 0.25, 0.75]])
    for name in ("real", "positive", "nonnegative", "unit_interval", "boolean", "nonnegative_integer",
                 "positive_integer", "simplex", "real_vector", "one_hot"):
        e, t = getattr(ec, name), getattr(tc, name)
        assert repr(e) == repr(t) and e.event_dim == t.event_dim and e.is_discrete == t.is_discrete, name
        np.testing.assert_array_equal(e.check(ember.tensor(x)).numpy(), t.check(torch.tensor(x)).numpy(), name)
    for e, t in ((ec.interval(0.0, 1.0), tc.interval(0.0, 1.0)), (ec.greater_than(0.5), tc.greater_than(0.5)),
                 (ec.less_than(0.5), tc.less_than(0.5)), (ec.integer_interval(0, 2), tc.integer_interval(0, 2)),
                 (ec.half_open_interval(0.0, 1.0), tc.half_open_interval(0.0, 1.0)),
                 (ec.independent(ec.positive, 1), tc.independent(tc.positive, 1))):
        assert repr(e) == repr(t)
        np.testing.assert_array_equal(e.check(ember.tensor(x)).numpy(), t.check(torch.tensor(x)).numpy())
    m = np.array([[[2.0, 0.0], [1.0, 3.0]], [[1.0, 2.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, -1.0]]])
    for name in ("lower_cholesky", "lower_triangular", "positive_definite", "symmetric", "square"):
        np.testing.assert_array_equal(getattr(ec, name).check(ember.tensor(m)).numpy(),
                                      getattr(tc, name).check(torch.tensor(m)).numpy(), name)
    assert ec.is_dependent(ec.dependent) and ec.is_dependent(ED.Uniform.support)
    assert not ec.is_dependent(ec.real)
    with pytest.raises(ValueError, match="Cannot determine validity of dependent constraint"):
        ec.dependent.check(ember.zeros(1))


def test_lkj_cholesky_rejects_negative_concentration() -> None:
    # torch's message quotes its internal Beta parameters, which ember corrects (see lkj_cholesky.py)
    with pytest.raises(ValueError, match="Expected parameter concentration"):
        ED.LKJCholesky(3, ember.tensor([-1.0]))
