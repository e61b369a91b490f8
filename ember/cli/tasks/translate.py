"""``ember train --task translate``: English-French translation on the shipped sentence pairs (d2l 10.7, 11.4,
11.7) with ``--model seq2seq-attn`` (default: GRU encoder, GRU decoder with additive attention),
``transformer`` or ``seq2seq`` (no attention).

The pairs are shuffled once (fixed seed) and 10 % are held out. Training: teacher forcing, the cross-entropy
averaged over the target's real tokens (``MaskedSoftmaxCELoss``), Adam, gradient clipping at norm 1. Each
epoch: the training loss, BLEU on the held-out pairs (d2l's ``bleu`` with k=2 averaged over the pairs, in
[0, 1], and sacreBLEU-equal ``corpus_bleu``, 0-100) from batched greedy decoding (beam search with
``--beam-size``), example translations, ``curves.png``, ``attention.png`` (a heat map of the
encoder-decoder attention on the first example) and ``checkpoint.pt`` (``--resume`` continues it).

``ember predict CKPT --sentence "go ." [--beam-size 4]`` prints the translation.
"""
from __future__ import annotations

import math
import os
import time

import numpy as np

from .. import UsageError
from . import _run

TASK = "translate"
MODELS = ("seq2seq-attn", "transformer", "seq2seq")
DEFAULTS = {"epochs": 10, "batch_size": 128, "optimizer": "adam"}
DEFAULT_LR = {"seq2seq-attn": 5e-3, "seq2seq": 5e-3, "transformer": 1e-3}
RESERVED = ["<pad>", "<bos>", "<eos>"]


def _options(rest: list):
    p = _run.parser("ember train --task translate")
    p.add_argument("--num-steps", type=int, default=12, help="tokens per padded sentence (default 12)")
    p.add_argument("--hidden", type=int, default=None, help="hidden units (default 128; transformer 128)")
    p.add_argument("--layers", type=int, default=2, help="GRU layers / Transformer blocks (default 2)")
    p.add_argument("--heads", type=int, default=4, help="Transformer heads (default 4)")
    p.add_argument("--dropout", type=float, default=0.2)
    p.add_argument("--num-examples", type=int, default=0, help="use the first N pairs (default all)")
    p.add_argument("--beam-size", type=int, default=1, help="beam search for the held-out BLEU (default 1: greedy)")
    p.add_argument("--clip", type=float, default=1.0)
    opts = _run.parse(p, rest, "ember train")
    for name in ("num_steps", "layers", "heads", "beam_size"):
        if getattr(opts, name) < 1:
            raise UsageError(f"ember train: error: --{name.replace('_', '-')} must be positive")
    if opts.hidden is not None and opts.hidden < 1:
        raise UsageError("ember train: error: --hidden must be positive")
    return opts


def build_model(name: str, src_vocab: int, tgt_vocab: int, hidden: int, layers: int, heads: int, dropout: float):
    from ...models.text import (EncoderDecoder, Seq2SeqAttentionDecoder, Seq2SeqDecoder, Seq2SeqEncoder,
                                TransformerDecoder, TransformerEncoder)

    if name == "transformer":
        if hidden % heads:
            raise UsageError(f"ember train: error: --hidden {hidden} must be divisible by --heads {heads}")
        return EncoderDecoder(TransformerEncoder(src_vocab, hidden, 2 * hidden, heads, layers, dropout),
                              TransformerDecoder(tgt_vocab, hidden, 2 * hidden, heads, layers, dropout))
    if name not in MODELS:
        raise UsageError(f"ember train: error: unknown model {name!r} for --task translate; choose one of: "
                         f"{', '.join(MODELS)}")
    decoder = Seq2SeqAttentionDecoder if name == "seq2seq-attn" else Seq2SeqDecoder
    return EncoderDecoder(Seq2SeqEncoder(src_vocab, hidden, hidden, layers, dropout),
                          decoder(tgt_vocab, hidden, hidden, layers, dropout))


