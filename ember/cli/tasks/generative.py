"""``ember train --task vae|gan|pixelcnn|diffusion``: the generative recipes on Fashion-MNIST.

Models (``--model``): vae: ``vae-conv`` (default), ``vae-mlp``, ``cvae``, ``vqvae``; gan: ``dcgan`` (non-saturating,
default), ``lsgan``; pixelcnn: ``pixelcnn`` (4 intensity levels); diffusion: ``ddpm``. Each epoch writes a PNG grid
of samples (``samples_epochN.png``), a row of ``metrics.csv``/``.json`` and an atomic ``checkpoint.pt``
(``--resume`` continues it). The VAEs also report the held-out ELBO per epoch and write ``traversal.png`` (a
walk along the first two latent dimensions). ``ember predict CKPT [--n 16]`` writes a grid of new samples.

The VAEs and PixelCNN model binarised / quantised pixels; the GAN and DDPM see intensities in [-1, 1].
"""
from __future__ import annotations

import math
import os
import time

import numpy as np

from .. import UsageError
from . import _run as run

MODELS = {"vae": ("vae-conv", "vae-mlp", "cvae", "vqvae"), "gan": ("dcgan", "lsgan"), "pixelcnn": ("pixelcnn",),
          "diffusion": ("ddpm",)}
DEFAULTS = {"epochs": 5, "batch_size": 128, "optimizer": "adam"}
DEFAULT_LR = {"vae": 1e-3, "gan": 2e-4, "pixelcnn": 1e-3, "diffusion": 2e-3}


def _options(task: str, rest: list, prog: str = "ember train"):
    p = run.parser(f"{prog} --task {task}")
    p.add_argument("--latent-dim", type=int, default=16 if task == "vae" else 64)
    p.add_argument("--channels", type=int, default=32)
    p.add_argument("--timesteps", type=int, default=200, help="diffusion steps (default 200)")
    p.add_argument("--limit", type=int, default=0, help="train on the first N images only (0: all)")
    p.add_argument("--samples", type=int, default=64, help="images in each sample grid (default 64)")
    opts = run.parse(p, rest, prog)
    for name in ("latent_dim", "channels", "timesteps", "samples"):
        if getattr(opts, name) < 1:
            raise UsageError(f"{prog}: error: --{name.replace('_', '-')} must be positive")
    return opts


def build(task: str, model: str, opts):
    """The model (a Module holding every trained part) for ``task``/``model``."""
    import ember.nn as nn
    from ...models import generative as G

    if model not in MODELS[task]:
        raise UsageError(f"ember train: error: unknown model {model!r} for --task {task}; "
                         f"choose one of: {', '.join(MODELS[task])}")
    if task == "vae":
        if model == "vae-mlp":
            return G.VAE(opts.latent_dim)
        if model == "vae-conv":
            return G.ConvVAE(opts.latent_dim, opts.channels)
        if model == "cvae":
            return G.CVAE(opts.latent_dim)
        return G.VQVAE(num_embeddings=64, embedding_dim=opts.latent_dim, channels=opts.channels)
    if task == "gan":
        return nn.ModuleDict({"G": G.DCGANGenerator(opts.latent_dim, opts.channels),
                              "D": G.DCGANDiscriminator(opts.channels)})
    if task == "pixelcnn":
        return G.PixelCNN(levels=4, channels=opts.channels, n_layers=5)
    return G.DDPM(G.TinyUNet(opts.channels), timesteps=opts.timesteps)


def _images(args, train: bool):
    from .._common import load_split

    x, y, source = load_split(args.data, train, args.subset)
    return (x.astype(np.float32) / 255.0)[:, None], y.astype(np.int64), source


