"""The convolution kernels behind the one switch (``kernels.conv_forward``, ``conv_transpose_forward``,
``conv_backward``), each against torch on raw arrays: the NumPy reference (``conv_reference`` with either kernel
set), NCHW im2col, the direct convolution, Winograd and oneDNN, where each applies; groups, dilation, stride,
padding (asymmetric too), channels-last storage, 1-d/2-d/3-d, transposed; float32 and float64. Values, dx, dW
and db, and the per-direction entries against the joint one."""
from __future__ import annotations

import numpy as np
import pytest

from ember.backends import conv_nchw, conv_reference, conv_winograd, kernels, kernels_numpy

torch = pytest.importorskip("torch")

SETS = [kernels_numpy]
try:
    from ember.backends import kernels_numba
    SETS.append(kernels_numba)
except ImportError:  # numba is optional: the reference set alone runs
    pass
try:
    from ember.backends import kernels_onednn
except ImportError:  # oneDNN is optional (the onednn extra)
    kernels_onednn = None


def _algorithms(x, w, stride, dilation, groups):
    """(name, forward(x, w, b, stride, pads, dilation, groups, keep)) for every kernel that covers the call."""
    algos = [(f"reference-{ks.__name__.rsplit('_', 1)[1]}",
              lambda *a, ks=ks: conv_reference.forward(ks, *a)) for ks in SETS]
    if x.ndim == 4 and groups == 1:
        for ks in SETS:
            name = ks.__name__.rsplit("_", 1)[1]
            algos.append((f"im2col-{name}", lambda x, w, b, s, p, d, g, keep, ks=ks: conv_nchw.forward(
                ks, x, w, b, s, p, d, keep)))
            if conv_nchw.direct_usable(ks, x, w, stride, dilation):
                algos.append((f"direct-{name}", lambda x, w, b, s, p, d, g, keep, ks=ks: conv_nchw.forward_direct(
                    ks, x, w, b, p, keep)))
            if w.shape[2:] == (3, 3) and stride == (1, 1) and dilation == (1, 1):
                algos.append((f"winograd-{name}", lambda x, w, b, s, p, d, g, keep, ks=ks: conv_winograd.forward(
                    ks, x, w, b, p, conv_reference.out_size(x.shape[2:], p, w.shape[2:], s, d), keep)))
    if kernels_onednn is not None and x.dtype == np.float32 and x.ndim in (3, 4):
        algos.append(("onednn", kernels_onednn.conv_forward))
    return algos


def _torch_conv(x, w, b, stride, pads, dilation, groups, g):
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    tb = torch.tensor(b, requires_grad=True)
    flat = [p for lo_hi in reversed(pads) for p in lo_hi]  # F.pad wants the last dim first
    conv = getattr(torch.nn.functional, f"conv{x.ndim - 2}d")
    y = conv(torch.nn.functional.pad(tx, flat), tw, tb, stride, 0, dilation, groups)
    y.backward(torch.tensor(g))
    return [a.detach().numpy() for a in (y, tx.grad, tw.grad, tb.grad)]


CONV = [  # x shape, w shape, stride, pads, dilation, groups
    ((2, 3, 9, 9), (4, 3, 3, 3), (1, 1), ((1, 1), (1, 1)), (1, 1), 1),
    ((2, 4, 9, 8), (6, 2, 3, 3), (2, 1), ((1, 1), (2, 2)), (2, 1), 2),
    ((2, 4, 7, 7), (4, 1, 3, 3), (1, 1), ((1, 1), (1, 1)), (1, 1), 4),            # depthwise
    ((3, 1, 12, 12), (6, 1, 5, 5), (1, 1), ((2, 2), (2, 2)), (1, 1), 1),          # LeNet's first: direct
    ((2, 6, 8, 8), (8, 6, 4, 4), (1, 1), ((3, 3), (3, 3)), (2, 2), 1),            # dilated
    ((2, 5, 8, 7), (6, 5, 3, 3), (1, 1), ((0, 1), (2, 1)), (1, 1), 1),            # asymmetric padding
    ((1, 16, 6, 6), (32, 16, 1, 1), (2, 2), ((0, 0), (0, 0)), (1, 1), 1),         # few rows
    ((4, 16, 8, 8), (16, 16, 3, 3), (1, 1), ((1, 1), (1, 1)), (1, 1), 1),         # Winograd's shape
    ((2, 4, 11), (6, 2, 3), (2,), ((1, 1),), (2,), 2),                            # 1-d
    ((2, 2, 5, 4, 6), (4, 2, 3, 2, 3), (1, 2, 1), ((1, 1), (0, 0), (1, 1)), (1, 1, 2), 1),  # 3-d
]


