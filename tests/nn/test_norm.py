"""Normalization layers against torch (float64): outputs, input and parameter grads, running stats after
several train steps, eval behaviour, state_dict, errors; SwitchableNorm2d against a NumPy reference."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.backends import kernels
from tests.nn._conv_helpers import compare, compare_double_backward, gradcheck, torch

TF = torch.nn.functional
r = np.random.randn


def _pair(name, *args, **kw):
    e = getattr(ember.nn, name)(*args, dtype=ember.float64, **kw)
    t = getattr(torch.nn, name)(*args, dtype=torch.float64, **kw)
    with torch.no_grad():
        for k, v in e.state_dict().items():  # random affine params, so their grads are exercised
            val = r(*v.shape) if v.dtype == ember.float64 and k in ("weight", "bias") else v.numpy()
            v._data[...] = val
            t.state_dict()[k].copy_(torch.tensor(val))
    return e, t


def _check_params(e, t):
    for (k, p), (_, q) in zip(e.named_parameters(), t.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), atol=1e-9, err_msg=k)
        p.grad = None
        q.grad = None
    for (k, b), (_, c) in zip(e.named_buffers(), t.named_buffers()):
        np.testing.assert_allclose(b.numpy(), c.numpy(), atol=1e-10, err_msg=k)


NORMS = [("BatchNorm1d", (4,), {}, (6, 4)), ("BatchNorm1d", (4,), {}, (6, 4, 3)),
         ("BatchNorm2d", (4,), {}, (5, 4, 3, 3)), ("BatchNorm2d", (4,), dict(momentum=None), (5, 4, 3, 3)),
         ("BatchNorm2d", (4,), dict(affine=False), (5, 4, 3, 3)),
         ("BatchNorm2d", (4,), dict(track_running_stats=False), (5, 4, 3, 3)),
         ("BatchNorm3d", (3,), {}, (2, 3, 2, 3, 2)),
         ("InstanceNorm1d", (4,), dict(affine=True), (3, 4, 5)),
         ("InstanceNorm2d", (4,), dict(affine=True, track_running_stats=True), (3, 4, 3, 5)),
         ("InstanceNorm2d", (4,), {}, (4, 3, 5)),
         ("LayerNorm", ((3, 4),), {}, (5, 3, 4)), ("LayerNorm", (4,), dict(bias=False), (5, 3, 4)),
         ("LayerNorm", (4,), dict(elementwise_affine=False), (5, 4)),
         ("GroupNorm", (3, 6), {}, (5, 6, 4, 2)), ("RMSNorm", (4,), dict(eps=1e-6), (5, 3, 4)),
         ("RMSNorm", ((3, 4),), {}, (5, 3, 4))]


@pytest.mark.parametrize("name,args,kw,xs", NORMS)
def test_norm_module_vs_torch(name, args, kw, xs):
    e, t = _pair(name, *args, **kw)
    assert list(e.state_dict()) == list(t.state_dict())
    for _ in range(3):  # running stats after several train steps
        compare(e, t, r(*xs) * 2 + 1)
        _check_params(e, t)
    e.eval()
    t.eval()
    compare(e, t, r(*xs))
    _check_params(e, t)


def test_lrn_module():
    """(F.local_response_norm, F.batch_norm, F.group_norm, ... against torch and gradcheck: the F.<name> rows of
    tests/ops/op_db_nn_normalization.py.)"""
    compare(ember.nn.LocalResponseNorm(3), torch.nn.LocalResponseNorm(3), r(2, 6, 4, 3))


def test_batchnorm_errors_and_lazy():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training, got input size"):
        ember.nn.BatchNorm1d(3)(ember.randn(1, 3))
    with pytest.raises(ValueError, match=r"expected 4D input \(got 3D input\)"):
        ember.nn.BatchNorm2d(3)(ember.randn(2, 3, 4))
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[5\], expected input with shape \[\*, 5\]"):
        F.layer_norm(ember.randn(2, 4), (5,))
    lazy = ember.nn.LazyBatchNorm2d()
    lazy(ember.randn(2, 5, 3, 3))
    assert type(lazy) is ember.nn.BatchNorm2d and lazy.weight.shape == (5,) and lazy.running_var.shape == (5,)
    assert int(lazy.num_batches_tracked) == 1


def _switchable_reference(x, w, b, mw, vw, rm, rv, eps, mom, training):
    """The paper's formula in NumPy (biased variances; BN branch uses running stats in eval)."""
    n, c = x.shape[:2]
    xv = x.reshape(n, c, -1)
    m_in, v_in = xv.mean(-1, keepdims=True), xv.var(-1, keepdims=True)
    m_ln, v_ln = xv.reshape(n, -1).mean(-1)[:, None, None], xv.reshape(n, -1).var(-1)[:, None, None]
    if training:
        m_bn = xv.transpose(1, 0, 2).reshape(c, -1).mean(-1)[None, :, None]
        v_bn = xv.transpose(1, 0, 2).reshape(c, -1).var(-1)[None, :, None]
        count = xv.shape[0] * xv.shape[2]
        rm = (1 - mom) * rm + mom * m_bn.ravel()
        rv = (1 - mom) * rv + mom * v_bn.ravel() * count / (count - 1)
    else:
        m_bn, v_bn = rm[None, :, None], rv[None, :, None]
    sm = np.exp(mw) / np.exp(mw).sum()
    sv = np.exp(vw) / np.exp(vw).sum()
    mean = sm[0] * m_in + sm[1] * m_ln + sm[2] * m_bn
    var = sv[0] * v_in + sv[1] * v_ln + sv[2] * v_bn
    y = ((xv - mean) / np.sqrt(var + eps)).reshape(x.shape) * w[None, :, None, None] + b[None, :, None, None]
    return y, rm, rv


