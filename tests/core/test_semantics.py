"""torch's semantics at the edges, each checked against torch on the same program: gradient dtypes and
0-d gradients (the engine's cast), gradients where torch gives zeros, storage (resize_, set_, clone's
strides), integer wrap-around and division by zero, NaN, list indexing, in-place on overlapping memory,
0-d and zero-size inputs, lazy samplers, modules real scripts import, and the graph's node names."""
from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn.functional as F

torch = pytest.importorskip("torch", reason="torch is the test oracle")
tF = torch.nn.functional


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def _same(e, t, exact=True):
    """Values, shape and dtype of an ember tensor equal torch's."""
    assert tuple(e.shape) == tuple(t.shape), (tuple(e.shape), tuple(t.shape))
    assert str(e.dtype).replace("ember.", "") == str(t.dtype).replace("torch.", ""), (e.dtype, t.dtype)
    if exact:
        np.testing.assert_array_equal(_np(e), _np(t))
    else:
        np.testing.assert_allclose(_np(e), _np(t), rtol=1e-5, atol=1e-6, equal_nan=True)


def _raises_like(fe, ft):
    """ember raises the exception type torch raises; returns both messages."""
    with pytest.raises(Exception) as te:
        ft()
    with pytest.raises(type(te.value)) as ee:
        fe()
    return str(ee.value), str(te.value)


# --------------------------------------------------------------------------- gradient dtypes
@pytest.mark.parametrize("create_graph", [False, True])
def test_float32_matmul_times_float64_mask_gives_float32_grad(create_graph):
    w = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    a = np.random.default_rng(1).standard_normal((2, 3)).astype(np.float32)
    m = np.random.default_rng(2).random((2, 4))
    results = []
    for lib in (ember, torch):
        W = lib.tensor(w, requires_grad=True)
        loss = ((lib.tensor(a) @ W) * lib.tensor(m)).sum()
        (g,) = lib.autograd.grad(loss, W, create_graph=create_graph)
        results.append(g)
    _same(results[0], results[1], exact=False)


def test_root_gradient_is_cast_to_the_output_dtype():
    x = np.arange(3, dtype=np.float32)
    grads = []
    for lib in (ember, torch):
        t = lib.tensor(x, requires_grad=True)
        (t * 2).backward(lib.ones(3, dtype=lib.float64))
        grads.append(t.grad)
    _same(grads[0], grads[1])


@pytest.mark.parametrize("name", ["hardshrink", "hardtanh", "relu6", "gelu", "silu", "hardswish", "softshrink",
                                  "leaky_relu", "relu", "sigmoid", "tanh", "elu"])
def test_zero_dim_gradient_is_a_zero_dim_array(name):
    grads = []
    for lib, fn in ((ember, getattr(F, name)), (torch, getattr(tF, name))):
        x = lib.tensor(0.7, requires_grad=True)
        fn(x).backward()
        grads.append(x.grad)
    assert isinstance(grads[0].numpy(), np.ndarray) and grads[0].numpy().shape == ()
    _same(grads[0], grads[1], exact=False)


def test_zero_dim_threshold_gradient():
    grads = []
    for lib, fn in ((ember, F.threshold), (torch, tF.threshold)):
        x = lib.tensor(0.7, requires_grad=True)
        fn(x, 0.1, 0.0).backward()
        grads.append(x.grad)
    assert isinstance(grads[0].numpy(), np.ndarray)
    _same(grads[0], grads[1])


# --------------------------------------------------------------------------- zeros, not NaN
@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
def test_every_target_ignored_gives_zero_gradient(loss, create_graph):
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    out = []
    for lib, f in ((ember, F), (torch, tF)):
        t = lib.tensor(x, requires_grad=True)
        inp = f.log_softmax(t, 1) if loss == "nll_loss" else t
        value = getattr(f, loss)(inp, lib.tensor([-100, -100, -100]))
        (g,) = lib.autograd.grad(value, t, create_graph=create_graph)
        out.append((value, g))
    assert np.isnan(_np(out[0][0])) and np.isnan(_np(out[1][0]))
    _same(out[0][1], out[1][1])


@pytest.mark.parametrize("x", [np.array([[0.5], [1.5]]), np.zeros((2, 3))], ids=["size1", "constant"])
def test_std_without_correction_has_zero_gradient_where_std_is_zero(x):
    grads = []
    for lib in (ember, torch):
        t = lib.tensor(x.astype(np.float32), requires_grad=True)
        t.std(1, unbiased=False).sum().backward()
        grads.append(t.grad)
    _same(grads[0], grads[1])
