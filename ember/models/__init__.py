"""Model zoo: the CNN families of d2l and torchvision, with torchvision's names, signatures and
``state_dict`` keys where torchvision has the model (so its checkpoints load), and a registry.

>>> import ember.models as models
>>> net = models.get_model("lenet")
>>> models.input_size("alexnet"), models.input_size("resnet18", small_input=True)
(224, 28)
>>> "resnet18" in models.list_models()
True
"""
from __future__ import annotations

from ._registry import MODELS as _MODELS
from .alexnet import AlexNet, alexnet
from .densenet import DenseNet, densenet121
from .googlenet import GoogLeNet, GoogLeNetOutputs, googlenet
from .lenet import LeNet, lenet, lenet_bn
from .mlp import MLP, mlp
from .mobilenet import InvertedResidual, MobileNetV2, mobilenet_v2
from .nin import NiN, nin
from .resnet import (BasicBlock, Bottleneck, ResNet, SEBasicBlock, SEBottleneck, SqueezeExcitation,
                     resnet18, resnet34, resnet50, resnet101, resnext50_32x4d, se_resnet18, se_resnet34,
                     se_resnet50, se_resnet101)
from .summary import SummaryMixin, summary
from .vgg import VGG, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn


def list_models() -> list[str]:
    """The registered model names, sorted."""
    return sorted(_MODELS)


def _entry(name: str):
    key = name.lower()
    if key not in _MODELS:
        raise ValueError(f"Unknown model {name!r}; ember.models.list_models() gives {list_models()}")
    return _MODELS[key]


def get_model(name: str, **kwargs):
    """Build the registered model ``name`` with ``kwargs`` passed to its builder, e.g.
    ``get_model("resnet18", num_classes=10, in_channels=1, small_input=True)``."""
    return _entry(name).builder(**kwargs)


def input_size(name: str, small_input: bool = False) -> int:
    """The square input side the model ``name`` needs: what d2l resizes Fashion-MNIST to for it
    (or the native 28 with ``small_input=True`` where the model offers a small-input stem)."""
    entry = _entry(name)
    if small_input:
        if entry.small_input_size is None:
            raise ValueError(f"model {name!r} has no small_input variant")
        return entry.small_input_size
    return entry.input_size


def supports_small_input(name: str) -> bool:
    """Whether ``get_model(name, small_input=True)`` exists."""
    return _entry(name).small_input_size is not None
