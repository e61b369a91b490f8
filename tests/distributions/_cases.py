"""One row per distribution: how to build it from a parameter dict in ember or torch, and a value
in its support. Parameters are float64 NumPy arrays; ``make(D, p)`` gets the library's
``distributions`` module and the parameters as that library's tensors."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

RNG = np.random.default_rng(1234)
B = (2, 3)  # batch shape used by most rows
S = (4,)  # sample shape of the values scored by log_prob


def _pos(*shape, low=0.5, high=3.0):
    return RNG.uniform(low, high, size=shape)


def _simplex(*shape):
    w = RNG.uniform(0.2, 1.0, size=shape)
    return w / w.sum(-1, keepdims=True)


def _onehot(shape, k):
    idx = RNG.integers(0, k, size=shape)
    return np.eye(k)[idx]


def _spd(batch, n):
    a = RNG.normal(size=batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


@dataclass
class Case:
    name: str
    make: Callable  # (distributions module, params dict, constants dict) -> distribution
    params: dict  # differentiable parameters
    value: np.ndarray  # scored by log_prob (and cdf when cdf=True)
    const: dict = field(default_factory=dict)  # non-differentiable arguments (e.g. total_count)
    cdf: bool = False
    int_value: bool = False
    float32: bool = False  # torch's GeneralizedPareto.log_prob fails on float64 ("Double did not match Float")


def _corr_cholesky(batch, n):
    c = _spd(batch, n)
    d = np.sqrt(np.diagonal(c, axis1=-2, axis2=-1))
    return np.linalg.cholesky(c / d[..., :, None] / d[..., None, :])


def _tril(batch, n):
    L = np.linalg.cholesky(_spd(batch, n))
    return L


CASES = [
    Case("Normal", lambda D, p, c: D.Normal(p["loc"], p["scale"]),
         dict(loc=RNG.normal(size=B), scale=_pos(*B)), RNG.normal(size=S + B), cdf=True),
    Case("Normal-scalar-broadcast", lambda D, p, c: D.Normal(p["loc"], 2.0),
         dict(loc=RNG.normal(size=B)), RNG.normal(size=S + B), cdf=True),
    Case("Bernoulli-probs", lambda D, p, c: D.Bernoulli(probs=p["probs"]),
         dict(probs=RNG.uniform(0.1, 0.9, size=B)), RNG.integers(0, 2, size=S + B).astype(float)),
    Case("Bernoulli-logits", lambda D, p, c: D.Bernoulli(logits=p["logits"]),
         dict(logits=RNG.normal(size=B)), RNG.integers(0, 2, size=S + B).astype(float)),
    Case("Categorical-probs", lambda D, p, c: D.Categorical(probs=p["probs"]),
         dict(probs=_pos(2, 3, 4)), RNG.integers(0, 4, size=S + B), int_value=True),
    Case("Categorical-logits", lambda D, p, c: D.Categorical(logits=p["logits"]),
         dict(logits=RNG.normal(size=(2, 3, 4))), RNG.integers(0, 4, size=S + B), int_value=True),
    Case("OneHotCategorical-probs", lambda D, p, c: D.OneHotCategorical(probs=p["probs"]),
         dict(probs=_simplex(2, 3, 4)), _onehot(S + B, 4)),
    Case("OneHotCategorical-logits", lambda D, p, c: D.OneHotCategorical(logits=p["logits"]),
         dict(logits=RNG.normal(size=(2, 3, 4))), _onehot(S + B, 4)),
    Case("Uniform", lambda D, p, c: D.Uniform(p["low"], p["high"]),
         dict(low=np.full(B, -1.0) - RNG.uniform(0, 0.5, B), high=np.full(B, 1.0) + RNG.uniform(0, 0.5, B)),
         RNG.uniform(-0.9, 0.9, size=S + B), cdf=True),
    Case("Beta", lambda D, p, c: D.Beta(p["c1"], p["c0"]),
         dict(c1=_pos(*B), c0=_pos(*B)), RNG.uniform(0.05, 0.95, size=S + B)),
    Case("Gamma", lambda D, p, c: D.Gamma(p["concentration"], p["rate"]),
         dict(concentration=_pos(*B), rate=_pos(*B)), _pos(*S, *B, low=0.1, high=4.0)),
    Case("Dirichlet", lambda D, p, c: D.Dirichlet(p["concentration"]),
         dict(concentration=_pos(2, 3, 4)), _simplex(*S, 2, 3, 4)),
    Case("Exponential", lambda D, p, c: D.Exponential(p["rate"]),
         dict(rate=_pos(*B)), _pos(*S, *B, low=0.0, high=3.0), cdf=True),
    Case("Laplace", lambda D, p, c: D.Laplace(p["loc"], p["scale"]),
         dict(loc=RNG.normal(size=B), scale=_pos(*B)), RNG.normal(size=S + B), cdf=True),
    Case("Poisson", lambda D, p, c: D.Poisson(p["rate"]),
         dict(rate=_pos(*B)), RNG.integers(0, 6, size=S + B).astype(float)),
    Case("Binomial-probs", lambda D, p, c: D.Binomial(c["n"], probs=p["probs"]),
         dict(probs=RNG.uniform(0.1, 0.9, size=B)), RNG.integers(0, 6, size=S + B).astype(float),
         const=dict(n=np.full(B, 5.0))),
    Case("Binomial-logits", lambda D, p, c: D.Binomial(c["n"], logits=p["logits"]),
         dict(logits=RNG.normal(size=B)), RNG.integers(0, 6, size=S + B).astype(float), const=dict(n=np.full(B, 5.0))),
    Case("Multinomial-probs", lambda D, p, c: D.Multinomial(6, probs=p["probs"]),
         dict(probs=_pos(2, 3, 4)), RNG.multinomial(6, [0.25] * 4, size=S + B).astype(float)),
    Case("Multinomial-logits", lambda D, p, c: D.Multinomial(6, logits=p["logits"]),
         dict(logits=RNG.normal(size=(2, 3, 4))), RNG.multinomial(6, [0.25] * 4, size=S + B).astype(float)),
    Case("MultivariateNormal-cov", lambda D, p, c: D.MultivariateNormal(p["loc"], covariance_matrix=p["cov"]),
         dict(loc=RNG.normal(size=(2, 3)), cov=_spd((2,), 3)), RNG.normal(size=S + (2, 3))),
    Case("MultivariateNormal-prec", lambda D, p, c: D.MultivariateNormal(p["loc"], precision_matrix=p["prec"]),
         dict(loc=RNG.normal(size=(3,)), prec=_spd((2,), 3)), RNG.normal(size=S + (2, 3))),
    Case("MultivariateNormal-tril", lambda D, p, c: D.MultivariateNormal(p["loc"], scale_tril=p["tril"]),
         dict(loc=RNG.normal(size=(2, 3)), tril=_tril((2,), 3)), RNG.normal(size=S + (2, 3))),
    Case("Independent-Normal", lambda D, p, c: D.Independent(D.Normal(p["loc"], p["scale"]), 1),
         dict(loc=RNG.normal(size=B), scale=_pos(*B)), RNG.normal(size=S + B)),
    Case("LogNormal", lambda D, p, c: D.LogNormal(p["loc"], p["scale"]),
         dict(loc=RNG.normal(size=B), scale=_pos(*B)), _pos(*S, *B, low=0.1, high=4.0), cdf=True),
    Case("Transformed-affine-sigmoid", lambda D, p, c: D.TransformedDistribution(
        D.Normal(p["loc"], p["scale"]), [D.AffineTransform(0.5, -2.0), D.SigmoidTransform()]),
         dict(loc=RNG.normal(size=B), scale=_pos(*B)), RNG.uniform(0.05, 0.95, size=S + B), cdf=True),
    Case("Transformed-tanh", lambda D, p, c: D.TransformedDistribution(
        D.Normal(p["loc"], p["scale"]), [D.TanhTransform()]),
         dict(loc=RNG.normal(size=B), scale=_pos(*B)), RNG.uniform(-0.9, 0.9, size=S + B), cdf=True),
    Case("Transformed-stickbreaking", lambda D, p, c: D.TransformedDistribution(
        D.Normal(p["loc"], p["scale"]), [D.StickBreakingTransform()]),
         dict(loc=RNG.normal(size=B), scale=_pos(*B)), _simplex(*S, 2, 4)),
    Case("Transformed-compose", lambda D, p, c: D.TransformedDistribution(
        D.Normal(p["loc"], p["scale"]), [D.ComposeTransform([D.AffineTransform(1.0, 3.0), D.ExpTransform()])]),
         dict(loc=RNG.normal(size=B), scale=_pos(*B)), _pos(*S, *B, low=0.1, high=4.0), cdf=True),
    Case("RelaxedBernoulli", lambda D, p, c: D.RelaxedBernoulli(p["temperature"], probs=p["probs"]),
         dict(temperature=np.array(0.7), probs=RNG.uniform(0.1, 0.9, size=B)), RNG.uniform(0.05, 0.95, size=S + B)),
    Case("RelaxedOneHotCategorical", lambda D, p, c: D.RelaxedOneHotCategorical(p["temperature"], logits=p["logits"]),
         dict(temperature=np.array(0.7), logits=RNG.normal(size=(2, 3, 4))), _simplex(*S, 2, 3, 4)),
    Case("Cauchy", lambda D, p, c: D.Cauchy(p["loc"], p["scale"]),
         dict(loc=RNG.normal(size=B), scale=_pos(*B)), RNG.normal(size=S + B) * 3, cdf=True),
    Case("Gumbel", lambda D, p, c: D.Gumbel(p["loc"], p["scale"]),
         dict(loc=RNG.normal(size=B), scale=_pos(*B)), RNG.normal(size=S + B)),
    Case("HalfNormal", lambda D, p, c: D.HalfNormal(p["scale"]),
         dict(scale=_pos(*B)), _pos(*S, *B, low=0.0, high=3.0), cdf=True),
    Case("Chi2", lambda D, p, c: D.Chi2(p["df"]), dict(df=_pos(*B, low=0.5, high=6.0)), _pos(*S, *B, low=0.1, high=5.0)),
    Case("StudentT", lambda D, p, c: D.StudentT(p["df"], p["loc"], p["scale"]),
         dict(df=np.array([[0.8, 1.5, 2.5], [4.0, 7.0, 30.0]]), loc=RNG.normal(size=B), scale=_pos(*B)),
         RNG.normal(size=S + B) * 2),
    Case("Geometric-probs", lambda D, p, c: D.Geometric(probs=p["probs"]),
         dict(probs=RNG.uniform(0.1, 0.9, size=B)), RNG.integers(0, 6, size=S + B).astype(float)),
    Case("Geometric-logits", lambda D, p, c: D.Geometric(logits=p["logits"]),
         dict(logits=RNG.normal(size=B)), RNG.integers(0, 6, size=S + B).astype(float)),
    Case("MixtureSameFamily-Normal", lambda D, p, c: D.MixtureSameFamily(
        D.Categorical(logits=p["logits"]), D.Normal(p["loc"], p["scale"])),
         dict(logits=RNG.normal(size=(2, 4)), loc=RNG.normal(size=(2, 4)), scale=_pos(2, 4)),
         RNG.normal(size=S + (2,)), cdf=True),
    Case("MixtureSameFamily-MVN", lambda D, p, c: D.MixtureSameFamily(
        D.Categorical(logits=p["logits"]), D.MultivariateNormal(p["loc"], scale_tril=p["tril"])),
         dict(logits=RNG.normal(size=(3,)), loc=RNG.normal(size=(3, 2)), tril=_tril((3,), 2)),
         RNG.normal(size=S + (2,))),
    Case("HalfCauchy", lambda D, p, c: D.HalfCauchy(p["scale"]),
         dict(scale=_pos(*B)), _pos(*S, *B, low=0.0, high=5.0), cdf=True),
    Case("Pareto", lambda D, p, c: D.Pareto(p["scale"], p["alpha"]),
         dict(scale=_pos(*B, low=0.2, high=1.0), alpha=np.array([[0.8, 1.5, 2.5], [3.0, 5.0, 9.0]])),
         _pos(*S, *B, low=1.0, high=4.0)),
    Case("Weibull", lambda D, p, c: D.Weibull(p["scale"], p["concentration"]),
         dict(scale=_pos(*B), concentration=_pos(*B, low=0.5, high=4.0)), _pos(*S, *B, low=0.1, high=4.0)),
    Case("InverseGamma", lambda D, p, c: D.InverseGamma(p["concentration"], p["rate"]),
         dict(concentration=np.array([[0.5, 1.5, 2.5], [3.0, 5.0, 9.0]]), rate=_pos(*B)),
         _pos(*S, *B, low=0.1, high=4.0)),
    Case("NegativeBinomial-probs", lambda D, p, c: D.NegativeBinomial(p["total_count"], probs=p["probs"]),
         dict(total_count=_pos(*B, low=0.5, high=6.0), probs=RNG.uniform(0.1, 0.9, size=B)),
         RNG.integers(0, 8, size=S + B).astype(float)),
    Case("NegativeBinomial-logits", lambda D, p, c: D.NegativeBinomial(p["total_count"], logits=p["logits"]),
         dict(total_count=_pos(*B, low=0.5, high=6.0), logits=RNG.normal(size=B)),
         RNG.integers(0, 8, size=S + B).astype(float)),
    Case("LowRankMultivariateNormal", lambda D, p, c: D.LowRankMultivariateNormal(p["loc"], p["W"], p["D"]),
         dict(loc=RNG.normal(size=(2, 4)), W=RNG.normal(size=(2, 4, 2)), D=_pos(2, 4)), RNG.normal(size=S + (2, 4))),
    Case("LowRankMultivariateNormal-broadcast", lambda D, p, c: D.LowRankMultivariateNormal(p["loc"], p["W"], p["D"]),
         dict(loc=RNG.normal(size=(3, 4)), W=RNG.normal(size=(4, 1)), D=_pos(4)), RNG.normal(size=S + (3, 4))),
    Case("LogisticNormal", lambda D, p, c: D.LogisticNormal(p["loc"], p["scale"]),
         dict(loc=RNG.normal(size=(2, 3)), scale=_pos(2, 3)), _simplex(*S, 2, 4)),
    Case("Kumaraswamy", lambda D, p, c: D.Kumaraswamy(p["a"], p["b"]),
         dict(a=np.array([[0.5, 1.5, 3.0], [2.0, 0.8, 5.0]]), b=_pos(*B)), RNG.uniform(0.05, 0.95, size=S + B)),
    Case("FisherSnedecor", lambda D, p, c: D.FisherSnedecor(p["df1"], p["df2"]),
         dict(df1=np.array([[1.0, 3.0, 8.0], [2.5, 5.0, 12.0]]), df2=np.array([[1.5, 3.0, 5.0], [4.5, 9.0, 20.0]])),
         _pos(*S, *B, low=0.1, high=4.0)),
    Case("ContinuousBernoulli-probs", lambda D, p, c: D.ContinuousBernoulli(probs=p["probs"]),
         dict(probs=np.array([[0.1, 0.4995, 0.3], [0.7, 0.5005, 0.95]])), RNG.uniform(0.05, 0.95, size=S + B), cdf=True),
    Case("ContinuousBernoulli-logits", lambda D, p, c: D.ContinuousBernoulli(logits=p["logits"]),
         dict(logits=RNG.normal(size=B) * 2), RNG.uniform(0.05, 0.95, size=S + B), cdf=True),
    Case("GeneralizedPareto", lambda D, p, c: D.GeneralizedPareto(p["loc"], p["scale"], p["xi"]),
         dict(loc=np.full(B, -0.5), scale=_pos(*B, low=1.0, high=2.0), xi=np.array([[-0.2, 0.0, 0.3], [0.6, 1.2, -0.1]])),
         _pos(*S, *B, low=0.0, high=2.0), cdf=True, float32=True),
    Case("LKJCholesky", lambda D, p, c: D.LKJCholesky(4, p["concentration"]),
         dict(concentration=np.array([[0.5, 1.0, 2.0], [3.0, 0.8, 10.0]])), _corr_cholesky(S + B, 4)),
]
