"""Observers: modules that watch the values flowing through them and choose quantization parameters.

For a range :math:`[a, b]` (widened to contain 0) and integer range :math:`[q_{min}, q_{max}]`:
affine :math:`s = (b - a) / (q_{max} - q_{min})`, :math:`z = q_{min} - \\mathrm{round}(a / s)`; symmetric
:math:`s = \\max(-a, b) / ((q_{max} - q_{min}) / 2)`, :math:`z = 0` (128 for quint8); ``s >= eps``.
``reduce_range`` drops one bit (x86's int8 kernels need it for activations).
"""
from __future__ import annotations

import functools
from collections import namedtuple

import numpy as np

from ... import dtypes
from ... import nn
from ...tensor import Tensor, wrap

_EPS = float(np.finfo(np.float32).eps)

per_tensor_affine, per_tensor_symmetric = "per_tensor_affine", "per_tensor_symmetric"
per_channel_affine, per_channel_symmetric = "per_channel_affine", "per_channel_symmetric"


def _with_args(cls, **kwargs):
    return functools.partial(cls, **kwargs)


def _resize_buffers(mod: nn.Module, names: tuple, state_dict, prefix: str, strict: bool,
                    missing_keys: list) -> None:
    """Give the named buffers the checkpoint's shapes before they are copied (torch resizes them: a
    per-channel observer starts empty, a fake quantizer's scale with one element)."""
    for name in names:
        key = prefix + name
        if key in state_dict:
            val = state_dict[key]
            if tuple(val.shape) != tuple(mod._buffers[name].shape):
                mod._buffers[name] = wrap(np.zeros(tuple(val.shape), dtype=mod._buffers[name].numpy().dtype))
        elif strict:
            missing_keys.append(key)


