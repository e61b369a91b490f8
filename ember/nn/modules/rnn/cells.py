"""The one-step cells ``RNNCell``, ``LSTMCell`` and ``GRUCell`` over ``RNNCellBase``: one recurrent step
(the gate formulas of the package docstring) on a batch, through the same fused op as the layers."""
from __future__ import annotations

import math

from ....ops.creation import empty, zeros
from ... import init
from ...functional.recurrent import recurrent_layer
from ...parameter import Parameter
from ..module import Module

__all__ = ["RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


class RNNCellBase(Module):
    """The base of ``RNNCell``, ``LSTMCell`` and ``GRUCell``: the parameters of one recurrent step with
    ``num_chunks`` gates, gates = x W_ih^T + b_ih + h W_hh^T + b_hh (each term (B, num_chunks * H)).

    Args:
        input_size: H_in, the features of the input x.
        hidden_size: H, the features of the hidden state.
        bias: if ``False``, no ``bias_ih``/``bias_hh``. Default: ``True``.
        num_chunks: the number of gates (1 for RNNCell, 4 for LSTMCell, 3 for GRUCell).

    Gradient: one step of backpropagation through time, through the fused recurrent op (the gate
    derivatives, then dW_ih = dgates^T x, dW_hh = dgates^T h, db = sum dgates).

    Shape:
        - Input: (B, H_in) or (H_in,); hidden states (B, H) or (H,); see each cell.

    Attributes:
        weight_ih: (num_chunks * H, H_in); weight_hh: (num_chunks * H, H);
        bias_ih, bias_hh: (num_chunks * H,). All initialised from U(-sqrt(k), sqrt(k)) with k = 1 / hidden_size.

    Examples::

        >>> import ember
        >>> m = ember.nn.RNNCellBase(10, 20, True, num_chunks=4)
        >>> m.weight_ih.shape, m.weight_hh.shape, m.bias_hh.shape
        (ember.Size([80, 10]), ember.Size([80, 20]), ember.Size([80]))
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), dtype=dtype))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, dtype=dtype))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _step(self, mode: str, input, states: tuple) -> tuple:
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        for i, s in enumerate(states):
            if s is not None and s.dim() not in (1, 2):
                what = "hidden" if len(states) == 1 else f"hx[{i}]"
                raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {s.dim()}D instead")
        batched = input.dim() == 2
        x = input if batched else input.unsqueeze(0)
        if x.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {x.shape[1]} expected {self.input_size}")
        B = x.shape[0]
        prepared = []
        for i, s in enumerate(states):
            if s is None:
                s = zeros(B, self.hidden_size, dtype=x.dtype)
            elif not batched:
                s = s.unsqueeze(0)
            if s.shape[0] != B:
                raise RuntimeError(f"Input batch size {B} doesn't match hidden{i} batch size {s.shape[0]}")
            if s.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {s.shape[1]}, expected "
                                   f"{self.hidden_size}")
            prepared.append(s)
        c0 = prepared[1] if len(prepared) > 1 else None
        res = recurrent_layer(x, prepared[0], c0, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh,
                              None, mode, [B], False)
        outs = res[1:]
        return outs if batched else tuple(o.squeeze(0) for o in outs)


class RNNCell(RNNCellBase):
    """An Elman RNN cell, one step: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu).

    Args:
        input_size: H_in, the features of the input x.
        hidden_size: H, the features of the hidden state.
        bias: if ``False``, no ``bias_ih``/``bias_hh``. Default: ``True``.
        nonlinearity: ``'tanh'`` or ``'relu'``. Default: ``'tanh'``.

    Gradient: one step of backpropagation through time, through the fused recurrent op (the gate
    derivatives, then dW_ih = dgates^T x, dW_hh = dgates^T h, db = sum dgates).
    For tanh, dgates = g (1 - h'^2); for relu, dgates = g [h' > 0].

    Call: ``m(input, hx=None)`` (hx zeros when not given).

    Shape:
        - Input: (B, H_in) or (H_in,).
        - hx: (B, H) or (H,).
        - Output: h' (B, H) or (H,).

    Attributes:
        weight_ih: (H, H_in); weight_hh: (H, H); bias_ih, bias_hh: (H,).
        All initialised from U(-sqrt(k), sqrt(k)) with k = 1 / hidden_size.

    Examples::

        >>> import ember
        >>> cell = ember.nn.RNNCell(10, 20)
        >>> x, hx = ember.randn(6, 3, 10), ember.randn(3, 20)
        >>> for t in range(6):
        ...     hx = cell(x[t], hx)
        >>> hx.shape
        ember.Size([3, 20])
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        mode = "RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU"
        return self._step(mode, input, (hx,))[0]


