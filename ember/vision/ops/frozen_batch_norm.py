"""``FrozenBatchNorm2d`` (torchvision.ops): batch norm with fixed statistics and affine parameters, all held as
buffers (nothing trains), the usual backbone layer for fine-tuning detectors.

    y = x * scale + shift,  scale = weight / sqrt(running_var + eps),  shift = bias - running_mean * scale

Shape: (N, C, H, W) -> (N, C, H, W). Init: weight 1, bias 0, running_mean 0, running_var 1. A BatchNorm2d
``state_dict`` loads into it (``num_batches_tracked`` is ignored).

>>> import ember
>>> from ember.vision.ops import FrozenBatchNorm2d
>>> FrozenBatchNorm2d(3)(ember.ones(1, 3, 2, 2)).shape
ember.Size([1, 3, 2, 2])
"""
from __future__ import annotations

import ember
from ember.nn import Module
from ember.tensor import Tensor


class FrozenBatchNorm2d(Module):
    """Batch norm whose statistics and affine parameters are frozen buffers (see the module docstring)."""

    def __init__(self, num_features: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.num_features, self.eps = num_features, eps
        self.register_buffer("weight", ember.ones(num_features))
        self.register_buffer("bias", ember.zeros(num_features))
        self.register_buffer("running_mean", ember.zeros(num_features))
        self.register_buffer("running_var", ember.ones(num_features))

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        state_dict.pop(prefix + "num_batches_tracked", None)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                      error_msgs)

    def forward(self, x: Tensor) -> Tensor:
        scale = self.weight.reshape(1, -1, 1, 1) * (self.running_var.reshape(1, -1, 1, 1) + self.eps).rsqrt()
        shift = self.bias.reshape(1, -1, 1, 1) - self.running_mean.reshape(1, -1, 1, 1) * scale
        return x * scale + shift

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}"