def save_grid(path: str, images: np.ndarray, title: str = "") -> str | None:
    """A PNG of (N, 1, H, W) images in [0, 1] on a square grid (needs matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    n, _, h, w = images.shape
    cols = int(math.ceil(math.sqrt(n)))
    rows = int(math.ceil(n / cols))
    canvas = np.ones((rows * (h + 2), cols * (w + 2)), dtype=np.float32)
    for k in range(n):
        r, c = divmod(k, cols)
        canvas[r * (h + 2) + 1:r * (h + 2) + 1 + h, c * (w + 2) + 1:c * (w + 2) + 1 + w] = images[k, 0]
    fig = plt.figure(figsize=(cols * 0.45 + 0.2, rows * 0.45 + 0.5))
    plt.imshow(np.clip(canvas, 0, 1), cmap="gray", vmin=0, vmax=1)
    plt.axis("off")
    if title:
        plt.title(title, fontsize=9)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path


class _Recipe:
    """One task's training step, held-out metric and sampler, around ``model``."""

    def __init__(self, task: str, name: str, model, args) -> None:
        self.task, self.name, self.model = task, name, model
        lr = args.lr or DEFAULT_LR[task]
        if task == "gan":
            from ... import optim

            self.opts = {"G": optim.Adam(model["G"].parameters(), lr=lr, betas=(0.5, 0.999)),
                         "D": optim.Adam(model["D"].parameters(), lr=lr, betas=(0.5, 0.999))}
        else:
            self.opts = {"model": run.make_optimizer(args.optimizer, model.parameters(), lr)}

    def step(self, x, y) -> dict:
        import ember
        from ...models import generative as G

        m, task = self.model, self.task
        if task == "gan":
            kind = "lsgan" if self.name == "lsgan" else "nonsaturating"
            real = x * 2 - 1
            fake = m["G"](ember.randn(x.shape[0], m["G"].latent_dim))
            d_loss = G.discriminator_loss(m["D"](real), m["D"](fake.detach()), kind)
            self.opts["D"].zero_grad()
            d_loss.backward()
            self.opts["D"].step()
            g_loss = G.generator_loss(m["D"](fake), kind)
            self.opts["G"].zero_grad()
            g_loss.backward()
            self.opts["G"].step()
            return {"d_loss": d_loss.item(), "g_loss": g_loss.item()}
        loss = self.loss(x, y)
        self.opts["model"].zero_grad()
        loss.backward()
        self.opts["model"].step()
        return {"loss": loss.item()}

    def loss(self, x, y):
        import ember.nn.functional as F
        from ...models import generative as G

        m = self.model
        if self.task == "vae":
            xb = (x > 0.5).float()  # binarised pixels: a proper Bernoulli likelihood, so the ELBO is a bound
            if self.name == "vqvae":
                logits, vq_loss, _ = m(xb)
                rec = F.binary_cross_entropy_with_logits(logits, xb, reduction="none").flatten(1).sum(1).mean()
                return rec + vq_loss * 784
            logits, mu, logvar = m(xb, y) if self.name == "cvae" else m(xb)
            return G.vae_loss(logits, xb, mu, logvar)
        if self.task == "pixelcnn":
            codes = m.quantize(x)
            return F.cross_entropy(m(codes.float() / (m.levels - 1)), codes.squeeze(1)) / math.log(2)
        return m.loss(x * 2 - 1)

    def held_out(self, x_test, y_test) -> dict:
        """The test-split metric: negative ELBO (VAE), bits/dim (PixelCNN), noise loss (DDPM)."""
        import ember

        if self.task == "gan":
            return {}
        self.model.eval()
        total, n = 0.0, 0
        with ember.no_grad(), ember.random.fork_rng():
            ember.manual_seed(1234)
            for i in range(0, len(x_test), 500):
                xb = ember.from_numpy(x_test[i:i + 500])
                yb = ember.from_numpy(y_test[i:i + 500])
                total += self.loss(xb, yb).item() * len(xb)
                n += len(xb)
        self.model.train()
        key = {"vae": "test_neg_elbo", "pixelcnn": "test_bits_per_dim", "diffusion": "test_loss"}[self.task]
        return {key: total / n}

    def sample(self, n: int) -> np.ndarray:
        import ember

        m = self.model
        m.eval()
        with ember.no_grad():
            if self.task == "vae" and self.name == "cvae":
                imgs = m.sample(n, ember.arange(n) % 10)
            elif self.task == "vae" and self.name == "vqvae":
                codes = ember.randint(0, m.vq.codebook.num_embeddings, (n, 7, 7))
                imgs = m.decoder(m.vq.codebook(codes).permute(0, 3, 1, 2)).sigmoid()
            elif self.task == "gan":
                imgs = (m["G"](ember.randn(n, m["G"].latent_dim)) + 1) / 2
            elif self.task == "diffusion":
                imgs = (m.sample(n) + 1) / 2
            else:
                imgs = m.sample(n)
        m.train()
        return imgs.clamp(0, 1).numpy()

    def traversal(self, path: str, steps: int = 10) -> None:
        """VAE decodes along latent dims 0 (rows) and 1 (columns) from -3 to 3, the others 0."""
        import ember

        m = self.model
        if self.task != "vae" or self.name not in ("vae-mlp", "vae-conv"):
            return
        grid = ember.linspace(-3, 3, steps)
        z = ember.zeros(steps * steps, m.latent_dim)
        z[:, 0] = grid.repeat_interleave(steps)
        z[:, 1] = grid.repeat(steps)
        with ember.no_grad():
            imgs = m.decode(z).sigmoid().numpy()
        save_grid(path, imgs, "latent traversal: z0 down, z1 across")


