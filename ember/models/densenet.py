"""DenseNet-121 (Huang et al. 2016) in torchvision's layout, so its checkpoints load.

Each dense layer sees the concatenation of all earlier feature maps of its block and adds
``growth_rate`` channels (BN-ReLU-conv1x1 to ``bn_size * growth_rate``, BN-ReLU-conv3x3);
transitions halve channels and spatial size. 7,978,856 parameters at 3 channels, 1000 classes.

Input: 96x96 as d2l uses it (the 7x7/2 stem, max-pool and three transitions divide by 32).
``small_input=True`` uses a 3x3/1 stem without max-pool (keys unchanged) for 28x28 as is.

>>> import ember
>>> from ember.models import densenet121
>>> densenet121(num_classes=10, in_channels=1, small_input=True)(ember.zeros(1, 1, 28, 28)).shape
ember.Size([1, 10])
"""
from __future__ import annotations

import collections

import ember

from .. import nn
from ..nn import functional as F
from ._registry import check_weights, register
from .summary import SummaryMixin


class _DenseLayer(nn.Module):
    """``conv2(relu2(norm2(conv1(relu1(norm1(cat(inputs)))))))``, then dropout with ``drop_rate``."""

    def __init__(self, num_input_features: int, growth_rate: int, bn_size: int, drop_rate: float,
                 memory_efficient: bool = False) -> None:
        super().__init__()
        self.norm1 = nn.BatchNorm2d(num_input_features)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(num_input_features, bn_size * growth_rate, kernel_size=1, stride=1, bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, kernel_size=3, stride=1, padding=1, bias=False)
        self.drop_rate = float(drop_rate)
        self.memory_efficient = memory_efficient

    def forward(self, input):
        features = [input] if isinstance(input, ember.Tensor) else input
        x = ember.cat(features, 1)
        bottleneck = self.conv1(self.relu1(self.norm1(x)))
        new = self.conv2(self.relu2(self.norm2(bottleneck)))
        if self.drop_rate > 0:
            new = F.dropout(new, p=self.drop_rate, training=self.training)
        return new


class _DenseBlock(nn.ModuleDict):
    """``num_layers`` dense layers (``denselayer1``...); output: the input and every new map, concatenated."""

    def __init__(self, num_layers: int, num_input_features: int, bn_size: int, growth_rate: int,
                 drop_rate: float, memory_efficient: bool = False) -> None:
        super().__init__()
        for i in range(num_layers):
            layer = _DenseLayer(num_input_features + i * growth_rate, growth_rate, bn_size, drop_rate,
                                memory_efficient)
            self.add_module(f"denselayer{i + 1}", layer)

    def forward(self, init_features):
        features = [init_features]
        for layer in self.values():
            features.append(layer(features))
        return ember.cat(features, 1)


class _Transition(nn.Sequential):
    """BN -> ReLU -> conv1x1 (``num_output_features``) -> 2x2 avg-pool."""

    def __init__(self, num_input_features: int, num_output_features: int) -> None:
        super().__init__()
        self.norm = nn.BatchNorm2d(num_input_features)
        self.relu = nn.ReLU(inplace=True)
        self.conv = nn.Conv2d(num_input_features, num_output_features, kernel_size=1, stride=1, bias=False)
        self.pool = nn.AvgPool2d(kernel_size=2, stride=2)


class DenseNet(SummaryMixin, nn.Module):
    """``features`` (stem ``conv0``-``norm0``-``relu0``-``pool0``, dense blocks with transitions,
    ``norm5``) -> ReLU -> global avg-pool -> ``classifier``.

    Shape: ``(N, in_channels, H, W) -> (N, num_classes)``.
    Init (as torchvision): conv weights ~ kaiming_normal (fan_in, gain sqrt 2); BN weight 1, bias 0;
    Linear bias 0 (weight keeps Linear's default). ``memory_efficient`` is accepted for
    torchvision's signature; ember does not checkpoint, so it changes nothing.
    """

    def __init__(self, growth_rate: int = 32, block_config: tuple[int, ...] = (6, 12, 24, 16),
                 num_init_features: int = 64, bn_size: int = 4, drop_rate: float = 0, num_classes: int = 1000,
                 memory_efficient: bool = False, in_channels: int = 3, small_input: bool = False) -> None:
        super().__init__()
        if small_input:
            stem_conv = nn.Conv2d(in_channels, num_init_features, kernel_size=3, stride=1, padding=1, bias=False)
            stem_pool = nn.Identity()
        else:
            stem_conv = nn.Conv2d(in_channels, num_init_features, kernel_size=7, stride=2, padding=3, bias=False)
            stem_pool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.features = nn.Sequential(collections.OrderedDict([
            ("conv0", stem_conv), ("norm0", nn.BatchNorm2d(num_init_features)),
            ("relu0", nn.ReLU(inplace=True)), ("pool0", stem_pool)]))
        num_features = num_init_features
        for i, num_layers in enumerate(block_config):
            block = _DenseBlock(num_layers, num_features, bn_size, growth_rate, drop_rate, memory_efficient)
            self.features.add_module(f"denseblock{i + 1}", block)
            num_features += num_layers * growth_rate
            if i != len(block_config) - 1:
                self.features.add_module(f"transition{i + 1}", _Transition(num_features, num_features // 2))
                num_features //= 2
        self.features.add_module("norm5", nn.BatchNorm2d(num_features))
        self.classifier = nn.Linear(num_features, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.Linear):
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        out = F.relu(self.features(x))
        out = F.adaptive_avg_pool2d(out, (1, 1)).flatten(1)
        return self.classifier(out)


@register("densenet121", input_size=96, small_input_size=28)
def densenet121(*, weights=None, progress: bool = True, **kwargs) -> DenseNet:
    """torchvision's ``densenet121`` (growth 32, blocks (6, 12, 24, 16), 64 stem features); ``kwargs``
    go to :class:`DenseNet` (num_classes, drop_rate, memory_efficient, in_channels, small_input)."""
    check_weights(weights)
    return DenseNet(32, (6, 12, 24, 16), 64, **kwargs)
