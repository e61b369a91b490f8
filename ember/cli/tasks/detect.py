"""``ember train --task detect``: d2l's TinySSD (ch. 14.7) on generated banana images (``BananasDataset``).

Default: 400 training and 100 test images of 64x64 (``--image-size``; the book uses 1000 of 256x256), batch
32, SGD lr 0.2 with weight decay 5e-4 as the book, 8 epochs (minutes on two cores). Each epoch prints the
training loss (class cross-entropy + masked L1 of the offsets, ``calc_loss``), the anchors' class error
and box MAE on the test set, and mAP@0.5 of the detections (``multibox_detection``, NMS 0.5) against the
true boxes; writes ``metrics.csv``/``.json``, ``loss.png`` and ``checkpoint.pt`` (``--resume`` continues it), and after the
last epoch ``predictions.png``: test images with the predicted boxes (red, with their scores: the best one
and any other with score >= ``--threshold``) and the true ones (green, dashed).

``ember predict CKPT [--n 8] [--threshold 0.5] [--out PNG]`` draws the same PNG from a checkpoint.
"""
from __future__ import annotations

import os

import numpy as np

from .. import UsageError
from . import _run, _vision

TASK = "detect"
DEFAULTS = {"epochs": 8, "batch_size": 32, "optimizer": "sgd"}
DEFAULT_LR = {"sgd": 0.2, "adam": 1e-3, "adamw": 1e-3, "rmsprop": 1e-3, "adagrad": 1e-2}


def _options(rest: list):
    p = _run.parser("ember train --task detect")
    p.add_argument("--image-size", type=int, default=64, help="side of the generated images (default 64)")
    p.add_argument("--num-train", type=int, default=400, help="generated training images (default 400)")
    p.add_argument("--num-test", type=int, default=100, help="generated test images (default 100)")
    p.add_argument("--threshold", type=float, default=0.5, help="score of the boxes drawn (default 0.5)")
    p.add_argument("--n", type=int, default=8, help="test images in predictions.png (default 8)")
    opts = _run.parse(p, rest, "ember train")
    _vision.check_sizes("ember train", opts, ("image_size", "num_train", "num_test", "n"))
    if opts.image_size < 64:
        raise UsageError(f"ember train: error: --image-size must be at least 64 (TinySSD halves it 6 times before "
                         f"its global pool), got {opts.image_size}")
    return opts


def detect(net, X) -> list:
    """Per image of ``X`` (N, 3, H, W): the kept detections (K, 6) rows (class, score, x1, y1, x2, y2)."""
    import ember
    import ember.nn.functional as F
    from ...vision.detection import multibox_detection

    with ember.no_grad():
        anchors, cls_preds, bbox_preds = net(X)
        cls_probs = F.softmax(cls_preds, dim=2).permute(0, 2, 1)
        output = multibox_detection(cls_probs, bbox_preds, anchors).numpy()
    return [out[out[:, 0] >= 0] for out in output]


def evaluate(net, images: np.ndarray, labels: np.ndarray, batch_size: int = 50) -> dict:
    """Test figures: the anchors' class error and box MAE (the book's), and mAP@0.5 of the detections."""
    import ember
    from ...models.detection import bbox_eval, cls_eval
    from ...vision.detection import multibox_target
    from ...vision.metrics import mean_average_precision

    cls_right = cls_n = bbox_err = bbox_n = 0.0
    dets = []
    for i in range(0, len(images), batch_size):
        X, Y = ember.from_numpy(images[i:i + batch_size]), ember.from_numpy(labels[i:i + batch_size])
        with ember.no_grad():
            anchors, cls_preds, bbox_preds = net(X)
        bbox_labels, bbox_masks, cls_labels = multibox_target(anchors, Y)
        cls_right += cls_eval(cls_preds, cls_labels)
        cls_n += cls_labels.numel()
        bbox_err += bbox_eval(bbox_preds, bbox_labels, bbox_masks)
        bbox_n += bbox_labels.numel()
        dets += detect(net, X)
    return {"class_err": 1 - cls_right / cls_n, "bbox_mae": bbox_err / bbox_n,
            "mAP50": mean_average_precision(dets, list(labels), num_classes=1)}


