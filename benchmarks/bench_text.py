"""Text recipes, ember vs the same models in torch (tests/text/torch_d2l.py), one thread each.

    python benchmarks/bench_text.py [--reps 7] [--epochs 10] [--translate-epochs 10] [--no-quality]

Step time: one training step of each ``ember train`` text recipe (default sizes), ember and torch with the same
weights (copied from ember) and inputs, repetitions interleaved; medians and the ratio ember/torch; the first
losses are compared. Dropout is 0 in the timed models so both compute the same numbers.

* charlm: ``RNNLM`` over ``LSTM(28, 256)``, batch 128 x 32 characters from a zero state, Adam, clip 1.
* seq2seq-attn: GRU encoder + additive-attention GRU decoder, hidden 128, 2 layers, batch 128 x 12 tokens.
* transformer: 2 + 2 blocks, hidden 128, FFN 256, 4 heads, batch 128 x 12 tokens.
* bert: ``BERTModel`` 2 blocks, hidden 128, FFN 256, 2 heads, vocab 451, batch 64 x 64 tokens, 10 MLM slots.

Quality: the charlm recipe (Adam 5e-3, cosine schedule, clip 1, 90 % of the shipped book) for ``--epochs``
epochs in ember and in torch from the same initial weights and the same batches: training and held-out
perplexity side by side (target: ember <= 1.1x torch); and the translate recipe (seq2seq-attn, the CLI's
defaults and functions) for ``--translate-epochs`` epochs, likewise beside torch: BLEU on the held-out pairs
(target >= 0.5).
Results go to ``benchmarks/results_text.json``.
"""
import os

for _k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_k] = "1"  # before NumPy and torch are imported
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
os.environ.setdefault("GOMP_SPINCOUNT", "10000")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
import ember  # noqa: E402
import ember.models.text as T  # noqa: E402
from tests.text import torch_d2l as R  # noqa: E402

torch.set_num_threads(1)


def copy_to_torch(em, tm) -> None:
    tm.load_state_dict({k: torch.from_numpy(np.array(v.detach().numpy())) for k, v in em.state_dict().items()})


def _adam(m, params, lr):
    return m.optim.Adam(params, lr=lr)


# ------------------------------------------------------------------------------------------------ recipes

def charlm_steps():
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 28, (128, 32)), rng.integers(0, 28, (128, 32))
    em = T.RNNLM(ember.nn.LSTM(28, 256), 28)
    tm = R.RNNLM(torch.nn.LSTM(28, 256), 28)
    copy_to_torch(em, tm)
    steps = {}
    for name, m, net in (("ember", ember, em), ("torch", torch, tm)):
        opt, X, Y = _adam(m, net.parameters(), 5e-3), m.tensor(x), m.tensor(y)

        def step(m=m, net=net, opt=opt, X=X, Y=Y):
            # every timed step starts from a zero state, so both frameworks do the same work
            h, _ = net.rnn(m.nn.functional.one_hot(X.t(), 28).float())
            logits = net.linear(h).swapaxes(0, 1)
            loss = m.nn.functional.cross_entropy(logits.reshape(-1, 28), Y.reshape(-1))
            opt.zero_grad()
            loss.backward()
            m.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            return loss.item()
        steps[name] = step
    return steps


def _translation_step(m, net, X, X_len, Y, Y_len, opt):
    bos = m.full((Y.shape[0], 1), 1, dtype=m.long)
    Y_hat = net(X, m.cat((bos, Y[:, :-1]), 1), X_len)
    l = m.nn.functional.cross_entropy(Y_hat.permute(0, 2, 1), Y, reduction="none")
    mask = (m.arange(Y.shape[1])[None, :] < Y_len[:, None]).float()
    loss = (l * mask).sum() / mask.sum()
    opt.zero_grad()
    loss.backward()
    m.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
    opt.step()
    return loss.item()


def translation_steps(kind):
    rng = np.random.default_rng(0)
    x, y = rng.integers(3, 71, (128, 12)), rng.integers(3, 127, (128, 12))
    xl, yl = rng.integers(4, 13, 128), rng.integers(4, 13, 128)
    if kind == "seq2seq-attn":
        em = T.EncoderDecoder(T.Seq2SeqEncoder(71, 128, 128, 2), T.Seq2SeqAttentionDecoder(127, 128, 128, 2))
        tm = R.EncoderDecoder(R.Seq2SeqEncoder(71, 128, 128, 2), R.Seq2SeqAttentionDecoder(127, 128, 128, 2))
        lr = 5e-3
    else:
        em = T.EncoderDecoder(T.TransformerEncoder(71, 128, 256, 4, 2, 0.0), T.TransformerDecoder(127, 128, 256, 4, 2, 0.0))
        tm = R.EncoderDecoder(R.TransformerEncoder(71, 128, 256, 4, 2, 0.0), R.TransformerDecoder(127, 128, 256, 4, 2, 0.0))
        lr = 1e-3
    copy_to_torch(em, tm)
    steps = {}
    for name, m, net in (("ember", ember, em), ("torch", torch, tm)):
        opt = _adam(m, net.parameters(), lr)
        args = (m.tensor(x), m.tensor(xl), m.tensor(y), m.tensor(yl))
        steps[name] = lambda m=m, net=net, opt=opt, args=args: _translation_step(m, net, *args, opt)
    return steps


