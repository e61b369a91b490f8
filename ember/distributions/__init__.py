"""Probability distributions with torch.distributions' API: sampling (``sample``; reparameterised
``rsample`` where ``has_rsample``), ``log_prob``, ``entropy``, moments, ``cdf``/``icdf``, argument
validation against ``constraints``, transforms, and ``kl_divergence`` with ``register_kl``.

Samples come from ember's global generator, so ``ember.manual_seed`` repeats them.

>>> import ember
>>> from ember.distributions import Normal, kl_divergence
>>> loc = ember.tensor(0.5, requires_grad=True)
>>> q = Normal(loc, 1.0)
>>> kl_divergence(q, Normal(0.0, 1.0)).backward()
>>> loc.grad
tensor(0.5000)
"""
from . import constraints, transforms
from .constraint_registry import biject_to, transform_to
from .bernoulli import Bernoulli, Binomial
from .cauchy import Cauchy, HalfCauchy
from .continuous_bernoulli import ContinuousBernoulli
from .categorical import Categorical, Multinomial, OneHotCategorical, OneHotCategoricalStraightThrough
from .dirichlet import Beta, Dirichlet
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .fishersnedecor import FisherSnedecor
from .gamma import Chi2, Exponential, Gamma
from .generalized_pareto import GeneralizedPareto
from .geometric import Geometric
from .gumbel import Gumbel
from .half_normal import HalfNormal
from .independent import Independent
from .inverse_gamma import InverseGamma
from . import kl_cross_family, kl_same_family  # noqa: F401 - they register the closed forms
from .kl import kl_divergence, register_kl
from .kumaraswamy import Kumaraswamy
from .laplace import Laplace
from .lkj_cholesky import LKJCholesky
from .logistic_normal import LogisticNormal
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .mixture_same_family import MixtureSameFamily
from .multivariate_normal import MultivariateNormal
from .negative_binomial import NegativeBinomial
from .normal import Normal
from .pareto import Pareto
from .poisson import Poisson
from .studentT import StudentT
from .relaxed import ExpRelaxedCategorical, LogitRelaxedBernoulli, RelaxedBernoulli, RelaxedOneHotCategorical
from .transformed_distribution import LogNormal, TransformedDistribution
from .transforms import (AbsTransform, AffineTransform, CatTransform, ComposeTransform, CorrCholeskyTransform,
                         CumulativeDistributionTransform, StackTransform,
                         ExpTransform, IndependentTransform, LowerCholeskyTransform, PositiveDefiniteTransform,
                         PowerTransform, ReshapeTransform, SigmoidTransform, SoftmaxTransform, SoftplusTransform,
                         StickBreakingTransform, TanhTransform, Transform, identity_transform)
from .uniform import Uniform
from .weibull import Weibull

__all__ = ["AbsTransform", "AffineTransform", "Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy", "Chi2",
           "ComposeTransform", "CumulativeDistributionTransform", "Geometric", "LowerCholeskyTransform",
           "PositiveDefiniteTransform", "biject_to", "transform_to", "CatTransform", "StackTransform",
           "CorrCholeskyTransform", "LKJCholesky", "Gumbel", "HalfNormal", "MixtureSameFamily", "StudentT", "HalfCauchy", "InverseGamma",
           "NegativeBinomial", "Pareto", "Weibull", "LowRankMultivariateNormal",
           "FisherSnedecor", "Kumaraswamy", "LogisticNormal", "ContinuousBernoulli", "GeneralizedPareto",
           "Dirichlet", "Distribution", "ExpRelaxedCategorical", "ExpTransform", "Exponential", "ExponentialFamily",
           "Gamma", "Independent", "IndependentTransform", "Laplace", "LogNormal", "LogitRelaxedBernoulli",
           "Multinomial", "MultivariateNormal", "Normal", "OneHotCategorical", "OneHotCategoricalStraightThrough",
           "Poisson", "PowerTransform", "RelaxedBernoulli", "RelaxedOneHotCategorical", "ReshapeTransform",
           "SigmoidTransform", "SoftmaxTransform", "SoftplusTransform", "StickBreakingTransform", "TanhTransform",
           "Transform", "TransformedDistribution", "Uniform", "constraints", "identity_transform", "kl_divergence",
           "register_kl", "transforms"]
