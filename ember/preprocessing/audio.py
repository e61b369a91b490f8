"""Audio front ends with torchaudio's definitions: mu-law companding, spectrogram, Welch PSD, mel filters.

Everything is written in ember ops, so it runs on any device and is differentiable where the math is
(the quantised mu-law encoding is not).
"""
from __future__ import annotations

import math

from ..dtypes import float32, get_default_dtype, int64
from ..fft import rfft, rfftfreq
from ..nn import functional as F
from ..ops.arith import minimum
from ..ops.creation import full, linspace, ones
from ..ops.spectral import blackman_window, hamming_window, hann_window
from ..tensor import Tensor


def mu_law_compress(x: Tensor, mu: float = 255.0) -> Tensor:
    r"""Continuous mu-law companding of a signal in [-1, 1] (seed 000):
    :math:`F(x) = \operatorname{sgn}(x) \ln(1 + \mu |x|) / \ln(1 + \mu)`.

    >>> import ember
    >>> mu_law_compress(ember.tensor([-1., 0., 0.01, 1.]))
    tensor([-1.0000,  0.0000,  0.2285,  1.0000])
    """
    return x.sign() * (mu * x.abs()).log1p() / math.log1p(mu)


def mu_law_expand(y: Tensor, mu: float = 255.0) -> Tensor:
    r"""Inverse of :func:`mu_law_compress`: :math:`F^{-1}(y) = \operatorname{sgn}(y) ((1 + \mu)^{|y|} - 1) / \mu`.

    (The seed's printed inverse has ``1/y`` where ``1/mu`` is meant; this is the exact inverse.)

    >>> import ember
    >>> x = ember.linspace(-1, 1, 5, dtype=ember.float64)
    >>> bool((mu_law_expand(mu_law_compress(x)) - x).abs().max() < 1e-12)
    True
    """
    return y.sign() * ((y.abs() * math.log1p(mu)).exp() - 1.0) / mu


def mu_law_encoding(x: Tensor, quantization_channels: int) -> Tensor:
    r"""torchaudio's quantised mu-law encoding (``mu = quantization_channels - 1``): int64 codes in [0, mu],
    :math:`\lfloor (F(x) + 1) / 2 \cdot \mu + 0.5 \rfloor`.

    >>> import ember
    >>> mu_law_encoding(ember.tensor([-1., 0., 1.]), 256)
    tensor([  0, 128, 255])
    """
    mu = quantization_channels - 1.0
    if not x.is_floating_point():
        x = x.to(float32)
    x_mu = mu_law_compress(x, mu)
    return ((x_mu + 1) / 2 * mu + 0.5).to(int64)


def mu_law_decoding(x_mu: Tensor, quantization_channels: int) -> Tensor:
    r"""torchaudio's inverse of :func:`mu_law_encoding`: codes in [0, mu] back to [-1, 1].

    >>> import ember
    >>> mu_law_decoding(ember.tensor([0, 255]), 256)
    tensor([-1.,  1.])
    """
    mu = quantization_channels - 1.0
    if not x_mu.is_floating_point():
        x_mu = x_mu.to(get_default_dtype())
    return mu_law_expand(x_mu / mu * 2 - 1.0, mu)


