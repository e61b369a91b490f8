"""ember.preprocessing and ember.fft.dct against their oracles: scikit-learn, scipy, torch (torchaudio's formulas)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.fft
import scipy.signal
import torch
from sklearn.preprocessing import MinMaxScaler as SkMinMax
from sklearn.preprocessing import StandardScaler as SkStandard

import ember
from ember.preprocessing import (MinMaxScaler, StandardScaler, mel_spectrogram, melscale_fbanks, mu_law_compress,
                                 mu_law_decoding, mu_law_encoding, mu_law_expand, spectrogram, welch)

rng = np.random.default_rng(0)


def _data():
    X = rng.normal(3.0, 2.0, size=(40, 5))
    X[:, 2] = 7.0  # a constant column: scale 1, not a division by zero
    return X


# ---------------------------------------------------------------------------------------------------- scalers
@pytest.mark.parametrize("with_mean,with_std", [(True, True), (False, True), (True, False)])
def test_standard_scaler_matches_sklearn(with_mean, with_std):
    X, X2 = _data(), rng.normal(size=(7, 5))
    ours = StandardScaler(with_mean=with_mean, with_std=with_std).fit(ember.tensor(X))
    ref = SkStandard(with_mean=with_mean, with_std=with_std).fit(X)
    np.testing.assert_allclose(ours.transform(ember.tensor(X2)).numpy(), ref.transform(X2), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.inverse_transform(ember.tensor(X2)).numpy(), ref.inverse_transform(X2),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.scale_.numpy(), ref.scale_ if with_std else np.ones(5), rtol=1e-12)
    if with_mean:
        np.testing.assert_allclose(ours.mean_.numpy(), ref.mean_, rtol=1e-12)
    np.testing.assert_allclose(ours.fit_transform(ember.tensor(X)).numpy(), ref.fit_transform(X), atol=1e-12)


@pytest.mark.parametrize("feature_range,clip", [((0, 1), False), ((-1, 1), False), ((0, 255), True)])
def test_minmax_scaler_matches_sklearn_and_the_seed_formula(feature_range, clip):
    X, X2 = _data(), rng.normal(3.0, 4.0, size=(9, 5))
    ours = MinMaxScaler(feature_range, clip=clip).fit(ember.tensor(X))
    ref = SkMinMax(feature_range=feature_range, clip=clip).fit(X)
    np.testing.assert_allclose(ours.transform(ember.tensor(X2)).numpy(), ref.transform(X2), atol=1e-12)
    np.testing.assert_allclose(ours.inverse_transform(ember.tensor(X2)).numpy(), ref.inverse_transform(X2),
                               atol=1e-12)
    for name in ("data_min_", "data_max_", "data_range_", "scale_", "min_"):
        np.testing.assert_allclose(getattr(ours, name).numpy(), getattr(ref, name), atol=1e-12, err_msg=name)
    # seed 000: std = (max - min) / (X.max - X.min), min1 = min - X.min * std, x = X std + min1 (non-constant cols)
    lo, hi = feature_range
    std = (hi - lo) / (X.max(0) - X.min(0))
    min1 = lo - X.min(0) * std
    keep = X.max(0) != X.min(0)
    np.testing.assert_allclose(ours.scale_.numpy()[keep], std[keep], rtol=1e-12)
    np.testing.assert_allclose(ours.min_.numpy()[keep], min1[keep], rtol=1e-12)
    back = ours.inverse_transform(MinMaxScaler(feature_range).fit(ember.tensor(X)).transform(ember.tensor(X)))
    np.testing.assert_allclose(back.numpy(), X, atol=1e-12)  # the exact inverse on the fitted data


def test_scaler_errors():
    with pytest.raises(RuntimeError, match="not fitted"):
        StandardScaler().transform(ember.ones(2, 2))
    with pytest.raises(ValueError, match="3 features, but the scaler was fitted on 2"):
        MinMaxScaler().fit(ember.ones(4, 2)).transform(ember.ones(1, 3))
    with pytest.raises(ValueError, match="2-D"):
        StandardScaler().fit(ember.ones(4))
    with pytest.raises(ValueError, match="smaller than the maximum"):
        MinMaxScaler((1, 0))


def test_scalers_take_int_and_numpy_input():
    X = np.arange(12).reshape(6, 2)
    out = StandardScaler().fit_transform(X)
    assert out.dtype == ember.float32
    np.testing.assert_allclose(out.numpy(), SkStandard().fit_transform(X.astype(np.float64)), atol=1e-6)


# ---------------------------------------------------------------------------------------------------- mu-law
def _torchaudio_mu_law_encoding(x, qc):  # torchaudio.functional.mu_law_encoding's formula, in torch
    mu = torch.tensor(qc - 1.0, dtype=x.dtype)
    x_mu = torch.sign(x) * torch.log1p(mu * torch.abs(x)) / torch.log1p(mu)
    return ((x_mu + 1) / 2 * mu + 0.5).to(torch.int64)


def _torchaudio_mu_law_decoding(x_mu, qc):
    mu = torch.tensor(qc - 1.0, dtype=torch.float32)
    x = (x_mu.to(torch.float32) / mu) * 2 - 1.0
    return torch.sign(x) * (torch.exp(torch.abs(x) * torch.log1p(mu)) - 1.0) / mu


@pytest.mark.parametrize("qc", [256, 16])
def test_mu_law_quantised_matches_torchaudio(qc):
    x = np.concatenate([rng.uniform(-1, 1, 500), [-1.0, 0.0, 1.0]]).astype(np.float32)
    codes = mu_law_encoding(ember.tensor(x), qc)
    ref = _torchaudio_mu_law_encoding(torch.tensor(x), qc)
    assert codes.dtype == ember.int64
    np.testing.assert_array_equal(codes.numpy(), ref.numpy())
    np.testing.assert_allclose(mu_law_decoding(codes, qc).numpy(), _torchaudio_mu_law_decoding(ref, qc).numpy(),
                               rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("dtype,tol", [(ember.float64, 1e-12), (ember.float32, 1e-6)])
def test_mu_law_continuous_round_trip(dtype, tol):
    x = ember.linspace(-1, 1, 2001, dtype=dtype)
    y = mu_law_compress(x, 255.0)
    assert float(y.abs().max()) <= 1.0 + 1e-7
    assert float((mu_law_expand(y, 255.0) - x).abs().max()) <= tol
    # F is odd, increasing, and maps 0, +-1 to 0, +-1
    assert bool((y[1:] > y[:-1]).all())
    np.testing.assert_allclose(y.numpy()[[0, 1000, 2000]], [-1, 0, 1], atol=1e-7)


# ---------------------------------------------------------------------------------------------------- spectra
def _torchaudio_spectrogram(w, pad, window, n_fft, hop, win_length, power, normalized):
    if pad:
        w = torch.nn.functional.pad(w, (pad, pad))
    shape = w.shape
    spec = torch.stft(w.reshape(-1, shape[-1]), n_fft, hop, win_length, window, True, "reflect",
                      normalized == "frame_length", True, return_complex=True)
    spec = spec.reshape(shape[:-1] + spec.shape[-2:])
    if normalized is True or normalized == "window":
        spec = spec / window.pow(2.0).sum().sqrt()
    return spec if power is None else spec.abs().pow(power)


@pytest.mark.parametrize("power,normalized,pad", [(2.0, False, 0), (1.0, True, 3), (None, "frame_length", 0),
                                                  (0.5, "window", 0)])
def test_spectrogram_matches_torchaudio(power, normalized, pad):
    x = rng.normal(size=(2, 3, 300))
    win = np.hanning(64)
    ours = spectrogram(ember.tensor(x), pad, ember.tensor(win), 64, 16, 64, power, normalized)
    ref = _torchaudio_spectrogram(torch.tensor(x), pad, torch.tensor(win), 64, 16, 64, power, normalized)
    assert tuple(ours.shape) == tuple(ref.shape)
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-9, atol=1e-9)


def test_spectrogram_is_differentiable():
    x = ember.tensor(rng.normal(size=200), requires_grad=True)
    xt = torch.tensor(x.detach().numpy(), requires_grad=True)
    spectrogram(x, 0, ember.hann_window(32, dtype=ember.float64), 32, 8, 32, 2.0, False).sum().backward()
    _torchaudio_spectrogram(xt, 0, torch.hann_window(32, dtype=torch.float64), 32, 8, 32, 2.0, False).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("kw", [dict(), dict(nperseg=64, noverlap=16), dict(nperseg=50, nfft=64, window="hamming"),
                                dict(nperseg=33, scaling="spectrum"), dict(fs=8000.0, detrend=False)])
def test_welch_matches_scipy(kw):
    x = rng.normal(size=(2, 1000)) + np.sin(np.arange(1000) * 0.3)
    f, p = welch(ember.tensor(x), **kw)
    skw = dict(kw)
    f_ref, p_ref = scipy.signal.welch(x, **skw)
    np.testing.assert_allclose(f.numpy(), f_ref, rtol=1e-12)
    np.testing.assert_allclose(p.numpy(), p_ref, rtol=1e-9, atol=1e-12)


def test_welch_errors():
    with pytest.raises(ValueError, match="noverlap"):
        welch(ember.randn(100), nperseg=32, noverlap=32)
    with pytest.raises(ValueError, match="unknown window"):
        welch(ember.randn(100), window="kaiserish")


def _mel_reference(n_freqs, f_min, f_max, n_mels, sr, norm, scale):
    """The triangles written out one filter at a time from torchaudio's definition."""
    def hz_to_mel(f):
        if scale == "htk":
            return 2595.0 * np.log10(1.0 + f / 700.0)
        return f * 3 / 200 if f < 1000 else 15 + np.log(f / 1000) / (np.log(6.4) / 27)

    def mel_to_hz(m):
        if scale == "htk":
            return 700.0 * (10 ** (m / 2595.0) - 1)
        return m * 200 / 3 if m < 15 else 1000 * np.exp(np.log(6.4) / 27 * (m - 15))

    freqs = np.linspace(0, sr // 2, n_freqs)
    pts = [mel_to_hz(m) for m in np.linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2)]
    fb = np.zeros((n_freqs, n_mels))
    for i in range(n_mels):
        left, centre, right = pts[i], pts[i + 1], pts[i + 2]
        for j, f in enumerate(freqs):
            rise, fall = (f - left) / (centre - left), (right - f) / (right - centre)
            fb[j, i] = max(0.0, min(rise, fall))
        if norm == "slaney":
            fb[:, i] *= 2.0 / (right - left)
    return fb