def draw_predictions(path: str, net, images: np.ndarray, labels: np.ndarray, threshold: float) -> str | None:
    """PNG of ``images`` with the best predicted box and any other with score >= threshold (red), and the true
    boxes (green, dashed)."""
    import ember

    net.eval()
    dets = detect(net, ember.from_numpy(images))
    size = images.shape[-1]

    def draw(ax, i):
        from matplotlib.patches import Rectangle

        for _, x1, y1, x2, y2 in labels[i] * np.array([1, size, size, size, size]):
            ax.add_patch(Rectangle((x1 - 0.5, y1 - 0.5), x2 - x1, y2 - y1, fill=False, ec="lime", ls="--", lw=1.2))
        keep = dets[i][:, 1] >= threshold
        keep[:1] = True  # the best box is always drawn, with its score (rows come by decreasing score)
        for _, score, x1, y1, x2, y2 in dets[i][keep]:
            x1, y1, x2, y2 = np.array([x1, y1, x2, y2]) * size
            ax.add_patch(Rectangle((x1 - 0.5, y1 - 0.5), x2 - x1, y2 - y1, fill=False, ec="red", lw=1.5))
            ax.text(x1, y1, f"{score:.2f}", color="white", fontsize=7, va="bottom",
                    bbox={"facecolor": "red", "pad": 1, "lw": 0})

    return _vision.save_grid(path, list(images.transpose(0, 2, 3, 1)), draw)


def run_train(args, rest: list) -> int:
    import ember
    from ...models.detection import TinySSD, calc_loss
    from ...vision.datasets import BananasDataset
    from ...vision.detection import multibox_target

    opts = _options(rest)
    _run.check_device(args)
    args.model = (args.model or "tinyssd").lower()
    if args.model != "tinyssd":
        raise UsageError(f"ember train: error: unknown model {args.model!r} for --task detect; choose tinyssd")
    lr = args.lr or DEFAULT_LR[args.optimizer]
    args.out = _run.run_folder(args.out or os.path.join("runs", "detect-tinyssd"))
    train = BananasDataset(True, opts.num_train, opts.image_size, seed=args.seed)
    test = BananasDataset(False, opts.num_test, opts.image_size, seed=args.seed)
    ember.manual_seed(args.seed)
    net = TinySSD(num_classes=1)
    opt = _run.make_optimizer(args.optimizer, net.parameters(), lr)
    if args.optimizer == "sgd":  # the book's SGD has weight decay 5e-4
        for group in opt.param_groups:
            group["weight_decay"] = 5e-4
    steps = -(-len(train) // args.batch_size)
    sched, per_batch = _run.make_scheduler(args.scheduler, opt, args.epochs, steps, lr)
    print(f"ember train: TinySSD on generated bananas ({len(train)} train / {len(test)} test, "
          f"{opts.image_size}x{opts.image_size}), {args.optimizer} lr={lr:g}, batch {args.batch_size}, "
          f"{args.epochs} epochs -> {args.out}", flush=True)

    def step(idx) -> float:
        X, Y = ember.from_numpy(train.data[idx]), ember.from_numpy(train.targets[idx])
        anchors, cls_preds, bbox_preds = net(X)
        bbox_labels, bbox_masks, cls_labels = multibox_target(anchors, Y)
        loss = calc_loss(cls_preds, cls_labels, bbox_preds, bbox_labels, bbox_masks).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    n = min(opts.n, len(test))
    history = _vision.fit(
        args, TASK, net, opt, sched, per_batch, len(train), step,
        lambda: evaluate(net, test.data, test.targets), _vision.plain_args(args, opts, TASK, "tinyssd"),
        lambda out: draw_predictions(os.path.join(out, "predictions.png"), net, test.data[:n], test.targets[:n],
                                     opts.threshold))
    if history:
        first, last = history[0]["train_loss"], history[-1]["train_loss"]
        print(f"done: loss {first:.4f} -> {last:.4f}, test mAP@0.5 {history[-1]['mAP50']:.3f}; predictions.png "
              f"and checkpoint.pt in {args.out}", flush=True)
    return 0


def run_predict(args, rest: list, ckpt: dict) -> int:
    from ...models.detection import TinySSD
    from ...vision.datasets import BananasDataset

    p = _run.parser("ember predict")
    p.add_argument("--threshold", type=float, default=None, help="score of the boxes drawn (default: training's)")
    opts = _run.parse(p, rest, "ember predict")
    a = ckpt["args"]
    net = TinySSD(num_classes=1)
    net.load_state_dict(ckpt["model"])
    test = BananasDataset(False, args.n, a["image_size"], seed=a["seed"])
    path = args.out or os.path.join(os.path.dirname(os.path.abspath(args.checkpoint)), "predictions.png")
    threshold = a["threshold"] if opts.threshold is None else opts.threshold
    if draw_predictions(path, net, test.data, test.targets, threshold) is None:
        raise UsageError("ember predict: error: drawing the PNG needs matplotlib (pip install matplotlib)")
    print(f"wrote {path}")
    return 0
