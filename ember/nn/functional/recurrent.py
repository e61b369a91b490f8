"""The whole-sequence recurrent kernels behind ``nn.RNN``, ``nn.LSTM``, ``nn.GRU`` and their cells.

One fused Op runs one layer in one direction over a whole (possibly packed) sequence:

* the input projection of every time step is ONE GEMM: ``G = X W_ih^T + b_ih (+ b_hh)``;
* the recurrence is one Python loop with one GEMM per step (``h W_hh^T`` into a preallocated
  buffer) and in-place sigmoid/tanh on slices of the gate buffer;
* backward through time is one loop too: it keeps the pre-activation gate gradients ``dG`` of every
  step and ends with three big GEMMs, ``dW_ih = dG^T X``, ``dW_hh = dG^T H_prev``, ``dX = dG W_ih``.

No autograd node is recorded per step. Sequences are stored packed: the rows of time step ``t`` are
``X[off_t : off_t + b_t]`` with ``b_t = batch_sizes[t]`` non-increasing, so a padded ``(T, B, I)``
input is the special case ``b_t = B``; variable lengths cost nothing but a shorter active slice.

Cells (one gate layout each, torch's order; ``H`` the hidden size):

* RNN:  h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu.
* LSTM: i, f, g, o = W_ih x + b_ih + W_hh h + b_hh (rows in that order); c' = s(f) c + s(i) tanh(g);
  h' = s(o) tanh(c'); with ``proj_size`` P > 0, h' = (s(o) tanh(c')) W_hr^T (P features).
* GRU:  r, z = s(W_ir x + b_ir + W_hr h + b_hr), s(...);  n = tanh(W_in x + b_in + r (W_hn h + b_hn));
  h' = (1 - z) n + z h.

The backward runs on raw arrays: these ops have no double backward (it raises a clear error).
"""
from __future__ import annotations

import numpy as np

from ...autograd.function import Op
from ...backends import kernels
from ...backends.kernels_numpy import _sigmoid_
from ._fused import finish_backward

__all__: list = []

class RecurrentLayer(Op):
    """One recurrent layer in one direction over a packed sequence, forward and BPTT fused.

    forward(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mode, batch_sizes, reverse):
    x (N, I) packed rows, h0 (B, P), c0 (B, H) or None -> (out (N, P), h_n (B, P)[, c_n (B, H)]).
    ``mode`` is "RNN_TANH", "RNN_RELU", "LSTM" or "GRU". No double backward.
    """

    materialize = False

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mode, batch_sizes, reverse):
        xd, wih, whh = x._data, w_ih._data, w_hh._data
        hidden = whh.shape[1] if w_hr is None else w_hr._data.shape[1]
        bias = None
        if b_ih is not None:
            bias = b_ih._data if mode == "GRU" else b_ih._data + b_hh._data
        gates = kernels.gemm(xd, wih.T)  # the input projection of every step: one GEMM
        if bias is not None:
            gates += bias
        steps = _steps(batch_sizes, reverse)
        st = _State(ctx, mode, xd, h0._data, None if c0 is None else c0._data, whh, gates, hidden)
        st.b_hh_full = b_hh._data if (mode == "GRU" and b_hh is not None) else None
        st.whr = None if w_hr is None else w_hr._data
        out = _FORWARD[mode](st, steps)
        if ctx.next is not None:
            if mode.startswith("RNN"):
                out = out.copy()  # the gate buffer is saved: the output must not alias it
            ctx.st, ctx.steps, ctx.mode, ctx.has_bias = st, steps, mode, b_ih is not None
            ctx.save_for_backward(x, w_ih, w_hh, w_hr)
        if mode == "LSTM":
            return out, st.h, st.c
        return out, st.h

    @staticmethod
    def backward(ctx, g_out, g_h, g_c=None):
        x, w_ih, w_hh, w_hr = ctx.saved_tensors
        st, mode, need = ctx.st, ctx.mode, ctx.needs_input_grad
        st.whh_b = w_hh._data
        dgi, dgh, dh, dc, dwhr = _BACKWARD[mode](st, ctx.steps, _arr(g_out), _arr(g_h), _arr(g_c))
        dx = kernels.gemm(dgi, w_ih._data) if need[0] else None
        dwih = kernels.gemm(dgi.T, st.x) if need[3] else None
        dwhh = kernels.gemm(dgh.T, st.hprev) if need[4] else None
        dbih = dgi.sum(0) if need[5] else None
        dbhh = None
        if need[6]:  # RNN and LSTM: both biases get the same gate gradients (one sum)
            dbhh = dbih.copy() if dbih is not None and dgh is dgi else dgh.sum(0)
        grads = [dx, dh if need[1] else None, dc if need[2] else None, dwih, dwhh, dbih, dbhh,
                 dwhr if need[7] else None]
        return finish_backward(f"{mode} (fused recurrent layer)", (g_out, g_h, g_c), grads, (x, w_ih, w_hh, w_hr))