def bert_steps():
    rng = np.random.default_rng(0)
    V, N, L, P = 451, 64, 64, 10
    tokens, segments = rng.integers(5, V, (N, L)), (np.arange(L)[None, :] >= 30).astype(np.int64).repeat(N, 0)
    valid = rng.integers(20, L + 1, N)
    pos, mlm_y, nsp_y = rng.integers(1, 20, (N, P)), rng.integers(5, V, (N, P)), rng.integers(0, 2, N)
    weights = (rng.random((N, P)) > 0.2).astype(np.float32)
    em = T.BERTModel(V, 128, 256, 2, 2, 0.0, max_len=L)
    tm = R.BERTModel(V, 128, 256, 2, 2, 0.0, max_len=L)
    copy_to_torch(em, tm)
    steps = {}
    for name, m, net in (("ember", ember, em), ("torch", torch, tm)):
        opt = _adam(m, net.parameters(), 1e-3)
        a = [m.tensor(v) for v in (tokens, segments, valid, pos, weights, mlm_y, nsp_y)]

        def step(m=m, net=net, opt=opt, a=a):
            _, mlm, nsp = net(a[0], a[1], a[2], a[3])
            mlm_l = m.nn.functional.cross_entropy(mlm.reshape(-1, V), a[5].reshape(-1), reduction="none")
            loss = (mlm_l * a[4].reshape(-1)).sum() / a[4].sum() + m.nn.functional.cross_entropy(nsp, a[6])
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss.item()
        steps[name] = step
    return steps


RECIPES = {"charlm": charlm_steps, "seq2seq-attn": lambda: translation_steps("seq2seq-attn"),
           "transformer": lambda: translation_steps("transformer"), "bert": bert_steps}


def time_steps(steps, reps):
    first = {k: s() for k, s in steps.items()}  # also the warm-up
    times = {k: [] for k in steps}
    for _ in range(reps):
        for k, s in steps.items():
            t0 = time.perf_counter()
            s()
            times[k].append(time.perf_counter() - t0)
    med = {k: float(np.median(v)) for k, v in times.items()}
    return {"ember_s": med["ember"], "torch_s": med["torch"], "ratio": med["ember"] / med["torch"],
            "first_loss_ember": first["ember"], "first_loss_torch": first["torch"]}


# ------------------------------------------------------------------------------------------------ quality

