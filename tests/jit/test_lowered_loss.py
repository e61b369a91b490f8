"""The kernel replay's cross_entropy over class indices with no weight or smoothing (``_kernels._PlainCE``):
bitwise eager mode's loss, gradients and weights (float32 and float64, mean and sum, int64 and uint8 targets, NaN
and infinite logits), the op's own forward and backward where a replay's target has an ignored row, and eager
mode's IndexError for a target out of range, after which the step replays as before."""
import numpy as np
import pytest

import ember
from ember import nn
from ember.jit import _kernels

C = 4


@pytest.fixture
def plain_calls(monkeypatch):
    """How many replays ran the plain forward to the end (it returns None where the op's own forward runs)."""
    calls = []
    forward = _kernels._PlainCE.forward

    def counted(self, x, t):
        out = forward(self, x, t)
        calls.append(out is not None)
        return out
    monkeypatch.setattr(_kernels._PlainCE, "forward", counted)
    return calls


def _make(dtype, reduction, ignore_index=-100):
    ember.manual_seed(0)
    net = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, C)).to(dtype)
    opt = ember.optim.SGD(net.parameters(), lr=0.1)

    def step(x, y):
        loss = nn.functional.cross_entropy(net(x), y, reduction=reduction, ignore_index=ignore_index)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss
    return net, step


def _batch(rng, dtype, tdtype=np.int64, targets=None):
    x = rng.standard_normal((5, 6)).astype(dtype.np)
    y = rng.integers(0, C, 5) if targets is None else np.array(targets)
    return ember.tensor(x), ember.tensor(y.astype(tdtype))


def _bits(a: np.ndarray) -> np.ndarray:
    return a.view(np.int32 if a.dtype == np.float32 else np.int64)


def _assert_same(step_e, step_c, net_e, net_c, x, y, what):
    a, b = step_e(x, y), step_c(x, y)
    np.testing.assert_array_equal(_bits(a.detach().numpy()), _bits(b.detach().numpy()), err_msg=what)
    for (name, p), q in zip(net_e.named_parameters(), net_c.parameters()):
        np.testing.assert_array_equal(_bits(p.detach().numpy()), _bits(q.detach().numpy()), err_msg=f"{what} {name}")
        np.testing.assert_array_equal(_bits(p.grad.numpy()), _bits(q.grad.numpy()), err_msg=f"{what} {name}.grad")


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("tdtype", [np.int64, np.uint8])
def test_plain_cross_entropy_equals_eager(dtype, reduction, tdtype, plain_calls, kernel_set):
    net_e, step_e = _make(dtype, reduction)
    net_c, step_c = _make(dtype, reduction)
    compiled = ember.compile(step_c)
    rng = np.random.default_rng(0)
    for k in range(4):
        x, y = _batch(rng, dtype, tdtype)
        if k == 3:  # an infinite logit: NaN in its row's softmax, loss and gradients
            x = ember.tensor(np.where(np.arange(30).reshape(5, 6) == 7, np.inf, x.numpy()))
        _assert_same(step_e, compiled, net_e, net_c, x, y, f"step {k}")
    assert plain_calls == [True] * 3  # the first call records (eager); the replays ran the plain forward


def test_ignored_rows_take_the_ops_own_forward(plain_calls):
    net_e, step_e = _make(ember.float32, "mean")
    net_c, step_c = _make(ember.float32, "mean")
    compiled = ember.compile(step_c)
    rng = np.random.default_rng(1)
    for k, targets in enumerate([None, [0, -100, 2, 3, -100], None, [-100] * 5, None]):
        x, y = _batch(rng, ember.float32, targets=targets)
        _assert_same(step_e, compiled, net_e, net_c, x, y, f"step {k}")
    assert plain_calls == [False, True, False, True]


def test_ignore_index_among_the_classes_is_not_plain(plain_calls):
    net_e, step_e = _make(ember.float32, "mean", ignore_index=1)
    net_c, step_c = _make(ember.float32, "mean", ignore_index=1)
    compiled = ember.compile(step_c)
    rng = np.random.default_rng(2)
    for k in range(3):
        x, y = _batch(rng, ember.float32, targets=[1, 0, 2, 1, 3])
        _assert_same(step_e, compiled, net_e, net_c, x, y, f"step {k}")
    assert plain_calls == []


@pytest.mark.parametrize("bad", [C, -1])
def test_bad_target_raises_as_eager(bad, plain_calls):
    net_e, step_e = _make(ember.float32, "mean")
    net_c, step_c = _make(ember.float32, "mean")
    compiled = ember.compile(step_c)
    rng = np.random.default_rng(3)
    for k in range(2):
        x, y = _batch(rng, ember.float32)
        _assert_same(step_e, compiled, net_e, net_c, x, y, f"step {k}")
    x, y = _batch(rng, ember.float32, targets=[0, 1, bad, 2, 3])
    with pytest.raises(IndexError) as eager:
        step_e(x, y)
    with pytest.raises(IndexError, match=f"^{eager.value}$"):
        compiled(x, y)
    x, y = _batch(rng, ember.float32)
    _assert_same(step_e, compiled, net_e, net_c, x, y, "after the error")
    assert plain_calls == [True, False, True]
