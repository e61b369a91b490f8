"""A multilayer perceptron: Flatten, then ``Linear -> ReLU [-> Dropout]`` per hidden layer, then
``Linear`` to the class scores (d2l ch. 5: 784 -> 256 -> 10 on Fashion-MNIST).

>>> import ember
>>> from ember.models import mlp
>>> mlp(hidden_sizes=(256, 128))(ember.zeros(2, 1, 28, 28)).shape
ember.Size([2, 10])
"""
from __future__ import annotations

from typing import Sequence

from .. import nn
from ._registry import check_weights, register
from .summary import SummaryMixin


class MLP(SummaryMixin, nn.Module):
    """``y = W_L relu(... relu(W_1 flatten(x) + b_1) ...) + b_L``.

    Shape: input ``(N, *)`` with ``in_features`` elements after the batch dim; output
    ``(N, num_classes)``. Init: PyTorch's Linear default, U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    Modules live in ``self.net`` (``net.1.weight``, ...), as d2l names them.
    """

    def __init__(self, in_features: int = 784, hidden_sizes: Sequence[int] = (256,), num_classes: int = 10,
                 dropout: float = 0.0) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Flatten()]
        width = in_features
        for hidden in hidden_sizes:
            layers += [nn.Linear(width, hidden), nn.ReLU()]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = hidden
        layers.append(nn.Linear(width, num_classes))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


@register("mlp", input_size=28, small_input_size=28)
def mlp(*, weights=None, num_classes: int = 10, in_channels: int = 1, image_size: int = 28,
        hidden_sizes: Sequence[int] = (256,), dropout: float = 0.0, small_input: bool = True) -> MLP:
    """An MLP for ``in_channels x image_size x image_size`` images (28x28 Fashion-MNIST by default;
    no resizing). ``small_input`` is accepted for the registry's uniform call and changes nothing."""
    check_weights(weights)
    return MLP(in_channels * image_size * image_size, hidden_sizes, num_classes, dropout)
