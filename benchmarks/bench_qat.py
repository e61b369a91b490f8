"""Quantization-aware training of the Fashion-MNIST LeNet-BN against post-training quantization.

Trains the float LeNet-BN (``--epochs`` of the recipe's SGD, Nesterov momentum 0.9, weight decay 5e-4, cosine
learning rate per step, on the shipped 10,000-image subset), then from the same float weights: the float model trained ``--qat-epochs`` more
at ``--qat-lr`` (the reference for QAT), post-training static quantization with min-max and with histogram activation observers (1024
calibration images), and QAT (conv-bn and linear-bn folded in eval mode, ``prepare_qat`` with
``get_default_qat_qconfig("x86")``, ``--qat-epochs`` of SGD at a small learning rate, observers frozen for the
last half, ``convert``), and QAT with the BatchNorm kept (``fuse_modules_qat`` in train mode: ConvBn2d and
LinearBn1d fold it into the fake-quantized weight while training; observers and BatchNorm statistics frozen
for the last half; ``convert`` folds it). Accuracy on the shipped 2,000-image test subset.

    nice -n 10 python -m benchmarks.bench_qat [--epochs 2] [--qat-epochs 1] [--torch]

``--torch`` also runs the ConvBn QAT in torch.ao from the same float weights, batches and schedule.
"""
from __future__ import annotations

import argparse
import copy
import time

import numpy as np

PAIRS = [["module.net.0", "module.net.1"], ["module.net.4", "module.net.5"], ["module.net.9", "module.net.10"],
         ["module.net.12", "module.net.13"]]


def _accuracy(model, x, y, batch=500) -> float:
    import ember

    right = 0
    with ember.no_grad():
        for i in range(0, len(x), batch):
            right += int((model(ember.tensor(x[i:i + batch])).numpy().argmax(1) == y[i:i + batch]).sum())
    return right / len(x)


