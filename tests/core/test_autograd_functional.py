"""ember.autograd.functional (vjp, jvp, jacobian, hessian, vhp, hvp) vs torch.autograd.functional: values, the
structure of the result (Tensor, tuple, tuple of tuples), zeros for an unused input, create_graph (the result
differentiates back to the inputs), strict mode and bad arguments (torch's exception types)."""
import numpy as np
import pytest

import ember
import ember.autograd.functional as EAF

torch = pytest.importorskip("torch")
import torch.autograd.functional as TAF  # noqa: E402


def _lib(lib):
    return EAF if lib is ember else TAF


def _arrays(res):
    """Nested tuples of tensors -> nested lists of arrays."""
    if isinstance(res, (tuple, list)):
        return [_arrays(r) for r in res]
    return res.detach().numpy()


def _same(a, b, tol=1e-10):
    if isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y, tol)
        return
    assert a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


RNG = np.random.default_rng(0)
X, Y = RNG.standard_normal((2, 3)), RNG.standard_normal(3)


def f_one(x):
    return (x.sin() * x).sum(0)                       # (2, 3) -> (3,)


def f_two(x, y):
    return (x * y).tanh() + y.exp()                  # (2, 3), (3,) -> (2, 3)


def f_tuple_out(x, y):
    return x.cos().sum(), x * y                       # two outputs


def f_unused(x, y):
    return x.pow(3)                                   # independent of y


def f_scalar(x, y):
    return ((x * y).sin().sum() + (y ** 3).sum()) * x.pow(2).mean()


def _call(lib, name, func, inputs, *args, **kw):
    ts = tuple(lib.tensor(a) for a in inputs)
    return getattr(_lib(lib), name)(func, ts if len(ts) > 1 else ts[0], *args, **kw)


@pytest.mark.parametrize("func,inputs", [(f_one, (X,)), (f_two, (X, Y)), (f_tuple_out, (X, Y)),
                                         (f_unused, (X, Y))], ids=["one", "two", "tuple_out", "unused"])
def test_jacobian_matches_torch(func, inputs):
    _same(_arrays(_call(ember, "jacobian", func, inputs)), _arrays(_call(torch, "jacobian", func, inputs)))


@pytest.mark.parametrize("inputs", [(X,), (X, Y)], ids=["one", "two"])
def test_hessian_matches_torch(inputs):
    func = (lambda x: f_scalar(x, x[0])) if len(inputs) == 1 else f_scalar
    _same(_arrays(_call(ember, "hessian", func, inputs)), _arrays(_call(torch, "hessian", func, inputs)))


@pytest.mark.parametrize("name", ["vjp", "jvp", "vhp", "hvp"])
def test_products_match_torch(name):
    if name == "vjp":
        func, v = f_tuple_out, (RNG.standard_normal(()), RNG.standard_normal((2, 3)))
    elif name == "jvp":
        func, v = f_two, (RNG.standard_normal((2, 3)), RNG.standard_normal(3))
    else:
        func, v = f_scalar, (RNG.standard_normal((2, 3)), RNG.standard_normal(3))
    res = [_arrays(_call(lib, name, func, (X, Y), tuple(lib.tensor(a) for a in v))) for lib in (ember, torch)]
    _same(*res)


def test_v_none_for_one_element():
    x = np.array([0.7])
    for name in ("vjp", "jvp", "vhp", "hvp"):
        res = [_arrays(_call(lib, name, lambda t: (t ** 3).sum(), (x,))) for lib in (ember, torch)]
        _same(*res)


def test_create_graph_reaches_the_inputs():
    """With create_graph the Jacobian / Hessian-vector product are differentiable in the original inputs."""
    grads = []
    for lib in (ember, torch):
        x, y = lib.tensor(X, requires_grad=True), lib.tensor(Y, requires_grad=True)
        jx, jy = _lib(lib).jacobian(f_two, (x, y), create_graph=True)
        _, (hx, hy) = _lib(lib).hvp(f_scalar, (x, y), (lib.ones_like(x), lib.ones_like(y)), create_graph=True)
        total = (jx ** 2).sum() + (jy * 1.5).sum() + (hx ** 2).sum() + hy.sum()
        grads.append(_arrays(lib.autograd.grad(total, (x, y))))
    _same(*grads, tol=1e-9)


def test_without_create_graph_results_are_detached():
    x = ember.tensor(X, requires_grad=True)
    assert not EAF.jacobian(f_one, x).requires_grad
    out, g = EAF.vjp(f_one, x, ember.ones(3))
    assert not out.requires_grad and not g.requires_grad


@pytest.mark.parametrize("case", ["strict", "v_missing", "v_length", "v_shape", "not_tensor", "hessian_vector",
                                  "strategy"])
def test_errors_match_torch(case):
    def run(lib):
        A = _lib(lib)
        x, y = lib.tensor(X), lib.tensor(Y)
        if case == "strict":
            return A.jacobian(f_unused, (x, y), strict=True)
        if case == "v_missing":
            return A.vjp(f_one, x)
        if case == "v_length":
            return A.jvp(f_two, (x, y), (x,))
        if case == "v_shape":
            return A.vjp(f_one, x, lib.ones(4))
        if case == "not_tensor":
            return A.jacobian(f_one, [X])
        if case == "hessian_vector":
            return A.hessian(f_one, x)
        return A.jacobian(f_one, x, strategy="sideways")

    with pytest.raises(Exception) as te:
        run(torch)
    with pytest.raises(type(te.value)) as ee:
        run(ember)
    assert str(ee.value).split(":")[0][:30] == str(te.value).split(":")[0][:30]
