"""``python -m ember.classic.demo``: kNN, linear SVM, softmax and the two-layer net on the shipped
Fashion-MNIST subset (10,000 train / 2,000 test images), with k chosen by 5-fold cross-validation."""
from __future__ import annotations

import time

import numpy as np

import ember
from ..vision.datasets import FashionMNIST
from . import KNearestNeighbor, LinearSVM, Softmax, TwoLayerNet, cross_validate_k


def _load():
    train, test = FashionMNIST("builtin", train=True), FashionMNIST("builtin", train=False)
    x_tr, y_tr = np.asarray(train.data), np.asarray(train.targets, dtype=np.int64)
    x_te, y_te = np.asarray(test.data), np.asarray(test.targets, dtype=np.int64)
    X_tr = ember.tensor(x_tr.reshape(len(x_tr), -1) / 255.0, dtype=ember.float32)
    X_te = ember.tensor(x_te.reshape(len(x_te), -1) / 255.0, dtype=ember.float32)
    return X_tr, ember.tensor(y_tr), X_te, ember.tensor(y_te)


def _acc(pred, y) -> float:
    return float((pred == y).float().mean())


def main() -> None:
    ember.manual_seed(0)
    X_tr, y_tr, X_te, y_te = _load()
    t = time.perf_counter()
    cv = cross_validate_k(X_tr[:5000], y_tr[:5000], [1, 3, 5, 8, 10, 15], num_folds=5)
    best_k = max(cv, key=lambda k: sum(cv[k]) / len(cv[k]))
    print("kNN 5-fold CV accuracy: " + ", ".join(f"k={k} {sum(v) / len(v):.4f}" for k, v in cv.items()))
    acc = _acc(KNearestNeighbor(2).fit(X_tr, y_tr).predict(X_te, best_k), y_te)
    print(f"kNN (L2, k={best_k}) test accuracy {acc:.4f}  ({time.perf_counter() - t:.1f} s)")
    mean = X_tr.mean(0)
    Xb_tr = ember.cat([X_tr - mean, ember.ones(len(X_tr), 1)], 1)  # the bias trick
    Xb_te = ember.cat([X_te - mean, ember.ones(len(X_te), 1)], 1)
    for cls, lr in ((LinearSVM, 0.03), (Softmax, 0.3)):
        t = time.perf_counter()
        model = cls()
        model.train(Xb_tr, y_tr, learning_rate=lr, reg=1e-4, num_iters=1500, batch_size=200)
        print(f"{cls.__name__} test accuracy {_acc(model.predict(Xb_te), y_te):.4f}  ({time.perf_counter() - t:.1f} s)")
    t = time.perf_counter()
    net = TwoLayerNet(784, 100, 10, std=1e-2)
    net.train(X_tr - mean, y_tr, X_te - mean, y_te, learning_rate=0.5, learning_rate_decay=0.95, reg=1e-4,
              num_iters=2000, batch_size=200)
    print(f"TwoLayerNet test accuracy {_acc(net.predict(X_te - mean), y_te):.4f}  ({time.perf_counter() - t:.1f} s)")


if __name__ == "__main__":
    main()
