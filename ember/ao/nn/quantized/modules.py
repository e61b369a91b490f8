r"""Statically quantized layers: uint8 activations per tensor in, uint8 out, with the output scale and zero
point fixed at calibration. Conv2d and Linear hold int8 weights per output channel and compute

:math:`q_y = \mathrm{clamp}(z_y + \mathrm{round}(\frac{s_x s_W}{s_y}
(\sum (q_x - z_x) q_W + \mathrm{round}(b / (s_x s_W)))))`

with int32 accumulation (``_int_gemm``: exact, through float32 BLAS). ``ConvReLU2d``/``LinearReLU`` clamp
below at :math:`z_y`. ReLU, AvgPool2d and Flatten keep the input's scale and zero point; Sigmoid outputs with
torch's fixed parameters (1/256, 0).
"""
from __future__ import annotations

import math

import numpy as np

from .... import dtypes
from .... import nn
from ....backends.kernels_numpy import im2col
from ....nn.utils.fusion import fuse_conv_bn_weights
from ....tensor import Tensor, wrap
from ...quantization.qtensor import QTensor, _quantize, quantize_per_tensor
from .dynamic.modules import _int_gemm, _quantize_weight


def _ntuple(v, n: int) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


def _pair(v) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _check_q(x, name: str) -> QTensor:
    if not isinstance(x, QTensor) or x._axis is not None:
        raise NotImplementedError(f"{name}: expected a per-tensor quantized input (a QTensor from Quantize), got "
                        f"{type(x).__name__}; put a QuantStub before it and run convert()")
    return x


def _absmax(x: QTensor) -> float:
    """The largest |q - z| a uint8 tensor can hold."""
    return float(max(x._zero_point, 255 - x._zero_point))


def _out_qparams(mod: nn.Module, name: str) -> tuple:
    obs = getattr(mod, "activation_post_process", None)
    if obs is None:
        raise RuntimeError(f"{name}.from_float: the float module has no activation_post_process observer; "
                           f"set a qconfig and run prepare() and calibration forwards before convert()")
    scale, zp = obs.calculate_qparams()
    return float(scale.reshape(-1)[0]), int(zp.reshape(-1)[0])


def _requantize(acc: np.ndarray, mult: np.ndarray, zp: int, relu: bool) -> np.ndarray:
    """int32 accumulator -> uint8 with the per-channel multiplier ``s_x s_W / s_y`` (float32, as FBGEMM)."""
    q = np.rint(acc.astype(np.float32, copy=False) * mult)
    q += np.float32(zp)
    return np.clip(q, zp if relu else 0, 255, out=q).astype(np.uint8)


def _fold_bn(mod: nn.Module) -> None:
    """Fold a QAT layer's BatchNorm (running statistics) into its weight and bias, in place (torch's
    ``from_float`` does the same to the module it converts)."""

    bn = mod.bn
    mod.weight, mod.bias = fuse_conv_bn_weights(mod.weight, mod.bias, bn.running_mean, bn.running_var, bn.eps,
                                                bn.weight, bn.bias)


