"""``ember evaluate`` (accuracy, confusion matrix, per-class accuracy) and ``ember predict`` (a PNG grid)."""
from __future__ import annotations

import os

import numpy as np

from . import UsageError
from ._common import CLASSES, build_model, load_checkpoint, load_split, predict_batches, to_input


def _restore(path: str):
    ckpt = load_checkpoint(path)
    from .finetune import build_for  # a fine-tuned model may keep its checkpoint's full-size stem

    model, size = build_for(ckpt["args"]["model"], ckpt["model"])
    try:
        model.load_state_dict(ckpt["model"])
    except RuntimeError as e:
        raise UsageError(f"ember: error: {path!r} does not fit model {ckpt['args']['model']!r}: "
                         f"{str(e).splitlines()[1].strip() if len(str(e).splitlines()) > 1 else e}") from None
    return model, size, ckpt


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, k: int = 10) -> np.ndarray:
    """cm[i, j] = how many images of class i were predicted as class j."""
    return np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)


def run_evaluate(args) -> int:
    model, size, ckpt = _restore(args.checkpoint)
    x, y, source = load_split(args.data, False, args.subset)
    logits = np.concatenate([predict_batches(model, to_input(x[i:i + 1024], size), args.batch_size)
                             for i in range(0, len(x), 1024)])
    pred = logits.argmax(1)
    cm = confusion_matrix(y, pred)
    print(f"{ckpt['args']['model']} (epoch {ckpt['epoch']}) on {len(y)} test images ({source})")
    print(f"accuracy {float((pred == y).mean()):.4f}\n")
    print("confusion matrix (rows: true class, columns: predicted)")
    print("      " + " ".join(f"{j:>5}" for j in range(10)))
    for i in range(10):
        print(f"{i:>5} " + " ".join(f"{v:>5}" for v in cm[i]))
    print("\nper-class accuracy")
    for i, name in enumerate(CLASSES):
        tot = cm[i].sum()
        print(f"  {i} {name:<12} {cm[i, i] / tot if tot else float('nan'):.4f}")
    return 0


def run_predict(args, rest: list | None = None) -> int:
    """A PNG grid of predictions; a checkpoint of another ``--task`` goes to that task's ``run_predict``."""
    ckpt = load_checkpoint(args.checkpoint)
    task = ckpt["args"].get("task", "classify")
    if task != "classify":
        from . import _task_module

        mod = _task_module(task)
        if not hasattr(mod, "run_predict"):
            raise UsageError(f"ember predict: error: task {task!r} has no predict")
        return mod.run_predict(args, rest or [], ckpt)
    if rest:
        raise UsageError(f"ember predict: error: unrecognized arguments: {' '.join(rest)}")
    model, size, ckpt = _restore(args.checkpoint)
    x, y, _ = load_split(args.data, False, args.subset)
    n = min(args.n, len(x))
    pred = predict_batches(model, to_input(x[:n], size), 256).argmax(1)
    out = args.out or os.path.join(os.path.dirname(os.path.abspath(args.checkpoint)), "predictions.png")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UsageError("ember predict: error: matplotlib is needed for the PNG grid "
                         "(pip install 'ember[plot]')") from None
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(1.8 * cols, 2.0 * rows))
    for k, ax in enumerate(np.atleast_1d(axes).reshape(-1)):
        ax.axis("off")
        if k < n:
            ax.imshow(x[k], cmap="gray")
            ok = pred[k] == y[k]
            ax.set_title(CLASSES[pred[k]], fontsize=8, color="green" if ok else "red")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    acc = float((pred == y[:n]).mean())
    print(f"wrote {out}: {n} test images with predicted labels (green right, red wrong; {acc:.0%} right)")
    return 0
