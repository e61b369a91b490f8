"""ember.classic against its oracles: torch autograd and finite differences for the hand-written gradients,
scipy for distances, a loop reference for kNN, scikit-learn for PCA, and accuracy on real data."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.spatial.distance
import torch
from sklearn.decomposition import PCA as SkPCA

import ember
from ember.classic import (PCA, KNearestNeighbor, LinearSVM, Softmax, TwoLayerNet, cross_validate_k,
                           softmax_loss_vectorized, svm_loss_vectorized)

rng = np.random.default_rng(0)


def _problem(n=30, d=12, c=5):
    return rng.normal(size=(d, c)) * 0.1, rng.normal(size=(n, d)), rng.integers(0, c, n)


def _torch_svm(W, X, y, reg):
    scores = X @ W
    # multi_margin_loss averages sum_{j != y} max(0, 1 - s_y + s_j) over the C classes: undo that
    return torch.nn.functional.multi_margin_loss(scores, y) * W.shape[1] + reg * (W * W).sum()


def _torch_softmax(W, X, y, reg):
    return torch.nn.functional.cross_entropy(X @ W, y) + reg * (W * W).sum()


@pytest.mark.parametrize("ours,ref", [(svm_loss_vectorized, _torch_svm), (softmax_loss_vectorized, _torch_softmax)])
def test_linear_losses_match_torch_autograd(ours, ref):
    W, X, y = _problem()
    loss, dW = ours(ember.tensor(W), ember.tensor(X), ember.tensor(y), 0.05)
    Wt = torch.tensor(W, requires_grad=True)
    lt = ref(Wt, torch.tensor(X), torch.tensor(y), 0.05)
    lt.backward()
    np.testing.assert_allclose(float(loss), lt.item(), rtol=1e-12)
    np.testing.assert_allclose(dW.numpy(), Wt.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("fn", [svm_loss_vectorized, softmax_loss_vectorized])
def test_linear_gradients_match_ember_autograd_and_finite_differences(fn):
    W, X, y = _problem()
    We = ember.tensor(W, requires_grad=True)
    loss, dW = fn(We, ember.tensor(X), ember.tensor(y), 0.1)
    loss.backward()
    np.testing.assert_allclose(dW.detach().numpy(), We.grad.numpy(), rtol=1e-10, atol=1e-12)
    h = 1e-6
    for (i, j) in [(0, 0), (3, 2), (11, 4)]:
        Wp, Wm = W.copy(), W.copy()
        Wp[i, j] += h
        Wm[i, j] -= h
        num = (float(fn(ember.tensor(Wp), ember.tensor(X), ember.tensor(y), 0.1)[0])
               - float(fn(ember.tensor(Wm), ember.tensor(X), ember.tensor(y), 0.1)[0])) / (2 * h)
        np.testing.assert_allclose(float(dW[i, j]), num, rtol=1e-5, atol=1e-7)


def test_two_layer_net_backward_matches_torch():
    ember.manual_seed(1)
    net = TwoLayerNet(6, 9, 4, std=0.5, dtype=ember.float64)
    X, y = rng.normal(size=(7, 6)), rng.integers(0, 4, 7)
    loss, grads = net.loss(ember.tensor(X), ember.tensor(y), reg=0.05)
    p = {k: torch.tensor(v.numpy(), requires_grad=True) for k, v in net.params.items()}
    h = torch.relu(torch.tensor(X) @ p["W1"] + p["b1"])
    lt = (torch.nn.functional.cross_entropy(h @ p["W2"] + p["b2"], torch.tensor(y))
          + 0.05 * ((p["W1"] ** 2).sum() + (p["W2"] ** 2).sum()))
    lt.backward()
    np.testing.assert_allclose(float(loss), lt.item(), rtol=1e-12)
    for k in p:
        np.testing.assert_allclose(grads[k].numpy(), p[k].grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=k)
    assert tuple(net.loss(ember.tensor(X)).shape) == (7, 4)


@pytest.mark.parametrize("p,metric", [(2, "euclidean"), (1, "cityblock")])
def test_knn_distances_and_votes_match_loop_reference(p, metric):
    Xtr, Xte = rng.normal(size=(40, 5)), rng.normal(size=(9, 5))
    ytr = rng.integers(0, 3, 40)
    knn = KNearestNeighbor(p, chunk=4).fit(ember.tensor(Xtr), ember.tensor(ytr))
    D = scipy.spatial.distance.cdist(Xte, Xtr, metric)
    np.testing.assert_allclose(knn.compute_distances(ember.tensor(Xte)).numpy(), D, rtol=1e-5, atol=1e-5)
    for k in (1, 4, 7):
        expected = []
        for row in D:  # the loop CS231n starts from: k closest labels, most common, smallest on ties
            counts = np.bincount(ytr[np.argsort(row, kind="stable")[:k]], minlength=3)
            expected.append(int(np.argmax(counts)))
        np.testing.assert_array_equal(knn.predict(ember.tensor(Xte), k).numpy(), expected)


def test_knn_tie_goes_to_the_smallest_label():
    knn = KNearestNeighbor().fit(ember.tensor([[0.0], [1.0]]), ember.tensor([3, 1]))
    assert knn.predict(ember.tensor([[0.5]]), k=2).tolist() == [1]


def test_knn_errors():
    with pytest.raises(RuntimeError, match="fit"):
        KNearestNeighbor().compute_distances(ember.ones(1, 2))
    knn = KNearestNeighbor().fit(ember.ones(3, 2), ember.tensor([0, 1, 0]))
    with pytest.raises(ValueError, match="k must be"):
        knn.predict(ember.ones(1, 2), k=4)
    with pytest.raises(ValueError, match="3 features"):
        knn.predict(ember.ones(1, 3))
    with pytest.raises(ValueError, match="p must be"):
        KNearestNeighbor(p=3)


def test_cross_validation_folds():
    X, y = rng.normal(size=(50, 4)), rng.integers(0, 3, 50)
    cv = cross_validate_k(ember.tensor(X), ember.tensor(y), [1, 3], num_folds=5)
    assert sorted(cv) == [1, 3] and all(len(v) == 5 for v in cv.values())
    held = slice(10, 20)  # fold 1 by hand
    train = np.r_[0:10, 20:50]
    pred = KNearestNeighbor().fit(ember.tensor(X[train]), ember.tensor(y[train])).predict(ember.tensor(X[held]), 3)
    assert cv[3][1] == pytest.approx(float((pred.numpy() == y[held]).mean()))


@pytest.mark.parametrize("k", [None, 3])
def test_pca_matches_sklearn(k):
    X = rng.normal(size=(60, 6)) @ rng.normal(size=(6, 6))
    ours = PCA(k).fit(ember.tensor(X))
    ref = SkPCA(k, svd_solver="full").fit(X)
    signs = np.sign((ours.components_.numpy() * ref.components_).sum(1))
    np.testing.assert_allclose(ours.components_.numpy() * signs[:, None], ref.components_, atol=1e-10)
    np.testing.assert_allclose(ours.explained_variance_.numpy(), ref.explained_variance_, rtol=1e-10)
    np.testing.assert_allclose(ours.explained_variance_ratio_.numpy(), ref.explained_variance_ratio_, rtol=1e-10)
    Z = ours.transform(ember.tensor(X)).numpy()
    np.testing.assert_allclose(Z * signs, ref.transform(X), atol=1e-9)
    np.testing.assert_allclose(ours.inverse_transform(ember.tensor(Z)).numpy(),
                               ref.inverse_transform(ref.transform(X)), atol=1e-9)


def test_pca_errors():
    with pytest.raises(ValueError, match="n_components"):
        PCA(9).fit(ember.ones(5, 4))
    with pytest.raises(RuntimeError, match="fit"):
        PCA().transform(ember.ones(2, 2))


@pytest.fixture(scope="module")
def fashion():
    from ember.classic.demo import _load

    return _load()


def test_knn_reaches_80_percent_on_the_shipped_fashion_mnist(fashion):
    X_tr, y_tr, X_te, y_te = fashion
    acc = float((KNearestNeighbor(2).fit(X_tr, y_tr).predict(X_te, 5) == y_te).float().mean())
    assert acc >= 0.80, acc


def test_linear_classifiers_learn_fashion_mnist(fashion):
    X_tr, y_tr, X_te, y_te = fashion
    mean = X_tr.mean(0)
    Xb_tr = ember.cat([X_tr - mean, ember.ones(len(X_tr), 1)], 1)
    Xb_te = ember.cat([X_te - mean, ember.ones(len(X_te), 1)], 1)
    ember.manual_seed(0)
    for cls, lr in ((Softmax, 0.3), (LinearSVM, 0.03)):
        model = cls()
        hist = model.train(Xb_tr, y_tr, learning_rate=lr, reg=1e-4, num_iters=400, batch_size=200)
        acc = float((model.predict(Xb_te) == y_te).float().mean())
        assert hist[-1] < hist[0] and acc >= 0.75, (cls.__name__, acc)