class _WeightedLayer(nn.Module):
    """Shared state of quantized Conv2d/Linear: the int8 weight, float bias, output scale and zero point."""

    _FLOAT_MODULE: type = nn.Module
    _RELU = False

    def _set_weight(self, weight: QTensor, bias, scale: float, zero_point: int) -> None:
        self._weight, self.scale, self.zero_point = weight, float(scale), int(zero_point)
        self.bias_ = None if bias is None else bias.detach().numpy().astype(np.float32)
        zw = np.asarray(weight._zero_point, dtype=np.float32).reshape(-1, *([1] * (weight._ints.ndim - 1)))
        object.__setattr__(self, "_w_int", weight._ints.astype(np.float32) - zw)
        object.__setattr__(self, "_w_scale", np.broadcast_to(np.asarray(weight._scale, np.float64).reshape(-1),
                                                             (weight._ints.shape[0],)))

    def weight(self) -> QTensor:
        return self._weight

    def bias(self):
        return None if self.bias_ is None else wrap(self.bias_)

    @classmethod
    def _from_float(cls, mod: nn.Module, float_mod: nn.Module):
        name = cls.__name__
        qconfig = getattr(mod, "qconfig", None)
        if qconfig is None:
            raise AssertionError(f"{name}.from_float: input float module must have qconfig defined")
        scale, zp = _out_qparams(mod, name)
        if hasattr(mod, "weight_fake_quant") and isinstance(getattr(mod, "bn", None), nn.modules.batchnorm._BatchNorm):
            _fold_bn(mod)  # a QAT ConvBn2d/LinearBn1d: its BatchNorm goes into the weight and bias, as torch's
        q = cls._empty(float_mod)
        fake_quant = getattr(mod, "weight_fake_quant", None)  # QAT: the weight's trained fake quantizer
        weight = _quantize_weight(float_mod.weight.detach(), (lambda: fake_quant) if fake_quant is not None
                                  else qconfig.weight)
        q._set_weight(weight, float_mod.bias, scale, zp)
        return q

    def _output(self, acc: np.ndarray, x: QTensor) -> np.ndarray:
        """The int32 accumulator ``(rows, C_out)`` plus the bias quantized with scale s_x s_W, requantized.
        Exact integers in float32 (or float64) add to the float32 of the int32 sum, as FBGEMM converts it."""
        sxw = x._scale * self._w_scale
        if self.bias_ is not None:
            acc = acc + np.rint((self.bias_ / sxw).astype(np.float32))
        return _requantize(acc, (sxw / self.scale).astype(np.float32), self.zero_point, self._RELU)

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        super()._save_to_state_dict(destination, prefix, keep_vars)
        destination[prefix + "weight_int8"] = self._weight.int_repr()
        destination[prefix + "weight_scale"] = wrap(np.asarray(self._w_scale, dtype=np.float64))
        destination[prefix + "weight_zero_point"] = wrap(np.broadcast_to(
            np.asarray(self._weight._zero_point, dtype=np.int64).reshape(-1), self._w_scale.shape).copy())
        if self.bias_ is not None:
            destination[prefix + "bias"] = wrap(self.bias_)
        destination[prefix + "scale"] = wrap(np.asarray(self.scale, dtype=np.float64))
        destination[prefix + "zero_point"] = wrap(np.asarray(self.zero_point, dtype=np.int64))

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs) -> None:
        """Reload what ``_save_to_state_dict`` wrote (the weight comes back per output channel)."""
        keys = ["weight_int8", "weight_scale", "weight_zero_point", "scale", "zero_point"]
        keys += ["bias"] if self.bias_ is not None else []
        if strict:
            unexpected_keys.extend(k for k in state_dict if k.startswith(prefix) and "." not in k[len(prefix):]
                                   and k[len(prefix):] not in keys)
        missing = [prefix + k for k in keys if prefix + k not in state_dict]
        if missing:
            missing_keys.extend(missing)
            return
        ints = state_dict[prefix + "weight_int8"].numpy()
        if ints.shape != self._weight._ints.shape:
            error_msgs.append(f"size mismatch for {prefix}weight_int8: copying a param with shape "
                              f"{list(ints.shape)} from checkpoint, the shape in current model is "
                              f"{list(self._weight._ints.shape)}.")
            return
        weight = QTensor(ints.astype(np.int8), dtypes.qint8, state_dict[prefix + "weight_scale"].numpy().copy(),
                         state_dict[prefix + "weight_zero_point"].numpy().copy(), 0)
        self._set_weight(weight, state_dict.get(prefix + "bias"), float(state_dict[prefix + "scale"]),
                         int(state_dict[prefix + "zero_point"]))


