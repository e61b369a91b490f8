"""The module table: one ``ModuleInfo`` row per layer configuration, checked by ``test_modules.py``
against torch. Other areas add rows in their own ``tests/nn/module_db_<area>.py`` (a ``MODULES`` list).

A row names the class (looked up in ``ember.nn`` and ``torch.nn``) with constructor args, or gives
``ember_ctor`` / ``torch_ctor`` callables; ``inputs(rng)`` returns the forward's positional arguments
as NumPy arrays (float arrays get requires_grad; integer arrays are targets / indices) or plain values.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

F32 = np.float32


@dataclass
class ModuleInfo:
    name: str
    cls: str = ""
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    inputs: Callable = None  # rng -> tuple of forward args
    ember_ctor: Callable | None = None
    torch_ctor: Callable | None = None
    random: bool = False  # stochastic in training: outputs compared in eval mode only
    no_grad_inputs: tuple = ()  # positions of float inputs that get no grad
    atol: float = 1e-5
    rtol: float = 1e-4
    extra: dict = field(default_factory=dict)

    def build(self, ember, torch):
        cls = self.cls or self.name
        e = self.ember_ctor(ember) if self.ember_ctor else getattr(ember.nn, cls)(*self.args, **self.kwargs)
        t = self.torch_ctor(torch) if self.torch_ctor else getattr(torch.nn, cls)(*self.args, **self.kwargs)
        return e, t


def _x(*shape, scale=1.0):
    return lambda rng: (rng.standard_normal(shape).astype(F32) * scale,)


def _xy(*shape):
    return lambda rng: (rng.standard_normal(shape).astype(F32), rng.standard_normal(shape).astype(F32))


def _act(name, *args, shape=(3, 4), **kw):
    label = name + ("_" + "_".join(f"{k}{v}" for k, v in kw.items()) if kw else "")
    return ModuleInfo(label, name, args, kw, _x(*shape, scale=2.0))


ACTIVATIONS = [
    _act("ReLU"), _act("ReLU6", shape=(3, 4)), _act("LeakyReLU", 0.2), _act("ELU", 0.7), _act("SELU"),
    _act("CELU", 1.3), _act("GELU"), _act("GELU", approximate="tanh"), _act("SiLU"), _act("Mish"),
    _act("Sigmoid"), _act("Tanh"), _act("Hardtanh", -0.5, 1.5), _act("Hardsigmoid"), _act("Hardswish"),
    _act("Softplus", 2.0, 3.0), _act("Softsign"), _act("Threshold", 0.1, 20.0), _act("Softmax", dim=1),
    _act("LogSoftmax", dim=0), _act("Softmin", dim=-1), _act("GLU", dim=-1), _act("LogSigmoid"),
    _act("Tanhshrink"), _act("Softshrink", 0.7), _act("Hardshrink", 0.7), _act("Softmax2d", shape=(2, 3, 2, 2)),
    _act("PReLU"), ModuleInfo("PReLU_channels", "PReLU", (3,), {}, _x(2, 3, 4)),
    ModuleInfo("PReLU_init", "PReLU", (), {"init": 0.1}, _x(5)),
    ModuleInfo("ReLU_inplace", "ReLU", (True,), {}, lambda rng: (rng.standard_normal((3, 4)).astype(F32),),
               extra={"inplace": True}),
]

DROPOUTS = [ModuleInfo(n, n, (0.3,), {}, _x(*s), random=True) for n, s in
            [("Dropout", (4, 5)), ("Dropout1d", (2, 3, 4)), ("Dropout2d", (2, 3, 4, 4)),
             ("Dropout3d", (2, 3, 2, 2, 2)), ("AlphaDropout", (4, 5)), ("FeatureAlphaDropout", (2, 3, 4))]]


def _idx(high, *shape):
    return lambda rng: (rng.integers(0, high, shape),)


SPARSE = [
    ModuleInfo("Embedding", "Embedding", (10, 4), {}, _idx(10, 3, 5)),
    ModuleInfo("Embedding_padding", "Embedding", (10, 4), {"padding_idx": 2}, lambda rng: (np.array([[2, 1, 2], [0, 9, 2]]),)),
    ModuleInfo("Embedding_freq", "Embedding", (10, 4), {"scale_grad_by_freq": True}, lambda rng: (np.array([1, 1, 3, 1]),)),
    ModuleInfo("EmbeddingBag_mean", "EmbeddingBag", (10, 4), {}, _idx(10, 3, 5)),
    ModuleInfo("EmbeddingBag_max", "EmbeddingBag", (10, 4), {"mode": "max"},
               lambda rng: (rng.integers(0, 10, 9), np.array([0, 2, 2, 6]))),
    ModuleInfo("EmbeddingBag_sum_psw", "EmbeddingBag", (10, 4), {"mode": "sum"},
               lambda rng: (rng.integers(0, 10, 7), np.array([0, 3]), rng.random(7).astype(F32))),
    ModuleInfo("CosineSimilarity", "CosineSimilarity", (), {"dim": 1}, _xy(3, 5)),
    ModuleInfo("PairwiseDistance", "PairwiseDistance", (), {"p": 3.0}, _xy(3, 5)),
    ModuleInfo("PairwiseDistance_keepdim", "PairwiseDistance", (), {"keepdim": True}, _xy(3, 5)),
]


def _cls_inputs(rng):
    return rng.standard_normal((4, 5)).astype(F32), np.array([0, 3, 1, 4])


def _w(lib, n=5):
    return lib.tensor(np.linspace(0.5, 1.5, n, dtype=F32))


def _pm1(rng, *shape):
    return np.where(rng.random(shape) > 0.5, 1.0, -1.0).astype(F32)


def _ctc(rng):
    lp = rng.standard_normal((8, 2, 4)).astype(F32)
    lp = lp - np.log(np.exp(lp).sum(-1, keepdims=True))
    return lp, np.array([[1, 2, 3], [2, 2, 0]]), np.array([8, 6]), np.array([3, 2])


LOSSES = [
    ModuleInfo("L1Loss", "L1Loss", (), {}, _xy(3, 4)),
    ModuleInfo("MSELoss_sum", "MSELoss", (), {"reduction": "sum"}, _xy(3, 4)),
    ModuleInfo("SmoothL1Loss", "SmoothL1Loss", (), {"beta": 0.5}, _xy(3, 4)),
    ModuleInfo("HuberLoss_none", "HuberLoss", (), {"reduction": "none", "delta": 0.5}, _xy(3, 4)),
    ModuleInfo("CrossEntropyLoss", "CrossEntropyLoss", (), {}, _cls_inputs),
    ModuleInfo("CrossEntropyLoss_weight_smooth", inputs=_cls_inputs,
               ember_ctor=lambda e: e.nn.CrossEntropyLoss(weight=_w(e), label_smoothing=0.1, ignore_index=1),
               torch_ctor=lambda t: t.nn.CrossEntropyLoss(weight=_w(t), label_smoothing=0.1, ignore_index=1)),
    ModuleInfo("CrossEntropyLoss_probs", "CrossEntropyLoss", (), {},
               lambda rng: (rng.standard_normal((3, 4)).astype(F32), rng.dirichlet(np.ones(4), 3).astype(F32))),
    ModuleInfo("CrossEntropyLoss_4d", "CrossEntropyLoss", (), {"reduction": "none"},
               lambda rng: (rng.standard_normal((2, 3, 2, 2)).astype(F32), rng.integers(0, 3, (2, 2, 2)))),
    ModuleInfo("NLLLoss", inputs=_cls_inputs, ember_ctor=lambda e: e.nn.NLLLoss(weight=_w(e)),
               torch_ctor=lambda t: t.nn.NLLLoss(weight=_w(t))),
    ModuleInfo("BCELoss", "BCELoss", (), {},
               lambda rng: (rng.uniform(0.05, 0.95, (3, 4)).astype(F32), rng.random((3, 4)).astype(F32))),
    ModuleInfo("BCEWithLogitsLoss_pos", inputs=_xy(3, 5), ember_ctor=lambda e: e.nn.BCEWithLogitsLoss(pos_weight=_w(e)),
               torch_ctor=lambda t: t.nn.BCEWithLogitsLoss(pos_weight=_w(t))),
    ModuleInfo("KLDivLoss", "KLDivLoss", (), {"reduction": "batchmean"},
               lambda rng: (np.log(rng.dirichlet(np.ones(4), 3)).astype(F32), rng.dirichlet(np.ones(4), 3).astype(F32))),
    ModuleInfo("PoissonNLLLoss", "PoissonNLLLoss", (), {"full": True},
               lambda rng: (rng.standard_normal((3, 4)).astype(F32), rng.random((3, 4)).astype(F32) * 4)),
    ModuleInfo("GaussianNLLLoss", "GaussianNLLLoss", (), {},
               lambda rng: (rng.standard_normal((3, 4)).astype(F32), rng.standard_normal((3, 4)).astype(F32),
                            rng.uniform(0.1, 2, (3, 1)).astype(F32))),
    ModuleInfo("MarginRankingLoss", "MarginRankingLoss", (0.2,), {},
               lambda rng: (rng.standard_normal(5).astype(F32), rng.standard_normal(5).astype(F32), _pm1(rng, 5)),
               no_grad_inputs=(2,)),
    ModuleInfo("HingeEmbeddingLoss", "HingeEmbeddingLoss", (), {},
               lambda rng: (rng.standard_normal((3, 4)).astype(F32), _pm1(rng, 3, 4)), no_grad_inputs=(1,)),
    ModuleInfo("MultiMarginLoss_p2", inputs=_cls_inputs, ember_ctor=lambda e: e.nn.MultiMarginLoss(p=2, weight=_w(e)),
               torch_ctor=lambda t: t.nn.MultiMarginLoss(p=2, weight=_w(t))),
    ModuleInfo("MultiLabelMarginLoss", "MultiLabelMarginLoss", (), {},
               lambda rng: (rng.standard_normal((2, 4)).astype(F32), np.array([[3, 0, -1, 1], [1, 2, 3, 0]]))),
    ModuleInfo("MultiLabelSoftMarginLoss", "MultiLabelSoftMarginLoss", (), {},
               lambda rng: (rng.standard_normal((3, 4)).astype(F32), (rng.random((3, 4)) > 0.5).astype(F32)),
               no_grad_inputs=(1,)),
    ModuleInfo("SoftMarginLoss", "SoftMarginLoss", (), {},
               lambda rng: (rng.standard_normal((3, 4)).astype(F32), _pm1(rng, 3, 4)), no_grad_inputs=(1,)),
    ModuleInfo("CosineEmbeddingLoss", "CosineEmbeddingLoss", (0.1,), {},
               lambda rng: (rng.standard_normal((3, 4)).astype(F32), rng.standard_normal((3, 4)).astype(F32),
                            _pm1(rng, 3)), no_grad_inputs=(2,)),
    ModuleInfo("TripletMarginLoss", "TripletMarginLoss", (), {"swap": True},
               lambda rng: tuple(rng.standard_normal((3, 4)).astype(F32) for _ in range(3))),
    ModuleInfo("TripletMarginWithDistanceLoss", "TripletMarginWithDistanceLoss", (), {"margin": 0.5},
               lambda rng: tuple(rng.standard_normal((3, 4)).astype(F32) for _ in range(3))),
    ModuleInfo("CTCLoss", "CTCLoss", (), {}, _ctc),
    ModuleInfo("CTCLoss_sum_zero_inf", "CTCLoss", (), {"reduction": "sum", "zero_infinity": True}, _ctc),
]

MODULES: list[Any] = ACTIVATIONS + DROPOUTS + SPARSE + LOSSES
