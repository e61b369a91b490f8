"""Conv / ConvTranspose / Unfold / Fold / pad / interpolate / pixel shuffle against torch (float64),
with both kernel sets, channels-last inputs, module init and errors (F.pad and F.interpolate on their own: the
F.<name> rows of tests/ops/op_db_nn_vision.py)."""
import math

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from tests.nn._conv_helpers import NoGrad, compare, gradcheck, kernel_set, torch  # noqa: F401

TF = torch.nn.functional
r = np.random.randn

CONV = [  # (fn, x shape, w shape, kwargs)
    ("conv1d", (2, 4, 9), (4, 1, 3), dict(stride=2, groups=4)),
    ("conv1d", (2, 3, 9), (5, 3, 3), dict(padding="same", dilation=2)),
    ("conv2d", (2, 4, 7, 6), (6, 2, 3, 2), dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2)),
    ("conv2d", (2, 3, 7, 6), (6, 3, 3, 3), dict(padding="same", dilation=2)),
    ("conv2d", (2, 3, 7, 6), (6, 3, 3, 3), dict(padding="valid", stride=3)),
    ("conv2d", (3, 7, 6), (6, 3, 3, 3), dict(padding=1)),
    ("conv3d", (1, 2, 5, 4, 4), (3, 2, 2, 3, 2), dict(stride=(1, 2, 1), padding=1)),
]


@pytest.mark.parametrize("fn,xs,ws,kw", CONV)
@pytest.mark.parametrize("bias", [True, False])
def test_conv_vs_torch(kernel_set, fn, xs, ws, kw, bias):
    args = (r(*xs), r(*ws), r(ws[0]) if bias else None)
    compare(getattr(F, fn), getattr(TF, fn), *args, **kw)


TCONV = [
    ("conv_transpose2d", (2, 4, 4, 5), (4, 3, 3, 2), dict(stride=(2, 3), padding=(1, 1), output_padding=(1, 2),
                                                          groups=2)),
    ("conv_transpose1d", (2, 4, 5), (4, 3, 3), dict(stride=2, padding=2, output_padding=1, dilation=2)),
    ("conv_transpose2d", (4, 4, 5), (4, 3, 3, 2), dict()),
    ("conv_transpose3d", (1, 2, 3, 3, 2), (2, 2, 2, 2, 2), dict(stride=2, padding=1)),
]


@pytest.mark.parametrize("fn,xs,ws,kw", TCONV)
def test_conv_transpose_vs_torch(kernel_set, fn, xs, ws, kw):
    cout = ws[1] * kw.get("groups", 1)
    compare(getattr(F, fn), getattr(TF, fn), r(*xs), r(*ws), r(cout), **kw)


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
def test_conv2d_module_padding_modes(mode):
    e = ember.nn.Conv2d(3, 4, 3, padding=(1, 2), padding_mode=mode, dtype=ember.float64)
    t = torch.nn.Conv2d(3, 4, 3, padding=(1, 2), padding_mode=mode, dtype=torch.float64)
    t.load_state_dict({k: torch.tensor(v.numpy()) for k, v in e.state_dict().items()})
    compare(e, t, r(2, 3, 5, 6))


def test_conv_channels_last_same_result(kernel_set):
    x, w = r(2, 3, 6, 5), r(4, 3, 3, 3)
    ex = ember.tensor(x, requires_grad=True)
    xcl = ex.contiguous(memory_format=ember.channels_last)
    y = F.conv2d(xcl, ember.tensor(w), padding=1)
    assert y.is_contiguous(memory_format=ember.channels_last)
    ref = TF.conv2d(torch.tensor(x), torch.tensor(w), padding=1)
    np.testing.assert_allclose(y.detach().numpy(), ref.numpy(), atol=1e-10)
    y.sum().backward()
    tx = torch.tensor(x, requires_grad=True)
    TF.conv2d(tx, torch.tensor(w), padding=1).sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), atol=1e-10)


def test_conv_gradcheck():
    gradcheck(F.conv2d, r(1, 2, 5, 4), r(2, 1, 2, 3), r(2), stride=(2, 1), padding=1, groups=2)
    gradcheck(F.conv_transpose1d, r(1, 2, 4), r(2, 2, 3), r(2), stride=2, output_padding=1)
    gradcheck(F.unfold, r(1, 2, 4, 4), kernel_size=2, stride=1, padding=1)
    gradcheck(F.fold, r(1, 8, 4), output_size=(3, 3), kernel_size=2)


