"""ember.models.generative against the same models built in torch (weights copied): outputs, losses and
gradients; the masked convolutions' causality; the VQ straight-through gradient; the DDPM schedules' closed
forms; and one tiny run of each ``ember train --task`` recipe."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from torch import nn as tnn
import torch.nn.functional as TF

import ember
from ember.cli import main
from ember.models import generative as G


def _copy(ember_model, torch_model):
    sd = {k: torch.tensor(v.numpy()) for k, v in ember_model.state_dict().items()}
    missing = torch_model.load_state_dict(sd, strict=True)
    assert not missing.missing_keys and not missing.unexpected_keys


def _grads_match(ember_model, torch_model, rtol=1e-4, atol=1e-5):
    tp = dict(torch_model.named_parameters())
    for name, p in ember_model.named_parameters():
        assert p.grad is not None, name
        np.testing.assert_allclose(p.grad.numpy(), tp[name].grad.numpy(), rtol=rtol, atol=atol, err_msg=name)
        assert p.grad.dtype == p.dtype


# ------------------------------------------------------------------------------------------------ torch twins
class TorchVAE(tnn.Module):
    def __init__(self, z=4, h=32):
        super().__init__()
        self.enc = tnn.Sequential(tnn.Linear(784, h), tnn.ReLU())
        self.fc_mu, self.fc_logvar = tnn.Linear(h, z), tnn.Linear(h, z)
        self.dec = tnn.Sequential(tnn.Linear(z, h), tnn.ReLU(), tnn.Linear(h, 784))


class TorchConvVAE(tnn.Module):
    def __init__(self, z=4, c=4):
        super().__init__()
        self.enc = tnn.Sequential(tnn.Conv2d(1, c, 3, 2, 1), tnn.ReLU(), tnn.Conv2d(c, 2 * c, 3, 2, 1), tnn.ReLU(),
                                  tnn.Flatten())
        self.fc_mu, self.fc_logvar = tnn.Linear(2 * c * 49, z), tnn.Linear(2 * c * 49, z)
        self.dec = tnn.Sequential(tnn.Linear(z, 2 * c * 49), tnn.ReLU(), tnn.Unflatten(1, (2 * c, 7, 7)),
                                  tnn.ConvTranspose2d(2 * c, c, 4, 2, 1), tnn.ReLU(), tnn.ConvTranspose2d(c, 1, 4, 2, 1))


def _torch_neg_elbo(m, x, eps):
    h = m.enc(x.flatten(1) if isinstance(m, TorchVAE) else x)
    mu, logvar = m.fc_mu(h), m.fc_logvar(h)
    z = mu + (0.5 * logvar).exp() * eps
    logits = m.dec(z).view(-1, 1, 28, 28)
    rec = TF.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)
    q = torch.distributions.Normal(mu, (0.5 * logvar).exp())
    kl = torch.distributions.kl_divergence(q, torch.distributions.Normal(0.0, 1.0)).sum(1)
    return (rec + kl).mean()


@pytest.mark.parametrize("conv", [False, True])
def test_vae_negative_elbo_and_gradients_match_torch(conv):
    ember.manual_seed(0)
    m = G.ConvVAE(4, 4) if conv else G.VAE(4, 32)
    t = TorchConvVAE() if conv else TorchVAE()
    _copy(m, t)
    x = (np.random.default_rng(0).random((5, 1, 28, 28)) > 0.5).astype(np.float32)
    eps = np.random.default_rng(1).normal(size=(5, 4)).astype(np.float32)
    mu, logvar = m.encode(ember.tensor(x))
    logits = m.decode(mu + (0.5 * logvar).exp() * ember.tensor(eps))
    loss = G.vae_loss(logits, ember.tensor(x), mu, logvar)
    loss.backward()
    ref = _torch_neg_elbo(t, torch.tensor(x), torch.tensor(eps))
    ref.backward()
    np.testing.assert_allclose(loss.item(), ref.item(), rtol=1e-5)
    # float32 sums of ~1e4 terms; the conv kernels (oneDNN, numba, torch's) sum in different orders
    _grads_match(m, t, rtol=1e-3, atol=1e-4)


def test_reparameterisation_carries_the_gradient_and_kl_is_closed_form():
    mu = ember.tensor([[0.5, -1.0]], requires_grad=True)
    logvar = ember.tensor([[0.2, -0.3]], requires_grad=True)
    ember.manual_seed(3)
    z = G.VAE.reparameterize(mu, logvar)
    z.sum().backward()
    np.testing.assert_allclose(mu.grad.numpy(), [[1.0, 1.0]])
    ember.manual_seed(3)
    eps = ember.randn(1, 2)
    np.testing.assert_allclose(logvar.grad.numpy(), (0.5 * (0.5 * logvar.detach()).exp() * eps).numpy(), rtol=1e-6)
    kl = G.gaussian_kl(mu.detach(), logvar.detach())
    ref = torch.distributions.kl_divergence(torch.distributions.Normal(torch.tensor([0.5, -1.0]),
                                                                       torch.tensor([0.2, -0.3]).mul(0.5).exp()),
                                            torch.distributions.Normal(0.0, 1.0)).sum()
    np.testing.assert_allclose(kl.item(), ref.item(), rtol=1e-6)


def test_cvae_conditions_on_the_label():
    ember.manual_seed(0)
    m = G.CVAE(latent_dim=3, hidden=16)
    x = ember.rand(4, 1, 28, 28)
    logits, mu, logvar = m(x, ember.tensor([0, 1, 2, 3]))
    assert tuple(logits.shape) == (4, 1, 28, 28) and tuple(mu.shape) == (4, 3)
    ember.manual_seed(5)
    a = m.sample(2, ember.tensor([1, 1]))
    ember.manual_seed(5)
    b = m.sample(2, ember.tensor([7, 7]))
    assert float((a - b).abs().max()) > 1e-4  # the label changes the decoded image


class TorchG(tnn.Module):
    def __init__(self, z=8, c=4):
        super().__init__()
        self.net = tnn.Sequential(tnn.ConvTranspose2d(z, 2 * c, 7, 1, 0, bias=False), tnn.BatchNorm2d(2 * c), tnn.ReLU(),
                                  tnn.ConvTranspose2d(2 * c, c, 4, 2, 1, bias=False), tnn.BatchNorm2d(c), tnn.ReLU(),
                                  tnn.ConvTranspose2d(c, 1, 4, 2, 1), tnn.Tanh())

    def forward(self, z):
        return self.net(z.view(z.shape[0], -1, 1, 1))


class TorchD(tnn.Module):
    def __init__(self, c=4):
        super().__init__()
        self.net = tnn.Sequential(tnn.Conv2d(1, c, 4, 2, 1), tnn.LeakyReLU(0.2), tnn.Conv2d(c, 2 * c, 4, 2, 1, bias=False),
                                  tnn.BatchNorm2d(2 * c), tnn.LeakyReLU(0.2), tnn.Conv2d(2 * c, 1, 7))

    def forward(self, x):
        return self.net(x).flatten()


@pytest.mark.parametrize("kind", ["nonsaturating", "lsgan"])
def test_dcgan_losses_and_gradients_match_torch(kind):
    ember.manual_seed(0)
    g, d = G.DCGANGenerator(8, 4), G.DCGANDiscriminator(4)
    tg, td = TorchG(), TorchD()
    _copy(g, tg)
    _copy(d, td)
    z = np.random.default_rng(0).normal(size=(6, 8)).astype(np.float32)
    real = np.random.default_rng(1).uniform(-1, 1, (6, 1, 28, 28)).astype(np.float32)
    fake = g(ember.tensor(z))
    loss = G.generator_loss(d(fake), kind) + G.discriminator_loss(d(ember.tensor(real)), d(fake), kind)
    loss.backward()
    tfake = tg(torch.tensor(z))
    rl, fl = td(torch.tensor(real)), td(tfake)
    if kind == "nonsaturating":
        ref = (TF.binary_cross_entropy_with_logits(fl, torch.ones_like(fl))
               + TF.binary_cross_entropy_with_logits(rl, torch.ones_like(rl))
               + TF.binary_cross_entropy_with_logits(fl, torch.zeros_like(fl)))
    else:
        ref = 0.5 * (fl - 1).pow(2).mean() + 0.5 * ((rl - 1).pow(2).mean() + fl.pow(2).mean())
    ref.backward()
    np.testing.assert_allclose(fake.detach().numpy(), tfake.detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(loss.item(), ref.item(), rtol=1e-5)
    _grads_match(g, tg, rtol=2e-3, atol=1e-5)
    _grads_match(d, td, rtol=2e-3, atol=1e-5)
    with pytest.raises(ValueError, match="unknown kind"):
        G.generator_loss(fl, "wgan")


def test_dcgan_init_is_dcgans():
    ember.manual_seed(0)
    g = G.DCGANGenerator(64, 64)
    w = g.net[3].weight.detach().numpy()
    assert abs(w.std() - 0.02) < 0.002 and abs(w.mean()) < 0.002
    bn = g.net[1].weight.detach().numpy()
    assert abs(bn.mean() - 1.0) < 0.01 and abs(bn.std() - 0.02) < 0.01


@pytest.mark.parametrize("mask_type", ["A", "B"])
def test_masked_conv_matches_torch_and_its_mask(mask_type):
    ember.manual_seed(0)
    conv = G.MaskedConv2d(mask_type, 2, 3, 5, padding=2)
    m = conv.mask.numpy()[0, 0]
    expected = np.ones((5, 5))
    expected[2, 2 + (mask_type == "B"):] = 0
    expected[3:] = 0
    np.testing.assert_array_equal(m, expected)
    assert set(conv.state_dict()) == {"weight", "bias"}
    x = np.random.default_rng(0).normal(size=(2, 2, 6, 6)).astype(np.float32)
    w, b = torch.tensor(conv.weight.detach().numpy(), requires_grad=True), torch.tensor(conv.bias.detach().numpy())
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = conv(xe)
    ref = TF.conv2d(xt, w * torch.tensor(conv.mask.numpy()), b, padding=2)
    out.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(conv.weight.grad.numpy(), w.grad.numpy(), rtol=1e-5, atol=1e-5)
    assert float(conv.weight.grad.numpy()[..., 3:, :].__abs__().max()) == 0.0  # masked weights get no gradient


def test_pixelcnn_is_causal():
    ember.manual_seed(0)
    net = G.PixelCNN(levels=4, channels=8, n_layers=3)
    x = ember.rand(1, 1, 10, 10, requires_grad=True)
    i, j = 5, 4
    net(x)[0, :, i, j].sum().backward()
    g = x.grad.numpy()[0, 0]
    flat = g.reshape(-1)
    assert np.all(flat[i * 10 + j:] == 0)  # the pixel itself and everything after it: no influence
    assert np.abs(flat[:i * 10 + j]).sum() > 0  # earlier pixels do influence it


def test_pixelcnn_sampling_fills_every_pixel_with_a_level():
    ember.manual_seed(0)
    net = G.PixelCNN(levels=4, channels=4, n_layers=1)
    s = net.sample(2, size=(4, 4)).numpy()
    assert s.shape == (2, 1, 4, 4)
    assert set(np.round(s * 3).astype(int).reshape(-1)) <= {0, 1, 2, 3}


def test_vq_straight_through_and_losses_match_torch():
    ember.manual_seed(0)
    vq = G.VectorQuantizer(6, 3, commitment_cost=0.25)
    cb = vq.codebook.weight.detach().numpy()
    z = np.random.default_rng(0).normal(size=(2, 3, 2, 2)).astype(np.float32) * 0.2
    w = np.random.default_rng(1).normal(size=(2, 3, 2, 2)).astype(np.float32)
    ze = ember.tensor(z, requires_grad=True)
    zq, loss, codes = vq(ze)
    ((zq * ember.tensor(w)).sum() + loss).backward()
    flat = z.transpose(0, 2, 3, 1).reshape(-1, 3)
    nearest = ((flat[:, None] - cb[None]) ** 2).sum(-1).argmin(1)
    np.testing.assert_array_equal(codes.numpy().reshape(-1), nearest)
    np.testing.assert_allclose(zq.detach().numpy().transpose(0, 2, 3, 1).reshape(-1, 3), cb[nearest], rtol=1e-6)
    zt, cbt = torch.tensor(z, requires_grad=True), torch.tensor(cb, requires_grad=True)
    qt = cbt[torch.tensor(nearest)].view(2, 2, 2, 3).permute(0, 3, 1, 2)
    lt = TF.mse_loss(qt, zt.detach()) + 0.25 * TF.mse_loss(zt, qt.detach())
    zqt = zt + (qt - zt).detach()
    ((zqt * torch.tensor(w)).sum() + lt).backward()
    np.testing.assert_allclose(ze.grad.numpy(), zt.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(vq.codebook.weight.grad.numpy(), cbt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_ddpm_schedules_match_their_closed_forms():
    np.testing.assert_allclose(G.linear_beta_schedule(1000).numpy(), np.linspace(1e-4, 0.02, 1000), rtol=1e-6)
    T, s = 50, 0.008
    f = np.cos((np.arange(T + 1) / T + s) / (1 + s) * np.pi / 2) ** 2
    ab = f / f[0]
    np.testing.assert_allclose(G.cosine_beta_schedule(T).numpy(), np.clip(1 - ab[1:] / ab[:-1], None, 0.999),
                               rtol=1e-5, atol=1e-7)
    ddpm = G.DDPM(G.TinyUNet(8), timesteps=T, schedule="cosine")
    np.testing.assert_allclose(ddpm.alpha_bars.numpy(), np.cumprod(1 - ddpm.betas.numpy()), rtol=1e-5)
    x0, noise = ember.randn(3, 1, 28, 28), ember.randn(3, 1, 28, 28)
    t = ember.tensor([0, 10, 49])
    ab_t = ddpm.alpha_bars.numpy()[[0, 10, 49]].reshape(-1, 1, 1, 1)
    np.testing.assert_allclose(ddpm.q_sample(x0, t, noise).numpy(),
                               np.sqrt(ab_t) * x0.numpy() + np.sqrt(1 - ab_t) * noise.numpy(), rtol=1e-5, atol=1e-6)
    assert ddpm.alpha_bars.numpy()[-1] < 1e-3  # the chain ends near pure noise
    with pytest.raises(ValueError, match="schedule"):
        G.DDPM(G.TinyUNet(8), schedule="quadratic")


class TorchBlock(tnn.Module):
    def __init__(self, ci, co, td):
        super().__init__()
        self.norm1, self.conv1 = tnn.GroupNorm(min(8, ci), ci), tnn.Conv2d(ci, co, 3, padding=1)
        self.time = tnn.Linear(td, co)
        self.norm2, self.conv2 = tnn.GroupNorm(8, co), tnn.Conv2d(co, co, 3, padding=1)
        self.skip = tnn.Conv2d(ci, co, 1) if ci != co else tnn.Identity()

    def forward(self, x, temb):
        h = self.conv1(TF.silu(self.norm1(x))) + self.time(temb)[:, :, None, None]
        return self.conv2(TF.silu(self.norm2(h))) + self.skip(x)


class TorchUNet(tnn.Module):
    def __init__(self, c=8, td=16):
        super().__init__()
        self.td = td
        self.time_mlp = tnn.Sequential(tnn.Linear(td, td), tnn.SiLU(), tnn.Linear(td, td))
        self.stem = tnn.Conv2d(1, c, 3, padding=1)
        self.down1, self.pool1 = TorchBlock(c, c, td), tnn.Conv2d(c, c, 3, 2, 1)
        self.down2, self.pool2 = TorchBlock(c, 2 * c, td), tnn.Conv2d(2 * c, 2 * c, 3, 2, 1)
        self.mid = TorchBlock(2 * c, 2 * c, td)
        self.up2, self.dec2 = tnn.ConvTranspose2d(2 * c, 2 * c, 4, 2, 1), TorchBlock(4 * c, 2 * c, td)
        self.up1, self.dec1 = tnn.ConvTranspose2d(2 * c, c, 4, 2, 1), TorchBlock(2 * c, c, td)
        self.out = tnn.Sequential(tnn.GroupNorm(8, c), tnn.SiLU(), tnn.Conv2d(c, 1, 3, padding=1))

    def forward(self, x, t):
        half = self.td // 2
        freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
        args = t.float()[:, None] * freqs
        temb = self.time_mlp(torch.cat([args.sin(), args.cos()], 1))
        h1 = self.down1(self.stem(x), temb)
        h2 = self.down2(self.pool1(h1), temb)
        h = self.mid(self.pool2(h2), temb)
        h = self.dec2(torch.cat([self.up2(h), h2], 1), temb)
        return self.out(self.dec1(torch.cat([self.up1(h), h1], 1), temb))


def test_tiny_unet_matches_torch():
    ember.manual_seed(0)
    m, t = G.TinyUNet(8, 16), TorchUNet(8, 16)
    _copy(m, t)
    x = np.random.default_rng(0).normal(size=(2, 1, 28, 28)).astype(np.float32)
    steps = np.array([3, 17])
    out = m(ember.tensor(x), ember.tensor(steps))
    ref = t(torch.tensor(x), torch.tensor(steps))
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-3, atol=1e-4)
    out.pow(2).mean().backward()
    ref.pow(2).mean().backward()
    _grads_match(m, t, rtol=2e-3, atol=1e-5)


# ------------------------------------------------------------------------------------------------ the recipes
@pytest.mark.parametrize("task,model,extra", [
    ("vae", "vae-mlp", []), ("vae", "cvae", []), ("vae", "vqvae", ["--channels", "8", "--latent-dim", "4"]),
    ("vae", "vae-conv", ["--channels", "8"]), ("gan", "dcgan", ["--channels", "8"]), ("gan", "lsgan", ["--channels", "8"]),
    ("pixelcnn", "pixelcnn", ["--channels", "8"]), ("diffusion", "ddpm", ["--channels", "8", "--timesteps", "4"])])
def test_each_recipe_runs_and_resumes(tmp_path, task, model, extra):
    out = tmp_path / "run"
    args = ["train", "--task", task, "--model", model, "--epochs", "1", "--subset", "--limit", "64", "--samples", "4",
            "--batch-size", "32", "--out", str(out), *extra]
    assert main(args) == 0
    m = json.loads((out / "metrics.json").read_text())
    row = m["epochs"][0]
    assert all(math.isfinite(v) for k, v in row.items() if isinstance(v, float))
    assert (out / "samples_epoch1.png").read_bytes()[:4] == b"\x89PNG"
    if task == "vae" and model == "vae-mlp":
        assert "test_neg_elbo" in row and (out / "traversal.png").is_file()
        assert main(args[:5] + ["--epochs", "2"] + args[7:] + ["--resume"]) == 0
        assert [e["epoch"] for e in json.loads((out / "metrics.json").read_text())["epochs"]] == [1, 2]
        assert main(["predict", str(out / "checkpoint.pt"), "--n", "4", "--out", str(tmp_path / "s.png")]) == 0
        assert (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"


def test_recipe_errors(capsys):
    assert main(["train", "--task", "gan", "--model", "vae-mlp", "--subset"]) == 2
    assert "unknown model 'vae-mlp' for --task gan" in capsys.readouterr().err
    assert main(["train", "--task", "vae", "--latent-dim", "0", "--subset"]) == 2
