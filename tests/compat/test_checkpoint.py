"""ember.utils.checkpoint (torch.utils.checkpoint) against torch: values, gradients, warnings and errors."""
import warnings

import numpy as np
import pytest
import torch
import torch.utils.checkpoint as tcp

import ember
import ember.utils.checkpoint as ecp


def _pair(seed=0):
    """The same 3-layer MLP in torch and in ember (ember's weights copied from torch's)."""
    torch.manual_seed(seed)
    t = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 4), torch.nn.ReLU(),
                            torch.nn.Linear(4, 2))
    e = ember.nn.Sequential(ember.nn.Linear(3, 5), ember.nn.Tanh(), ember.nn.Linear(5, 4), ember.nn.ReLU(),
                            ember.nn.Linear(4, 2))
    with ember.no_grad():
        for pe, pt in zip(e.parameters(), t.parameters()):
            pe.copy_(ember.tensor(pt.detach().numpy()))
    return t, e


def _grads(model):
    return [p.grad.numpy() if hasattr(p.grad, "numpy") else np.asarray(p.grad) for p in model.parameters()]


@pytest.mark.parametrize("reentrant", [True, False])
def test_checkpoint_gradients_equal_torch(reentrant):
    t, e = _pair()
    xn = np.random.default_rng(0).normal(size=(6, 3)).astype(np.float32)
    xt, xe = torch.tensor(xn, requires_grad=True), ember.tensor(xn, requires_grad=True)
    yt = tcp.checkpoint(t, xt, use_reentrant=reentrant)
    ye = ecp.checkpoint(e, xe, use_reentrant=reentrant)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-6, atol=1e-6)
    (yt ** 2).sum().backward()
    (ye ** 2).sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)
    for ge, gt in zip(_grads(e), _grads(t)):
        np.testing.assert_allclose(ge, gt, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("reentrant", [True, False])
def test_checkpoint_sequential_equal_torch(reentrant):
    t, e = _pair(1)
    xn = np.random.default_rng(1).normal(size=(4, 3)).astype(np.float32)
    xt, xe = torch.tensor(xn, requires_grad=True), ember.tensor(xn, requires_grad=True)
    tcp.checkpoint_sequential(t, 2, xt, use_reentrant=reentrant).sum().backward()
    ecp.checkpoint_sequential(e, 2, xe, use_reentrant=reentrant).sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)
    for ge, gt in zip(_grads(e), _grads(t)):
        np.testing.assert_allclose(ge, gt, rtol=1e-5, atol=1e-6)


def test_non_reentrant_parameters_get_gradients_when_the_input_needs_none():
    t, e = _pair(2)
    xn = np.ones((2, 3), np.float32)
    tcp.checkpoint(t, torch.tensor(xn), use_reentrant=False).sum().backward()
    ecp.checkpoint(e, ember.tensor(xn), use_reentrant=False).sum().backward()
    for ge, gt in zip(_grads(e), _grads(t)):
        np.testing.assert_allclose(ge, gt, rtol=1e-5, atol=1e-6)


def test_non_reentrant_works_with_autograd_grad():
    t, e = _pair(3)
    xn = np.ones((2, 3), np.float32)
    gt = torch.autograd.grad(tcp.checkpoint(t, torch.tensor(xn), use_reentrant=False).sum(), t[0].weight)[0]
    ge = ember.autograd.grad(ecp.checkpoint(e, ember.tensor(xn), use_reentrant=False).sum(), e[0].weight)[0]
    np.testing.assert_allclose(ge.numpy(), gt.numpy(), rtol=1e-5, atol=1e-6)


def test_reentrant_without_grad_inputs_warns_and_gives_no_grad_output():
    t, e = _pair()
    for cp, model, x in [(tcp, t, torch.ones(2, 3)), (ecp, e, ember.ones(2, 3))]:
        with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
            y = cp.checkpoint(model, x, use_reentrant=True)
        assert y.requires_grad is False


def test_use_reentrant_not_given_warns_as_torch():
    t, e = _pair()
    messages = []
    for cp, model, x in [(tcp, t, torch.ones(2, 3, requires_grad=True)),
                         (ecp, e, ember.ones(2, 3, requires_grad=True))]:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            cp.checkpoint(model, x)
        messages.append([str(m.message) for m in w if "use_reentrant" in str(m.message)])
    assert messages[0] == messages[1] and messages[0]


def test_keyword_arguments_with_reentrant_raise_value_error():
    def f(x, scale=1.0):
        return x * scale

    for cp, x in [(tcp, torch.ones(2, requires_grad=True)), (ecp, ember.ones(2, requires_grad=True))]:
        with pytest.raises(ValueError, match="Unexpected keyword arguments: scale"):
            cp.checkpoint(f, x, use_reentrant=True, scale=2.0)
        y = cp.checkpoint(f, x, use_reentrant=False, scale=2.0)   # allowed without reentrant
        assert float(y.sum()) == 4.0


def test_dropout_masks_are_replayed_in_backward():
    # the recomputation sees the random state of the first run: the gradient is that of the same mask
    drop = ember.nn.Dropout(0.5)
    x = ember.ones(200, requires_grad=True)
    y = ecp.checkpoint(drop, x, use_reentrant=False)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())   # d(sum)/dx = mask * 2 = y


def test_tuple_outputs():
    def f(a, b):
        return a * b, a + b

    for lib, cp in [(torch, tcp), (ember, ecp)]:
        a, b = lib.full((3,), 2.0, requires_grad=True), lib.full((3,), 3.0, requires_grad=True)
        p, s = cp.checkpoint(f, a, b, use_reentrant=False)
        (p.sum() + 2 * s.sum()).backward()
        assert a.grad.tolist() == [5.0] * 3 and b.grad.tolist() == [4.0] * 3


def test_torch_alias_resolves_checkpoint():
    import ember.compat.alias_hook as alias

    alias.install(replace=True)
    try:
        import torch.utils.checkpoint as aliased
        assert aliased.checkpoint is ecp.checkpoint
    finally:
        alias.uninstall()
