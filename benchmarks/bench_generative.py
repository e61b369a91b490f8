"""Training-step time of the VAE (MLP) and DCGAN recipes: ember vs the same models in torch, one process.

Run: python benchmarks/bench_generative.py [--threads 1] [--reps 20] [--batch 128]
(without OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE, see shared/PERFORMANCE.md). Prints the median step time of
each and the ratio ember/torch (below 1: ember faster). Repetitions are interleaved; both start from the
same weights and see the same batches.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))


def _torch_models(torch, latent=16, hidden=400, z=64, c=64):
    nn = torch.nn

    class VAE(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc = nn.Sequential(nn.Linear(784, hidden), nn.ReLU())
            self.fc_mu, self.fc_logvar = nn.Linear(hidden, latent), nn.Linear(hidden, latent)
            self.dec = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, 784))

        def forward(self, x):
            h = self.enc(x.flatten(1))
            mu, logvar = self.fc_mu(h), self.fc_logvar(h)
            zz = mu + (0.5 * logvar).exp() * torch.randn_like(mu)
            return self.dec(zz).view(-1, 1, 28, 28), mu, logvar

    class Gen(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.ConvTranspose2d(z, 2 * c, 7, 1, 0, bias=False), nn.BatchNorm2d(2 * c), nn.ReLU(),
                                     nn.ConvTranspose2d(2 * c, c, 4, 2, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU(),
                                     nn.ConvTranspose2d(c, 1, 4, 2, 1), nn.Tanh())

        def forward(self, v):
            return self.net(v.view(v.shape[0], -1, 1, 1))

    class Disc(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Conv2d(1, c, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(c, 2 * c, 4, 2, 1, bias=False),
                                     nn.BatchNorm2d(2 * c), nn.LeakyReLU(0.2), nn.Conv2d(2 * c, 1, 7))

        def forward(self, x):
            return self.net(x).flatten()

    return VAE(), Gen(), Disc()


def _load(torch, ember_model, torch_model):
    torch_model.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ember_model.state_dict().items()})


def _vae_step(lib, F, model, opt, x):
    logits, mu, logvar = model(x)
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1)
    loss = (rec - 0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(1)).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()


def _gan_step(lib, F, g, d, og, od, x, z):
    fake = g(z)
    real_logits, fake_logits = d(x * 2 - 1), d(fake.detach())
    d_loss = (F.binary_cross_entropy_with_logits(real_logits, lib.ones_like(real_logits))
              + F.binary_cross_entropy_with_logits(fake_logits, lib.zeros_like(fake_logits)))
    od.zero_grad()
    d_loss.backward()
    od.step()
    out = d(fake)
    g_loss = F.binary_cross_entropy_with_logits(out, lib.ones_like(out))
    og.zero_grad()
    g_loss.backward()
    og.step()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--reps", type=int, default=20)
    p.add_argument("--batch", type=int, default=128)
    a = p.parse_args()
    import torch

    import ember
    import ember.nn.functional as EF
    from ember.models import generative as G

    torch.set_num_threads(a.threads)
    ember.manual_seed(0)
    tv, tg, td = _torch_models(torch)
    ev, eg, ed = G.VAE(), G.DCGANGenerator(), G.DCGANDiscriminator()
    for e, t in ((ev, tv), (eg, tg), (ed, td)):
        _load(torch, e, t)
    x = (np.random.default_rng(0).random((a.batch, 1, 28, 28)) > 0.5).astype(np.float32)
    z = np.random.default_rng(1).normal(size=(a.batch, 64)).astype(np.float32)
    adam_e = lambda m, lr: ember.optim.Adam(m.parameters(), lr=lr, betas=(0.5, 0.999))  # noqa: E731
    adam_t = lambda m, lr: torch.optim.Adam(m.parameters(), lr=lr, betas=(0.5, 0.999))  # noqa: E731
    work = {
        "VAE (MLP 784-400-16) step": (
            lambda o=adam_e(ev, 1e-3), xb=ember.tensor(x): _vae_step(ember, EF, ev, o, xb),
            lambda o=adam_t(tv, 1e-3), xb=torch.tensor(x): _vae_step(torch, torch.nn.functional, tv, o, xb)),
        "DCGAN (G + D) step": (
            lambda og=adam_e(eg, 2e-4), od=adam_e(ed, 2e-4), xb=ember.tensor(x), zb=ember.tensor(z):
                _gan_step(ember, EF, eg, ed, og, od, xb, zb),
            lambda og=adam_t(tg, 2e-4), od=adam_t(td, 2e-4), xb=torch.tensor(x), zb=torch.tensor(z):
                _gan_step(torch, torch.nn.functional, tg, td, og, od, xb, zb)),
    }
    print(f"batch {a.batch}, {a.threads} thread(s), {a.reps} interleaved repetitions")
    for name, (fe, ft) in work.items():
        for _ in range(2):
            fe()
            ft()
        te, tt = [], []
        for _ in range(a.reps):
            t0 = time.perf_counter()
            fe()
            t1 = time.perf_counter()
            ft()
            tt.append(time.perf_counter() - t1)
            te.append(t1 - t0)
        me, mt = np.median(te) * 1e3, np.median(tt) * 1e3
        print(f"{name:<28} ember {me:8.2f} ms   torch {mt:8.2f} ms   ratio {me / mt:5.2f}")


if __name__ == "__main__":
    main()
