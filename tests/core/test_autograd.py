"""Autograd semantics against torch: leaves, detach/detach_, grad modes, hooks, retain_grad, errors,
version counters, in-place on views (CopySlices), custom Functions, higher order, deep graphs."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch", reason="torch is the test oracle (pip install -e '.[test]')")


def both(fn):
    """Run ``fn(module)`` for ember and torch; return the two results."""
    return fn(ember), fn(torch)


def close(a, b, tol=1e-6):
    a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_leaf_and_grad_fn_names():
    def f(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = (x * 2 + 1).sum()
        return x.is_leaf, y.is_leaf, y.grad_fn.name(), [type(n).__name__ if n is not None else None
                                                         for n, _ in y.grad_fn.next_functions]
    e, t = both(f)
    assert e[:3] == t[:3]
    assert e[2] == "SumBackward0"


def test_accumulation_into_grad():
    def f(m):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (x * x).sum().backward()
        (x * 3).sum().backward()
        return x.grad
    close(*both(f))


def test_detach_shares_memory_no_history():
    x = ember.ones(3, requires_grad=True)
    y = x * 2
    d = y.detach()
    assert d.requires_grad is False and d.grad_fn is None
    d[0] = 5
    assert y[0].item() == 5  # same memory


def test_detach_inplace_cuts_graph_seed002():
    """x -> y -> z; after y.detach_(), backward from z no longer reaches x (seed 002's example)."""
    def f(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.detach_()
        assert y.is_leaf and not y.requires_grad
        y.requires_grad_(True)
        z = (y * 3).sum()
        z.backward()
        return x.grad, y.grad
    (ex, ey), (tx, ty) = both(f)
    assert ex is None and tx is None
    close(ey, ty)


@pytest.mark.parametrize("ctx", ["no_grad", "inference_mode", "set_grad_enabled"])
def test_grad_modes(ctx):
    x = ember.ones(2, requires_grad=True)
    mgr = ember.set_grad_enabled(False) if ctx == "set_grad_enabled" else getattr(ember, ctx)()
    with mgr:
        y = x * 2
        assert not ember.is_grad_enabled()
        with ember.enable_grad():
            z = x * 2
    assert ember.is_grad_enabled()
    assert not y.requires_grad and z.requires_grad


def test_no_grad_decorator_and_set_grad_enabled_function():
    @ember.no_grad()
    def f(x):
        return x * 2

    @ember.no_grad
    def g(x):
        return x * 2

    x = ember.ones(2, requires_grad=True)
    assert not f(x).requires_grad and not g(x).requires_grad
    ember.set_grad_enabled(False)
    assert not (x * 2).requires_grad
    ember.set_grad_enabled(True)
    assert (x * 2).requires_grad


def test_backward_errors():
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        ember.ones(2).sum().backward()
    y = (x.exp()).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad is being used in an in-place"):
        x.add_(1)


def test_retain_graph_and_nonleaf_grad_warning():
    x = ember.ones(3, requires_grad=True)
    y = x.exp()
    s = y.sum()
    s.backward(retain_graph=True)
    s.backward()
    close(x.grad, torch.ones(3).exp() * 2)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        assert y.grad is None
    assert any("is not a leaf Tensor is being accessed" in str(m.message) for m in w)


def test_retain_grad_and_hooks():
    def f(m):
        x = m.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = x * x
        y.retain_grad()
        seen = []
        y.register_hook(lambda g: seen.append(g.clone()))
        h = x.register_hook(lambda g: g * 10)
        (y * 2).sum().backward()
        h.remove()
        return y.grad, x.grad, seen[0]
    for e, t in zip(*both(f)):
        close(e, t)


def test_autograd_grad_and_allow_unused_and_higher_order():
    def f(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        z = m.tensor([3.0], requires_grad=True)
        y = (x ** 3).sum()
        (g,) = m.autograd.grad(y, x, create_graph=True)
        (gg,) = m.autograd.grad(g.sum(), x)
        gz = m.autograd.grad(y, [x, z], allow_unused=True, retain_graph=True)
        return g, gg, gz[1]
    (eg, egg, ez), (tg, tgg, tz) = both(f)
    close(eg, tg)
    close(egg, tgg)
    assert ez is None and tz is None
    x = ember.tensor([1.0], requires_grad=True)
    z = ember.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        ember.autograd.grad((x * 2).sum(), [x, z])


def test_backward_inputs_argument():
    def f(m):
        a = m.tensor([1.0, 2.0], requires_grad=True)
        b = m.tensor([3.0, 4.0], requires_grad=True)
        (a * b).sum().backward(inputs=[a])
        return a.grad, b.grad
    (ea, eb), (ta, tb) = both(f)
    close(ea, ta)
    assert eb is None and tb is None


def test_version_counter_detects_inplace_on_saved():
    x = ember.ones(3, requires_grad=True)
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()
    a = ember.ones(3, requires_grad=True)
    b = a * 2
    v = b.view(3)
    c = b * b  # saves b
    v.mul_(2)  # views share the version counter
    assert b._version == v._version == 1
    with pytest.raises(RuntimeError, match="is at version 1; expected version 0 instead"):
        c.sum().backward()


def test_inplace_on_nonleaf_setitem_mask():
    """y = x * 1; y[y < 0] = 0; y.sum().backward() gives torch's gradient."""
    def f(m):
        x = m.tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True)
        y = x * 1
        y[y < 0] = 0
        y.sum().backward()
        return x.grad
    close(*both(f))


def test_inplace_on_view_of_nonleaf_rewrites_base():
    def f(m):
        x = m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = x * 1
        y[0].mul_(10)
        y[:, 1] = y[:, 1] * 3.0
        (y * m.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
        return x.grad, y
    (eg, ey), (tg, ty) = both(f)
    close(eg, tg)
    close(ey, ty)
    with pytest.raises(RuntimeError, match="view of a leaf Variable"):
        ember.ones(2, 2, requires_grad=True)[0].mul_(2)


def test_inplace_ops_under_autograd_match_torch():
    def f(m):
        x = m.tensor([0.5, -1.5, 2.0], requires_grad=True)
        y = x.clone()
        y.mul_(2).add_(1).clamp_(-1, 3).sigmoid_()
        y.sum().backward()
        return x.grad
    close(*both(f))


class _Cube:
    @staticmethod
    def make(m):
        class Cube(m.autograd.Function):
            @staticmethod
            def forward(ctx, x, k):
                ctx.save_for_backward(x)
                ctx.k = k
                return x ** 3 * k

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                assert ctx.needs_input_grad[0] and not ctx.needs_input_grad[1]
                return 3 * x ** 2 * g * ctx.k, None
        return Cube


def test_custom_function():
    def f(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = _Cube.make(m).apply(x, 2.0)
        y.sum().backward()
        return y, x.grad, y.grad_fn.name()
    (ey, eg, en), (ty, tg, tn) = both(f)
    close(ey, ty)
    close(eg, tg)
    assert en == tn == "CubeBackward"


def test_custom_function_non_differentiable_output():
    class Sort(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            idx = ember.from_numpy(np.argsort(x.numpy()))
            ctx.mark_non_differentiable(idx)
            return x[idx], idx

        @staticmethod
        def backward(ctx, g, gi):
            return g

    v, i = Sort.apply(ember.tensor([3.0, 1.0], requires_grad=True))
    assert v.requires_grad and not i.requires_grad


def test_deep_chain_has_no_recursion_limit():
    x = ember.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.item() == 1.0


def test_gradcheck_and_gradgradcheck():
    x = ember.randn(3, dtype=ember.float64, requires_grad=True)
    w = ember.randn(3, 3, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda a, b: (b @ a).tanh().sum(), (x, w))
    assert ember.autograd.gradgradcheck(lambda a, b: (b @ a).tanh(), (x, w))

    class Wrong(ember.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3

    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        ember.autograd.gradcheck(Wrong.apply, (x,))


def test_detect_anomaly_names_op():
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        with ember.autograd.detect_anomaly():
            x = ember.tensor([-1.0], requires_grad=True)
            y = (x * 0).sqrt()  # d sqrt at 0 = inf; times 0 gives nan
            with pytest.raises(RuntimeError, match="Function 'SqrtBackward0' returned nan values"):
                (y * 0).sum().backward()


def test_backward_hooks_on_node_and_gradient_argument():
    def f(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.backward(gradient=m.tensor([1.0, -1.0]))
        return x.grad
    close(*both(f))


def test_requires_grad_rules():
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        ember.tensor([1, 2]).requires_grad_()
    y = ember.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables"):
        y.requires_grad = False
