"""``ember train --task charlm``: a character-level language model on the shipped book (d2l 9.5-10.1).

Default: ``RNNLM`` over ``nn.LSTM`` (256 hidden units) on the book's first 90 % of characters, the last 10 %
held out; truncated backpropagation through time over the sequential partition (the state is carried from
one minibatch to the next and detached), Adam, gradient clipping at norm 1. Each epoch: a progress bar with
the running perplexity, the held-out perplexity, a sample continued greedily from ``--prefix``,
``metrics.csv``/``.json``, ``perplexity.png`` and an atomic ``checkpoint.pt`` (``--resume`` continues it).

``ember predict CKPT --prefix "time traveller" [--num-preds 100]`` prints a continuation.
"""
from __future__ import annotations

import math
import os
import re
import time

from .. import UsageError
from . import _run

TASK = "charlm"
MODELS = ("lstm", "gru", "rnn", "rnn-scratch")
DEFAULTS = {"epochs": 10, "batch_size": 128, "optimizer": "adam"}
DEFAULT_LR = {"sgd": 1.0, "adam": 5e-3, "adamw": 5e-3, "rmsprop": 2e-3, "adagrad": 5e-2}


def _options(rest: list):
    p = _run.parser("ember train --task charlm")
    p.add_argument("--hidden", type=int, default=256, help="hidden units (default 256)")
    p.add_argument("--layers", type=int, default=1, help="recurrent layers (default 1)")
    p.add_argument("--num-steps", type=int, default=32, help="characters per subsequence (default 32)")
    p.add_argument("--max-tokens", type=int, default=-1, help="keep the first N characters (default all)")
    p.add_argument("--prefix", default="time traveller", help="prefix of the sample printed each epoch")
    p.add_argument("--num-preds", type=int, default=60, help="characters sampled each epoch (default 60)")
    p.add_argument("--clip", type=float, default=1.0, help="gradient-norm clip (default 1)")
    opts = _run.parse(p, rest, "ember train")
    for name in ("hidden", "layers", "num_steps"):
        if getattr(opts, name) < 1:
            raise UsageError(f"ember train: error: --{name.replace('_', '-')} must be positive")
    return opts


def build_model(name: str, vocab_size: int, hidden: int, layers: int):
    """The named language model (``lstm``, ``gru``, ``rnn`` or ``rnn-scratch``)."""
    import ember.nn as nn
    from ...models.text import RNNLM, RNNLMScratch, RNNScratch

    if name == "rnn-scratch":
        if layers != 1:
            raise UsageError("ember train: error: --model rnn-scratch has one layer; drop --layers")
        return RNNLMScratch(RNNScratch(vocab_size, hidden), vocab_size)
    if name not in MODELS:
        raise UsageError(f"ember train: error: unknown model {name!r} for --task charlm; choose one of: "
                         f"{', '.join(MODELS)}")
    cell = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[name]
    return RNNLM(cell(vocab_size, hidden, layers), vocab_size)


def load_corpus(path: str | None, max_tokens: int):
    """(train ids, held-out ids, vocab): the first 90 % of the characters for training."""
    from ...text import load_corpus_time_machine

    if path is not None and not os.path.isfile(path):
        raise UsageError(f"ember train: error: --data {path!r} is not a text file")
    try:
        corpus, vocab = load_corpus_time_machine(max_tokens, path=path, token="char")
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise UsageError(f"ember train: error: cannot read the text: {str(e).splitlines()[0]}") from None
    cut = int(len(corpus) * 0.9)
    return corpus[:cut], corpus[cut:], vocab


def _detach(state):
    if state is None:
        return None
    if isinstance(state, (tuple, list)):
        return type(state)(s.detach() for s in state)
    return state.detach()


def train_epoch(model, corpus, batch_size: int, num_steps: int, opt, clip: float, bar=None, sched=None) -> float:
    """One pass of truncated BPTT over the sequential partition; returns the mean loss per character."""
    import ember
    import ember.nn.functional as F
    from ...text import seq_data_iter_sequential

    model.train()
    state, total, count = None, 0.0, 0
    for X, Y in seq_data_iter_sequential(corpus, batch_size, num_steps):
        logits, state = model.forward_with_state(X, _detach(state))
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), Y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        if clip > 0:
            ember.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        if sched is not None:
            sched.step()
        total += loss.item() * Y.numel()
        count += Y.numel()
        if bar is not None:
            bar.update(ppl=math.exp(total / count))
    return total / max(count, 1)


def evaluate(model, corpus, num_steps: int, batch_size: int = 16) -> float:
    """Mean loss per character over the held-out text (state carried, no gradients)."""
    import ember
    import ember.nn.functional as F
    from ...text import seq_data_iter_sequential

    model.eval()
    state, total, count = None, 0.0, 0
    batch_size = max(1, min(batch_size, (len(corpus) - 1) // (num_steps + 1)))
    with ember.no_grad():
        for X, Y in seq_data_iter_sequential(corpus, batch_size, num_steps):
            logits, state = model.forward_with_state(X, state)
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), Y.reshape(-1), reduction="sum")
            total += loss.item()
            count += Y.numel()
    return total / max(count, 1)