class ObserverBase(nn.Module):
    """Records statistics in ``forward`` (which returns its input) and gives (scale, zero_point) in
    ``calculate_qparams``. ``with_args(**kw)`` makes a factory, as torch's qconfigs hold them."""

    with_args = classmethod(_with_args)
    _EPS_BUFFER = True

    def __init__(self, dtype=dtypes.quint8, qscheme: str = per_tensor_affine, reduce_range: bool = False,
                 quant_min: int | None = None, quant_max: int | None = None, eps: float = _EPS,
                 is_dynamic: bool = False) -> None:
        super().__init__()
        if dtype not in (dtypes.qint8, dtypes.quint8, dtypes.qint32):
            raise ValueError(f"Default Observer only works for qint8, quint8 and qint32 data type, got {dtype}")
        self.dtype, self.qscheme, self.reduce_range, self.is_dynamic = dtype, qscheme, reduce_range, is_dynamic
        if self._EPS_BUFFER:  # the smallest scale; a float32 buffer of one element, as torch's state_dict has it
            self.register_buffer("eps", wrap(np.array([eps], dtype=np.float32)))
        else:
            self.eps = eps
        if quant_min is None:
            quant_min, quant_max = {"qint8": (-128, 127), "quint8": (0, 255), "qint32": (-(1 << 31), (1 << 31) - 1)}[
                dtype.name]
            if reduce_range and dtype is not dtypes.qint32:
                quant_min, quant_max = quant_min // 2, quant_max // 2
        elif reduce_range:  # torch halves a custom range too
            quant_min, quant_max = quant_min // 2, quant_max // 2
        self.quant_min, self.quant_max = quant_min, quant_max

    def _eps(self) -> np.float32:
        return np.float32(self.eps.numpy().reshape(-1)[0] if isinstance(self.eps, Tensor) else self.eps)

    def _qparams(self, min_val: np.ndarray, max_val: np.ndarray):
        min_neg = np.minimum(min_val, 0.0).astype(np.float32)
        max_pos = np.maximum(max_val, 0.0).astype(np.float32)
        qmin, qmax = self.quant_min, self.quant_max
        if self.qscheme in (per_tensor_symmetric, per_channel_symmetric):
            max_pos = np.maximum(-min_neg, max_pos)
            scale = np.maximum((max_pos / np.float32((qmax - qmin) / 2)).astype(np.float32), self._eps())
            zp = np.full(scale.shape, (qmin + qmax + 1) // 2 if self.dtype is dtypes.quint8 else 0, dtype=np.int64)
        else:
            scale = np.maximum(((max_pos - min_neg) / np.float32(qmax - qmin)).astype(np.float32),
                               self._eps())
            zp = np.clip(qmin - np.rint(min_neg / scale).astype(np.int64), qmin, qmax)
        return wrap(scale.astype(np.float32)), wrap(zp.astype(np.int64 if scale.ndim else np.int32))


class MinMaxObserver(ObserverBase):
    """Tracks the running minimum and maximum of everything it sees (per tensor).

    >>> import ember
    >>> obs = MinMaxObserver(dtype=ember.quint8)
    >>> _ = obs(ember.tensor([-1.0, 3.0]))
    >>> obs.calculate_qparams()
    (tensor([0.0157]), tensor([64], dtype=ember.int32))
    """

    def __init__(self, dtype=dtypes.quint8, qscheme: str = per_tensor_affine, reduce_range: bool = False,
                 quant_min: int | None = None, quant_max: int | None = None, eps: float = _EPS, **kwargs) -> None:
        super().__init__(dtype, qscheme, reduce_range, quant_min, quant_max, eps, **kwargs)
        self.register_buffer("min_val", wrap(np.array(np.inf, dtype=np.float32)))
        self.register_buffer("max_val", wrap(np.array(-np.inf, dtype=np.float32)))

    def _update(self, x: np.ndarray) -> None:
        self.min_val = wrap(np.asarray(np.minimum(self.min_val.numpy(), x.min()), dtype=np.float32))
        self.max_val = wrap(np.asarray(np.maximum(self.max_val.numpy(), x.max()), dtype=np.float32))

    def forward(self, x: Tensor) -> Tensor:
        if x.numel():
            self._update(x.detach().float().numpy())
        return x

    def calculate_qparams(self):
        s, z = self._qparams(self.min_val.numpy().reshape(1), self.max_val.numpy().reshape(1))
        return s, z.to(dtypes.int32)

    def extra_repr(self) -> str:
        return f"min_val={float(self.min_val)}, max_val={float(self.max_val)}"


class MovingAverageMinMaxObserver(MinMaxObserver):
    """Exponential moving averages of the batch minimum and maximum:
    :math:`m \\leftarrow m + c\\,(\\min(x) - m)` with ``averaging_constant`` c (the first batch sets m)."""

    def __init__(self, averaging_constant: float = 0.01, dtype=dtypes.quint8, qscheme: str = per_tensor_affine,
                 reduce_range: bool = False, **kwargs) -> None:
        super().__init__(dtype, qscheme, reduce_range, **kwargs)
        self.averaging_constant = averaging_constant

    def _update(self, x: np.ndarray) -> None:
        lo, hi = np.float32(x.min()), np.float32(x.max())
        if np.isinf(self.min_val.numpy()):
            new_lo, new_hi = lo, hi
        else:
            c = np.float32(self.averaging_constant)
            new_lo = self.min_val.numpy() + c * (lo - self.min_val.numpy())
            new_hi = self.max_val.numpy() + c * (hi - self.max_val.numpy())
        new_lo, new_hi = np.asarray(new_lo), np.asarray(new_hi)
        self.min_val = wrap(np.asarray(new_lo, dtype=np.float32))
        self.max_val = wrap(np.asarray(new_hi, dtype=np.float32))


class PerChannelMinMaxObserver(ObserverBase):
    """Minimum and maximum per slice along ``ch_axis`` (weights: one scale per output channel)."""

    def __init__(self, ch_axis: int = 0, dtype=dtypes.quint8, qscheme: str = per_channel_affine,
                 reduce_range: bool = False, quant_min: int | None = None, quant_max: int | None = None,
                 eps: float = _EPS, **kwargs) -> None:
        super().__init__(dtype, qscheme, reduce_range, quant_min, quant_max, eps, **kwargs)
        self.ch_axis = ch_axis
        self.register_buffer("min_val", wrap(np.zeros(0, dtype=np.float32)))
        self.register_buffer("max_val", wrap(np.zeros(0, dtype=np.float32)))

    def forward(self, x: Tensor) -> Tensor:
        a = np.moveaxis(x.detach().float().numpy(), self.ch_axis, 0).reshape(x.shape[self.ch_axis], -1)
        lo, hi = a.min(1), a.max(1)
        if self.min_val.numel():
            lo, hi = np.minimum(lo, self.min_val.numpy()), np.maximum(hi, self.max_val.numpy())
        self.min_val, self.max_val = wrap(lo.astype(np.float32)), wrap(hi.astype(np.float32))
        return x

    def calculate_qparams(self):
        return self._qparams(self.min_val.numpy(), self.max_val.numpy())

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs) -> None:
        _resize_buffers(self, ("min_val", "max_val"), state_dict, prefix, False, missing_keys)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)


