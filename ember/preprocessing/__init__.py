"""``ember.preprocessing``: feature scaling (z-score, min-max) and audio front ends (mu-law, spectra, mel).

Scalers follow scikit-learn's ``fit``/``transform``/``inverse_transform`` on ember tensors of shape
(n_samples, n_features); the audio functions follow torchaudio's definitions.
"""
from __future__ import annotations

from .audio import (mel_spectrogram, melscale_fbanks, mu_law_compress, mu_law_decoding, mu_law_encoding,
                    mu_law_expand, spectrogram, welch)
from .scalers import MinMaxScaler, StandardScaler

__all__ = ["StandardScaler", "MinMaxScaler", "mu_law_encoding", "mu_law_decoding", "mu_law_compress",
           "mu_law_expand", "spectrogram", "welch", "melscale_fbanks", "mel_spectrogram"]
