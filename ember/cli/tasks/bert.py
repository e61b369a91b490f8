"""``ember train --task bert-pretrain``: BERT masked-language-model and next-sentence pretraining (d2l 15.8-15.10)
on paragraphs of the shipped book (or a WikiText-format file with ``--data``).

``BERTModel`` (default 2 blocks, 128 hidden, 2 heads, inputs of 64 tokens), Adam. The loss per batch is
MLM + NSP: the MLM cross-entropy averaged over the real predicted positions (weight 1; padded prediction
slots weight 0) and the NSP cross-entropy averaged over the batch. Each epoch prints and records both losses
and the NSP accuracy, writes ``losses.png``, ``metrics.csv``/``.json`` and ``checkpoint.pt`` (``--resume``).

``ember predict CKPT --sentence "the queen said <mask> to alice"`` fills each ``<mask>``.
"""
from __future__ import annotations

import os
import random
import time

from .. import UsageError
from . import _run

TASK = "bert-pretrain"
DEFAULTS = {"epochs": 10, "batch_size": 64, "optimizer": "adam"}
DEFAULT_LR = {"adam": 1e-3, "adamw": 1e-3, "sgd": 0.05, "rmsprop": 1e-3, "adagrad": 1e-2}


def _options(rest: list):
    p = _run.parser("ember train --task bert-pretrain")
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--ffn-hidden", type=int, default=256)
    p.add_argument("--heads", type=int, default=2)
    p.add_argument("--layers", type=int, default=2, help="Transformer blocks (default 2)")
    p.add_argument("--max-len", type=int, default=64, help="tokens per input (default 64)")
    p.add_argument("--dropout", type=float, default=0.2)
    p.add_argument("--min-freq", type=int, default=5, help="vocabulary cut-off (default 5)")
    p.add_argument("--max-steps", type=int, default=0, help="stop each epoch after N batches (default: all)")
    opts = _run.parse(p, rest, "ember train")
    for name in ("hidden", "ffn_hidden", "heads", "layers", "max_len", "min_freq"):
        if getattr(opts, name) < 1:
            raise UsageError(f"ember train: error: --{name.replace('_', '-')} must be positive")
    if opts.hidden % opts.heads:
        raise UsageError(f"ember train: error: --hidden {opts.hidden} must be divisible by --heads {opts.heads}")
    return opts


def build_model(vocab_size: int, a: dict):
    from ...models.text import BERTModel

    return BERTModel(vocab_size, a["hidden"], a["ffn_hidden"], a["heads"], a["layers"], a["dropout"],
                     max_len=a["max_len"])


def batch_loss(net, batch, vocab_size: int):
    """(MLM loss, NSP loss, NSP correct count) of one batch of ``load_data_wiki``."""
    import ember.nn.functional as F

    tokens, segments, valid_lens, pred_positions, mlm_weights, mlm_Y, nsp_y = batch
    _, mlm_Y_hat, nsp_Y_hat = net(tokens, segments, valid_lens.reshape(-1), pred_positions)
    mlm_l = F.cross_entropy(mlm_Y_hat.reshape(-1, vocab_size), mlm_Y.reshape(-1), reduction="none")
    weights = mlm_weights.reshape(-1)
    mlm_l = (mlm_l * weights).sum() / (weights.sum() + 1e-8)
    nsp_l = F.cross_entropy(nsp_Y_hat, nsp_y)
    return mlm_l, nsp_l, int((nsp_Y_hat.argmax(1) == nsp_y).sum())


