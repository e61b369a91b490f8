"""The generic lowering of a training step (``ember/jit/_generic.py``) and the view lowerings (``_views.py``):
Transformer-like steps (dropout, Adam, chunk/slices/views/layer_norm/SDPA/gelu, broadcasting, a cast) replay
as kernels, bit for bit eager mode's (float32 bit patterns compared, so -0.0 and 0.0 differ), and never hand out
a buffer the caller holds."""
import numpy as np
import pytest

import ember
from ember import nn
from ember.nn import functional as F

STEPS = 3


def _bits(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    return a.view(np.uint32 if a.dtype == np.float32 else np.uint64)


def _assert_same(a, b, msg=""):
    np.testing.assert_array_equal(_bits(np.asarray(a)), _bits(np.asarray(b)), err_msg=msg)


class _Block(nn.Module):
    """One attention block by hand: a fused qkv projection split by chunk, heads by view/transpose, SDPA,
    a gelu MLP, layer norms, a broadcast scale (its gradient is summed back to (d,)) and a float64 side branch
    cast back to float32 (the cast's gradient route)."""

    def __init__(self, d=8, heads=2, split="chunk"):
        super().__init__()
        self.h, self.split = heads, split
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.ff1, self.ff2 = nn.Linear(d, 2 * d), nn.Linear(2 * d, d)
        self.n1, self.n2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.scale = nn.Parameter(ember.ones(d))

    def forward(self, x):
        b, t, d = x.shape
        qkv = self.qkv(self.n1(x))
        if self.split == "chunk":
            q, k, v = qkv.chunk(3, dim=-1)
        elif self.split == "overlap":  # overlapping slices: the generic scatter-and-sum
            q, k, v = qkv[..., :d], qkv[..., d // 2:d // 2 + d], qkv[..., 2 * d:]
        else:  # "gap": the middle third unused (its gradient is zero)
            q, v = qkv[..., :d], qkv[..., 2 * d:]
            k = q
        q, k, v = (z.reshape(b, t, self.h, d // self.h).transpose(1, 2) for z in (q, k, v))
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.proj(a.transpose(1, 2).reshape(b, t, d)) * self.scale
        side = (x.double() * 0.5).float()
        return x + self.ff2(F.gelu(self.ff1(self.n2(x)))) + side


def _run(make, compiled: bool, data, returns=lambda loss, out: loss):
    ember.manual_seed(0)
    net = make()
    opt = ember.optim.Adam(net.parameters(), lr=1e-2)

    def train_step(x):
        out = net(x)
        loss = out.pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return returns(loss, out)
    step = ember.compile(train_step) if compiled else train_step
    ember.manual_seed(1)  # the dropout masks: drawn in the same order in both runs
    results = [step(x) for x in data]
    return net, results, step


def _data(shape=(2, 5, 8), n=STEPS):
    rng = np.random.default_rng(0)
    return [ember.tensor(rng.standard_normal(shape).astype(np.float32)) for _ in range(n)]


def _lowered(step):
    (progs,) = step._programs.values()
    return progs[0].lowered


def _compare(make, data, returns=lambda loss, out: loss):
    net_e, res_e, _ = _run(make, False, data, returns)
    net_c, res_c, step = _run(make, True, data, returns)
    assert _lowered(step) is not None
    for a, b in zip(res_e, res_c):
        for u, v in zip(a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,)):
            _assert_same(u.detach().numpy(), v.detach().numpy())
    for (name, p), q in zip(net_e.named_parameters(), net_c.parameters()):
        _assert_same(p.detach().numpy(), q.detach().numpy(), name)
        _assert_same(p.grad.numpy(), q.grad.numpy(), name)
    return res_c, step


@pytest.mark.parametrize("dropout", [0.0, 0.25])
def test_transformer_encoder_layer_step_is_lowered_and_equals_eager(dropout, kernel_set):
    def make():
        return nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=dropout, batch_first=True)
    _compare(make, _data())


@pytest.mark.parametrize("split", ["chunk", "overlap", "gap"])
def test_attention_block_step_equals_eager(split):
    _compare(lambda: _Block(split=split), _data())


def test_returned_views_and_intermediates_are_not_overwritten():
    """The step returns the loss and a view of the block's output: each replay's are new arrays."""
    res, step = _compare(lambda: _Block(), _data(n=4), returns=lambda loss, out: (loss, out[:, -1]))
    outs = [r[1].detach().numpy() for r in res]
    for k in range(len(outs) - 1):
        assert not np.shares_memory(outs[k], outs[k + 1])


def test_held_grads_keep_their_values():
    """A .grad the caller holds keeps its step's values (the replay writes the next one elsewhere)."""
    data = _data(n=4)
    nets, held = [], []
    for compiled in (False, True):
        ember.manual_seed(0)
        net = _Block()
        opt = ember.optim.Adam(net.parameters(), lr=1e-2)

        def train_step(x, net=net, opt=opt):
            opt.zero_grad()
            loss = net(x).pow(2).mean()
            loss.backward()
            opt.step()
            return loss
        step = ember.compile(train_step) if compiled else train_step
        grads, arrays = [], []
        for x in data:
            step(x)
            grads.append((net.n1.weight.grad, net.scale.grad, net.qkv.weight.grad))
            arrays.append(net.n2.bias.grad.numpy())  # only its array is held
        nets.append(net)
        held.append((grads, arrays))
    assert _lowered(step) is not None
    for ge, gc in zip(held[0][0], held[1][0]):
        for a, b in zip(ge, gc):
            _assert_same(a.numpy(), b.numpy())
    assert len({id(g[0]) for g in held[1][0]}) == len(data)
    for k, (a, b) in enumerate(zip(held[0][1], held[1][1])):
        _assert_same(a, b, f"step {k}")  # after all steps, each held array still has its own step's values


def test_sign_of_zero_in_slice_gradients():
    """Slices that split a tensor: eager sums zeros into each piece's gradient, which turns -0.0 into 0.0 when
    two or more meet (the lowering adds 0.0 for that); one slice alone keeps -0.0."""
    class Net(nn.Module):
        def __init__(self, pieces):
            super().__init__()
            self.w = nn.Parameter(ember.tensor([[1.0, -1.0, 2.0, 0.5]]))
            self.pieces = pieces

        def forward(self, x):
            y = x * self.w
            parts = y.chunk(self.pieces, dim=-1)
            return sum((p * 0.0 * -1.0).sum() for p in parts) + parts[0].sum() * 0

    x = [ember.tensor([[1.0, 2.0, -3.0, 4.0]])] * 2
    for pieces in (1, 2, 4):
        _compare(lambda: Net(pieces), x, returns=lambda loss, out: loss)


class _Masked(nn.Module):
    """In-place ops on a non-leaf: a slice assignment (torch's CopySlices) and ``+=``."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)

    def forward(self, x):
        y = self.lin(x) * 1
        y[:, 0] = 0
        y += 1.0
        return y.tanh()


class _EmbLSTM(nn.Module):
    """Integer inputs (embedding), a several-output op (the LSTM) and a reshape into cross-entropy."""

    def __init__(self):
        super().__init__()
        self.emb, self.rnn, self.out = nn.Embedding(10, 6), nn.LSTM(6, 5, batch_first=True), nn.Linear(5, 10)

    def forward(self, x):
        h, _ = self.rnn(self.emb(x))
        return self.out(h)


def _other_models():
    rng = np.random.default_rng(0)

    def t(*shape):
        return ember.tensor(rng.standard_normal(shape).astype(np.float32))

    def i(hi, *shape):
        return ember.tensor(rng.integers(0, hi, shape))
    return {
        "inplace": (_Masked, [(t(3, 4),) for _ in range(STEPS)], lambda n, x: n(x).pow(2).sum()),
        "embedding-lstm": (_EmbLSTM, [(i(10, 2, 4), i(10, 2, 4)) for _ in range(STEPS)],
                           lambda n, x, y: F.cross_entropy(n(x).reshape(-1, 10), y.reshape(-1))),
        "conv-pool-dropout": (lambda: nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                                                    nn.Dropout(0.3), nn.Linear(27, 5)),
                              [(t(2, 1, 8, 8), i(5, 2)) for _ in range(STEPS)],
                              lambda n, x, y: F.cross_entropy(n(x), y)),
        "broadcast-mse-float64": (lambda: nn.Sequential(nn.Linear(4, 1).double(), nn.Flatten(0)),
                                  [(t(5, 4).double(), t(1).double()) for _ in range(STEPS)],
                                  lambda n, x, y: F.mse_loss(n(x), y.expand(5)) + (n(x) * y).mean()),
    }


@pytest.mark.parametrize("name", sorted(_other_models()))
def test_other_steps_equal_eager(name):
    make, data, loss_fn = _other_models()[name]
    runs = []
    for compiled in (False, True):
        ember.manual_seed(0)
        net = make()
        opt = ember.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)

        def train_step(*args, net=net, opt=opt):
            loss = loss_fn(net, *args)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss
        step = ember.compile(train_step) if compiled else train_step
        ember.manual_seed(1)
        runs.append((net, [step(*a).detach().numpy() for a in data]))
    assert _lowered(step) is not None
    for a, b in zip(runs[0][1], runs[1][1]):
        _assert_same(a, b)
    for (n, p), q in zip(runs[0][0].named_parameters(), runs[1][0].parameters()):
        _assert_same(p.grad.numpy(), q.grad.numpy(), n)
        _assert_same(p.detach().numpy(), q.detach().numpy(), n)
