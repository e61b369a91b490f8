"""The Module system against torch: registration, the tree walk, state_dict messages, modes, hooks,
conversion, containers and repr."""
from __future__ import annotations

import copy

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch", reason="torch is the test oracle (pip install -e '.[test]')")


def build(m):
    nn = m.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 3)
            self.register_buffer("steps", m.zeros(1))
            self.register_buffer("scratch", m.ones(2), persistent=False)
            self.scale = nn.Parameter(m.ones(3))
            self.act = nn.ReLU()

        def forward(self, x):
            return self.act(self.fc(x)) * self.scale

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = Block()
            self.head = nn.Sequential(nn.Linear(3, 2), nn.Tanh())
            self.shared = self.head[0]  # the same module twice: walked once

        def forward(self, x):
            return self.head(self.block(x))

    return Net()


def copy_weights(e_net, t_net):
    sd = {k: ember.from_numpy(v.detach().numpy().copy()) for k, v in t_net.state_dict().items()}
    e_net.load_state_dict(sd)


def test_walks_match_torch():
    e, t = build(ember), build(torch)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in e.named_children()] == [n for n, _ in t.named_children()]
    assert list(e.state_dict().keys()) == list(t.state_dict().keys())
    assert len(list(e.parameters())) == len(list(t.parameters()))
    assert "block.fc" in dict(e.named_modules()) and e.get_submodule("head.0") is e.head[0]
    assert e._parameters == {} and set(e._modules) == {"block", "head", "shared"}
    assert e.block._parameters["scale"] is e.block.scale


def test_state_dict_round_trip_and_outputs():
    e, t = build(ember), build(torch)
    copy_weights(e, t)
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(e(ember.from_numpy(x)).detach().numpy(), t(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    meta = e.state_dict()._metadata
    assert set(meta) == set(t.state_dict()._metadata)


def test_load_state_dict_errors_match_torch():
    e, t = build(ember), build(torch)
    bad_e = dict(e.state_dict())
    bad_t = dict(t.state_dict())
    for bad, m in ((bad_e, ember), (bad_t, torch)):
        del bad["head.0.bias"]
        bad["extra.weight"] = m.zeros(1)
        bad["block.fc.weight"] = m.zeros(3, 5)
    msgs = []
    for net, bad in ((e, bad_e), (t, bad_t)):
        with pytest.raises(RuntimeError) as err:
            net.load_state_dict(bad)
        msgs.append(str(err.value).replace("torch.", "").replace("ember.", ""))
    assert msgs[0] == msgs[1]
    res_e = e.load_state_dict(bad_e | {"block.fc.weight": ember.zeros(3, 4)}, strict=False)
    res_t = t.load_state_dict(bad_t | {"block.fc.weight": torch.zeros(3, 4)}, strict=False)
    assert (sorted(res_e.missing_keys), sorted(res_e.unexpected_keys)) == \
           (sorted(res_t.missing_keys), sorted(res_t.unexpected_keys))


def test_train_eval_requires_grad_zero_grad():
    e = build(ember)
    e.eval()
    assert all(not m.training for m in e.modules())
    e.train()
    assert all(m.training for m in e.modules())
    e(ember.ones(2, 4)).sum().backward()
    assert all(p.grad is not None for p in e.parameters())
    e.zero_grad()
    assert all(p.grad is None for p in e.parameters())
    e.requires_grad_(False)
    assert not any(p.requires_grad for p in e.parameters())


def test_registration_errors():
    nn = ember.nn
    m = nn.Module()
    with pytest.raises(KeyError, match="contain"):
        m.register_buffer("a.b", ember.zeros(1))
    with pytest.raises(TypeError, match="cannot assign 'int' object to buffer"):
        m.register_buffer("b", 3)
    m.w = nn.Parameter(ember.zeros(1))
    with pytest.raises(TypeError, match="cannot assign 'ember.Tensor'|cannot assign 'Tensor'"):
        m.w = ember.zeros(1)
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'nope'"):
        m.nope


def test_forward_hooks_and_pre_hooks():
    lin = ember.nn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    h2 = lin.register_forward_hook(lambda mod, args, out: calls.append(out.shape) or out + 1)
    y = lin(ember.ones(3, 2))
    np.testing.assert_allclose(y.detach().numpy(), (lin.bias.detach().numpy() + 1)[None].repeat(3, 0), rtol=1e-6)
    assert calls == [ember.Size([3, 2])]
    h1.remove()
    h2.remove()
    assert lin(ember.ones(1, 2)).shape == (1, 2) and len(calls) == 1


def test_full_backward_hook_matches_torch():
    def run(m):
        m.manual_seed(0)
        lin = m.nn.Linear(3, 2)
        with m.no_grad():
            lin.weight.copy_(m.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]]))
            lin.bias.zero_()
        seen = {}

        def hook(mod, grad_in, grad_out):
            seen["in"] = grad_in[0].clone()
            seen["out"] = grad_out[0].clone()
            return (grad_in[0] * 2,)

        lin.register_full_backward_hook(hook)
        x = m.tensor([[1.0, -1.0, 2.0]], requires_grad=True)
        (lin(x) * m.tensor([[1.0, 3.0]])).sum().backward()
        return seen["in"], seen["out"], x.grad

    for a, b in zip(run(ember), run(torch)):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6)


