"""Transforms against torch.distributions.transforms: forward, inverse, log|det J| (values and
gradients), shapes, event dims, sign, caching and equality."""
from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.distributions as ED

torch = pytest.importorskip("torch", reason="torch is the oracle for ember.distributions")
import torch.distributions as TD  # noqa: E402

R = np.random.default_rng(3)
X = R.normal(size=(4, 3))

TRANSFORMS = {
    "Exp": (lambda D, L: D.ExpTransform(), X),
    "Sigmoid": (lambda D, L: D.SigmoidTransform(), X),
    "Tanh": (lambda D, L: D.TanhTransform(), X),
    "Softplus": (lambda D, L: D.SoftplusTransform(), X),
    "Affine-number": (lambda D, L: D.AffineTransform(0.5, -2.0), X),
    "Affine-tensor": (lambda D, L: D.AffineTransform(L.tensor([1.0, 2.0, 3.0], dtype=L.float64),
                                                     L.tensor([0.5, -1.0, 2.0], dtype=L.float64)), X),
    "Affine-event": (lambda D, L: D.AffineTransform(1.0, L.tensor([0.5, -1.0, 2.0], dtype=L.float64),
                                                    event_dim=1), X),
    "Power": (lambda D, L: D.PowerTransform(L.tensor(1.5, dtype=L.float64)), np.abs(X) + 0.1),
    "StickBreaking": (lambda D, L: D.StickBreakingTransform(), X),
    "Softmax": (lambda D, L: D.SoftmaxTransform(), X),
    "Compose": (lambda D, L: D.ComposeTransform([D.AffineTransform(0.0, 2.0), D.TanhTransform()]), X),
    "Compose-event": (lambda D, L: D.ComposeTransform([D.ExpTransform(), D.AffineTransform(
        0.0, L.tensor([1.0, 2.0, 3.0], dtype=L.float64), event_dim=1)]), X),
    "Independent": (lambda D, L: D.IndependentTransform(D.SigmoidTransform(), 1), X),
    "Reshape": (lambda D, L: D.ReshapeTransform((3,), (3, 1)), X),
    "Inverse-Sigmoid": (lambda D, L: D.SigmoidTransform().inv, 1 / (1 + np.exp(-X))),
    "LowerCholesky": (lambda D, L: D.LowerCholeskyTransform(), R.normal(size=(2, 3, 3))),
    "PositiveDefinite": (lambda D, L: D.PositiveDefiniteTransform(), R.normal(size=(2, 3, 3))),
    "CumulativeDistribution": (lambda D, L: D.CumulativeDistributionTransform(
        D.Normal(L.tensor(0.5, dtype=L.float64), L.tensor(2.0, dtype=L.float64))), X),
}
TRANSFORMS.update({
    "Cat": (lambda D, L: D.CatTransform([D.ExpTransform(), D.SigmoidTransform(), D.AffineTransform(1.0, 2.0)],
                                        dim=1, lengths=[1, 1, 1]), X),
    "Cat-lengths": (lambda D, L: D.CatTransform([D.ExpTransform(), D.TanhTransform()], dim=-1, lengths=[2, 1]), X),
    "Stack": (lambda D, L: D.StackTransform([D.ExpTransform(), D.SigmoidTransform(), D.TanhTransform()], dim=1), X),
    "CorrCholesky": (lambda D, L: D.CorrCholeskyTransform(), R.normal(size=(4, 6))),
})
NO_JACOBIAN = ("Softmax", "LowerCholesky", "PositiveDefinite")  # torch defines no log|det J| for these


