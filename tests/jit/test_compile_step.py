"""ember.compile of a whole training step (forward, backward, optimizer step): K replayed steps give eager
mode's losses and weights (bitwise: the backward runs in the engine's order), guards capture again on new
shapes, dtypes and train/eval mode, and what cannot be captured runs eagerly with one warning."""
import warnings
import weakref

import numpy as np
import pytest

import ember
from ember import nn

K = 4


def _mlp():
    return nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3))


def _cnn():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),
                         nn.Conv2d(4, 6, 3), nn.Tanh(), nn.Flatten(), nn.Dropout(0.25), nn.Linear(24, 3))


def _transformer():
    return nn.Sequential(nn.TransformerEncoderLayer(6, 2, dim_feedforward=8, dropout=0.1, batch_first=True),
                         nn.Flatten(), nn.Linear(18, 3))


OPTIMIZERS = {"sgd": lambda p: ember.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-3),
              "adam": lambda p: ember.optim.Adam(p, lr=0.01)}


def _setup(make_net, make_opt, returns_item=False):
    ember.manual_seed(0)
    net = make_net()
    opt = make_opt(net.parameters())

    def train_step(x, y):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss.item() if returns_item else loss

    return net, opt, train_step


def _data(shape, n=K, seed=0):
    rng = np.random.default_rng(seed)
    return [(ember.tensor(rng.standard_normal(shape).astype(np.float32)), ember.tensor(rng.integers(0, 3, shape[0])))
            for _ in range(n)]


def _run(step, data):
    ember.manual_seed(1)  # dropout draws the same masks in both runs
    return [float(step(x, y)) for x, y in data]


def _assert_same_training(make_net, make_opt, shape, returns_item=False):
    net_e, opt_e, step_e = _setup(make_net, make_opt, returns_item)
    net_c, opt_c, step_c = _setup(make_net, make_opt, returns_item)
    compiled = ember.compile(step_c)
    data = _data(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no eager fallback
        assert _run(compiled, data) == _run(step_e, data)
    for (name, a), b in zip(net_e.named_parameters(), net_c.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy(), err_msg=name)
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy(), err_msg=name)
    for p_e, p_c in zip(net_e.parameters(), net_c.parameters()):
        for k, v in opt_e.state[p_e].items():
            np.testing.assert_array_equal(v.numpy(), opt_c.state[p_c][k].numpy())
    return compiled, net_c


@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
def test_mlp_training_replay_equals_eager(opt):
    compiled, _ = _assert_same_training(_mlp, OPTIMIZERS[opt], (5, 6))
    assert compiled.retraces == 0 and compiled._eager_reason is None


@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
def test_cnn_with_dropout_and_inplace_relu_replay_equals_eager(opt):
    _assert_same_training(_cnn, OPTIMIZERS[opt], (4, 1, 8, 8), returns_item=True)


def test_transformer_layer_replay_equals_eager():
    _assert_same_training(_transformer, OPTIMIZERS["adam"], (2, 3, 6))


def test_replay_skips_python_and_keeps_grad_tensors():
    calls = []

    class Counted(nn.Linear):
        def forward(self, x):
            calls.append(1)
            return super().forward(x)

    ember.manual_seed(0)
    net = nn.Sequential(Counted(6, 3))
    opt = ember.optim.SGD(net.parameters(), lr=0.1)

    @ember.compile
    def step(x, y):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss

    data = _data((5, 6))
    step(*data[0])
    step(*data[1])
    grad = weakref.ref(net[0].weight.grad)  # a weak reference: the caller does not hold the .grad
    for x, y in data[2:]:
        step(x, y)
    assert len(calls) == 1  # forward's Python ran once, at capture
    assert grad() is net[0].weight.grad  # zero_grad + backward: the same .grad tensor takes the new gradient


def test_scheduler_lr_is_read_at_replay():
    net_e, opt_e, step_e = _setup(_mlp, OPTIMIZERS["sgd"])
    net_c, opt_c, step_c = _setup(_mlp, OPTIMIZERS["sgd"])
    compiled = ember.compile(step_c)
    sched_e = ember.optim.lr_scheduler.StepLR(opt_e, 1, gamma=0.5)
    sched_c = ember.optim.lr_scheduler.StepLR(opt_c, 1, gamma=0.5)
    for x, y in _data((5, 6)):
        step_e(x, y), compiled(x, y)
        sched_e.step(), sched_c.step()
    for a, b in zip(net_e.parameters(), net_c.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_guards_capture_again_on_new_shape_dtype_and_mode():
    net_e, _, step_e = _setup(_mlp, OPTIMIZERS["adam"])
    net_c, _, step_c = _setup(_mlp, OPTIMIZERS["adam"])
    compiled = ember.compile(step_c)
    batches = _data((5, 6), 2) + _data((7, 6), 2, seed=1) + _data((5, 6), 1, seed=2)
    assert _run(compiled, batches) == _run(step_e, batches)
    assert compiled.retraces == 1  # batch 7 is a new signature; batch 5 again replays its program
    net_e.eval(), net_c.eval()
    assert _run(compiled, batches[:1]) == _run(step_e, batches[:1])
    assert compiled.retraces == 2
    net_e.double(), net_c.double()
    x, y = batches[0]
    assert float(compiled(x.double(), y)) == float(step_e(x.double(), y))
    assert compiled.retraces == 3
    for a, b in zip(net_e.parameters(), net_c.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def _fallback_cases():
    def clip(net, opt, x, y):
        opt.zero_grad()
        nn.functional.cross_entropy(net(x), y).backward()
        nn.utils.clip_grad_norm_(net.parameters(), 0.1)
        opt.step()

    def control_flow(net, opt, x, y):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(x), y)
        if loss.item() > 0:  # data-dependent: frozen in a replay
            loss.backward()
        opt.step()

    def batch_norm(net, opt, x, y):
        opt.zero_grad()
        nn.functional.cross_entropy(net(x), y).backward()
        opt.step()

    from ember.ao.quantization import FakeQuantize

    def topk_loss(net, opt, x, y):
        opt.zero_grad()
        net(x).topk(2, 1)[0].sum().backward()  # the indices are computed outside the ops
        opt.step()

    return [(topk_loss, _mlp, "indices computed outside"), (clip, _mlp, "gradients were changed"),
            (control_flow, _mlp, "Tensor.item"),
            (batch_norm, lambda: nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.Linear(8, 3)),
             "running statistics"),
            (batch_norm, lambda: nn.Sequential(nn.Linear(6, 8), FakeQuantize(), nn.Linear(8, 3)),
             "changes its buffer")]


@pytest.mark.parametrize("case", _fallback_cases(), ids=["topk", "clip_grad_norm", "control_flow", "batch_norm",
                                                         "qat_observer"])
def test_fallback_warns_once_and_runs_eagerly(case):
    body, make_net, reason = case
    results = []
    for compiled in (False, True):
        ember.manual_seed(0)
        net = make_net()
        opt = ember.optim.SGD(net.parameters(), lr=0.1)

        def step(x, y):
            body(net, opt, x, y)

        if compiled:
            step = ember.compile(step)
            with pytest.warns(UserWarning, match=reason):
                step(*_data((5, 6))[0])
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                for x, y in _data((5, 6))[1:]:
                    step(x, y)
        else:
            for x, y in _data((5, 6)):
                step(x, y)
        results.append([p.detach().numpy().copy() for p in net.parameters()])
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)