class Linear(_WeightedLayer):
    """Quantized Linear: uint8 ``(*, in_features)`` -> uint8 ``(*, out_features)``; int8 weight per channel
    (or per tensor), float bias quantized to int32 with scale :math:`s_x s_W`.

    >>> import ember, ember.nn as nn
    >>> from ember.ao import quantization as tq
    >>> m = nn.Sequential(tq.QuantStub(), nn.Linear(4, 3), tq.DeQuantStub())
    >>> m.qconfig = tq.get_default_qconfig("x86")
    >>> p = tq.prepare(m)
    >>> _ = p(ember.randn(8, 4))
    >>> q = tq.convert(p)
    >>> type(q[1]).__name__, tuple(q(ember.randn(2, 4)).shape)
    ('Linear', (2, 3))
    """

    _FLOAT_MODULE = nn.Linear

    def __init__(self, in_features: int, out_features: int, bias_: bool = True, dtype=dtypes.qint8) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        w = quantize_per_tensor(wrap(np.zeros((out_features, in_features), np.float32)), 1.0, 0, dtype)
        self._set_weight(w, wrap(np.zeros(out_features, np.float32)) if bias_ else None, 1.0, 0)

    @classmethod
    def _empty(cls, mod):
        return cls(mod.in_features, mod.out_features, mod.bias is not None)

    @classmethod
    def from_float(cls, mod: nn.Module) -> "Linear":
        return cls._from_float(mod, mod[0] if isinstance(mod, nn.Sequential) else mod)

    def forward(self, x: QTensor) -> QTensor:
        x = _check_q(x, type(self).__name__)
        lead = x._ints.shape[:-1]
        if x._ints.shape[-1] != self.in_features:
            raise RuntimeError(f"quantized Linear: mat1 and mat2 shapes cannot be multiplied "
                               f"({math.prod(lead)}x{x._ints.shape[-1]} and {self.in_features}x{self.out_features})")
        cols = x._ints.reshape(-1, self.in_features).astype(np.float32) - np.float32(x._zero_point)
        q = self._output(_int_gemm(cols, self._w_int, _absmax(x)), x)
        return QTensor(q.reshape(lead + (self.out_features,)), dtypes.quint8, self.scale, self.zero_point)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, scale={self.scale}, "
                f"zero_point={self.zero_point}, qscheme={self._weight.qscheme()}")


class Conv2d(_WeightedLayer):
    """Quantized Conv2d (zeros padding): uint8 ``(N, C_in, H, W)`` -> uint8 ``(N, C_out, H_out, W_out)``;
    im2col of :math:`q_x - z_x` (padding is real zero) and an integer GEMM per group. ``Conv1d`` and ``Conv3d``
    are the same on one and three spatial axes."""

    _FLOAT_MODULE = nn.Conv2d
    _nd = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros") -> None:
        super().__init__()
        name = type(self).__name__
        if padding_mode != "zeros" or isinstance(padding, str):
            raise NotImplementedError(f"quantized {name}: ember supports numeric zeros padding, got "
                                      f"padding={padding!r}, padding_mode={padding_mode!r}")
        nd = self._nd
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size, self.stride = _ntuple(kernel_size, nd), _ntuple(stride, nd)
        self.padding, self.dilation = _ntuple(padding, nd), _ntuple(dilation, nd)
        shape = (out_channels, in_channels // groups, *self.kernel_size)
        w = quantize_per_tensor(wrap(np.zeros(shape, np.float32)), 1.0, 0, dtypes.qint8)
        self._set_weight(w, wrap(np.zeros(out_channels, np.float32)) if bias else None, 1.0, 0)

    @classmethod
    def _empty(cls, mod):
        return cls(mod.in_channels, mod.out_channels, mod.kernel_size, mod.stride, mod.padding, mod.dilation,
                   mod.groups, mod.bias is not None, mod.padding_mode)

    @classmethod
    def from_float(cls, mod: nn.Module) -> "Conv2d":
        return cls._from_float(mod, mod[0] if isinstance(mod, nn.Sequential) else mod)

    def forward(self, x: QTensor) -> QTensor:
        x = _check_q(x, type(self).__name__)
        nd = self._nd
        if x._ints.ndim != nd + 2 or x._ints.shape[1] != self.in_channels:
            axes = ", ".join("DHW"[3 - nd:])
            raise RuntimeError(f"quantized {type(self).__name__}: expected input (N, {self.in_channels}, {axes}), "
                               f"got {tuple(x._ints.shape)}")
        n, spatial = x._ints.shape[0], x._ints.shape[2:]
        out = tuple((s + 2 * p - d * (k - 1) - 1) // st + 1 for s, p, d, k, st in
                    zip(spatial, self.padding, self.dilation, self.kernel_size, self.stride))
        xs = np.moveaxis(x._ints, 1, -1).astype(np.float32) - np.float32(x._zero_point)
        xp = np.pad(xs, ((0, 0), *((p, p) for p in self.padding), (0, 0)))
        cols = im2col(xp, out, self.kernel_size, self.stride, self.dilation, self.groups)  # (G, rows, prod(k)*Cg)
        g, cout_g = self.groups, self.out_channels // self.groups
        w2d = np.moveaxis(self._w_int, 1, -1).reshape(self.out_channels, -1)  # (C_out, prod(k)*Cg)
        acc = np.concatenate([_int_gemm(cols[i], w2d[i * cout_g:(i + 1) * cout_g], _absmax(x))
                              for i in range(g)], axis=1)
        q = self._output(acc, x)
        return QTensor(np.ascontiguousarray(np.moveaxis(q.reshape(n, *out, self.out_channels), -1, 1)),
                       dtypes.quint8, self.scale, self.zero_point)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"scale={self.scale}, zero_point={self.zero_point}")


