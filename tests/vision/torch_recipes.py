"""The recipe models written in torch from d2l's code (torch.nn only; torchvision is not installed): the
oracles of tests/vision and of benchmarks/bench_vision.py. Module and parameter names are the book's and
torchvision's, so ember's state_dicts load into them."""
from __future__ import annotations

import torch

tnn = torch.nn


def torch_blk(cin, cout):
    layers = []
    for _ in range(2):
        layers += [tnn.Conv2d(cin, cout, 3, padding=1), tnn.BatchNorm2d(cout), tnn.ReLU()]
        cin = cout
    return tnn.Sequential(*layers, tnn.MaxPool2d(2))


class TorchTinySSD(tnn.Module):
    """d2l's TinySSD heads and blocks (anchors are not needed to compare the predictions)."""

    def __init__(self, num_classes):
        super().__init__()
        self.num_classes = num_classes
        blocks = [tnn.Sequential(torch_blk(3, 16), torch_blk(16, 32), torch_blk(32, 64)), torch_blk(64, 128),
                  torch_blk(128, 128), torch_blk(128, 128), tnn.AdaptiveMaxPool2d((1, 1))]
        for i, c in enumerate([64, 128, 128, 128, 128]):
            setattr(self, f"blk_{i}", blocks[i])
            setattr(self, f"cls_{i}", tnn.Conv2d(c, 4 * (num_classes + 1), 3, padding=1))
            setattr(self, f"bbox_{i}", tnn.Conv2d(c, 16, 3, padding=1))

    def forward(self, X):
        cls, bbox = [], []
        for i in range(5):
            X = getattr(self, f"blk_{i}")(X)
            cls.append(getattr(self, f"cls_{i}")(X).permute(0, 2, 3, 1).flatten(1))
            bbox.append(getattr(self, f"bbox_{i}")(X).permute(0, 2, 3, 1).flatten(1))
        cls = torch.cat(cls, 1)
        return cls.reshape(cls.shape[0], -1, self.num_classes + 1), torch.cat(bbox, 1)


def torch_calc_loss(cls_preds, cls_labels, bbox_preds, bbox_labels, bbox_masks):
    b, c = cls_preds.shape[0], cls_preds.shape[2]
    cls = tnn.CrossEntropyLoss(reduction="none")(cls_preds.reshape(-1, c), cls_labels.reshape(-1))
    bbox = tnn.L1Loss(reduction="none")(bbox_preds * bbox_masks, bbox_labels * bbox_masks).mean(dim=1)
    return cls.reshape(b, -1).mean(dim=1) + bbox


class Block(tnn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = tnn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(cout)
        self.relu = tnn.ReLU(inplace=True)
        self.conv2 = tnn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = tnn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = tnn.Sequential(tnn.Conv2d(cin, cout, 1, stride, bias=False), tnn.BatchNorm2d(cout))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)) + identity)


class TorchResNet18(tnn.Module):
    """torchvision's resnet18 layout and forward, from torch.nn modules."""

    def __init__(self, num_classes=1000):
        super().__init__()
        self.conv1 = tnn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = tnn.BatchNorm2d(64)
        self.relu = tnn.ReLU(inplace=True)
        self.maxpool = tnn.MaxPool2d(3, 2, 1)
        cin = 64
        for i, cout in enumerate([64, 128, 256, 512], start=1):
            stride = 1 if i == 1 else 2
            setattr(self, f"layer{i}", tnn.Sequential(Block(cin, cout, stride), Block(cout, cout, 1)))
            cin = cout
        self.avgpool = tnn.AdaptiveAvgPool2d((1, 1))
        self.fc = tnn.Linear(512, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))




def torch_fcn(num_classes):
    """d2l's FCN: torchvision's resnet18 children but the last two, a 1x1 conv, a 64/32/16 transposed conv."""
    net = tnn.Sequential(*list(TorchResNet18().children())[:-2])
    net.add_module("final_conv", tnn.Conv2d(512, num_classes, kernel_size=1))
    net.add_module("transpose_conv", tnn.ConvTranspose2d(num_classes, num_classes, kernel_size=64, padding=16,
                                                         stride=32))
    return net
