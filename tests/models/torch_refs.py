"""Compact torch.nn re-implementations of the zoo, with torchvision's module names, as the oracle
for ember.models: state_dict manifests (keys, shapes), parameter counts and forward outputs.

Written from the architectures' published facts, not copied from torchvision. Run
``python -m tests.models.torch_refs`` to (re)write tests/models/manifests/*.json.
"""
from __future__ import annotations

import json
import pathlib
from collections import OrderedDict

import torch
from torch import nn
import torch.nn.functional as F

MANIFESTS = pathlib.Path(__file__).parent / "manifests"


# ----------------------------------------------------------------------------- d2l models
def mlp(num_classes=10, in_channels=1, image_size=28, hidden_sizes=(256,)):
    layers, width = [nn.Flatten()], in_channels * image_size * image_size
    for h in hidden_sizes:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    return _Net(layers + [nn.Linear(width, num_classes)])


class _Net(nn.Module):
    """d2l keeps its layers in ``self.net``."""

    def __init__(self, layers):
        super().__init__()
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


def lenet(num_classes=10, in_channels=1):
    return _Net([nn.Conv2d(in_channels, 6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, 2),
                 nn.Conv2d(6, 16, 5), nn.Sigmoid(), nn.AvgPool2d(2, 2), nn.Flatten(),
                 nn.Linear(400, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, num_classes)])


def lenet_bn(num_classes=10, in_channels=1):
    return _Net([nn.Conv2d(in_channels, 6, 5), nn.BatchNorm2d(6), nn.Sigmoid(), nn.AvgPool2d(2, 2),
                 nn.Conv2d(6, 16, 5), nn.BatchNorm2d(16), nn.Sigmoid(), nn.AvgPool2d(2, 2), nn.Flatten(),
                 nn.Linear(256, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
                 nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(), nn.Linear(84, num_classes)])


def nin(num_classes=10, in_channels=1):
    def block(i, o, k, s, p):
        return nn.Sequential(nn.Conv2d(i, o, k, s, p), nn.ReLU(), nn.Conv2d(o, o, 1), nn.ReLU(),
                             nn.Conv2d(o, o, 1), nn.ReLU())
    return _Net([block(in_channels, 96, 11, 4, 0), nn.MaxPool2d(3, 2), block(96, 256, 5, 1, 2), nn.MaxPool2d(3, 2),
                 block(256, 384, 3, 1, 1), nn.MaxPool2d(3, 2), nn.Dropout(0.5), block(384, num_classes, 3, 1, 1),
                 nn.AdaptiveAvgPool2d(1), nn.Flatten()])


# ----------------------------------------------------------------------------- AlexNet, VGG
class _FeaturesClassifier(nn.Module):
    def __init__(self, features, pool, classifier):
        super().__init__()
        self.features, self.avgpool, self.classifier = features, nn.AdaptiveAvgPool2d(pool), classifier

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


def alexnet(num_classes=1000, in_channels=3):
    convs = [(in_channels, 64, 11, 4, 2, True), (64, 192, 5, 1, 2, True), (192, 384, 3, 1, 1, False),
             (384, 256, 3, 1, 1, False), (256, 256, 3, 1, 1, True)]
    feats = []
    for i, o, k, s, p, pool in convs:
        feats += [nn.Conv2d(i, o, k, s, p), nn.ReLU(inplace=True)] + ([nn.MaxPool2d(3, 2)] if pool else [])
    head = [nn.Dropout(), nn.Linear(9216, 4096), nn.ReLU(), nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(),
            nn.Linear(4096, num_classes)]
    return _FeaturesClassifier(nn.Sequential(*feats), 6, nn.Sequential(*head))


VGG_DEPTHS = {11: (1, 1, 2, 2, 2), 13: (2, 2, 2, 2, 2), 16: (2, 2, 3, 3, 3), 19: (2, 2, 4, 4, 4)}


def vgg(depth, batch_norm=False, num_classes=1000, in_channels=3):
    feats, c = [], in_channels
    for width, reps in zip((64, 128, 256, 512, 512), VGG_DEPTHS[depth]):
        for _ in range(reps):
            feats += [nn.Conv2d(c, width, 3, padding=1)] + ([nn.BatchNorm2d(width)] if batch_norm else []) + [nn.ReLU()]
            c = width
        feats.append(nn.MaxPool2d(2, 2))
    head = [nn.Linear(25088, 4096), nn.ReLU(), nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(),
            nn.Linear(4096, num_classes)]
    return _FeaturesClassifier(nn.Sequential(*feats), 7, nn.Sequential(*head))


# ----------------------------------------------------------------------------- GoogLeNet
class BasicConv2d(nn.Module):
    def __init__(self, i, o, **kw):
        super().__init__()
        self.conv, self.bn = nn.Conv2d(i, o, bias=False, **kw), nn.BatchNorm2d(o, eps=0.001)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class Inception(nn.Module):
    def __init__(self, i, c1, c3r, c3, c5r, c5, pp):
        super().__init__()
        self.branch1 = BasicConv2d(i, c1, kernel_size=1)
        self.branch2 = nn.Sequential(BasicConv2d(i, c3r, kernel_size=1), BasicConv2d(c3r, c3, kernel_size=3, padding=1))
        self.branch3 = nn.Sequential(BasicConv2d(i, c5r, kernel_size=1), BasicConv2d(c5r, c5, kernel_size=3, padding=1))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True), BasicConv2d(i, pp, kernel_size=1))

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class InceptionAux(nn.Module):
    def __init__(self, i, num_classes):
        super().__init__()
        self.conv = BasicConv2d(i, 128, kernel_size=1)
        self.fc1, self.fc2, self.dropout = nn.Linear(2048, 1024), nn.Linear(1024, num_classes), nn.Dropout(0.7)

    def forward(self, x):
        x = torch.flatten(self.conv(F.adaptive_avg_pool2d(x, 4)), 1)
        return self.fc2(self.dropout(F.relu(self.fc1(x))))