def _train(model, x, y, epochs: int, lr: float, seed: int, on_epoch=None, cosine: bool = False) -> None:
    import ember

    opt = ember.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True, weight_decay=5e-4)  # the recipe
    steps = epochs * -(-len(x) // 256)
    sched = ember.optim.lr_scheduler.CosineAnnealingLR(opt, steps) if cosine else None
    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        if on_epoch is not None:
            on_epoch(model, epoch)
        order = rng.permutation(len(x))
        for i in range(0, len(x), 256):
            idx = order[i:i + 256]
            loss = ember.nn.functional.cross_entropy(model(ember.tensor(x[idx])), ember.tensor(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            if sched is not None:
                sched.step()


def _fused(model):
    from ember.ao import quantization as tq

    wrapped = tq.QuantWrapper(copy.deepcopy(model)).eval()
    return tq.fuse_modules(wrapped, PAIRS)


def _ptq(model, calib, activation) -> object:
    import ember
    from ember.ao import quantization as tq

    fused = _fused(model)
    fused.qconfig = tq.QConfig(activation=activation, weight=tq.default_per_channel_weight_observer)
    prepared = tq.prepare(fused)
    with ember.no_grad():
        for i in range(0, len(calib), 256):
            prepared(ember.tensor(calib[i:i + 256]))
    return tq.convert(prepared)


def _torch_convbn_qat(model, xtr, ytr, xte, yte, a) -> dict:
    """The oracle: the same ConvBn QAT in torch.ao from the same float weights, batches and schedule."""
    import torch
    import torch.ao.nn.intrinsic.qat as tnniqat
    import torch.ao.quantization as ttq

    torch.backends.quantized.engine = "x86"
    T = torch.nn
    net = T.Sequential(T.Conv2d(1, 6, 5), T.BatchNorm2d(6), T.Sigmoid(), T.AvgPool2d(2, 2), T.Conv2d(6, 16, 5),
                       T.BatchNorm2d(16), T.Sigmoid(), T.AvgPool2d(2, 2), T.Flatten(), T.Linear(256, 120),
                       T.BatchNorm1d(120), T.Sigmoid(), T.Linear(120, 84), T.BatchNorm1d(84), T.Sigmoid(),
                       T.Linear(84, 10))
    net.load_state_dict({k[len("net."):]: torch.tensor(v.numpy()) for k, v in model.state_dict().items()})
    m = ttq.fuse_modules_qat(ttq.QuantWrapper(net).train(), [[p.replace("net.", "") for p in g] for g in PAIRS])
    m.qconfig = ttq.get_default_qat_qconfig("x86")
    m = ttq.prepare_qat(m)
    opt = torch.optim.SGD(m.parameters(), lr=a.qat_lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    rng = np.random.default_rng(1)  # the batches of _train(..., seed=1)
    for epoch in range(a.qat_epochs):
        if epoch >= max(1, a.qat_epochs // 2) and a.qat_epochs > 1:
            m.apply(ttq.disable_observer)
            m.apply(tnniqat.freeze_bn_stats)
        order = rng.permutation(len(xtr))
        for i in range(0, len(xtr), 256):
            idx = order[i:i + 256]
            loss = T.functional.cross_entropy(m(torch.tensor(xtr[idx])), torch.tensor(ytr[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
    m.eval()

    def acc(mod) -> float:
        with torch.no_grad():
            return float((mod(torch.tensor(xte)).argmax(1).numpy() == yte).mean())

    return {"torch-convbn-fq": acc(m), "torch-convbn-int8": acc(ttq.convert(m))}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--qat-epochs", type=int, default=1)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--qat-lr", type=float, default=0.005)
    p.add_argument("--torch", action="store_true", help="also run the ConvBn QAT in torch.ao (the oracle)")
    a = p.parse_args()
    import ember
    from ember.ao import quantization as tq
    from ember.cli._common import build_model, load_split, to_input

    ember.manual_seed(0)
    model, size = build_model("lenet_bn")
    train_x, train_y, _ = load_split(None, True, True)
    test_x, test_y, _ = load_split(None, False, True)
    xtr, xte = to_input(train_x, size), to_input(test_x, size)
    t0 = time.perf_counter()
    model.train()
    _train(model, xtr, train_y, a.epochs, a.lr, 0, cosine=True)
    model.eval()
    res = {"float": _accuracy(model, xte, test_y)}
    res["ptq-minmax"] = _accuracy(_ptq(model, xtr[:1024], tq.MinMaxObserver.with_args(reduce_range=True)), xte,
                                  test_y)
    res["ptq-histogram"] = _accuracy(_ptq(model, xtr[:1024], tq.HistogramObserver.with_args(reduce_range=True)),
                                     xte, test_y)
    tuned = copy.deepcopy(model).train()  # the float reference: the same extra epochs without fake quantization
    _train(tuned, xtr, train_y, a.qat_epochs, a.qat_lr, 1)
    res["float-tuned"] = _accuracy(tuned.eval(), xte, test_y)
    qat = _fused(model).train()
    qat.qconfig = tq.get_default_qat_qconfig("x86")
    qat = tq.prepare_qat(qat)

    def freeze(m, epoch):
        if epoch >= max(1, a.qat_epochs // 2) and a.qat_epochs > 1:
            m.apply(tq.disable_observer)

    _train(qat, xtr, train_y, a.qat_epochs, a.qat_lr, 1, freeze)
    qat.eval()
    res["qat-fake-quant"] = _accuracy(qat, xte, test_y)
    res["qat-int8"] = _accuracy(tq.convert(qat), xte, test_y)
    # QAT with the BatchNorm kept: fuse_modules_qat (train mode) -> ConvBn2d / LinearBn1d, which fold the
    # BatchNorm into the fake-quantized weight while training; BN statistics and observers frozen together
    from ember.ao.nn.intrinsic import qat as nniqat

    convbn = tq.fuse_modules_qat(tq.QuantWrapper(copy.deepcopy(model)).train(), PAIRS)
    convbn.qconfig = tq.get_default_qat_qconfig("x86")
    convbn = tq.prepare_qat(convbn)

    def freeze_bn(m, epoch):
        if epoch >= max(1, a.qat_epochs // 2) and a.qat_epochs > 1:
            m.apply(tq.disable_observer)
            m.apply(nniqat.freeze_bn_stats)

    _train(convbn, xtr, train_y, a.qat_epochs, a.qat_lr, 1, freeze_bn)
    convbn.eval()
    res["qat-convbn-fq"] = _accuracy(convbn, xte, test_y)
    res["qat-convbn-int8"] = _accuracy(tq.convert(convbn), xte, test_y)
    if a.torch:
        res.update(_torch_convbn_qat(model, xtr, train_y, xte, test_y, a))
    for k, v in res.items():
        print(f"{k:15s} accuracy {v:.4f} ({100 * (v - res['float']):+.2f} points vs float, "
              f"{100 * (v - res['float-tuned']):+.2f} vs float-tuned)")
    print(f"({len(xte)} test images; {time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
