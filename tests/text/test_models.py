"""ember.models.text against d2l's models written in torch (tests/text/torch_d2l.py): same weights, same
outputs and gradients; masked_softmax and sequence_mask against hand-computed values; decoding (greedy,
beam search) against exhaustive search on a hand-built decoder."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

import ember
import ember.models.text as T
from tests.text import torch_d2l as R

RTOL, ATOL = 1e-4, 1e-5


def tt(x) -> torch.Tensor:
    return torch.from_numpy(np.array(x.detach().numpy()))


def close(a, b, rtol=RTOL, atol=ATOL) -> None:
    a = a.detach().numpy() if isinstance(a, ember.Tensor) else a
    b = b.detach().numpy() if isinstance(b, torch.Tensor) else b
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def sync(em, tm) -> None:
    """Copy ember's weights into the torch twin (the keys must match exactly)."""
    sd = {k: tt(v) for k, v in em.state_dict().items()}
    missing, unexpected = tm.load_state_dict(sd, strict=True)
    assert not missing and not unexpected


def floats(*shape, grad=True):
    x = np.random.randn(*shape).astype(np.float32)
    return ember.tensor(x, requires_grad=grad), torch.tensor(x, requires_grad=grad)


def ids(high, *shape):
    x = np.random.randint(0, high, size=shape)
    return ember.tensor(x), torch.tensor(x)


def backward_both(out_e, out_t) -> None:
    w = np.random.randn(*out_e.shape).astype(np.float32)
    (out_e * ember.tensor(w)).sum().backward()
    (out_t * torch.tensor(w)).sum().backward()


def check_param_grads(em, tm, rtol=RTOL, atol=ATOL) -> None:
    tparams = dict(tm.named_parameters())
    names = [n for n, _ in em.named_parameters()]
    assert sorted(names) == sorted(tparams)
    for name, p in em.named_parameters():
        tg = tparams[name].grad
        if tg is None:
            assert p.grad is None or not p.grad.numpy().any(), name
            continue
        assert p.grad is not None, name
        assert str(p.grad.dtype).split(".")[-1] == str(tg.dtype).split(".")[-1], name
        close(p.grad, tg, rtol, atol)


def run_both(em, tm, em_args, t_args, select=lambda o: o, rtol=RTOL, atol=ATOL):
    sync(em, tm)
    out_e, out_t = select(em(*em_args)), select(tm(*t_args))
    close(out_e, out_t, rtol, atol)
    backward_both(out_e, out_t)
    check_param_grads(em, tm, rtol, atol)
    for a, b in zip(em_args, t_args):
        if isinstance(a, ember.Tensor) and a.requires_grad:
            assert str(a.grad.dtype).split(".")[-1] == str(b.grad.dtype).split(".")[-1]
            close(a.grad, b.grad, rtol, atol)
    return out_e, out_t


# ---------------------------------------------------------------------------------------------- masking

def test_masked_softmax_hand_computed():
    X = ember.tensor([[[0.0, math.log(2), math.log(3), 5.0], [1.0, 1.0, 1.0, 1.0]]])
    got = T.masked_softmax(X, ember.tensor([3]))
    want = [[[1 / 6, 2 / 6, 3 / 6, 0.0], [1 / 3, 1 / 3, 1 / 3, 0.0]]]
    close(got, np.array(want, dtype=np.float32), 1e-6, 1e-7)
    got2 = T.masked_softmax(X, ember.tensor([[1, 4]]))  # one length per query
    close(got2, np.array([[[1, 0, 0, 0], [0.25, 0.25, 0.25, 0.25]]], dtype=np.float32), 1e-6, 1e-7)
    got0 = T.masked_softmax(X, ember.tensor([0]))  # d2l's rule: nothing valid -> uniform
    close(got0, np.full((1, 2, 4), 0.25, dtype=np.float32), 1e-6, 1e-7)
    close(T.masked_softmax(X, None), torch.softmax(tt(X), -1))


