"""F.scaled_dot_product_attention, F.multi_head_attention_forward and nn.MultiheadAttention vs torch;
float64 gradcheck; double backward (the backward op AttentionBackward) vs torch, also through
nn.MultiheadAttention and nn.TransformerEncoderLayer (a gradient penalty), and third derivatives by finite
differences; d2l's additive and dot-product attention (copied user code, run unchanged on torch and on ember)."""
import contextlib
import math

import numpy as np
import pytest

import ember
import ember.nn.functional as EF
from ember.autograd import gradcheck

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402


def _pair(a, grad=True):
    return torch.tensor(a, requires_grad=grad), ember.tensor(a, requires_grad=grad)


def _close(a, b, tol=1e-10):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol)


def _masks(rng, L, S):
    bm = rng.random((L, S)) > 0.3
    bm[1] = False  # a fully masked row: zeros, as torch's safe softmax
    fm = rng.standard_normal((2, 1, L, S))
    fm[0, 0, 2] = -np.inf
    return {"none": None, "bool": bm, "float": fm}


@pytest.mark.parametrize("mask", ["none", "bool", "float"])
@pytest.mark.parametrize("is_causal", [False, True])
@pytest.mark.parametrize("scale", [None, 0.3])
def test_sdpa_matches_torch(mask, is_causal, scale):
    if mask != "none" and is_causal:
        pytest.skip("torch allows only one of attn_mask / is_causal")
    rng = np.random.default_rng(0)
    q, k, v = rng.standard_normal((2, 3, 5, 8)), rng.standard_normal((2, 3, 7, 8)), rng.standard_normal((2, 3, 7, 6))
    m = _masks(rng, 5, 7)[mask]
    (tq, eq), (tk, ek), (tv, ev) = _pair(q), _pair(k), _pair(v)
    tm = None if m is None else torch.tensor(m)
    em = None if m is None else ember.tensor(m)
    to = TF.scaled_dot_product_attention(tq, tk, tv, attn_mask=tm, is_causal=is_causal, scale=scale)
    eo = EF.scaled_dot_product_attention(eq, ek, ev, attn_mask=em, is_causal=is_causal, scale=scale)
    _close(to, eo)
    w = rng.standard_normal(to.shape)
    (to * torch.tensor(w)).sum().backward()
    (eo * ember.tensor(w)).sum().backward()
    for a, b in ((tq, eq), (tk, ek), (tv, ev)):
        _close(a.grad, b.grad)


@pytest.mark.parametrize("is_causal", [False, True])
def test_sdpa_gqa_and_float32(is_causal):
    rng = np.random.default_rng(1)
    q = rng.standard_normal((2, 6, 4, 8)).astype(np.float32)
    k, v = (rng.standard_normal((2, 2, 4, 8)).astype(np.float32) for _ in range(2))
    (tq, eq), (tk, ek), (tv, ev) = _pair(q), _pair(k), _pair(v)
    to = TF.scaled_dot_product_attention(tq, tk, tv, is_causal=is_causal, enable_gqa=True)
    eo = EF.scaled_dot_product_attention(eq, ek, ev, is_causal=is_causal, enable_gqa=True)
    assert eo.dtype == ember.float32
    _close(to, eo, 1e-5)
    to.sum().backward()
    eo.sum().backward()
    for a, b in ((tq, eq), (tk, ek), (tv, ev)):
        _close(a.grad, b.grad, 1e-5)


def test_sdpa_3d_and_broadcast_batch():
    rng = np.random.default_rng(2)
    q, k, v = rng.standard_normal((3, 4, 5)), rng.standard_normal((1, 6, 5)), rng.standard_normal((1, 6, 2))
    (tq, eq), (tk, ek), (tv, ev) = _pair(q), _pair(k), _pair(v)
    to, eo = TF.scaled_dot_product_attention(tq, tk, tv), EF.scaled_dot_product_attention(eq, ek, ev)
    _close(to, eo)
    to.sum().backward()
    eo.sum().backward()
    _close(tk.grad, ek.grad)
    _close(tv.grad, ev.grad)


