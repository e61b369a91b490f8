"""The default recipe of every model ``ember train --list-models`` offers: optimizer, learning rate, init,
input size, epochs and batch size, in one table.

A recipe is what ``ember train --model NAME`` uses for each option the command line does not give. Each row
was chosen so that the model learns on the shipped 10k/2k Fashion-MNIST subset in a default run of minutes
on a CPU (docs/models.md holds the test accuracy and wall time each default run reaches):

- ``optimizer``: ``sgd`` is SGD with Nesterov momentum 0.9 and weight decay 5e-4; ``adam`` is Adam; the
  other names are those of ``--optimizer``. The learning rate follows a cosine schedule over the epochs.
- ``init``: ``default`` keeps the model's own init (PyTorch's layer defaults, or torchvision's scheme where
  the model has one); ``xavier`` is d2l's ``init_cnn``: Xavier-uniform weights for every Linear and Conv,
  zero biases. d2l's sigmoid LeNet needs it (with PyTorch's default init its gradients vanish and it stays
  at 10 % accuracy).
- ``input_size``: the side Fashion-MNIST's 28x28 images are resized to. d2l resizes to 224 for AlexNet,
  VGG and NiN and to 96 for GoogLeNet, ResNet and DenseNet, and trains 10 epochs of 60k images on a GPU;
  on a CPU the recipes use a side near the smallest each architecture accepts, and 1-2 epochs for the
  big networks. A side equal to the model's small-input side (28) selects its 3x3/1 small-input stem;
  any other side keeps the model's own stem.
- ``kwargs``: extra model arguments (GoogLeNet without its auxiliary heads, as d2l builds it).

>>> recipe("lenet").init, recipe("lenet_bn").lr
('xavier', 0.05)
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Recipe:
    optimizer: str
    lr: float
    init: str
    input_size: int
    epochs: int
    batch_size: int = 128
    kwargs: dict = field(default_factory=dict)


# Input sizes and epochs are chosen so that a default run takes minutes on a CPU, not hours (d2l trains
# these on 96x96 or 224x224 images for 10+ epochs of 60k images on a GPU). The ResNet family gets 32x32
# through its own 7x7/2 stem and max-pool (8x8 at layer1): 12x cheaper than 28x28 through the 3x3/1
# small-input stem, which ran 20 minutes per epoch on a shared 2-core CPU.
_RESNET = Recipe("sgd", 0.05, "default", 32, 2)
# Deeper/bottleneck networks cost 2-5x ResNet-18: one epoch. Adam, as SGD 0.05 made ResNet-50's loss blow up
# to 7.5 in its first batches (13 % accuracy half-way through the epoch).
_BIG_RESNET = Recipe("adam", 1e-3, "default", 32, 1)
_VGG = Recipe("adam", 1e-4, "default", 32, 1)      # no BatchNorm: Adam at a small rate; 32 is VGG's smallest side
_VGG_BN = Recipe("sgd", 0.01, "default", 32, 1)

RECIPES: dict[str, Recipe] = {
    "mlp": Recipe("sgd", 0.05, "default", 28, 10),
    "lenet": Recipe("adam", 3e-3, "xavier", 28, 10),
    "lenet_bn": Recipe("sgd", 0.05, "default", 28, 10),   # the default `ember train`, as it has always run
    "alexnet": Recipe("adam", 1e-4, "default", 64, 1),    # 63 is AlexNet's smallest side
    # 67 is NiN's smallest side. NiN starts slowly (loss 2.30 for the first few thousand images); d2l's
    # Xavier init started faster but ended lower (0.422 after 3 epochs against 0.445 after 2).
    "nin": Recipe("adam", 1e-3, "default", 72, 2),
    "googlenet": Recipe("adam", 1e-3, "default", 32, 1, kwargs={"aux_logits": False}),
    "mobilenet_v2": Recipe("adam", 1e-3, "default", 32, 2),  # its own stride-2 stem: 1/3 of 28x28 stride 1
    "densenet121": _BIG_RESNET,
    "resnet18": _RESNET,
    "resnet34": _BIG_RESNET,
    "resnet50": _BIG_RESNET,
    "resnet101": _BIG_RESNET,
    "resnext50_32x4d": _BIG_RESNET,
    "se_resnet18": _RESNET,
    "se_resnet34": _BIG_RESNET,
    "se_resnet50": _BIG_RESNET,
    "se_resnet101": _BIG_RESNET,
    **{name: _VGG for name in ("vgg11", "vgg13", "vgg16", "vgg19")},
    **{name: _VGG_BN for name in ("vgg11_bn", "vgg13_bn", "vgg16_bn", "vgg19_bn")},
}


def recipe(name: str) -> Recipe:
    """The recipe of model ``name``; a model without a row gets LeNet-BN's."""
    return RECIPES.get(name, RECIPES["lenet_bn"])


def apply_init(model, init: str) -> None:
    """Re-initialise ``model`` as the recipe says (``default`` leaves it as built)."""
    from .. import nn

    if init == "default":
        return
    if init != "xavier":
        raise ValueError(f"unknown init {init!r}; expected 'default' or 'xavier'")
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
