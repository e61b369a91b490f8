"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and ``RNNCell``, ``LSTMCell``, ``GRUCell``, as torch.

Each layer and direction runs as ONE fused op over the whole sequence (``F.recurrent``): the input
projection of all steps is one GEMM, each step is one GEMM ``h W_hh^T`` plus in-place gate math, and
backward through time is one loop ending in three big GEMMs. The fused op has no double backward.

Cells (gate rows in torch's order):
    RNN:  h' = tanh(W_ih x + b_ih + W_hh h + b_hh)           (or relu)
    LSTM: i, f, g, o = s, s, tanh, s of (W_ih x + b_ih + W_hh h + b_hh)
          c' = f * c + i * g,   h' = o * tanh(c')   (h' = (o * tanh(c')) W_hr^T with proj_size > 0)
    GRU:  r = s(W_ir x + b_ir + W_hr h + b_hr),  z = s(W_iz x + b_iz + W_hz h + b_hz)
          n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),  h' = (1 - z) * n + z * h

Shape: input (L, N, H_in), (N, L, H_in) with batch_first, (L, H_in) unbatched, or a PackedSequence;
h_0 / c_0 (num_layers * num_directions, N, H_out / H_cell). Output (L, N, D * H_out) and h_n (, c_n).
Parameters ``weight_ih_l{k}{_reverse}`` (gates*H, in), ``weight_hh_l{k}`` (gates*H, H_out),
``bias_ih_l{k}``, ``bias_hh_l{k}`` (gates*H), ``weight_hr_l{k}`` (proj, H): all U(-1/sqrt(H), 1/sqrt(H)).
Dropout (train mode only) is applied to the outputs of every layer but the last.

>>> import ember
>>> lstm = ember.nn.LSTM(10, 20, num_layers=2)
>>> out, (h, c) = lstm(ember.randn(5, 3, 10))
>>> out.shape, h.shape
(ember.Size([5, 3, 20]), ember.Size([2, 3, 20]))
"""
from .cells import GRUCell, LSTMCell, RNNCell, RNNCellBase  # noqa: F401
from .layers import GRU, LSTM, RNN, RNNBase  # noqa: F401

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]
