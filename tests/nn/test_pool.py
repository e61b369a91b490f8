"""Pooling against torch (float64): outputs, indices, input grads, ceil_mode, ties, both kernel sets."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F
from tests.nn._conv_helpers import compare, compare_double_backward, gradcheck, kernel_set, torch  # noqa: F401

TF = torch.nn.functional
r = np.random.randn

POOL = [
    ("max_pool2d", (2, 3, 8, 8), (2,), {}),
    ("max_pool2d", (2, 3, 9, 7), (3, 2, 1), dict(ceil_mode=True, return_indices=True)),
    ("max_pool2d", (2, 3, 9, 7), ((3, 2), (2, 1), (1, 1)), dict(dilation=(2, 1), return_indices=True)),
    ("max_pool2d", (3, 9, 7), (3,), {}),
    ("max_pool1d", (2, 3, 10), (3, 3, 1), dict(ceil_mode=True, return_indices=True)),
    ("max_pool3d", (1, 2, 5, 6, 5), (2, 2, 1), dict(ceil_mode=True)),
    ("avg_pool2d", (2, 3, 9, 7), (3, 2, 1), dict(ceil_mode=True)),
    ("avg_pool2d", (2, 3, 9, 7), (3, 2, 1), dict(ceil_mode=True, count_include_pad=False)),
    ("avg_pool2d", (2, 3, 9, 7), ((3, 2), (2, 3), (1, 1)), dict(divisor_override=5)),
    ("avg_pool1d", (2, 3, 10), (4, 3, 2), dict(ceil_mode=True)),
    ("avg_pool3d", (1, 2, 5, 6, 5), (3, 2, 1), {}),
    ("adaptive_avg_pool2d", (2, 3, 9, 7), ((4, 3),), {}),
    ("adaptive_avg_pool2d", (2, 3, 9, 7), (1,), {}),
    ("adaptive_avg_pool2d", (2, 3, 9, 7), ((None, 3),), {}),
    ("adaptive_avg_pool1d", (2, 3, 10), (4,), {}),
    ("adaptive_max_pool2d", (2, 3, 9, 7), ((4, 3),), dict(return_indices=True)),
    ("adaptive_max_pool1d", (2, 3, 10), (4,), dict(return_indices=True)),
    ("lp_pool2d", (2, 3, 8, 8), (2, 3, 2), {}),
    ("lp_pool1d", (2, 3, 8), (3, 2), {}),
]


@pytest.mark.parametrize("fn,xs,args,kw", POOL)
def test_pool_vs_torch(kernel_set, fn, xs, args, kw):
    compare(getattr(F, fn), getattr(TF, fn), r(*xs), *args, **kw)


def test_max_pool_ties_and_nan(kernel_set):
    compare(F.max_pool2d, TF.max_pool2d, np.zeros((1, 1, 4, 4)), 3, 1)  # every window ties: first one wins
    x = r(1, 1, 4, 4)
    x[0, 0, 1, 1] = np.nan
    y = F.max_pool2d(ember.tensor(x), 2)
    np.testing.assert_array_equal(np.isnan(y.numpy()), np.isnan(TF.max_pool2d(torch.tensor(x), 2).numpy()))


def test_pool_channels_last(kernel_set):
    x = r(2, 3, 8, 6)
    xcl = ember.tensor(x).contiguous(memory_format=ember.channels_last)
    np.testing.assert_allclose(F.max_pool2d(xcl, 3, 2, 1).numpy(), TF.max_pool2d(torch.tensor(x), 3, 2, 1).numpy())
    np.testing.assert_allclose(F.avg_pool2d(xcl, 2).numpy(), TF.avg_pool2d(torch.tensor(x), 2).numpy())


def test_max_unpool_vs_torch():
    x = r(2, 3, 9, 8)
    y, i = TF.max_pool2d(torch.tensor(x), 2, return_indices=True)
    ey, ei = F.max_pool2d(ember.tensor(x), 2, return_indices=True)
    for kw in ({}, dict(output_size=(9, 8))):
        compare(lambda a, **k: F.max_unpool2d(a, ei, 2, **k), lambda a, **k: TF.max_unpool2d(a, i, 2, **k),
                y.numpy(), **kw)
    e = ember.nn.MaxUnpool1d(2)
    y1, i1 = TF.max_pool1d(torch.tensor(r(1, 2, 6)), 2, return_indices=True)
    np.testing.assert_allclose(e(ember.tensor(y1.numpy()), ember.tensor(i1.numpy())).numpy(),
                               torch.nn.MaxUnpool1d(2)(y1, i1).numpy())


MAX_DOUBLE = [
    ("max_pool2d", (2, 3, 6, 6), dict(kernel_size=2)),  # non-overlapping windows: the arg-max found in backward
    ("max_pool2d", (2, 3, 7, 6), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("max_pool1d", (2, 3, 9), dict(kernel_size=3, stride=2, dilation=2)),
    ("max_pool3d", (1, 2, 4, 5, 4), dict(kernel_size=2, stride=1)),
    ("adaptive_max_pool2d", (2, 3, 7, 5), dict(output_size=(3, 2))),
    ("adaptive_max_pool1d", (2, 3, 9), dict(output_size=4)),
]


@pytest.mark.parametrize("fn,xs,kw", MAX_DOUBLE)
def test_max_pool_double_backward_vs_torch(kernel_set, fn, xs, kw):
    """create_graph=True through max pooling: the double backward gathers the incoming gradient at the arg-max."""
    compare_double_backward(lambda x: getattr(F, fn)(x, **kw), lambda x: getattr(TF, fn)(x, **kw), r(*xs))


def test_max_unpool_double_backward_vs_torch():
    y, i = TF.max_pool2d(torch.tensor(r(2, 3, 6, 4)), 2, return_indices=True)
    ei = ember.tensor(i.numpy())
    compare_double_backward(lambda a: F.max_unpool2d(a, ei, 2), lambda a: TF.max_unpool2d(a, i, 2), y.numpy())


def test_pool_gradcheck():
    gradcheck(F.max_pool2d, r(1, 2, 5, 5), kernel_size=3, stride=2, padding=1, ceil_mode=True)
    gradcheck(F.avg_pool2d, r(1, 2, 5, 5), kernel_size=3, stride=2, padding=1, count_include_pad=False)
    gradcheck(F.adaptive_max_pool2d, r(1, 2, 5, 5), output_size=3)
    gradcheck(F.adaptive_avg_pool2d, r(1, 2, 5, 5), output_size=(3, 2))
    gradcheck(F.lp_pool2d, np.abs(r(1, 1, 4, 4)) + 0.5, norm_type=2, kernel_size=2)


def test_pool_modules_and_errors():
    for name, args in [("MaxPool2d", (3, 2, 1)), ("AvgPool2d", (2,)), ("AdaptiveAvgPool2d", ((2, 3),)),
                       ("AdaptiveMaxPool2d", (2,)), ("LPPool2d", (2, 2)), ("MaxPool1d", (2,)), ("AvgPool1d", (3,)),
                       ("AdaptiveAvgPool1d", (3,)), ("AdaptiveMaxPool1d", (3,)), ("LPPool1d", (3, 2))]:
        x = np.abs(r(2, 3, 7, 6)) if "2d" in name else np.abs(r(2, 3, 7))
        compare(getattr(ember.nn, name)(*args), getattr(torch.nn, name)(*args), x)
    assert repr(ember.nn.MaxPool2d(2)) == repr(torch.nn.MaxPool2d(2))
    with pytest.raises(RuntimeError, match="pad should be smaller than or equal to half of kernel size, but got "
                                           "padW = 2, padH = 2, kW = 3, kH = 3"):  # torch's max pooling message
        F.max_pool2d(ember.randn(1, 1, 5, 5), 3, padding=2)
    with pytest.raises(RuntimeError, match="pad should be at most half of effective kernel size, but got pad=2, "
                                           "kernel_size=3 and dilation=1"):
        F.avg_pool2d(ember.randn(1, 1, 5, 5), 3, padding=2)
    with pytest.raises(RuntimeError, match=r"Given input size: \(2x2x2\). Calculated output size: \(2x0x0\). "
                                           "Output size is too small"):
        F.avg_pool2d(ember.randn(1, 2, 2, 2), 3)
