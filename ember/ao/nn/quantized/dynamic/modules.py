"""Dynamically quantized layers: int8 weights stored once, float activations quantized on each call."""
from __future__ import annotations

import numpy as np

from ..... import dtypes
from ..... import nn
from ....._grad_mode import no_grad
from .....tensor import Tensor, wrap
from ....quantization.observer import default_weight_observer
from ....quantization.qtensor import QTensor, quantize_per_channel, quantize_per_tensor


def _quantize_weight(w: Tensor, observer_factory) -> QTensor:
    obs = observer_factory()
    obs(w)
    scale, zp = obs.calculate_qparams()
    if obs.qscheme.startswith("per_channel"):
        return quantize_per_channel(w, scale, zp, obs.ch_axis, obs.dtype)
    return quantize_per_tensor(w, float(scale[0]), int(zp[0]), obs.dtype)


def choose_qparams(lo: float, hi: float, qmin: int = 0, qmax: int = 127) -> tuple:
    """FBGEMM's activation parameters for the range [lo, hi] (widened to hold 0): the scale spreads the
    range over [qmin, qmax] (127: x86's reduced range); the zero point is taken from whichever end gives
    the smaller rounding error, then clamped and rounded."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = float(np.float32((hi - lo) / (qmax - qmin)))
    if scale == 0.0 or np.isinf(np.float32(1.0) / np.float32(scale)):
        scale = 0.1
    from_min, from_max = qmin - lo / scale, qmax - hi / scale
    err_min, err_max = abs(qmin) + abs(lo / scale), abs(qmax) + abs(hi / scale)
    zp = from_min if err_min < err_max else from_max
    return scale, int(min(max(np.rint(zp), qmin), qmax))


def _int_gemm(x: np.ndarray, w: np.ndarray, x_absmax: float | None = None) -> np.ndarray:
    """x @ w.T for integer-valued float32 matrices, exactly (int32 accumulation semantics): float32 GEMMs over
    blocks of k short enough that no partial sum passes 2^24, the blocks summed in float64 (one block: float32)."""
    if x_absmax is None:  # a bound on |x| known to the caller (e.g. from the zero point) saves a pass over x
        x_absmax = float(np.abs(x).max(initial=0.0))
    bound = max(x_absmax * float(np.abs(w).max(initial=0.0)), 1.0)
    block = max(1, int((1 << 24) // bound))
    k = x.shape[1]
    if block >= k:
        return x @ w.T
    return sum((x[:, i:i + block] @ w[:, i:i + block].T).astype(np.float64) for i in range(0, k, block))


class Linear(nn.Module):
    r"""A Linear layer with int8 weights :math:`W \approx s_W (W_q - z_W)` (per tensor or per output channel):
    each call quantizes the input to uint8 with its own range (:func:`choose_qparams`), multiplies in integers
    with int32 accumulation, and rescales: :math:`y = s_x s_W \sum_k (x_q - z_x) W_q + b`.

    The integer GEMM runs exactly through float32 BLAS in blocks of k whose partial sums stay below
    :math:`2^{24}` (NumPy has no fast integer GEMM). Shape: as ``nn.Linear``. Made by
    :func:`ember.ao.quantization.quantize_dynamic` or ``from_float``.
    """

    _FLOAT_MODULE = nn.Linear

    def __init__(self, in_features: int, out_features: int, bias_: bool = True, dtype=dtypes.qint8) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self._weight = quantize_per_tensor(nn.Linear(in_features, out_features).weight, 1.0, 0, dtype)
        self.bias = None if not bias_ else wrap(np.zeros(out_features, dtype=np.float32))

    @classmethod
    def from_float(cls, mod: nn.Linear, observer_factory=None) -> "Linear":
        factory = observer_factory or getattr(getattr(mod, "qconfig", None), "weight", None) or default_weight_observer
        q = cls(mod.in_features, mod.out_features, mod.bias is not None)
        q._weight = _quantize_weight(mod.weight.detach(), factory)
        q.bias = None if mod.bias is None else mod.bias.detach().clone()
        return q

    def weight(self) -> QTensor:
        return self._weight

    def _weight_ints(self) -> np.ndarray:
        """W_q - z_W as float32 (exact small integers), made once per weight."""
        if getattr(self, "_wq_cache", (None,))[0] is not self._weight:
            w = self._weight
            ints = w._ints.astype(np.float32) - np.asarray(w._zero_point, dtype=np.float32).reshape(-1, 1)
            object.__setattr__(self, "_wq_cache", (w, ints))
        return self._wq_cache[1]

    def _weight_scales(self) -> np.ndarray:
        w = self._weight
        return np.asarray(w._scale, dtype=np.float64).reshape(-1)

    def forward(self, x: Tensor) -> Tensor:
        xd = x.detach().float().numpy()
        scale, zp = choose_qparams(float(xd.min()) if xd.size else 0.0, float(xd.max()) if xd.size else 0.0)
        xq = np.clip(np.rint(np.float32(zp) + xd / np.float32(scale)), 0, 127)
        acc = _int_gemm(xq.reshape(-1, self.in_features) - np.float32(zp), self._weight_ints())
        out = (acc * (scale * self._weight_scales())).astype(np.float32).reshape(xd.shape[:-1] + (self.out_features,))
        if self.bias is not None:
            out += self.bias.detach().numpy()
        return wrap(out)

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        super()._save_to_state_dict(destination, prefix, keep_vars)
        destination[prefix + "weight_int8"] = self._weight.int_repr()
        destination[prefix + "weight_scale"] = wrap(np.asarray(self._weight._scale, dtype=np.float64).reshape(-1))
        if self.bias is not None:
            destination[prefix + "bias"] = self.bias

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, dtype=ember.qint8, "
                f"qscheme={self._weight.qscheme()}")


class LSTM(nn.Module):
    """An LSTM whose weight matrices are stored as int8 (per tensor, symmetric); each call runs ember's fused
    float LSTM on the dequantized weights. Only the weights are quantized (4x smaller); torch's dynamic LSTM
    also quantizes the activations inside each step, so outputs differ from torch's by its rounding."""

    _FLOAT_MODULE = nn.LSTM

    def __init__(self, mod: nn.LSTM, observer_factory=None) -> None:
        super().__init__()
        factory = observer_factory or default_weight_observer
        self.float_config = dict(input_size=mod.input_size, hidden_size=mod.hidden_size, num_layers=mod.num_layers,
                                 bias=mod.bias, batch_first=mod.batch_first, dropout=mod.dropout,
                                 bidirectional=mod.bidirectional, proj_size=mod.proj_size)
        self._qweights = {name: _quantize_weight(p.detach(), factory) for name, p in mod.named_parameters()
                          if name.startswith("weight")}
        self._biases = {name: p.detach().clone() for name, p in mod.named_parameters() if name.startswith("bias")}
        self._float = None

    @classmethod
    def from_float(cls, mod: nn.LSTM, observer_factory=None) -> "LSTM":
        return cls(mod, observer_factory)

    def _module(self) -> nn.LSTM:
        if self._float is None:
            lstm = nn.LSTM(**self.float_config)
            with no_grad():
                for name, q in self._qweights.items():
                    getattr(lstm, name).copy_(q.dequantize())
                for name, b in self._biases.items():
                    getattr(lstm, name).copy_(b)
            lstm.requires_grad_(False)
            object.__setattr__(self, "_float", lstm)
        return self._float

    def forward(self, input, hx=None):
        return self._module()(input, hx)

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for name, q in self._qweights.items():
            destination[prefix + name + "_int8"] = q.int_repr()
            destination[prefix + name + "_scale"] = wrap(np.asarray([q.q_scale()], dtype=np.float64))
        for name, b in self._biases.items():
            destination[prefix + name] = b