@pytest.mark.parametrize("lens", [[2, 3], [[1, 3, 2], [4, 4, 0]], None])
def test_masked_softmax_grad_vs_torch(lens):
    xe, xt = floats(2, 3, 4)
    le = None if lens is None else ember.tensor(lens)
    lt = None if lens is None else torch.tensor(lens)
    out_e, out_t = T.masked_softmax(xe, le), R.masked_softmax(xt, lt)
    close(out_e, out_t)
    backward_both(out_e, out_t)
    close(xe.grad, xt.grad)


def test_masked_softmax_bad_lens():
    with pytest.raises(ValueError, match="masked_softmax"):
        T.masked_softmax(ember.zeros(2, 3, 4), ember.tensor([1, 2, 3]))


def test_sequence_mask_hand_computed():
    X = ember.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    close(T.sequence_mask(X, ember.tensor([1, 2])), np.array([[1, 0, 0], [4, 5, 0]], dtype=np.float32))
    close(T.sequence_mask(X, ember.tensor([0, 3]), value=-1), np.array([[-1, -1, -1], [4, 5, 6]], dtype=np.float32))
    X3 = ember.ones(2, 3, 2)
    close(T.sequence_mask(X3, ember.tensor([1, 2])).sum(dim=2), np.array([[2, 0, 0], [2, 2, 0]], dtype=np.float32))


def test_masked_softmax_ce_loss_vs_torch():
    pe, pt = floats(3, 4, 10)
    le, lt = ids(10, 3, 4)
    ve, vt = ember.tensor([4, 2, 0]), torch.tensor([4, 2, 0])
    out_e, out_t = T.MaskedSoftmaxCELoss()(pe, le, ve), R.MaskedSoftmaxCELoss()(pt, lt, vt)
    close(out_e, out_t)
    backward_both(out_e, out_t)
    close(pe.grad, pt.grad)


# -------------------------------------------------------------------------------------------- attention

def test_dot_product_attention():
    qe, qt = floats(2, 3, 6)
    ke, kt = floats(2, 5, 6)
    ve, vt = floats(2, 5, 4)
    em, tm = T.DotProductAttention(0.0), R.DotProductAttention(0.0)
    run_both(em, tm, (qe, ke, ve, ember.tensor([2, 5])), (qt, kt, vt, torch.tensor([2, 5])))
    close(em.attention_weights, tm.attention_weights)


def test_additive_attention():
    qe, qt = floats(2, 1, 20)
    ke, kt = floats(2, 10, 2)
    ve, vt = floats(2, 10, 4)
    em, tm = T.AdditiveAttention(8, 0.0, key_size=2, query_size=20), R.AdditiveAttention(8, 0.0, 2, 20)
    run_both(em, tm, (qe, ke, ve, ember.tensor([2, 6])), (qt, kt, vt, torch.tensor([2, 6])))
    close(em.attention_weights, tm.attention_weights)


@pytest.mark.parametrize("bias", [False, True])
def test_multi_head_attention(bias):
    qe, qt = floats(2, 4, 16)
    ke, kt = floats(2, 6, 16)
    em, tm = T.MultiHeadAttention(16, 4, 0.0, bias), R.MultiHeadAttention(16, 4, 0.0, bias)
    run_both(em, tm, (qe, ke, ke, ember.tensor([3, 2])), (qt, kt, kt, torch.tensor([3, 2])))
    close(em.attention.attention_weights, tm.attention.attention_weights)


def test_multi_head_attention_heads_must_divide():
    with pytest.raises(ValueError, match="divisible"):
        T.MultiHeadAttention(10, 3, 0.0)


def test_positional_encoding():
    em, tm = T.PositionalEncoding(32, 0.0, 60), R.PositionalEncoding(32, 0.0, 60)
    close(em.P, tm.P, 1e-5, 1e-5)
    xe, xt = floats(2, 7, 32)
    close(em(xe, offset=3), tm(xt, offset=3), 1e-5, 1e-5)
    assert list(em.state_dict()) == []
    with pytest.raises(ValueError, match="max_len"):
        em(ember.zeros(1, 61, 32))


# ------------------------------------------------------------------------------------------ Transformer

def test_position_wise_ffn_and_add_norm():
    xe, xt = floats(2, 3, 8)
    run_both(T.PositionWiseFFN(16, 8), R.PositionWiseFFN(16, 8), (xe,), (xt,))
    ye, yt = floats(2, 3, 8)
    run_both(T.AddNorm(8, 0.0), R.AddNorm(8, 0.0), (xe, ye), (xt, yt))


