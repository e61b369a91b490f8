"""The benchmark workloads written with MyGrad, the peer that ember must beat by 2x.

``make_<id>(seed)`` returns ``step()`` (one iteration, returning the loss as a float), built from the
same NumPy seed and the same initial weights as ``benchmarks/workloads.py`` gives ember and torch, so
``python -m benchmarks`` can compare first losses across ember, torch and MyGrad.
``weight_arrays(id, seed)`` returns those arrays (parameters in torch's ``state_dict`` order, then the
inputs); it reuses ``workloads._mlp_weights`` and ``workloads._load`` so the rule lives in one place.

MyGrad 2.5 has ops but no modules or optimizers, so layers are written as functions and SGD by hand.
Its ops turn a Python float into a float64 0-d array and promote float32 data to float64; constants are
given as ``np.float32`` to stay in float32 as torch and ember do. MyGrad has no average pooling: it is
a reshape and a mean. ``PEERS`` maps workload ids to makers; ``NOT_RUN`` gives the reason for the
others.

Chainer, the other named peer, cannot be installed on this machine: its sdist imports
``pkg_resources``, which setuptools 84 no longer ships, and building it with an older setuptools also
failed. It is not benchmarked.
"""
from __future__ import annotations

import types

import numpy as np

from benchmarks.workloads import _load, _mlp_weights

F32 = np.float32

# state_dict keys and shapes of the torch/ember networks in workloads.py (running stats draw nothing
# from the rng in ``_load``, but are listed so the key order is exactly torch's).
_LENET = [("0.weight", (6, 1, 5, 5)), ("0.bias", (6,)), ("3.weight", (16, 6, 5, 5)), ("3.bias", (16,)),
          ("7.weight", (120, 400)), ("7.bias", (120,)), ("9.weight", (84, 120)), ("9.bias", (84,)),
          ("11.weight", (10, 84)), ("11.bias", (10,))]
_MLP_NN = [("0.weight", (256, 784)), ("0.bias", (256,)), ("2.weight", (256, 256)), ("2.bias", (256,)),
           ("4.weight", (10, 256)), ("4.bias", (10,))]


def _bn(prefix, c):
    return [(f"{prefix}.weight", (c,)), (f"{prefix}.bias", (c,)), (f"{prefix}.running_mean", (c,)),
            (f"{prefix}.running_var", (c,)), (f"{prefix}.num_batches_tracked", ())]


def _resnet18_spec():
    spec = [("0.weight", (64, 3, 3, 3))] + _bn("1", 64)
    blocks, cin, i = [], 64, 3
    for cout, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
        for s, ci in ((stride, cin), (1, cout)):
            p = str(i)
            spec += [(f"{p}.conv1.weight", (cout, ci, 3, 3))] + _bn(f"{p}.bn1", cout)
            spec += [(f"{p}.conv2.weight", (cout, cout, 3, 3))] + _bn(f"{p}.bn2", cout)
            down = s != 1 or ci != cout
            if down:
                spec += [(f"{p}.down.0.weight", (cout, ci, 1, 1))] + _bn(f"{p}.down.1", cout)
            blocks.append((p, s, down))
            i += 1
        cin = cout
    spec += [(f"{i + 2}.weight", (10, 512)), (f"{i + 2}.bias", (10,))]
    return spec, blocks


class _Shapes:
    """Stands in for a module in ``workloads._load``: reports shapes, keeps what is loaded."""

    def __init__(self, spec):
        self.spec = spec
        self.loaded = None

    def state_dict(self):
        return {k: np.empty(s, np.float32) for k, s in self.spec}

    def load_state_dict(self, sd):
        self.loaded = sd


def _params(rng, spec):
    net = _Shapes(spec)
    _load(types.SimpleNamespace(from_numpy=lambda a: a), net, rng)
    return {k: v for k, v in net.loaded.items() if not any(s in k for s in ("running", "num_batches"))}