def charlm_quality(epochs):
    """The charlm recipe in ember (the CLI's own loop) and in torch from the same weights and batches."""
    from ember.cli.tasks import charlm
    from ember.text import seq_data_iter_sequential

    train_ids, val_ids, vocab = charlm.load_corpus(None, -1)
    V, batch, num_steps = len(vocab), 128, 32
    ember.manual_seed(0)
    em = charlm.build_model("lstm", V, 256, 1)
    tm = R.RNNLM(torch.nn.LSTM(V, 256), V)
    copy_to_torch(em, tm)
    e_opt, t_opt = ember.optim.Adam(em.parameters(), lr=5e-3), torch.optim.Adam(tm.parameters(), lr=5e-3)
    e_sched = ember.optim.lr_scheduler.CosineAnnealingLR(e_opt, T_max=epochs)
    t_sched = torch.optim.lr_scheduler.CosineAnnealingLR(t_opt, T_max=epochs)

    def torch_pass(ids, bsz, train):
        tm.train(train)
        state, total, count = None, 0.0, 0
        with torch.set_grad_enabled(train):
            for X, Y in seq_data_iter_sequential(ids, bsz, num_steps):
                X, Y = torch.from_numpy(X.numpy().copy()), torch.from_numpy(Y.numpy().copy())
                if state is not None:
                    state = tuple(s.detach() for s in state)
                h, state = tm.rnn(torch.nn.functional.one_hot(X.T, V).float(), state)
                loss = torch.nn.functional.cross_entropy(tm.linear(h).swapaxes(0, 1).reshape(-1, V), Y.reshape(-1))
                if train:
                    t_opt.zero_grad()
                    loss.backward()
                    torch.nn.utils.clip_grad_norm_(tm.parameters(), 1.0)
                    t_opt.step()
                total, count = total + loss.item() * Y.numel(), count + Y.numel()
        return total / count

    rows = []
    val_bsz = max(1, min(16, (len(val_ids) - 1) // (num_steps + 1)))
    for epoch in range(1, epochs + 1):
        random.seed(epoch)
        t0 = time.perf_counter()
        e_train = charlm.train_epoch(em, train_ids, batch, num_steps, e_opt, 1.0)
        e_secs = time.perf_counter() - t0
        random.seed(epoch)
        t0 = time.perf_counter()
        t_train = torch_pass(train_ids, batch, True)
        t_secs = time.perf_counter() - t0
        e_sched.step()
        t_sched.step()
        random.seed(10_000 + epoch)
        e_val = charlm.evaluate(em, val_ids, num_steps)
        random.seed(10_000 + epoch)
        t_val = torch_pass(val_ids, val_bsz, False)
        rows.append({"epoch": epoch, "ember_ppl": math.exp(e_train), "torch_ppl": math.exp(t_train),
                     "ember_val_ppl": math.exp(e_val), "torch_val_ppl": math.exp(t_val),
                     "ember_epoch_s": e_secs, "torch_epoch_s": t_secs})
        print(f"  charlm epoch {epoch}: ppl ember {rows[-1]['ember_ppl']:.3f} torch {rows[-1]['torch_ppl']:.3f}; "
              f"held-out ember {rows[-1]['ember_val_ppl']:.3f} torch {rows[-1]['torch_val_ppl']:.3f}; "
              f"epoch {e_secs:.1f} s vs {t_secs:.1f} s", flush=True)
    vocab_model = em.predict("time traveller", 40, vocab)
    return {"epochs": rows, "sample": vocab_model}


def translate_quality(epochs):
    """The translate recipe (seq2seq-attn, the CLI's defaults and its own step and BLEU functions) in ember,
    and the same model in torch from the same initial weights and the same batches (dropout masks differ)."""
    from ember.cli.tasks import _text
    from ember.cli.tasks import translate as tr
    from ember.text import Vocab, bleu, corpus_bleu, load_array

    train_pairs, val_pairs = tr.load_pairs(None, 0)
    src_vocab = Vocab([p for p, _ in train_pairs], min_freq=2, reserved_tokens=tr.RESERVED)
    tgt_vocab = Vocab([t for _, t in train_pairs], min_freq=2, reserved_tokens=tr.RESERVED)
    ember.manual_seed(0)
    em = tr.build_model("seq2seq-attn", len(src_vocab), len(tgt_vocab), 128, 2, 4, 0.2)
    tm = R.EncoderDecoder(R.Seq2SeqEncoder(len(src_vocab), 128, 128, 2, 0.2),
                          R.Seq2SeqAttentionDecoder(len(tgt_vocab), 128, 128, 2, 0.2))
    copy_to_torch(em, tm)
    data = load_array(tr.arrays(train_pairs, src_vocab, tgt_vocab, 12), 128)
    e_opt, t_opt = ember.optim.Adam(em.parameters(), lr=5e-3), torch.optim.Adam(tm.parameters(), lr=5e-3)
    e_sched = ember.optim.lr_scheduler.CosineAnnealingLR(e_opt, T_max=epochs)
    t_sched = torch.optim.lr_scheduler.CosineAnnealingLR(t_opt, T_max=epochs)
    e_loss, t_loss = T.MaskedSoftmaxCELoss(), R.MaskedSoftmaxCELoss()
    bos, eos = tgt_vocab["<bos>"], tgt_vocab["<eos>"]
    val_X, val_X_len, _, _ = [torch.from_numpy(a.numpy().copy()) for a in
                              tr.arrays(val_pairs, src_vocab, tgt_vocab, 12)]
    refs = [" ".join(t) for _, t in val_pairs]

    def torch_bleu():
        tm.eval()
        with torch.no_grad():
            state = tm.decoder.init_state(tm.encoder(val_X, val_X_len), val_X_len)
            tok, outs = torch.full((len(val_X), 1), bos), []
            for _ in range(12):
                Y, state = tm.decoder(tok, state)
                tok = Y[:, -1].argmax(-1, keepdim=True)
                outs.append(tok)
        hyps = []
        for row in torch.cat(outs, 1).tolist():
            row = row[:row.index(eos)] if eos in row else row
            hyps.append(" ".join(tgt_vocab.to_tokens(row)))
        return float(np.mean([bleu(h, r, k=2) if h else 0.0 for h, r in zip(hyps, refs)])), corpus_bleu(hyps, [refs])

    rows = []
    for epoch in range(1, epochs + 1):
        _text.seed_epoch(0, epoch)
        batches = list(data)
        em.train()
        tm.train()
        t0, e_total, count = time.perf_counter(), 0.0, 0
        for batch in batches:
            s_, n = tr.train_step(em, e_loss, e_opt, batch, bos, 1.0)
            e_total, count = e_total + s_, count + n
        e_secs = time.perf_counter() - t0
        t0, t_total = time.perf_counter(), 0.0
        for batch in batches:
            X, X_len, Y, Y_len = [torch.from_numpy(a.numpy().copy()) for a in batch]
            dec_input = torch.cat((torch.full((Y.shape[0], 1), bos), Y[:, :-1]), 1)
            loss = (t_loss(tm(X, dec_input, X_len), Y, Y_len) * Y.shape[1]).sum() / Y_len.sum()
            t_opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(tm.parameters(), 1.0)
            t_opt.step()
            t_total += loss.item() * int(Y_len.sum())
        t_secs = time.perf_counter() - t0
        e_sched.step()
        t_sched.step()
        e_bleu, e_corpus, _ = tr.held_out_bleu(em, val_pairs, src_vocab, tgt_vocab, 12)
        t_bleu, t_corpus = torch_bleu()
        rows.append({"epoch": epoch, "ember_loss": e_total / count, "torch_loss": t_total / count,
                     "ember_bleu": e_bleu, "torch_bleu": t_bleu, "ember_corpus_bleu": e_corpus,
                     "torch_corpus_bleu": t_corpus, "ember_epoch_s": e_secs, "torch_epoch_s": t_secs})
        print(f"  translate epoch {epoch}: loss ember {e_total / count:.4f} torch {t_total / count:.4f}; held-out "
              f"BLEU ember {e_bleu:.3f} torch {t_bleu:.3f} (corpus {e_corpus:.1f} / {t_corpus:.1f}); "
              f"epoch {e_secs:.1f} s vs {t_secs:.1f} s", flush=True)
    examples = tr.translate(em, [p for p, _ in val_pairs[:4]], src_vocab, tgt_vocab, 12)[0]
    return {"epochs": rows, "examples": [[" ".join(p), " ".join(h)] for (p, _), h in zip(val_pairs, examples)]}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--epochs", type=int, default=10, help="charlm epochs for the perplexity comparison")
    p.add_argument("--translate-epochs", type=int, default=10)
    p.add_argument("--no-quality", action="store_true")
    p.add_argument("--recipes", nargs="*", default=list(RECIPES))
    args = p.parse_args()
    results = {"step_time": {}, "threads": 1}
    print(f"{'recipe':<14}{'ember ms':>10}{'torch ms':>10}{'ratio':>8}   first loss ember / torch")
    for name in args.recipes:
        r = time_steps(RECIPES[name](), args.reps)
        results["step_time"][name] = r
        print(f"{name:<14}{r['ember_s'] * 1e3:>10.1f}{r['torch_s'] * 1e3:>10.1f}{r['ratio']:>8.2f}   "
              f"{r['first_loss_ember']:.5f} / {r['first_loss_torch']:.5f}", flush=True)
    if not args.no_quality:
        q = charlm_quality(args.epochs)
        last = q["epochs"][-1]
        q["ratio_ppl"] = last["ember_ppl"] / last["torch_ppl"]
        q["ratio_val_ppl"] = last["ember_val_ppl"] / last["torch_val_ppl"]
        results["charlm"] = q
        print(f"charlm after {args.epochs} epochs: perplexity ember {last['ember_ppl']:.3f} / torch "
              f"{last['torch_ppl']:.3f} = {q['ratio_ppl']:.3f}x; held-out {last['ember_val_ppl']:.3f} / "
              f"{last['torch_val_ppl']:.3f} = {q['ratio_val_ppl']:.3f}x", flush=True)
        t = translate_quality(args.translate_epochs)
        results["translate"] = t
        last = t["epochs"][-1]
        print(f"translate seq2seq-attn after {args.translate_epochs} epochs: held-out BLEU ember {last['ember_bleu']:.3f} "
              f"/ torch {last['torch_bleu']:.3f} (corpus BLEU {last['ember_corpus_bleu']:.1f} / "
              f"{last['torch_corpus_bleu']:.1f})", flush=True)
    with open(os.path.join(ROOT, "benchmarks", "results_text.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
