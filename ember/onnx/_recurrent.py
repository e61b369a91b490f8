"""The recurrent layers exported whole: nn.RNN, nn.LSTM and nn.GRU as ONNX's RNN, LSTM and GRU nodes.

ONNX orders the gates differently from torch: LSTM's are (i, o, f, c) where torch's are (i, f, g, o), and
GRU's (z, r, h) where torch's are (r, z, n); torch's GRU applies the reset gate after the recurrent
product, which is ONNX's ``linear_before_reset=1``. Each layer is one node over the whole sequence; the
layers are chained, and the final states of all layers are concatenated as torch's ``h_n`` (``c_n``).
"""
from __future__ import annotations

import numpy as np

from ..nn.modules.rnn import GRU, LSTM, RNN
from ..tensor import Tensor

LEAVES: tuple = (RNN, LSTM, GRU)
# torch's gate blocks, in the order ONNX wants them
_GATE_ORDER = {"LSTM": [0, 3, 1, 2], "GRU": [1, 0, 2]}


def _reorder(w: np.ndarray, mode: str) -> np.ndarray:
    order = _GATE_ORDER.get(mode)
    if order is None:
        return w
    blocks = np.split(w, len(order), axis=0)
    return np.concatenate([blocks[i] for i in order], axis=0)


def convert_leaf(g, module, args, kwargs, outs):
    mode = module.mode
    packed = isinstance(args[0], tuple) and hasattr(args[0], "batch_sizes")
    if not packed and (not isinstance(args[0], Tensor) or args[0].ndim != 3):
        raise g.unsupported(f"{type(module).__name__} on an unbatched input")
    if module.proj_size:
        raise g.unsupported(f"{type(module).__name__} with proj_size > 0")
    hx = args[1] if len(args) > 1 else kwargs.get("hx")
    h0, c0 = (hx if mode == "LSTM" else (hx, None)) if hx is not None else (None, None)
    seq_lens = ""
    if packed:  # pack_padded_sequence left the padded input, time-major, and the lengths (see _indexing)
        x = g.value(args[0].data)
        seq_lens = getattr(g, "packed", {}).get(x)
        if seq_lens is None:
            raise g.unsupported(f"{type(module).__name__} on a PackedSequence not made by pack_padded_sequence")
    else:
        x = g.value(args[0])
    if module.batch_first and not packed:
        x = g.one("Transpose", [x], perm=[1, 0, 2])
    dirs = 2 if module.bidirectional else 1
    hidden = module.hidden_size
    h_out, c_out = [], []
    for layer in range(module.num_layers):
        ins = [x] + _weights(g, module, layer, dirs, mode)
        ins += [seq_lens, _state_slice(g, h0, layer, dirs)] + ([_state_slice(g, c0, layer, dirs)] if mode == "LSTM" else [])
        while ins[-1] == "":
            ins.pop()
        attrs = dict(hidden_size=hidden, direction="bidirectional" if dirs == 2 else "forward")
        if mode == "GRU":
            attrs["linear_before_reset"] = 1
        if mode.startswith("RNN"):
            attrs["activations"] = ["Relu" if mode == "RNN_RELU" else "Tanh"] * dirs
        op = "RNN" if mode.startswith("RNN") else mode
        res = g.node(op, ins, n_out=3 if mode == "LSTM" else 2, **attrs)
        y = g.one("Transpose", [res[0]], perm=[0, 2, 1, 3])  # (L, D, B, H) -> (L, B, D, H)
        x = g.one("Reshape", [y, g.ints([0, 0, -1])])
        h_out.append(res[1])
        if mode == "LSTM":
            c_out.append(res[2])
    if packed:  # the output PackedSequence: its data is the padded output, time-major, with the same lengths
        g.packed[x] = seq_lens
        n_packed = len(outs) - (3 if mode == "LSTM" else 2)
        names = [x] + [None] * n_packed + [_join(g, h_out)]
    else:
        out = g.one("Transpose", [x], perm=[1, 0, 2]) if module.batch_first else g.one("Identity", [x])
        names = [out, _join(g, h_out)]
    if mode == "LSTM":
        names.append(_join(g, c_out))
    return names


def _join(g, states: list) -> str:
    return states[0] if len(states) == 1 else g.one("Concat", states, axis=0)


def _weights(g, module, layer: int, dirs: int, mode: str) -> list:
    w, r, b = [], [], []
    for d in range(dirs):
        sfx = f"_l{layer}" + ("_reverse" if d else "")
        w.append(_reorder(getattr(module, "weight_ih" + sfx)._data, mode))
        r.append(_reorder(getattr(module, "weight_hh" + sfx)._data, mode))
        if module.bias:
            b.append(np.concatenate([_reorder(getattr(module, "bias_ih" + sfx)._data, mode),
                                     _reorder(getattr(module, "bias_hh" + sfx)._data, mode)]))
    names = [g.const(np.stack(w)), g.const(np.stack(r))]
    names.append(g.const(np.stack(b)) if b else "")
    return names


def _state_slice(g, state, layer: int, dirs: int) -> str:
    if state is None:
        return ""
    return g.one("Slice", [g.value(state), g.ints([layer * dirs]), g.ints([(layer + 1) * dirs]), g.ints([0])])