class MovingAveragePerChannelMinMaxObserver(PerChannelMinMaxObserver):
    """Per-channel exponential moving averages of the minimum and maximum (QAT's weight observer):
    :math:`m_c \\leftarrow m_c + c\\,(\\min(x_c) - m_c)` with ``averaging_constant`` c; the first batch sets m."""

    def __init__(self, averaging_constant: float = 0.01, ch_axis: int = 0, dtype=dtypes.quint8,
                 qscheme: str = per_channel_affine, reduce_range: bool = False, quant_min: int | None = None,
                 quant_max: int | None = None, eps: float = _EPS, **kwargs) -> None:
        super().__init__(ch_axis, dtype, qscheme, reduce_range, quant_min, quant_max, eps, **kwargs)
        self.averaging_constant = averaging_constant

    def forward(self, x: Tensor) -> Tensor:
        if not x.numel():
            return x
        a = np.moveaxis(x.detach().float().numpy(), self.ch_axis, 0).reshape(x.shape[self.ch_axis], -1)
        lo, hi = a.min(1), a.max(1)
        if self.min_val.numel():
            c = np.float32(self.averaging_constant)
            old_lo, old_hi = self.min_val.numpy(), self.max_val.numpy()
            lo, hi = old_lo + c * (lo - old_lo), old_hi + c * (hi - old_hi)
        self.min_val, self.max_val = wrap(lo.astype(np.float32)), wrap(hi.astype(np.float32))
        return x


class PlaceholderObserver(ObserverBase):
    """Observes nothing: marks the dtype of a dynamically quantized activation."""

    def __init__(self, dtype=dtypes.float32, quant_min=None, quant_max=None, is_dynamic: bool = False, **kwargs):
        nn.Module.__init__(self)
        self.dtype, self.is_dynamic, self.quant_min, self.quant_max = dtype, is_dynamic, quant_min, quant_max
        self.qscheme = per_tensor_affine

    def forward(self, x: Tensor) -> Tensor:
        return x

    def calculate_qparams(self):
        raise Exception("calculate_qparams should not be called for PlaceholderObserver")


class FixedQParamsObserver(ObserverBase):
    """Observes nothing and always gives the same ``(scale, zero_point)``: for ops whose output range is known,
    such as sigmoid (scale 1/256, zero point 0 for quint8)."""

    _EPS_BUFFER = False

    def __init__(self, scale: float, zero_point: int, dtype=dtypes.quint8, qscheme: str = per_tensor_affine,
                 quant_min: int = 0, quant_max: int = 255, is_dynamic: bool = False, **kwargs) -> None:
        super().__init__(dtype, qscheme, False, quant_min, quant_max, is_dynamic=is_dynamic)
        self.register_buffer("scale", wrap(np.asarray([scale], dtype=np.float32)))
        self.register_buffer("zero_point", wrap(np.asarray([zero_point], dtype=np.int32)))

    def forward(self, x: Tensor) -> Tensor:
        return x

    def calculate_qparams(self):
        return self.scale, self.zero_point


default_fixed_qparams_range_0to1_observer = FixedQParamsObserver.with_args(scale=1.0 / 256.0, zero_point=0,
                                                                           dtype=dtypes.quint8, quant_min=0,
                                                                           quant_max=255)

QConfig = namedtuple("QConfig", ["activation", "weight"])
QConfig.__doc__ = "Factories of the activation and weight observers of a quantized layer."

default_weight_observer = MinMaxObserver.with_args(dtype=dtypes.qint8, qscheme=per_tensor_symmetric)
default_per_channel_weight_observer = PerChannelMinMaxObserver.with_args(dtype=dtypes.qint8,
                                                                        qscheme=per_channel_symmetric)
default_dynamic_quant_observer = PlaceholderObserver.with_args(dtype=dtypes.quint8, quant_min=0, quant_max=255,
                                                               is_dynamic=True)
default_dynamic_qconfig = QConfig(activation=default_dynamic_quant_observer, weight=default_weight_observer)
per_channel_dynamic_qconfig = QConfig(activation=default_dynamic_quant_observer,
                                      weight=default_per_channel_weight_observer)
default_qconfig = QConfig(activation=MinMaxObserver.with_args(reduce_range=True), weight=default_weight_observer)


def get_default_qconfig(backend: str = "x86", version: int = 0) -> QConfig:
    """x86/fbgemm: activations quint8 with a reduced range (histogram in torch; min-max here), weights
    int8 per channel, symmetric."""
    if backend not in ("x86", "fbgemm", "qnnpack", "onednn"):
        raise AssertionError(f"backend: {backend} not supported. backend must be one of "
                             "['x86', 'fbgemm', 'qnnpack', 'onednn']")
    return QConfig(activation=MinMaxObserver.with_args(reduce_range=backend in ("x86", "fbgemm")),
                   weight=default_per_channel_weight_observer)
