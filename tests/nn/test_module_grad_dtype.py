"""Every module row: the gradients of its parameters and inputs have their dtypes (torch's engine casts each
gradient to its input's dtype), even where the float32 output meets a float64 mask; with and without
``create_graph``. The repro of issue 15 (a float32 MLP under a float64 mask) is the first test."""
from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F

from tests.nn.test_modules import MODULES

torch = pytest.importorskip("torch", reason="torch is the test oracle")


def test_float32_mlp_under_float64_target_keeps_float32_grads():
    torch.manual_seed(0)
    t = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.LeakyReLU(0.01), torch.nn.Linear(5, 1))
    e = nn.Sequential(nn.Linear(3, 5), nn.LeakyReLU(0.01), nn.Linear(5, 1))
    e.load_state_dict({k: ember.from_numpy(v.detach().numpy().copy()) for k, v in t.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    y = np.random.default_rng(1).random((4, 1))  # float64 targets
    torch.nn.functional.binary_cross_entropy_with_logits(t(torch.from_numpy(x)), torch.from_numpy(y)).backward()
    F.binary_cross_entropy_with_logits(e(ember.from_numpy(x)), ember.from_numpy(y)).backward()
    for (n, p), tp in zip(e.named_parameters(), t.parameters()):
        assert p.grad.dtype == ember.float32 and str(tp.grad.dtype) == "torch.float32", n
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-4, atol=1e-6, err_msg=n)


@pytest.mark.parametrize("create_graph", [False, True], ids=["plain", "create_graph"])
@pytest.mark.parametrize("info", [m for m in MODULES if not m.extra.get("inplace")], ids=lambda r: r.name)
def test_module_grad_dtype(info, create_graph):
    torch.manual_seed(0)
    e, _ = info.build(ember, torch)
    if info.random:
        e.eval()
    raw = info.inputs(np.random.default_rng(0))
    args = []
    for i, a in enumerate(raw):
        if isinstance(a, np.ndarray):
            g = a.dtype.kind == "f" and i not in info.no_grad_inputs
            args.append(ember.tensor(a.copy(), requires_grad=g))
        elif isinstance(a, tuple) and all(isinstance(x, np.ndarray) for x in a):  # a state such as (h0, c0)
            args.append(tuple(ember.tensor(x.copy()) for x in a))
        else:
            args.append(a)
    y = e(*args)
    outs = [o for o in (y if isinstance(y, (tuple, list)) else (y,)) if isinstance(o, ember.Tensor)]
    outs = [o for o in outs if o.requires_grad]
    if not outs:
        pytest.skip(f"{info.name}: no differentiable output")
    loss = sum((o * ember.from_numpy(np.random.default_rng(2).random(tuple(o.shape)))).sum() for o in outs)
    wrt = [a for a in args if isinstance(a, ember.Tensor) and a.requires_grad] + \
          [p for p in e.parameters() if p.requires_grad]
    grads = ember.autograd.grad(loss, wrt, allow_unused=True, create_graph=create_graph)
    for x, g in zip(wrt, grads):
        if g is not None:
            assert g.dtype == x.dtype, f"{info.name}: grad {g.dtype} for a {x.dtype} input of shape {tuple(x.shape)}"
            assert isinstance(g._data, np.ndarray), f"{info.name}: grad holds a {type(g._data).__name__}"