def test_switchable_norm_vs_reference():
    m = ember.nn.SwitchableNorm2d(3, dtype=ember.float64)
    for p, v in [(m.weight, r(3)), (m.bias, r(3)), (m.mean_weight, r(3)), (m.var_weight, r(3))]:
        p._data[...] = v
    rm, rv = np.zeros(3), np.ones(3)
    args = lambda: (m.weight.detach().numpy(), m.bias.detach().numpy(), m.mean_weight.detach().numpy(),  # noqa
                    m.var_weight.detach().numpy())
    for _ in range(3):
        x = r(4, 3, 5, 5) * 2 + 1
        y = m(ember.tensor(x))
        ref, rm, rv = _switchable_reference(x, *args(), rm, rv, 1e-5, 0.1, True)
        np.testing.assert_allclose(y.detach().numpy(), ref, atol=1e-9)
        np.testing.assert_allclose(m.running_mean.numpy(), rm, atol=1e-12)
        np.testing.assert_allclose(m.running_var.numpy(), rv, atol=1e-12)
    m.eval()
    x = r(2, 3, 5, 5)
    ref, _, _ = _switchable_reference(x, *args(), rm, rv, 1e-5, 0.1, False)
    np.testing.assert_allclose(m(ember.tensor(x)).detach().numpy(), ref, atol=1e-9)
    m.train()
    gradcheck(m, r(2, 3, 3, 3))
    m(ember.randn(2, 3, 3, 3, dtype=ember.float64)).pow(2).sum().backward()
    assert m.mean_weight.grad.abs().sum() > 0 and m.var_weight.grad.abs().sum() > 0
    assert sorted(m.state_dict()) == ["bias", "mean_weight", "running_mean", "running_var", "var_weight", "weight"]



@pytest.mark.parametrize("kernel", ["numpy", "numba"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_layer_norm_row_kernel_and_numpy_path(kernel, dtype, monkeypatch):
    """layer_norm over the last dim with weight and bias: the numba row kernel and its NumPy reference vs torch."""
    from ember.backends import kernels
    if kernel == "numba":
        pytest.importorskip("numba")
    monkeypatch.setattr(kernels, "_impl", kernels.kernels_numpy)  # restored after the test
    kernels.use(kernel)
    rng = np.random.default_rng(0)
    x, w, b, g = (rng.standard_normal(s).astype(dtype) for s in ((3, 5, 64), (64,), (64,), (3, 5, 64)))
    ex, ew, eb = (ember.tensor(a, requires_grad=True) for a in (x, w, b))
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ey, ty = F.layer_norm(ex, (64,), ew, eb), torch.nn.functional.layer_norm(tx, (64,), tw, tb)
    assert ey.grad_fn.name() == "NativeLayerNormBackward0"
    ey.backward(ember.tensor(g))
    ty.backward(torch.tensor(g))
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), atol=tol, rtol=tol)
    for a, c in ((ex, tx), (ew, tw), (eb, tb)):
        np.testing.assert_allclose(a.grad.numpy(), c.grad.numpy(), atol=10 * tol, rtol=tol)