def _shape_or_error(t, method: str, shape):
    try:
        return tuple(getattr(t, method)(shape))
    except (ValueError, RuntimeError) as e:
        return type(e).__name__


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_transform_matches_torch(name: str) -> None:
    make, x_np = TRANSFORMS[name]
    te, tt = make(ED, ember), make(TD, torch)
    xe = ember.tensor(x_np, dtype=ember.float64, requires_grad=True)
    xt = torch.tensor(x_np, dtype=torch.float64, requires_grad=True)
    ye, yt = te(xe), tt(xt)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(te.inv(ye).detach().numpy(), tt.inv(yt).detach().numpy(), rtol=1e-7, atol=1e-10)
    assert te.domain.event_dim == tt.domain.event_dim and te.codomain.event_dim == tt.codomain.event_dim
    assert te.bijective == tt.bijective
    for method in ("forward_shape", "inverse_shape"):
        for shape in ((5, 3), (5, 3, 1), (5, 6), (4, 4)):
            assert _shape_or_error(te, method, ember.Size(shape)) == _shape_or_error(tt, method, torch.Size(shape))
    if name in NO_JACOBIAN:
        return
    le, lt = te.log_abs_det_jacobian(xe, ye), tt.log_abs_det_jacobian(xt, yt)
    assert tuple(le.shape) == tuple(lt.shape)
    np.testing.assert_allclose(le.detach().numpy(), lt.detach().numpy(), rtol=1e-9, atol=1e-12)
    if not lt.requires_grad:  # e.g. an affine map: log|det J| does not depend on x
        assert not le.requires_grad
        return
    w = R.normal(size=tuple(lt.shape))
    (lt * torch.tensor(w)).sum().backward()
    (le * ember.tensor(w)).sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_sign_cache_equality_and_errors_match_torch() -> None:
    assert ED.ExpTransform().sign == 1 and ED.AffineTransform(0.0, -2.0).sign == -1
    assert ED.ComposeTransform([ED.AffineTransform(0.0, -2.0), ED.ExpTransform()]).sign == -1
    assert ED.ExpTransform() == ED.ExpTransform() and ED.ExpTransform() != ED.SigmoidTransform()
    assert ED.AffineTransform(1.0, 2.0) == ED.AffineTransform(1.0, 2.0) != ED.AffineTransform(1.0, 3.0)
    assert ED.ExpTransform().inv == ED.ExpTransform().inv and ED.ExpTransform().inv.inv == ED.ExpTransform()
    t = ED.ExpTransform(cache_size=1)
    x = ember.randn(3)
    y = t(x)
    assert t(x) is y and t.inv(y) is x  # the cached pair comes back as the same objects
    assert ED.ExpTransform().with_cache(1)._cache_size == 1
    for lib, D in ((ember, ED), (torch, TD)):
        with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
            D.ExpTransform(cache_size=2)
        with pytest.raises(ValueError, match="in_shape, out_shape have different numbers of elements"):
            D.ReshapeTransform((2,), (3,))
        with pytest.raises(ValueError, match="Please use either .domain.event_dim or .codomain.event_dim"):
            D.ReshapeTransform((3,), (3, 1)).event_dim


def test_transformed_distribution_shapes_and_sign_flip_cdf() -> None:
    for lib, D in ((ember, ED), (torch, TD)):
        base = D.Normal(lib.zeros(4, dtype=lib.float64), lib.ones(4, dtype=lib.float64))
        d = D.TransformedDistribution(base, [D.StickBreakingTransform()])
        assert tuple(d.batch_shape) == () and tuple(d.event_shape) == (5,)
        assert tuple(d.sample((2,)).shape) == (2, 5)
        assert tuple(d.expand((3,)).sample().shape) == (3, 5)
    values = np.array([-0.5, 0.3, 2.0])
    outs = []
    for lib, D in ((ember, ED), (torch, TD)):
        d = D.TransformedDistribution(D.Normal(lib.tensor(0.2, dtype=lib.float64), 1.5),
                                      [D.AffineTransform(1.0, -2.0)])
        v = lib.tensor(values, dtype=lib.float64)
        outs.append((d.cdf(v).numpy(), d.icdf(lib.tensor([0.1, 0.5, 0.9], dtype=lib.float64)).numpy(),
                     d.log_prob(v).numpy()))
    for e, t in zip(*outs):
        np.testing.assert_allclose(e, t, rtol=1e-7)