def run_train(args, rest: list) -> int:
    import ember
    from ...text import load_data_wiki

    opts = _options(rest)
    _run.check_device(args)
    args.model = (args.model or "bert").lower()
    if args.model != "bert":
        raise UsageError(f"ember train: error: unknown model {args.model!r} for --task bert-pretrain; choose: bert")
    if args.data is not None and not os.path.isfile(args.data):
        raise UsageError(f"ember train: error: --data {args.data!r} is not a WikiText-format file")
    lr = args.lr or DEFAULT_LR[args.optimizer]
    random.seed(args.seed)
    try:
        data, vocab = load_data_wiki(args.batch_size, opts.max_len, path=args.data, min_freq=opts.min_freq)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise UsageError(f"ember train: error: cannot read the paragraphs: {str(e).splitlines()[0]}") from None
    if len(data.dataset) == 0:
        raise UsageError("ember train: error: no paragraph with two sentences in the text")
    out = _run.run_folder(args.out or os.path.join("runs", "bert-pretrain"))
    ckpt_path = os.path.join(out, "checkpoint.pt")
    a = {"task": TASK, "model": args.model, "hidden": opts.hidden, "ffn_hidden": opts.ffn_hidden,
         "heads": opts.heads, "layers": opts.layers, "max_len": opts.max_len, "dropout": opts.dropout,
         "optimizer": args.optimizer, "lr": lr, "batch_size": args.batch_size, "seed": args.seed,
         "epochs": args.epochs}
    history, start, ckpt = [], 1, None
    if args.resume:
        ckpt = _run.resume_from(ckpt_path, TASK, args.model)
        if ckpt["vocab"] != list(vocab.idx_to_token):
            raise UsageError(f"ember train: error: {ckpt_path} was trained on another vocabulary; same --data, "
                             "--min-freq and --seed are needed to resume")
        a.update({k: ckpt["args"][k] for k in ("hidden", "ffn_hidden", "heads", "layers", "max_len", "dropout")})
    ember.manual_seed(args.seed)
    net = build_model(len(vocab), a)
    steps = len(data) if opts.max_steps <= 0 else min(len(data), opts.max_steps)
    opt = _run.make_optimizer(args.optimizer, net.parameters(), lr)
    sched, per_batch = _run.make_scheduler(args.scheduler, opt, args.epochs, steps, lr)
    if ckpt is not None:
        net.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        if sched is not None and ckpt.get("scheduler") is not None:
            sched.load_state_dict(ckpt["scheduler"])
        history, start = list(ckpt["history"]), int(ckpt["epoch"]) + 1
    print(f"ember train: bert-pretrain ({a['layers']} blocks, {a['hidden']} hidden, {a['heads']} heads) on "
          f"{'the shipped book' if args.data is None else args.data} ({len(data.dataset)} pairs, vocab {len(vocab)}, "
          f"max_len {a['max_len']}), {args.optimizer} lr={lr:g}, batch {args.batch_size}, "
          f"epochs {start}..{args.epochs} -> {out}", flush=True)
    for epoch in range(start, args.epochs + 1):
        _run.seed_epoch(args.seed, epoch)
        net.train()
        bar = _run.Progress(steps, f"epoch {epoch}/{args.epochs}")
        t0, mlm_sum, nsp_sum, correct, seen, n = time.perf_counter(), 0.0, 0.0, 0, 0, 0
        for i, batch in enumerate(data):
            if i >= steps:
                break
            mlm_l, nsp_l, c = batch_loss(net, batch, len(vocab))
            opt.zero_grad()
            (mlm_l + nsp_l).backward()
            opt.step()
            if per_batch:
                sched.step()
            n += 1
            mlm_sum, nsp_sum = mlm_sum + mlm_l.item(), nsp_sum + nsp_l.item()
            correct, seen = correct + c, seen + len(batch[0])
            bar.update(mlm=mlm_sum / n, nsp=nsp_sum / n)
        secs = time.perf_counter() - t0
        if sched is not None and not per_batch:
            sched.step()
        row = {"epoch": epoch, "mlm_loss": mlm_sum / n, "nsp_loss": nsp_sum / n, "nsp_acc": correct / seen,
               "lr": opt.param_groups[0]["lr"], "seconds": secs}
        bar.close(mlm=row["mlm_loss"], nsp=row["nsp_loss"], nsp_acc=row["nsp_acc"])
        history.append(row)
        _run.write_metrics(out, history, {**a, "pairs": len(data.dataset), "vocab_size": len(vocab)})
        if not args.no_plot:
            _run.plot_lines(os.path.join(out, "losses.png"), history, ["mlm_loss", "nsp_loss"], "cross-entropy",
                             "BERT pretraining")
        _run.save_checkpoint(ckpt_path, {
            "model": net.state_dict(), "optimizer": opt.state_dict(),
            "scheduler": None if sched is None else sched.state_dict(), "epoch": epoch, "history": history,
            "vocab": list(vocab.idx_to_token), "args": a})
    if history:
        print(f"done: MLM loss {history[-1]['mlm_loss']:.3f}, NSP loss {history[-1]['nsp_loss']:.3f}; "
              f"checkpoint {ckpt_path}", flush=True)
    return 0


def run_predict(args, rest: list, ckpt: dict) -> int:
    """Fill each ``<mask>`` of ``--sentence`` with the MLM head's most likely token."""
    import ember
    from ...text import Vocab, get_tokens_and_segments

    p = _run.parser("ember predict")
    p.add_argument("--sentence", required=True, help='text with <mask> tokens, e.g. "alice was <mask> tired"')
    opts = _run.parse(p, rest, "ember predict")
    words = opts.sentence.lower().split()
    a = ckpt["args"]
    if "<mask>" not in words:
        raise UsageError("ember predict: error: --sentence needs at least one <mask> token")
    if len(words) + 2 > a["max_len"]:
        raise UsageError(f"ember predict: error: --sentence is longer than the model's {a['max_len'] - 2} tokens")
    vocab = Vocab([], reserved_tokens=ckpt["vocab"][1:])
    net = build_model(len(vocab), a)
    net.load_state_dict(ckpt["model"])
    net.eval()
    tokens, segments = get_tokens_and_segments(words)
    positions = [i for i, t in enumerate(tokens) if t == "<mask>"]
    with ember.no_grad():
        _, mlm, _ = net(ember.tensor([vocab[tokens]]), ember.tensor([segments]), ember.tensor([len(tokens)]),
                        ember.tensor([positions]))
    fills = iter(vocab.to_tokens(mlm[0].argmax(-1).tolist()))
    print(" ".join(next(fills) if w == "<mask>" else w for w in words))
    return 0
