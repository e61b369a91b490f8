"""Generative models for 28x28 images, each a recipe of ``ember train --task vae|gan|pixelcnn|diffusion``.

VAE (MLP and conv), conditional VAE and VQ-VAE; DCGAN with the non-saturating and least-squares losses;
PixelCNN with masked convolutions; a small DDPM. They use nothing but ember's public ``nn`` API.
"""
from __future__ import annotations

from .ddpm import DDPM, TinyUNet, cosine_beta_schedule, linear_beta_schedule
from .gan import DCGANDiscriminator, DCGANGenerator, discriminator_loss, generator_loss
from .pixelcnn import MaskedConv2d, PixelCNN
from .vae import CVAE, VAE, ConvVAE, VectorQuantizer, VQVAE, gaussian_kl, vae_loss

__all__ = ["VAE", "ConvVAE", "CVAE", "VQVAE", "VectorQuantizer", "vae_loss", "gaussian_kl", "DCGANGenerator",
           "DCGANDiscriminator", "discriminator_loss",
           "generator_loss", "MaskedConv2d", "PixelCNN", "DDPM", "TinyUNet",
           "linear_beta_schedule", "cosine_beta_schedule"]
