"""Fake quantization: round values to the quantization grid and return them as floats,
:math:`\\hat x = (\\mathrm{clamp}(\\mathrm{round}(x/s) + z, q_{min}, q_{max}) - z)\\,s`, with the
straight-through gradient :math:`\\partial \\hat x / \\partial x = 1` where
:math:`q_{min} \\le \\mathrm{round}(x/s) + z \\le q_{max}`, else 0 (torch's ``fake_quantize_*_affine``).
``FakeQuantize`` puts an observer in front (quantization-aware training)."""
from __future__ import annotations

import numpy as np

from ... import dtypes
from ... import nn
from ...autograd.function import Op
from ...tensor import Tensor, wrap
from .observer import (FixedQParamsObserver, MovingAverageMinMaxObserver, MovingAveragePerChannelMinMaxObserver,
                       ObserverBase, per_channel_affine, per_channel_symmetric, _resize_buffers, _with_args)

_F = np.float32


class FakeQuantizeAffine(Op):
    """The fake-quantize op, per tensor (``axis`` None) or per channel along ``axis``; computed as torch's
    CPU kernel: :math:`q = z + \\mathrm{nearbyint}(x \\cdot (1/s))` in float32."""

    node_name = "FakeQuantizePerTensorAffineCachemaskBackward0"

    @staticmethod
    def forward(ctx, x, scale, zero_point, axis, quant_min, quant_max):
        xd = x._data
        s = np.asarray(scale, dtype=_F)
        z = np.asarray(zero_point).astype(np.int64)
        if axis is not None:
            shape = [1] * xd.ndim
            shape[axis] = -1
            s, z = s.reshape(shape), z.reshape(shape)
        inv = (_F(1) / s).astype(_F)
        q = np.rint((xd * inv).astype(xd.dtype, copy=False)) + z.astype(xd.dtype)
        ctx.mask = (q >= quant_min) & (q <= quant_max)
        out = (np.clip(q, quant_min, quant_max) - z.astype(xd.dtype)) * s.astype(xd.dtype)
        return out.astype(xd.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return g * wrap(ctx.mask.astype(g._data.dtype))


def fake_quantize_per_tensor_affine(input: Tensor, scale, zero_point, quant_min: int, quant_max: int) -> Tensor:
    """torch.fake_quantize_per_tensor_affine: quantize to [quant_min, quant_max] with ``scale`` and
    ``zero_point`` (numbers or one-element tensors) and back; straight-through gradient inside the range.

    >>> import ember
    >>> fake_quantize_per_tensor_affine(ember.tensor([0.12, -0.3, 9.0]), 0.1, 0, -128, 127).tolist()
    [0.10000000149011612, -0.30000001192092896, 9.0]
    """
    s = scale.numpy().reshape(-1)[0] if isinstance(scale, Tensor) else scale
    z = zero_point.numpy().reshape(-1)[0] if isinstance(zero_point, Tensor) else zero_point
    return FakeQuantizeAffine.apply(input, _F(s), int(z), None, quant_min, quant_max)


def fake_quantize_per_channel_affine(input: Tensor, scale: Tensor, zero_point: Tensor, axis: int, quant_min: int,
                                     quant_max: int) -> Tensor:
    """torch.fake_quantize_per_channel_affine: one scale and zero point per slice along ``axis``."""
    if scale.numel() != input.shape[axis]:
        raise RuntimeError(f"fake_quantize_per_channel_affine: dimensions of scale and zero-point are not "
                           f"consistent with input tensor ({scale.numel()} scales for size {input.shape[axis]} "
                           f"of axis {axis})")
    return FakeQuantizeAffine.apply(input, scale.numpy(), zero_point.numpy(), axis % input.ndim, quant_min,
                                    quant_max)


class FakeQuantizeBase(nn.Module):
    """Holds the ``fake_quant_enabled`` and ``observer_enabled`` flags (uint8 buffers, as torch's)."""

    with_args = classmethod(_with_args)

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("fake_quant_enabled", wrap(np.array([1], np.uint8)))
        self.register_buffer("observer_enabled", wrap(np.array([1], np.uint8)))

    def enable_fake_quant(self, enabled: bool = True) -> None:
        self.fake_quant_enabled._data[0] = 1 if enabled else 0

    def disable_fake_quant(self) -> None:
        self.enable_fake_quant(False)

    def enable_observer(self, enabled: bool = True) -> None:
        self.observer_enabled._data[0] = 1 if enabled else 0

    def disable_observer(self) -> None:
        self.enable_observer(False)


class FakeQuantize(FakeQuantizeBase):
    """Quantization-aware training's quantize-dequantize: while ``observer_enabled``, the observer
    (``activation_post_process``, default ``MovingAverageMinMaxObserver``) sees each input and
    ``scale``/``zero_point`` follow it; while ``fake_quant_enabled``, the output is
    :math:`(\\mathrm{clamp}(\\mathrm{round}(x/s) + z, q_{min}, q_{max}) - z)\\,s` with the straight-through
    gradient (1 inside the range, 0 outside).

    >>> import ember
    >>> fq = FakeQuantize(quant_min=0, quant_max=255)
    >>> fq(ember.tensor([-1.0, 0.5, 2.0])).tolist()
    [-1.0, 0.4941176474094391, 2.0]
    >>> fq.scale, fq.zero_point
    (tensor([0.0118]), tensor([85], dtype=ember.int32))
    """

    def __init__(self, observer=MovingAverageMinMaxObserver, quant_min: int | None = None,
                 quant_max: int | None = None, is_dynamic: bool = False, **observer_kwargs) -> None:
        super().__init__()
        if quant_min is not None and quant_max is not None:
            if quant_min > quant_max:
                raise AssertionError("quant_min must be less than or equal to quant_max")
            observer_kwargs.update(quant_min=quant_min, quant_max=quant_max)
        self.activation_post_process = observer(**observer_kwargs)
        app = self.activation_post_process
        self.quant_min, self.quant_max, self.is_dynamic = app.quant_min, app.quant_max, is_dynamic
        self.register_buffer("scale", wrap(np.array([1.0], _F)))
        self.register_buffer("zero_point", wrap(np.array([0], np.int32)))
        self.dtype, self.qscheme = app.dtype, app.qscheme
        self.ch_axis = getattr(app, "ch_axis", -1)
        self.is_per_channel = self.qscheme in (per_channel_affine, per_channel_symmetric)

    def calculate_qparams(self):
        return self.activation_post_process.calculate_qparams()

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs) -> None:
        """A per-channel checkpoint's ``scale``/``zero_point`` load into a fresh fake quantizer (resized, as torch)."""
        _resize_buffers(self, ("scale", "zero_point"), state_dict, prefix, False, missing_keys)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)

    def forward(self, x: Tensor) -> Tensor:
        if self.observer_enabled._data[0] == 1:
            self.activation_post_process(x.detach())
            scale, zero_point = self.calculate_qparams()
            self.scale = wrap(scale.numpy().astype(_F).reshape(-1))
            self.zero_point = wrap(zero_point.numpy().astype(np.int32).reshape(-1))
        if self.fake_quant_enabled._data[0] == 1:
            if self.is_per_channel:
                return fake_quantize_per_channel_affine(x, self.scale, self.zero_point, self.ch_axis,
                                                        self.quant_min, self.quant_max)
            return fake_quantize_per_tensor_affine(x, self.scale, self.zero_point, self.quant_min, self.quant_max)
        return x

    def extra_repr(self) -> str:
        return (f"fake_quant_enabled={self.fake_quant_enabled}, observer_enabled={self.observer_enabled}, "
                f"quant_min={self.quant_min}, quant_max={self.quant_max}, dtype=ember.{self.dtype.name}, "
                f"qscheme={self.qscheme}, ch_axis={self.ch_axis}, scale={self.scale}, zero_point={self.zero_point}")


