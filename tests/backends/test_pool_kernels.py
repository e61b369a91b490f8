"""oneDNN's max pooling (``kernels_onednn_plain.max_pool``/``max_pool_backward``, tried first by the kernel switch)
against the NumPy reference and torch: values, the arg-max (torch's flat indices through ``return_indices``) and
gradients on LeNet's and ResNet's shapes, padding and ceil_mode; ties; the inputs it leaves to the kernel sets
(NaN, windows of -inf, dilation, float64) and the op's results there."""
from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.backends import kernels, kernels_numpy as ref

torch = pytest.importorskip("torch")
P = pytest.importorskip("ember.backends.kernels_onednn_plain", reason="oneDNN (libdnnl.so.3) is not installed")

CASES = [((3, 6, 28, 28), dict(kernel_size=2)),                                  # LeNet's
         ((2, 16, 16, 16), dict(kernel_size=3, stride=2, padding=1)),            # ResNet-18's stem
         ((2, 3, 9, 10), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
         ((2, 3, 9, 10), dict(kernel_size=(3, 2), stride=(1, 2), padding=(1, 0), ceil_mode=True)),
         ((1, 2, 20, 20), dict(kernel_size=17, stride=1))]                       # 289 taps: a 4-byte workspace


def _geometry(shape, kw):
    k = kw["kernel_size"]
    ks = (k, k) if isinstance(k, int) else k
    st = kw.get("stride", ks)
    st = (st, st) if isinstance(st, int) else st
    p = kw.get("padding", 0)
    p = (p, p) if isinstance(p, int) else p
    y = torch.nn.functional.max_pool2d(torch.zeros(shape), **kw)
    out = tuple(y.shape[2:])
    hi = tuple(max(0, (o - 1) * s + k - n - lo) for o, s, k, n, lo in zip(out, st, ks, shape[2:], p))
    return ks, st, p, hi, out


@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("ties", [False, True], ids=["random", "ties"])
def test_kernel_equals_the_reference(case, ties):
    shape, kw = CASES[case]
    rng = np.random.default_rng(case)
    x = rng.standard_normal(shape).astype(np.float32)
    if ties:
        x = np.round(x)
    ks, st, p, hi, out = _geometry(shape, kw)
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], hi[0]), (p[1], hi[1])), constant_values=-np.inf)
    got = P.max_pool(xp, out, ks, st, (1, 1))
    assert got is not None
    y, arg = got
    want_y, want_arg = ref.max_pool(xp, out, ks, st, (1, 1))
    if want_arg is None:
        want_arg = ref.max_pool_argmax(xp, out, ks, st, (1, 1))
    np.testing.assert_array_equal(y, want_y)
    np.testing.assert_array_equal(arg, want_arg)
    g = rng.standard_normal(y.shape).astype(np.float32)
    np.testing.assert_allclose(P.max_pool_backward(g, arg, xp.shape[2:], out, ks, st, (1, 1)),
                               ref.max_pool_backward(g, want_arg, xp.shape[2:], out, ks, st, (1, 1)),
                               rtol=1e-6, atol=1e-6)


def test_uncovered_inputs_are_left_to_the_kernel_sets():
    x = np.random.default_rng(0).standard_normal((2, 3, 8, 8)).astype(np.float32)
    geom = ((4, 4), (2, 2), (2, 2))
    assert P.max_pool(x, *geom, (2, 1)) is None                      # dilated: oneDNN's reference kernel
    assert P.max_pool(x.astype(np.float64), *geom, (1, 1)) is None
    assert P.max_pool(x[..., 0], (4,), (2,), (2,), (1,)) is None     # 1-d
    nan = x.copy()
    nan[1, 2, 3, 3] = np.nan
    assert P.max_pool(nan, *geom, (1, 1)) is None                    # oneDNN skips NaN; torch propagates it
    low = x.copy()
    low[0, 0, :2, :2] = -np.inf
    assert P.max_pool(low, *geom, (1, 1)) is None                    # oneDNN would give float32's lowest
    arg32 = np.zeros((2, 3, 4, 4), np.int32)                         # the kernel sets' arg-max, not a workspace
    assert P.max_pool_backward(np.ones((2, 3, 4, 4), np.float32), arg32, (8, 8), *geom, (1, 1)) is None


@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("special", ["none", "nan", "-inf"])
def test_max_pool2d_vs_torch(onednn, case, special):
    """The op with oneDNN on: values, torch's flat indices and gradients equal torch's, NaN and -inf included."""
    shape, kw = CASES[case]
    rng = np.random.default_rng(10 + case)
    x = rng.standard_normal(shape).astype(np.float32)
    if special == "nan":
        x[0, 0, 1, 1] = x[-1, -1, 2, 3] = x[-1, -1, 2, 2] = np.nan
    elif special == "-inf":
        x[0, 0, :3, :3] = -np.inf
    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (ey, ei), (ty, ti) = F.max_pool2d(ex, return_indices=True, **kw), \
        torch.nn.functional.max_pool2d(tx, return_indices=True, **kw)
    g = rng.standard_normal(tuple(ty.shape)).astype(np.float32)
    ey.backward(ember.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_array_equal(ey.detach().numpy(), ty.detach().numpy())
    np.testing.assert_array_equal(ei.numpy(), ti.numpy())
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_the_switch_routes_covered_calls_to_onednn(onednn, monkeypatch):
    """max_pool2d reaches oneDNN's kernels through ``kernels`` where they cover the call, the kernel sets where not."""
    seen = []

    def spy(name):
        real = P.KERNELS[name]

        def kernel(*args):
            out = real(*args)
            seen.append((name, out is not None))
            return out
        return kernel

    monkeypatch.setattr(kernels, "_chained", {})
    for name in ("max_pool", "max_pool_backward"):
        monkeypatch.setitem(P.KERNELS, name, spy(name))
    x = ember.randn(2, 3, 8, 8, requires_grad=True)
    F.max_pool2d(x, 3, 2, 1).sum().backward()
    assert seen == [("max_pool", True), ("max_pool_backward", True)]
    seen.clear()
    F.max_pool2d(x, 3, 2, 1, dilation=2).sum().backward()
    assert seen == [("max_pool", False), ("max_pool_backward", False)]  # dilated: numba's (or NumPy's) both


def test_double_backward_from_onednn_arg_max(onednn):
    """The arg-max oneDNN returned (its one-byte workspace) also serves max pooling's double backward."""
    x = np.random.default_rng(5).standard_normal((2, 3, 9, 9)).astype(np.float32)
    got = []
    for lib, pool in ((ember, F.max_pool2d), (torch, torch.nn.functional.max_pool2d)):
        t = lib.tensor(x, requires_grad=True)
        y = pool(t, 3, 2, 1)
        g = lib.tensor(np.random.default_rng(6).standard_normal(tuple(y.shape)).astype(np.float32), requires_grad=True)
        gx, = lib.autograd.grad(y, t, g, create_graph=True)
        v = lib.tensor(np.random.default_rng(7).standard_normal(x.shape).astype(np.float32))
        got.append(lib.autograd.grad((gx * v).sum(), g)[0].detach().numpy())
    np.testing.assert_array_equal(*got)
