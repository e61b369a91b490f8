"""The GPU path (CuPy behind the same Device/xp). Every test is parametrised over devices; the "cuda" cases
skip with a reason where no GPU (or CuPy) is present, so on this project's CI only the CPU cases run.
``ember.cuda``'s answers without a GPU are compared with a CPU-only torch's."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import ember

GPU = ember.cuda.is_available()
DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(not GPU, reason="needs CuPy and an NVIDIA GPU"))]
needs_gpu = pytest.mark.skipif(not GPU, reason="needs CuPy and an NVIDIA GPU")


def test_cuda_queries_without_a_gpu_match_cpu_only_torch():
    if GPU or torch.cuda.is_available():
        pytest.skip("a GPU is present: these are the answers of a machine without one")
    assert ember.cuda.is_available() is False and ember.cuda.device_count() == torch.cuda.device_count() == 0
    for name in ("memory_allocated", "max_memory_allocated", "memory_reserved"):
        assert getattr(ember.cuda, name)() == getattr(torch.cuda, name)() == 0
    ember.cuda.manual_seed(0)  # no-ops, as torch's
    torch.cuda.manual_seed(0)
    with pytest.raises(RuntimeError, match="pip install 'ember\\[cuda\\]'"):
        ember.cuda.current_device()
    with pytest.raises(RuntimeError, match="CuPy"):
        ember.ones(2).cuda()
    with pytest.raises(RuntimeError, match="CuPy"):
        ember.ones(2).to("cuda")


@pytest.mark.parametrize("device", DEVICES)
def test_tensor_and_module_on_a_device_match_cpu(device):
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    net = ember.nn.Linear(3, 2)
    ref = net(ember.from_numpy(x)).detach().numpy()
    moved = net.to(device)
    out = moved(ember.tensor(x, device=device))
    assert out.device.type == device
    np.testing.assert_allclose(out.detach().cpu().numpy(), ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("device", DEVICES)
def test_checkpoint_saved_on_a_device_loads_on_the_cpu(device, tmp_path):
    net = ember.nn.Linear(3, 2).to(device)
    ember.save(net.state_dict(), tmp_path / "m.pt")
    sd = ember.load(tmp_path / "m.pt", map_location="cpu")
    assert all(t.device.type == "cpu" for t in sd.values())
    np.testing.assert_array_equal(sd["weight"].numpy(), net.weight.detach().cpu().numpy())


@needs_gpu
def test_cupy_kernels_match_numpy_references():
    import cupy as cp  # type: ignore

    from ember.backends import kernels_cupy as K

    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 7))
    erf = np.vectorize(math.erf)
    np.testing.assert_allclose(cp.asnumpy(K.gelu(cp.asarray(x))), 0.5 * x * (1 + erf(x / math.sqrt(2))), rtol=1e-12)
    np.testing.assert_allclose(cp.asnumpy(K.log_softmax(cp.asarray(x), 1)),
                               torch.log_softmax(torch.tensor(x), 1).numpy(), rtol=1e-12)
    w, b = rng.standard_normal(7), rng.standard_normal(7)
    y, _, _ = K.layer_norm(cp.asarray(x), cp.asarray(w), cp.asarray(b), 1e-5)
    ref = torch.nn.functional.layer_norm(torch.tensor(x), (7,), torch.tensor(w), torch.tensor(b), 1e-5)
    np.testing.assert_allclose(cp.asnumpy(y), ref.numpy(), rtol=1e-10, atol=1e-12)
    gates, c = rng.standard_normal((3, 8)), rng.standard_normal((3, 2))
    h, c2 = K.lstm_cell(cp.asarray(gates), cp.asarray(c))
    sig = 1 / (1 + np.exp(-gates))
    c_ref = sig[:, 2:4] * c + sig[:, 0:2] * np.tanh(gates[:, 4:6])
    np.testing.assert_allclose(cp.asnumpy(c2), c_ref, rtol=1e-12)
    np.testing.assert_allclose(cp.asnumpy(h), sig[:, 6:8] * np.tanh(c_ref), rtol=1e-12)
    p, g = rng.standard_normal(6), rng.standard_normal(6)
    tp = torch.tensor(p, requires_grad=True)
    opt = torch.optim.Adam([tp], lr=0.1)
    tp.grad = torch.tensor(g)
    opt.step()
    cp_p, m, v = cp.asarray(p), cp.zeros(6), cp.zeros(6)
    K.adam_step(cp_p, cp.asarray(g), m, v, step=1, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    np.testing.assert_allclose(cp.asnumpy(cp_p), tp.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("device", DEVICES)
def test_pinned_batches(device):
    """``pin_memory=True``: page-locked batches with a GPU (then copied to it), the same values either way."""
    ds = ember.utils.data.TensorDataset(ember.arange(6.0).reshape(3, 2), ember.arange(3))
    (x, y), = list(ember.utils.data.DataLoader(ds, batch_size=3, pin_memory=True))
    assert x.is_pinned() == (device == "cuda") == y.is_pinned()
    np.testing.assert_array_equal(x.to(device).cpu().numpy(), np.arange(6.0).reshape(3, 2))
    assert not ember.ones(2).is_pinned()