def _arr(g):
    return None if g is None else g._data


def _steps(batch_sizes, reverse: bool) -> list:
    """(start row, active batch) of each time step, in processing order."""
    offs = np.concatenate([[0], np.cumsum(batch_sizes)[:-1]]).tolist()
    steps = list(zip(offs, [int(b) for b in batch_sizes]))
    return steps[::-1] if reverse else steps


class _State:
    """The arrays one forward keeps for its backward (a plain record)."""

    def __init__(self, ctx, mode, x, h0, c0, whh, gates, hidden) -> None:
        self.x, self.whh, self.gates, self.hidden = x, whh, gates, hidden
        n, dt = x.shape[0], gates.dtype
        self.h = h0.copy()
        self.c = None if c0 is None else c0.copy()
        self.hprev = np.empty((n, h0.shape[1]), dt)


# ---------------------------------------------------------------- forward loops
def _transposed(w: np.ndarray) -> np.ndarray:
    """W_hh^T as a row-major copy, made once per sequence (``kernels.transposed``: a oneDNN reorder for float32):
    each step's ``h W_hh^T`` then reads both factors row-major into a row-major buffer (oneDNN's sgemm is slow
    with a transposed factor and a small M, and a column-major buffer makes the cell kernel read its rows with a
    stride: 32x256 LSTM, 115 -> 108 us per step with the cell, 1 thread; 78 -> 67 us, 2 threads)."""
    return kernels.transposed(w)


def _rnn_forward(st, steps, relu: bool):
    g, whh_t, h, hprev = st.gates, _transposed(st.whh), st.h, st.hprev
    rec = np.empty(h.shape, g.dtype)
    for s, b in steps:
        e = s + b
        hprev[s:e] = h[:b]
        gt = g[s:e]
        kernels.gemm(h[:b], whh_t, out=rec[:b])
        gt += rec[:b]
        if relu:
            np.maximum(gt, 0, out=gt)
        else:
            np.tanh(gt, out=gt)
        h[:b] = gt
    return g  # the activated gate buffer is the output


def _lstm_forward(st, steps):
    H, g, whh_t, h, c, hprev = st.hidden, st.gates, _transposed(st.whh), st.h, st.c, st.hprev
    n, dt = g.shape[0], g.dtype
    st.cprev, st.cnew_tanh = np.empty((n, H), dt), np.empty((n, H), dt)
    proj = st.whr is not None
    out = np.empty((n, h.shape[1]), dt)
    st.hraw = np.empty((n, H), dt) if proj else out
    whr_t = st.whr.T if proj else None
    rec = np.empty((h.shape[0], 4 * H), dt)  # row-major: the cell kernel reads its rows contiguously
    for s, b in steps:
        e = s + b
        hp = h[:b]
        hprev[s:e] = hp
        kernels.gemm(hp, whh_t, out=rec[:b])
        hr = st.hraw[s:e]
        kernels.lstm_cell_forward(g[s:e], rec[:b], c[:b], st.cprev[s:e], st.cnew_tanh[s:e], hr)
        if proj:
            kernels.gemm(hr, whr_t, out=out[s:e])
        h[:b] = out[s:e]
    return out


def _gru_forward(st, steps):
    H, g, whh_t, h, hprev = st.hidden, st.gates, _transposed(st.whh), st.h, st.hprev
    n, dt = g.shape[0], g.dtype
    st.ghn = np.empty((n, H), dt)
    out = np.empty((n, H), dt)
    rec = np.empty((h.shape[0], 3 * H), dt)
    for s, b in steps:
        e = s + b
        hp = h[:b]
        hprev[s:e] = hp
        gt, rt = g[s:e], rec[:b]
        kernels.gemm(hp, whh_t, out=rt)
        if st.b_hh_full is not None:
            rt += st.b_hh_full
        gt[:, :2 * H] += rt[:, :2 * H]
        _sigmoid_(gt[:, :2 * H])
        st.ghn[s:e] = rt[:, 2 * H:]
        nt = gt[:, 2 * H:]
        nt += gt[:, :H] * rt[:, 2 * H:]
        np.tanh(nt, out=nt)
        o = out[s:e]
        np.subtract(hp, nt, out=o)  # h' = n + z (h - n)
        o *= gt[:, H:2 * H]
        o += nt
        h[:b] = o
    return out


