"""The loop of ``ember train`` (LeNet with BatchNorm, d2l ch. 8.5) written in torch, for the epoch-time bar.

Same data (the Fashion-MNIST that ember finds), same normalisation, model, optimizer (SGD, Nesterov
momentum 0.9, weight decay 5e-4, lr 0.05), cosine schedule, batch size, per-epoch shuffling and validation
pass. Compare its epoch times with ``ember train``'s ``seconds`` column (metrics.csv), or time both
commands with farm-bench:

    python benchmarks/train_torch.py --epochs 1 [--subset]
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from ember.cli._common import load_split, to_input  # noqa: E402  (data only; no ember tensors)


def lenet_bn(num_classes: int = 10) -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), nn.BatchNorm2d(6), nn.Sigmoid(), nn.AvgPool2d(2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.Sigmoid(), nn.AvgPool2d(2, stride=2),
        nn.Flatten(), nn.Linear(16 * 4 * 4, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(), nn.Linear(84, num_classes))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--subset", action="store_true")
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    xtr, ytr, source = load_split(None, True, args.subset)
    xte, yte, _ = load_split(None, False, args.subset)
    xtr, xte = torch.from_numpy(to_input(xtr, 28)), torch.from_numpy(to_input(xte, 28))
    ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)
    net = lenet_bn()
    opt = torch.optim.SGD(net.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4, nesterov=True)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)
    for epoch in range(1, args.epochs + 1):
        net.train()
        order = np.random.default_rng([args.seed, epoch]).permutation(len(xtr))
        t0 = time.perf_counter()
        for i in range(0, len(order), args.batch_size):
            b = torch.from_numpy(order[i:i + args.batch_size])
            logits = net(xtr[b])
            loss = nn.functional.cross_entropy(logits, ytr[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss.item()
            (logits.detach().argmax(1) == ytr[b]).sum().item()
        secs = time.perf_counter() - t0
        sched.step()
        net.eval()
        with torch.no_grad():
            acc = (torch.cat([net(xte[i:i + 512]) for i in range(0, len(xte), 512)]).argmax(1) == yte).float().mean()
        print(f"epoch {epoch}: {secs:.2f} s ({len(xtr) / secs:.0f} img/s), test acc {acc:.4f} [{source}]", flush=True)


if __name__ == "__main__":
    main()
