"""Structured dropout from torchvision.ops: ``stochastic_depth``/``StochasticDepth`` (Huang et al., 2016)
and ``drop_block2d``/``DropBlock2d`` (Ghiasi et al., 2018), drawing from ember's generator.

    stochastic_depth: x * b / (1 - p), b ~ Bernoulli(1 - p) per sample ("row") or once ("batch")
    drop_block2d:     seeds ~ Bernoulli(gamma) on the (H - s + 1) x (W - s + 1) valid centres,
                      gamma = p H W / (s² (H - s + 1)(W - s + 1)); each seed drops an s x s block;
                      the kept values are rescaled by numel / (eps + kept)

>>> import ember
>>> from ember.vision.ops import stochastic_depth
>>> stochastic_depth(ember.ones(2, 3), p=0.5, mode="row", training=False)
tensor([[1., 1., 1.],
        [1., 1., 1.]])
"""
from __future__ import annotations

import ember
from ember.nn import Module
from ember.nn import functional as F
from ember.tensor import Tensor


def stochastic_depth(input: Tensor, p: float, mode: str, training: bool = True) -> Tensor:
    """Zero whole samples (``mode="row"``) or the whole batch (``"batch"``) with probability ``p`` and scale
    the rest by 1 / (1 - p); the identity when not ``training`` or ``p == 0``."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"drop probability has to be between 0 and 1, but got {p}")
    if mode not in ("batch", "row"):
        raise ValueError(f"mode has to be either 'batch' or 'row', but got {mode}")
    if not training or p == 0.0:
        return input
    survival = 1.0 - p
    size = [input.shape[0]] + [1] * (input.ndim - 1) if mode == "row" else [1] * input.ndim
    noise = ember.empty(size, dtype=input.dtype).bernoulli_(survival)
    if survival > 0.0:
        noise = noise / survival
    return input * noise


class StochasticDepth(Module):
    """Module form of :func:`stochastic_depth` (active in training mode)."""

    def __init__(self, p: float, mode: str) -> None:
        super().__init__()
        self.p, self.mode = p, mode

    def forward(self, input: Tensor) -> Tensor:
        return stochastic_depth(input, self.p, self.mode, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, mode={self.mode}"


def drop_block2d(input: Tensor, p: float, block_size: int, inplace: bool = False, eps: float = 1e-06,
                 training: bool = True) -> Tensor:
    """DropBlock on (N, C, H, W): drop ``block_size`` squares so that about a fraction ``p`` of the units goes."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"drop probability has to be between 0 and 1, but got {p}.")
    if input.ndim != 4:
        raise ValueError(f"input should be 4 dimensional. Got {input.ndim} dimensions.")
    if not training or p == 0.0:
        return input
    n, c, h, w = input.shape
    s = min(block_size, w, h)
    gamma = (p * h * w) / ((s ** 2) * ((h - s + 1) * (w - s + 1)))
    seeds = ember.empty(n, c, h - s + 1, w - s + 1, dtype=input.dtype).bernoulli_(gamma)
    seeds = F.pad(seeds, [s // 2] * 4, value=0.0)
    dropped = F.max_pool2d(seeds, kernel_size=(s, s), stride=(1, 1), padding=s // 2)
    keep = 1 - dropped
    scale = keep.numel() / (eps + keep.sum())
    if inplace:
        return input.mul_(keep).mul_(scale)
    return input * keep * scale


class DropBlock2d(Module):
    """Module form of :func:`drop_block2d` (active in training mode)."""

    def __init__(self, p: float, block_size: int, inplace: bool = False, eps: float = 1e-06) -> None:
        super().__init__()
        self.p, self.block_size, self.inplace, self.eps = p, block_size, inplace, eps

    def forward(self, input: Tensor) -> Tensor:
        return drop_block2d(input, self.p, self.block_size, self.inplace, self.eps, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, block_size={self.block_size}, inplace={self.inplace}"