def test_transformer_encoder_block_and_encoder():
    xe, xt = floats(2, 5, 16)
    run_both(T.TransformerEncoderBlock(16, 32, 4, 0.0), R.TransformerEncoderBlock(16, 32, 4, 0.0),
             (xe, ember.tensor([3, 5])), (xt, torch.tensor([3, 5])))
    se, st = ids(20, 2, 5)
    em, tm = T.TransformerEncoder(20, 16, 32, 4, 2, 0.0), R.TransformerEncoder(20, 16, 32, 4, 2, 0.0)
    run_both(em, tm, (se, ember.tensor([3, 5])), (st, torch.tensor([3, 5])))
    assert len(em.attention_weights) == 2 and em.attention_weights[0].shape == (8, 5, 5)


def transformer_pair(src_vocab=20, tgt_vocab=24):
    em = T.EncoderDecoder(T.TransformerEncoder(src_vocab, 16, 32, 4, 2, 0.0),
                          T.TransformerDecoder(tgt_vocab, 16, 32, 4, 2, 0.0))
    tm = R.EncoderDecoder(R.TransformerEncoder(src_vocab, 16, 32, 4, 2, 0.0),
                          R.TransformerDecoder(tgt_vocab, 16, 32, 4, 2, 0.0))
    return em, tm


def test_transformer_encoder_decoder():
    em, tm = transformer_pair()
    se, st = ids(20, 3, 6)
    de, dt = ids(24, 3, 5)
    run_both(em, tm, (se, de, ember.tensor([6, 2, 4])), (st, dt, torch.tensor([6, 2, 4])))
    assert len(em.decoder.attention_weights) == 2


def test_transformer_decoder_one_token_at_a_time_equals_whole_sequence():
    em, _ = transformer_pair()
    em.eval()
    src, lens = ember.randint(0, 20, (2, 6)), ember.tensor([6, 3])
    tgt = ember.randint(0, 24, (2, 5))
    with ember.no_grad():
        whole = em(src, tgt, lens)
        state = em.decoder.init_state(em.encoder(src, lens), lens)
        steps = []
        for t in range(5):
            y, state = em.decoder(tgt[:, t:t + 1], state)
            steps.append(y)
    close(ember.cat(steps, 1), whole, 1e-4, 1e-5)


# ------------------------------------------------------------------------------------------------ seq2seq

@pytest.mark.parametrize("attention", [False, True])
def test_seq2seq(attention):
    dec_e = T.Seq2SeqAttentionDecoder if attention else T.Seq2SeqDecoder
    dec_t = R.Seq2SeqAttentionDecoder if attention else R.Seq2SeqDecoder
    em = T.EncoderDecoder(T.Seq2SeqEncoder(12, 8, 16, 2), dec_e(14, 8, 16, 2))
    tm = R.EncoderDecoder(R.Seq2SeqEncoder(12, 8, 16, 2), dec_t(14, 8, 16, 2))
    se, st = ids(12, 3, 7)
    de, dt = ids(14, 3, 5)
    run_both(em, tm, (se, de, ember.tensor([7, 3, 5])), (st, dt, torch.tensor([7, 3, 5])))
    if attention:
        assert len(em.decoder.attention_weights) == 5
        close(ember.stack(em.decoder.attention_weights), torch.stack(tm.decoder.attention_weights))


def test_init_seq2seq_is_xavier_uniform():
    enc = T.Seq2SeqEncoder(10, 8, 64, 1)
    w = enc.rnn.weight_hh_l0.detach().numpy()
    bound = math.sqrt(6 / (w.shape[0] + w.shape[1]))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound


# ------------------------------------------------------------------------------------------- language models

def test_rnn_lm_scratch():
    em = T.RNNLMScratch(T.RNNScratch(10, 16), 10)
    tm = R.RNNLMScratch(R.RNNScratch(10, 16), 10)
    xe, xt = ids(10, 3, 6)
    run_both(em, tm, (xe,), (xt,))


