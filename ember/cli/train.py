"""``ember train``: the training loop, its progress bar, metrics, curves and checkpoints.

Every epoch: one pass over shuffled mini-batches (the shuffle is seeded by ``--seed`` and the epoch, so a
resumed run sees the same batches), a validation pass on the test split, one row in ``metrics.csv`` /
``metrics.json``, the PNG of the curves and an atomic ``checkpoint.pt`` holding the model, optimizer,
scheduler and RNG states. ``--resume`` continues from it and ends with the same weights as an
uninterrupted run. Ctrl-C saves ``interrupted.pt`` and exits with code 130.
"""
from __future__ import annotations

import csv
import json
import math
import os
import time

import numpy as np

from . import UsageError
from ._common import build_model, load_checkpoint, load_split, model_names, predict_batches, to_input
from .ddp import Ranks, Silent, inner
from .recipes import recipe

DEFAULT_LR = {"sgd": 0.05, "adam": 1e-3, "adamw": 1e-3, "rmsprop": 1e-3, "adagrad": 1e-2}


def make_optimizer(name: str, params, lr: float):
    from .. import optim

    if name == "sgd":
        return optim.SGD(params, lr=lr, momentum=0.9, weight_decay=5e-4, nesterov=True)
    if name == "adam":
        return optim.Adam(params, lr=lr)
    if name == "adamw":
        return optim.AdamW(params, lr=lr, weight_decay=1e-2)
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr)
    return optim.Adagrad(params, lr=lr)


