"""Elementwise kernels of the library: oneDNN's logistic for sigmoid, against torch and the NumPy reference, with NaN,
infinities and the extremes, and the inputs it leaves to NumPy (non-contiguous, float64, 0-d)."""
import numpy as np
import pytest
import torch

import ember
from ember.backends import kernels, kernels_numpy


@pytest.mark.skipif("onednn" not in kernels.libraries(), reason="oneDNN (the onednn extra) is not installed")
def test_onednn_sigmoid_matches_torch():
    from ember.backends import kernels_onednn_plain as P

    x = np.random.default_rng(0).standard_normal((64, 3, 17)).astype(np.float32) * 12
    x.reshape(-1)[:7] = [np.nan, np.inf, -np.inf, -100.0, 100.0, 0.0, -88.0]
    y = P.sigmoid(x)
    assert y is not None and y.dtype == np.float32 and y.shape == x.shape
    want = torch.sigmoid(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(y, want, rtol=2e-6, atol=1e-30, equal_nan=True)
    np.testing.assert_allclose(y, kernels_numpy.sigmoid(x), rtol=2e-6, atol=1e-30, equal_nan=True)
    assert P.sigmoid(x.transpose(2, 1, 0)) is None  # other layouts keep NumPy's (the result keeps x's layout)
    assert P.sigmoid(x.astype(np.float64)) is None and P.sigmoid(np.float32(1.0) * np.ones((), np.float32)) is None


@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_sigmoid_through_the_switch_as_torch(layout):
    x = np.random.default_rng(1).standard_normal((5, 8)).astype(np.float32)
    xe, xt = ember.from_numpy(x.copy()), torch.from_numpy(x.copy())
    if layout == "transposed":
        xe, xt = xe.t(), xt.t()
    xe.requires_grad_(), xt.requires_grad_()
    ye, yt = ember.sigmoid(xe), torch.sigmoid(xt)
    assert ye.stride() == yt.stride()
    (ye * ye).sum().backward()
    (yt * yt).sum().backward()
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=2e-6)
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-7)