def test_sdpa_gradcheck_float64():
    rng = np.random.default_rng(3)
    q, k, v = (ember.tensor(rng.standard_normal(s), requires_grad=True) for s in ((2, 3, 4), (2, 5, 4), (2, 5, 3)))
    mask = ember.tensor(rng.random((3, 5)) > 0.3)
    assert gradcheck(lambda q, k, v: EF.scaled_dot_product_attention(q, k, v, attn_mask=mask), (q, k, v))
    assert gradcheck(lambda q, k, v: EF.scaled_dot_product_attention(q, k, v, is_causal=True), (q, k, v))


def test_sdpa_dropout_is_unbiased_and_seeded():
    rng = np.random.default_rng(4)
    q, k, v = (ember.tensor(rng.standard_normal((1, 4, 8))) for _ in range(3))
    ref = EF.scaled_dot_product_attention(q, k, v).numpy()
    ember.manual_seed(7)
    a = EF.scaled_dot_product_attention(q, k, v, dropout_p=0.5).numpy()
    ember.manual_seed(7)
    b = EF.scaled_dot_product_attention(q, k, v, dropout_p=0.5).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, ref)
    mean = np.mean([EF.scaled_dot_product_attention(q, k, v, dropout_p=0.5).numpy() for _ in range(400)], 0)
    assert np.abs(mean - ref).max() < 0.25


@pytest.mark.parametrize("kw", [{}, {"is_causal": True}, {"mask": "bool"}, {"mask": "float", "scale": 0.3},
                                {"enable_gqa": True, "shapes": ((1, 4, 3, 2), (1, 2, 3, 2), (1, 2, 3, 3))},
                                {"shapes": ((3, 3, 4), (1, 3, 4), (1, 3, 2))}])
def test_sdpa_double_backward_matches_torch(kw):
    """create_graph=True records the gradients (the backward op AttentionBackward): their own gradients equal
    torch's (grouped-query attention and a broadcast batch too)."""
    rng = np.random.default_rng(5)
    kw = dict(kw)
    arrs = [rng.standard_normal(s) for s in kw.pop("shapes", ((2, 3, 4),) * 3)]
    mask = kw.pop("mask", None)
    m = None if mask is None else (rng.random((3, 3)) > 0.3) | np.eye(3, dtype=bool) if mask == "bool" else \
        rng.standard_normal((3, 3))
    res = []
    for lib, f in ((ember, EF.scaled_dot_product_attention), (torch, TF.scaled_dot_product_attention)):
        q, k, v = (lib.tensor(a, requires_grad=True) for a in arrs)
        y = f(q, k, v, attn_mask=None if m is None else lib.tensor(m), **kw)
        grads = lib.autograd.grad((y * y).sum(), (q, k, v), create_graph=True)
        res.append([t.detach().numpy() for t in lib.autograd.grad(sum((g ** 2).sum() for g in grads), (q, k, v))])
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)


def test_sdpa_create_graph_dropout_same_gradient():
    """Under create_graph the gradient is the recorded backward op with the forward's dropout mask: the same
    values as without create_graph."""
    ember.manual_seed(0)
    q, k, v = (ember.randn(2, 5, 4, dtype=ember.float64, requires_grad=True) for _ in range(3))
    y = EF.scaled_dot_product_attention(q, k, v, dropout_p=0.4)
    g = ember.randn(*y.shape, dtype=ember.float64)
    raw = ember.autograd.grad(y, (q, k, v), g, retain_graph=True)
    recorded = ember.autograd.grad(y, (q, k, v), g, create_graph=True)
    assert all(t.requires_grad for t in recorded)
    for a, b in zip(raw, recorded):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("kw", [{"is_causal": True}, {"dropout_p": 0.4}], ids=["causal", "dropout"])