# ---------------------------------------------------------------- backward loops
def _carry(g, like):
    return np.zeros_like(like) if g is None else g.copy()


def _rnn_backward(st, steps, g_out, g_h, g_c, relu: bool):
    g, whh = st.gates, st.whh_b
    dg = np.empty_like(g)
    dh = _carry(g_h, st.h)
    for s, b in reversed(steps):
        e = s + b
        dht = dh[:b]
        if g_out is not None:
            dht += g_out[s:e]
        y, dgt = g[s:e], dg[s:e]
        if relu:
            np.multiply(dht, y > 0, out=dgt)
        else:
            np.multiply(y, y, out=dgt)
            np.subtract(1.0, dgt, out=dgt)
            dgt *= dht
        kernels.gemm(dgt, whh, out=dht)  # dh_{t-1} = dG_t W_hh, into the carried buffer (read above)
    return dg, dg, dh, None, None


def _lstm_backward(st, steps, g_out, g_h, g_c):
    g, whh = st.gates, st.whh_b
    dg = np.empty_like(g)
    dh, dc = _carry(g_h, st.h), _carry(g_c, st.c)
    proj = st.whr is not None
    dho = np.empty_like(st.hprev) if proj else None
    for s, b in reversed(steps):
        e = s + b
        dht = dh[:b]
        has = g_out is not None
        if proj:  # the projection's gradient first: d h_raw = (dh + g_out) W_hr
            if has:
                dht += g_out[s:e]
            dho[s:e] = dht
            dht, has = kernels.gemm(dht, st.whr), False
        kernels.lstm_cell_backward(dht, g_out[s:e] if has else dht, has, g[s:e], st.cnew_tanh[s:e],
                                   st.cprev[s:e], dc[:b], dg[s:e])
        kernels.gemm(dg[s:e], whh, out=dh[:b])  # dh_{t-1} = dG_t W_hh, into the carried buffer (read above)
    dwhr = kernels.gemm(dho.T, st.hraw) if proj else None
    return dg, dg, dh, dc, dwhr


def _gru_backward(st, steps, g_out, g_h, g_c):
    H, g, whh = st.hidden, st.gates, st.whh_b
    dgi = np.empty_like(g)
    dgh = np.empty_like(g)
    dh = _carry(g_h, st.h)
    tmp = np.empty(dh.shape, dh.dtype)
    for s, b in reversed(steps):
        e = s + b
        dht = dh[:b]
        if g_out is not None:
            dht += g_out[s:e]
        gt, di, dhh, hp = g[s:e], dgi[s:e], dgh[s:e], st.hprev[s:e]
        r, z, n = gt[:, :H], gt[:, H:2 * H], gt[:, 2 * H:]
        dn = di[:, 2 * H:]
        np.subtract(1.0, z, out=dn)
        dn *= dht
        dn *= 1.0 - n * n  # d(pre-tanh n)
        np.multiply(dn, r, out=dhh[:, 2 * H:])
        np.multiply(dn, st.ghn[s:e], out=di[:, :H])  # d r
        di[:, :H] *= r * (1.0 - r)
        np.subtract(hp, n, out=di[:, H:2 * H])  # d z
        di[:, H:2 * H] *= dht
        di[:, H:2 * H] *= z * (1.0 - z)
        dhh[:, :2 * H] = di[:, :2 * H]
        dht *= z
        kernels.gemm(dhh, whh, out=tmp[:b])
        dht += tmp[:b]
    return dgi, dgh, dh, None, None


_FORWARD = {
    "RNN_TANH": lambda st, steps: _rnn_forward(st, steps, False),
    "RNN_RELU": lambda st, steps: _rnn_forward(st, steps, True),
    "LSTM": _lstm_forward,
    "GRU": _gru_forward,
}
_BACKWARD = {
    "RNN_TANH": lambda *a: _rnn_backward(*a, relu=False),
    "RNN_RELU": lambda *a: _rnn_backward(*a, relu=True),
    "LSTM": _lstm_backward,
    "GRU": _gru_backward,
}


def recurrent_layer(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mode: str, batch_sizes, reverse: bool = False):
    """Run one layer/direction; returns (out, h_n) or (out, h_n, c_n) for LSTM (see RecurrentLayer)."""
    return RecurrentLayer.apply(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mode, batch_sizes, reverse)