class LSTMCell(RNNCellBase):
    """A long short-term memory cell, one step (s = sigmoid; gate rows in the order i, f, g, o):
        i = s(x W_ii^T + b_ii + h W_hi^T + b_hi),   f = s(x W_if^T + b_if + h W_hf^T + b_hf),
        g = tanh(x W_ig^T + b_ig + h W_hg^T + b_hg),   o = s(x W_io^T + b_io + h W_ho^T + b_ho),
        c' = f c + i g,   h' = o tanh(c').

    Args:
        input_size: H_in, the features of the input x.
        hidden_size: H, the features of the hidden state.
        bias: if ``False``, no ``bias_ih``/``bias_hh``. Default: ``True``.

    Gradient: one step of backpropagation through time, through the fused recurrent op (the gate
    derivatives, then dW_ih = dgates^T x, dW_hh = dgates^T h, db = sum dgates).

    Call: ``m(input, hx=None)`` with hx = (h_0, c_0) (zeros when not given); returns (h', c').

    Shape:
        - Input: (B, H_in) or (H_in,).
        - h_0, c_0: (B, H) or (H,).
        - Output: h', c', each (B, H) or (H,).

    Attributes:
        weight_ih: (4*H, H_in); weight_hh: (4*H, H); bias_ih, bias_hh: (4*H,).
        All initialised from U(-sqrt(k), sqrt(k)) with k = 1 / hidden_size.

    Examples::

        >>> import ember
        >>> cell = ember.nn.LSTMCell(10, 20)
        >>> x, hx, cx = ember.randn(2, 3, 10), ember.randn(3, 20), ember.randn(3, 20)
        >>> for t in range(2):
        ...     hx, cx = cell(x[t], (hx, cx))
        >>> hx.shape, cx.shape
        (ember.Size([3, 20]), ember.Size([3, 20]))
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, dtype=dtype)

    def forward(self, input, hx=None):
        states = (None, None) if hx is None else tuple(hx)
        return self._step("LSTM", input, states)


class GRUCell(RNNCellBase):
    """A gated recurrent unit cell, one step (s = sigmoid; gate rows in the order r, z, n):
        r = s(x W_ir^T + b_ir + h W_hr^T + b_hr),   z = s(x W_iz^T + b_iz + h W_hz^T + b_hz),
        n = tanh(x W_in^T + b_in + r (h W_hn^T + b_hn)),   h' = (1 - z) n + z h.

    Args:
        input_size: H_in, the features of the input x.
        hidden_size: H, the features of the hidden state.
        bias: if ``False``, no ``bias_ih``/``bias_hh``. Default: ``True``.

    Gradient: one step of backpropagation through time, through the fused recurrent op (the gate
    derivatives, then dW_ih = dgates^T x, dW_hh = dgates^T h, db = sum dgates).

    Call: ``m(input, hx=None)`` (hx zeros when not given).

    Shape:
        - Input: (B, H_in) or (H_in,).
        - hx: (B, H) or (H,).
        - Output: h' (B, H) or (H,).

    Attributes:
        weight_ih: (3*H, H_in); weight_hh: (3*H, H); bias_ih, bias_hh: (3*H,).
        All initialised from U(-sqrt(k), sqrt(k)) with k = 1 / hidden_size.

    Examples::

        >>> import ember
        >>> cell = ember.nn.GRUCell(10, 20)
        >>> x, hx = ember.randn(6, 3, 10), ember.randn(3, 20)
        >>> for t in range(6):
        ...     hx = cell(x[t], hx)
        >>> hx.shape
        ember.Size([3, 20])
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, dtype=dtype)

    def forward(self, input, hx=None):
        return self._step("GRU", input, (hx,))[0]
