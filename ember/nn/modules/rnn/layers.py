"""The whole-sequence layers ``RNN``, ``LSTM`` and ``GRU`` over ``RNNBase``: stacked, optionally
bidirectional, with dropout between layers, projections (LSTM ``proj_size``) and PackedSequence input; each
layer and direction runs as one fused op over the whole sequence (``recurrent_layer``)."""
from __future__ import annotations

import math
import numbers
import warnings

from ....ops.creation import empty, zeros
from ....ops.joining import cat, stack
from ... import functional as F
from ... import init
from ...functional.recurrent import recurrent_layer
from ...parameter import Parameter
from ...utils.rnn import PackedSequence
from ..module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}
_NAMES = {"LSTM": "LSTM", "GRU": "GRU", "RNN_TANH": "RNN", "RNN_RELU": "RNN"}


def _check_config(input_size, hidden_size, num_layers, bias, batch_first, dropout, proj_size) -> None:
    if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
        raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                         "element being zeroed")
    if dropout > 0 and num_layers == 1:
        warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                      f"expects num_layers greater than 1, but got dropout={dropout} and "
                      f"num_layers={num_layers}", stacklevel=3)
    for name, value, kind in (("bias", bias, bool), ("batch_first", batch_first, bool),
                              ("input_size", input_size, int), ("hidden_size", hidden_size, int)):
        if not isinstance(value, kind):
            raise TypeError(f"{name} should be of type {kind.__name__}, got: {type(value).__name__}")
    if input_size <= 0:
        raise ValueError("input_size must be greater than zero")
    if hidden_size <= 0:
        raise ValueError("hidden_size must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")


