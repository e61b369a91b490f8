"""Workloads, each written once against a module ``m`` that is ``ember`` or ``torch``.

``make_<id>(m, seed)`` builds inputs and weights from a NumPy seed (identical for both frameworks) and
returns ``step()``: one iteration, returning the loss (or output) as a float so first losses can be
compared.
"""
from __future__ import annotations

import numpy as np


def _t(m, a, grad=False):
    t = m.from_numpy(np.ascontiguousarray(a))
    return t.requires_grad_(True) if grad else t


def make_ovh(m, seed=0):
    """x + y on 4-element tensors that require grad (per-op overhead)."""
    rng = np.random.default_rng(seed)
    x = _t(m, rng.standard_normal(4).astype(np.float32), True)
    y = _t(m, rng.standard_normal(4).astype(np.float32), True)

    def step():
        for _ in range(1000):
            x + y
        return 0.0

    step.per = 1000
    return step


def make_chain(m, seed=0):
    """A 10,000-op chain forward and backward (time per op)."""
    rng = np.random.default_rng(seed)
    x = _t(m, rng.standard_normal(4).astype(np.float32), True)

    def step():
        y = x
        for _ in range(5000):
            y = y * 1.0001
            y = y + 0.0001
        y.sum().backward()
        x.grad = None
        return float(y.sum().item())

    step.per = 10000
    return step


def _mlp_weights(rng, sizes):
    ws = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        ws.append(rng.uniform(-1 / a ** 0.5, 1 / a ** 0.5, (a, b)).astype(np.float32))
        ws.append(np.zeros(b, np.float32))
    return ws


def make_w1(m, seed=0):
    """MLP 784-256-256-10, batch 128, one SGD step with raw ops and cross-entropy by hand."""
    rng = np.random.default_rng(seed)
    params = [_t(m, w, True) for w in _mlp_weights(rng, [784, 256, 256, 10])]
    x = _t(m, rng.standard_normal((128, 784)).astype(np.float32))
    y = _t(m, rng.integers(0, 10, 128).astype(np.int64))

    def step():
        h = x
        for i in range(0, len(params) - 2, 2):
            h = (h @ params[i] + params[i + 1]).relu()
        logits = h @ params[-2] + params[-1]
        loss = (logits.logsumexp(1) - logits.gather(1, y.unsqueeze(1)).squeeze(1)).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with m.no_grad():
            for p in params:
                p -= 0.01 * p.grad
        return float(loss.item())

    return step


def make_w1_nn(m, seed=0):
    """The same MLP step written with nn.Sequential, F.cross_entropy and optim.SGD."""
    rng = np.random.default_rng(seed)
    net = m.nn.Sequential(m.nn.Linear(784, 256), m.nn.ReLU(), m.nn.Linear(256, 256), m.nn.ReLU(),
                          m.nn.Linear(256, 10))
    _load(m, net, rng)
    opt = m.optim.SGD(net.parameters(), lr=0.01)
    x = _t(m, rng.standard_normal((128, 784)).astype(np.float32))
    y = _t(m, rng.integers(0, 10, 128).astype(np.int64))

    def step():
        loss = m.nn.functional.cross_entropy(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return float(loss.item())

    return step


def _load(m, net, rng):
    """Give a module deterministic weights from ``rng`` (the same for both frameworks)."""
    sd = {}
    for k, v in net.state_dict().items():
        shape = tuple(v.shape)
        if "running_var" in k:
            a = np.ones(shape, np.float32)
        elif "running_mean" in k:
            a = np.zeros(shape, np.float32)
        elif "num_batches" in k:
            a = np.zeros(shape, np.int64)
        else:
            fan = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
            a = rng.uniform(-1 / fan ** 0.5, 1 / fan ** 0.5, shape).astype(np.float32)
        sd[k] = m.from_numpy(a)
    net.load_state_dict(sd)


def lenet(m):
    nn = m.nn
    return nn.Sequential(nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, 2),
                         nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(2, 2), nn.Flatten(),
                         nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(),
                         nn.Linear(84, 10))