INCEPTIONS = [("3a", 192, 64, 96, 128, 16, 32, 32), ("3b", 256, 128, 128, 192, 32, 96, 64), ("pool", 3),
              ("4a", 480, 192, 96, 208, 16, 48, 64), ("4b", 512, 160, 112, 224, 24, 64, 64),
              ("4c", 512, 128, 128, 256, 24, 64, 64), ("4d", 512, 112, 144, 288, 32, 64, 64),
              ("4e", 528, 256, 160, 320, 32, 128, 128), ("pool", 4),
              ("5a", 832, 256, 160, 320, 32, 128, 128), ("5b", 832, 384, 192, 384, 48, 128, 128)]


class GoogLeNet(nn.Module):
    def __init__(self, num_classes=1000, aux_logits=True, in_channels=3):
        super().__init__()
        self.conv1 = BasicConv2d(in_channels, 64, kernel_size=7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.conv2 = BasicConv2d(64, 64, kernel_size=1)
        self.conv3 = BasicConv2d(64, 192, kernel_size=3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
        for spec in INCEPTIONS:
            if spec[0] == "pool":
                k = 3 if spec[1] == 3 else 2
                setattr(self, f"maxpool{spec[1]}", nn.MaxPool2d(k, 2, ceil_mode=True))
            else:
                setattr(self, "inception" + spec[0], Inception(*spec[1:]))
        self.aux1 = InceptionAux(512, num_classes) if aux_logits else None
        self.aux2 = InceptionAux(528, num_classes) if aux_logits else None
        self.avgpool, self.dropout, self.fc = nn.AdaptiveAvgPool2d(1), nn.Dropout(0.2), nn.Linear(1024, num_classes)

    def forward(self, x):
        x = self.maxpool2(self.conv3(self.conv2(self.maxpool1(self.conv1(x)))))
        aux = []
        for spec in INCEPTIONS:
            name = f"maxpool{spec[1]}" if spec[0] == "pool" else "inception" + spec[0]
            x = getattr(self, name)(x)
            if spec[0] in ("4a", "4d") and self.aux1 is not None and self.training:
                aux.append((self.aux1 if spec[0] == "4a" else self.aux2)(x))
        x = self.fc(self.dropout(torch.flatten(self.avgpool(x), 1)))
        return (x, aux[1], aux[0]) if aux else x


# ----------------------------------------------------------------------------- ResNet family
class SqueezeExcitation(nn.Module):
    def __init__(self, c, s):
        super().__init__()
        self.avgpool, self.fc1, self.fc2 = nn.AdaptiveAvgPool2d(1), nn.Conv2d(c, s, 1), nn.Conv2d(s, c, 1)
        self.activation, self.scale_activation = nn.ReLU(), nn.Sigmoid()

    def forward(self, x):
        return x * self.scale_activation(self.fc2(self.activation(self.fc1(self.avgpool(x)))))


class Block(nn.Module):
    """BasicBlock (bottleneck=False) or Bottleneck, optionally with ``se``."""

    def __init__(self, inp, planes, stride, bottleneck, groups=1, width_per_group=64, se=False):
        super().__init__()
        exp = 4 if bottleneck else 1
        out = planes * exp
        if bottleneck:
            w = int(planes * width_per_group / 64) * groups
            self.conv1, self.bn1 = nn.Conv2d(inp, w, 1, bias=False), nn.BatchNorm2d(w)
            self.conv2, self.bn2 = nn.Conv2d(w, w, 3, stride, 1, groups=groups, bias=False), nn.BatchNorm2d(w)
            self.conv3, self.bn3 = nn.Conv2d(w, out, 1, bias=False), nn.BatchNorm2d(out)
        else:
            self.conv1, self.bn1 = nn.Conv2d(inp, planes, 3, stride, 1, bias=False), nn.BatchNorm2d(planes)
            self.conv2, self.bn2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False), nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.bottleneck = bottleneck
        if stride != 1 or inp != out:
            self.downsample = nn.Sequential(nn.Conv2d(inp, out, 1, stride, bias=False), nn.BatchNorm2d(out))
        else:
            self.downsample = None
        if se:
            self.se = SqueezeExcitation(out, out // 16)

    def forward(self, x):
        r = self.relu(self.bn1(self.conv1(x)))
        r = self.bn2(self.conv2(r))
        if self.bottleneck:
            r = self.bn3(self.conv3(self.relu(r)))
        if hasattr(self, "se"):
            r = self.se(r)
        return self.relu(r + (x if self.downsample is None else self.downsample(x)))


RESNETS = {"resnet18": (False, [2, 2, 2, 2], {}), "resnet34": (False, [3, 4, 6, 3], {}),
           "resnet50": (True, [3, 4, 6, 3], {}), "resnet101": (True, [3, 4, 23, 3], {}),
           "resnext50_32x4d": (True, [3, 4, 6, 3], {"groups": 32, "width_per_group": 4}),
           "se_resnet18": (False, [2, 2, 2, 2], {"se": True}), "se_resnet34": (False, [3, 4, 6, 3], {"se": True}),
           "se_resnet50": (True, [3, 4, 6, 3], {"se": True}), "se_resnet101": (True, [3, 4, 23, 3], {"se": True})}


class ResNet(nn.Module):
    def __init__(self, name, num_classes=1000, in_channels=3, small_input=False):
        super().__init__()
        bottleneck, layers, kw = RESNETS[name]
        k, s = (3, 1) if small_input else (7, 2)
        self.conv1 = nn.Conv2d(in_channels, 64, k, s, k // 2, bias=False)
        self.bn1, self.relu = nn.BatchNorm2d(64), nn.ReLU(inplace=True)
        self.maxpool = nn.Identity() if small_input else nn.MaxPool2d(3, 2, 1)
        inp = 64
        for i, (planes, n) in enumerate(zip((64, 128, 256, 512), layers)):
            blocks = []
            for j in range(n):
                blocks.append(Block(inp, planes, 2 if i > 0 and j == 0 else 1, bottleneck, **kw))
                inp = planes * (4 if bottleneck else 1)
            setattr(self, f"layer{i + 1}", nn.Sequential(*blocks))
        self.avgpool, self.fc = nn.AdaptiveAvgPool2d(1), nn.Linear(inp, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


# ----------------------------------------------------------------------------- DenseNet-121
class DenseLayer(nn.Module):
    def __init__(self, c, growth=32, bn_size=4):
        super().__init__()
        self.norm1, self.relu1 = nn.BatchNorm2d(c), nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(c, bn_size * growth, 1, bias=False)
        self.norm2, self.relu2 = nn.BatchNorm2d(bn_size * growth), nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(bn_size * growth, growth, 3, padding=1, bias=False)

    def forward(self, feats):
        x = self.conv1(self.relu1(self.norm1(torch.cat(feats, 1))))
        return self.conv2(self.relu2(self.norm2(x)))


class DenseBlock(nn.ModuleDict):
    def __init__(self, n, c, growth=32):
        super().__init__({f"denselayer{i + 1}": DenseLayer(c + i * growth) for i in range(n)})

    def forward(self, x):
        feats = [x]
        for layer in self.values():
            feats.append(layer(feats))
        return torch.cat(feats, 1)


class DenseNet121(nn.Module):
    def __init__(self, num_classes=1000, in_channels=3, small_input=False):
        super().__init__()
        k, s = (3, 1) if small_input else (7, 2)
        stem = [("conv0", nn.Conv2d(in_channels, 64, k, s, k // 2, bias=False)), ("norm0", nn.BatchNorm2d(64)),
                ("relu0", nn.ReLU(inplace=True)), ("pool0", nn.Identity() if small_input else nn.MaxPool2d(3, 2, 1))]
        self.features = nn.Sequential(OrderedDict(stem))
        c = 64
        for i, n in enumerate((6, 12, 24, 16)):
            self.features.add_module(f"denseblock{i + 1}", DenseBlock(n, c))
            c += 32 * n
            if i < 3:
                self.features.add_module(f"transition{i + 1}", nn.Sequential(OrderedDict([
                    ("norm", nn.BatchNorm2d(c)), ("relu", nn.ReLU(inplace=True)),
                    ("conv", nn.Conv2d(c, c // 2, 1, bias=False)), ("pool", nn.AvgPool2d(2, 2))])))
                c //= 2
        self.features.add_module("norm5", nn.BatchNorm2d(c))
        self.classifier = nn.Linear(c, num_classes)

    def forward(self, x):
        x = F.adaptive_avg_pool2d(F.relu(self.features(x)), 1)
        return self.classifier(torch.flatten(x, 1))


# ----------------------------------------------------------------------------- MobileNetV2
def _cna(i, o, k=3, s=1, groups=1):
    return nn.Sequential(nn.Conv2d(i, o, k, s, (k - 1) // 2, groups=groups, bias=False), nn.BatchNorm2d(o),
                         nn.ReLU6(inplace=True))


class InvertedResidual(nn.Module):
    def __init__(self, i, o, s, t):
        super().__init__()
        h = i * t
        layers = ([_cna(i, h, 1)] if t != 1 else []) + [_cna(h, h, 3, s, groups=h), nn.Conv2d(h, o, 1, bias=False),
                                                         nn.BatchNorm2d(o)]
        self.conv = nn.Sequential(*layers)
        self.res = s == 1 and i == o

    def forward(self, x):
        return x + self.conv(x) if self.res else self.conv(x)


class MobileNetV2(nn.Module):
    def __init__(self, num_classes=1000, in_channels=3, small_input=False):
        super().__init__()
        feats, c = [_cna(in_channels, 32, 3, 1 if small_input else 2)], 32
        for t, o, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                           (6, 160, 3, 2), (6, 320, 1, 1)]:
            for j in range(n):
                feats.append(InvertedResidual(c, o, s if j == 0 else 1, t))
                c = o
        self.features = nn.Sequential(*feats, _cna(c, 1280, 1))
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(F.adaptive_avg_pool2d(self.features(x), 1), 1))


# ----------------------------------------------------------------------------- registry
BUILDERS = {
    "mlp": mlp, "lenet": lenet, "lenet_bn": lenet_bn, "nin": nin, "alexnet": alexnet,
    **{f"vgg{d}{bn}": (lambda d=d, bn=bn, **kw: vgg(d, bn == "_bn", **kw)) for d in VGG_DEPTHS for bn in ("", "_bn")},
    "googlenet": GoogLeNet,
    **{name: (lambda name=name, **kw: ResNet(name, **kw)) for name in RESNETS},
    "densenet121": DenseNet121, "mobilenet_v2": MobileNetV2,
}
TORCHVISION = ["alexnet"] + [f"vgg{d}{bn}" for d in VGG_DEPTHS for bn in ("", "_bn")] + [
    "googlenet", "resnet18", "resnet34", "resnet50", "resnet101", "resnext50_32x4d", "densenet121", "mobilenet_v2"]


def build(name: str, **kwargs) -> nn.Module:
    return BUILDERS[name](**kwargs)


def manifest(model: nn.Module) -> dict:
    return {k: list(v.shape) for k, v in model.state_dict().items()}


def write_manifests(names=TORCHVISION) -> None:
    MANIFESTS.mkdir(exist_ok=True)
    for name in names:
        with torch.device("meta"):
            model = build(name)
        text = json.dumps(manifest(model), indent=0)
        (MANIFESTS / f"{name}.json").write_text(text + "\n")


if __name__ == "__main__":
    write_manifests()
