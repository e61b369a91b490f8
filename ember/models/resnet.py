"""ResNet-18/34/50/101 (He et al. 2015), ResNeXt-50 32x4d (Xie et al. 2016) and SE-ResNets
(Hu et al. 2017) in torchvision's layout, so torchvision checkpoints load into the plain models.

``small_input=True`` swaps the stem for a 3x3/1 conv without max-pool (the CIFAR-style stem), for
28x28 Fashion-MNIST as is; state_dict keys stay the same (``conv1.weight`` becomes 64xCx3x3).
Without it the 7x7/2 stem and max-pool expect d2l's 96x96 (224 on ImageNet).
Parameters at 3 channels and 1000 classes: resnet18 11,689,512; resnet34 21,797,672; resnet50
25,557,032; resnet101 44,549,160; resnext50_32x4d 25,028,904.

>>> import ember
>>> from ember.models import resnet18
>>> net = resnet18(num_classes=10, in_channels=1, small_input=True)
>>> net(ember.zeros(2, 1, 28, 28)).shape
ember.Size([2, 10])
"""
from __future__ import annotations

from typing import Callable, Sequence, Type, Union

from .. import nn
from ..nn import functional as F
from ._registry import check_weights, register
from .summary import SummaryMixin


def conv3x3(in_planes: int, out_planes: int, stride: int = 1, groups: int = 1, dilation: int = 1) -> nn.Conv2d:
    """3x3 convolution with padding, no bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation, groups=groups,
                     bias=False, dilation=dilation)


def conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    """1x1 convolution, no bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class SqueezeExcitation(nn.Module):
    """``x * sigmoid(fc2(relu(fc1(avgpool(x)))))``: per-channel gates from a global average, with
    ``fc1``/``fc2`` 1x1 convs (with bias), named as torchvision.ops.SqueezeExcitation."""

    def __init__(self, input_channels: int, squeeze_channels: int) -> None:
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, input_channels, 1)
        self.activation = nn.ReLU()
        self.scale_activation = nn.Sigmoid()

    def forward(self, x):
        scale = self.fc2(self.activation(self.fc1(self.avgpool(x))))
        return x * self.scale_activation(scale)


class BasicBlock(nn.Module):
    """``relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))`` with 3x3 convs (ResNet-18/34)."""

    expansion: int = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None,
                 groups: int = 1, base_width: int = 64, dilation: int = 1,
                 norm_layer: Callable[..., nn.Module] | None = None) -> None:
        super().__init__()
        norm_layer = nn.BatchNorm2d if norm_layer is None else norm_layer
        if groups != 1 or base_width != 64:
            raise ValueError("BasicBlock only supports groups=1 and base_width=64")
        if dilation > 1:
            raise NotImplementedError("Dilation > 1 not supported in BasicBlock")
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def residual(self, x):
        return self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(self.residual(x) + identity)


