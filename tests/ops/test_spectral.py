"""Complex gradients of the spectral ops against torch (the op table's backward check uses real
cotangents only), and linalg's error class."""
from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.fft
import ember.linalg

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 8))
Z = X + 1j * RNG.standard_normal((3, 8))

CASES = [
    ("fft", lambda m, a: m.fft.fft(a, n=6), Z),
    ("fft_real_in", lambda m, a: m.fft.fft(a, norm="ortho"), X),
    ("ifft", lambda m, a: m.fft.ifft(a, n=10, dim=0), Z),
    ("rfft", lambda m, a: m.fft.rfft(a, n=7, norm="forward"), X),
    ("irfft", lambda m, a: m.fft.irfft(a, n=9), Z),
    ("fft2", lambda m, a: m.fft.fft2(a, s=(4, 5)), Z),
    ("rfftn", lambda m, a: m.fft.rfftn(a), X),
    ("irfft2", lambda m, a: m.fft.irfft2(a), Z),
    ("abs", lambda m, a: a.abs(), Z),
    ("angle", lambda m, a: m.angle(a), Z),
    ("view_as_real", lambda m, a: m.view_as_real(a), Z),
    ("conj_mul", lambda m, a: a.conj() * a * (1 + 2j), Z),
    ("stft", lambda m, a: m.stft(a, 4, hop_length=2, window=m.hann_window(4, dtype=m.float64),
                                 return_complex=True), X),
]


@pytest.mark.parametrize("name,fn,value", CASES, ids=[c[0] for c in CASES])
def test_complex_grad_matches_torch(name, fn, value):
    e_in = ember.tensor(value, requires_grad=True)
    t_in = torch.tensor(value, requires_grad=True)
    e_out, t_out = fn(ember, e_in), fn(torch, t_in)
    assert str(e_out.dtype).split(".")[-1] == str(t_out.dtype).split(".")[-1]
    cot = RNG.standard_normal(tuple(t_out.shape))
    if t_out.is_complex():
        cot = cot + 1j * RNG.standard_normal(tuple(t_out.shape))
    (t_g,) = torch.autograd.grad(t_out, t_in, torch.tensor(cot, dtype=t_out.dtype))
    (e_g,) = ember.autograd.grad(e_out, e_in, ember.tensor(cot).to(e_out.dtype))
    np.testing.assert_allclose(e_g._data, t_g.resolve_conj().numpy(), atol=1e-10)


def test_fft_float32_gives_complex64():
    x = ember.ones(8)
    assert ember.fft.fft(x).dtype == ember.complex64 and ember.fft.irfft(ember.fft.rfft(x)).dtype == ember.float32


def test_linalg_error_is_a_runtime_error():
    with pytest.raises(ember.linalg.LinAlgError, match="The diagonal element 2 is zero") as e:
        ember.linalg.inv(ember.tensor([[1.0, 2.0], [2.0, 4.0]]))
    assert isinstance(e.value, RuntimeError)


def test_istft_inverts_stft():
    x = ember.tensor(RNG.standard_normal(64))
    w = ember.hann_window(16, dtype=ember.float64)
    y = ember.istft(ember.stft(x, 16, window=w, return_complex=True), 16, window=w, length=64)
    np.testing.assert_allclose(y._data, x._data, atol=1e-12)