def test_sdpa_third_derivative(kw):
    """The derivative of the recorded gradient is recorded too (AttentionBackward's backward is ember ops):
    finite differences of the second derivative (the dropout mask fixed by the seed)."""
    rng = np.random.default_rng(8)
    q, k, v = (ember.tensor(rng.standard_normal((1, 3, 2)), requires_grad=True) for _ in range(3))

    def grads(q, k, v):
        ember.manual_seed(3)
        y = EF.scaled_dot_product_attention(q, k, v, **kw)
        return ember.autograd.grad((y * y).sum(), (q, k, v), create_graph=True)

    assert ember.autograd.gradgradcheck(grads, (q, k, v))


# ------------------------------------------------------------------ MultiheadAttention
MHA_KW = [{}, {"add_bias_kv": True, "add_zero_attn": True}, {"kdim": 5, "vdim": 3}, {"batch_first": True},
          {"bias": False}]


@pytest.mark.parametrize("kw", MHA_KW, ids=lambda kw: "-".join(kw) or "default")
@pytest.mark.parametrize("self_attention", [True, False])
@pytest.mark.parametrize("need_weights,average", [(True, True), (True, False), (False, True)])
def test_mha_matches_torch(kw, self_attention, need_weights, average):
    if self_attention and "kdim" in kw:
        pytest.skip("self-attention needs kdim == vdim == embed_dim")
    rng = np.random.default_rng(5)
    tm = torch.nn.MultiheadAttention(8, 2, **kw).double()
    em = ember.nn.MultiheadAttention(8, 2, **kw).double()
    assert list(tm.state_dict()) == list(em.state_dict())
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    kd, vd = kw.get("kdim", 8), kw.get("vdim", 8)
    bf = kw.get("batch_first", False)
    L, S, N = 5, 4, 3

    def arr(T, d):
        return rng.standard_normal((N, T, d) if bf else (T, N, d))

    tx, ex = _pair(arr(L, 8))
    if self_attention:
        targs, eargs, S = (tx, tx, tx), (ex, ex, ex), L
    else:
        (tk, ek), (tv, ev) = _pair(arr(S, kd)), _pair(arr(S, vd))
        targs, eargs = (tx, tk, tv), (ex, ek, ev)
    kpm = np.zeros((N, S), bool)
    kpm[1, 2:] = True
    am = rng.random((L, S)) > 0.8
    am[:, 0] = False
    kwargs_t = dict(key_padding_mask=torch.tensor(kpm), attn_mask=torch.tensor(am), need_weights=need_weights,
                    average_attn_weights=average)
    kwargs_e = dict(key_padding_mask=ember.tensor(kpm), attn_mask=ember.tensor(am), need_weights=need_weights,
                    average_attn_weights=average)
    to, tw = tm(*targs, **kwargs_t)
    eo, ew = em(*eargs, **kwargs_e)
    _close(to, eo)
    loss_t, loss_e = to.sum(), eo.sum()
    if need_weights:
        _close(tw, ew)
        loss_t, loss_e = loss_t + (tw ** 2).sum(), loss_e + (ew ** 2).sum()
    else:
        assert ew is None
    loss_t.backward()
    loss_e.backward()
    _close(tx.grad, ex.grad)
    ep = dict(em.named_parameters())
    for n, p in tm.named_parameters():
        _close(p.grad, ep[n].grad)


def _math_sdpa(lib):
    """torch's fused CPU attention kernel has no double backward; its math backend (the same function) has."""
    if lib is torch:
        from torch.nn.attention import SDPBackend, sdpa_kernel
        return sdpa_kernel(SDPBackend.MATH)
    return contextlib.nullcontext()


def _gradient_penalty(lib, module, call, inputs, loss_fn):
    """d/d(inputs, module's parameters) of |d loss / d inputs|^2 (a gradient penalty), as arrays."""
    xs = [lib.tensor(a, requires_grad=True) for a in inputs]
    with _math_sdpa(lib):
        grads = lib.autograd.grad(loss_fn(lib, call(*xs)), xs, create_graph=True)
        penalty = sum((g * g).sum() for g in grads)
        return [t.detach().numpy() for t in lib.autograd.grad(penalty, xs + list(module.parameters()))]


def _twins(name, *args, **kw):
    tm = getattr(torch.nn, name)(*args, **kw).double()
    em = getattr(ember.nn, name)(*args, **kw).double()
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    return tm, em