class Bottleneck(nn.Module):
    """``1x1 (reduce) -> 3x3 (stride, groups) -> 1x1 (expand x4)`` with a shortcut (ResNet-50+).
    The stride sits on the 3x3 conv (ResNet v1.5), as torchvision."""

    expansion: int = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None,
                 groups: int = 1, base_width: int = 64, dilation: int = 1,
                 norm_layer: Callable[..., nn.Module] | None = None) -> None:
        super().__init__()
        norm_layer = nn.BatchNorm2d if norm_layer is None else norm_layer
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = norm_layer(width)
        self.conv2 = conv3x3(width, width, stride, groups, dilation)
        self.bn2 = norm_layer(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def residual(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return self.bn3(self.conv3(out))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(self.residual(x) + identity)


class SEBasicBlock(BasicBlock):
    """BasicBlock whose residual is gated by squeeze-excitation (``se``, reduction 16) before the add."""

    reduction: int = 16

    def __init__(self, inplanes: int, planes: int, *args, **kwargs) -> None:
        super().__init__(inplanes, planes, *args, **kwargs)
        channels = planes * self.expansion
        self.se = SqueezeExcitation(channels, max(channels // self.reduction, 1))

    def residual(self, x):
        return self.se(super().residual(x))


class SEBottleneck(Bottleneck):
    """Bottleneck whose residual is gated by squeeze-excitation (``se``, reduction 16) before the add."""

    reduction: int = 16

    def __init__(self, inplanes: int, planes: int, *args, **kwargs) -> None:
        super().__init__(inplanes, planes, *args, **kwargs)
        channels = planes * self.expansion
        self.se = SqueezeExcitation(channels, max(channels // self.reduction, 1))

    def residual(self, x):
        return self.se(super().residual(x))


Block = Type[Union[BasicBlock, Bottleneck]]


class ResNet(SummaryMixin, nn.Module):
    """Stem (``conv1``-``bn1``-``relu``-``maxpool``) -> ``layer1..4`` (64, 128, 256, 512 planes, stride
    1, 2, 2, 2) -> ``avgpool`` (global) -> ``fc``.

    Shape: ``(N, in_channels, H, W) -> (N, num_classes)``.
    Init (as torchvision): conv weights ~ kaiming_normal(fan_out, relu); BN/GroupNorm weight 1,
    bias 0; fc keeps Linear's default. ``zero_init_residual`` zeroes each block's last BN weight
    so every block starts as the identity. ``replace_stride_with_dilation`` (3 bools, for layer2..4)
    trades stride for dilation.
    """

    def __init__(self, block: Block, layers: Sequence[int], num_classes: int = 1000, zero_init_residual: bool = False,
                 groups: int = 1, width_per_group: int = 64,
                 replace_stride_with_dilation: Sequence[bool] | None = None,
                 norm_layer: Callable[..., nn.Module] | None = None, in_channels: int = 3,
                 small_input: bool = False) -> None:
        super().__init__()
        self._norm_layer = nn.BatchNorm2d if norm_layer is None else norm_layer
        self.inplanes = 64
        self.dilation = 1
        if replace_stride_with_dilation is None:
            replace_stride_with_dilation = [False, False, False]
        if len(replace_stride_with_dilation) != 3:
            raise ValueError("replace_stride_with_dilation should be None or a 3-element tuple, "
                             f"got {replace_stride_with_dilation}")
        self.groups = groups
        self.base_width = width_per_group
        if small_input:
            self.conv1 = nn.Conv2d(in_channels, self.inplanes, kernel_size=3, stride=1, padding=1, bias=False)
        else:
            self.conv1 = nn.Conv2d(in_channels, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = self._norm_layer(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.Identity() if small_input else nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2, dilate=replace_stride_with_dilation[0])
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2, dilate=replace_stride_with_dilation[1])
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2, dilate=replace_stride_with_dilation[2])
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)
        self._init_weights(zero_init_residual)

    def _init_weights(self, zero_init_residual: bool) -> None:
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        if zero_init_residual:
            for m in self.modules():
                last_bn = m.bn3 if isinstance(m, Bottleneck) else m.bn2 if isinstance(m, BasicBlock) else None
                if last_bn is not None and last_bn.weight is not None:
                    nn.init.constant_(last_bn.weight, 0)

    def _make_layer(self, block: Block, planes: int, blocks: int, stride: int = 1,
                    dilate: bool = False) -> nn.Sequential:
        norm_layer = self._norm_layer
        downsample = None
        previous_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes * block.expansion, stride),
                                       norm_layer(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample, self.groups, self.base_width,
                        previous_dilation, norm_layer)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, groups=self.groups, base_width=self.base_width,
                                dilation=self.dilation, norm_layer=norm_layer))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(self.avgpool(x).flatten(1))


def _resnet(block: Block, layers: Sequence[int], weights, **kwargs) -> ResNet:
    check_weights(weights)
    return ResNet(block, layers, **kwargs)


_SPECS = {  # name: (block, blocks per stage, extra ResNet kwargs)
    "resnet18": (BasicBlock, [2, 2, 2, 2], {}),
    "resnet34": (BasicBlock, [3, 4, 6, 3], {}),
    "resnet50": (Bottleneck, [3, 4, 6, 3], {}),
    "resnet101": (Bottleneck, [3, 4, 23, 3], {}),
    "resnext50_32x4d": (Bottleneck, [3, 4, 6, 3], {"groups": 32, "width_per_group": 4}),
    "se_resnet18": (SEBasicBlock, [2, 2, 2, 2], {}),
    "se_resnet34": (SEBasicBlock, [3, 4, 6, 3], {}),
    "se_resnet50": (SEBottleneck, [3, 4, 6, 3], {}),
    "se_resnet101": (SEBottleneck, [3, 4, 23, 3], {}),
}


def _builder(name: str):
    block, layers, fixed = _SPECS[name]

    def build(*, weights=None, progress: bool = True, **kwargs) -> ResNet:
        return _resnet(block, layers, weights, **fixed, **kwargs)
    build.__name__ = build.__qualname__ = name
    build.__doc__ = (f"``{name}``: {block.__name__} x {layers}{', ' + str(fixed) if fixed else ''}; ``kwargs`` "
                     "go to :class:`ResNet` (num_classes, zero_init_residual, in_channels, small_input, ...).")
    return register(name, input_size=96, small_input_size=28)(build)


resnet18 = _builder("resnet18")
resnet34 = _builder("resnet34")
resnet50 = _builder("resnet50")
resnet101 = _builder("resnet101")
resnext50_32x4d = _builder("resnext50_32x4d")
se_resnet18 = _builder("se_resnet18")
se_resnet34 = _builder("se_resnet34")
se_resnet50 = _builder("se_resnet50")
se_resnet101 = _builder("se_resnet101")
