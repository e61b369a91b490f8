"""Dropout (statistics, scaling, masks per channel, eval identity, p validation), Embedding /
EmbeddingBag / one_hot / distances vs torch, and default-init statistics (Kolmogorov-Smirnov) for
Linear, Bilinear, Embedding and PReLU."""
from __future__ import annotations

import math

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.autograd import gradcheck

torch = pytest.importorskip("torch", reason="torch is the test oracle")
TF = torch.nn.functional


# --------------------------------------------------------------------------- dropout
def test_dropout_scaling_and_grad():
    x = ember.ones(200, 50, requires_grad=True)
    y = F.dropout(x, 0.3)
    vals = np.unique(y.detach().numpy())
    np.testing.assert_allclose(vals, [0.0, 1 / 0.7], rtol=1e-6)
    keep = (y.detach().numpy() != 0).mean()
    assert abs(keep - 0.7) < 0.02
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.detach().numpy())


@pytest.mark.parametrize("fn,shape", [(F.dropout1d, (4, 6, 5)), (F.dropout2d, (4, 6, 3, 3)),
                                      (F.dropout3d, (4, 6, 2, 2, 2))])
def test_channel_dropout_masks_whole_channels(fn, shape):
    y = fn(ember.ones(*shape), 0.5).numpy().reshape(shape[0], shape[1], -1)
    assert np.all((y == 0).all(-1) | (y == 2).all(-1))


def test_dropout_eval_and_p_validation():
    x = ember.randn(3, 4)
    assert F.dropout(x, 0.5, training=False) is x
    m = ember.nn.Dropout(0.5).eval()
    np.testing.assert_array_equal(m(x).numpy(), x.numpy())
    for bad in (1.5, -0.1):
        with pytest.raises(ValueError, match=f"dropout probability has to be between 0 and 1, but got {bad}"):
            ember.nn.Dropout(bad)
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
            F.dropout(x, bad)
    assert not F.dropout(x, 1.0).numpy().any()
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but received a 4D input"):
        F.dropout1d(ember.randn(1, 2, 3, 4))