class ConvReLU2d(Conv2d):
    """Quantized ``relu(conv(x))`` (from ``ember.ao.nn.intrinsic.ConvReLU2d``): outputs clamp below at z_y."""

    _RELU = True


class Conv1d(Conv2d):
    """Quantized Conv1d (zeros padding): uint8 ``(N, C_in, L)`` -> uint8 ``(N, C_out, L_out)``."""

    _FLOAT_MODULE = nn.Conv1d
    _nd = 1


class ConvReLU1d(Conv1d):
    """Quantized ``relu(conv1d(x))`` (from ``ember.ao.nn.intrinsic.ConvReLU1d``): outputs clamp below at z_y."""

    _RELU = True


class Conv3d(Conv2d):
    """Quantized Conv3d (zeros padding): uint8 ``(N, C_in, D, H, W)`` -> uint8 ``(N, C_out, D_out, H_out, W_out)``."""

    _FLOAT_MODULE = nn.Conv3d
    _nd = 3


class ConvReLU3d(Conv3d):
    """Quantized ``relu(conv3d(x))`` (from ``ember.ao.nn.intrinsic.ConvReLU3d``): outputs clamp below at z_y."""

    _RELU = True


class LinearReLU(Linear):
    """Quantized ``relu(linear(x))`` (from ``ember.ao.nn.intrinsic.LinearReLU``)."""

    _RELU = True


class Quantize(nn.Module):
    """float32 -> quint8 with fixed ``scale`` and ``zero_point`` (what ``QuantStub`` becomes)."""

    def __init__(self, scale: float, zero_point: int, dtype=dtypes.quint8) -> None:
        super().__init__()
        self.scale, self.zero_point, self.dtype = float(scale), int(zero_point), dtype

    @classmethod
    def from_float(cls, mod: nn.Module) -> "Quantize":
        scale, zp = _out_qparams(mod, cls.__name__)
        return cls(scale, zp, mod.activation_post_process.dtype)

    def forward(self, x: Tensor) -> QTensor:
        return quantize_per_tensor(x, self.scale, self.zero_point, self.dtype)

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        destination[prefix + "scale"] = wrap(np.asarray([self.scale], dtype=np.float64))
        destination[prefix + "zero_point"] = wrap(np.asarray([self.zero_point], dtype=np.int64))

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs) -> None:
        if prefix + "scale" not in state_dict or prefix + "zero_point" not in state_dict:
            missing_keys.extend(prefix + k for k in ("scale", "zero_point") if prefix + k not in state_dict)
            return
        self.scale = float(state_dict[prefix + "scale"].numpy().reshape(-1)[0])
        self.zero_point = int(state_dict[prefix + "zero_point"].numpy().reshape(-1)[0])

    def extra_repr(self) -> str:
        return f"scale={self.scale}, zero_point={self.zero_point}, dtype=ember.{self.dtype.name}"


class DeQuantize(nn.Module):
    """quantized -> float32, :math:`(q - z) s` (what ``DeQuantStub`` becomes)."""

    @classmethod
    def from_float(cls, mod: nn.Module) -> "DeQuantize":
        return cls()

    def forward(self, x: QTensor) -> Tensor:
        return x.dequantize() if isinstance(x, QTensor) else x