def test_biject_to_and_transform_to_match_torch() -> None:
    from ember.distributions import constraints as ec
    from torch.distributions import constraints as tc

    x = R.normal(size=(4, 3))
    cases = [("real", (), ()), ("positive", (), ()), ("nonnegative", (), ()), ("unit_interval", (), ()),
             ("simplex", (), ()), ("real_vector", (), ()), ("greater_than", (1.5,), ()),
             ("greater_than_eq", (-1.0,), ()), ("less_than", (2.0,), ()), ("interval", (-2.0, 3.0), ()),
             ("half_open_interval", (0.0, 1.0), ()), ("corr_cholesky", (), ())]
    for name, args, _ in cases:
        e_con = getattr(ec, name)(*args) if args else getattr(ec, name)
        t_con = getattr(tc, name)(*args) if args else getattr(tc, name)
        for registry in ("biject_to", "transform_to"):
            et = getattr(ED, registry)(e_con)
            tt = getattr(TD, registry)(t_con)
            assert type(et).__name__ == type(tt).__name__, (name, registry)
            xin = R.normal(size=(4, 6)) if name == "corr_cholesky" else x
            ye = et(ember.tensor(xin, dtype=ember.float64))
            yt = tt(torch.tensor(xin, dtype=torch.float64))
            np.testing.assert_allclose(ye.numpy(), yt.numpy(), rtol=1e-10, err_msg=f"{registry}({name})")
            assert bool(e_con.check(ye).all())
    m = R.normal(size=(2, 3, 3))
    for name in ("lower_cholesky", "positive_definite"):
        ye = ED.transform_to(getattr(ec, name))(ember.tensor(m))
        yt = TD.transform_to(getattr(tc, name))(torch.tensor(m))
        np.testing.assert_allclose(ye.numpy(), yt.numpy(), rtol=1e-10)
    for lib, D, con in ((ember, ED, ec), (torch, TD, tc)):
        with pytest.raises(NotImplementedError, match="Cannot transform _Boolean constraints"):
            D.biject_to(con.boolean)
        with pytest.raises(NotImplementedError, match="Cannot transform _LowerCholesky constraints"):
            D.biject_to(con.lower_cholesky)
        with pytest.raises(TypeError, match="Expected constraint to be either a Constraint subclass or instance"):
            D.transform_to.register(int, lambda c: None)


def test_cat_and_stack_constraints_map_slices_like_torch() -> None:
    from ember.distributions import constraints as ec
    from torch.distributions import constraints as tc

    x = R.normal(size=(2, 4))
    for registry in ("biject_to", "transform_to"):
        e = getattr(ED, registry)(ec.cat([ec.positive, ec.unit_interval], dim=1, lengths=[3, 1]))
        t = getattr(TD, registry)(tc.cat([tc.positive, tc.unit_interval], dim=1, lengths=[3, 1]))
        np.testing.assert_allclose(e(ember.tensor(x)).numpy(), t(torch.tensor(x)).numpy(), rtol=1e-10)
        e = getattr(ED, registry)(ec.stack([ec.positive, ec.real], dim=0))
        t = getattr(TD, registry)(tc.stack([tc.positive, tc.real], dim=0))
        np.testing.assert_allclose(e(ember.tensor(x)).numpy(), t(torch.tensor(x)).numpy(), rtol=1e-10)
    for lib, D in ((ember, ED), (torch, TD)):
        with pytest.raises(AssertionError, match=r"x.size\(1\) = 3 must equal length 4"):
            D.CatTransform([D.ExpTransform(), D.ExpTransform()], dim=1, lengths=[2, 2])(lib.zeros(2, 3))
        with pytest.raises(AssertionError, match="dim 2 out of range for tensor with 2 dimensions"):
            D.StackTransform([D.ExpTransform()], dim=2)(lib.zeros(2, 3))
