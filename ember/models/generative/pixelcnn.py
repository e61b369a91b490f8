"""PixelCNN (van den Oord et al., 2016): masked convolutions and pixel-by-pixel sampling."""
from __future__ import annotations

import ember
import ember.nn as nn
import ember.nn.functional as F
from ...tensor import Tensor


class MaskedConv2d(nn.Conv2d):
    r"""A Conv2d whose kernel sees only pixels above and to the left of the centre (raster order), so
    output pixel (i, j) depends on input pixels before it: mask type ``'A'`` also hides the centre (first
    layer: a pixel must not see itself), type ``'B'`` keeps it (later layers).

    :math:`y = (W \odot M) \star x + b`; the gradient w.r.t. the masked weights is zero. Parameters and
    init are Conv2d's; the mask is a non-persistent buffer, so the state_dict is Conv2d's.

    >>> import ember
    >>> conv = MaskedConv2d("A", 1, 1, 3, padding=1)
    >>> conv.mask[0, 0]
    tensor([[1., 1., 1.],
            [1., 0., 0.],
            [0., 0., 0.]])
    """

    def __init__(self, mask_type: str, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if mask_type not in ("A", "B"):
            raise ValueError(f"MaskedConv2d: mask_type must be 'A' or 'B', got {mask_type!r}")
        self.mask_type = mask_type
        kh, kw = self.kernel_size
        mask = ember.ones(kh, kw)
        mask[kh // 2, kw // 2 + (mask_type == "B"):] = 0
        mask[kh // 2 + 1:] = 0
        self.register_buffer("mask", mask.expand(self.weight.shape).clone(), persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight * self.mask, self.bias, self.stride, self.padding, self.dilation,
                        self.groups)

    def extra_repr(self) -> str:
        return f"mask_type={self.mask_type!r}, " + super().extra_repr()


class PixelCNN(nn.Module):
    r"""An autoregressive model of one-channel images quantised to ``levels`` intensities:
    :math:`p(x) = \prod_i p(x_i | x_{<i})`, each factor a softmax over the levels.

    A 7x7 type-A masked conv, ``n_layers`` of ReLU + 3x3 type-B masked conv, then two 1x1 convs to
    ``levels`` logits per pixel. Train with ``cross_entropy(model(x), codes)`` (bits per dim:
    ``loss / ln 2``); :meth:`sample` draws pixel by pixel in raster order.

    Shape: x (B, 1, H, W) in [0, 1] -> logits (B, levels, H, W).

    >>> import ember
    >>> net = PixelCNN(levels=4, channels=8, n_layers=1)
    >>> tuple(net(ember.rand(2, 1, 28, 28)).shape)
    (2, 4, 28, 28)
    """

    def __init__(self, levels: int = 4, channels: int = 64, n_layers: int = 5) -> None:
        super().__init__()
        self.levels = levels
        layers = [MaskedConv2d("A", 1, channels, 7, padding=3)]
        for _ in range(n_layers):
            layers += [nn.ReLU(), MaskedConv2d("B", channels, channels, 3, padding=1)]
        layers += [nn.ReLU(), nn.Conv2d(channels, channels, 1), nn.ReLU(), nn.Conv2d(channels, levels, 1)]
        self.net = nn.Sequential(*layers)

    def quantize(self, x: Tensor) -> Tensor:
        """[0, 1] intensities -> int64 codes in [0, levels)."""
        return (x * (self.levels - 1)).round().long().clamp(0, self.levels - 1)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)

    @ember.no_grad()
    def sample(self, n: int, size: tuple = (28, 28)) -> Tensor:
        """n images in [0, 1], drawn one pixel at a time (H * W forward passes)."""
        x = ember.zeros(n, 1, *size)
        for i in range(size[0]):
            for j in range(size[1]):
                probs = self.forward(x)[:, :, i, j].softmax(1)
                x[:, 0, i, j] = ember.multinomial(probs, 1).squeeze(1).to(x.dtype) / (self.levels - 1)
        return x