class RNNBase(Module):
    """The base of ``RNN``, ``LSTM`` and ``GRU``: ``num_layers`` stacked, optionally bidirectional
    recurrent layers of one ``mode``, each layer and direction one fused op over the whole sequence.

    Per step t and layer (gate rows in torch's order, s = sigmoid):
        RNN_TANH / RNN_RELU: h_t = act(x_t W_ih^T + b_ih + h_(t-1) W_hh^T + b_hh)
        LSTM: i, f, g, o = s, s, tanh, s of (x_t W_ih^T + b_ih + h_(t-1) W_hh^T + b_hh);
              c_t = f c_(t-1) + i g,  h_t = o tanh(c_t)  (then h_t W_hr^T with proj_size > 0)
        GRU:  r, z = s(x_t W_i{r,z}^T + b_i{r,z} + h_(t-1) W_h{r,z}^T + b_h{r,z}),
              n = tanh(x_t W_in^T + b_in + r (h_(t-1) W_hn^T + b_hn)),  h_t = (1 - z) n + z h_(t-1)

    Gradient: backpropagation through time, one fused op per layer and direction (each step's gate
    derivatives, then the weight gradients as three GEMMs over all steps); it has no double backward.

    Args:
        mode: ``'LSTM'``, ``'GRU'``, ``'RNN_TANH'`` or ``'RNN_RELU'``.
        input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, proj_size: as in
            ``LSTM`` (proj_size only for LSTM).

    Shape (L sequence length, N batch, D = 2 if bidirectional else 1, H_out = proj_size or hidden_size):
        - input: (L, N, H_in), (N, L, H_in) with batch_first, (L, H_in) unbatched, or a ``PackedSequence``.
        - hx: (D * num_layers, N, H_out) (a tuple (h_0, c_0) for LSTM, c_0 with hidden_size); zeros if not given.
        - output: (L, N, D * H_out) (batch_first: (N, L, D * H_out)); then h_n (and c_n), shaped as hx.

    Attributes:
        weight_ih_l[k]{_reverse}: (G*H, H_in) for k = 0, (G*H, D*H_out) for k > 0, G = 4 (LSTM), 3 (GRU), 1;
        weight_hh_l[k]: (G*H, H_out); bias_ih_l[k], bias_hh_l[k]: (G*H,); weight_hr_l[k]: (proj_size, H).
        All are initialised from U(-sqrt(k), sqrt(k)) with k = 1 / hidden_size.

    Examples::

        >>> import ember
        >>> m = ember.nn.RNNBase("GRU", 10, 20, num_layers=2, bidirectional=True)
        >>> m.weight_ih_l0.shape, m.weight_ih_l1_reverse.shape, m.weight_hh_l1.shape
        (ember.Size([60, 10]), ember.Size([60, 40]), ember.Size([60, 20]))
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device=None, dtype=None) -> None:
        super().__init__()
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        _check_config(input_size, hidden_size, num_layers, bias, batch_first, dropout, proj_size)
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, proj_size
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        dirs = 2 if bidirectional else 1
        self._flat_weights_names, self._all_weights = [], []
        for layer in range(num_layers):
            for direction in range(dirs):
                layer_in = input_size if layer == 0 else real_hidden * dirs
                shapes = [("weight_ih_l{}{}", (gate_size, layer_in)), ("weight_hh_l{}{}", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih_l{}{}", (gate_size,)), ("bias_hh_l{}{}", (gate_size,))]
                if proj_size > 0:
                    shapes += [("weight_hr_l{}{}", (proj_size, hidden_size))]
                suffix = "_reverse" if direction == 1 else ""
                names = []
                for fmt, shape in shapes:
                    name = fmt.format(layer, suffix)
                    setattr(self, name, Parameter(empty(shape, dtype=dtype)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, n, None) for n in self._flat_weights_names]

    @property
    def all_weights(self) -> list:
        return [[getattr(self, w) for w in weights] for weights in self._all_weights]

    def flatten_parameters(self) -> None:
        """A no-op (cuDNN's weight flattening), kept for torch compatibility."""

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ------------------------------------------------------------------ forward
    def _layer_weights(self, k: int) -> tuple:
        """(w_ih, w_hh, b_ih, b_hh, w_hr) of flat layer/direction ``k`` (None where absent)."""
        p = [getattr(self, n) for n in self._all_weights[k]]
        w_ih, w_hh = p[0], p[1]
        b_ih, b_hh = (p[2], p[3]) if self.bias else (None, None)
        w_hr = p[-1] if self.proj_size > 0 else None
        return w_ih, w_hh, b_ih, b_hh, w_hr

    def _check_input(self, x, packed: bool) -> None:
        w = self._flat_weights[0]
        if x.dtype != w.dtype:
            raise ValueError(f"RNN input dtype ({x.dtype}) does not match weight dtype ({w.dtype}). Convert "
                             f"input: input.to({w.dtype}), or convert model: model.to({x.dtype})")
        expected = 2 if packed else 3
        if x.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {x.dim()}")
        if self.input_size != x.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {x.size(-1)}")

    def _check_hidden(self, hx, batch: int, cell: bool = False, msg: str = "Expected hidden size {}, got {}"):
        dirs = 2 if self.bidirectional else 1
        size = self.hidden_size if (cell or self.proj_size == 0) else self.proj_size
        expected = (self.num_layers * dirs, batch, size)
        if tuple(hx.shape) != expected:
            raise RuntimeError(msg.format(expected, list(hx.shape)))

    def _prepare(self, input, hx):
        """Normalise the input to packed rows; returns (x2d, batch_sizes, packing info, hx, layout)."""
        name = _NAMES[self.mode]
        if isinstance(input, PackedSequence):
            data, bs_t, sorted_idx, unsorted_idx = input
            self._check_input(data, True)
            bs = bs_t._data.tolist()
            return data, bs, (bs_t, sorted_idx, unsorted_idx), hx, None
        if input.dim() not in (2, 3):
            tail = " tensor instead" if name == "RNN" else " instead"
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D{tail}")
        batched = input.dim() == 3
        if not batched:
            input = input.unsqueeze(0 if self.batch_first else 1)
        self._check_input(input, False)
        x = input.transpose(0, 1) if self.batch_first else input
        T, B = x.shape[0], x.shape[1]
        return x.reshape(T * B, x.shape[2]), [B] * T, None, hx, (batched, T, B)

    def _run(self, x2d, bs, h0, c0):
        """All layers and directions; returns (out rows, h_n, c_n or None)."""
        dirs = 2 if self.bidirectional else 1
        hs, cs = [], []
        layer_in = x2d
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                k = layer * dirs + d
                res = recurrent_layer(layer_in, h0[k], None if c0 is None else c0[k], *self._layer_weights(k),
                                      self.mode, bs, d == 1)
                outs.append(res[0])
                hs.append(res[1])
                if c0 is not None:
                    cs.append(res[2])
            layer_in = outs[0] if dirs == 1 else cat(outs, 1)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_in = F.dropout(layer_in, self.dropout, True)
        return layer_in, stack(hs, 0), (stack(cs, 0) if c0 is not None else None)

    def _zeros(self, batch: int, size: int, like):
        dirs = 2 if self.bidirectional else 1
        return zeros(self.num_layers * dirs, batch, size, dtype=like.dtype)

    def forward(self, input, hx=None):
        if type(self) is RNNBase:  # torch's RNNBase has no forward of its own (RNN, LSTM and GRU share this one)
            raise NotImplementedError('Module [RNNBase] is missing the required "forward" function')
        x2d, bs, pack, hx, layout = self._prepare(input, hx)
        B = bs[0]
        lstm = self.mode == "LSTM"
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        if hx is None:
            h0 = self._zeros(B, real_hidden, x2d)
            c0 = self._zeros(B, self.hidden_size, x2d) if lstm else None
        else:
            h0, c0 = (hx[0], hx[1]) if lstm else (hx, None)
            h0, c0 = self._hidden_dims(h0, c0, layout)
            if lstm:
                self._check_hidden(h0, B, msg="Expected hidden[0] size {}, got {}")
                self._check_hidden(c0, B, cell=True, msg="Expected hidden[1] size {}, got {}")
            else:
                self._check_hidden(h0, B)
            if pack is not None and pack[1] is not None:
                h0 = h0.index_select(1, pack[1])
                c0 = c0.index_select(1, pack[1]) if c0 is not None else None
        out, h_n, c_n = self._run(x2d, bs, h0, c0)
        if pack is not None:
            bs_t, sorted_idx, unsorted_idx = pack
            if unsorted_idx is not None:
                h_n = h_n.index_select(1, unsorted_idx)
                c_n = c_n.index_select(1, unsorted_idx) if c_n is not None else None
            output = PackedSequence(out, bs_t, sorted_idx, unsorted_idx)
        else:
            batched, T, _ = layout
            output = out.reshape(T, B, out.shape[-1])
            if self.batch_first:
                output = output.transpose(0, 1)
            if not batched:
                output = output.squeeze(0 if self.batch_first else 1)
                h_n = h_n.squeeze(1)
                c_n = c_n.squeeze(1) if c_n is not None else None
        return output, ((h_n, c_n) if lstm else h_n)

    def _hidden_dims(self, h0, c0, layout):
        """torch's checks of hx's rank; unbatched hidden states gain their batch dim."""
        if layout is None:
            return h0, c0
        batched = layout[0]
        want = 3 if batched else 2
        kind = "batched 3-D" if batched else "unbatched 2-D"
        if c0 is not None and (h0.dim() != want or c0.dim() != want):
            raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D but got "
                               f"({h0.dim()}-D, {c0.dim()}-D) tensors")
        if c0 is None and h0.dim() != want:
            raise RuntimeError(f"For {kind} input, hx should also be {want}-D but got {h0.dim()}-D tensor")
        if not batched:
            return h0.unsqueeze(1), (c0.unsqueeze(1) if c0 is not None else None)
        return h0, c0