@pytest.mark.parametrize("cell", ["RNN", "GRU", "LSTM"])
def test_rnn_lm(cell):
    em = T.RNNLM(getattr(ember.nn, cell)(10, 16), 10)
    tm = R.RNNLM(getattr(torch.nn, cell)(10, 16), 10)
    xe, xt = ids(10, 3, 6)
    run_both(em, tm, (xe,), (xt,))


class _Vocab:
    def __init__(self, tokens):
        self.idx_to_token = list(tokens)
        self.token_to_idx = {t: i for i, t in enumerate(self.idx_to_token)}

    def __getitem__(self, token):
        return self.token_to_idx[token]


def test_rnn_lm_predict_matches_torch_greedy():
    vocab = _Vocab("abcdefgh")
    em = T.RNNLM(ember.nn.LSTM(8, 12), 8)
    tm = R.RNNLM(torch.nn.LSTM(8, 12), 8)
    sync(em, tm)
    got = em.predict("abc", 6, vocab)
    outputs, state = [vocab["a"]], None
    with torch.no_grad():
        for i in range(len("abc") + 6 - 1):
            X = torch.nn.functional.one_hot(torch.tensor([[outputs[-1]]]).T, 8).float()
            h, state = tm.rnn(X, state)
            outputs.append(vocab["abc"[i + 1]] if i < 2 else int(tm.linear(h).argmax(-1)))
    assert got == "".join(vocab.idx_to_token[i] for i in outputs)
    assert got.startswith("abc") and len(got) == 9


# ---------------------------------------------------------------------------------------------------- BERT

def bert_pair():
    em = T.BERTModel(30, 16, 32, 4, 2, 0.0, max_len=20)
    tm = R.BERTModel(30, 16, 32, 4, 2, 0.0, max_len=20)
    return em, tm


def test_bert_model():
    em, tm = bert_pair()
    te, tt_ = ids(30, 2, 8)
    se, st = ids(2, 2, 8)
    pe, pt = ember.tensor([[1, 5, 2], [6, 1, 5]]), torch.tensor([[1, 5, 2], [6, 1, 5]])
    sync(em, tm)
    enc_e, mlm_e, nsp_e = em(te, se, ember.tensor([8, 5]), pe)
    enc_t, mlm_t, nsp_t = tm(tt_, st, torch.tensor([8, 5]), pt)
    for a, b in ((enc_e, enc_t), (mlm_e, mlm_t), (nsp_e, nsp_t)):
        close(a, b)
    loss_e = enc_e.square().mean() + mlm_e.square().mean() + nsp_e.square().mean()
    loss_t = enc_t.square().mean() + mlm_t.square().mean() + nsp_t.square().mean()
    loss_e.backward()
    loss_t.backward()
    check_param_grads(em, tm)
    assert em(te, se)[1] is None


def test_bert_classifiers():
    em, tm = bert_pair()
    ce, ct = T.BERTClassifier(em), R.BERTClassifier(tm)
    te, tt_ = ids(30, 2, 8)
    se, st = ids(2, 2, 8)
    run_both(ce, ct, ((te, se, ember.tensor([8, 5])),), ((tt_, st, torch.tensor([8, 5])),))
    single = T.BERTSentenceClassifier(em)
    got = single((te, ember.tensor([8, 5])))
    assert got.shape == (2, 2)
    pair = T.BERTClassifier(em, num_outputs=2)
    pair.output.load_state_dict(single.output.state_dict())
    close(got, pair((te, ember.zeros_like(te), ember.tensor([8, 5]))), 1e-6, 1e-6)


def test_bert_encoder_too_long():
    with pytest.raises(ValueError, match="max_len"):
        T.BERTEncoder(30, 16, 32, 4, 1, 0.0, max_len=4)(ember.zeros(1, 5, dtype=ember.long),
                                                           ember.zeros(1, 5, dtype=ember.long), None)


# ------------------------------------------------------------------------------------------------ word2vec

