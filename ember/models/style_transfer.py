"""Neural style transfer as Dive into Deep Learning 1.0 writes it (ch. 14.12, after Gatys et al. 2016):
the pixels of a synthesized image are the only parameters, trained so that its features in a VGG
network match the content image's at a deep layer and the style image's Gram matrices at several
layers, with a total-variation penalty for smoothness.

Losses (Y: features (1, c, h, w) of the synthesized image; hats are targets, taken detached):

- content: ``mean((Y - Y_content)^2)``;
- Gram matrix of X (c, n = h w after reshaping): ``G = X X^T / (c n)``; style: ``mean((G(Y) - G_style)^2)``;
- total variation of the image x:
  ``0.5 (mean |x[:, :, i+1, j] - x[:, :, i, j]| + mean |x[:, :, i, j+1] - x[:, :, i, j]|)``;
- total: ``content_weight * sum(content) + style_weight * sum(style) + tv_weight * tv`` (the book: 1, 1e4, 10).

The book's layers of VGG-19's ``features``: style 0, 5, 10, 19, 28 (the first conv of each stage), content 25.

>>> import ember
>>> x = ember.arange(8.).reshape(1, 2, 2, 2)
>>> gram(x)
tensor([[ 1.7500,  4.7500],
        [ 4.7500, 15.7500]])
>>> float(tv_loss(x))
1.5
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

import ember
from ember import nn
from ember.tensor import Tensor

from .vgg import CFGS, _init_module, make_layers

__all__ = ["CONTENT_LAYERS", "RGB_MEAN", "RGB_STD", "STYLE_LAYERS", "SynthesizedImage", "compute_loss",
           "content_loss", "extract_features", "gram", "postprocess", "preprocess", "scale_random_features",
           "style_loss", "tv_loss", "vgg19_features", "vgg_feature_net"]

RGB_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
RGB_STD = np.array([0.229, 0.224, 0.225], np.float32)
STYLE_LAYERS, CONTENT_LAYERS = [0, 5, 10, 19, 28], [25]


def preprocess(img: np.ndarray) -> Tensor:
    """(H, W, 3) uint8 or [0, 1] float RGB -> (1, 3, H, W) normalised with ImageNet's mean and std."""
    x = np.asarray(img, np.float32)
    if np.asarray(img).dtype == np.uint8:
        x = x / 255.0
    x = (x - RGB_MEAN) / RGB_STD
    return ember.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)[None]))


def postprocess(x: Tensor) -> np.ndarray:
    """(1, 3, H, W) normalised -> (H, W, 3) uint8, clipped to the displayable range."""
    img = x.detach().numpy()[0].transpose(1, 2, 0) * RGB_STD + RGB_MEAN
    return (np.clip(img, 0, 1) * 255).round().astype(np.uint8)


def vgg19_features() -> nn.Sequential:
    """VGG-19's ``features`` stack alone (torchvision's layout and init: conv weights ~ kaiming_normal(fan_out,
    relu), biases 0), without the 120M-parameter classifier that style transfer never uses."""
    features = make_layers(CFGS["E"])
    features.apply(_init_module)
    return features


def vgg_feature_net(features: nn.Sequential, layers: Sequence[int] = STYLE_LAYERS + CONTENT_LAYERS) -> nn.Sequential:
    """The first ``max(layers) + 1`` layers of a VGG ``features`` stack (the rest is never used), frozen."""
    net = nn.Sequential(*[features[i] for i in range(max(layers) + 1)])
    for p in net.parameters():
        p.requires_grad_(False)
    return net.eval()


def extract_features(X: Tensor, net: nn.Sequential, content_layers: Sequence[int] = CONTENT_LAYERS,
                     style_layers: Sequence[int] = STYLE_LAYERS) -> tuple:
    """Outputs of ``net``'s layers in ``content_layers`` and ``style_layers``: two lists, in layer order."""
    contents, styles = [], []
    for i in range(len(net)):
        X = net[i](X)
        if i in style_layers:
            styles.append(X)
        if i in content_layers:
            contents.append(X)
    return contents, styles


def content_loss(Y_hat: Tensor, Y: Tensor) -> Tensor:
    """Mean squared difference to the (detached) content features."""
    return ember.square(Y_hat - Y.detach()).mean()


def gram(X: Tensor) -> Tensor:
    """Channel correlations of features (1, c, h, w): (c, c) = X X^T / (c h w)."""
    num_channels, n = X.shape[1], X.numel() // X.shape[1]
    X = X.reshape((num_channels, n))
    return ember.matmul(X, X.T) / (num_channels * n)


def style_loss(Y_hat: Tensor, gram_Y: Tensor) -> Tensor:
    """Mean squared difference between the Gram matrix of ``Y_hat`` and the (detached) style Gram matrix."""
    return ember.square(gram(Y_hat) - gram_Y.detach()).mean()


def tv_loss(Y_hat: Tensor) -> Tensor:
    """Total variation: half the sum of the mean absolute vertical and horizontal neighbour differences."""
    return 0.5 * (ember.abs(Y_hat[:, :, 1:, :] - Y_hat[:, :, :-1, :]).mean()
                  + ember.abs(Y_hat[:, :, :, 1:] - Y_hat[:, :, :, :-1]).mean())


def compute_loss(X: Tensor, contents_Y_hat: list, styles_Y_hat: list, contents_Y: list, styles_Y_gram: list,
                 content_weight: float = 1.0, style_weight: float = 1e4, tv_weight: float = 10.0) -> tuple:
    """(content losses, style losses, tv loss, total), each weighted, as the book's ``compute_loss``."""
    contents_l = [content_loss(Y_hat, Y) * content_weight for Y_hat, Y in zip(contents_Y_hat, contents_Y)]
    styles_l = [style_loss(Y_hat, Y) * style_weight for Y_hat, Y in zip(styles_Y_hat, styles_Y_gram)]
    tv_l = tv_loss(X) * tv_weight
    total = sum(styles_l + contents_l + [tv_l])
    return contents_l, styles_l, tv_l, total


class SynthesizedImage(nn.Module):
    """The image being synthesized, as the one parameter ``weight`` of shape ``img_shape`` (N, 3, H, W);
    ``forward()`` returns it. Init: zeros (the recipe copies the content image in first)."""

    def __init__(self, img_shape: Sequence[int]) -> None:
        super().__init__()
        self.weight = nn.Parameter(ember.zeros(*img_shape))

    def forward(self) -> Tensor:
        return self.weight


def scale_random_features(net: nn.Sequential, X: Tensor) -> nn.Sequential:
    """Rescale each conv of an untrained ``net`` (weight and bias) so that its output has mean square 1 on
    ``X``, layer after layer (LSUV's idea, without the orthogonal step). A randomly initialised VGG's
    activations otherwise shrink or grow with depth, and the Gram matrices of the deep layers would
    weigh nothing in the style loss. ReLU and max-pool are positively homogeneous, so this changes the
    features' scale, not what they respond to. Returns ``net``."""
    with ember.no_grad():
        for m in net:
            X = m(X)
            if isinstance(m, nn.Conv2d):
                scale = float((X * X).mean().sqrt())
                if scale > 0:
                    m.weight.div_(scale)
                    m.bias.div_(scale)
                    X = X / scale
    return net
