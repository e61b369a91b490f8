"""Network in Network (Lin et al. 2013) as d2l writes it (ch. 8.3): NiN blocks (a conv followed by
two 1x1 convs, each with ReLU), max-pools, and a global average pool instead of dense layers.

Input: 224x224 (d2l resizes Fashion-MNIST to 224 for NiN).

>>> import ember
>>> from ember.models import NiN
>>> NiN()(ember.zeros(1, 1, 224, 224)).shape
ember.Size([1, 10])
"""
from __future__ import annotations

from .. import nn
from ._registry import check_weights, register
from .summary import SummaryMixin


def nin_block(in_channels: int, out_channels: int, kernel_size: int, stride: int, padding: int) -> nn.Sequential:
    """``conv(k, s, p) -> ReLU -> conv1x1 -> ReLU -> conv1x1 -> ReLU``."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU())


class NiN(SummaryMixin, nn.Module):
    """Four NiN blocks (96 ch 11x11/4, 256 ch 5x5, 384 ch 3x3, num_classes ch 3x3) with 3x3/2
    max-pools between them and dropout before the last, then a global average pool.

    Shape: ``(N, in_channels, H, W)`` with H, W >= 67 -> ``(N, num_classes)``.
    Init: PyTorch's layer defaults (d2l uses them). Modules live in ``self.net`` as in d2l.
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 1, dropout: float = 0.5) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nin_block(in_channels, 96, kernel_size=11, stride=4, padding=0),
            nn.MaxPool2d(3, stride=2),
            nin_block(96, 256, kernel_size=5, stride=1, padding=2),
            nn.MaxPool2d(3, stride=2),
            nin_block(256, 384, kernel_size=3, stride=1, padding=1),
            nn.MaxPool2d(3, stride=2),
            nn.Dropout(dropout),
            nin_block(384, num_classes, kernel_size=3, stride=1, padding=1),
            nn.AdaptiveAvgPool2d((1, 1)),
            nn.Flatten())

    def forward(self, x):
        return self.net(x)


@register("nin", input_size=224)
def nin(*, weights=None, num_classes: int = 10, in_channels: int = 1, dropout: float = 0.5) -> NiN:
    """d2l's NiN for 224x224 input (Fashion-MNIST resized)."""
    check_weights(weights)
    return NiN(num_classes, in_channels, dropout)