@pytest.mark.parametrize("kset", kernels.available())
@pytest.mark.parametrize("shape", [(2, 3, 4), (8, 16, 24, 24)])
def test_batch_norm_eval_inference_fused_vs_torch(kset, shape):
    """Eval-mode batch norm under no_grad takes one fused per-channel pass (small and large inputs)."""
    before = kernels.current()
    kernels.use(kset)
    try:
        rng = np.random.default_rng(0)
        c = shape[1]
        x = rng.standard_normal(shape).astype(np.float32)
        stats = [rng.standard_normal(c).astype(np.float32), rng.uniform(0.5, 2, c).astype(np.float32),
                 rng.standard_normal(c).astype(np.float32), rng.standard_normal(c).astype(np.float32)]
        with ember.no_grad():
            y = F.batch_norm(ember.tensor(x), *(ember.tensor(a) for a in stats[:2]), ember.tensor(stats[2]),
                             ember.tensor(stats[3]), training=False)
        ty = torch.nn.functional.batch_norm(torch.tensor(x), *(torch.tensor(a) for a in stats[:2]),
                                            torch.tensor(stats[2]), torch.tensor(stats[3]), training=False)
        assert y.dtype == ember.float32 and not y.requires_grad
        np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-5, atol=1e-5)
    finally:
        kernels.use(before)


TN = torch.nn.functional
NORM_DOUBLE = [  # (name, ember and torch call with F as the functional namespace, input shape, weight shape)
    ("batch_norm", lambda F, x, w, b: F.batch_norm(x, None, None, w, b, True), (4, 3, 5), (3,)),
    ("layer_norm row kernel", lambda F, x, w, b: F.layer_norm(x, (6,), w, b), (2, 3, 6), (6,)),
    ("layer_norm 2 dims", lambda F, x, w, b: F.layer_norm(x, (3, 6), w, b), (2, 3, 6), (3, 6)),
    ("group_norm", lambda F, x, w, b: F.group_norm(x, 2, w, b), (2, 4, 3), (4,)),
    ("instance_norm", lambda F, x, w, b: F.instance_norm(x, weight=w, bias=b), (2, 3, 5), (3,)),
]


@pytest.mark.parametrize("kset", kernels.available())
@pytest.mark.parametrize("name,call,xs,ws", NORM_DOUBLE, ids=[c[0] for c in NORM_DOUBLE])
def test_norm_double_backward_vs_torch(kset, name, call, xs, ws):
    """create_graph=True through the fused norms (kernel and closed-form paths): d/dx, d/dw, d/db of <dx, v>,
    and of the weight and bias gradients, match torch's double backward."""
    before = kernels.current()
    kernels.use(kset)
    try:
        rng = np.random.default_rng(1)
        x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws)
        compare_double_backward(lambda *a: call(F, *a), lambda *a: call(TN, *a), x, w, b, atol=1e-8)
        compare_double_backward(lambda a: call(F, a, None, None), lambda a: call(TN, a, None, None), x, atol=1e-8)
    finally:
        kernels.use(before)


@pytest.mark.parametrize("name,call,xs,ws", NORM_DOUBLE[:2], ids=[c[0] for c in NORM_DOUBLE[:2]])
def test_norm_third_order_gradgradcheck(name, call, xs, ws):
    """The double backward recomputes x_hat and 1/std from x in ember ops, so the third derivative is exact:
    gradgradcheck of the first gradient against finite differences (torch 2.13's own third derivative of
    batch_norm and layer_norm disagrees with finite differences, so it is no oracle here)."""
    rng = np.random.default_rng(2)
    v = ember.tensor(rng.standard_normal(xs))

    def first(x, w, b):
        return ember.autograd.grad((call(F, x, w, b) * v).sum(), (x, w), create_graph=True)

    inputs = tuple(ember.tensor(rng.standard_normal(s), requires_grad=True) for s in (xs, ws, ws))
    assert ember.autograd.gradgradcheck(first, inputs)