def test_skip_gram_and_loss():
    em, tm = T.SkipGram(20, 6), R.SkipGram(20, 6)
    ce, ct = ids(20, 4, 1)
    xe, xt = ids(20, 4, 5)
    sync(em, tm)
    pred_e, pred_t = em(ce, xe), tm(ct, xt)
    close(pred_e, pred_t)
    label = (np.random.rand(4, 5) > 0.5).astype(np.float32)
    mask = np.ones((4, 5), dtype=np.float32)
    mask[1, 3:] = 0
    loss_e = T.SigmoidBCELoss()(pred_e.reshape(4, 5), ember.tensor(label), ember.tensor(mask))
    loss_t = R.SigmoidBCELoss()(pred_t.reshape(4, 5), torch.tensor(label), torch.tensor(mask))
    close(loss_e, loss_t)
    loss_e.sum().backward()
    loss_t.sum().backward()
    check_param_grads(em, tm)


def test_train_word2vec_lowers_the_loss():
    rng = np.random.default_rng(0)
    centers = rng.integers(0, 10, size=(64, 1))
    contexts = np.concatenate([(centers + 1) % 10, rng.integers(0, 10, size=(64, 3))], axis=1)
    label = np.zeros((64, 4), dtype=np.float32)
    label[:, 0] = 1
    batches = [(ember.tensor(centers[i:i + 16]), ember.tensor(contexts[i:i + 16]), ember.ones(16, 4),
                ember.tensor(label[i:i + 16])) for i in range(0, 64, 16)]
    history = T.train_word2vec(T.SkipGram(10, 8), batches, lr=0.05, num_epochs=8)
    assert len(history) == 8 and history[-1] < 0.7 * history[0]
    net = T.SkipGram(10, 8)
    similar = T.get_similar_tokens("3", 2, net[0], _Vocab([str(i) for i in range(10)]))
    assert len(similar) == 2 and all(t != "3" for t, _ in similar)


# ------------------------------------------------------------------------------------------------ decoding

class TableDecoder(T.Decoder):
    """A decoder whose next-token distribution depends only on the previous token: P = table[prev]."""

    def __init__(self, table):
        super().__init__()
        self.log_table = ember.log(ember.tensor(table))

    def init_state(self, enc_outputs, *args):
        return enc_outputs

    def forward(self, X, state):
        return self.log_table[X], state


class NullEncoder(T.Encoder):
    def forward(self, X, *args):
        return ember.zeros(X.shape[0])


BOS, EOS, A, B = 0, 1, 2, 3
# From <bos>: a 0.6, b 0.4. After a: eos 0.4, a 0.3, b 0.3. After b: eos 0.9. Greedy takes "a <eos>" (0.24);
# the best sequence is "b <eos>" (0.36).
TABLE = [[0.0, 0.0, 0.6, 0.4], [0.0, 1.0, 0.0, 0.0], [0.0, 0.4, 0.3, 0.3], [0.0, 0.9, 0.05, 0.05]]


def table_model():
    return T.EncoderDecoder(NullEncoder(), TableDecoder(np.array(TABLE, dtype=np.float32) + 1e-12))


def exhaustive_best(max_len, alpha):
    best, best_seq = -math.inf, None
    for n in range(1, max_len + 1):
        for seq in itertools.product(range(4), repeat=n):
            if EOS in seq[:-1] or (n < max_len and seq[-1] != EOS):
                continue
            logp, prev = 0.0, BOS
            for tok in seq:
                logp += math.log(TABLE[prev][tok] + 1e-12)
                prev = tok
            score = logp / n ** alpha
            if score > best:
                best, best_seq = score, list(seq)
    return best_seq, best


def test_beam_search_finds_what_greedy_misses():
    net, src = table_model(), ember.zeros(2, 3, dtype=ember.long)
    greedy = T.greedy_search(net, src, None, BOS, EOS, max_len=4)
    assert greedy.as_lists() == [[A], [A]]
    close(greedy.log_probs, np.full(2, math.log(0.24), dtype=np.float32), 1e-5, 1e-6)
    beam = T.beam_search(net, src, None, BOS, EOS, max_len=4, beam_size=2, alpha=0.0)
    assert beam.as_lists() == [[B], [B]]
    close(beam.scores, np.full(2, math.log(0.36), dtype=np.float32), 1e-5, 1e-6)
    assert beam.lengths.tolist() == [2, 2]
    assert beam.sequences[0].tolist() == [B, EOS, EOS, EOS]