class RNN(RNNBase):
    """A multi-layer Elman RNN with tanh or ReLU: for each step t and layer,

        h_t = tanh(x_t W_ih^T + b_ih + h_(t-1) W_hh^T + b_hh)

    Args:
        input_size: H_in, the features of each input step.
        hidden_size: H, the features of the hidden state.
        num_layers: stacked layers; layer k > 0 reads the outputs of layer k - 1. Default: 1.
        nonlinearity: ``'tanh'`` or ``'relu'``. Default: ``'tanh'``.
        bias: if ``False``, no ``bias_ih``/``bias_hh``. Default: ``True``.
        batch_first: if ``True``, input and output are (N, L, *) instead of (L, N, *). Default: ``False``.
        dropout: dropout on the outputs of every layer but the last (training mode only). Default: 0.
        bidirectional: if ``True``, a second direction runs over the reversed sequence and the outputs are
            concatenated (D = 2). Default: ``False``.

    Shape (L sequence length, N batch, D = 2 if bidirectional else 1):
        - input: (L, N, H_in), (N, L, H_in) with batch_first, (L, H_in) unbatched, or a ``PackedSequence``.
        - h_0: (D * num_layers, N, H) or (D * num_layers, H) unbatched; zeros when not given.
        - output: (L, N, D * H) (batch_first: (N, L, D * H)), the last layer's state at every step.
        - h_n: the final states of every layer and direction, the shape of h_0.

    Attributes:
        weight_ih_l[k]: (H, H_in) for k = 0, (H, D*H) for k > 0; weight_hh_l[k]: (H, H);
        bias_ih_l[k], bias_hh_l[k]: (H,); the reverse direction's have the suffix ``_reverse``.
        All are initialised from U(-sqrt(k), sqrt(k)) with k = 1 / hidden_size.

    Gradient: backpropagation through time, one fused op per layer and direction (each step's gate
    derivatives, then the weight gradients as three GEMMs over all steps); it has no double backward.

    Returns ``(output, h_n)``.

    Examples::

        >>> import ember
        >>> rnn = ember.nn.RNN(10, 20, 2)
        >>> output, hn = rnn(ember.randn(5, 3, 10), ember.randn(2, 3, 20))
        >>> output.shape, hn.shape
        (ember.Size([5, 3, 20]), ember.Size([2, 3, 20]))
    """

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)


