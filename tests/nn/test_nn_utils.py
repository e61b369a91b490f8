"""nn.utils vs torch: gradient clipping, parameter vectors, weight/spectral norm (hook API and
parametrizations), register_parametrization."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch", reason="torch is the test oracle")


def _pair_linear(n_in=4, n_out=3):
    torch.manual_seed(0)
    t = torch.nn.Linear(n_in, n_out)
    e = ember.nn.Linear(n_in, n_out)
    e.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy()) for k, v in t.state_dict().items()})
    return e, t


def _grads(e, t, x):
    e(ember.tensor(x)).square().sum().backward()
    t(torch.tensor(x)).square().sum().backward()


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf, 3])
@pytest.mark.parametrize("max_norm", [0.1, 100.0])
def test_clip_grad_norm(norm_type, max_norm):
    e, t = _pair_linear()
    _grads(e, t, np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32))
    ne = ember.nn.utils.clip_grad_norm_(e.parameters(), max_norm, norm_type)
    nt = torch.nn.utils.clip_grad_norm_(t.parameters(), max_norm, norm_type)
    assert isinstance(ne, ember.Tensor)
    np.testing.assert_allclose(ne.item(), nt.item(), rtol=1e-5)
    for (n, p), q in zip(e.named_parameters(), t.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5, err_msg=n)


def test_clip_grad_norm_nonfinite_and_empty():
    p = ember.nn.Parameter(ember.zeros(2))
    p.grad = ember.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is "
                                           "non-finite, so it cannot be clipped"):
        ember.nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    assert ember.nn.utils.clip_grad_norm_([ember.nn.Parameter(ember.zeros(2))], 1.0).item() == 0.0


def test_clip_grad_value():
    e, t = _pair_linear()
    _grads(e, t, np.random.default_rng(1).standard_normal((5, 4)).astype(np.float32))
    ember.nn.utils.clip_grad_value_(e.parameters(), 0.5)
    torch.nn.utils.clip_grad_value_(t.parameters(), 0.5)
    for p, q in zip(e.parameters(), t.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5)


def test_parameters_vector_roundtrip():
    e, t = _pair_linear()
    v = ember.nn.utils.parameters_to_vector(e.parameters())
    np.testing.assert_allclose(v.detach().numpy(), torch.nn.utils.parameters_to_vector(t.parameters()).detach().numpy())
    ember.nn.utils.vector_to_parameters(v * 0 + 1, e.parameters())
    assert all(np.all(p.detach().numpy() == 1) for p in e.parameters())
    with pytest.raises(TypeError, match="expected torch.Tensor, but got"):
        ember.nn.utils.vector_to_parameters([1.0], e.parameters())


def _compare(e, t, x, names):
    ye, yt = e(ember.tensor(x)), t(torch.tensor(x))
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    ye.square().sum().backward()
    yt.square().sum().backward()
    ep, tp = dict(e.named_parameters()), dict(t.named_parameters())
    assert sorted(ep) == sorted(tp) and sorted(e.state_dict()) == sorted(t.state_dict())
    for n in names:
        np.testing.assert_allclose(ep[n].grad.numpy(), tp[n].grad.numpy(), rtol=1e-4, atol=1e-5, err_msg=n)


X = np.random.default_rng(2).standard_normal((5, 4)).astype(np.float32)


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_hook_api(dim):
    e, t = _pair_linear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ember.nn.utils.weight_norm(e, dim=dim)
        torch.nn.utils.weight_norm(t, dim=dim)
    _compare(e, t, X, ["weight_g", "weight_v", "bias"])
    ember.nn.utils.remove_weight_norm(e)
    assert sorted(e.state_dict()) == ["bias", "weight"]
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found in"):
        ember.nn.utils.remove_weight_norm(e)


def test_spectral_norm_hook_api():
    e, t = _pair_linear()
    ember.nn.utils.spectral_norm(e)
    torch.nn.utils.spectral_norm(t)
    e.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy()) for k, v in t.state_dict().items()})
    _compare(e, t, X, ["weight_orig", "bias"])
    np.testing.assert_allclose(e.weight_u.numpy(), t.weight_u.numpy(), rtol=1e-5)
    e.eval()  # no power iteration: sigma from the stored u, v
    w_before = e.weight_u.numpy().copy()
    e(ember.tensor(X))
    np.testing.assert_array_equal(e.weight_u.numpy(), w_before)
    ember.nn.utils.remove_spectral_norm(e)
    assert sorted(e.state_dict()) == ["bias", "weight"]


def test_spectral_norm_sigma_converges():
    m = ember.nn.utils.spectral_norm(ember.nn.Linear(8, 6), n_power_iterations=50)
    m(ember.randn(1, 8))
    s = np.linalg.svd(m.weight.detach().numpy(), compute_uv=False)
    assert abs(s[0] - 1) < 1e-3


def test_parametrizations_weight_norm_and_spectral_norm():
    P, Q = torch.nn.utils.parametrizations, ember.nn.utils.parametrizations
    e, t = _pair_linear()
    Q.weight_norm(e)
    P.weight_norm(t)
    assert type(e).__name__ == "ParametrizedLinear"
    _compare(e, t, X, ["parametrizations.weight.original0", "parametrizations.weight.original1", "bias"])
    e, t = _pair_linear()
    Q.spectral_norm(e)
    P.spectral_norm(t)
    e.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy()) for k, v in t.state_dict().items()})
    _compare(e, t, X, ["parametrizations.weight.original", "bias"])


def test_register_parametrization_and_remove():
    from ember.nn.utils import parametrize

    class Sym(ember.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).t()

    m = ember.nn.Linear(3, 3)
    parametrize.register_parametrization(m, "weight", Sym())
    w = m.weight.detach().numpy()
    np.testing.assert_array_equal(w, w.T)
    assert parametrize.is_parametrized(m, "weight")
    m(ember.randn(2, 3)).sum().backward()
    assert m.parametrizations.weight.original.grad is not None
    parametrize.remove_parametrizations(m, "weight")
    assert type(m) is ember.nn.Linear and sorted(m.state_dict()) == ["bias", "weight"]


def test_orthogonal():
    m = ember.nn.utils.parametrizations.orthogonal(ember.nn.Linear(4, 6))
    W = m.weight.detach().numpy()
    np.testing.assert_allclose(W.T @ W, np.eye(4), atol=1e-5)


def test_fusion_lives_where_torch_has_it():
    """``nn.utils.fusion.fuse_conv_bn_eval`` folds an eval BatchNorm into a conv as torch's does."""
    import numpy as np
    import torch

    import ember

    g = np.random.default_rng(0)
    conv_t, bn_t = torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4)
    with torch.no_grad():
        bn_t.running_mean.copy_(torch.from_numpy(g.standard_normal(4).astype(np.float32)))
        bn_t.running_var.copy_(torch.from_numpy(g.uniform(0.5, 2, 4).astype(np.float32)))
        bn_t.weight.copy_(torch.from_numpy(g.standard_normal(4).astype(np.float32)))
    conv_e, bn_e = ember.nn.Conv2d(3, 4, 3), ember.nn.BatchNorm2d(4)
    conv_e.load_state_dict({k: ember.from_numpy(v.numpy().copy()) for k, v in conv_t.state_dict().items()})
    bn_e.load_state_dict({k: ember.from_numpy(v.numpy().copy()) for k, v in bn_t.state_dict().items()})
    fused_t = torch.nn.utils.fusion.fuse_conv_bn_eval(conv_t.eval(), bn_t.eval())
    fused_e = ember.nn.utils.fusion.fuse_conv_bn_eval(conv_e.eval(), bn_e.eval())
    assert ember.nn.utils.fuse_conv_bn_weights is ember.nn.utils.fusion.fuse_conv_bn_weights
    np.testing.assert_allclose(fused_e.weight.detach().numpy(), fused_t.weight.detach().numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(fused_e.bias.detach().numpy(), fused_t.bias.detach().numpy(), rtol=1e-6, atol=1e-7)
