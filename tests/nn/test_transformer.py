"""Transformer, TransformerEncoder/Decoder(+Layer) vs torch with copied state_dicts: outputs and
gradients (post/pre-norm, relu/gelu/callable, batch_first, masks), float32 and float64."""
import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _copy(tm, em):
    assert list(tm.state_dict()) == list(em.state_dict())
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})


def _close(a, b, tol):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol)


def _grads_close(tm, em, tol):
    ep = dict(em.named_parameters())
    for n, p in tm.named_parameters():
        _close(p.grad, ep[n].grad, tol)


@pytest.mark.parametrize("kw", [{}, {"norm_first": True, "activation": "gelu"}, {"batch_first": True},
                                {"bias": False}], ids=["post", "pre-gelu", "batch_first", "nobias"])
def test_transformer_matches_torch(kw):
    rng = np.random.default_rng(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tm = torch.nn.Transformer(16, 4, 2, 2, 32, dropout=0.0, **kw).double()
    em = ember.nn.Transformer(16, 4, 2, 2, 32, dropout=0.0, **kw).double()
    _copy(tm, em)
    s, t = rng.standard_normal((6, 3, 16)), rng.standard_normal((5, 3, 16))
    if kw.get("batch_first"):
        s, t = s.transpose(1, 0, 2).copy(), t.transpose(1, 0, 2).copy()
    ts, es = torch.tensor(s, requires_grad=True), ember.tensor(s, requires_grad=True)
    tt, et = torch.tensor(t, requires_grad=True), ember.tensor(t, requires_grad=True)
    tmask = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64)
    emask = ember.nn.Transformer.generate_square_subsequent_mask(5, dtype=ember.float64)
    np.testing.assert_array_equal(tmask.numpy(), emask.numpy())
    kpm = np.zeros((3, 6), bool)
    kpm[1, 4:] = True
    to = tm(ts, tt, tgt_mask=tmask, src_key_padding_mask=torch.tensor(kpm),
            memory_key_padding_mask=torch.tensor(kpm), tgt_is_causal=True)
    eo = em(es, et, tgt_mask=emask, src_key_padding_mask=ember.tensor(kpm),
            memory_key_padding_mask=ember.tensor(kpm), tgt_is_causal=True)
    _close(to, eo, 1e-10)
    to.pow(2).sum().backward()
    eo.pow(2).sum().backward()
    _close(ts.grad, es.grad, 1e-9)
    _close(tt.grad, et.grad, 1e-9)
    _grads_close(tm, em, 1e-8)


@pytest.mark.parametrize("activation", ["relu", "gelu", "callable"])
def test_encoder_float32(activation):
    act_t = torch.nn.functional.silu if activation == "callable" else activation
    act_e = ember.nn.functional.silu if activation == "callable" else activation
    tl = torch.nn.TransformerEncoderLayer(16, 2, 24, dropout=0.0, activation=act_t, batch_first=True)
    el = ember.nn.TransformerEncoderLayer(16, 2, 24, dropout=0.0, activation=act_e, batch_first=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tm = torch.nn.TransformerEncoder(tl, 2, norm=torch.nn.LayerNorm(16), enable_nested_tensor=False)
    em = ember.nn.TransformerEncoder(el, 2, norm=ember.nn.LayerNorm(16))
    _copy(tm, em)
    x = np.random.default_rng(1).standard_normal((3, 7, 16)).astype(np.float32)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(7)
    to = tm(torch.tensor(x), mask=mask, is_causal=True)
    eo = em(ember.tensor(x), mask=ember.nn.Transformer.generate_square_subsequent_mask(7), is_causal=True)
    _close(to, eo, 2e-5)
    to.sum().backward()
    eo.sum().backward()
    _grads_close(tm, em, 2e-4)


def test_decoder_layer_and_structure():
    tl = torch.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0).double()
    el = ember.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0).double()
    _copy(tl, el)
    rng = np.random.default_rng(2)
    t, m = rng.standard_normal((4, 2, 8)), rng.standard_normal((5, 2, 8))
    _close(tl(torch.tensor(t), torch.tensor(m)), el(ember.tensor(t), ember.tensor(m)), 1e-10)
    names = [n for n, _ in el.named_children()]
    assert names == ["self_attn", "multihead_attn", "linear1", "dropout", "linear2", "norm1", "norm2", "norm3",
                     "dropout1", "dropout2", "dropout3"]
    dec = ember.nn.TransformerDecoder(el, 3)
    assert len(dec.layers) == 3 and dec.layers[0] is not dec.layers[1]
    assert dec.layers[0].linear1.weight is not dec.layers[1].linear1.weight


def test_unbatched_and_errors():
    em = ember.nn.Transformer(8, 2, 1, 1, 16, dropout=0.0)
    out = em(ember.randn(5, 8), ember.randn(3, 8))
    assert tuple(out.shape) == (3, 8)
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        em(ember.randn(5, 2, 8), ember.randn(3, 3, 8))
    with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal to d_model"):
        em(ember.randn(5, 2, 8), ember.randn(3, 2, 6))
    with pytest.raises(RuntimeError, match="activation should be relu/gelu"):
        ember.nn.TransformerEncoderLayer(8, 2, activation="tanh")


def test_dropout_train_vs_eval():
    layer = ember.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.3)
    x = ember.randn(4, 2, 8)
    layer.eval()
    np.testing.assert_array_equal(layer(x).detach().numpy(), layer(x).detach().numpy())
    layer.train()
    assert not np.allclose(layer(x).detach().numpy(), layer(x).detach().numpy())