@pytest.mark.parametrize("self_attention", [True, False])
def test_mha_double_backward_matches_torch(self_attention):
    """A gradient penalty through nn.MultiheadAttention in training mode (dropout 0), with the returned
    weights in the loss (their gradient reaches AttentionBackward as dL/dP), vs torch."""
    rng = np.random.default_rng(9)
    tm, em = _twins("MultiheadAttention", 4, 2, add_bias_kv=True)
    x = [rng.standard_normal((3, 2, 4)) for _ in range(1 if self_attention else 3)]
    c = rng.standard_normal((2, 3, 4))

    def run(lib, mod):
        def loss(lib, res):
            out, w = res
            return (out * out).sum() + ((w * lib.tensor(c)).sum()) ** 2
        return _gradient_penalty(lib, mod, (lambda q: mod(q, q, q)) if self_attention else mod, x, loss)

    for a, b in zip(run(ember, em), run(torch, tm)):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("kw", [{}, {"norm_first": True, "activation": "gelu", "batch_first": True}],
                         ids=["post_norm", "pre_norm_gelu"])
def test_transformer_encoder_layer_double_backward_matches_torch(kw):
    """A gradient penalty through nn.TransformerEncoderLayer (causal float mask, dropout 0, training), vs torch."""
    rng = np.random.default_rng(10)
    tm, em = _twins("TransformerEncoderLayer", 8, 2, dim_feedforward=16, dropout=0.0, **kw)
    x = rng.standard_normal((3, 2, 8))
    L = x.shape[1] if kw.get("batch_first") else x.shape[0]
    mask = np.triu(np.full((L, L), -np.inf), 1)

    def run(lib, mod):
        return _gradient_penalty(lib, mod, lambda t: mod(t, src_mask=lib.tensor(mask)), [x],
                                 lambda lib, y: y.tanh().sum())

    for a, b in zip(run(ember, em), run(torch, tm)):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-10)