class ReLU(nn.Module):
    """Quantized ReLU: :math:`\\max(q, z)`; the scale and zero point pass through."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()

    @classmethod
    def from_float(cls, mod: nn.Module) -> "ReLU":
        return cls()

    def forward(self, x: QTensor) -> QTensor:
        x = _check_q(x, "quantized ReLU")
        return QTensor(np.maximum(x._ints, x._ints.dtype.type(x._zero_point)), x.dtype, x._scale, x._zero_point)


class Sigmoid(nn.Module):
    """Quantized Sigmoid with the fixed output parameters torch uses for quint8 (scale 1/256, zero point 0):
    dequantize, sigmoid in float32, requantize."""

    def __init__(self, output_scale: float = 1.0 / 256.0, output_zero_point: int = 0) -> None:
        super().__init__()
        self.scale, self.zero_point = float(output_scale), int(output_zero_point)

    @classmethod
    def from_float(cls, mod: nn.Module) -> "Sigmoid":
        if hasattr(mod, "activation_post_process"):
            return cls(*_out_qparams(mod, cls.__name__))
        return cls()

    def forward(self, x: QTensor) -> QTensor:
        x = _check_q(x, "quantized Sigmoid")
        v = (x._ints.astype(np.float32) - np.float32(x._zero_point)) * np.float32(x._scale)
        y = (np.float32(1.0) / (np.float32(1.0) + np.exp(-v))).astype(np.float32)
        q = _quantize(y, np.float64(self.scale), np.int64(self.zero_point), dtypes.quint8)
        return QTensor(q, dtypes.quint8, self.scale, self.zero_point)


class AvgPool2d(nn.Module):
    """Quantized average pooling (no padding): the integer mean of each window, rounded half to even; the
    scale and zero point pass through."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = _pair(kernel_size)
        self.stride = _pair(stride if stride is not None else kernel_size)
        if _pair(padding) != (0, 0) or ceil_mode:
            raise NotImplementedError("quantized AvgPool2d: ember supports padding=0 and ceil_mode=False")

    @classmethod
    def from_float(cls, mod: nn.Module) -> "AvgPool2d":
        return cls(mod.kernel_size, mod.stride, mod.padding, mod.ceil_mode)

    def forward(self, x: QTensor) -> QTensor:
        x = _check_q(x, "quantized AvgPool2d")
        n, c, h, w = x._ints.shape
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        xs = np.moveaxis(x._ints, 1, -1).astype(np.float32)
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
        cols = im2col(xs, (oh, ow), (kh, kw), (sh, sw), (1, 1), 1)[0].reshape(n * oh * ow, kh * kw, c)
        mean = np.rint(cols.sum(1) / np.float32(kh * kw))
        q = mean.reshape(n, oh, ow, c).transpose(0, 3, 1, 2).astype(x._ints.dtype)
        return QTensor(np.ascontiguousarray(q), x.dtype, x._scale, x._zero_point)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}"


class MaxPool2d(nn.Module):
    """Quantized max pooling: the largest integer of each window (padding never wins: it is 0, the smallest
    uint8); the scale and zero point pass through."""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size, self.padding, self.dilation = _pair(kernel_size), _pair(padding), _pair(dilation)
        self.stride = _pair(stride if stride is not None else kernel_size)
        if return_indices or ceil_mode:
            raise NotImplementedError("quantized MaxPool2d: ember supports return_indices=False, ceil_mode=False")

    @classmethod
    def from_float(cls, mod: nn.Module) -> "MaxPool2d":
        return cls(mod.kernel_size, mod.stride, mod.padding, mod.dilation, mod.return_indices, mod.ceil_mode)

    def forward(self, x: QTensor) -> QTensor:
        x = _check_q(x, "quantized MaxPool2d")
        n, c, h, w = x._ints.shape
        (kh, kw), (sh, sw), (ph, pw), (dh, dw) = self.kernel_size, self.stride, self.padding, self.dilation
        oh, ow = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1, (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
        xp = np.pad(np.moveaxis(x._ints, 1, -1), ((0, 0), (ph, ph), (pw, pw), (0, 0)))
        cols = im2col(xp, (oh, ow), (kh, kw), (sh, sw), (dh, dw), 1)[0].reshape(n * oh * ow, kh * kw, c)
        q = cols.max(1).reshape(n, oh, ow, c).transpose(0, 3, 1, 2)
        return QTensor(np.ascontiguousarray(q), x.dtype, x._scale, x._zero_point)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class Flatten(nn.Module):
    """Flatten of a quantized tensor (integers reshaped; parameters unchanged)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    @classmethod
    def from_float(cls, mod: nn.Module) -> "Flatten":
        return cls(mod.start_dim, mod.end_dim)

    def forward(self, x: QTensor) -> QTensor:
        x = _check_q(x, "quantized Flatten")
        shape = x._ints.shape
        s, e = self.start_dim % len(shape), self.end_dim % len(shape)
        new = shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:]
        return QTensor(x._ints.reshape(new), x.dtype, x._scale, x._zero_point)
