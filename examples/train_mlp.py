"""Train a 784-256-10 MLP on Fashion-MNIST with ember's raw ops and SGD written by hand.

The data is the full Fashion-MNIST when it is installed (Debian's dataset-fashion-mnist or
$EMBER_DATA), otherwise the real 10k/2k subset that ships inside ember.

    python examples/train_mlp.py --epochs 2
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import ember
from ember.vision.datasets import FashionMNIST


def load(train: bool):
    ds = FashionMNIST(root="data", train=train)
    x = ember.from_numpy(ds.data.reshape(len(ds.data), -1).astype(np.float32) / 255.0)
    y = ember.from_numpy(np.asarray(ds.targets, dtype=np.int64))
    return x, y, ds.source


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--batch-size", type=int, default=128)
    args = ap.parse_args()
    ember.manual_seed(0)
    x_train, y_train, source = load(True)
    x_test, y_test, _ = load(False)
    print(f"data: {source} ({len(x_train)} train, {len(x_test)} test)")
    w1 = (ember.randn(784, 256) * (2 / 784) ** 0.5).requires_grad_()
    b1 = ember.zeros(256, requires_grad=True)
    w2 = (ember.randn(256, 10) * (1 / 256) ** 0.5).requires_grad_()
    b2 = ember.zeros(10, requires_grad=True)
    params = [w1, b1, w2, b2]

    def forward(x):
        return (x @ w1 + b1).relu() @ w2 + b2

    for epoch in range(args.epochs):
        t0 = time.perf_counter()
        perm = ember.randperm(len(x_train))
        total = 0.0
        for i in range(0, len(x_train), args.batch_size):
            idx = perm[i:i + args.batch_size]
            logits = forward(x_train[idx])
            y = y_train[idx]
            loss = (logits.logsumexp(1) - logits.gather(1, y.unsqueeze(1)).squeeze(1)).mean()
            for p in params:
                p.grad = None
            loss.backward()
            with ember.no_grad():
                for p in params:
                    p -= args.lr * p.grad
            total += loss.item() * len(idx)
        with ember.no_grad():
            acc = (forward(x_test).argmax(1) == y_test).float().mean().item()
        print(f"epoch {epoch + 1}: loss {total / len(x_train):.4f}  test acc {acc:.4f}  "
              f"({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