def test_mha_structure_and_unbatched():
    em = ember.nn.MultiheadAttention(8, 2)
    assert isinstance(em.out_proj, ember.nn.Linear)
    assert type(em.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
    assert em.in_proj_bias.abs().sum().item() == 0 and em.out_proj.bias.abs().sum().item() == 0
    tm = torch.nn.MultiheadAttention(8, 2).double()
    em = em.double()
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    x = np.random.default_rng(6).standard_normal((5, 8))
    to, tw = tm(*(torch.tensor(x),) * 3)
    eo, ew = em(*(ember.tensor(x),) * 3)
    _close(to, eo)
    _close(tw, ew)
    with pytest.raises(RuntimeError, match="Need attn_mask"):
        em(*(ember.tensor(x),) * 3, is_causal=True)


def test_mha_eval_has_no_dropout_and_train_does():
    m = ember.nn.MultiheadAttention(8, 2, dropout=0.5)
    x = ember.randn(4, 2, 8)
    m.eval()
    a, b = m(x, x, x)[0].detach().numpy(), m(x, x, x)[0].detach().numpy()
    np.testing.assert_array_equal(a, b)
    m.train()
    assert not np.allclose(m(x, x, x)[0].detach().numpy(), a)


# ------------------------------------------------------------------ d2l code, unchanged, on both
def _d2l(torch):  # noqa: C901 - copied user code, parameterised by the framework module
    """d2l.ai's masked_softmax / AdditiveAttention / DotProductAttention (chapter 11.3), verbatim
    except that ``torch``/``nn`` are the given module's."""
    nn = torch.nn

    def sequence_mask(X, valid_len, value=0):
        maxlen = X.size(1)
        mask = torch.arange((maxlen), dtype=torch.float32, device=X.device)[None, :] < valid_len[:, None]
        X[~mask] = value
        return X

    def masked_softmax(X, valid_lens):
        if valid_lens is None:
            return nn.functional.softmax(X, dim=-1)
        else:
            shape = X.shape
            if valid_lens.dim() == 1:
                valid_lens = torch.repeat_interleave(valid_lens, shape[1])
            else:
                valid_lens = valid_lens.reshape(-1)
            X = sequence_mask(X.reshape(-1, shape[-1]), valid_lens, value=-1e6)
            return nn.functional.softmax(X.reshape(shape), dim=-1)

    class AdditiveAttention(nn.Module):
        def __init__(self, key_size, query_size, num_hiddens, dropout, **kwargs):
            super(AdditiveAttention, self).__init__(**kwargs)
            self.W_k = nn.Linear(key_size, num_hiddens, bias=False)
            self.W_q = nn.Linear(query_size, num_hiddens, bias=False)
            self.w_v = nn.Linear(num_hiddens, 1, bias=False)
            self.dropout = nn.Dropout(dropout)

        def forward(self, queries, keys, values, valid_lens):
            queries, keys = self.W_q(queries), self.W_k(keys)
            features = queries.unsqueeze(2) + keys.unsqueeze(1)
            features = torch.tanh(features)
            scores = self.w_v(features).squeeze(-1)
            self.attention_weights = masked_softmax(scores, valid_lens)
            return torch.bmm(self.dropout(self.attention_weights), values)

    class DotProductAttention(nn.Module):
        def __init__(self, dropout, **kwargs):
            super(DotProductAttention, self).__init__(**kwargs)
            self.dropout = nn.Dropout(dropout)

        def forward(self, queries, keys, values, valid_lens=None):
            d = queries.shape[-1]
            scores = torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(d)
            self.attention_weights = masked_softmax(scores, valid_lens)
            return torch.bmm(self.dropout(self.attention_weights), values)

    return masked_softmax, AdditiveAttention, DotProductAttention


def _run_d2l(mod, arrays, state):
    masked_softmax, Additive, Dot = _d2l(mod)
    t = {k: mod.tensor(v, requires_grad=v.dtype.kind == "f") for k, v in arrays.items()}
    ms = masked_softmax(t["X"] * 1, t["vl1"])  # d2l masks in place: pass a non-leaf
    ms2 = masked_softmax(t["X"] * 1, t["vl2"])
    add = Additive(key_size=2, query_size=20, num_hiddens=8, dropout=0.1).double()
    add.load_state_dict({k: mod.tensor(v) for k, v in state.items()})
    add.eval()
    out_add = add(t["q"], t["k"], t["v"], t["vl1"])
    dot = Dot(dropout=0.5)
    dot.eval()
    out_dot = dot(t["q2"], t["k"], t["v"], t["vl1"])
    loss = (ms * t["w1"]).sum() + (ms2 * t["w1"]).sum() + (out_add ** 2).sum() + (out_dot ** 2).sum()
    loss.backward()
    outs = [ms, ms2, out_add, out_dot, add.attention_weights, dot.attention_weights]
    grads = [t[k].grad for k in ("X", "q", "k", "v", "q2")] + [add.W_q.weight.grad, add.w_v.weight.grad]
    return [o.detach().numpy() for o in outs], [g.numpy() for g in grads]


def test_d2l_attention_runs_unchanged_on_ember():
    rng = np.random.default_rng(8)
    arrays = {
        "X": rng.random((2, 2, 4)), "vl1": np.array([2, 3]), "vl2": np.array([[1, 3], [2, 4]]),
        "w1": rng.standard_normal((2, 2, 4)),
        "q": rng.normal(0, 1, (2, 1, 20)), "k": np.ones((2, 10, 2)),
        "v": np.tile(np.arange(40, dtype=np.float64).reshape(1, 10, 4), (2, 1, 1)),
        "q2": rng.normal(0, 1, (2, 1, 2)),
    }
    state = {"W_k.weight": rng.standard_normal((8, 2)), "W_q.weight": rng.standard_normal((8, 20)),
             "w_v.weight": rng.standard_normal((1, 8))}
    t_out, t_grads = _run_d2l(torch, arrays, state)
    e_out, e_grads = _run_d2l(ember, arrays, state)
    for a, b in zip(t_out + t_grads, e_out + e_grads):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)