class LSTM(RNNBase):
    """A multi-layer long short-term memory RNN (Hochreiter and Schmidhuber, 1997): for each step t and layer,

        i_t = sigmoid(x_t W_ii^T + b_ii + h_(t-1) W_hi^T + b_hi)      (input gate)
        f_t = sigmoid(x_t W_if^T + b_if + h_(t-1) W_hf^T + b_hf)      (forget gate)
        g_t = tanh(x_t W_ig^T + b_ig + h_(t-1) W_hg^T + b_hg)         (cell candidate)
        o_t = sigmoid(x_t W_io^T + b_io + h_(t-1) W_ho^T + b_ho)      (output gate)
        c_t = f_t * c_(t-1) + i_t * g_t,     h_t = o_t * tanh(c_t)

    With ``proj_size = P > 0``, h_t = (o_t * tanh(c_t)) W_hr^T has size P (H_out = P, else H_out = H).

    Args:
        input_size: H_in, the features of each input step.
        hidden_size: H, the features of the hidden state.
        num_layers: stacked layers; layer k > 0 reads the outputs of layer k - 1. Default: 1.
        proj_size: if > 0, project h_t to this size with ``weight_hr_l[k]``. Default: 0.
        bias: if ``False``, no ``bias_ih``/``bias_hh``. Default: ``True``.
        batch_first: if ``True``, input and output are (N, L, *) instead of (L, N, *). Default: ``False``.
        dropout: dropout on the outputs of every layer but the last (training mode only). Default: 0.
        bidirectional: if ``True``, a second direction runs over the reversed sequence and the outputs are
            concatenated (D = 2). Default: ``False``.

    Shape (L sequence length, N batch, D = 2 if bidirectional else 1):
        - input: (L, N, H_in), (N, L, H_in) with batch_first, (L, H_in) unbatched, or a ``PackedSequence``.
        - h_0, c_0 (a tuple): (D * num_layers, N, H_out) or (D * num_layers, H_out) unbatched; zeros when not given.
        - output: (L, N, D * H_out) (batch_first: (N, L, D * H_out)), the last layer's state at every step.
        - h_n, c_n: the final states of every layer and direction, shaped as h_0 and c_0 (c has H, not H_out).

    Attributes:
        weight_ih_l[k]: (4*H, H_in) for k = 0, (4*H, D*H_out) for k > 0; weight_hh_l[k]: (4*H, H_out);
        bias_ih_l[k], bias_hh_l[k]: (4*H,); the reverse direction's have the suffix ``_reverse``.
        weight_hr_l[k]: (P, H) when proj_size > 0. The four row blocks of each weight are the gates i, f, g, o.
        All are initialised from U(-sqrt(k), sqrt(k)) with k = 1 / hidden_size.

    Gradient: backpropagation through time, one fused op per layer and direction (each step's gate
    derivatives, then the weight gradients as three GEMMs over all steps); it has no double backward.

    Returns ``(output, (h_n, c_n))``.

    Examples::

        >>> import ember
        >>> lstm = ember.nn.LSTM(10, 20, num_layers=2)
        >>> output, (hn, cn) = lstm(ember.randn(5, 3, 10))
        >>> output.shape, hn.shape, cn.shape
        (ember.Size([5, 3, 20]), ember.Size([2, 3, 20]), ember.Size([2, 3, 20]))
        >>> lstm.weight_ih_l0.shape
        ember.Size([80, 10])
        >>> bi = ember.nn.LSTM(10, 8, batch_first=True, bidirectional=True, proj_size=4)
        >>> output, (hn, cn) = bi(ember.randn(3, 5, 10))
        >>> output.shape, hn.shape, cn.shape
        (ember.Size([3, 5, 8]), ember.Size([2, 3, 4]), ember.Size([2, 3, 8]))
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """A multi-layer gated recurrent unit RNN (Cho et al., 2014): for each step t and layer,

        r_t = sigmoid(x_t W_ir^T + b_ir + h_(t-1) W_hr^T + b_hr)      (reset gate)
        z_t = sigmoid(x_t W_iz^T + b_iz + h_(t-1) W_hz^T + b_hz)      (update gate)
        n_t = tanh(x_t W_in^T + b_in + r_t * (h_(t-1) W_hn^T + b_hn))
        h_t = (1 - z_t) * n_t + z_t * h_(t-1)

    (r_t multiplies the hidden projection including its bias, as torch and cuDNN.)

    Args:
        input_size: H_in, the features of each input step.
        hidden_size: H, the features of the hidden state.
        num_layers: stacked layers; layer k > 0 reads the outputs of layer k - 1. Default: 1.
        bias: if ``False``, no ``bias_ih``/``bias_hh``. Default: ``True``.
        batch_first: if ``True``, input and output are (N, L, *) instead of (L, N, *). Default: ``False``.
        dropout: dropout on the outputs of every layer but the last (training mode only). Default: 0.
        bidirectional: if ``True``, a second direction runs over the reversed sequence and the outputs are
            concatenated (D = 2). Default: ``False``.

    Shape (L sequence length, N batch, D = 2 if bidirectional else 1):
        - input: (L, N, H_in), (N, L, H_in) with batch_first, (L, H_in) unbatched, or a ``PackedSequence``.
        - h_0: (D * num_layers, N, H) or (D * num_layers, H) unbatched; zeros when not given.
        - output: (L, N, D * H) (batch_first: (N, L, D * H)), the last layer's state at every step.
        - h_n: the final states of every layer and direction, the shape of h_0.

    Attributes:
        weight_ih_l[k]: (3*H, H_in) for k = 0, (3*H, D*H) for k > 0; weight_hh_l[k]: (3*H, H);
        bias_ih_l[k], bias_hh_l[k]: (3*H,); the reverse direction's have the suffix ``_reverse``.
        The three row blocks of each weight are the gates r, z, n.
        All are initialised from U(-sqrt(k), sqrt(k)) with k = 1 / hidden_size.

    Gradient: backpropagation through time, one fused op per layer and direction (each step's gate
    derivatives, then the weight gradients as three GEMMs over all steps); it has no double backward.

    Returns ``(output, h_n)``.

    Examples::

        >>> import ember
        >>> gru = ember.nn.GRU(10, 20, 2)
        >>> output, hn = gru(ember.randn(5, 3, 10), ember.randn(2, 3, 20))
        >>> output.shape, hn.shape
        (ember.Size([5, 3, 20]), ember.Size([2, 3, 20]))
        >>> gru.weight_hh_l1.shape
        ember.Size([60, 20])
    """

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)
