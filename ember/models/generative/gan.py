"""DCGAN (Radford et al., 2016) for 28x28 images, with the non-saturating and least-squares GAN losses."""
from __future__ import annotations

import ember.nn as nn
import ember.nn.functional as F
from ...tensor import Tensor


def _dcgan_init_(module: nn.Module) -> None:
    """DCGAN's init: conv weights ~ N(0, 0.02); batch-norm weight ~ N(1, 0.02), bias 0."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.02)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


class DCGANGenerator(nn.Module):
    r"""z (B, Z) -> image (B, 1, 28, 28) in [-1, 1]: a 7x7 transposed conv from the 1x1 code, then two
    stride-2 transposed convs (7 -> 14 -> 28) with batch norm and ReLU, and ``tanh`` at the end.

    Init: DCGAN's (conv weights N(0, 0.02), BN weights N(1, 0.02)).

    >>> import ember
    >>> tuple(DCGANGenerator(latent_dim=16)(ember.randn(3, 16)).shape)
    (3, 1, 28, 28)
    """

    def __init__(self, latent_dim: int = 64, channels: int = 64) -> None:
        super().__init__()
        c = channels
        self.latent_dim = latent_dim
        self.net = nn.Sequential(
            nn.ConvTranspose2d(latent_dim, 2 * c, 7, 1, 0, bias=False), nn.BatchNorm2d(2 * c), nn.ReLU(),
            nn.ConvTranspose2d(2 * c, c, 4, 2, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU(),
            nn.ConvTranspose2d(c, 1, 4, 2, 1), nn.Tanh())
        _dcgan_init_(self)

    def forward(self, z: Tensor) -> Tensor:
        return self.net(z.view(z.shape[0], -1, 1, 1))


class DCGANDiscriminator(nn.Module):
    r"""image (B, 1, 28, 28) -> real/fake logit (B,): two stride-2 4x4 convs with LeakyReLU(0.2)
    (batch norm on the second), then a 7x7 conv to one logit. Init: DCGAN's.

    >>> import ember
    >>> tuple(DCGANDiscriminator()(ember.randn(3, 1, 28, 28)).shape)
    (3,)
    """

    def __init__(self, channels: int = 64) -> None:
        super().__init__()
        c = channels
        self.net = nn.Sequential(
            nn.Conv2d(1, c, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(c, 2 * c, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * c), nn.LeakyReLU(0.2),
            nn.Conv2d(2 * c, 1, 7))
        _dcgan_init_(self)

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x).flatten()


def discriminator_loss(real_logits: Tensor, fake_logits: Tensor, kind: str = "nonsaturating") -> Tensor:
    r"""The discriminator's loss. ``nonsaturating`` (the standard GAN):
    :math:`-\log D(x) - \log(1 - D(G(z)))` as BCE with logits; ``lsgan`` (Mao et al., 2017):
    :math:`\frac12 (D(x) - 1)^2 + \frac12 D(G(z))^2` on the raw outputs."""
    if kind == "nonsaturating":
        return (F.binary_cross_entropy_with_logits(real_logits, real_logits.new_ones(real_logits.shape))
                + F.binary_cross_entropy_with_logits(fake_logits, fake_logits.new_zeros(fake_logits.shape)))
    if kind == "lsgan":
        return 0.5 * ((real_logits - 1).pow(2).mean() + fake_logits.pow(2).mean())
    raise ValueError(f"GAN loss: unknown kind {kind!r}; use 'nonsaturating' or 'lsgan'")


def generator_loss(fake_logits: Tensor, kind: str = "nonsaturating") -> Tensor:
    r"""The generator's loss: non-saturating :math:`-\log D(G(z))` (strong gradients while D wins,
    unlike minimising :math:`\log(1 - D(G(z)))`), or least-squares :math:`\frac12 (D(G(z)) - 1)^2`."""
    if kind == "nonsaturating":
        return F.binary_cross_entropy_with_logits(fake_logits, fake_logits.new_ones(fake_logits.shape))
    if kind == "lsgan":
        return 0.5 * (fake_logits - 1).pow(2).mean()
    raise ValueError(f"GAN loss: unknown kind {kind!r}; use 'nonsaturating' or 'lsgan'")
