"""Op-table rows for ember/ops/spectral.py."""
from __future__ import annotations

import numpy as np
import torch

import ember

from .opinfo import ErrorSample, Sample, T, arr, table
from .samples import TOL, _istft_samples, _ri, _stft_samples, signals, signals2d

OPS, row = table(tol=TOL)


for _name in ("fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn"):
    for _kw in ({}, {"norm": "ortho"}, {"norm": "forward"}):
        _suffix = "_" + _kw["norm"] if _kw else ""
        _ef, _tf = getattr(ember.fft, _name), getattr(torch.fft, _name)
        _gen = signals2d if "2" in _name or _name.endswith("n") else signals
        row(f"fft.{_name}{_suffix}", lambda x, f=_ef, k=_kw: _ri(f(x, **k)), lambda x, f=_tf, k=_kw: _ri(f(x, **k)),
            _gen)
    row(f"fft.{_name}_abs", lambda x, f=_ef: f(x).abs(), lambda x, f=_tf: f(x).abs(), _gen)
    row(f"fft.{_name}_dtype", _ef, lambda x, f=_tf: f(x).resolve_conj(), _gen, grad=False, gradcheck=False)
for _name, _n in (("fft", 5), ("ifft", 11), ("rfft", 5), ("rfft", 12), ("irfft", 5), ("irfft", 12)):
    _ef, _tf = getattr(ember.fft, _name), getattr(torch.fft, _name)
    row(f"fft.{_name}_n{_n}", lambda x, f=_ef, n=_n: _ri(f(x, n=n, dim=0)),
        lambda x, f=_tf, n=_n: _ri(f(x, n=n, dim=0)), signals)
row("fft.fft2_s", lambda x: _ri(ember.fft.fft2(x, s=(4, 5))), lambda x: _ri(torch.fft.fft2(x, s=(4, 5))),
    lambda d, rng: [Sample((T(arr(rng, (3, 7), d)),))])
row("fft.irfftn_s", lambda x: _ri(ember.fft.irfftn(x, s=(4, 6))), lambda x: _ri(torch.fft.irfftn(x, s=(4, 6))),
    lambda d, rng: [Sample((T(arr(rng, (3, 7), d)),))])
row("fft.fft_angle", lambda x: ember.fft.fft(x).angle(), lambda x: torch.fft.fft(x).angle(), signals)
row("fft.fft_errors", ember.fft.fft, torch.fft.fft, signals, grad=False, gradcheck=False,
    errors=lambda: [ErrorSample((T(np.ones(3, "float32")),), {"norm": "foo"}, match="Invalid normalization mode"),
                    ErrorSample((T(np.ones(3, "float32")),), {"n": 0}, match="Invalid number of data points (0)")])
row("fft.fftshift", ember.fft.fftshift, torch.fft.fftshift, signals)
row("fft.ifftshift", lambda x: ember.fft.ifftshift(x, dim=-1), lambda x: torch.fft.ifftshift(x, dim=-1), signals)
row("fft.fftfreq", lambda x: ember.fft.fftfreq(7, 0.5) + x, lambda x: torch.fft.fftfreq(7, 0.5) + x,
    lambda d, rng: [Sample((T(arr(rng, (7,), d)),))])
row("fft.rfftfreq", lambda x: ember.fft.rfftfreq(8, 2.0) + x, lambda x: torch.fft.rfftfreq(8, 2.0) + x,
    lambda d, rng: [Sample((T(arr(rng, (5,), d)),))])
# ---------------------------------------------------------------- complex helpers
row("angle", ember.angle, torch.angle, signals, gradcheck=False)
row("angle_complex", lambda x, y: ember.complex(x, y).angle(), lambda x, y: torch.complex(x, y).angle(),
    lambda d, rng: [Sample((T(arr(rng, (5,), d)), T(arr(rng, (5,), d))))])
row("abs_complex", lambda x, y: ember.complex(x, y).abs(), lambda x, y: torch.complex(x, y).abs(),
    lambda d, rng: [Sample((T(arr(rng, (5,), d)), T(arr(rng, (5,), d))))])
row("polar", lambda r, t: _ri(ember.polar(r, t)), lambda r, t: _ri(torch.polar(r, t)),
    lambda d, rng: [Sample((T(arr(rng, (5,), d, 0.5, 2.0)), T(arr(rng, (5,), d))))])
row("view_as_real", lambda x, y: ember.view_as_real(ember.complex(x, y)) * 1,
    lambda x, y: torch.view_as_real(torch.complex(x, y)) * 1,
    lambda d, rng: [Sample((T(arr(rng, (2, 3), d)), T(arr(rng, (2, 3), d))))])
row("view_as_complex", lambda x: _ri(ember.view_as_complex(x)), lambda x: _ri(torch.view_as_complex(x)),
    lambda d, rng: [Sample((T(arr(rng, (4, 2), d)),))], skip_checks=("view",),
    errors=lambda: [ErrorSample((T(np.ones((3, 3), "float32")),), match="last dimension of size 2")])
row("view_as_complex_is_view", ember.view_as_complex, torch.view_as_complex,
    lambda d, rng: [Sample((T(arr(rng, (4, 2), d)),))], grad=False, gradcheck=False)
# ---------------------------------------------------------------- windows
for _w in ("hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"):
    for _p in (True, False):
        row(f"{_w}_{'periodic' if _p else 'symmetric'}",
            lambda x, w=_w, p=_p: getattr(ember, w)(x.shape[0], p, dtype=x.dtype) + x,
            lambda x, w=_w, p=_p: getattr(torch, w)(x.shape[0], p, dtype=x.dtype) + x,
            lambda d, rng: [Sample((T(arr(rng, (n,), d)),), name=str(n)) for n in (1, 2, 7, 10)],
            grad=False, gradcheck=False)
row("stft", lambda x, w, **k: _ri(ember.stft(x, window=w, return_complex=True, **k)),
    lambda x, w, **k: _ri(torch.stft(x, window=w, return_complex=True, **k)), _stft_samples)
row("stft_errors", ember.stft, torch.stft, lambda d, rng: [], grad=False, gradcheck=False,
    errors=lambda: [ErrorSample((T(np.ones(30, "float32")), 8), match="requires the return_complex parameter"),
                    ErrorSample((T(np.ones(30, "float32")), 80), {"return_complex": True})])
row("stft_psd", lambda x, w, **k: ember.stft(x, window=w, return_complex=True, **k).abs() ** 2,
    lambda x, w, **k: torch.stft(x, window=w, return_complex=True, **k).abs() ** 2, _stft_samples)
row("stft_phase", lambda x, w, **k: x.stft(window=w, return_complex=True, **k).angle(),
    lambda x, w, **k: x.stft(window=w, return_complex=True, **k).angle(), _stft_samples, gradcheck=False)
row("istft", lambda s, w, **k: ember.istft(s, window=w, **k), lambda s, w, **k: torch.istft(s, window=w, **k),
    _istft_samples, dtypes=("float32", "float64"), gradcheck=False)
