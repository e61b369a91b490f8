"""The kernel replay (``ember/jit/_lower.py``): a step or forward made of lowered ops replays as kernels on buffers
allocated once, bitwise equal to eager mode (both kernel sets), and never overwrites what the caller holds:
returned tensors (a loss, logits, a view of an output), a parameter's ``.grad`` tensor or its array."""
import weakref

import numpy as np
import pytest

import ember
from ember import nn

K = 4
OPTIMIZERS = {"sgd": lambda p: ember.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-3),
              "adam": lambda p: ember.optim.Adam(p, lr=0.01)}


def _deep_mlp():  # equal widths: activations and gradients of one shape share buffers
    return nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(),
                         nn.Linear(8, 3))


def _setup(make_opt, returns="loss"):
    ember.manual_seed(0)
    net = _deep_mlp()
    opt = make_opt(net.parameters())

    def train_step(x, y):
        logits = net(x)
        loss = nn.functional.cross_entropy(logits, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return (loss, logits) if returns == "both" else loss.item() if returns == "item" else loss

    return net, train_step


class _UserTanh(ember.autograd.Function):
    """A user Function: the kernel replay has no lowering for it, so a step using it keeps the generic replay."""

    @staticmethod
    def forward(ctx, x):
        y = x.tanh()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (1 - y * y)


class _Tanh(nn.Module):
    def forward(self, x):
        return _UserTanh.apply(x)


def _data(n=K, seed=0):
    rng = np.random.default_rng(seed)
    return [(ember.tensor(rng.standard_normal((5, 6)).astype(np.float32)), ember.tensor(rng.integers(0, 3, 5)))
            for _ in range(n)]


def _program(compiled):
    (progs,) = compiled._programs.values()
    return progs[0]


@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
@pytest.mark.parametrize("returns", ["loss", "item", "both"])
def test_lowered_step_equals_eager(opt, returns, kernel_set):
    net_e, step_e = _setup(OPTIMIZERS[opt], returns)
    net_c, step_c = _setup(OPTIMIZERS[opt], returns)
    compiled = ember.compile(step_c)
    data = _data()
    for x, y in data:
        a, b = step_e(x, y), compiled(x, y)
        a, b = (a, b) if returns == "both" else ((a,), (b,))
        for u, v in zip(a, b):
            np.testing.assert_array_equal(np.asarray(float(u) if returns == "item" else u.detach().numpy()),
                                          np.asarray(float(v) if returns == "item" else v.detach().numpy()))
    assert _program(compiled).lowered is not None
    for (name, p), q in zip(net_e.named_parameters(), net_c.parameters()):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy(), err_msg=name)
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy(), err_msg=name)


@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
def test_lowered_step_shares_and_reuses_buffers(opt):
    net, step = _setup(OPTIMIZERS[opt])
    compiled = ember.compile(step)
    data = _data()
    compiled(*data[0])
    compiled(*data[1])
    low = _program(compiled).lowered
    bufs = [a for a in low.env if isinstance(a, np.ndarray) and a.shape == (5, 8)]
    assert len({id(a) for a in bufs}) < len(bufs)  # values of one shape with disjoint lifetimes share one buffer
    ptrs = [p.grad.data_ptr() for p in net.parameters()]
    refs = [weakref.ref(p.grad) for p in net.parameters()]
    for x, y in data[2:]:
        compiled(x, y)
    assert [p.grad.data_ptr() for p in net.parameters()] == ptrs  # nobody held them: written in place
    assert [r() for r in refs] == [p.grad for p in net.parameters()]