def test_alpha_dropout_keeps_moments():
    x = ember.randn(400, 500)
    y = F.alpha_dropout(x, 0.2, training=True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02
    assert F.alpha_dropout(x, 0.2) is x  # training defaults to False, as torch


def test_dropout_inplace():
    x = ember.ones(10, 10)
    out = F.dropout(x, 0.5, inplace=True)
    assert out is x and set(np.unique(x.numpy()).tolist()) <= {0.0, 2.0}


# --------------------------------------------------------------------------- embedding
def test_embedding_gradcheck_and_padding():
    w = ember.tensor(np.random.default_rng(0).standard_normal((6, 3)), requires_grad=True)
    idx = ember.tensor(np.array([[1, 2, 1], [5, 0, 1]]))
    assert gradcheck(lambda t: F.embedding(idx, t), (w,))  # padding / freq scaling alter the grad on purpose
    F.embedding(idx, w, padding_idx=1).sum().backward()
    assert not w.grad.numpy()[1].any() and w.grad.numpy()[5].tolist() == [1.0, 1.0, 1.0]


def test_embedding_max_norm_renorms_in_place():
    w = np.random.default_rng(0).standard_normal((6, 3)) * 3
    idx = np.array([1, 2, 2])
    we, wt = ember.tensor(w), torch.tensor(w)
    ye = F.embedding(ember.tensor(idx), we, max_norm=1.0)
    yt = TF.embedding(torch.tensor(idx), wt, max_norm=1.0)
    np.testing.assert_allclose(ye.numpy(), yt.numpy(), rtol=1e-12)
    np.testing.assert_allclose(we.numpy(), wt.numpy(), rtol=1e-12)


def test_embedding_module_init_and_from_pretrained():
    m = ember.nn.Embedding(10, 4, padding_idx=-1)
    assert m.padding_idx == 9 and not m.weight.detach().numpy()[9].any()
    pre = ember.randn(5, 2)
    f = ember.nn.Embedding.from_pretrained(pre)
    assert not f.weight.requires_grad and np.array_equal(f.weight.detach().numpy(), pre.numpy())
    assert ember.nn.Embedding.from_pretrained(pre, freeze=False).weight.requires_grad
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        ember.nn.Embedding(3, 2, padding_idx=3)


def test_embedding_errors():
    w = ember.randn(4, 2)
    with pytest.raises(IndexError, match="index out of range in self"):
        F.embedding(ember.tensor([4]), w)
    with pytest.raises(RuntimeError, match="Expected tensor for argument #1 'indices'"):
        F.embedding(ember.tensor([1.0]), w)
    with pytest.raises(ValueError, match="offsets has to be a 1D Tensor but got None"):
        F.embedding_bag(ember.tensor([1, 2]), w)
    with pytest.raises(NotImplementedError, match="per_sample_weights is only supported for mode='sum'"):
        F.embedding_bag(ember.tensor([[1, 2]]), w, per_sample_weights=ember.ones(1, 2))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_vs_torch(mode):
    rng = np.random.default_rng(1)
    w = rng.standard_normal((10, 4))
    idx, offs = rng.integers(0, 10, 11), np.array([0, 3, 3, 8])
    we, wt = ember.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    ye = F.embedding_bag(ember.tensor(idx), we, ember.tensor(offs), mode=mode, padding_idx=int(idx[0]))
    yt = TF.embedding_bag(torch.tensor(idx), wt, torch.tensor(offs), mode=mode, padding_idx=int(idx[0]))
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-12)
    g = rng.standard_normal(tuple(yt.shape))
    ye.backward(ember.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(we.grad.numpy(), wt.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_one_hot():
    t = np.array([[0, 2], [1, 1]])
    np.testing.assert_array_equal(F.one_hot(ember.tensor(t)).numpy(), TF.one_hot(torch.tensor(t)).numpy())
    assert F.one_hot(ember.tensor([1]), 4).shape == (1, 4)
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes."):
        F.one_hot(ember.tensor([3]), 2)


# --------------------------------------------------------------------------- distances
def test_distances_gradcheck_and_eps():
    rng = np.random.default_rng(2)
    a, b = (ember.tensor(rng.standard_normal((3, 4)), requires_grad=True) for _ in range(2))
    assert gradcheck(lambda u, v: F.cosine_similarity(u, v), (a, b))
    assert gradcheck(lambda u, v: F.pairwise_distance(u, v, p=3), (a, b))
    assert gradcheck(lambda u: F.normalize(u, p=1.5, dim=0), (a,))
    tiny = rng.standard_normal((3, 4)) * 1e-10  # below eps: torch clamps each norm without recording it
    te, tt = ember.tensor(tiny, requires_grad=True), torch.tensor(tiny, requires_grad=True)
    F.cosine_similarity(te, b.detach()).sum().backward()
    TF.cosine_similarity(tt, torch.tensor(b.detach().numpy())).sum().backward()
    np.testing.assert_allclose(te.grad.numpy(), tt.grad.numpy(), rtol=1e-8)


# --------------------------------------------------------------------------- init statistics
@pytest.fixture
def stats():
    return pytest.importorskip("scipy.stats", reason="scipy is needed for the Kolmogorov-Smirnov test")


def test_init_distributions_ks(stats):
    ember.manual_seed(123)
    lin = ember.nn.Linear(400, 300)
    b = 1 / math.sqrt(400)
    assert stats.kstest(lin.weight.detach().numpy().ravel(), stats.uniform(-b, 2 * b).cdf).pvalue > 1e-3
    assert stats.kstest(lin.bias.detach().numpy(), stats.uniform(-b, 2 * b).cdf).pvalue > 1e-3
    bil = ember.nn.Bilinear(30, 20, 10)
    b = 1 / math.sqrt(30)
    assert stats.kstest(bil.weight.detach().numpy().ravel(), stats.uniform(-b, 2 * b).cdf).pvalue > 1e-3
    emb = ember.nn.Embedding(500, 64, padding_idx=0)
    w = emb.weight.detach().numpy()
    assert stats.kstest(w[1:].ravel(), stats.norm(0, 1).cdf).pvalue > 1e-3
    assert not w[0].any()
    assert np.all(ember.nn.PReLU(7).weight.detach().numpy() == np.float32(0.25))
