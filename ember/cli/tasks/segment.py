"""``ember train --task segment``: d2l's FCN (ch. 14.11) on generated shapes with masks (``ShapesSegmentation``).

The network is ``ember.models.segmentation.fcn_resnet18``: ResNet-18 without its pool and classifier, a 1x1
conv to the 4 classes (background, disc, square, triangle) and a transposed conv (kernel 64, stride 32)
initialised to bilinear up-sampling. No pretrained ResNet-18 is available offline, so the backbone starts
from torchvision's random init (``--backbone CKPT`` loads a ResNet-18 ``state_dict`` saved by ember or
torch, for example one trained by ``ember train --model resnet18``).

Default: 256 training and 64 test images of 64x64 (``--image-size``, a multiple of 32), batch 32, Adam
lr 1e-3, 8 epochs; the loss is the pixel-wise cross-entropy. Each epoch prints the training loss and the
test pixel accuracy and mean IoU; writes ``metrics.csv``/``.json``, ``loss.png`` and ``checkpoint.pt``
(``--resume`` continues it), and after the last epoch ``predictions.png`` (images, true masks, predicted
masks). ``ember predict CKPT [--n 8] [--out PNG]`` draws the same PNG.
"""
from __future__ import annotations

import os

import numpy as np

from .. import UsageError
from . import _run, _vision

TASK = "segment"
DEFAULTS = {"epochs": 8, "batch_size": 32, "optimizer": "adam"}
DEFAULT_LR = {"sgd": 0.05, "adam": 1e-3, "adamw": 1e-3, "rmsprop": 1e-3, "adagrad": 1e-2}
MEAN, STD = 0.5, 0.25  # the generated images' pixels are in [0, 1]


def _options(rest: list):
    p = _run.parser("ember train --task segment")
    # 128 px: the FCN's 1/32 feature map is 4x4 (at 64 px it is 2x2 and the net never leaves the background)
    p.add_argument("--image-size", type=int, default=128, help="side of the generated images, a multiple of 32")
    p.add_argument("--num-train", type=int, default=512, help="generated training images (default 512)")
    p.add_argument("--num-test", type=int, default=64, help="generated test images (default 64)")
    p.add_argument("--backbone", default=None, help="a ResNet-18 state_dict (ember or torch) to start from")
    p.add_argument("--n", type=int, default=8, help="test images in predictions.png (default 8)")
    opts = _run.parse(p, rest, "ember train")
    _vision.check_sizes("ember train", opts, ("image_size", "num_train", "num_test", "n"))
    if opts.image_size % 32:
        raise UsageError(f"ember train: error: --image-size must be a multiple of 32 (FCN's stride), got "
                         f"{opts.image_size}")
    if opts.backbone is not None and not os.path.isfile(opts.backbone):
        raise UsageError(f"ember train: error: checkpoint {opts.backbone!r} does not exist")
    return opts


def build(num_classes: int, backbone: str | None = None):
    """The FCN; ``backbone`` names a ResNet-18 checkpoint whose weights (all but ``fc``) it starts from."""
    from ...models import resnet18
    from ...models.segmentation import fcn_resnet18

    base = resnet18()
    if backbone is not None:
        from ..finetune import load_state_dict_file

        sd = {k: v for k, v in load_state_dict_file(backbone).items() if not k.startswith("fc.")}
        missing, unexpected = base.load_state_dict(sd, strict=False)
        if unexpected or [k for k in missing if not k.startswith("fc.")]:
            raise UsageError(f"ember train: error: --backbone {backbone!r} is not a ResNet-18 state_dict "
                             f"(missing {len(missing)} keys, {len(unexpected)} unexpected)")
    return fcn_resnet18(num_classes, base)


def predict_masks(net, images: np.ndarray, batch_size: int = 32) -> np.ndarray:
    """Class index per pixel (N, H, W) for images (N, 3, H, W) in [0, 1]."""
    import ember

    out = []
    with ember.no_grad():
        for i in range(0, len(images), batch_size):
            x = ember.from_numpy((images[i:i + batch_size] - MEAN) / STD)
            out.append(net(x).argmax(dim=1).numpy())
    return np.concatenate(out)