@pytest.mark.parametrize("lowered", [True, False])
def test_held_grad_keeps_its_values(lowered):
    """A .grad tensor (or its array) the caller holds keeps that step's gradient, as in eager mode, where
    zero_grad sets .grad to None and backward makes a new one; the generic replay (a user Function has no
    lowering, so that step is not lowered) does the same."""
    make = (lambda: _deep_mlp()) if lowered else (lambda: nn.Sequential(nn.Linear(6, 8), _Tanh(),
                                                                      nn.Linear(8, 3)))
    nets, steps = [], []
    for _ in range(2):
        ember.manual_seed(0)
        net = make()
        opt = OPTIMIZERS["sgd"](net.parameters())

        def train_step(x, y, net=net, opt=opt):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(net(x), y)
            loss.backward()
            opt.step()
            return loss
        nets.append(net)
        steps.append(train_step)
    compiled = ember.compile(steps[1])
    data = _data()
    held_e, held_c, arrays_c = [], [], []
    for x, y in data:
        steps[0](x, y)
        compiled(x, y)
        held_e.append(nets[0][0].weight.grad)
        held_c.append(nets[1][0].weight.grad)
        arrays_c.append(nets[1][-1].bias.grad.numpy())
    assert (_program(compiled).lowered is not None) is lowered
    expected = [g.numpy() for g in held_e]
    for k, g in enumerate(held_c):
        np.testing.assert_array_equal(g.numpy(), expected[k], err_msg=f"step {k}")
    assert len({id(g) for g in held_c}) == K
    for k, a in enumerate(arrays_c[:-1]):
        assert not np.shares_memory(a, arrays_c[k + 1])


def test_returned_tensors_are_not_overwritten():
    net, step = _setup(OPTIMIZERS["adam"], "both")
    compiled = ember.compile(step)
    data = _data()
    outs = [compiled(x, y) for x, y in data]
    assert _program(compiled).lowered is not None
    net_e, step_e = _setup(OPTIMIZERS["adam"], "both")
    for (loss, logits), (x, y) in zip(outs, data):
        loss_e, logits_e = step_e(x, y)
        np.testing.assert_array_equal(loss.detach().numpy(), loss_e.detach().numpy())
        np.testing.assert_array_equal(logits.detach().numpy(), logits_e.detach().numpy())
        assert loss.requires_grad and type(loss.grad_fn).__name__ == type(loss_e.grad_fn).__name__
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        outs[-1][0].backward()


@pytest.mark.parametrize("shape", [(3, 6), (3, 2, 6)])
def test_lowered_inference_keeps_returned_outputs(kernel_set, shape):
    ember.manual_seed(0)
    net = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 4),
                        nn.Unflatten(-1, (2, 2)))
    net.eval()
    rng = np.random.default_rng(0)
    xs = [ember.tensor(rng.standard_normal(shape).astype(np.float32)) for _ in range(3)]
    traced = ember.jit.trace(net, xs[0])
    with ember.no_grad():
        ys = [traced(x) for x in xs]  # the last op is a view of the last GEMM's output
        assert next(iter(traced._programs.values())).lowered is not None
        for x, y in zip(xs, ys):
            np.testing.assert_array_equal(y.numpy(), net(x).numpy())
    assert not np.shares_memory(ys[0].numpy(), ys[1].numpy())


def test_generic_replay_keeps_grad_tensors_nobody_holds():
    ember.manual_seed(0)
    net = nn.Sequential(nn.Linear(6, 8), _Tanh(), nn.Linear(8, 3))
    opt = OPTIMIZERS["sgd"](net.parameters())

    @ember.compile
    def step(x, y):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss

    data = _data()
    step(*data[0])
    step(*data[1])
    assert _program(step).lowered is None
    refs = [weakref.ref(p.grad) for p in net.parameters()]
    for x, y in data[2:]:
        step(x, y)
    assert [r() for r in refs] == [p.grad for p in net.parameters()]


class _Tied(nn.Module):
    """One Linear applied twice: its weight's gradient is the sum of two (added in place, in the engine's order)."""

    def __init__(self):
        super().__init__()
        self.inp, self.mid, self.out = nn.Linear(6, 8), nn.Linear(8, 8), nn.Linear(8, 3)

    def forward(self, x):
        relu = nn.functional.relu
        return self.out(relu(self.mid(relu(self.mid(relu(self.inp(x)))))))


def test_lowered_step_with_tied_weights_equals_eager():
    runs = []
    for compiled in (False, True):
        ember.manual_seed(0)
        net = _Tied()
        opt = OPTIMIZERS["adam"](net.parameters())

        def train_step(x, y, net=net, opt=opt):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(net(x), y)
            loss.backward()
            opt.step()
            return loss
        step = ember.compile(train_step) if compiled else train_step
        losses = [float(step(x, y)) for x, y in _data()]
        runs.append((losses, net))
    assert _program(step).lowered is not None
    assert runs[0][0] == runs[1][0]
    for p, q in zip(runs[0][1].parameters(), runs[1][1].parameters()):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
