"""A small denoising diffusion probabilistic model (Ho et al., 2020) for 28x28 images."""
from __future__ import annotations

import math

import ember
import ember.nn as nn
import ember.nn.functional as F
from ...tensor import Tensor


def linear_beta_schedule(timesteps: int, beta_start: float = 1e-4, beta_end: float = 0.02) -> Tensor:
    r""":math:`\beta_t` linear from ``beta_start`` to ``beta_end`` (Ho et al.'s values for T = 1000). Shape: (T,)."""
    return ember.linspace(beta_start, beta_end, timesteps, dtype=ember.float64).float()


def cosine_beta_schedule(timesteps: int, s: float = 0.008) -> Tensor:
    r"""Nichol & Dhariwal's schedule: :math:`\bar\alpha_t = f(t) / f(0)`,
    :math:`f(t) = \cos^2\left(\frac{t / T + s}{1 + s} \frac{\pi}{2}\right)`,
    :math:`\beta_t = 1 - \bar\alpha_t / \bar\alpha_{t-1}` clipped to 0.999. Shape: (T,)."""
    t = ember.arange(timesteps + 1, dtype=ember.float64) / timesteps
    f = ((t + s) / (1 + s) * math.pi / 2).cos() ** 2
    alpha_bar = f / f[0]
    return (1 - alpha_bar[1:] / alpha_bar[:-1]).clamp(max=0.999).float()


def timestep_embedding(t: Tensor, dim: int) -> Tensor:
    r"""The Transformer's sinusoidal embedding of integer timesteps: :math:`[\sin(t \omega_k), \cos(t \omega_k)]`,
    :math:`\omega_k = 10000^{-k / (dim/2)}`. Shape: (B,) -> (B, dim)."""
    half = dim // 2
    freqs = (-math.log(10000.0) * ember.arange(half, dtype=ember.float32) / half).exp()
    args = t.float().unsqueeze(1) * freqs
    return ember.cat([args.sin(), args.cos()], 1)


class _Block(nn.Module):
    """GroupNorm-SiLU-conv twice, with the time embedding added between (a residual block)."""

    def __init__(self, c_in: int, c_out: int, time_dim: int) -> None:
        super().__init__()
        self.norm1, self.conv1 = nn.GroupNorm(min(8, c_in), c_in), nn.Conv2d(c_in, c_out, 3, padding=1)
        self.time = nn.Linear(time_dim, c_out)
        self.norm2, self.conv2 = nn.GroupNorm(8, c_out), nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x: Tensor, temb: Tensor) -> Tensor:
        h = self.conv1(F.silu(self.norm1(x))) + self.time(temb)[:, :, None, None]
        return self.conv2(F.silu(self.norm2(h))) + self.skip(x)


class TinyUNet(nn.Module):
    r"""A U-Net-lite noise predictor :math:`\epsilon_\theta(x_t, t)`: residual blocks at 28x28 and 14x14 and a
    7x7 bottleneck, stride-2 convs down, transposed convs up, skip connections concatenated, the sinusoidal
    time embedding through a two-layer MLP into every block.

    Shape: x (B, 1, 28, 28), t (B,) int -> (B, 1, 28, 28).

    >>> import ember
    >>> net = TinyUNet(channels=8)
    >>> tuple(net(ember.randn(2, 1, 28, 28), ember.tensor([0, 5])).shape)
    (2, 1, 28, 28)
    """

    def __init__(self, channels: int = 32, time_dim: int = 64) -> None:
        super().__init__()
        c = channels
        self.time_dim = time_dim
        self.time_mlp = nn.Sequential(nn.Linear(time_dim, time_dim), nn.SiLU(), nn.Linear(time_dim, time_dim))
        self.stem = nn.Conv2d(1, c, 3, padding=1)
        self.down1, self.pool1 = _Block(c, c, time_dim), nn.Conv2d(c, c, 3, 2, 1)
        self.down2, self.pool2 = _Block(c, 2 * c, time_dim), nn.Conv2d(2 * c, 2 * c, 3, 2, 1)
        self.mid = _Block(2 * c, 2 * c, time_dim)
        self.up2, self.dec2 = nn.ConvTranspose2d(2 * c, 2 * c, 4, 2, 1), _Block(4 * c, 2 * c, time_dim)
        self.up1, self.dec1 = nn.ConvTranspose2d(2 * c, c, 4, 2, 1), _Block(2 * c, c, time_dim)
        self.out = nn.Sequential(nn.GroupNorm(8, c), nn.SiLU(), nn.Conv2d(c, 1, 3, padding=1))

    def forward(self, x: Tensor, t: Tensor) -> Tensor:
        temb = self.time_mlp(timestep_embedding(t, self.time_dim))
        h1 = self.down1(self.stem(x), temb)               # 28x28
        h2 = self.down2(self.pool1(h1), temb)             # 14x14
        h = self.mid(self.pool2(h2), temb)                # 7x7
        h = self.dec2(ember.cat([self.up2(h), h2], 1), temb)
        h = self.dec1(ember.cat([self.up1(h), h1], 1), temb)
        return self.out(h)