def weight_arrays(name: str, seed: int = 0):
    """(params, x, y) of a workload as NumPy arrays, drawn exactly as workloads.py draws them.

    ``params`` is a list (W1: ``_mlp_weights`` order, weights (in, out)) or a dict keyed as torch's
    ``state_dict`` (learnable entries only)."""
    rng = np.random.default_rng(seed)
    if name == "W1":
        params = _mlp_weights(rng, [784, 256, 256, 10])
        shape, n = (128, 784), 128
    elif name == "W1nn":
        params, shape, n = _params(rng, _MLP_NN), (128, 784), 128
    elif name == "W2":
        params, shape, n = _params(rng, _LENET), (256, 1, 28, 28), 256
    elif name == "W5":
        params, shape, n = _params(rng, _resnet18_spec()[0]), (64, 3, 32, 32), 64
    else:
        raise KeyError(name)
    x = rng.standard_normal(shape).astype(np.float32)
    y = rng.integers(0, 10, n).astype(np.int64)
    return params, x, y


def make_ovh(seed=0):
    import mygrad as mg

    rng = np.random.default_rng(seed)
    x = mg.Tensor(rng.standard_normal(4).astype(np.float32))
    y = mg.Tensor(rng.standard_normal(4).astype(np.float32))

    def step():
        for _ in range(1000):
            x + y
        return 0.0

    step.per = 1000
    return step


def make_chain(seed=0):
    import mygrad as mg

    rng = np.random.default_rng(seed)
    x = mg.Tensor(rng.standard_normal(4).astype(np.float32))
    a, b = F32(1.0001), F32(0.0001)

    def step():
        y = x
        for _ in range(5000):
            y = y * a
            y = y + b
        y.sum().backward()
        x.null_grad()
        return float(y.sum().item())

    step.per = 10000
    return step


def _sgd(params, lr):
    for p in params:
        p.data -= F32(lr) * p.grad


def _mg_step(params, loss_fn, update):
    def step():
        for p in params:
            p.null_grad()
        loss = loss_fn()
        loss.backward()
        update()
        return float(loss.item())

    return step


def make_w1(seed=0):
    import mygrad as mg
    from mygrad.nnet import relu, softmax_crossentropy

    ws, x, y = weight_arrays("W1", seed)
    params = [mg.Tensor(w) for w in ws]
    x = mg.Tensor(x, constant=True)

    def loss_fn():
        h = x
        for i in range(0, len(params) - 2, 2):
            h = relu(h @ params[i] + params[i + 1])
        return softmax_crossentropy(h @ params[-2] + params[-1], y)

    return _mg_step(params, loss_fn, lambda: _sgd(params, 0.01))


def make_w1nn(seed=0):
    """W1nn: the same MLP, weights laid out (out, in) as nn.Linear's."""
    import mygrad as mg
    from mygrad.nnet import relu, softmax_crossentropy

    p, x, y = weight_arrays("W1nn", seed)
    P = {k: mg.Tensor(v) for k, v in p.items()}
    x = mg.Tensor(x, constant=True)

    def loss_fn():
        h = relu(x @ P["0.weight"].T + P["0.bias"])
        h = relu(h @ P["2.weight"].T + P["2.bias"])
        return softmax_crossentropy(h @ P["4.weight"].T + P["4.bias"], y)

    return _mg_step(list(P.values()), loss_fn, lambda: _sgd(P.values(), 0.01))


