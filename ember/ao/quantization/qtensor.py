"""Quantized tensors: integer values with an affine map back to reals, :math:`x \\approx (q - z) s`.

``quantize_per_tensor`` uses one scale ``s`` and zero point ``z``; ``quantize_per_channel`` one pair per slice
along ``axis``. Rounding is torch's: :math:`z + x \\cdot (1/s)` in float32, rounded half to even, clamped
to the dtype's range.
"""
from __future__ import annotations

import numpy as np

from ... import dtypes
from ...tensor import Size, Tensor, wrap

_RANGE = {"qint8": (-128, 127), "quint8": (0, 255), "qint32": (-(1 << 31), (1 << 31) - 1)}


def _quantize(x: np.ndarray, scale: np.ndarray, zero_point: np.ndarray, dtype) -> np.ndarray:
    lo, hi = _RANGE[dtype.name]
    inv = (np.float32(1.0) / scale.astype(np.float32)).astype(np.float32)
    shifted = (x.astype(np.float32) * inv).astype(np.float32) + zero_point.astype(np.float32)
    return np.clip(np.rint(shifted.astype(np.float64)), lo, hi).astype(dtype.np)  # zero point added, then rounded


def _check_dtype(dtype, name: str):
    if dtype not in (dtypes.qint8, dtypes.quint8, dtypes.qint32):
        raise RuntimeError(f"{name}: expected a quantized dtype (ember.qint8, ember.quint8, ember.qint32), got {dtype}")


class QTensor:
    """A quantized tensor: ``int_repr()`` integers of ``dtype`` and the per-tensor or per-channel affine
    parameters. ``dequantize()`` gives the float32 tensor :math:`(q - z) s`.

    >>> import ember
    >>> q = ember.quantize_per_tensor(ember.tensor([-1.0, 0.0, 0.26, 2.0]), 0.1, 10, ember.quint8)
    >>> q.int_repr(), q.q_scale(), q.q_zero_point()
    (tensor([ 0, 10, 13, 30], dtype=ember.uint8), 0.1, 10)
    >>> q.dequantize()
    tensor([-1.0000,  0.0000,  0.3000,  2.0000])
    """

    is_quantized = True

    def __init__(self, ints: np.ndarray, dtype, scale, zero_point, axis: int | None = None) -> None:
        self._ints, self.dtype, self._axis = ints, dtype, axis
        self._scale, self._zero_point = scale, zero_point

    @property
    def shape(self):
        return Size(self._ints.shape)

    def size(self, dim: int | None = None):
        return self.shape if dim is None else self.shape[dim]

    def dim(self) -> int:
        return self._ints.ndim

    def numel(self) -> int:
        return int(self._ints.size)

    def qscheme(self) -> str:
        return "per_tensor_affine" if self._axis is None else "per_channel_affine"

    def int_repr(self) -> Tensor:
        return wrap(self._ints.copy())

    def q_scale(self) -> float:
        self._per_tensor("q_scale")
        return float(self._scale)

    def q_zero_point(self) -> int:
        self._per_tensor("q_zero_point")
        return int(self._zero_point)

    def q_per_channel_scales(self) -> Tensor:
        self._per_channel("q_per_channel_scales")
        return wrap(np.asarray(self._scale, dtype=np.float64))

    def q_per_channel_zero_points(self) -> Tensor:
        self._per_channel("q_per_channel_zero_points")
        return wrap(np.asarray(self._zero_point, dtype=np.int64))

    def q_per_channel_axis(self) -> int:
        self._per_channel("q_per_channel_axis")
        return self._axis

    def _per_tensor(self, name: str) -> None:
        if self._axis is not None:
            raise RuntimeError(f"Expected quantizer->qscheme() == kPerTensorAffine to be true, but got false. "
                               f"({name} of a per-channel quantized tensor)")

    def _per_channel(self, name: str) -> None:
        if self._axis is None:
            raise RuntimeError(f"Expected quantizer->qscheme() == kPerChannelAffine to be true, but got false. "
                               f"({name} of a per-tensor quantized tensor)")

    def _broadcast(self, v) -> np.ndarray:
        v = np.asarray(v)
        if self._axis is None:
            return v
        shape = [1] * self._ints.ndim
        shape[self._axis] = -1
        return v.reshape(shape)

    def dequantize(self) -> Tensor:
        scale = self._broadcast(self._scale).astype(np.float32)
        zp = self._broadcast(self._zero_point).astype(np.int64)
        return wrap(((self._ints.astype(np.int64) - zp).astype(np.float32) * scale).astype(np.float32))

    @property
    def nbytes(self) -> int:
        return int(self._ints.nbytes)

    def __repr__(self) -> str:
        params = (f"scale={self._scale}, zero_point={self._zero_point}" if self._axis is None
                  else f"axis={self._axis}")
        return (f"QTensor({self.dequantize().tolist()}, dtype=ember.{self.dtype.name}, "
                f"quantization_scheme={self.qscheme()}, {params})")


def quantize_per_tensor(input: Tensor, scale: float, zero_point: int, dtype) -> QTensor:
    """q = clamp(round(x / scale) + zero_point) with one scale and zero point (torch's rounding)."""
    _check_dtype(dtype, "quantize_per_tensor")
    if not input.is_floating_point():
        raise RuntimeError(f"Quantize only works on Float Tensor, got {input.dtype}")
    s, z = np.float64(float(scale)), np.int64(int(zero_point))
    return QTensor(_quantize(input.detach().numpy(), s, z, dtype), dtype, float(scale), int(zero_point))


def quantize_per_channel(input: Tensor, scales: Tensor, zero_points: Tensor, axis: int, dtype) -> QTensor:
    """Per-channel quantization: slice i along ``axis`` uses ``scales[i]``, ``zero_points[i]``."""
    _check_dtype(dtype, "quantize_per_channel")
    x = input.detach().numpy()
    axis = axis % x.ndim
    s = np.asarray(scales.detach().numpy() if isinstance(scales, Tensor) else scales, dtype=np.float64)
    z = np.asarray(zero_points.numpy() if isinstance(zero_points, Tensor) else zero_points, dtype=np.int64)
    if s.shape != (x.shape[axis],) or z.shape != (x.shape[axis],):
        raise RuntimeError(f"quantize_per_channel: expected {x.shape[axis]} scales and zero points along axis "
                           f"{axis}, got {s.shape} and {z.shape}")
    shape = [1] * x.ndim
    shape[axis] = -1
    return QTensor(_quantize(x, s.reshape(shape), z.reshape(shape), dtype), dtype, s, z, axis)


def dequantize(q: QTensor) -> Tensor:
    return q.dequantize()