def _tol(dtype):
    return dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("case", CONV, ids=[f"conv{i}" for i in range(len(CONV))])
@pytest.mark.parametrize("channels_last", [False, True], ids=["nchw", "cl"])
def test_conv_kernels_vs_torch(case, dtype, channels_last):
    xs, ws, stride, pads, dilation, groups = case
    if channels_last and len(xs) != 4:
        pytest.skip("channels-last storage is 2-d (4-d arrays) only")
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(xs).astype(dtype), (rng.standard_normal(ws) * 0.3).astype(dtype)
    b = rng.standard_normal(ws[0]).astype(dtype)
    y0 = _torch_out(x, w, b, stride, pads, dilation, groups)
    g = rng.standard_normal(y0.shape).astype(dtype)
    ref = _torch_conv(x, w, b, stride, pads, dilation, groups, g)
    xin = np.ascontiguousarray(np.moveaxis(x, 1, -1)).transpose(0, 3, 1, 2) if channels_last else x
    algos = _algorithms(xin, w, stride, dilation, groups)
    assert algos
    for name, fwd in algos:
        y, state = fwd(xin, w, b, stride, pads, dilation, groups, (True, True))
        got = [y, *kernels.conv_backward(state, g, (True, True, True))]
        for what, a, t in zip(("y", "dx", "dW", "db"), got, ref):
            assert a.dtype == dtype and a.shape == t.shape, (name, what)
            np.testing.assert_allclose(a, t, err_msg=f"{name} {what}", **_tol(dtype))
        if channels_last and xs[1] > 1:  # one input channel: both layouts are the same array
            assert conv_reference.is_channels_last(y), name  # torch keeps channels-last storage


def _torch_out(x, w, b, stride, pads, dilation, groups):
    flat = [p for lo_hi in reversed(pads) for p in lo_hi]
    conv = getattr(torch.nn.functional, f"conv{x.ndim - 2}d")
    return conv(torch.nn.functional.pad(torch.tensor(x), flat), torch.tensor(w), torch.tensor(b), stride, 0,
                dilation, groups).numpy()


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_one_direction_entries_equal_the_joint_backward(dtype):
    """``conv_backward_data``/``conv_backward_weights`` on a state kept for one gradient each."""
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((2, 3, 7, 7)).astype(dtype), rng.standard_normal((5, 3, 3, 3)).astype(dtype)
    b = rng.standard_normal(5).astype(dtype)
    args = ((2, 1), ((1, 1), (0, 0)), (1, 1), 1)
    y, both = kernels.conv_forward(x, w, b, *args, keep=(True, True))
    g = rng.standard_normal(y.shape).astype(dtype)
    dx, dw, db = kernels.conv_backward(both, g, (True, True, True))
    _, only_x = kernels.conv_forward(x, w, b, *args, keep=(True, False))
    _, only_w = kernels.conv_forward(x, w, b, *args, keep=(False, True))
    np.testing.assert_allclose(kernels.conv_backward_data(only_x, g), dx, **_tol(dtype))
    gw, gb = kernels.conv_backward_weights(only_w, g, True)
    np.testing.assert_allclose(gw, dw, **_tol(dtype))
    np.testing.assert_allclose(gb, db, **_tol(dtype))
    assert kernels.conv_forward(x, w, b, *args)[1] is None  # nothing kept when no backward will run


