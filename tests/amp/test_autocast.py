"""ember.autocast against torch.autocast("cpu"): which ops run in low precision (output dtypes and values on
the same inputs), gradients through the casts, the context's rules, and low-precision GEMMs themselves."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as EF
import torch.nn.functional as TF

rng = np.random.default_rng(0)


def _pair(shape, dtype=np.float32):
    a = rng.normal(size=shape).astype(dtype)
    return ember.tensor(a), torch.tensor(a)


def _cases():
    (a, ta), (b, tb), (c3, tc3), (w, tw) = _pair((4, 5)), _pair((5, 3)), _pair((2, 4, 5)), _pair((3, 5))
    (x, tx), (k, tk), (kt, tkt) = _pair((2, 3, 6, 6)), _pair((4, 3, 3, 3)), _pair((3, 2, 3, 3))
    (p, tp), (q, tq) = _pair((4, 5)), _pair((4, 5))
    lbl = np.array([0, 2, 1, 4])
    pb = rng.random((4, 5)).astype(np.float32)
    return [
        ("matmul", lambda L, F, T: T["a"] @ T["b"]),
        ("mm", lambda L, F, T: L.mm(T["a"], T["b"])),
        ("bmm", lambda L, F, T: L.bmm(T["c3"], T["c3"].transpose(1, 2))),
        ("addmm", lambda L, F, T: L.addmm(T["a"][:, :3], T["a"], T["b"])),
        ("baddbmm", lambda L, F, T: L.baddbmm(T["c3"][:, :, :4], T["c3"], T["c3"].transpose(1, 2))),
        ("linear", lambda L, F, T: F.linear(T["a"], T["w"])),
        ("conv2d", lambda L, F, T: F.conv2d(T["x"], T["k"], padding=1)),
        ("conv_transpose2d", lambda L, F, T: F.conv_transpose2d(T["x"], T["kt"], stride=2)),
        ("einsum", lambda L, F, T: L.einsum("ij,jk->ik", T["a"], T["b"])),
        ("mse_loss of a linear", lambda L, F, T: F.mse_loss(F.linear(T["a"], T["w"]), T["a"][:, :3])),
        ("cross_entropy of a matmul", lambda L, F, T: F.cross_entropy(T["p"] @ T["q"].T @ T["p"], T["lbl"])),
        ("bce_with_logits", lambda L, F, T: F.binary_cross_entropy_with_logits(T["p"] @ T["b"] @ T["w"], T["pb"])),
        ("softmax of a matmul", lambda L, F, T: F.softmax(T["a"] @ T["b"], 1)),
        ("sum of a matmul", lambda L, F, T: (T["a"] @ T["b"]).sum()),
        ("prod of a matmul", lambda L, F, T: (T["a"] @ T["b"]).prod()),
        ("pointwise", lambda L, F, T: (T["a"] * 2).exp()),
        ("float64 stays", lambda L, F, T: T["a"].double() @ T["b"].double()),
    ], {"a": (a, ta), "b": (b, tb), "c3": (c3, tc3), "w": (w, tw), "x": (x, tx), "k": (k, tk), "kt": (kt, tkt),
        "p": (p, tp), "q": (q, tq), "lbl": (ember.tensor(lbl), torch.tensor(lbl)),
        "pb": (ember.tensor(pb), torch.tensor(pb))}


CASES, TENSORS = _cases()
ET = {k: v[0] for k, v in TENSORS.items()}
TT = {k: v[1] for k, v in TENSORS.items()}


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("name,fn", CASES, ids=[c[0] for c in CASES])
def test_output_dtype_and_value_match_torch(name, fn, dtype):
    with ember.autocast("cpu", dtype=getattr(ember, dtype)):
        out = fn(ember, EF, ET)
    with torch.autocast("cpu", dtype=getattr(torch, dtype)):
        ref = fn(torch, TF, TT)
    assert str(out.dtype).split(".")[1] == str(ref.dtype).split(".")[1], (out.dtype, ref.dtype)
    np.testing.assert_allclose(out.float().numpy(), ref.float().numpy(), rtol=3e-2, atol=3e-2)


def test_training_step_under_autocast_matches_torch():
    ember.manual_seed(0)
    em = ember.nn.Sequential(ember.nn.Linear(5, 8), ember.nn.ReLU(), ember.nn.Linear(8, 3))
    tm = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    tm.load_state_dict({k: torch.tensor(v.numpy()) for k, v in em.state_dict().items()})
    x, lbl = rng.normal(size=(6, 5)).astype(np.float32), rng.integers(0, 3, 6)
    with ember.autocast("cpu"):
        out = em(ember.tensor(x))
        loss = EF.cross_entropy(out, ember.tensor(lbl))
    with torch.autocast("cpu"):
        tout = tm(torch.tensor(x))
        tloss = TF.cross_entropy(tout, torch.tensor(lbl))
    assert out.dtype == ember.bfloat16 and loss.dtype == ember.float32
    loss.backward()
    tloss.backward()
    np.testing.assert_allclose(loss.item(), tloss.item(), rtol=2e-2)
    for (n, p), (_, tp) in zip(em.named_parameters(), tm.named_parameters()):
        assert p.grad.dtype == ember.float32, n
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=5e-2, atol=2e-2, err_msg=n)


def test_context_rules():
    assert not ember.is_autocast_enabled("cpu")
    with ember.autocast("cpu"):
        assert ember.is_autocast_enabled("cpu") and ember.get_autocast_dtype("cpu") == ember.bfloat16
        with ember.autocast("cpu", enabled=False):
            assert (ember.randn(2, 2) @ ember.randn(2, 2)).dtype == ember.float32
        assert (ember.randn(2, 2) @ ember.randn(2, 2)).dtype == ember.bfloat16
    assert not ember.is_autocast_enabled("cpu") and not ember.is_autocast_enabled()

    @ember.autocast("cpu", dtype=ember.float16)
    def f(a):
        return a @ a

    assert f(ember.randn(2, 2)).dtype == ember.float16
    with pytest.raises(RuntimeError, match="unsupported autocast device_type 'tpu'"):
        ember.autocast("tpu")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        with ember.autocast("cpu", dtype=ember.float64):
            assert (ember.randn(2, 2) @ ember.randn(2, 2)).dtype == ember.float32
        with ember.autocast("cuda"):
            assert not ember.is_autocast_enabled("cpu")
    assert any("not supported. Disabling autocast" in str(x.message) for x in w)
    assert any("CUDA is not available" in str(x.message) for x in w)


def test_weight_casts_are_cached_for_the_region():
    from ember._autocast import AUTOCAST

    lin = ember.nn.Linear(3, 3)
    with ember.autocast("cpu"):
        lin(ember.randn(1, 3))
        assert len(AUTOCAST.cache) == 2  # weight and bias, cast once
        lin(ember.randn(1, 3))
        assert len(AUTOCAST.cache) == 2
    assert not AUTOCAST.cache


def test_device_namespaces():
    from ember.cpu.amp import autocast as cpu_autocast
    from ember.cuda.amp import GradScaler, autocast as cuda_autocast

    with cpu_autocast():
        assert (ember.randn(2, 2) @ ember.randn(2, 2)).dtype == ember.bfloat16
    with pytest.warns(UserWarning, match="CUDA is not available"):
        cuda_autocast()
    assert GradScaler(init_scale=4.0).get_scale() == 4.0


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_low_precision_gemms_round_the_float32_result(dtype):
    (a, ta), (b, tb) = _pair((7, 9)), _pair((9, 4))
    a, b, ta, tb = a.to(getattr(ember, dtype)), b.to(getattr(ember, dtype)), ta.to(getattr(torch, dtype)), \
        tb.to(getattr(torch, dtype))
    for out, ref in (((a @ b), ta @ tb), (EF.linear(a, b.T), TF.linear(ta, tb.T))):
        assert str(out.dtype).split(".")[1] == dtype
        np.testing.assert_allclose(out.float().numpy(), ref.float().numpy(), rtol=1e-2, atol=1e-2)
