"""Inference convolutions that use each weight only a few times (batch 1 on small maps: ResNet-18's last stages)
read ember's own OIHW weight array, with no blocked copy and so nothing in the reorder cache; values against
torch, also after writes that bypass the version counter, with the fused ReLU, and which plans qualify."""
import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.backends import kernels

torch = pytest.importorskip("torch")
pytest.importorskip("ember.backends.kernels_onednn", reason="oneDNN (libdnnl.so.3) is not installed")
from ember.backends import kernels_onednn, reorder_cache  # noqa: E402


def test_which_plans_read_plain_weights():
    uses = kernels_onednn.PLAIN_WEIGHTS_MAX_USES
    side = int(np.sqrt(uses))
    args = ((1, 1), ((1, 1), (1, 1)), (1, 1))
    assert kernels_onednn.conv_plan((1, 16, side, side), (32, 16, 3, 3), *args, 1, False, False).plain_w
    assert kernels_onednn.conv_plan((1, 16, side, side), (32, 16, 3, 3), *args, 1, False, False, relu=True).plain_w
    assert not kernels_onednn.conv_plan((1, 16, side, side), (32, 16, 3, 3), *args, 1, False, True).plain_w  # training
    assert not kernels_onednn.conv_plan((1, 16, side + 1, side + 1), (32, 16, 3, 3), *args, 1, False, False).plain_w
    assert not kernels_onednn.conv_plan((1, 16, side, side), (32, 4, 3, 3), *args, 4, False, False).plain_w  # groups


def test_plain_weights_match_torch_after_every_write(onednn):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 64, 4, 4)).astype(np.float32)
    src = rng.standard_normal((128, 64, 3, 3)).astype(np.float32)
    w, b = ember.from_numpy(src), ember.from_numpy(rng.standard_normal(128).astype(np.float32))
    n = len(reorder_cache.WEIGHTS.entries)

    def both():
        with ember.no_grad():
            ours = F.conv2d(ember.from_numpy(x), w, b, padding=1).numpy()
            fused = kernels.conv2d_relu(x, w.numpy(), b.numpy(), (1, 1), ((1, 1), (1, 1)), (1, 1), 1)
        theirs = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w.numpy()), torch.tensor(b.numpy()),
                                            padding=1).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(fused, np.maximum(theirs, 0), rtol=1e-4, atol=1e-4)

    for write in (lambda: None, lambda: w.numpy().__setitem__((0, 0, 0, 0), 5.0), lambda: src.__imul__(-0.5),
                  lambda: w.add_(1.0)):
        write()
        both()
        both()
    assert len(reorder_cache.WEIGHTS.entries) == n  # nothing blocked, nothing cached


def test_plain_weights_fall_back_to_blocked_where_only_a_reference_kernel_reads_them(monkeypatch, onednn):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 24, 5, 5)).astype(np.float32)
    w = rng.standard_normal((40, 24, 3, 3)).astype(np.float32)
    monkeypatch.setattr(kernels_onednn, "_impl", lambda pd: b"ref:any")  # as if no JIT kernel covered it
    monkeypatch.setattr(kernels_onednn, "_plans", {})
    plan = kernels_onednn.conv_plan(x.shape, w.shape, (1, 1), ((1, 1), (1, 1)), (1, 1), 1, False, False)
    assert not plan.plain_w
    with ember.no_grad():
        ours = F.conv2d(ember.from_numpy(x), ember.from_numpy(w), padding=1).numpy()
    theirs = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), padding=1).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4)
