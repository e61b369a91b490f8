"""Variational autoencoders: MLP, convolutional, conditional, and the vector-quantised VQ-VAE."""
from __future__ import annotations

import ember
import ember.nn as nn
import ember.nn.functional as F
from ...tensor import Tensor


def gaussian_kl(mu: Tensor, logvar: Tensor) -> Tensor:
    r"""KL(N(mu, sigma^2) || N(0, I)) per example, summed over the latent dims:
    :math:`-\frac12 \sum (1 + \log\sigma^2 - \mu^2 - \sigma^2)`. Shape: (B, Z) -> (B,)."""
    return -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(1)


def vae_loss(recon_logits: Tensor, x: Tensor, mu: Tensor, logvar: Tensor) -> Tensor:
    r"""The negative ELBO per example, averaged over the batch: Bernoulli reconstruction
    :math:`-\log p(x|z) = \mathrm{BCE}(\text{logits}, x)` summed over pixels, plus :func:`gaussian_kl`.
    ``x`` holds pixel intensities in [0, 1]."""
    rec = F.binary_cross_entropy_with_logits(recon_logits, x, reduction="none").flatten(1).sum(1)
    return (rec + gaussian_kl(mu, logvar)).mean()


class VAE(nn.Module):
    r"""A VAE with MLP encoder and decoder for (B, 1, 28, 28) images in [0, 1].

    Encoder :math:`q(z|x) = N(\mu(x), \sigma^2(x))` (``fc_mu``, ``fc_logvar`` on a ReLU hidden layer);
    reparameterisation :math:`z = \mu + \sigma \odot \epsilon`, :math:`\epsilon \sim N(0, I)`, so the
    gradient flows to :math:`\mu, \sigma`; decoder logits of Bernoulli pixels :math:`p(x|z)`.
    Train on :func:`vae_loss` (the negative ELBO). Parameters: Linear layers, torch's default init.

    Shape: x (B, 1, 28, 28) -> (logits (B, 1, 28, 28), mu (B, Z), logvar (B, Z)).

    >>> import ember
    >>> vae = VAE(latent_dim=2)
    >>> logits, mu, logvar = vae(ember.rand(4, 1, 28, 28))
    >>> tuple(logits.shape), tuple(mu.shape)
    ((4, 1, 28, 28), (4, 2))
    """

    def __init__(self, latent_dim: int = 16, hidden: int = 400, cond_dim: int = 0) -> None:
        super().__init__()
        self.latent_dim, self.cond_dim = latent_dim, cond_dim
        self.enc = nn.Sequential(nn.Linear(784 + cond_dim, hidden), nn.ReLU())
        self.fc_mu = nn.Linear(hidden, latent_dim)
        self.fc_logvar = nn.Linear(hidden, latent_dim)
        self.dec = nn.Sequential(nn.Linear(latent_dim + cond_dim, hidden), nn.ReLU(), nn.Linear(hidden, 784))

    def encode(self, x: Tensor) -> tuple:
        h = self.enc(x.flatten(1))
        return self.fc_mu(h), self.fc_logvar(h)

    def decode(self, z: Tensor) -> Tensor:
        return self.dec(z).view(-1, 1, 28, 28)

    @staticmethod
    def reparameterize(mu: Tensor, logvar: Tensor) -> Tensor:
        return mu + (0.5 * logvar).exp() * ember.randn_like(mu)

    def forward(self, x: Tensor) -> tuple:
        mu, logvar = self.encode(x)
        return self.decode(self.reparameterize(mu, logvar)), mu, logvar

    def sample(self, n: int) -> Tensor:
        """n images (probabilities) decoded from z ~ N(0, I)."""
        return self.decode(ember.randn(n, self.latent_dim)).sigmoid()


class CVAE(VAE):
    r"""A conditional VAE: encoder and decoder both see the one-hot label ``y``, so
    :math:`q(z|x, y)` and :math:`p(x|z, y)`; sampling with a chosen label draws that class.

    Shape: x (B, 1, 28, 28), y (B,) int -> (logits, mu, logvar).

    >>> import ember
    >>> cvae = CVAE(latent_dim=2, num_classes=10)
    >>> tuple(cvae.sample(3, ember.tensor([0, 1, 2])).shape)
    (3, 1, 28, 28)
    """

    def __init__(self, latent_dim: int = 16, hidden: int = 400, num_classes: int = 10) -> None:
        super().__init__(latent_dim, hidden, cond_dim=num_classes)
        self.num_classes = num_classes

    def forward(self, x: Tensor, y: Tensor) -> tuple:
        c = F.one_hot(y, self.num_classes).to(x.dtype)
        h = self.enc(ember.cat([x.flatten(1), c], 1))
        mu, logvar = self.fc_mu(h), self.fc_logvar(h)
        z = self.reparameterize(mu, logvar)
        return self.decode(ember.cat([z, c], 1)), mu, logvar

    def sample(self, n: int, y: Tensor) -> Tensor:
        c = F.one_hot(y, self.num_classes).to(ember.get_default_dtype())
        return self.decode(ember.cat([ember.randn(n, self.latent_dim), c], 1)).sigmoid()