def spectrogram(waveform: Tensor, pad: int, window: Tensor, n_fft: int, hop_length: int, win_length: int,
                power: float | None, normalized: bool | str, center: bool = True, pad_mode: str = "reflect",
                onesided: bool = True) -> Tensor:
    r"""torchaudio.functional.spectrogram: :math:`|STFT(x)|^{power}` (complex STFT when ``power`` is None).

    ``normalized`` True or ``"window"`` divides by :math:`\sqrt{\sum w^2}`; ``"frame_length"`` asks the STFT
    for its own normalisation. Shape: (..., time) -> (..., n_fft // 2 + 1, frames).

    >>> import ember
    >>> x = ember.sin(2 * math.pi * 100 * ember.arange(800) / 800)
    >>> S = spectrogram(x, 0, ember.hann_window(200), 200, 100, 200, 2.0, False)
    >>> S.shape, int(S.mean(-1).argmax())    # 100 Hz at 800 Hz sampling: bin 100 * 200 / 800
    (ember.Size([101, 9]), 25)
    """
    if pad > 0:
        waveform = F.pad(waveform, (pad, pad), "constant")
    if normalized not in (True, False, "window", "frame_length"):
        raise ValueError(f"spectrogram: normalized must be a bool, 'window' or 'frame_length', got {normalized!r}")
    shape = waveform.shape
    flat = waveform.reshape(-1, shape[-1])
    spec = flat.stft(n_fft, hop_length, win_length, window, center, pad_mode, normalized == "frame_length",
                     onesided, return_complex=True)
    spec = spec.reshape(tuple(shape[:-1]) + tuple(spec.shape[-2:]))
    if normalized is True or normalized == "window":
        spec = spec / window.pow(2.0).sum().sqrt()
    if power is None:
        return spec
    return spec.abs() if power == 1.0 else spec.abs().pow(power)


def _window(window, n: int, like: Tensor) -> Tensor:
    if isinstance(window, Tensor):
        if window.shape != (n,):
            raise ValueError(f"welch: window must have shape ({n},), got {tuple(window.shape)}")
        return window.to(like.dtype)
    makers = {"hann": hann_window, "hamming": hamming_window, "blackman": blackman_window,
              "boxcar": lambda k, dtype: ones(k, dtype=dtype)}
    if window not in makers:
        raise ValueError(f"welch: unknown window {window!r}; use one of {sorted(makers)} or a tensor")
    return makers[window](n, dtype=like.dtype)  # periodic, as scipy's get_window for spectra


def welch(x: Tensor, fs: float = 1.0, window="hann", nperseg: int = 256, noverlap: int | None = None,
          nfft: int | None = None, detrend: str | bool = "constant", scaling: str = "density") -> tuple:
    r"""Power spectral density by Welch's method (scipy.signal.welch's defaults and result).

    The signal is cut into segments of ``nperseg`` samples overlapping by ``noverlap`` (default half),
    each detrended and windowed; the PSD is the mean over segments of
    :math:`|\mathrm{rfft}(w \cdot s)|^2 / (f_s \sum w^2)` (``scaling='spectrum'``: :math:`/ (\sum w)^2`),
    doubled except at DC and Nyquist (one-sided).

    Shape: x (..., L) -> (freqs (nfft // 2 + 1), psd (..., nfft // 2 + 1)).

    >>> import ember
    >>> t = ember.arange(4096, dtype=ember.float64) / 1000
    >>> f, p = welch(ember.sin(2 * math.pi * 125 * t), fs=1000)
    >>> float(f[p.argmax()])
    125.0
    """
    if not x.is_floating_point():
        x = x.to(get_default_dtype())
    nperseg = min(nperseg, x.shape[-1])
    noverlap = nperseg // 2 if noverlap is None else noverlap
    nfft = nperseg if nfft is None else nfft
    if not 0 <= noverlap < nperseg:
        raise ValueError(f"welch: noverlap must be in [0, nperseg={nperseg}), got {noverlap}")
    if nfft < nperseg:
        raise ValueError(f"welch: nfft={nfft} must be at least nperseg={nperseg}")
    if scaling not in ("density", "spectrum"):
        raise ValueError(f"welch: unknown scaling {scaling!r}; use 'density' or 'spectrum'")
    segs = x.unfold(-1, nperseg, nperseg - noverlap)  # (..., n_segments, nperseg)
    if detrend == "constant":
        segs = segs - segs.mean(-1, keepdim=True)
    elif detrend not in (False, None):
        raise ValueError(f"welch: detrend must be 'constant' or False, got {detrend!r}")
    w = _window(window, nperseg, x)
    scale = fs * (w * w).sum() if scaling == "density" else w.sum() ** 2
    power = rfft(segs * w, n=nfft).abs() ** 2 / scale
    n_bins = nfft // 2 + 1
    double = full((n_bins,), 2.0, dtype=x.dtype)
    double[0] = 1.0
    if nfft % 2 == 0:
        double[-1] = 1.0
    return rfftfreq(nfft, 1.0 / fs, dtype=x.dtype), (power * double).mean(-2)