def run_train(args, rest: list) -> int:
    import ember

    opts = _options(rest)
    _run.check_device(args)
    args.model = (args.model or "lstm").lower()
    if args.model not in MODELS:
        build_model(args.model, 2, 1, 1)  # the one-line error
    lr = args.lr or DEFAULT_LR[args.optimizer]
    train_ids, val_ids, vocab = load_corpus(args.data, opts.max_tokens)
    if len(train_ids) < args.batch_size * (opts.num_steps + 1):
        raise UsageError(f"ember train: error: the text ({len(train_ids)} training characters) is too short for "
                         f"--batch-size {args.batch_size} x --num-steps {opts.num_steps}")
    out = _run.run_folder(args.out or os.path.join("runs", f"charlm-{args.model}"))
    ckpt_path = os.path.join(out, "checkpoint.pt")
    ember.manual_seed(args.seed)
    model = build_model(args.model, len(vocab), opts.hidden, opts.layers)
    steps = (len(train_ids) - 1) // args.batch_size // opts.num_steps
    opt = _run.make_optimizer(args.optimizer, model.parameters(), lr)
    sched, per_batch = _run.make_scheduler(args.scheduler, opt, args.epochs, steps, lr)
    history, start = [], 1
    if args.resume:
        ckpt = _run.resume_from(ckpt_path, TASK, args.model)
        model = build_model(args.model, len(vocab), ckpt["args"]["hidden"], ckpt["args"]["layers"])
        model.load_state_dict(ckpt["model"])
        opt = _run.make_optimizer(args.optimizer, model.parameters(), lr)
        opt.load_state_dict(ckpt["optimizer"])
        sched, per_batch = _run.make_scheduler(args.scheduler, opt, args.epochs, steps, lr)
        if sched is not None and ckpt.get("scheduler") is not None:
            sched.load_state_dict(ckpt["scheduler"])
        history, start = list(ckpt["history"]), int(ckpt["epoch"]) + 1
        opts.hidden, opts.layers = ckpt["args"]["hidden"], ckpt["args"]["layers"]
    print(f"ember train: charlm {args.model} ({opts.hidden} hidden x {opts.layers}) on "
          f"{'the shipped book' if args.data is None else args.data} ({len(train_ids)} train / {len(val_ids)} "
          f"held-out characters, vocab {len(vocab)}), {args.optimizer} lr={lr:g}, batch {args.batch_size} x "
          f"{opts.num_steps} steps, epochs {start}..{args.epochs} -> {out}", flush=True)
    ckpt_args = {"task": TASK, "model": args.model, "hidden": opts.hidden, "layers": opts.layers,
                 "num_steps": opts.num_steps, "optimizer": args.optimizer, "lr": lr, "batch_size": args.batch_size,
                 "seed": args.seed, "epochs": args.epochs}
    for epoch in range(start, args.epochs + 1):
        _run.seed_epoch(args.seed, epoch)
        bar = _run.Progress(steps, f"epoch {epoch}/{args.epochs}")
        t0 = time.perf_counter()
        train_loss = train_epoch(model, train_ids, args.batch_size, opts.num_steps, opt, opts.clip, bar,
                                 sched if per_batch else None)
        secs = time.perf_counter() - t0
        if sched is not None and not per_batch:
            sched.step()
        val_loss = evaluate(model, val_ids, opts.num_steps)
        sample = model.predict(opts.prefix, opts.num_preds, vocab)
        bar.close(ppl=math.exp(train_loss), val_ppl=math.exp(val_loss))
        print(f"  sample: {sample!r}", flush=True)
        history.append({"epoch": epoch, "train_ppl": math.exp(train_loss), "val_ppl": math.exp(val_loss),
                        "lr": opt.param_groups[0]["lr"], "seconds": secs, "sample": sample})
        _run.write_metrics(out, history, {**ckpt_args, "vocab_size": len(vocab)})
        if not args.no_plot:
            _run.plot_lines(os.path.join(out, "perplexity.png"), history, ["train_ppl", "val_ppl"], "perplexity",
                             f"charlm {args.model}")
        _run.save_checkpoint(ckpt_path, {
            "model": model.state_dict(), "optimizer": opt.state_dict(),
            "scheduler": None if sched is None else sched.state_dict(), "epoch": epoch, "history": history,
            "vocab": list(vocab.idx_to_token), "args": ckpt_args})
    if history:
        print(f"done: perplexity {history[-1]['train_ppl']:.3f} (held-out {history[-1]['val_ppl']:.3f}); "
              f"checkpoint {ckpt_path}", flush=True)
    return 0


def load_model(ckpt: dict):
    """(model, vocab) from a charlm checkpoint."""
    from ...text import Vocab

    vocab = Vocab([], reserved_tokens=list(ckpt["vocab"][1:]))  # <unk> first, then the saved order
    a = ckpt["args"]
    model = build_model(a["model"], len(vocab), a["hidden"], a["layers"])
    model.load_state_dict(ckpt["model"])
    return model.eval(), vocab


def run_predict(args, rest: list, ckpt: dict) -> int:
    p = _run.parser("ember predict")
    p.add_argument("--prefix", default="time traveller")
    p.add_argument("--num-preds", type=int, default=100)
    opts = _run.parse(p, rest, "ember predict")
    if not opts.prefix:
        raise UsageError("ember predict: error: --prefix must not be empty")
    if opts.num_preds < 0:
        raise UsageError("ember predict: error: --num-preds must not be negative")
    model, vocab = load_model(ckpt)
    prefix = re.sub("[^A-Za-z]+", " ", opts.prefix).lower()  # the corpus's own rule (read_time_machine)
    if not prefix.strip():
        raise UsageError("ember predict: error: --prefix has no letters")
    print(model.predict(prefix, opts.num_preds, vocab))
    return 0
