"""Shared helpers of the conv/pool/norm tests: run an ember callable and its torch twin on the same
float64 data and compare outputs and every gradient."""
import numpy as np
import pytest

import ember
from ember.backends import kernels

torch = pytest.importorskip("torch")


@pytest.fixture(params=kernels.available())
def kernel_set(request):
    """Run a test once per kernel set (NumPy reference, numba when installed), with ember's own convolution
    kernels (the library, oneDNN, is off: tests/nn/test_conv_library.py runs it)."""
    before, lib = kernels.current(), kernels.library()
    kernels.use(request.param)
    kernels.use_library(None)
    yield request.param
    kernels.use(before)
    kernels.use_library(lib)


def grad_arg(a):
    """A float64 array that should get a gradient (numpy arrays in ``args`` are treated so)."""
    return a


class NoGrad:
    """Wrap an array to pass it without requires_grad (running stats, indices)."""

    def __init__(self, a):
        self.a = a


def _convert(v, lib):
    if isinstance(v, np.ndarray):
        return ember.tensor(v, requires_grad=True) if lib == "ember" else torch.tensor(v, requires_grad=True)
    if isinstance(v, NoGrad):
        return ember.tensor(v.a) if lib == "ember" else torch.tensor(v.a)
    return v


def compare(efn, tfn, *args, atol=1e-9, grad=True, **kwargs):
    """Outputs and gradients of efn(*args) and tfn(*args) agree (ndarray args require grad)."""
    ea = [_convert(a, "ember") for a in args]
    ta = [_convert(a, "torch") for a in args]
    ey, ty = efn(*ea, **kwargs), tfn(*ta, **kwargs)
    if isinstance(ty, tuple):
        for e, t in zip(ey[1:], ty[1:]):
            np.testing.assert_array_equal(e.numpy(), t.numpy())
        ey, ty = ey[0], ty[0]
    assert tuple(ey.shape) == tuple(ty.shape)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), atol=atol, rtol=1e-7)
    if not grad:
        return ey
    g = np.random.randn(*ty.shape)
    ey.backward(ember.tensor(g))
    ty.backward(torch.tensor(g))
    for e, t in zip(ea, ta):
        if isinstance(e, ember.Tensor) and e.requires_grad:
            np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), atol=atol, rtol=1e-7)
    return ey


def gradcheck(fn, *arrays, **kwargs):
    inputs = tuple(ember.tensor(a, requires_grad=True) for a in arrays)
    assert ember.autograd.gradcheck(lambda *xs: fn(*xs, **kwargs), inputs, eps=1e-6, atol=1e-5)


def compare_double_backward(efn, tfn, *arrays, atol=1e-9):
    """Second derivatives of efn and tfn agree: with gx = d<y, g>/dx (create_graph=True), the gradients of
    <gx, v> with respect to every input and to g (arrays are float64 inputs that require grad)."""
    got = []
    for lib, fn in ((ember, efn), (torch, tfn)):
        data = np.random.default_rng(0)
        xs = [lib.tensor(a, requires_grad=True) for a in arrays]
        y = fn(*xs)
        g = lib.tensor(data.standard_normal(tuple(y.shape)), requires_grad=True)
        gx = lib.autograd.grad(y, xs, g, create_graph=True)
        s = sum((a * lib.tensor(data.standard_normal(tuple(a.shape)))).sum() for a in gx)
        got.append([np.zeros(tuple(a.shape)) if d is None else d.detach().numpy()
                    for a, d in zip(xs + [g], lib.autograd.grad(s, xs + [g], allow_unused=True))])
    for e, t in zip(*got):
        np.testing.assert_allclose(e, t, atol=atol, rtol=1e-7)