TRANSPOSED = [  # x shape, w shape, stride, padding, output_padding, dilation, groups
    ((2, 4, 5, 6), (4, 3, 3, 3), (2, 2), (1, 0), (1, 0), (1, 1), 1),
    ((2, 4, 5, 5), (4, 2, 3, 2), (1, 2), (1, 1), (0, 1), (2, 1), 2),
    ((2, 4, 9), (4, 3, 4), (3,), (1,), (0,), (1,), 1),
    ((1, 2, 3, 3, 3), (2, 2, 2, 2, 2), (2, 1, 2), (0, 0, 1), (1, 0, 0), (1, 1, 1), 1),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("case", TRANSPOSED, ids=[f"convT{i}" for i in range(len(TRANSPOSED))])
def test_conv_transpose_kernels_vs_torch(case, dtype):
    xs, ws, stride, padding, output_padding, dilation, groups = case
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal(xs).astype(dtype), rng.standard_normal(ws).astype(dtype)
    b = rng.standard_normal(ws[1] * groups).astype(dtype)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    conv = getattr(torch.nn.functional, f"conv_transpose{len(xs) - 2}d")
    ty = conv(tx, tw, tb, stride, padding, output_padding, groups, dilation)
    g = rng.standard_normal(tuple(ty.shape)).astype(dtype)
    ty.backward(torch.tensor(g))
    ref = [a.detach().numpy() for a in (ty, tx.grad, tw.grad, tb.grad)]
    algos = [(f"reference-{ks.__name__}", lambda *a, ks=ks: conv_reference.transpose_forward(ks, *a)) for ks in SETS]
    if kernels_onednn is not None and dtype == np.float32 and len(xs) in (3, 4):
        algos.append(("onednn", kernels_onednn.conv_transpose_forward))
    for name, fwd in algos:
        y, state = fwd(x, w, b, stride, padding, output_padding, dilation, groups, (True, True))
        got = [y, *kernels.conv_backward(state, g, (True, True, True))]
        for what, a, t in zip(("y", "dx", "dW", "db"), got, ref):
            assert a.dtype == dtype and a.shape == t.shape, (name, what)
            np.testing.assert_allclose(a, t, err_msg=f"{name} {what}", **_tol(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_conv2d_relu_entry_keeps_nan(dtype):
    """The inference conv+bias+ReLU entry equals torch's relu(conv2d) on finite input and keeps NaN."""
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((2, 3, 6, 6)).astype(dtype), rng.standard_normal((4, 3, 3, 3)).astype(dtype)
    b = rng.standard_normal(4).astype(dtype)
    args = ((1, 1), ((1, 1), (1, 1)), (1, 1), 1)
    want = torch.relu(torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), 1, 1)).numpy()
    np.testing.assert_allclose(kernels.conv2d_relu(x, w, b, *args), want, **_tol(dtype))
    x[0, 0, 2, 2] = np.nan
    want = torch.relu(torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), 1, 1)).numpy()
    got = kernels.conv2d_relu(x, w, b, *args)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    assert np.isnan(got).any()


@pytest.mark.skipif(kernels_onednn is None, reason="oneDNN is not installed (the onednn extra)")
def test_the_op_reaches_every_kernel_through_the_switch(monkeypatch):
    """F.conv2d runs oneDNN for float32 and the kernel set's algorithms for float64, through kernels only; the
    state the op keeps is the kernel's."""
    import ember
    import ember.nn.functional as F
    seen = []
    real = kernels_onednn.conv_forward

    def spy(*args):
        out = real(*args)
        seen.append(out is not None)
        return out

    before = kernels.library()
    kernels.use_library("onednn")
    monkeypatch.setattr(kernels_onednn, "conv_forward", spy)
    try:
        for dtype, kind in ((ember.float32, "_ConvState"), (ember.float64, "Im2colState")):
            x = ember.randn(2, 3, 6, 6, dtype=dtype, requires_grad=True)
            w = ember.randn(4, 3, 3, 3, dtype=dtype, requires_grad=True)
            y = F.conv2d(x, w, stride=2, padding=1)
            assert type(y.grad_fn.conv).__name__ == kind
            y.sum().backward()
            assert x.grad.shape == x.shape and w.grad.shape == w.shape
    finally:
        kernels.use_library(before)
    assert seen == [True, False]  # float64: oneDNN declined, NCHW im2col ran