def make_w2(m, seed=0):
    """LeNet-5 (d2l), batch 256, SGD."""
    rng = np.random.default_rng(seed)
    net = lenet(m)
    _load(m, net, rng)
    opt = m.optim.SGD(net.parameters(), lr=0.1)
    x = _t(m, rng.standard_normal((256, 1, 28, 28)).astype(np.float32))
    y = _t(m, rng.integers(0, 10, 256).astype(np.int64))

    def step():
        loss = m.nn.functional.cross_entropy(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return float(loss.item())

    return step


class _CharLSTM:
    def __init__(self, m):
        self.m = m
        self.lstm = m.nn.LSTM(28, 256)
        self.fc = m.nn.Linear(256, 28)

    def parameters(self):
        return list(self.lstm.parameters()) + list(self.fc.parameters())


def make_w3(m, seed=0):
    """char-LSTM: vocab 28 one-hot, hidden 256, T 35, batch 32, Adam."""
    rng = np.random.default_rng(seed)
    net = _CharLSTM(m)
    _load(m, net.lstm, rng)
    _load(m, net.fc, rng)
    opt = m.optim.Adam(net.parameters(), lr=1e-3)
    idx = rng.integers(0, 28, (35, 32))
    x = _t(m, np.eye(28, dtype=np.float32)[idx])
    y = _t(m, rng.integers(0, 28, 35 * 32).astype(np.int64))

    def step():
        out, _ = net.lstm(x)
        loss = m.nn.functional.cross_entropy(net.fc(out.reshape(-1, 256)), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return float(loss.item())

    return step


def make_w4(m, seed=0):
    """Transformer encoder, 2 layers, d 128, 4 heads, T 64, batch 32, Adam."""
    rng = np.random.default_rng(seed)
    layer = m.nn.TransformerEncoderLayer(128, 4, dim_feedforward=512, dropout=0.0, batch_first=True)
    net = m.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False) if m.__name__ == "torch" else \
        m.nn.TransformerEncoder(layer, 2)
    _load(m, net, rng)
    opt = m.optim.Adam(net.parameters(), lr=1e-3)
    x = _t(m, rng.standard_normal((32, 64, 128)).astype(np.float32))

    def step():
        loss = net(x).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return float(loss.item())

    return step


def make_w5(m, seed=0):
    """ResNet-18 at 32x32 (CIFAR layout: 3x3 stem, no max-pool), batch 64, SGD momentum."""
    rng = np.random.default_rng(seed)
    net = m.nn.Sequential(*_resnet18_cifar(m))
    _load(m, net, rng)
    opt = m.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    x = _t(m, rng.standard_normal((64, 3, 32, 32)).astype(np.float32))
    y = _t(m, rng.integers(0, 10, 64).astype(np.int64))

    def step():
        loss = m.nn.functional.cross_entropy(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return float(loss.item())

    return step


def _resnet18_cifar(m):
    nn = m.nn

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.down = None
            if stride != 1 or cin != cout:
                self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

        def forward(self, x):
            out = self.bn1(self.conv1(x)).relu()
            out = self.bn2(self.conv2(out))
            return (out + (x if self.down is None else self.down(x))).relu()

    layers = [nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU()]
    cin = 64
    for cout, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
        layers += [Block(cin, cout, stride), Block(cout, cout, 1)]
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10)]
    return layers


def make_w6(m, seed=0, which="w2", batch=1):
    """Inference (no_grad, eval mode) of a workload's network at a batch size."""
    rng = np.random.default_rng(seed)
    if which == "w1":
        net = m.nn.Sequential(m.nn.Linear(784, 256), m.nn.ReLU(), m.nn.Linear(256, 256), m.nn.ReLU(),
                              m.nn.Linear(256, 10))
        shape = (batch, 784)
    elif which == "w2":
        net, shape = lenet(m), (batch, 1, 28, 28)
    else:
        net, shape = m.nn.Sequential(*_resnet18_cifar(m)), (batch, 3, 32, 32)
    _load(m, net, rng)
    net.eval()
    x = _t(m, rng.standard_normal(shape).astype(np.float32))

    def step():
        with m.no_grad():
            return float(net(x).sum().item())

    return step


WORKLOADS = {
    "OVH": (make_ovh, "x + y, 4 elements, with grad (per op)"),
    "CHAIN": (make_chain, "10k-op chain fwd+bwd (per op)"),
    "W1": (make_w1, "MLP 784-256-256-10 b128 SGD step (raw ops)"),
    "W1nn": (make_w1_nn, "same MLP with nn/F.cross_entropy/optim.SGD"),
    "W2": (make_w2, "LeNet-5 b256 SGD step"),
    "W3": (make_w3, "char-LSTM H256 T35 b32 Adam step"),
    "W4": (make_w4, "Transformer enc 2x d128 h4 T64 b32 Adam step"),
    "W5": (make_w5, "ResNet-18 CIFAR b64 SGD-momentum step"),
    "W6-mlp-b1": (lambda m, s=0: make_w6(m, s, "w1", 1), "inference MLP batch 1"),
    "W6-mlp-b128": (lambda m, s=0: make_w6(m, s, "w1", 128), "inference MLP batch 128"),
    "W6-lenet-b1": (lambda m, s=0: make_w6(m, s, "w2", 1), "inference LeNet batch 1"),
    "W6-lenet-b256": (lambda m, s=0: make_w6(m, s, "w2", 256), "inference LeNet batch 256"),
    "W6-resnet-b1": (lambda m, s=0: make_w6(m, s, "w5", 1), "inference ResNet-18 batch 1"),
    "W6-resnet-b64": (lambda m, s=0: make_w6(m, s, "w5", 64), "inference ResNet-18 batch 64"),
}
