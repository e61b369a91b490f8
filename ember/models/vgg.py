"""VGG-11/13/16/19 (Simonyan & Zisserman 2014), with and without BatchNorm, in torchvision's layout.

Input: 224x224 as d2l uses it (five 2x2 max-pools need at least 32x32; the adaptive pool then
maps any size to 7x7). vgg16 has 138,357,544 parameters at 3 channels and 1000 classes.

>>> import ember
>>> from ember.models import vgg11
>>> vgg11(num_classes=10, in_channels=1)(ember.zeros(1, 1, 32, 32)).shape
ember.Size([1, 10])
"""
from __future__ import annotations

from .. import nn
from ._registry import check_weights, register
from .summary import SummaryMixin

# Conv widths per stage; "M" is a 2x2 max-pool. A = VGG-11, B = 13, D = 16, E = 19.
CFGS: dict[str, list] = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
          512, 512, 512, 512, "M"],
}


def make_layers(cfg: list, batch_norm: bool = False, in_channels: int = 3) -> nn.Sequential:
    """The ``features`` stack: ``conv3x3(pad 1) [-> BN] -> ReLU`` per width, max-pool per "M"."""
    layers: list[nn.Module] = []
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(v))
        layers.append(nn.ReLU(inplace=True))
        in_channels = v
    return nn.Sequential(*layers)


class VGG(SummaryMixin, nn.Module):
    """``features`` -> ``avgpool`` (adaptive, 7x7) -> ``classifier``
    (Linear(25088, 4096)-ReLU-Dropout-Linear(4096, 4096)-ReLU-Dropout-Linear).

    Shape: ``(N, C, H, W)`` with H, W >= 32 -> ``(N, num_classes)``.
    Init (``init_weights=True``, as torchvision): conv weights ~ kaiming_normal(fan_out, relu), conv
    biases 0; BN weight 1, bias 0; Linear weights ~ N(0, 0.01), biases 0.
    """

    def __init__(self, features: nn.Module, num_classes: int = 1000, init_weights: bool = True,
                 dropout: float = 0.5) -> None:
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            self.apply(_init_module)

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(x.flatten(1))


def _init_module(m: nn.Module) -> None:
    if isinstance(m, nn.Conv2d):
        nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        if m.bias is not None:
            nn.init.constant_(m.bias, 0)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.constant_(m.weight, 1)
        nn.init.constant_(m.bias, 0)
    elif isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, 0, 0.01)
        nn.init.constant_(m.bias, 0)


def _vgg(cfg: str, batch_norm: bool, weights, in_channels: int = 3, **kwargs) -> VGG:
    check_weights(weights)
    return VGG(make_layers(CFGS[cfg], batch_norm, in_channels), **kwargs)


def _builder(name: str, cfg: str, batch_norm: bool):
    def build(*, weights=None, progress: bool = True, in_channels: int = 3, **kwargs) -> VGG:
        return _vgg(cfg, batch_norm, weights, in_channels, **kwargs)
    depth = name[3:5]
    build.__name__ = build.__qualname__ = name
    build.__doc__ = (f"torchvision's ``{name}``: VGG-{depth}{' with BatchNorm' if batch_norm else ''}; "
                     "``kwargs`` go to :class:`VGG` (num_classes, init_weights, dropout).")
    return register(name, input_size=224)(build)


vgg11 = _builder("vgg11", "A", False)
vgg11_bn = _builder("vgg11_bn", "A", True)
vgg13 = _builder("vgg13", "B", False)
vgg13_bn = _builder("vgg13_bn", "B", True)
vgg16 = _builder("vgg16", "D", False)
vgg16_bn = _builder("vgg16_bn", "D", True)
vgg19 = _builder("vgg19", "E", False)
vgg19_bn = _builder("vgg19_bn", "E", True)
