"""``ember train --task style [--content A.png] [--style B.png]``: neural style transfer (d2l 14.12).

The synthesized image starts as the content image and is trained with Adam (``--epochs`` steps, lr 0.1,
the learning rate times 0.8 every 50 steps as the book) on the content loss at VGG-19 layer 25, the Gram
style losses at layers 0, 5, 10, 19 and 28 and the total-variation loss (``ember.models.style_transfer``).

No pretrained VGG is available offline. By default the features come from a randomly initialised VGG-19
(torchvision's init, seeded by ``--seed``) whose convolutions are rescaled so each layer's output has mean
square 1 on the style image (``scale_random_features``): random convolutional features still carry the
colour and local-texture statistics that Gram matrices match (Ustyuzhaninov et al. 2017, "What does it
take to generate natural textures?"; He et al. 2016, random-weight networks for style transfer), though
less of the large-scale structure than trained ones. The loss weights then differ from the book's
(content 1, style 1e5, tv 1 instead of 1, 1e4, 10); ``--vgg CKPT`` loads a trained VGG-19 ``state_dict``
(ember or torch, torchvision's keys) and uses the book's weights.

Without ``--content``/``--style`` the two images shipped in ``ember/vision/datasets/_data/style`` are used:
both drawn procedurally by ``tools/make_style_images.py`` (a landscape and a swirling colour mosaic), as
no installed package ships suitable public-domain pictures. Writes ``result.png`` (the synthesized image),
``style_transfer.png`` (content, style, result side by side), ``metrics.csv``/``.json`` and ``loss.png``.
"""
from __future__ import annotations

import os

import numpy as np

from .. import UsageError
from . import _run

TASK = "style"
DEFAULTS = {"epochs": 100, "batch_size": 1, "optimizer": "adam"}
DEFAULT_LR = {"sgd": 1.0, "adam": 0.1, "adamw": 0.1, "rmsprop": 0.01, "adagrad": 0.1}
SHIPPED = os.path.join(os.path.dirname(__file__), "..", "..", "vision", "datasets", "_data", "style")


def _options(rest: list):
    p = _run.parser("ember train --task style")
    p.add_argument("--content", default=os.path.join(SHIPPED, "content.png"), help="content image (PNG/JPEG)")
    p.add_argument("--style", default=os.path.join(SHIPPED, "style.png"), help="style image (PNG/JPEG)")
    p.add_argument("--image-size", type=int, default=64, help="height of the result; width keeps the content's "
                   "aspect ratio (default 64)")
    p.add_argument("--vgg", default=None, help="a trained VGG-19 state_dict (default: random features)")
    p.add_argument("--content-weight", type=float, default=None, help="default 1")
    p.add_argument("--style-weight", type=float, default=None, help="default 1e5 (random VGG) or 1e4 (--vgg)")
    p.add_argument("--tv-weight", type=float, default=None, help="default 1 (random VGG) or 10 (--vgg)")
    opts = _run.parse(p, rest, "ember train")
    if opts.image_size < 32:
        raise UsageError(f"ember train: error: --image-size must be at least 32 (VGG pools 4 times before "
                         f"layer 28), got {opts.image_size}")
    trained = opts.vgg is not None
    opts.content_weight = 1.0 if opts.content_weight is None else opts.content_weight
    opts.style_weight = (1e4 if trained else 1e5) if opts.style_weight is None else opts.style_weight
    opts.tv_weight = (10.0 if trained else 1.0) if opts.tv_weight is None else opts.tv_weight
    return opts


def read_rgb(path: str, height: int, width: int | None = None) -> np.ndarray:
    """(H, W, 3) uint8 of the image at ``path`` resized to ``height`` (width: given, or the aspect ratio's)."""
    try:
        from PIL import Image
    except ImportError:
        raise UsageError("ember train: error: --task style reads images with Pillow (pip install 'ember[vision]')") \
            from None
    if not os.path.isfile(path):
        raise UsageError(f"ember train: error: image {path!r} does not exist")
    try:
        img = Image.open(path).convert("RGB")
    except OSError as e:
        raise UsageError(f"ember train: error: cannot read image {path!r}: {e}") from None
    width = width or max(1, round(img.width * height / img.height))
    return np.asarray(img.resize((width, height), Image.BILINEAR))