def load_pairs(path: str | None, num_examples: int, seed: int = 0):
    """(train pairs, held-out pairs) of token lists: a fixed shuffle, 10 % held out."""
    from ...text import preprocess_nmt, read_data_nmt, tokenize_nmt

    if path is not None and not os.path.isfile(path):
        raise UsageError(f"ember train: error: --data {path!r} is not a file of tab-separated sentence pairs")
    try:
        source, target = tokenize_nmt(preprocess_nmt(read_data_nmt(path)), num_examples or None)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise UsageError(f"ember train: error: cannot read the sentence pairs: {str(e).splitlines()[0]}") from None
    if len(source) < 20:
        raise UsageError(f"ember train: error: only {len(source)} sentence pairs; need at least 20")
    order = np.random.default_rng(seed).permutation(len(source))
    n_val = max(1, len(source) // 10)
    pairs = [(source[i], target[i]) for i in order]
    return pairs[n_val:], pairs[:n_val]


def arrays(pairs, src_vocab, tgt_vocab, num_steps: int):
    from ...text import build_array_nmt

    X, X_len = build_array_nmt([s for s, _ in pairs], src_vocab, num_steps)
    Y, Y_len = build_array_nmt([t for _, t in pairs], tgt_vocab, num_steps)
    return X, X_len.long(), Y, Y_len.long()


def train_step(net, loss_fn, opt, batch, bos: int, clip: float) -> tuple:
    """One teacher-forced step; returns (summed token loss, number of target tokens)."""
    import ember

    X, X_len, Y, Y_len = batch
    dec_input = ember.cat((ember.full((Y.shape[0], 1), bos, dtype=ember.long), Y[:, :-1]), 1)
    Y_hat = net(X, dec_input, X_len)
    per_seq = loss_fn(Y_hat, Y, Y_len) * Y.shape[1]  # summed over each target's real tokens
    num_tokens = int(Y_len.sum())
    loss = per_seq.sum() / num_tokens
    opt.zero_grad()
    loss.backward()
    if clip > 0:
        ember.nn.utils.clip_grad_norm_(net.parameters(), clip)
    opt.step()
    return loss.item() * num_tokens, num_tokens


def translate(net, sentences: list, src_vocab, tgt_vocab, num_steps: int, beam_size: int = 1,
              save_attention_weights: bool = False):
    """Token lists -> (list of translated token lists, Hypotheses)."""
    import ember
    from ...models.text import beam_search, greedy_search
    from ...text import truncate_pad

    eos, pad = src_vocab["<eos>"], src_vocab["<pad>"]
    rows = [truncate_pad(src_vocab[list(s)] + [eos], num_steps, pad) for s in sentences]
    src = ember.tensor(np.array(rows, dtype=np.int64).reshape(len(rows), num_steps))
    lens = ember.tensor([min(len(s) + 1, num_steps) for s in sentences])
    net.eval()
    kw = dict(bos=tgt_vocab["<bos>"], eos=tgt_vocab["<eos>"], max_len=num_steps, pad=tgt_vocab["<pad>"],
              save_attention_weights=save_attention_weights)
    if beam_size > 1:
        hyp = beam_search(net, src, lens, beam_size=beam_size, **kw)
    else:
        hyp = greedy_search(net, src, lens, **kw)
    return [tgt_vocab.to_tokens(ids) for ids in hyp.as_lists()], hyp


def held_out_bleu(net, pairs, src_vocab, tgt_vocab, num_steps: int, beam_size: int = 1) -> tuple:
    """(mean d2l bleu k=2, corpus BLEU 0-100, translations) over the held-out pairs."""
    from ...text import bleu, corpus_bleu

    preds = []
    for i in range(0, len(pairs), 256):
        chunk = pairs[i:i + 256]
        preds += translate(net, [s for s, _ in chunk], src_vocab, tgt_vocab, num_steps, beam_size)[0]
    hyps = [" ".join(p) for p in preds]
    refs = [" ".join(t) for _, t in pairs]
    mean = float(np.mean([bleu(h, r, k=2) if h else 0.0 for h, r in zip(hyps, refs)]))
    return mean, corpus_bleu(hyps, [refs]), hyps


def plot_attention(path: str, weights: np.ndarray, src_tokens: list, tgt_tokens: list) -> str | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, ax = plt.subplots(figsize=(1 + 0.5 * len(src_tokens), 1 + 0.45 * len(tgt_tokens)))
    im = ax.imshow(weights, cmap="Reds", vmin=0.0)
    ax.set_xticks(range(len(src_tokens)), src_tokens, rotation=45)
    ax.set_yticks(range(len(tgt_tokens)), tgt_tokens)
    ax.set_xlabel("source (keys)")
    ax.set_ylabel("translation (queries)")
    fig.colorbar(im, ax=ax, shrink=0.8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def attention_map(net, sentence: list, src_vocab, tgt_vocab, num_steps: int, path: str) -> str | None:
    """A heat map of how each produced token attended to the source (decoders that record attention)."""
    preds, hyp = translate(net, [sentence], src_vocab, tgt_vocab, num_steps, save_attention_weights=True)
    if hyp.attention_weights is None:
        return None
    n_out, n_src = int(hyp.lengths[0]), min(len(sentence) + 1, num_steps)
    weights = hyp.attention_weights[0, :n_out, :n_src].numpy()
    out_tokens = tgt_vocab.to_tokens(hyp.sequences[0, :n_out].tolist())
    return plot_attention(path, weights, (list(sentence) + ["<eos>"])[:n_src], out_tokens)


def _vocab_from(idx_to_token: list):
    """A checkpoint's vocabulary back (``<unk>`` first, then the tokens in their saved order)."""
    from ...text import Vocab

    return Vocab([], reserved_tokens=list(idx_to_token[1:]))


def run_train(args, rest: list) -> int:
    import ember
    from ...models.text import MaskedSoftmaxCELoss
    from ...text import Vocab, load_array

    opts = _options(rest)
    _run.check_device(args)
    args.model = (args.model or "seq2seq-attn").lower()
    if args.model not in MODELS:
        build_model(args.model, 1, 1, 1, 1, 1, 0.0)
    hidden = opts.hidden or 128
    lr = args.lr or (DEFAULT_LR[args.model] if args.optimizer in ("adam", "adamw") else 0.1)
    train_pairs, val_pairs = load_pairs(args.data, opts.num_examples)
    src_vocab = Vocab([s for s, _ in train_pairs], min_freq=2, reserved_tokens=RESERVED)
    tgt_vocab = Vocab([t for _, t in train_pairs], min_freq=2, reserved_tokens=RESERVED)
    out = _run.run_folder(args.out or os.path.join("runs", f"translate-{args.model}"))
    ckpt_path = os.path.join(out, "checkpoint.pt")
    ember.manual_seed(args.seed)
    ckpt_args = {"task": TASK, "model": args.model, "hidden": hidden, "layers": opts.layers, "heads": opts.heads,
                 "dropout": opts.dropout, "num_steps": opts.num_steps, "optimizer": args.optimizer, "lr": lr,
                 "batch_size": args.batch_size, "seed": args.seed, "epochs": args.epochs}
    history, start = [], 1
    ckpt = None
    if args.resume:
        ckpt = _run.resume_from(ckpt_path, TASK, args.model)
        ckpt_args.update({k: ckpt["args"][k] for k in ("hidden", "layers", "heads", "dropout", "num_steps")})
        src_vocab, tgt_vocab = _vocab_from(ckpt["src_vocab"]), _vocab_from(ckpt["tgt_vocab"])
    a = ckpt_args
    net = build_model(args.model, len(src_vocab), len(tgt_vocab), a["hidden"], a["layers"], a["heads"], a["dropout"])
    data = load_array(arrays(train_pairs, src_vocab, tgt_vocab, a["num_steps"]), args.batch_size)
    steps = len(data)
    opt = _run.make_optimizer(args.optimizer, net.parameters(), lr)
    sched, per_batch = _run.make_scheduler(args.scheduler, opt, args.epochs, steps, lr)
    if ckpt is not None:
        net.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        if sched is not None and ckpt.get("scheduler") is not None:
            sched.load_state_dict(ckpt["scheduler"])
        history, start = list(ckpt["history"]), int(ckpt["epoch"]) + 1
    print(f"ember train: translate {args.model} (hidden {a['hidden']}, {a['layers']} layers) on "
          f"{'the shipped pairs' if args.data is None else args.data} ({len(train_pairs)} train / {len(val_pairs)} "
          f"held-out; vocab {len(src_vocab)} en / {len(tgt_vocab)} fr), {args.optimizer} lr={lr:g}, batch "
          f"{args.batch_size}, epochs {start}..{args.epochs} -> {out}", flush=True)
    loss_fn = MaskedSoftmaxCELoss()
    bos = tgt_vocab["<bos>"]
    for epoch in range(start, args.epochs + 1):
        _run.seed_epoch(args.seed, epoch)
        bar = _run.Progress(steps, f"epoch {epoch}/{args.epochs}")
        net.train()
        t0, total, count = time.perf_counter(), 0.0, 0
        for batch in data:
            s, n = train_step(net, loss_fn, opt, batch, bos, opts.clip)
            if per_batch:
                sched.step()
            total, count = total + s, count + n
            bar.update(loss=total / count)
        secs = time.perf_counter() - t0
        if sched is not None and not per_batch:
            sched.step()
        mean_bleu, c_bleu, hyps = held_out_bleu(net, val_pairs, src_vocab, tgt_vocab, a["num_steps"], opts.beam_size)
        bar.close(loss=total / count, bleu=mean_bleu, corpus_bleu=c_bleu)
        for (src, tgt), hyp in list(zip(val_pairs, hyps))[:4]:
            print(f"  {' '.join(src)} => {hyp}   (reference: {' '.join(tgt)})", flush=True)
        history.append({"epoch": epoch, "train_loss": total / count, "train_ppl": math.exp(total / count),
                        "bleu": mean_bleu, "corpus_bleu": c_bleu, "lr": opt.param_groups[0]["lr"], "seconds": secs,
                        "examples": [[" ".join(s), h] for (s, _), h in list(zip(val_pairs, hyps))[:4]]})
        _run.write_metrics(out, history, {**ckpt_args, "train_pairs": len(train_pairs), "held_out": len(val_pairs)})
        if not args.no_plot:
            _run.plot_lines(os.path.join(out, "curves.png"), history, ["train_loss", "bleu"], "loss / BLEU",
                             f"translate {args.model}")
            attention_map(net, val_pairs[0][0], src_vocab, tgt_vocab, a["num_steps"], os.path.join(out, "attention.png"))
        _run.save_checkpoint(ckpt_path, {
            "model": net.state_dict(), "optimizer": opt.state_dict(),
            "scheduler": None if sched is None else sched.state_dict(), "epoch": epoch, "history": history,
            "src_vocab": list(src_vocab.idx_to_token), "tgt_vocab": list(tgt_vocab.idx_to_token), "args": ckpt_args})
    if history:
        print(f"done: held-out BLEU {history[-1]['bleu']:.3f} (corpus BLEU {history[-1]['corpus_bleu']:.1f}); "
              f"checkpoint {ckpt_path}", flush=True)
    return 0


def load_model(ckpt: dict):
    """(model, src_vocab, tgt_vocab, num_steps) from a translate checkpoint."""
    a = ckpt["args"]
    src_vocab, tgt_vocab = _vocab_from(ckpt["src_vocab"]), _vocab_from(ckpt["tgt_vocab"])
    net = build_model(a["model"], len(src_vocab), len(tgt_vocab), a["hidden"], a["layers"], a["heads"], a["dropout"])
    net.load_state_dict(ckpt["model"])
    return net.eval(), src_vocab, tgt_vocab, a["num_steps"]


def run_predict(args, rest: list, ckpt: dict) -> int:
    from ...text import preprocess_nmt

    p = _run.parser("ember predict")
    p.add_argument("--sentence", required=True, help='an English sentence, e.g. "go ."')
    p.add_argument("--beam-size", type=int, default=1)
    p.add_argument("--attention", default=None, help="also write a PNG heat map of the attention here")
    opts = _run.parse(p, rest, "ember predict")
    if opts.beam_size < 1:
        raise UsageError("ember predict: error: --beam-size must be positive")
    tokens = preprocess_nmt(opts.sentence.strip()).split()
    if not tokens:
        raise UsageError("ember predict: error: --sentence is empty")
    net, src_vocab, tgt_vocab, num_steps = load_model(ckpt)
    unknown = [t for t in tokens if src_vocab[t] == src_vocab.unk]
    if unknown:
        print(f"note: not in the training vocabulary (read as <unk>): {' '.join(unknown)}")
    preds, _ = translate(net, [tokens], src_vocab, tgt_vocab, num_steps, opts.beam_size)
    print(" ".join(preds[0]))
    if opts.attention:
        if attention_map(net, tokens, src_vocab, tgt_vocab, num_steps, opts.attention) is None:
            print(f"note: model {ckpt['args']['model']!r} records no attention; no heat map")
        else:
            print(f"attention heat map: {opts.attention}")
    return 0