def evaluate(net, images: np.ndarray, masks: np.ndarray, num_classes: int) -> dict:
    from ...vision.metrics import mean_iou, pixel_accuracy

    pred = predict_masks(net, images)
    return {"pixel_acc": pixel_accuracy(masks, pred, num_classes), "mean_iou": mean_iou(masks, pred, num_classes)}


def draw_predictions(path: str, net, images: np.ndarray, masks: np.ndarray) -> str | None:
    """PNG: a row of images, a row of true masks, a row of predicted masks."""
    net.eval()
    pred = predict_masks(net, images)
    n = len(images)
    panels = list(images.transpose(0, 2, 3, 1)) + list(masks) + list(pred)
    titles = ["image"] * n + ["true"] * n + ["predicted"] * n
    return _vision.save_grid(path, panels, titles=titles, cols=n)


def run_train(args, rest: list) -> int:
    import ember
    import ember.nn.functional as F
    from ...vision.datasets import ShapesSegmentation

    opts = _options(rest)
    _run.check_device(args)
    args.model = (args.model or "fcn_resnet18").lower()
    if args.model != "fcn_resnet18":
        raise UsageError(f"ember train: error: unknown model {args.model!r} for --task segment; choose fcn_resnet18")
    lr = args.lr or DEFAULT_LR[args.optimizer]
    args.out = _run.run_folder(args.out or os.path.join("runs", "segment-fcn"))
    train = ShapesSegmentation(True, opts.num_train, opts.image_size, seed=args.seed)
    test = ShapesSegmentation(False, opts.num_test, opts.image_size, seed=args.seed)
    k = len(train.classes)
    ember.manual_seed(args.seed)
    net = build(k, opts.backbone)
    opt = _run.make_optimizer(args.optimizer, net.parameters(), lr)
    steps = -(-len(train) // args.batch_size)
    sched, per_batch = _run.make_scheduler(args.scheduler, opt, args.epochs, steps, lr)
    print(f"ember train: FCN (ResNet-18) on generated shapes ({len(train)} train / {len(test)} test, "
          f"{opts.image_size}x{opts.image_size}, {k} classes), {args.optimizer} lr={lr:g}, batch {args.batch_size}, "
          f"{args.epochs} epochs -> {args.out}", flush=True)

    def step(idx) -> float:
        x = ember.from_numpy((train.data[idx] - MEAN) / STD)
        loss = F.cross_entropy(net(x), ember.from_numpy(train.targets[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    n = min(opts.n, len(test))
    history = _vision.fit(
        args, TASK, net, opt, sched, per_batch, len(train), step, lambda: evaluate(net, test.data, test.targets, k),
        _vision.plain_args(args, opts, TASK, "fcn_resnet18"),
        lambda out: draw_predictions(os.path.join(out, "predictions.png"), net, test.data[:n], test.targets[:n]))
    if history:
        h = history[-1]
        print(f"done: test pixel accuracy {h['pixel_acc']:.3f}, mean IoU {h['mean_iou']:.3f}; predictions.png and "
              f"checkpoint.pt in {args.out}", flush=True)
    return 0


def run_predict(args, rest: list, ckpt: dict) -> int:
    from ...models.segmentation import fcn_resnet18
    from ...vision.datasets import ShapesSegmentation

    _run.parse(_run.parser("ember predict"), rest, "ember predict")
    a = ckpt["args"]
    test = ShapesSegmentation(False, args.n, a["image_size"], seed=a["seed"])
    net = fcn_resnet18(len(test.classes))
    net.load_state_dict(ckpt["model"])
    path = args.out or os.path.join(os.path.dirname(os.path.abspath(args.checkpoint)), "predictions.png")
    if draw_predictions(path, net, test.data, test.targets) is None:
        raise UsageError("ember predict: error: drawing the PNG needs matplotlib (pip install matplotlib)")
    print(f"wrote {path}")
    return 0