class FixedQParamsFakeQuantize(FixedQParamsObserver):
    """Fake-quantizes with fixed ``(scale, zero_point)``; what torch's ``prepare`` attaches to sigmoid, so that
    calibration sees sigmoid outputs already on the 1/256 grid (straight-through gradient, for QAT).

    >>> import ember
    >>> f = FixedQParamsFakeQuantize(scale=0.25, zero_point=0)
    >>> f(ember.tensor([0.1, 0.4, 2.0])).tolist()
    [0.0, 0.5, 2.0]
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.register_buffer("fake_quant_enabled", wrap(np.array([1], np.uint8)))
        self.register_buffer("observer_enabled", wrap(np.array([0], np.uint8)))

    def forward(self, x: Tensor) -> Tensor:
        if self.fake_quant_enabled._data[0] != 1:
            return x
        return fake_quantize_per_tensor_affine(x, self.scale, self.zero_point, self.quant_min, self.quant_max)

    enable_fake_quant = FakeQuantizeBase.enable_fake_quant
    disable_fake_quant = FakeQuantizeBase.disable_fake_quant
    enable_observer = FakeQuantizeBase.enable_observer
    disable_observer = FakeQuantizeBase.disable_observer


def _apply_to_fake_quants(method: str):
    def fn(mod: nn.Module) -> None:
        if isinstance(mod, (FakeQuantizeBase, FixedQParamsFakeQuantize)):
            getattr(mod, method)()
    fn.__name__ = method
    fn.__doc__ = f"``model.apply({method})``: call ``{method}()`` on every fake-quantize module."
    return fn


enable_fake_quant = _apply_to_fake_quants("enable_fake_quant")
disable_fake_quant = _apply_to_fake_quants("disable_fake_quant")
enable_observer = _apply_to_fake_quants("enable_observer")
disable_observer = _apply_to_fake_quants("disable_observer")

default_fixed_qparams_range_0to1_fake_quant = FixedQParamsFakeQuantize.with_args(
    scale=1.0 / 256.0, zero_point=0, dtype=dtypes.quint8, quant_min=0, quant_max=255)
default_fake_quant = FakeQuantize.with_args(observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=255,
                                            dtype=dtypes.quint8, qscheme="per_tensor_affine", reduce_range=True)
default_weight_fake_quant = FakeQuantize.with_args(observer=MovingAverageMinMaxObserver, quant_min=-128,
                                                   quant_max=127, dtype=dtypes.qint8,
                                                   qscheme="per_tensor_symmetric", reduce_range=False)


def _per_channel_weight_fake_quant():
    return FakeQuantize.with_args(observer=MovingAveragePerChannelMinMaxObserver, quant_min=-128, quant_max=127,
                                  dtype=dtypes.qint8, qscheme=per_channel_symmetric, reduce_range=False, ch_axis=0)


__all__ = ["FakeQuantize", "FakeQuantizeBase", "FixedQParamsFakeQuantize", "fake_quantize_per_tensor_affine",
           "fake_quantize_per_channel_affine", "enable_fake_quant", "disable_fake_quant", "enable_observer",
           "disable_observer", "default_fake_quant", "default_weight_fake_quant", "ObserverBase"]
