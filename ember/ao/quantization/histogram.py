"""``HistogramObserver``: the range that minimises the L2 quantization error of a running histogram.

torch's x86/fbgemm default activation observer, computed as torch computes it (in float32, with torch's
``histc``, ``linspace`` and sequential ``bincount`` rounding), so that scales and zero points equal torch's.
"""
from __future__ import annotations

import warnings

import numpy as np

from ... import dtypes
from ...tensor import Tensor, wrap
from .observer import _EPS, ObserverBase, per_tensor_affine, per_tensor_symmetric

_F = np.float32


def histc(x: np.ndarray, bins: int, lo, hi) -> np.ndarray:
    """torch.histc in float32: ``bins`` equal bins over [lo, hi] (widened by 1 on each side when empty);
    values outside are ignored; bin = floor((x - lo) bins / (hi - lo)), the top edge in the last bin."""
    lo, hi = _F(lo), _F(hi)
    if lo == hi:
        lo, hi = lo - _F(1), hi + _F(1)
    x = x[(x >= lo) & (x <= hi)]
    pos = ((x - lo) * _F(bins) / (hi - lo)).astype(np.int64)
    return np.bincount(np.minimum(pos, bins - 1), minlength=bins).astype(_F)


def linspace(start, end, steps: int) -> np.ndarray:
    """torch.linspace in float32: the first half counts up from ``start``, the second half down from ``end``
    (each point one fused multiply-add from its end)."""
    start, end = _F(start), _F(end)
    step = _F((end - start) / _F(steps - 1))
    i = np.arange(steps)
    up = (np.float64(start) + np.float64(step) * i).astype(_F)
    down = (np.float64(end) - np.float64(step) * (steps - 1 - i)).astype(_F)
    return np.where(i < steps // 2, up, down)


class HistogramObserver(ObserverBase):
    r"""Keeps a histogram of everything it sees (``bins`` bins over the running [min, max]; an old histogram
    is spread onto a wider range by splitting each bin into ``upsample_rate`` = 16 parts and moving each to
    the new bin of its mid-point) and picks the range of minimum quantization error.

    ``calculate_qparams``: with ``dst_nbins`` = 2^8 quantization bins over a candidate range [a, b] of
    source bins, the error of a source bin whose values are spread uniformly with density d is
    :math:`d \int (x - c)^2\,dx` over its part in each destination bin of centre c. Starting from the whole
    histogram, the search moves whichever end (lower or upper quantile, in steps of 1e-5 of the mass)
    passes more bins, while the error decreases; the scale and zero point are then those of
    :class:`MinMaxObserver` for [a, b].

    >>> import ember
    >>> obs = HistogramObserver(bins=64)
    >>> _ = obs(ember.linspace(-1.0, 1.0, 1000))
    >>> scale, zero_point = obs.calculate_qparams()
    >>> round(float(scale), 5), int(zero_point)
    (0.00772, 130)
    """

    def __init__(self, bins: int = 2048, dtype=dtypes.quint8, qscheme: str = per_tensor_affine,
                 reduce_range: bool = False, quant_min: int | None = None, quant_max: int | None = None,
                 factory_kwargs=None, eps: float = _EPS, is_dynamic: bool = False, **kwargs) -> None:
        if qscheme not in (per_tensor_affine, per_tensor_symmetric):
            raise NotImplementedError("HistogramObserver's qscheme only support torch.per_tensor_symmetric "
                                      "and torch.per_tensor_affine.")
        if is_dynamic:
            raise NotImplementedError("HistogramObserver doesn't support dynamic quantization")
        super().__init__(dtype, qscheme, reduce_range, quant_min, quant_max, eps)
        self.bins = bins
        self.register_buffer("histogram", wrap(np.zeros(bins, _F)))
        self.register_buffer("min_val", wrap(np.array(np.inf, _F)))
        self.register_buffer("max_val", wrap(np.array(-np.inf, _F)))
        self.dst_nbins = 2 ** (8 if dtype is not dtypes.qint32 else 32)
        self.upsample_rate = 16

    # ---- observing
    def forward(self, x_orig: Tensor) -> Tensor:
        if x_orig.numel() == 0:
            return x_orig
        x = x_orig.detach().float().numpy().reshape(-1)
        if np.isinf(x).any():
            warnings.warn("torch.inf detected in input tensor, ignoring input", stacklevel=2)
            x = x[~np.isinf(x)]
            if x.size == 0:
                return x_orig
        x_min, x_max = x.min(), x.max()
        cur_min, cur_max = _F(self.min_val.numpy()), _F(self.max_val.numpy())
        if np.isinf(cur_min) or np.isinf(cur_max):
            self._set(histc(x, self.bins, x_min, x_max), x_min, x_max)
            return x_orig
        new_min, new_max = min(cur_min, x_min), max(cur_max, x_max)
        update = histc(x, self.bins, new_min, new_max)
        hist = self.histogram.numpy()
        if new_min == cur_min and new_max == cur_max:
            self._set(hist + update, cur_min, cur_max)
        else:
            self._set(self._combine_histograms(hist, cur_min, cur_max, update, new_min, new_max), new_min, new_max)
        return x_orig

    def _set(self, hist: np.ndarray, lo, hi) -> None:
        self.histogram = wrap(hist.astype(_F))
        self.min_val, self.max_val = wrap(np.array(lo, _F)), wrap(np.array(hi, _F))

    def _combine_histograms(self, orig_hist, orig_min, orig_max, update_hist, update_min, update_max):
        if update_min == orig_min and update_max == orig_max:
            return orig_hist + update_hist
        if orig_min == orig_max:  # one value seen so far: all its mass goes to that value's new bin
            mass = orig_hist.sum(dtype=_F)
            return histc(np.array([orig_min], _F), self.bins, update_min, update_max) * mass + update_hist
        return update_hist + self._upscale_histogram(orig_hist, orig_min, orig_max, update_min, update_max)

    def _upscale_histogram(self, hist, orig_min, orig_max, update_min, update_max) -> np.ndarray:
        rate = self.upsample_rate
        fine = np.repeat(hist, rate) / _F(rate)
        bin_size = _F((orig_max - orig_min) / _F(self.bins * rate))
        mid = linspace(orig_min, orig_max, self.bins * rate + 1)[:-1] + _F(0.5) * bin_size
        edges = linspace(update_min, update_max, self.bins + 1)
        where = np.clip(np.searchsorted(edges, mid, side="right") - 1, 0, self.bins - 1)
        out = np.zeros(self.bins, _F)
        np.add.at(out, where, fine)  # float32, in order (torch's bincount)
        return out

    # ---- choosing the range
    def _compute_quantization_error(self, next_start_bin: int, next_end_bin: int) -> float:
        bin_width = (float(self.max_val) - float(self.min_val)) / self.bins
        dst_bin_width = bin_width * (next_end_bin - next_start_bin + 1) / self.dst_nbins
        if dst_bin_width == 0.0:
            return 0.0
        bw, dbw, top = _F(bin_width), _F(dst_bin_width), self.dst_nbins - 1
        src_begin = (np.arange(self.bins) - next_start_bin).astype(_F) * bw
        src_end = src_begin + bw
        dst_of_begin = np.clip(np.floor_divide(src_begin, dbw), 0, top)
        dst_of_begin_center = (dst_of_begin + _F(0.5)) * dbw
        dst_of_end = np.clip(np.floor_divide(src_end, dbw), 0, top)
        density = self.histogram.numpy() / bw
        half = _F(dst_bin_width / 2)
        norm = np.zeros(self.bins, _F)
        norm += _l2(src_begin - dst_of_begin_center, np.full(self.bins, half, _F), density)
        norm += (dst_of_end - dst_of_begin - _F(1)) * _l2(-half, half, density)
        dst_of_end_center = dst_of_end * dbw + half
        norm += _l2(_F(-dst_bin_width / 2), src_end - dst_of_end_center, density)
        return float(norm.sum(dtype=_F))

    def _non_linear_param_search(self) -> tuple:
        hist = self.histogram.numpy()
        lo = _F(self.min_val.numpy())
        bin_width = (_F(self.max_val.numpy()) - lo) / _F(self.bins)
        total = float(hist.sum(dtype=_F))
        csum = np.cumsum(hist, dtype=_F).tolist()
        stepsize, alpha, beta = 1e-5, 0.0, 1.0
        start_bin, end_bin = 0, self.bins - 1
        norm_min = float("inf")
        while alpha < beta:
            next_alpha, next_beta = alpha + stepsize, beta - stepsize
            low, high = float(_F(next_alpha * total)), float(_F(next_beta * total))
            left, right = start_bin, end_bin
            while left < end_bin and csum[left] < low:
                left += 1
            while right > start_bin and csum[right] > high:
                right -= 1
            next_start_bin, next_end_bin = start_bin, end_bin
            if left - start_bin > end_bin - right:
                next_start_bin, alpha = left, next_alpha
            else:
                next_end_bin, beta = right, next_beta
            if next_start_bin == start_bin and next_end_bin == end_bin:
                continue
            norm = self._compute_quantization_error(next_start_bin, next_end_bin)
            if norm > norm_min:
                break
            norm_min, start_bin, end_bin = norm, next_start_bin, next_end_bin
        return lo + bin_width * _F(start_bin), lo + bin_width * _F(end_bin + 1)

    def calculate_qparams(self):
        if np.isinf(self.min_val.numpy()) and np.isinf(self.max_val.numpy()):
            warnings.warn("must run observer before calling calculate_qparams. Returning default scale and "
                          "zero point ", stacklevel=2)
            return wrap(np.array([1.0], _F)), wrap(np.array([0], np.int64))
        if self.bins != len(self.histogram):
            raise AssertionError("The number of bins in histogram should be equal to the number of bins "
                                 "supplied while making this observer")
        new_min, new_max = self._non_linear_param_search()
        s, z = self._qparams(np.asarray(new_min, _F).reshape(1), np.asarray(new_max, _F).reshape(1))
        return s, (z.to(dtypes.int32) if self.qscheme == per_tensor_affine else z)  # torch's zero-point dtypes

    def extra_repr(self) -> str:
        return f"min_val={float(self.min_val)}, max_val={float(self.max_val)}"


def _l2(begin, end, density):
    """density * integral of x^2 from begin to end, in float32 (torch's ``_get_norm``)."""
    return density * ((end * end * end - begin * begin * begin) / _F(3))