def run_train(args, rest: list) -> int:
    import ember

    task = args.task
    opts = _options(task, rest)
    name = args.model or MODELS[task][0]
    run.check_device(args)
    out = run.run_folder(args.out or os.path.join("runs", f"{task}_{name}"))
    ckpt_path = os.path.join(out, "checkpoint.pt")
    ember.manual_seed(args.seed)
    model = build(task, name, opts)
    recipe = _Recipe(task, name, model, args)
    x_tr, y_tr, source = _images(args, True)
    x_te, y_te, _ = _images(args, False)
    if opts.limit:
        x_tr, y_tr = x_tr[:opts.limit], y_tr[:opts.limit]
        x_te, y_te = x_te[:max(opts.limit // 5, 1)], y_te[:max(opts.limit // 5, 1)]
    history, start = [], 1
    if args.resume:
        ckpt = run.resume_from(ckpt_path, task, name)
        model.load_state_dict(ckpt["model"])
        for k, o in recipe.opts.items():
            o.load_state_dict(ckpt["optimizer"][k])
        ember.set_rng_state(ckpt["rng"])
        history, start = list(ckpt["history"]), int(ckpt["epoch"]) + 1
    print(f"ember train --task {task}: {name} on Fashion-MNIST ({source}; {len(x_tr)} train / {len(x_te)} test), "
          f"epochs {start}..{args.epochs}, batch {args.batch_size} -> {out}", flush=True)
    info = {"task": task, "model": name, "data": source, "batch_size": args.batch_size, "seed": args.seed}
    for epoch in range(start, args.epochs + 1):
        run.seed_epoch(args.seed, epoch)
        order = np.random.default_rng([args.seed, epoch]).permutation(len(x_tr))
        batches = [order[i:i + args.batch_size] for i in range(0, len(order), args.batch_size)]
        bar = run.Progress(len(batches), f"epoch {epoch}/{args.epochs}")
        sums, t0 = {}, time.perf_counter()
        for b in batches:
            stats = recipe.step(ember.from_numpy(x_tr[b]), ember.from_numpy(y_tr[b]))
            for k, v in stats.items():
                sums[k] = sums.get(k, 0.0) + v
            bar.update(**stats)
        row = {"epoch": epoch, **{k: v / len(batches) for k, v in sums.items()},
               **recipe.held_out(x_te, y_te), "seconds": time.perf_counter() - t0}
        bar.close(**{k: v for k, v in row.items() if k != "epoch"})
        history.append(row)
        run.write_metrics(out, history, info)
        if not args.no_plot:
            save_grid(os.path.join(out, f"samples_epoch{epoch}.png"), recipe.sample(opts.samples),
                      f"{name}, epoch {epoch}")
            recipe.traversal(os.path.join(out, "traversal.png"))
        run.save_checkpoint(ckpt_path, {
            "model": model.state_dict(), "optimizer": {k: o.state_dict() for k, o in recipe.opts.items()},
            "epoch": epoch, "rng": ember.get_rng_state(), "history": history,
            "args": {**vars(args), "model": name, "options": vars(opts)}})
    print(f"done; metrics, sample grids and checkpoint.pt in {out}")
    return 0


def run_predict(args, rest: list, ckpt: dict) -> int:
    """``ember predict CKPT [--n N] [--out PNG]``: a grid of new samples from a generative checkpoint."""
    import argparse

    import ember

    saved = ckpt["args"]
    task, name = saved["task"], saved["model"]
    opts = argparse.Namespace(**saved.get("options", {}))
    for k, v in vars(_options(task, rest, "ember predict")).items():
        if not hasattr(opts, k):
            setattr(opts, k, v)
    opts.samples = args.n
    model = build(task, name, opts)
    model.load_state_dict(ckpt["model"])
    recipe = _Recipe(task, name, model, argparse.Namespace(lr=None, optimizer="adam"))
    out = args.out or os.path.join(os.path.dirname(os.path.abspath(args.checkpoint)), "samples.png")
    ember.manual_seed(0)
    path = save_grid(out, recipe.sample(opts.samples), f"{name} samples")
    if path is None:
        raise UsageError("ember predict: error: matplotlib is needed for the PNG grid (pip install 'ember[plot]')")
    print(f"wrote {path}: {opts.samples} samples of {name}")
    return 0