def make_scheduler(name: str, opt, epochs: int, steps_per_epoch: int, lr: float):
    """Returns (scheduler or None, whether it steps per batch)."""
    from ..optim import lr_scheduler as S

    if name == "step":
        return S.StepLR(opt, step_size=max(1, epochs // 3), gamma=0.1), False
    if name == "cosine":
        return S.CosineAnnealingLR(opt, T_max=epochs), False
    if name == "onecycle":
        return S.OneCycleLR(opt, max_lr=lr, total_steps=epochs * steps_per_epoch), True
    return None, False


class _Progress:
    """A tqdm bar when tqdm is installed, else one printed line per epoch."""

    def __init__(self, total: int, desc: str) -> None:
        try:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=desc, unit="img", leave=True, dynamic_ncols=True)
        except ImportError:
            self.bar = None
        self.desc = desc

    @staticmethod
    def _fmt(stats: dict) -> dict:
        return {k: (f"{v:.0f}" if k == "img_s" else f"{v:.4f}") for k, v in stats.items()}

    def update(self, n: int, **stats) -> None:
        if self.bar is not None:
            self.bar.update(n)
            self.bar.set_postfix(self._fmt(stats), refresh=False)

    def close(self, **stats) -> None:
        if self.bar is not None:
            self.bar.set_postfix(self._fmt(stats))
            self.bar.close()
        else:
            print(self.desc + "  " + "  ".join(f"{k} {v}" for k, v in self._fmt(stats).items()), flush=True)


def _batches(n: int, batch_size: int, seed: int, epoch: int):
    order = np.random.default_rng([seed, epoch]).permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def _loader(x: np.ndarray, y: np.ndarray, size: int, batches: list, num_workers: int):
    """Batches of (input tensor, label tensor); resizing happens in the loader (workers when asked)."""
    import ember
    from ..utils.data import DataLoader

    class _Batches:
        def __len__(self):
            return len(batches)

        def __getitem__(self, i):
            idx = batches[i]
            return ember.from_numpy(to_input(x[idx], size)), ember.from_numpy(y[idx])

    return DataLoader(_Batches(), batch_size=None, shuffle=False, num_workers=num_workers)


def _warm_up(model, xb, yb) -> None:
    """A forward and backward pass of a throwaway copy of the model before the first timed epoch, so that
    loading the compiled kernels (numba's first call in a process costs ~0.3 s) is not counted as epoch
    time. The model, the optimizer and the random state are untouched."""
    import copy

    import ember
    import ember.nn.functional as F
    from ..backends import kernels

    if kernels.current() != "numba":
        return
    twin = copy.deepcopy(model)
    twin.train()
    with ember.random.fork_rng():
        F.cross_entropy(twin(xb), yb).backward()


def _evaluate(model, x_test: np.ndarray, y_test: np.ndarray, size: int) -> tuple:
    logits = predict_batches(model, to_input(x_test, size) if size == 28 else None, 512) if size == 28 else \
        np.concatenate([predict_batches(model, to_input(x_test[i:i + 512], size), 512)
                        for i in range(0, len(x_test), 512)])
    m = logits.max(1, keepdims=True)
    logp = logits - m - np.log(np.exp(logits - m).sum(1, keepdims=True))
    loss = float(-logp[np.arange(len(y_test)), y_test].mean())
    return loss, float((logits.argmax(1) == y_test).mean())


def _write_metrics(out: str, history: list, info: dict) -> None:
    with open(os.path.join(out, "metrics.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(history[0]))
        w.writeheader()
        w.writerows(history)
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump({"info": info, "epochs": history}, f, indent=1)


def _plot(out: str, history: list, title: str) -> str | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    ep = [h["epoch"] for h in history]
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    a.plot(ep, [h["train_loss"] for h in history], "o-", label="train loss")
    a.plot(ep, [h["test_loss"] for h in history], "s--", label="test loss")
    a.set_xlabel("epoch")
    a.set_ylabel("cross-entropy")
    a.legend()
    b.plot(ep, [h["train_acc"] for h in history], "o-", label="train accuracy")
    b.plot(ep, [h["test_acc"] for h in history], "s--", label="test accuracy")
    b.set_xlabel("epoch")
    b.set_ylabel("accuracy")
    b.legend()
    fig.suptitle(title)
    fig.tight_layout()
    path = os.path.join(out, "curves.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _fill_from_recipe(args) -> None:
    """Options the command line left out (None) come from the model's recipe; an ``--optimizer`` other than
    the recipe's without ``--lr`` gets that optimizer's usual learning rate."""
    r = recipe(args.model)
    if args.lr is None:
        args.lr = r.lr if args.optimizer in (None, r.optimizer) else DEFAULT_LR[args.optimizer]
    args.optimizer = args.optimizer or r.optimizer
    args.epochs = args.epochs or r.epochs
    args.batch_size = args.batch_size or r.batch_size


def _run_folder(out: str) -> str:
    """Create the run folder, or a one-line error when it cannot be written."""
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as e:
        raise UsageError(f"ember train: error: --out {out!r} cannot be created: {e.strerror}") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise UsageError(f"ember train: error: --out {out!r} is not writable; choose another folder")
    return out


def run_train(args) -> int:
    if args.list_models:
        print("\n".join(model_names()))
        return 0
    ranks = Ranks(getattr(args, "ddp", False))  # --ddp: this process is one rank of an MPI job (see ddp.py)
    with ranks.abort_on_error():
        return _train(args, ranks)


def _train(args, ranks: Ranks) -> int:
    import ember
    import ember.nn.functional as F

    if args.device != "cpu" and not ember.cuda.is_available():
        raise UsageError(f"ember train: error: device {args.device!r} is not available (no CuPy/GPU); use --device cpu")
    if args.model not in model_names():
        build_model(args.model)  # the one-line "unknown model" error, before anything is written
    _fill_from_recipe(args)
    x_train, y_train, source = load_split(args.data, True, args.subset)
    x_test, y_test, _ = load_split(args.data, False, args.subset)
    out = _run_folder(args.out or os.path.join("runs", args.model))
    ckpt_path = os.path.join(out, "checkpoint.pt")
    ember.manual_seed(args.seed)
    model, size = build_model(args.model)
    lr = args.lr
    steps = math.ceil(len(x_train) / args.batch_size)
    params = model.parameters()
    if getattr(args, "finetune", None):  # another model's weights, a new head (see finetune.py)
        from .finetune import prepare

        model, size, params = prepare(args.model, args.finetune, lr, args.freeze_backbone)
    opt = make_optimizer(args.optimizer, params, lr)
    sched, per_batch = make_scheduler(args.scheduler, opt, args.epochs, steps, lr)
    history, start = [], 1
    if args.resume:
        ckpt = load_checkpoint(ckpt_path)
        if ckpt["args"].get("model") != args.model:
            raise UsageError(f"ember train: error: {ckpt_path} holds a {ckpt['args'].get('model')!r} run, "
                             f"not {args.model!r}")
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        if sched is not None and ckpt.get("scheduler") is not None:
            sched.load_state_dict(ckpt["scheduler"])
        ember.set_rng_state(ckpt["rng"])
        history, start = list(ckpt["history"]), int(ckpt["epoch"]) + 1
    x_fast = to_input(x_train, size) if size == 28 else None
    if ranks.main:
        print(f"ember train: {args.model} on Fashion-MNIST ({source}; {len(x_train)} train / {len(x_test)} test), "
              f"{args.optimizer} lr={lr:g}, batch {args.batch_size}, epochs {start}..{args.epochs} -> {out}"
              + (f" on {ranks.world} ranks" if ranks.enabled else ""), flush=True)
    epoch = start - 1
    if start <= args.epochs:
        n0 = min(args.batch_size, len(x_train))
        _warm_up(model, ember.from_numpy(to_input(x_train[:n0], size)), ember.from_numpy(y_train[:n0]))
    model = ranks.wrap(model)
    try:
        for epoch in range(start, args.epochs + 1):
            model.train()
            batches = ranks.shard(_batches(len(x_train), args.batch_size, args.seed, epoch))
            bar = _Progress(sum(len(b) for b in batches), f"epoch {epoch}/{args.epochs}") if ranks.main else Silent()
            t0, seen, loss_sum, correct = time.perf_counter(), 0, 0.0, 0
            if x_fast is not None and args.num_workers == 0:
                it = ((ember.from_numpy(x_fast[b]), ember.from_numpy(y_train[b])) for b in batches)
            else:
                it = iter(_loader(x_train, y_train, size, batches, args.num_workers))
            for xb, yb in it:
                logits = model(xb)
                loss = F.cross_entropy(logits, yb)
                opt.zero_grad()
                loss.backward()
                opt.step()
                if per_batch:
                    sched.step()
                n = len(yb)
                seen += n
                loss_sum += loss.item() * n
                correct += int((logits.detach().argmax(1) == yb).sum().item())
                bar.update(n, loss=loss_sum / seen, acc=correct / seen, img_s=seen / (time.perf_counter() - t0))
            secs = time.perf_counter() - t0
            if sched is not None and not per_batch:
                sched.step()
            loss_sum, correct, seen = ranks.totals(loss_sum, correct, seen)
            if not ranks.main:  # rank 0 evaluates and writes the run folder
                ranks.barrier()
                continue
            test_loss, test_acc = _evaluate(inner(model), x_test, y_test, size)
            bar.close(loss=loss_sum / seen, acc=correct / seen, test_acc=test_acc, img_s=seen / secs)
            history.append({"epoch": epoch, "train_loss": loss_sum / seen, "train_acc": correct / seen,
                            "test_loss": test_loss, "test_acc": test_acc, "lr": opt.param_groups[0]["lr"],
                            "seconds": secs, "samples_per_s": seen / secs})
            info = {"model": args.model, "data": source, "optimizer": args.optimizer, "lr": lr,
                    "batch_size": args.batch_size, "seed": args.seed}
            _write_metrics(out, history, info)
            if not args.no_plot:
                _plot(out, history, f"ember train --model {args.model} ({source})")
            ember.save({"model": inner(model).state_dict(), "optimizer": opt.state_dict(),
                        "scheduler": sched.state_dict() if sched is not None else None, "epoch": epoch,
                        "rng": ember.get_rng_state(), "args": vars(args), "history": history}, ckpt_path)
            ranks.barrier()
    except KeyboardInterrupt:
        if not ranks.main:
            return 130
        path = os.path.join(out, "interrupted.pt")
        ember.save({"model": inner(model).state_dict(), "optimizer": opt.state_dict(), "epoch": epoch - 1,
                    "rng": ember.get_rng_state(), "args": vars(args), "history": history}, path)
        print(f"\nember train: interrupted in epoch {epoch}; saved {path}; `--resume` continues from the last "
              f"completed epoch ({ckpt_path})")
        return 130
    if history and ranks.main:
        print(f"final test accuracy {history[-1]['test_acc']:.4f}; metrics, curves.png and checkpoint.pt in {out}")
    return 0