class ConvVAE(VAE):
    r"""A VAE with a convolutional encoder (two stride-2 3x3 convs, 28 -> 14 -> 7) and a transposed-conv
    decoder (7 -> 14 -> 28); otherwise as :class:`VAE`.

    >>> import ember
    >>> logits, mu, _ = ConvVAE(latent_dim=8)(ember.rand(2, 1, 28, 28))
    >>> tuple(logits.shape), tuple(mu.shape)
    ((2, 1, 28, 28), (2, 8))
    """

    def __init__(self, latent_dim: int = 16, channels: int = 32) -> None:
        nn.Module.__init__(self)
        self.latent_dim, self.cond_dim = latent_dim, 0
        c = channels
        self.enc = nn.Sequential(nn.Conv2d(1, c, 3, 2, 1), nn.ReLU(), nn.Conv2d(c, 2 * c, 3, 2, 1), nn.ReLU(),
                                 nn.Flatten())
        self.fc_mu = nn.Linear(2 * c * 49, latent_dim)
        self.fc_logvar = nn.Linear(2 * c * 49, latent_dim)
        self.dec = nn.Sequential(nn.Linear(latent_dim, 2 * c * 49), nn.ReLU(), nn.Unflatten(1, (2 * c, 7, 7)),
                                 nn.ConvTranspose2d(2 * c, c, 4, 2, 1), nn.ReLU(),
                                 nn.ConvTranspose2d(c, 1, 4, 2, 1))

    def encode(self, x: Tensor) -> tuple:
        h = self.enc(x)
        return self.fc_mu(h), self.fc_logvar(h)

    def decode(self, z: Tensor) -> Tensor:
        return self.dec(z)


class VectorQuantizer(nn.Module):
    r"""Nearest-codebook quantisation with the straight-through estimator (van den Oord et al., 2017).

    Each D-vector :math:`z_e` maps to its nearest code :math:`e_k`; the output is
    :math:`z_e + \mathrm{sg}[e_k - z_e]` (the value of :math:`e_k`, the gradient of the identity to
    :math:`z_e`); the loss is :math:`\|\mathrm{sg}[z_e] - e_k\|^2 + \beta \|z_e - \mathrm{sg}[e_k]\|^2`
    (codebook + commitment). Init: codebook ``U(-1/K, 1/K)``.

    Shape: z_e (B, D, H, W) -> (z_q (B, D, H, W), loss 0-d, codes (B, H, W)).

    >>> import ember
    >>> vq = VectorQuantizer(num_embeddings=8, embedding_dim=4)
    >>> z_q, loss, codes = vq(ember.randn(2, 4, 3, 3))
    >>> tuple(z_q.shape), tuple(codes.shape)
    ((2, 4, 3, 3), (2, 3, 3))
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, commitment_cost: float = 0.25) -> None:
        super().__init__()
        self.beta = commitment_cost
        self.codebook = nn.Embedding(num_embeddings, embedding_dim)
        nn.init.uniform_(self.codebook.weight, -1.0 / num_embeddings, 1.0 / num_embeddings)

    def forward(self, z_e: Tensor) -> tuple:
        b, d, h, w = z_e.shape
        flat = z_e.permute(0, 2, 3, 1).reshape(-1, d)
        e = self.codebook.weight
        dist = (flat * flat).sum(1, keepdim=True) - 2 * flat @ e.T + (e * e).sum(1)
        codes = dist.argmin(1)
        quant = self.codebook(codes).view(b, h, w, d).permute(0, 3, 1, 2)
        loss = F.mse_loss(quant, z_e.detach()) + self.beta * F.mse_loss(z_e, quant.detach())
        return z_e + (quant - z_e).detach(), loss, codes.view(b, h, w)


class VQVAE(nn.Module):
    """A small VQ-VAE: conv encoder to a 7x7 grid of D-vectors, :class:`VectorQuantizer`, transposed-conv
    decoder of pixel logits. Loss: BCE reconstruction + the quantiser's codebook and commitment terms.

    >>> import ember
    >>> logits, vq_loss, codes = VQVAE(num_embeddings=16, embedding_dim=8)(ember.rand(2, 1, 28, 28))
    >>> tuple(logits.shape), tuple(codes.shape)
    ((2, 1, 28, 28), (2, 7, 7))
    """

    def __init__(self, num_embeddings: int = 64, embedding_dim: int = 16, channels: int = 32) -> None:
        super().__init__()
        c = channels
        self.encoder = nn.Sequential(nn.Conv2d(1, c, 4, 2, 1), nn.ReLU(), nn.Conv2d(c, embedding_dim, 4, 2, 1))
        self.vq = VectorQuantizer(num_embeddings, embedding_dim)
        self.decoder = nn.Sequential(nn.ConvTranspose2d(embedding_dim, c, 4, 2, 1), nn.ReLU(),
                                     nn.ConvTranspose2d(c, 1, 4, 2, 1))

    def forward(self, x: Tensor) -> tuple:
        z_q, vq_loss, codes = self.vq(self.encoder(x))
        return self.decoder(z_q), vq_loss, codes
