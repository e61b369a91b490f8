"""What the ``ember train --task`` recipes share: their option parser, the run folder, a progress bar, metrics
files, PNG plots, optimizers and checkpoints."""
from __future__ import annotations

import csv
import json
import os
import random

from .. import UsageError, _Parser


def parser(prog: str) -> _Parser:
    return _Parser(prog=prog, add_help=False)


def parse(p: _Parser, rest: list, prog: str):
    opts, unknown = p.parse_known_args(rest)
    if unknown:
        raise UsageError(f"{prog}: error: unrecognized arguments: {' '.join(unknown)}")
    return opts


def run_folder(out: str, prog: str = "ember train") -> str:
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as e:
        raise UsageError(f"{prog}: error: --out {out!r} cannot be created: {e.strerror}") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise UsageError(f"{prog}: error: --out {out!r} is not writable; choose another folder")
    return out


def check_device(args) -> None:
    if args.device != "cpu":
        import ember

        if not ember.cuda.is_available():
            raise UsageError(f"ember train: error: device {args.device!r} is not available (no CuPy/GPU); "
                             "use --device cpu")


def seed_epoch(seed: int, epoch: int) -> None:
    """Seed every source of randomness from (seed, epoch), so a resumed run sees the same batches."""
    import ember

    random.seed(seed * 1_000_003 + epoch)
    ember.manual_seed(seed * 1_000_003 + epoch)


class Progress:
    """A tqdm bar over the batches of an epoch (one printed line per epoch without tqdm)."""

    def __init__(self, total: int, desc: str) -> None:
        try:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=desc, unit="batch", leave=True, dynamic_ncols=True)
        except ImportError:
            self.bar = None
        self.desc = desc

    def update(self, **stats) -> None:
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix({k: f"{v:.4g}" for k, v in stats.items()}, refresh=False)

    def close(self, **stats) -> None:
        if self.bar is not None:
            self.bar.set_postfix({k: f"{v:.4g}" for k, v in stats.items()})
            self.bar.close()
        else:
            print(self.desc + "  " + "  ".join(f"{k} {v:.4g}" for k, v in stats.items()), flush=True)


def write_metrics(out: str, history: list, info: dict) -> None:
    scalar = [k for k in history[0] if not isinstance(history[0][k], (list, dict))]
    with open(os.path.join(out, "metrics.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=scalar, extrasaction="ignore")
        w.writeheader()
        w.writerows(history)
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump({"info": info, "epochs": history}, f, indent=1)


def plot_lines(path: str, history: list, keys: list, ylabel: str, title: str) -> str | None:
    """One PNG: ``keys`` of each history row against the epoch."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, ax = plt.subplots(figsize=(6, 4))
    ep = [h["epoch"] for h in history]
    for key, style in zip(keys, ("o-", "s--", "^-.", "d:")):
        ax.plot(ep, [h[key] for h in history], style, label=key)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.legend()
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def make_optimizer(name: str, params, lr: float):
    from ... import optim

    if name == "sgd":
        return optim.SGD(params, lr=lr)
    if name == "adam":
        return optim.Adam(params, lr=lr)
    if name == "adamw":
        return optim.AdamW(params, lr=lr, weight_decay=1e-2)
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr)
    return optim.Adagrad(params, lr=lr)


def make_scheduler(name: str, opt, epochs: int, steps_per_epoch: int, lr: float):
    from ..train import make_scheduler as make

    return make(name, opt, epochs, steps_per_epoch, lr)


def save_checkpoint(path: str, payload: dict) -> None:
    import ember

    ember.save(payload, path)


def resume_from(path: str, task: str, model: str) -> dict:
    from .._common import load_checkpoint

    ckpt = load_checkpoint(path)
    got = ckpt["args"].get("task"), ckpt["args"].get("model")
    if got != (task, model):
        raise UsageError(f"ember train: error: {path} holds a {got[0]!r} run of {got[1]!r}, not {task!r} "
                         f"of {model!r}; give --out another folder or the same --model")
    return ckpt