@pytest.mark.parametrize("norm,scale", [(None, "htk"), ("slaney", "htk"), (None, "slaney"), ("slaney", "slaney")])
def test_melscale_fbanks_matches_the_definition(norm, scale):
    ours = melscale_fbanks(129, 20.0, 7600.0, 24, 16000, norm, scale)
    np.testing.assert_allclose(ours.numpy(), _mel_reference(129, 20.0, 7600.0, 24, 16000, norm, scale),
                               rtol=2e-4, atol=1e-6)


def test_mel_spectrogram_is_the_power_spectrogram_on_the_filters():
    x = rng.normal(size=(2, 1600)).astype(np.float32)
    ours = mel_spectrogram(ember.tensor(x), sample_rate=8000, n_fft=256, n_mels=20)
    spec = torch.stft(torch.tensor(x), 256, 128, 256, torch.hann_window(256), True, "reflect", False, True,
                      return_complex=True).abs() ** 2
    fb = torch.tensor(_mel_reference(129, 0.0, 4000.0, 20, 8000, None, "htk"), dtype=torch.float32)
    ref = (spec.transpose(-1, -2) @ fb).transpose(-1, -2)
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=2e-3, atol=1e-3)


# ---------------------------------------------------------------------------------------------------- DCT
@pytest.mark.parametrize("type", [2, 3])
@pytest.mark.parametrize("norm", [None, "backward", "ortho", "forward"])
@pytest.mark.parametrize("n", [None, 5, 12])
def test_dct_idct_match_scipy(type, norm, n):
    x = rng.normal(size=(3, 8, 4))
    for dim in (-1, 1):
        np.testing.assert_allclose(ember.fft.dct(ember.tensor(x), type, n, dim, norm).numpy(),
                                   scipy.fft.dct(x, type, n, dim, norm), rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(ember.fft.idct(ember.tensor(x), type, n, dim, norm).numpy(),
                                   scipy.fft.idct(x, type, n, dim, norm), rtol=1e-10, atol=1e-10)


def test_dct_keeps_dtype_and_is_differentiable():
    x = ember.randn(6, dtype=ember.float32)
    assert ember.fft.dct(x).dtype == ember.float32
    assert ember.fft.dct(ember.arange(4)).dtype == ember.float32
    xd = ember.randn(2, 6, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: ember.fft.dct(t, 2, norm="ortho"), (xd,))
    assert ember.autograd.gradcheck(lambda t: ember.fft.idct(t, 3, n=8), (xd,))


def test_dct_errors():
    with pytest.raises(NotImplementedError, match="type 1"):
        ember.fft.dct(ember.randn(4), type=1)
    with pytest.raises(RuntimeError, match="Invalid normalization"):
        ember.fft.dct(ember.randn(4), norm="bogus")