class DDPM(nn.Module):
    r"""Denoising diffusion: the forward process :math:`q(x_t|x_0) = N(\sqrt{\bar\alpha_t} x_0,
    (1 - \bar\alpha_t) I)`, training on the noise-prediction loss
    :math:`\|\epsilon - \epsilon_\theta(\sqrt{\bar\alpha_t} x_0 + \sqrt{1 - \bar\alpha_t}\epsilon, t)\|^2`, and
    ancestral sampling :math:`x_{t-1} = \frac{1}{\sqrt{\alpha_t}}\left(x_t - \frac{\beta_t}{\sqrt{1 -
    \bar\alpha_t}} \epsilon_\theta(x_t, t)\right) + \sqrt{\beta_t} z`.

    Images live in [-1, 1]. Buffers: ``betas``, ``alphas``, ``alpha_bars`` (T,).

    >>> import ember
    >>> ddpm = DDPM(TinyUNet(channels=8), timesteps=10)
    >>> loss = ddpm.loss(ember.rand(2, 1, 28, 28) * 2 - 1)
    >>> loss.shape, tuple(ddpm.sample(1).shape)
    (ember.Size([]), (1, 1, 28, 28))
    """

    def __init__(self, model: nn.Module, timesteps: int = 200, schedule: str = "linear") -> None:
        super().__init__()
        if schedule not in ("linear", "cosine"):
            raise ValueError(f"DDPM: schedule must be 'linear' or 'cosine', got {schedule!r}")
        self.model, self.timesteps = model, timesteps
        if schedule == "linear":  # Ho et al.'s endpoints scaled by 1000 / T (at most 10x): alpha_bar_T stays near 0
            scale = min(1000.0 / timesteps, 10.0)
            betas = linear_beta_schedule(timesteps, 1e-4 * scale, 0.02 * scale)
        else:
            betas = cosine_beta_schedule(timesteps)
        self.register_buffer("betas", betas)
        self.register_buffer("alphas", 1 - betas)
        self.register_buffer("alpha_bars", (1 - betas).cumprod(0))

    def q_sample(self, x0: Tensor, t: Tensor, noise: Tensor) -> Tensor:
        """x_t drawn from q(x_t | x_0) with the given noise."""
        ab = self.alpha_bars[t].view(-1, 1, 1, 1)
        return ab.sqrt() * x0 + (1 - ab).sqrt() * noise

    def loss(self, x0: Tensor) -> Tensor:
        t = ember.randint(0, self.timesteps, (x0.shape[0],))
        noise = ember.randn_like(x0)
        return F.mse_loss(self.model(self.q_sample(x0, t, noise), t), noise)

    @ember.no_grad()
    def sample(self, n: int, size: tuple = (28, 28)) -> Tensor:
        """n images in [-1, 1] by ancestral sampling from x_T ~ N(0, I)."""
        x = ember.randn(n, 1, *size)
        for step in reversed(range(self.timesteps)):
            t = ember.full((n,), step, dtype=ember.int64)
            eps = self.model(x, t)
            beta, alpha, ab = float(self.betas[step]), float(self.alphas[step]), float(self.alpha_bars[step])
            x = (x - beta / math.sqrt(1 - ab) * eps) / math.sqrt(alpha)
            if step > 0:
                x = x + math.sqrt(beta) * ember.randn_like(x)
        return x
