"""LeNet-5 as d2l writes it (ch. 7.6): sigmoid activations and average pooling; and d2l's
"LeNet with BatchNorm" (ch. 8.5): Conv-BN-Sigmoid-AvgPool twice, then Linear-BN-Sigmoid twice.

Input: 1x28x28 (Fashion-MNIST as is; no resizing).

>>> import ember
>>> from ember.models import LeNet
>>> LeNet()(ember.zeros(2, 1, 28, 28)).shape
ember.Size([2, 10])
"""
from __future__ import annotations

from .. import nn
from ._registry import check_weights, register
from .summary import SummaryMixin


def _plain(in_channels: int, num_classes: int) -> list[nn.Module]:
    return [nn.Conv2d(in_channels, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, stride=2),
            nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(2, stride=2),
            nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
            nn.Linear(120, 84), nn.Sigmoid(),
            nn.Linear(84, num_classes)]


def _batch_norm(in_channels: int, num_classes: int) -> list[nn.Module]:
    # d2l's BNLeNet drops the first conv's padding: 28 -> 24 -> 12 -> 8 -> 4, so 16*4*4 features.
    return [nn.Conv2d(in_channels, 6, kernel_size=5), nn.BatchNorm2d(6), nn.Sigmoid(), nn.AvgPool2d(2, stride=2),
            nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.Sigmoid(), nn.AvgPool2d(2, stride=2),
            nn.Flatten(),
            nn.Linear(16 * 4 * 4, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
            nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(),
            nn.Linear(84, num_classes)]


class LeNet(SummaryMixin, nn.Module):
    """LeNet-5: ``conv5x5(6, pad 2) -> sigmoid -> avgpool2 -> conv5x5(16) -> sigmoid -> avgpool2 ->
    fc120 -> sigmoid -> fc84 -> sigmoid -> fc(num_classes)``.

    ``batch_norm=True`` gives d2l's BNLeNet (BatchNorm before every sigmoid; first conv unpadded).
    Shape: ``(N, in_channels, 28, 28) -> (N, num_classes)``. Init: PyTorch's layer defaults
    (kaiming-uniform(a=sqrt 5) weights; BN weight 1, bias 0). Modules live in ``self.net``.
    61,706 parameters (plain, 1 channel, 10 classes).
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 1, batch_norm: bool = False) -> None:
        super().__init__()
        build = _batch_norm if batch_norm else _plain
        self.net = nn.Sequential(*build(in_channels, num_classes))

    def forward(self, x):
        return self.net(x)


@register("lenet", input_size=28, small_input_size=28)
def lenet(*, weights=None, num_classes: int = 10, in_channels: int = 1, small_input: bool = True) -> LeNet:
    """d2l's LeNet-5 (sigmoid, avg-pool) for 28x28 input. ``small_input`` changes nothing."""
    check_weights(weights)
    return LeNet(num_classes, in_channels)


@register("lenet_bn", input_size=28, small_input_size=28)
def lenet_bn(*, weights=None, num_classes: int = 10, in_channels: int = 1, small_input: bool = True) -> LeNet:
    """d2l's LeNet with BatchNorm (ch. 8.5) for 28x28 input. ``small_input`` changes nothing."""
    check_weights(weights)
    return LeNet(num_classes, in_channels, batch_norm=True)
