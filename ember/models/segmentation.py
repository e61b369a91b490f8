"""The fully convolutional network of Dive into Deep Learning 1.0 (ch. 14.11): a ResNet-18 without its
global pool and classifier, a 1x1 conv to the classes, and a transposed convolution (kernel 64,
stride 32, padding 16) that brings the 1/32 map back to the input's size, initialised as bilinear
up-sampling by ``bilinear_kernel``.

``bilinear_kernel(c, c, k)`` puts on the diagonal (channel i -> channel i) the separable tent
``w(u, v) = (1 - |u - m| / f) (1 - |v - m| / f)`` with ``f = ceil(k / 2)`` and centre
``m = f - 1`` (k odd) or ``f - 0.5`` (k even); a transposed conv of stride ``s = k / 2`` and padding
``s / 2`` with it equals bilinear interpolation by ``s`` (``align_corners=False``) away from the
border.

>>> import ember
>>> net = fcn_resnet18(num_classes=4)
>>> net(ember.zeros(1, 3, 64, 96)).shape
ember.Size([1, 4, 64, 96])
"""
from __future__ import annotations

import numpy as np

import ember
from ember import nn
from ember.tensor import Tensor

from .resnet import resnet18

__all__ = ["bilinear_kernel", "fcn_resnet18"]


def bilinear_kernel(in_channels: int, out_channels: int, kernel_size: int) -> Tensor:
    """Weight (in_channels, out_channels, k, k) of a transposed conv that up-samples bilinearly, each input
    channel to the output channel of the same index (the others zero).

    >>> bilinear_kernel(1, 1, 4)[0, 0, 0]
    tensor([0.0625, 0.1875, 0.1875, 0.0625])
    """
    factor = (kernel_size + 1) // 2
    center = factor - 1 if kernel_size % 2 == 1 else factor - 0.5
    og = np.arange(kernel_size, dtype=np.float64)
    tent = 1 - np.abs(og - center) / factor
    filt = np.outer(tent, tent)
    weight = np.zeros((in_channels, out_channels, kernel_size, kernel_size), np.float32)
    n = min(in_channels, out_channels)
    weight[np.arange(n), np.arange(n)] = filt
    return ember.from_numpy(weight)


def fcn_resnet18(num_classes: int, backbone: nn.Module | None = None) -> nn.Sequential:
    """FCN: ``backbone``'s children but the last two (avgpool, fc), then ``final_conv`` (1x1, 512 ->
    num_classes) and ``transpose_conv`` (num_classes -> num_classes, kernel 64, stride 32, padding 16) set to
    ``bilinear_kernel``.

    Shape: ``(N, 3, H, W) -> (N, num_classes, H, W)`` for H, W multiples of 32.
    Init: the backbone as given (default: a fresh ``ember.models.resnet18()``, torchvision's init; pass one
    with trained weights to fine-tune), ``final_conv`` Conv2d's default, ``transpose_conv`` bilinear (its bias 0).
    """
    backbone = resnet18() if backbone is None else backbone
    net = nn.Sequential(*list(backbone.children())[:-2])
    net.add_module("final_conv", nn.Conv2d(512, num_classes, kernel_size=1))
    net.add_module("transpose_conv", nn.ConvTranspose2d(num_classes, num_classes, kernel_size=64, padding=16,
                                                        stride=32))
    with ember.no_grad():
        net.transpose_conv.weight.copy_(bilinear_kernel(num_classes, num_classes, 64))
        net.transpose_conv.bias.zero_()
    return net