def _hz_to_mel(f, mel_scale: str):
    if mel_scale == "htk":
        return 2595.0 * math.log10(1.0 + f / 700.0)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    if f < min_log_hz:
        return f / f_sp
    return min_log_hz / f_sp + math.log(f / min_log_hz) / (math.log(6.4) / 27.0)


def _mel_to_hz(m: Tensor, mel_scale: str) -> Tensor:
    if mel_scale == "htk":
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, math.log(6.4) / 27.0
    return (m >= min_log_mel).where(min_log_hz * (logstep * (m - min_log_mel)).exp(), f_sp * m)


def melscale_fbanks(n_freqs: int, f_min: float, f_max: float, n_mels: int, sample_rate: int,
                    norm: str | None = None, mel_scale: str = "htk") -> Tensor:
    r"""torchaudio's triangular mel filterbank, shape (n_freqs, n_mels).

    ``n_mels + 2`` points equally spaced in mel between ``f_min`` and ``f_max`` (``htk``:
    :math:`m = 2595 \log_{10}(1 + f / 700)`; ``slaney``: linear below 1 kHz, logarithmic above) are the
    corners of the triangles over the STFT bin frequencies ``linspace(0, sample_rate // 2, n_freqs)``;
    ``norm='slaney'`` scales each to unit area (:math:`2 / (f_{i+2} - f_i)`).

    >>> fb = melscale_fbanks(201, 0.0, 8000.0, 40, 16000)
    >>> fb.shape, bool((fb >= 0).all())
    (ember.Size([201, 40]), True)
    """
    if norm not in (None, "slaney"):
        raise ValueError(f'melscale_fbanks: norm must be one of None or "slaney", got {norm!r}')
    if mel_scale not in ("htk", "slaney"):
        raise ValueError(f'melscale_fbanks: mel_scale should be one of "htk" or "slaney", got {mel_scale!r}')
    all_freqs = linspace(0, sample_rate // 2, n_freqs)
    m_pts = linspace(_hz_to_mel(f_min, mel_scale), _hz_to_mel(f_max, mel_scale), n_mels + 2)
    f_pts = _mel_to_hz(m_pts, mel_scale)
    f_diff = f_pts[1:] - f_pts[:-1]
    slopes = f_pts.unsqueeze(0) - all_freqs.unsqueeze(1)  # (n_freqs, n_mels + 2)
    down = -slopes[:, :-2] / f_diff[:-1]
    up = slopes[:, 2:] / f_diff[1:]
    fb = minimum(down, up).clamp(min=0.0)
    if norm == "slaney":
        fb = fb * (2.0 / (f_pts[2:n_mels + 2] - f_pts[:n_mels]))
    return fb


def mel_spectrogram(waveform: Tensor, sample_rate: int = 16000, n_fft: int = 400, win_length: int | None = None,
                    hop_length: int | None = None, f_min: float = 0.0, f_max: float | None = None,
                    n_mels: int = 128, power: float = 2.0, norm: str | None = None,
                    mel_scale: str = "htk") -> Tensor:
    """torchaudio.transforms.MelSpectrogram's result with its defaults (periodic Hann window, hop
    ``win_length // 2``, centred reflect padding): the power spectrogram projected on
    :func:`melscale_fbanks`. Shape: (..., time) -> (..., n_mels, frames).

    >>> import ember
    >>> mel_spectrogram(ember.randn(1, 1600), n_mels=32).shape
    ember.Size([1, 32, 9])
    """
    win_length = n_fft if win_length is None else win_length
    hop_length = win_length // 2 if hop_length is None else hop_length
    window = hann_window(win_length, dtype=waveform.dtype)
    spec = spectrogram(waveform, 0, window, n_fft, hop_length, win_length, power, False)
    fb = melscale_fbanks(n_fft // 2 + 1, f_min, float(f_max or sample_rate // 2), n_mels, sample_rate, norm,
                         mel_scale).to(spec.dtype)
    return (spec.transpose(-1, -2) @ fb).transpose(-1, -2)
