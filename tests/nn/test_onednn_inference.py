"""oneDNN's inference paths against torch and the NumPy reference: the reordered-weight cache (values after
every kind of write to a weight, including writes that bypass the version counter), and the per-channel
affine map of inference batch norm (oneDNN's binary primitive) in NCHW and channels-last storage."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.backends import kernels_numpy

torch = pytest.importorskip("torch")
pytest.importorskip("ember.backends.kernels_onednn", reason="oneDNN (libdnnl.so.3) is not installed")
from ember.backends import kernels_onednn, kernels_onednn_plain, reorder_cache  # noqa: E402

tF = torch.nn.functional


def _conv_both(x, w, b, **kw):
    with ember.no_grad():
        ours = F.conv2d(ember.from_numpy(x), w, b, **kw).numpy()
    with torch.no_grad():
        tb = None if b is None else torch.tensor(b.numpy())
        theirs = tF.conv2d(torch.tensor(x), torch.tensor(w.numpy()), tb, **kw).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)
    return ours


def test_cached_weights_follow_every_write(onednn):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 16, 9, 9)).astype(np.float32)
    src = rng.standard_normal((32, 16, 3, 3)).astype(np.float32)
    w = ember.from_numpy(src)  # shares memory with ``src``
    b = ember.from_numpy(rng.standard_normal(32).astype(np.float32))
    cache = reorder_cache.WEIGHTS
    hits = cache.hits
    for _ in range(3):
        _conv_both(x, w, b, padding=1)
    assert cache.hits > hits  # a weight seen again at the same address is served from the cache
    writes = [
        lambda: w.numpy().__setitem__((0, 0, 0, 0), 5.0),    # a NumPy view: no version bump
        lambda: src.__setitem__((31, 15, 2, 2), -3.0),        # from_numpy's source array
        lambda: np.asarray(w).__imul__(np.float32(0.5)),      # __array__ shares memory
        lambda: w.add_(1.0),                                  # an in-place op
        lambda: w.copy_(ember.from_numpy(rng.standard_normal((32, 16, 3, 3)).astype(np.float32))),
    ]
    for write in writes:
        write()
        _conv_both(x, w, b, padding=1)  # compared with torch on the weight as it is now
        _conv_both(x, w, b, padding=1)


def test_cache_only_for_inference_and_bounded(onednn):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 8, 9, 9)).astype(np.float32)  # 81 uses of each weight: blocked and cached
    w = ember.from_numpy(rng.standard_normal((8, 8, 3, 3)).astype(np.float32)).requires_grad_()
    cache = reorder_cache.ReorderCache(max_bytes=1 << 20)
    saved, reorder_cache.WEIGHTS = reorder_cache.WEIGHTS, cache
    kernels_onednn.WEIGHTS = cache
    try:
        for _ in range(3):  # training: nothing cached (the weights change every step)
            F.conv2d(ember.from_numpy(x), w, padding=1).sum().backward()
        assert not cache.entries
        for _ in range(3):
            _conv_both(x, w.detach(), None, padding=1)
        assert len(cache.entries) == 1 and cache.nbytes <= cache.max_bytes
        tiny = reorder_cache.ReorderCache(max_bytes=64)  # an entry that does not fit is never kept
        kernels_onednn.WEIGHTS = tiny
        for _ in range(3):
            _conv_both(x, w.detach(), None, padding=1)
        assert not tiny.entries and tiny.nbytes == 0
    finally:
        reorder_cache.WEIGHTS = kernels_onednn.WEIGHTS = saved


def test_non_contiguous_weight_not_cached(onednn):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((1, 4, 5, 5)).astype(np.float32)
    wt = ember.from_numpy(rng.standard_normal((4, 4, 3, 3)).astype(np.float32)).transpose(0, 1)
    n = len(reorder_cache.WEIGHTS.entries)
    for _ in range(3):
        _conv_both(x, wt, None, padding=1)
    assert len(reorder_cache.WEIGHTS.entries) == n


@pytest.mark.parametrize("shape", [(4, 6, 5, 7), (2, 3, 10), (2, 5, 3, 4, 2), (1, 64, 8, 8)])
@pytest.mark.parametrize("channels_last", [False, True])
def test_channel_affine_matches_reference(shape, channels_last):
    if channels_last and len(shape) != 4:
        pytest.skip("channels-last storage is a 4-d layout")
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape).astype(np.float32)
    if channels_last:
        x = np.moveaxis(np.ascontiguousarray(np.moveaxis(x, 1, -1)), -1, 1)
    s, t = rng.standard_normal((2, shape[1])).astype(np.float32)
    y = kernels_onednn_plain.channel_affine(x, s, t)
    ref = kernels_numpy.channel_affine(x, s, t)
    np.testing.assert_allclose(y, ref, rtol=1e-6, atol=1e-6)
    assert y.strides == x.strides  # the input's layout, as torch keeps channels-last


def test_channel_affine_not_covered():
    x64 = np.ones((2, 3, 4), np.float64)
    strided = np.ones((2, 3, 8), np.float32)[:, :, ::2]
    s = np.ones(3, np.float32)
    assert kernels_onednn_plain.channel_affine(x64, s, s) is None
    assert kernels_onednn_plain.channel_affine(strided, s, s) is None


@pytest.mark.parametrize("channels_last", [False, True])
def test_batch_norm_eval_matches_torch(onednn, channels_last):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 5, 6, 7)).astype(np.float32)
    stats = [rng.standard_normal(5).astype(np.float32) for _ in range(4)]
    stats[1] = np.abs(stats[1]) + 0.5  # running variance
    ex, tx = ember.tensor(x), torch.tensor(x)
    if channels_last:
        ex, tx = ex.to(memory_format=ember.channels_last), tx.to(memory_format=torch.channels_last)
    with ember.no_grad():
        ours = F.batch_norm(ex, *(ember.tensor(a) for a in stats), training=False)
    theirs = tF.batch_norm(tx, *(torch.tensor(a) for a in stats), training=False)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-5)
    assert ours.is_contiguous(memory_format=ember.channels_last) == channels_last


FUSED = [
    ((2, 3, 9, 9), dict(in_channels=3, out_channels=8, kernel_size=3, padding=1)),
    ((1, 4, 8, 7), dict(in_channels=4, out_channels=6, kernel_size=3, stride=2, dilation=2, groups=2, bias=False)),
    ((2, 4, 6, 6), dict(in_channels=4, out_channels=4, kernel_size=(1, 3), padding="same")),
]


def _conv_relu_pair(kw, seed=5):
    from ember.ao.nn.intrinsic import ConvReLU2d
    ember.manual_seed(seed)
    conv = ember.nn.Conv2d(**kw)
    tconv = torch.nn.Conv2d(**kw)
    tconv.load_state_dict({k: torch.tensor(v.numpy()) for k, v in conv.state_dict().items()})
    return ConvReLU2d(conv, ember.nn.ReLU()).eval(), torch.nn.Sequential(tconv, torch.nn.ReLU()).eval()


@pytest.mark.parametrize("shape,kw", FUSED)
@pytest.mark.parametrize("channels_last", [False, True])
def test_fused_conv_relu_matches_torch(onednn, shape, kw, channels_last):
    fused, ref = _conv_relu_pair(kw)
    x = np.random.default_rng(6).standard_normal(shape).astype(np.float32)
    ex, tx = ember.tensor(x), torch.tensor(x)
    if channels_last:
        ex, tx = ex.to(memory_format=ember.channels_last), tx.to(memory_format=torch.channels_last)
    kernels_onednn._plans.clear()
    with ember.no_grad():
        ours = fused(ex)
    with torch.no_grad():
        theirs = ref(tx)
    assert [key[-1] for key in kernels_onednn._plans] == [True]  # one convolution, the ReLU its post-op
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-4, atol=1e-4)
    assert ours.is_contiguous(memory_format=ember.channels_last) == channels_last
    assert float(ours.min()) >= 0.0


def test_fused_conv_relu_falls_back_when_recording_or_hooked(onednn):
    shape, kw = FUSED[0]
    fused, ref = _conv_relu_pair(kw)
    x = np.random.default_rng(7).standard_normal(shape).astype(np.float32)
    y = fused(ember.tensor(x))  # grad mode on, parameters require grad: the two layers, with a graph
    assert y.grad_fn is not None
    y.sum().backward()
    tref = ref(torch.tensor(x))
    tref.sum().backward()
    np.testing.assert_allclose(fused[0].weight.grad.numpy(), ref[0].weight.grad.numpy(), rtol=1e-4, atol=1e-4)
    seen = []
    fused[1].register_forward_hook(lambda m, i, o: seen.append(o.shape))
    with ember.no_grad():
        fused(ember.tensor(x))
    assert seen == [ember.Size(tref.shape)]  # the hook saw the ReLU run


def test_fused_modules_conv_bn_relu_eval(onednn):
    from ember.ao.quantization import fuse_modules
    rng = np.random.default_rng(8)
    m = ember.nn.Sequential(ember.nn.Conv2d(3, 5, 3, padding=1), ember.nn.BatchNorm2d(5), ember.nn.ReLU())
    m[1].running_mean.copy_(ember.tensor(rng.standard_normal(5).astype(np.float32)))
    m[1].running_var.copy_(ember.tensor((rng.random(5) + 0.5).astype(np.float32)))
    m.eval()
    f = fuse_modules(m, [["0", "1", "2"]])
    x = ember.tensor(rng.standard_normal((2, 3, 7, 7)).astype(np.float32))
    with ember.no_grad():
        np.testing.assert_allclose(f(x).numpy(), m(x).numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("where", ["input", "weight", "bias"])
def test_fused_conv_relu_keeps_nan_as_torch(onednn, where):
    shape, kw = FUSED[0]
    fused, ref = _conv_relu_pair(kw)
    x = np.random.default_rng(9).standard_normal(shape).astype(np.float32)
    if where == "input":
        x[0, 1, 4, 4] = np.nan
    else:
        for mod in (fused[0], ref[0]):
            getattr(mod, where).data[0] = float("nan")  # every output of channel 0 becomes NaN
    with ember.no_grad():
        ours = fused(ember.tensor(x)).numpy()
    with torch.no_grad():
        theirs = ref(torch.tensor(x)).numpy()
    assert np.isnan(theirs).any()
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)  # NaN positions compare equal