@pytest.mark.parametrize("alpha,max_len", [(0.0, 3), (0.75, 4), (1.0, 3)])
def test_beam_search_equals_exhaustive_search_with_a_wide_beam(alpha, max_len):
    seq, score = exhaustive_best(max_len, alpha)
    hyp = T.beam_search(table_model(), ember.zeros(1, 2, dtype=ember.long), None, BOS, EOS, max_len,
                        beam_size=4, alpha=alpha)
    assert hyp.sequences[0, :len(seq)].tolist() == seq
    close(hyp.scores, np.array([score], dtype=np.float32), 1e-5, 1e-6)


def attention_models():
    s2s = T.EncoderDecoder(T.Seq2SeqEncoder(12, 8, 16, 2), T.Seq2SeqAttentionDecoder(14, 8, 16, 2))
    tr = T.EncoderDecoder(T.TransformerEncoder(12, 16, 32, 4, 2, 0.0), T.TransformerDecoder(14, 16, 32, 4, 2, 0.0))
    plain = T.EncoderDecoder(T.Seq2SeqEncoder(12, 8, 16, 1), T.Seq2SeqDecoder(14, 8, 16, 1))
    return {"seq2seq": plain, "seq2seq-attn": s2s, "transformer": tr}


@pytest.mark.parametrize("name", ["seq2seq", "seq2seq-attn", "transformer"])
def test_beam_size_one_equals_greedy(name):
    net = attention_models()[name].eval()
    src, lens = ember.randint(0, 12, (3, 6)), ember.tensor([6, 2, 4])
    for alpha in (0.0, 0.75):
        g = T.greedy_search(net, src, lens, bos=1, eos=2, max_len=7, alpha=alpha, save_attention_weights=True)
        b = T.beam_search(net, src, lens, bos=1, eos=2, max_len=7, beam_size=1, alpha=alpha,
                          save_attention_weights=True)
        assert g.sequences.tolist() == b.sequences.tolist()
        assert g.lengths.tolist() == b.lengths.tolist()
        close(g.scores, b.scores, 1e-5, 1e-5)
        if name == "seq2seq":
            assert g.attention_weights is None and b.attention_weights is None
        else:
            assert g.attention_weights.shape == (3, 7, 6)
            close(g.attention_weights, b.attention_weights, 1e-5, 1e-6)
            w = g.attention_weights[1, 0]  # source 1 has 2 valid tokens
            close(w[2:].sum(), np.float32(0), 1e-6, 1e-6)
            close(w.sum(), np.float32(1), 1e-5, 1e-5)


@pytest.mark.parametrize("name", ["seq2seq", "seq2seq-attn", "transformer"])
def test_beam_search_batched_equals_one_at_a_time(name):
    net = attention_models()[name].eval()
    src, lens = ember.randint(0, 12, (3, 6)), ember.tensor([6, 2, 4])
    batched = T.beam_search(net, src, lens, bos=1, eos=2, max_len=6, beam_size=3)
    for i in range(3):
        one = T.beam_search(net, src[i:i + 1], lens[i:i + 1], bos=1, eos=2, max_len=6, beam_size=3)
        assert one.sequences.tolist()[0] == batched.sequences.tolist()[i]
        close(one.scores[0], batched.scores[i], 1e-5, 1e-5)
    # beam search never scores below greedy on the plain log-likelihood
    greedy = T.greedy_search(net, src, lens, bos=1, eos=2, max_len=6)
    wide = T.beam_search(net, src, lens, bos=1, eos=2, max_len=6, beam_size=3, alpha=0.0)
    assert (wide.log_probs.numpy() >= greedy.log_probs.numpy() - 1e-5).all()


def test_decoding_errors():
    net = table_model()
    src = ember.zeros(1, 2, dtype=ember.long)
    with pytest.raises(ValueError, match="beam_size"):
        T.beam_search(net, src, None, BOS, EOS, 3, beam_size=0)
    with pytest.raises(ValueError, match="max_len"):
        T.greedy_search(net, src, None, BOS, EOS, 0)
    with pytest.raises(ValueError, match="vocabulary"):
        T.beam_search(net, src, None, BOS, EOS, 3, beam_size=5)
