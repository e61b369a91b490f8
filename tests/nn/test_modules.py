"""Generic module tests: every ``ModuleInfo`` row of every ``tests/nn/module_db*.py`` x {state_dict keys and
shapes, buffers, forward, input grads, parameter grads, train/eval} against torch, with torch's
parameters copied into ember's module."""
from __future__ import annotations

import glob
import importlib
import os

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch", reason="torch is the test oracle")


def _collect() -> list:
    rows = []
    here = os.path.dirname(__file__)
    for path in sorted(glob.glob(os.path.join(here, "module_db*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        rows.extend(importlib.import_module(f"tests.nn.{name}").MODULES)
    return rows


MODULES = _collect()


def _pair(info):
    torch.manual_seed(0)
    e, t = info.build(ember, torch)
    sd = {k: ember.from_numpy(v.detach().numpy().copy()) for k, v in t.state_dict().items()}
    e.load_state_dict(sd)
    return e, t


def _args(info, rng, want_grad):
    raw = info.inputs(np.random.default_rng(0))
    ea, ta = [], []
    for i, a in enumerate(raw):
        if isinstance(a, np.ndarray):
            g = want_grad and a.dtype.kind == "f" and i not in info.no_grad_inputs
            ea.append(ember.tensor(a.copy(), requires_grad=g))
            ta.append(torch.tensor(a.copy(), requires_grad=g))
        elif isinstance(a, tuple) and all(isinstance(x, np.ndarray) for x in a):  # a state such as LSTM's (h0, c0)
            g = want_grad and i not in info.no_grad_inputs
            ea.append(tuple(ember.tensor(x.copy(), requires_grad=g) for x in a))
            ta.append(tuple(torch.tensor(x.copy(), requires_grad=g) for x in a))
        else:
            ea.append(a)
            ta.append(a)
    return ea, ta


def _tensors(y) -> list:
    """The tensors of an output, nested tuples flattened in order (LSTM: out, h, c)."""
    if isinstance(y, (tuple, list)):
        return [t for x in y for t in _tensors(x)]
    return [] if y is None else [y]


def _close(a, b, info, what):
    a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    np.testing.assert_allclose(np.asarray(a, np.float64), b.detach().numpy().astype(np.float64),
                               atol=info.atol, rtol=info.rtol, err_msg=what)


@pytest.mark.parametrize("info", MODULES, ids=lambda r: r.name)
def test_state_dict_and_buffers(info):
    e, t = _pair(info)
    assert {k: tuple(v.shape) for k, v in e.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in t.state_dict().items()}
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]


@pytest.mark.parametrize("info", MODULES, ids=lambda r: r.name)
def test_forward_backward(info):
    e, t = _pair(info)
    if info.random:
        e.eval()
        t.eval()
    inplace = info.extra.get("inplace", False)
    ea, ta = _args(info, None, not inplace)
    if inplace:  # in-place layers: compare the values and that the input was overwritten
        ye, yt = e(*ea), t(*ta)
        _close(ye, yt, info, "output")
        _close(ea[0], ta[0], info, "input overwritten")
        return
    ye, yt = _tensors(e(*ea)), _tensors(t(*ta))
    assert len(ye) == len(yt), f"{len(ye)} output tensors, torch {len(yt)}"
    for k, (a, b) in enumerate(zip(ye, yt)):
        assert tuple(a.shape) == tuple(b.shape), f"output {k}: shape {tuple(a.shape)}, torch {tuple(b.shape)}"
        _close(a, b, info, f"output {k}")
    rng = np.random.default_rng(1)
    gs = [rng.standard_normal(tuple(b.shape)).astype(np.float32) for b in yt]
    pairs = [(a, b, g) for a, b, g in zip(ye, yt, gs) if b.requires_grad]
    ember.autograd.backward([p[0] for p in pairs], [ember.tensor(p[2]) for p in pairs])
    torch.autograd.backward([p[1] for p in pairs], [torch.tensor(p[2]) for p in pairs])
    for i, (a, b) in enumerate(zip(_tensors(ea), _tensors(ta))):
        if isinstance(b, torch.Tensor) and b.requires_grad:
            _close(a.grad, b.grad, info, f"grad of input {i}")
    tp = dict(t.named_parameters())
    for n, p in e.named_parameters():
        if tp[n].grad is None:
            assert p.grad is None or not np.any(p.grad.numpy()), n
        else:
            _close(p.grad, tp[n].grad, info, f"grad of {n}")


@pytest.mark.parametrize("info", MODULES, ids=lambda r: r.name)
def test_train_eval(info):
    e, _ = _pair(info)
    assert e.training
    e.eval()
    assert not e.training and all(not m.training for m in e.modules())
    e.train()
    assert e.training
    if info.random:
        ea, _ = _args(info, None, False)
        y = e(*ea)
        assert tuple(y.shape) == tuple(ea[0].shape)
