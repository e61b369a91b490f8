"""What the vision tasks (``detect``, ``segment``) share: the epoch loop with its progress bar, metrics,
plot and checkpoint (``--resume`` continues it), and drawing images into a PNG grid."""
from __future__ import annotations

import os
import time
from typing import Callable

import numpy as np

from .. import UsageError
from . import _run


def check_sizes(prog: str, opts, names: tuple) -> None:
    """Every option in ``names`` must be a positive integer."""
    for name in names:
        if getattr(opts, name) < 1:
            raise UsageError(f"{prog}: error: --{name.replace('_', '-')} must be a positive integer, got "
                             f"{getattr(opts, name)}")


def fit(args, task: str, model, opt, sched, per_batch: bool, num_train: int,
        step: Callable, evaluate: Callable, ckpt_args: dict, after_epoch: Callable | None = None,
        progress_key: str = "loss") -> list:
    """Train ``model`` for ``args.epochs`` epochs of shuffled mini-batches of ``args.batch_size`` indices.

    ``step(idx) -> float`` trains on one batch and returns its loss; ``evaluate() -> dict`` gives the
    held-out figures printed and stored per epoch; ``after_epoch(out)`` writes the task's PNG. Each epoch
    writes ``metrics.csv``/``.json``, ``loss.png`` and an atomic ``checkpoint.pt``; ``--resume`` continues
    from it. Returns the history (one dict an epoch).
    """
    import ember

    out = args.out
    ckpt_path = os.path.join(out, "checkpoint.pt")
    history, start = [], 1
    if args.resume:
        ckpt = _run.resume_from(ckpt_path, task, args.model)
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        if sched is not None and ckpt.get("scheduler") is not None:
            sched.load_state_dict(ckpt["scheduler"])
        history, start = list(ckpt["history"]), int(ckpt["epoch"]) + 1
    for epoch in range(start, args.epochs + 1):
        _run.seed_epoch(args.seed, epoch)
        order = np.random.default_rng([args.seed, epoch]).permutation(num_train)
        batches = [order[i:i + args.batch_size] for i in range(0, num_train, args.batch_size)]
        bar = _run.Progress(len(batches), f"epoch {epoch}/{args.epochs}")
        model.train()
        t0, total, seen = time.perf_counter(), 0.0, 0
        for idx in batches:
            loss = step(idx)
            if per_batch:
                sched.step()
            total, seen = total + loss * len(idx), seen + len(idx)
            bar.update(**{progress_key: total / seen})
        secs = time.perf_counter() - t0
        if sched is not None and not per_batch:
            sched.step()
        model.eval()
        figures = evaluate()
        bar.close(**{progress_key: total / seen}, **figures)
        history.append({"epoch": epoch, "train_loss": total / seen, **figures, "lr": opt.param_groups[0]["lr"],
                        "seconds": secs, "images_per_s": seen / secs})
        _run.write_metrics(out, history, {k: v for k, v in ckpt_args.items() if not k.startswith("_")})
        if not args.no_plot:
            _run.plot_lines(os.path.join(out, "loss.png"), history, ["train_loss"], "loss",
                             f"ember train --task {task}")
            if after_epoch is not None and epoch == args.epochs:
                after_epoch(out)
        _run.save_checkpoint(ckpt_path, {
            "model": model.state_dict(), "optimizer": opt.state_dict(),
            "scheduler": None if sched is None else sched.state_dict(), "epoch": epoch, "history": history,
            "rng": ember.get_rng_state(), "args": ckpt_args})
    return history


def plain_args(args, opts, task: str, model: str) -> dict:
    """The checkpoint's ``args``: the common options and the task's, with ``task`` and ``model``."""
    keep = {k: v for k, v in {**vars(args), **vars(opts)}.items()
            if isinstance(v, (int, float, str, bool, type(None)))}
    return {**keep, "task": task, "model": model}


def save_grid(path: str, images: list, draw: Callable | None = None, titles: list | None = None,
              cols: int = 4) -> str | None:
    """A grid of (H, W, 3) images in [0, 1] (or class maps with ``cmap``) as one PNG; ``draw(ax, i)``
    adds overlays on panel i. None without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    cols = min(cols, len(images))
    rows = (len(images) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(2.4 * cols, 2.4 * rows), squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i >= len(images):
            continue
        img = images[i]
        if img.ndim == 2:
            ax.imshow(img, cmap="tab10", vmin=0, vmax=9, interpolation="nearest")
        else:
            ax.imshow(np.clip(img, 0, 1))
        if draw is not None:
            draw(ax, i)
        if titles is not None:
            ax.set_title(titles[i], fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