def _avgpool2(h):
    n, c, hh, ww = h.shape
    return h.reshape(n, c, hh // 2, 2, ww // 2, 2).mean(axis=(3, 5))


def make_w2(seed=0):
    import mygrad as mg
    from mygrad.nnet import sigmoid, softmax_crossentropy
    from mygrad.nnet.layers import conv_nd

    p, x, y = weight_arrays("W2", seed)
    P = {k: mg.Tensor(v) for k, v in p.items()}
    x = mg.Tensor(x, constant=True)

    def loss_fn():
        h = _avgpool2(sigmoid(conv_nd(x, P["0.weight"], stride=1, padding=2) + P["0.bias"].reshape(1, 6, 1, 1)))
        h = _avgpool2(sigmoid(conv_nd(h, P["3.weight"], stride=1) + P["3.bias"].reshape(1, 16, 1, 1)))
        h = h.reshape(h.shape[0], -1)
        h = sigmoid(h @ P["7.weight"].T + P["7.bias"])
        h = sigmoid(h @ P["9.weight"].T + P["9.bias"])
        return softmax_crossentropy(h @ P["11.weight"].T + P["11.bias"], y)

    return _mg_step(list(P.values()), loss_fn, lambda: _sgd(P.values(), 0.1))


def _conv(x, w, s, p):
    """torch's conv2d (square, no bias) via MyGrad's conv_nd, which refuses (H + 2p - k) % s != 0 where
    torch drops the trailing rows: then pad by hand (left p, right p - r) or crop."""
    import mygrad as mg
    from mygrad.nnet.layers import conv_nd

    h, k = x.shape[-1], w.shape[-1]
    r = (h + 2 * p - k) % s
    if r == 0:
        return conv_nd(x, w, stride=s, padding=p)
    if r > p:
        x = x[..., : h - (r - p), : h - (r - p)]
        r = p
    n, c = x.shape[:2]
    if p:
        z = np.zeros((n, c, x.shape[2], p), x.dtype)
        x = mg.concatenate([z, x, z[..., : p - r]] if p > r else [z, x], axis=3)
        z = np.zeros((n, c, p, x.shape[3]), x.dtype)
        x = mg.concatenate([z, x, z[:, :, : p - r]] if p > r else [z, x], axis=2)
    return conv_nd(x, w, stride=s)


def make_w5(seed=0):
    """ResNet-18 CIFAR layout, batch 64, SGD momentum 0.9 (torch's rule: buf = g on the first step)."""
    import mygrad as mg
    from mygrad.nnet import relu, softmax_crossentropy
    from mygrad.nnet.layers import batchnorm, conv_nd

    p, x, y = weight_arrays("W5", seed)
    P = {k: mg.Tensor(v) for k, v in p.items()}
    x = mg.Tensor(x, constant=True)
    _, blocks = _resnet18_spec()
    fc = len(blocks) + 5

    def bn(h, k):
        return batchnorm(h, gamma=P[k + ".weight"], beta=P[k + ".bias"], eps=1e-5)

    def loss_fn():
        h = relu(bn(conv_nd(x, P["0.weight"], stride=1, padding=1), "1"))
        for b, s, down in blocks:
            o = relu(bn(_conv(h, P[f"{b}.conv1.weight"], s, 1), f"{b}.bn1"))
            o = bn(conv_nd(o, P[f"{b}.conv2.weight"], stride=1, padding=1), f"{b}.bn2")
            sc = bn(_conv(h, P[f"{b}.down.0.weight"], s, 0), f"{b}.down.1") if down else h
            h = relu(o + sc)
        h = h.mean(axis=(2, 3))
        return softmax_crossentropy(h @ P[f"{fc}.weight"].T + P[f"{fc}.bias"], y)

    params = list(P.values())
    bufs = [None] * len(params)

    def update():
        for i, q in enumerate(params):
            g = q.grad
            bufs[i] = g.copy() if bufs[i] is None else np.add(bufs[i] * F32(0.9), g, out=bufs[i])
            q.data -= F32(0.1) * bufs[i]

    return _mg_step(params, loss_fn, update)


PEERS = {"OVH": make_ovh, "CHAIN": make_chain, "W1": make_w1, "W1nn": make_w1nn, "W2": make_w2, "W5": make_w5}

NOT_RUN = {
    "W3": "not written: MyGrad has no LSTM layer (only gru) and no Adam",
    "W4": "not written: MyGrad has no attention, LayerNorm or Adam",
}


def available() -> bool:
    try:
        import mygrad  # noqa: F401
    except ImportError:
        return False
    return True


def reason(name: str) -> str:
    if not available():
        return "mygrad is not installed"
    return NOT_RUN.get(name, "not written: no MyGrad version of this workload")