def feature_net(vgg_path: str | None, style_x):
    """VGG-19's first 29 layers: trained from ``vgg_path``, or random and rescaled on the style image."""
    from ...models.style_transfer import scale_random_features, vgg19_features, vgg_feature_net

    features = vgg19_features()
    if vgg_path is not None:
        from ..finetune import load_state_dict_file

        sd = {k[len("features."):]: v for k, v in load_state_dict_file(vgg_path).items() if k.startswith("features.")}
        try:
            features.load_state_dict(sd)
        except RuntimeError as e:
            raise UsageError(f"ember train: error: --vgg {vgg_path!r} is not a VGG-19 state_dict: "
                             f"{str(e).splitlines()[-1].strip()}") from None
        return vgg_feature_net(features)
    return scale_random_features(vgg_feature_net(features), style_x)


def save_panel(path: str, content: np.ndarray, style: np.ndarray, result: np.ndarray) -> str | None:
    from . import _vision

    return _vision.save_grid(path, [content / 255, style / 255, result / 255], titles=["content", "style", "result"],
                             cols=3)


def run_train(args, rest: list) -> int:
    import ember
    from ...models.style_transfer import (SynthesizedImage, compute_loss, extract_features, gram, postprocess,
                                          preprocess)

    opts = _options(rest)
    _run.check_device(args)
    args.model = (args.model or "vgg19").lower()
    if args.model != "vgg19":
        raise UsageError(f"ember train: error: unknown model {args.model!r} for --task style; choose vgg19")
    lr = args.lr or DEFAULT_LR[args.optimizer]
    out = _run.run_folder(args.out or os.path.join("runs", "style"))
    content = read_rgb(opts.content, opts.image_size)
    style = read_rgb(opts.style, opts.image_size)
    ember.manual_seed(args.seed)
    content_x, style_x = preprocess(content), preprocess(style)
    net = feature_net(opts.vgg, style_x)
    with ember.no_grad():
        contents_Y, _ = extract_features(content_x, net)
        _, styles_Y = extract_features(style_x, net)
        styles_Y_gram = [gram(Y) for Y in styles_Y]
    gen = SynthesizedImage(content_x.shape)
    with ember.no_grad():
        gen.weight.copy_(content_x)
    opt = _run.make_optimizer(args.optimizer, gen.parameters(), lr)
    sched = ember.optim.lr_scheduler.StepLR(opt, step_size=50, gamma=0.8)
    print(f"ember train: style transfer {opts.content} + {opts.style} at {content.shape[0]}x{content.shape[1]}, "
          f"{'trained' if opts.vgg else 'random'} VGG-19 features, weights content {opts.content_weight:g} / style "
          f"{opts.style_weight:g} / tv {opts.tv_weight:g}, {args.optimizer} lr={lr:g}, {args.epochs} steps -> {out}",
          flush=True)
    bar = _run.Progress(args.epochs, "style transfer")
    history = []
    for step in range(1, args.epochs + 1):
        X = gen()
        contents_Y_hat, styles_Y_hat = extract_features(X, net)
        contents_l, styles_l, tv_l, loss = compute_loss(X, contents_Y_hat, styles_Y_hat, contents_Y, styles_Y_gram,
                                                         opts.content_weight, opts.style_weight, opts.tv_weight)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        row = {"epoch": step, "content": float(sum(contents_l)), "style": float(sum(styles_l)), "tv": float(tv_l),
               "loss": float(loss)}
        history.append(row)
        bar.update(content=row["content"], style=row["style"], tv=row["tv"])
    bar.close(content=history[-1]["content"], style=history[-1]["style"], tv=history[-1]["tv"])
    result = postprocess(gen())
    _save_png(os.path.join(out, "result.png"), result)
    info = {k: v for k, v in {**vars(args), **vars(opts)}.items() if isinstance(v, (int, float, str, type(None)))}
    _run.write_metrics(out, history, info)
    if not args.no_plot:
        save_panel(os.path.join(out, "style_transfer.png"), content, style, result)
        _run.plot_lines(os.path.join(out, "loss.png"), history, ["content", "style", "tv"], "weighted loss",
                         "ember train --task style")
    print(f"done: style loss {history[0]['style']:.4g} -> {history[-1]['style']:.4g}, content loss "
          f"{history[-1]['content']:.4g}; result.png in {out}", flush=True)
    return 0


def _save_png(path: str, img: np.ndarray) -> None:
    from PIL import Image

    Image.fromarray(img).save(path)