def test_apply_to_double_half_deepcopy():
    e = build(ember)
    e.apply(lambda m: ember.nn.init.zeros_(m.weight) if isinstance(m, ember.nn.Linear) else None)
    assert float(e.block.fc.weight.abs().sum()) == 0
    p = e.block.fc.weight
    e.double()
    assert e.block.fc.weight is p and p.dtype is ember.float64  # the Parameter object is kept
    e.to(ember.float16)
    assert e.head[0].bias.dtype is ember.float16
    with pytest.raises(TypeError, match="only accepts floating point"):
        e.to(ember.int64)
    c = copy.deepcopy(e)
    assert c.block.fc.weight is not e.block.fc.weight
    np.testing.assert_array_equal(c.block.fc.weight.detach().numpy(), e.block.fc.weight.detach().numpy())


def test_repr_matches_torch():
    e, t = build(ember), build(torch)
    assert repr(e) == repr(t)


def test_containers():
    nn = ember.nn
    seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    seq.append(nn.Tanh())
    assert len(seq) == 3 and isinstance(seq[-1], nn.Tanh) and len(seq[1:]) == 2
    del seq[0]
    assert [type(m).__name__ for m in seq] == ["ReLU", "Tanh"]
    ml = nn.ModuleList([nn.Linear(1, 1) for _ in range(3)])
    ml.insert(0, nn.Identity())
    assert len(list(ml.parameters())) == 6 and isinstance(ml[0], nn.Identity)
    md = nn.ModuleDict({"a": nn.Linear(1, 1)})
    md["b"] = nn.Linear(1, 2)
    assert list(md.keys()) == ["a", "b"] and len(list(md.parameters())) == 4
    pl = nn.ParameterList([nn.Parameter(ember.zeros(2)), ember.ones(3)])
    assert len(list(pl.parameters())) == 2 and isinstance(pl[1], nn.Parameter)
    pd = nn.ParameterDict({"x": nn.Parameter(ember.zeros(1))})
    assert "x" in pd and len(list(pd.parameters())) == 1
    fl = nn.Unflatten(1, (2, 3))(nn.Flatten()(ember.zeros(4, 2, 3)))
    assert tuple(fl.shape) == (4, 2, 3)


def test_lazy_linear():
    lazy = ember.nn.LazyLinear(5)
    y = lazy(ember.ones(2, 7))
    assert tuple(y.shape) == (2, 5) and tuple(lazy.weight.shape) == (5, 7)
    assert type(lazy).__name__ == "Linear"