def test_conv_init_and_state_dict():
    m = ember.nn.Conv2d(3, 6, 5, groups=3)
    assert list(m.state_dict()) == ["weight", "bias"] and m.weight.shape == (6, 1, 5, 5)
    bound = 1 / math.sqrt(25)  # kaiming_uniform(a=sqrt(5)) and the fan-in bias bound are both 1/sqrt(fan_in)
    assert np.abs(m.weight.detach().numpy()).max() <= bound and np.abs(m.bias.detach().numpy()).max() <= bound
    t = ember.nn.ConvTranspose2d(4, 6, 3, groups=2)
    assert t.weight.shape == (4, 3, 3, 3)
    assert repr(m) == "Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1), groups=3)"


def test_conv_transpose_output_size_and_lazy():
    e = ember.nn.ConvTranspose2d(4, 2, 3, stride=2)
    assert e(ember.randn(1, 4, 5, 5), output_size=(12, 12)).shape == (1, 2, 12, 12)
    with pytest.raises(ValueError, match="requested an output size of"):
        e(ember.randn(1, 4, 5, 5), output_size=(14, 14))
    lazy = ember.nn.LazyConv2d(8, 3, padding=1)
    assert lazy(ember.randn(2, 5, 6, 6)).shape == (2, 8, 6, 6)
    assert type(lazy) is ember.nn.Conv2d and lazy.weight.shape == (8, 5, 3, 3) and lazy.in_channels == 5
    lt = ember.nn.LazyConvTranspose2d(8, 3, stride=2)
    assert lt(ember.randn(2, 5, 6, 6)).shape == (2, 8, 13, 13) and lt.weight.shape == (5, 8, 3, 3)


def test_conv_errors():
    m = ember.nn.Conv2d(3, 6, 5)
    with pytest.raises(RuntimeError) as e:
        m(ember.randn(1, 4, 32, 32))
    assert str(e.value) == ("Given groups=1, weight of size [6, 3, 5, 5], expected input[1, 4, 32, 32] to have 3 "
                            "channels, but got 4 channels instead")
    with pytest.raises(RuntimeError, match="Kernel size can't be greater than actual input size"):
        m(ember.randn(1, 3, 4, 4))
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d"):
        m(ember.randn(3, 4))
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        ember.nn.Conv2d(3, 6, 3, groups=2)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided convolutions"):
        ember.nn.Conv2d(3, 6, 3, stride=2, padding="same")


@pytest.mark.parametrize("padding, stride", [("bad", 1), ("same", 2)])
def test_functional_padding_string_errors_as_torch(padding, stride):
    """``F.conv*`` raise torch's RuntimeError (the modules raise ValueError at construction, as torch's)."""
    with pytest.raises(RuntimeError) as want:
        torch.nn.functional.conv1d(torch.randn(1, 1, 5), torch.randn(1, 1, 3), padding=padding, stride=stride)
    with pytest.raises(RuntimeError) as got:
        F.conv1d(ember.randn(1, 1, 5), ember.randn(1, 1, 3), padding=padding, stride=stride)
    assert str(got.value) == str(want.value)


def test_unfold_fold_vs_torch(kernel_set):
    kw = dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1))
    compare(F.unfold, TF.unfold, r(2, 3, 8, 8), **kw)
    compare(F.fold, TF.fold, r(2, 3 * 6, 30), output_size=(8, 8), **kw)


def test_pad_modules():
    for name, args in [("ZeroPad2d", ((1, 1, 2, 0),)), ("ConstantPad1d", (2, 3.5)), ("ReflectionPad2d", (2,)),
                       ("ReplicationPad1d", ((1, 3),)), ("CircularPad2d", (1,)), ("ReflectionPad1d", (2,)),
                       ("ReplicationPad2d", ((1, 0, 2, 1),)), ("ConstantPad2d", (1, -1.0))]:
        x = r(1, 2, 4, 5) if "2d" in name else r(1, 2, 5)
        compare(getattr(ember.nn, name)(*args), getattr(torch.nn, name)(*args), x)


def test_upsample_modules_and_pixel_shuffle():
    compare(ember.nn.Upsample(scale_factor=2, mode="bilinear"), torch.nn.Upsample(scale_factor=2, mode="bilinear"),
            r(1, 2, 3, 4))
    compare(ember.nn.UpsamplingNearest2d(size=(5, 7)), torch.nn.UpsamplingNearest2d(size=(5, 7)), r(1, 2, 3, 4))
    compare(ember.nn.UpsamplingBilinear2d(scale_factor=2), torch.nn.UpsamplingBilinear2d(scale_factor=2),
            r(1, 2, 3, 4))
    compare(ember.nn.PixelShuffle(2), torch.nn.PixelShuffle(2), r(2, 8, 3, 4))
    compare(ember.nn.PixelUnshuffle(2), torch.nn.PixelUnshuffle(2), r(2, 2, 6, 4))
    gradcheck(F.interpolate, r(1, 1, 3, 3), size=(4, 5), mode="bicubic")
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        F.interpolate(ember.randn(1, 1, 2, 2), scale_factor=2, align_corners=True)
