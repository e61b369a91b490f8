"""GoogLeNet / Inception v1 (Szegedy et al. 2014) in torchvision's layout, so its checkpoints load.

As torchvision: convs are ``BasicConv2d`` (conv without bias, BN eps 1e-3, ReLU); the "5x5" branch
uses a 3x3 conv (torchvision's checkpoint does); ``aux_logits=True`` adds two auxiliary heads used
only in training mode, where ``forward`` returns ``GoogLeNetOutputs(logits, aux_logits2,
aux_logits1)``. 6,624,904 parameters without the aux heads (13,004,888 with them), 1000 classes.

Input: 96x96 as d2l uses it on Fashion-MNIST (224 on ImageNet); the ceil-mode pools keep any size
>= 1 alive, so 28x28 runs too.

>>> import ember
>>> from ember.models import googlenet
>>> googlenet(num_classes=10, in_channels=1, aux_logits=False)(ember.zeros(1, 1, 96, 96)).shape
ember.Size([1, 10])
"""
from __future__ import annotations

import collections
import warnings

import ember

from .. import nn
from ..nn import functional as F
from ._registry import check_weights, register
from .summary import SummaryMixin

GoogLeNetOutputs = collections.namedtuple("GoogLeNetOutputs", ["logits", "aux_logits2", "aux_logits1"])


class BasicConv2d(nn.Module):
    """``relu(bn(conv(x)))`` with a bias-free conv and BN eps 1e-3."""

    def __init__(self, in_channels: int, out_channels: int, **kwargs) -> None:
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, bias=False, **kwargs)
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class Inception(nn.Module):
    """Four parallel branches concatenated on channels: 1x1; 1x1 -> 3x3; 1x1 -> 3x3 (the paper's
    5x5); 3x3 max-pool -> 1x1. Output channels ``ch1x1 + ch3x3 + ch5x5 + pool_proj``."""

    def __init__(self, in_channels: int, ch1x1: int, ch3x3red: int, ch3x3: int, ch5x5red: int, ch5x5: int,
                 pool_proj: int) -> None:
        super().__init__()
        self.branch1 = BasicConv2d(in_channels, ch1x1, kernel_size=1)
        self.branch2 = nn.Sequential(BasicConv2d(in_channels, ch3x3red, kernel_size=1),
                                     BasicConv2d(ch3x3red, ch3x3, kernel_size=3, padding=1))
        self.branch3 = nn.Sequential(BasicConv2d(in_channels, ch5x5red, kernel_size=1),
                                     BasicConv2d(ch5x5red, ch5x5, kernel_size=3, padding=1))
        self.branch4 = nn.Sequential(nn.MaxPool2d(kernel_size=3, stride=1, padding=1, ceil_mode=True),
                                     BasicConv2d(in_channels, pool_proj, kernel_size=1))

    def forward(self, x):
        branches = [self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)]
        return ember.cat(branches, 1)


class InceptionAux(nn.Module):
    """Auxiliary head: adaptive avg-pool to 4x4 -> 1x1 conv (128) -> fc 1024 -> ReLU -> dropout -> fc."""

    def __init__(self, in_channels: int, num_classes: int, dropout: float = 0.7) -> None:
        super().__init__()
        self.conv = BasicConv2d(in_channels, 128, kernel_size=1)
        self.fc1 = nn.Linear(2048, 1024)
        self.fc2 = nn.Linear(1024, num_classes)
        self.dropout = nn.Dropout(p=dropout)

    def forward(self, x):
        x = self.conv(F.adaptive_avg_pool2d(x, (4, 4))).flatten(1)
        return self.fc2(self.dropout(F.relu(self.fc1(x))))


# (in, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj) per Inception module.
_INCEPTIONS = {
    "inception3a": (192, 64, 96, 128, 16, 32, 32), "inception3b": (256, 128, 128, 192, 32, 96, 64),
    "inception4a": (480, 192, 96, 208, 16, 48, 64), "inception4b": (512, 160, 112, 224, 24, 64, 64),
    "inception4c": (512, 128, 128, 256, 24, 64, 64), "inception4d": (512, 112, 144, 288, 32, 64, 64),
    "inception4e": (528, 256, 160, 320, 32, 128, 128), "inception5a": (832, 256, 160, 320, 32, 128, 128),
    "inception5b": (832, 384, 192, 384, 48, 128, 128),
}


