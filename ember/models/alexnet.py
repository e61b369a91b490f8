"""AlexNet (Krizhevsky et al. 2012) in torchvision's layout, so torchvision checkpoints load.

Input: 224x224 (d2l resizes Fashion-MNIST to 224 for AlexNet; anything below 63x63 shrinks to
nothing in ``features``). 61,100,840 parameters at 3 channels and 1000 classes.

>>> import ember
>>> from ember.models import alexnet
>>> alexnet(num_classes=10, in_channels=1)(ember.zeros(1, 1, 64, 64)).shape
ember.Size([1, 10])
"""
from __future__ import annotations

from .. import nn
from ._registry import check_weights, register
from .summary import SummaryMixin


class AlexNet(SummaryMixin, nn.Module):
    """``features`` (5 convs with ReLU, 3 max-pools) -> ``avgpool`` (adaptive, to 6x6) ->
    ``classifier`` (Dropout-Linear(9216, 4096)-ReLU-Dropout-Linear(4096, 4096)-ReLU-Linear).

    Shape: ``(N, in_channels, H, W)`` with H, W >= 63 -> ``(N, num_classes)``.
    Init: PyTorch's layer defaults, as torchvision (no custom init).
    """

    def __init__(self, num_classes: int = 1000, dropout: float = 0.5, in_channels: int = 3) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(x.flatten(1))


@register("alexnet", input_size=224)
def alexnet(*, weights=None, progress: bool = True, **kwargs) -> AlexNet:
    """torchvision's ``alexnet``; ``kwargs`` go to :class:`AlexNet` (num_classes, dropout, in_channels)."""
    check_weights(weights)
    return AlexNet(**kwargs)
