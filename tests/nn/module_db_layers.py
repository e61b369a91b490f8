"""Module-table rows for the dense, recurrent and attention layers and the containers (Linear, Bilinear,
RNN/LSTM/GRU and their cells, MultiheadAttention, the Transformer layers, Sequential), checked by
test_modules.py against torch. Layers with dropout are built with ``dropout=0.0`` so that training-mode
outputs are deterministic; tuple outputs (``LSTM``'s ``(out, (h, c))``) are compared element by element."""
from __future__ import annotations

from tests.nn.module_db import F32, ModuleInfo


def _x(*shapes):
    return lambda rng: tuple(rng.standard_normal(s).astype(F32) for s in shapes)


def row(name, cls, args=(), kwargs=None, shapes=((2, 3, 4),), **kw):
    return ModuleInfo(name, cls, tuple(args), dict(kwargs or {}), _x(*shapes), **kw)


def _seq(lib):
    return lib.nn.Sequential(lib.nn.Linear(4, 5), lib.nn.Tanh(), lib.nn.Linear(5, 2))


def _seq_named(lib):
    from collections import OrderedDict

    return lib.nn.Sequential(OrderedDict([("fc", lib.nn.Linear(4, 3)), ("act", lib.nn.ReLU()),
                                          ("norm", lib.nn.LayerNorm(3))]))


DENSE = [
    row("Linear", "Linear", (4, 3)),
    row("Linear_nobias_1d", "Linear", (4, 3), {"bias": False}, shapes=((4,),)),
    row("Bilinear", "Bilinear", (3, 4, 2), shapes=((5, 3), (5, 4))),
    row("Identity", "Identity", shapes=((2, 3),)),
    row("Flatten", "Flatten", shapes=((2, 3, 4),)),
    ModuleInfo("Sequential", inputs=_x((3, 4)), ember_ctor=_seq, torch_ctor=_seq),
    ModuleInfo("Sequential_named", inputs=_x((3, 4)), ember_ctor=_seq_named, torch_ctor=_seq_named),
]

RECURRENT = [
    row("RNN", "RNN", (4, 5)),
    row("RNN_relu_2layer_batch_first", "RNN", (4, 5), {"num_layers": 2, "nonlinearity": "relu", "batch_first": True}),
    row("LSTM", "LSTM", (4, 5)),
    row("LSTM_bidirectional_2layer", "LSTM", (4, 3), {"num_layers": 2, "bidirectional": True}),
    row("LSTM_proj_batch_first", "LSTM", (4, 5), {"proj_size": 2, "batch_first": True}),
    ModuleInfo("LSTM_h0c0", "LSTM", (4, 5), {}, lambda rng: (rng.standard_normal((2, 3, 4)).astype(F32),
                                                        tuple(rng.standard_normal((1, 3, 5)).astype(F32) for _ in "hc"))),
    row("GRU", "GRU", (4, 5)),
    row("GRU_bidirectional_h0", "GRU", (4, 3), {"bidirectional": True}, shapes=((2, 3, 4), (2, 3, 3))),
    row("RNNCell", "RNNCell", (4, 5), shapes=((3, 4),)),
    row("LSTMCell", "LSTMCell", (4, 5), shapes=((3, 4),)),
    row("GRUCell", "GRUCell", (4, 5), shapes=((3, 4), (3, 5))),
]

ATTENTION = [
    row("MultiheadAttention", "MultiheadAttention", (8, 2), shapes=((3, 2, 8), (4, 2, 8), (4, 2, 8))),
    row("MultiheadAttention_batch_first_kvdim", "MultiheadAttention", (8, 2),
        {"batch_first": True, "kdim": 5, "vdim": 6}, shapes=((2, 3, 8), (2, 4, 5), (2, 4, 6))),
    row("TransformerEncoderLayer", "TransformerEncoderLayer", (8, 2),
        {"dim_feedforward": 16, "dropout": 0.0}, shapes=((3, 2, 8),)),
    row("TransformerEncoderLayer_norm_first_gelu", "TransformerEncoderLayer", (8, 2),
        {"dim_feedforward": 16, "dropout": 0.0, "norm_first": True, "activation": "gelu", "batch_first": True},
        shapes=((2, 3, 8),)),
    row("TransformerDecoderLayer", "TransformerDecoderLayer", (8, 2),
        {"dim_feedforward": 16, "dropout": 0.0}, shapes=((3, 2, 8), (4, 2, 8))),
    row("TransformerDecoderLayer_norm_first", "TransformerDecoderLayer", (8, 2),
        {"dim_feedforward": 16, "dropout": 0.0, "norm_first": True, "batch_first": True},
        shapes=((2, 3, 8), (2, 4, 8))),
]

MODULES = DENSE + RECURRENT + ATTENTION