class GoogLeNet(SummaryMixin, nn.Module):
    """Stem (7x7/2 conv, pool, 1x1 conv, 3x3 conv, pool) -> Inception 3a,3b -> pool -> 4a..4e ->
    pool -> 5a,5b -> global avg-pool -> dropout -> fc(1024, num_classes).

    Shape: ``(N, in_channels, H, W) -> (N, num_classes)`` (a ``GoogLeNetOutputs`` in training mode
    with ``aux_logits``). Init (``init_weights=True``): conv and Linear weights ~ N(0, 0.01)
    truncated to [-2, 2]; BN weight 1, bias 0. ``transform_input`` maps ImageNet-normalized RGB
    to the (x - 0.5) / 0.5 scaling of Google's original weights.
    """

    def __init__(self, num_classes: int = 1000, aux_logits: bool = True, transform_input: bool = False,
                 init_weights: bool | None = None, blocks=None, dropout: float = 0.2, dropout_aux: float = 0.7,
                 in_channels: int = 3) -> None:
        super().__init__()
        if blocks is not None:
            raise NotImplementedError("GoogLeNet(blocks=...) custom block classes are not supported")
        if init_weights is None:
            warnings.warn("The default weight initialization of GoogleNet will be changed in future releases of "
                          "torchvision. If you wish to keep the old behavior (which leads to long initialization "
                          "times due to scipy/scipy#11299), please set init_weights=True.", FutureWarning)
            init_weights = True
        self.aux_logits = aux_logits
        self.transform_input = transform_input
        self.conv1 = BasicConv2d(in_channels, 64, kernel_size=7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = BasicConv2d(64, 64, kernel_size=1)
        self.conv3 = BasicConv2d(64, 192, kernel_size=3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        for name in ("inception3a", "inception3b"):
            setattr(self, name, Inception(*_INCEPTIONS[name]))
        self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        for name in ("inception4a", "inception4b", "inception4c", "inception4d", "inception4e"):
            setattr(self, name, Inception(*_INCEPTIONS[name]))
        self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)
        for name in ("inception5a", "inception5b"):
            setattr(self, name, Inception(*_INCEPTIONS[name]))
        if aux_logits:
            self.aux1 = InceptionAux(512, num_classes, dropout=dropout_aux)
            self.aux2 = InceptionAux(528, num_classes, dropout=dropout_aux)
        else:
            self.aux1 = None
            self.aux2 = None
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(p=dropout)
        self.fc = nn.Linear(1024, num_classes)
        if init_weights:
            self.apply(_init_module)

    def _transform_input(self, x):
        if not self.transform_input:
            return x
        channels = [x[:, i:i + 1] * (std / 0.5) + (mean - 0.5) / 0.5
                    for i, (mean, std) in enumerate(zip((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)))]
        return ember.cat(channels, 1)

    def forward(self, x):
        x = self.maxpool1(self.conv1(self._transform_input(x)))
        x = self.maxpool2(self.conv3(self.conv2(x)))
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        x = self.inception4a(x)
        use_aux = self.training and self.aux1 is not None
        aux1 = self.aux1(x) if use_aux else None
        x = self.inception4d(self.inception4c(self.inception4b(x)))
        aux2 = self.aux2(x) if use_aux else None
        x = self.maxpool4(self.inception4e(x))
        x = self.inception5b(self.inception5a(x))
        x = self.fc(self.dropout(self.avgpool(x).flatten(1)))
        if self.training and self.aux_logits:
            return GoogLeNetOutputs(x, aux2, aux1)
        return x


def _init_module(m: nn.Module) -> None:
    if isinstance(m, (nn.Conv2d, nn.Linear)):
        nn.init.trunc_normal_(m.weight, mean=0.0, std=0.01, a=-2, b=2)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.constant_(m.weight, 1)
        nn.init.constant_(m.bias, 0)


@register("googlenet", input_size=96)
def googlenet(*, weights=None, progress: bool = True, **kwargs) -> GoogLeNet:
    """torchvision's ``googlenet``; ``kwargs`` go to :class:`GoogLeNet` (num_classes, aux_logits,
    transform_input, init_weights, dropout, dropout_aux, in_channels). As torchvision with
    ``weights=None``, ``aux_logits`` defaults to True and ``init_weights`` to True (no warning here)."""
    check_weights(weights)
    kwargs.setdefault("init_weights", True)
    return GoogLeNet(**kwargs)
