"""RNN / LSTM / GRU (+cells) and nn.utils.rnn against torch with copied weights: outputs and
gradients across layers x directions x batch_first x packed x initial states, float32 and float64;
float64 gradcheck; dropout between layers in train mode only; state_dict both ways; torch's errors."""
import itertools
import warnings

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck
from ember.nn.utils import rnn as ernn

torch = pytest.importorskip("torch")
from torch.nn.utils import rnn as trnn  # noqa: E402

KINDS = {
    "rnn_tanh": ("RNN", {}),
    "rnn_relu": ("RNN", {"nonlinearity": "relu"}),
    "lstm": ("LSTM", {}),
    "lstm_proj": ("LSTM", {"proj_size": 3}),
    "gru": ("GRU", {}),
}
I, H = 4, 5


def _pair(kind, dtype=torch.float64, **kw):
    name, extra = KINDS[kind]
    tm = getattr(torch.nn, name)(I, H, **extra, **kw).to(dtype)
    em = getattr(ember.nn, name)(I, H, **extra, **kw)
    em = em.double() if dtype == torch.float64 else em
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    return tm, em


def _np(t):
    return t.detach().numpy()


def _close(a, b, tol):
    np.testing.assert_allclose(_np(a), _np(b), rtol=tol, atol=tol)


def _states(kind, tm, B, rng, dtype):
    """Random initial states (torch, ember) of the right shapes."""
    dirs = 2 if tm.bidirectional else 1
    hsize = tm.proj_size if tm.proj_size else H
    h = rng.standard_normal((tm.num_layers * dirs, B, hsize)).astype(dtype)
    if kind.startswith("lstm"):
        c = rng.standard_normal((tm.num_layers * dirs, B, H)).astype(dtype)
        th, tc = torch.tensor(h, requires_grad=True), torch.tensor(c, requires_grad=True)
        eh, ec = ember.tensor(h, requires_grad=True), ember.tensor(c, requires_grad=True)
        return (th, tc), (eh, ec), [(th, eh), (tc, ec)]
    th, eh = torch.tensor(h, requires_grad=True), ember.tensor(h, requires_grad=True)
    return th, eh, [(th, eh)]


def _hidden_loss(h, w):
    if isinstance(h, tuple):
        return (h[0] * w[0]).sum() + (h[1] * w[1]).sum()
    return (h * w[0]).sum()


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("layers,bidir,batch_first,packed,with_state", [
    (1, False, False, False, False), (2, True, False, False, True), (2, False, True, False, True),
    (1, True, True, False, False), (2, True, False, True, True), (1, False, True, True, False),
    (2, True, True, True, False),
])
def test_layer_matches_torch_float64(kind, layers, bidir, batch_first, packed, with_state):
    _check_layer(kind, layers, bidir, batch_first, packed, with_state, torch.float64, 1e-10)


@pytest.fixture(params=["numpy", "numba"])
def cell_kernels(request):
    """Run with the NumPy reference cell kernels and with the fused numba ones (where numba exists), switched
    where every kernel is switched (``ember.backends.kernels.use``)."""
    from ember.backends import kernels
    if request.param == "numba":
        pytest.importorskip("numba")
    before = kernels.current()
    kernels.use(request.param)
    yield request.param
    kernels.use(before)


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn_tanh", "lstm_proj"])
@pytest.mark.parametrize("packed", [False, True])
def test_layer_matches_torch_float32(kind, packed, cell_kernels):
    _check_layer(kind, 2, True, False, packed, True, torch.float32, 2e-5)


@pytest.mark.parametrize("packed", [False, True])
def test_lstm_float64_both_kernel_sets(packed, cell_kernels):
    _check_layer("lstm", 2, True, False, packed, True, torch.float64, 1e-10)


def _check_layer(kind, layers, bidir, batch_first, packed, with_state, dtype, tol):
    rng = np.random.default_rng(0)
    tm, em = _pair(kind, dtype, num_layers=layers, bidirectional=bidir, batch_first=batch_first)
    T, B = 5, 4
    npdt = np.float64 if dtype == torch.float64 else np.float32
    x = rng.standard_normal((B, T, I) if batch_first else (T, B, I)).astype(npdt)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    lengths = [3, 5, 1, 4]
    tin, ein = tx, ex
    if packed:
        tin = trnn.pack_padded_sequence(tx, lengths, batch_first=batch_first, enforce_sorted=False)
        ein = ernn.pack_padded_sequence(ex, lengths, batch_first=batch_first, enforce_sorted=False)
    leaves = [(tx, ex)]
    if with_state:
        ts, es, more = _states(kind, tm, B, rng, npdt)
        leaves += more
        to, th = tm(tin, ts)
        eo, eh = em(ein, es)
    else:
        to, th = tm(tin)
        eo, eh = em(ein)
    if packed:
        assert isinstance(eo, ernn.PackedSequence)
        np.testing.assert_array_equal(eo.batch_sizes.numpy(), to.batch_sizes.numpy())
        to = trnn.pad_packed_sequence(to, batch_first=batch_first)[0]
        eo = ernn.pad_packed_sequence(eo, batch_first=batch_first)[0]
    _close(to, eo, tol)
    for a, b in zip(th if isinstance(th, tuple) else (th,), eh if isinstance(eh, tuple) else (eh,)):
        _close(a, b, tol)
    w = rng.standard_normal(to.shape).astype(npdt)
    hw = [rng.standard_normal(h.shape).astype(npdt) for h in (th if isinstance(th, tuple) else (th,))]
    ((to * torch.tensor(w)).sum() + _hidden_loss(th, [torch.tensor(a) for a in hw])).backward()
    ((eo * ember.tensor(w)).sum() + _hidden_loss(eh, [ember.tensor(a) for a in hw])).backward()
    for a, b in leaves:
        _close(a.grad, b.grad, tol * 10)
    eparams = dict(em.named_parameters())
    for n, p in tm.named_parameters():
        _close(p.grad, eparams[n].grad, tol * 10)


@pytest.mark.parametrize("kind", list(KINDS))
def test_gradcheck_float64(kind):
    name, extra = KINDS[kind]
    m = getattr(ember.nn, name)(3, 4, bidirectional=True, **extra).double()
    x = ember.randn(3, 2, 3, dtype=ember.float64, requires_grad=True)
    params = tuple(m.parameters())

    def f(x, *ps):
        out, h = m(x)
        return out, (h[0] if isinstance(h, tuple) else h)

    assert gradcheck(f, (x, *params))


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_unbatched_input(kind):
    tm, em = _pair(kind)
    x = np.random.default_rng(1).standard_normal((6, I))
    to, th = tm(torch.tensor(x))
    eo, eh = em(ember.tensor(x))
    _close(to, eo, 1e-10)
    assert tuple(eo.shape) == (6, H)
    _close(th[0] if isinstance(th, tuple) else th, eh[0] if isinstance(eh, tuple) else eh, 1e-10)


@pytest.mark.parametrize("name,chunks", [("RNNCell", 1), ("LSTMCell", 4), ("GRUCell", 3)])
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_torch(name, chunks, batched):
    tc = getattr(torch.nn, name)(I, H).double()
    ec = getattr(ember.nn, name)(I, H).double()
    assert tuple(ec.weight_ih.shape) == (chunks * H, I)
    ec.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tc.state_dict().items()})
    rng = np.random.default_rng(2)
    shape = (3, I) if batched else (I,)
    x = rng.standard_normal(shape)
    h = rng.standard_normal(shape[:-1] + (H,))
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    th, eh = torch.tensor(h, requires_grad=True), ember.tensor(h, requires_grad=True)
    if name == "LSTMCell":
        to, eo = tc(tx, (th, th * 2)), ec(ex, (eh, eh * 2))
        tl, el = to[0].sum() + (to[1] ** 2).sum(), eo[0].sum() + (eo[1] ** 2).sum()
        _close(to[1], eo[1], 1e-10)
        to, eo = to[0], eo[0]
    else:
        to, eo = tc(tx, th), ec(ex, eh)
        tl, el = (to ** 2).sum(), (eo ** 2).sum()
    _close(to, eo, 1e-10)
    tl.backward()
    el.backward()
    _close(tx.grad, ex.grad, 1e-10)
    _close(th.grad, eh.grad, 1e-10)
    _close(tc.weight_hh.grad, ec.weight_hh.grad, 1e-10)
    assert tuple(ec(ex)[0].shape if name == "LSTMCell" else ec(ex).shape) == shape[:-1] + (H,)


def test_parameter_names_shapes_and_init():
    t = torch.nn.LSTM(I, H, num_layers=2, bidirectional=True, proj_size=2)
    e = ember.nn.LSTM(I, H, num_layers=2, bidirectional=True, proj_size=2)
    assert [(n, tuple(p.shape)) for n, p in t.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in e.named_parameters()]
    assert e._flat_weights_names == t._flat_weights_names
    assert [[tuple(w.shape) for w in ws] for ws in e.all_weights] == \
        [[tuple(w.shape) for w in ws] for ws in t.all_weights]
    assert e._flat_weights[0] is e.weight_ih_l0
    bound = 1 / np.sqrt(H)
    for p in e.parameters():
        assert np.abs(p.detach().numpy()).max() <= bound
    assert repr(e) == repr(t)
    g = ember.nn.GRU(I, H, bias=False)
    assert [n for n, _ in g.named_parameters()] == ["weight_ih_l0", "weight_hh_l0"]


def test_state_dict_round_trip_to_torch():
    e = ember.nn.GRU(I, H, num_layers=2)
    t = torch.nn.GRU(I, H, num_layers=2)
    t.load_state_dict({k: torch.tensor(v.numpy()) for k, v in e.state_dict().items()})
    x = np.random.default_rng(3).standard_normal((4, 2, I)).astype(np.float32)
    _close(t(torch.tensor(x))[0], e(ember.tensor(x))[0], 1e-5)


def test_dropout_between_layers_only_in_train_mode():
    m = ember.nn.LSTM(I, H, num_layers=2, dropout=0.5)
    ref = ember.nn.LSTM(I, H, num_layers=2)
    ref.load_state_dict(m.state_dict())
    x = ember.randn(5, 3, I)
    m.eval()
    np.testing.assert_allclose(m(x)[0].detach().numpy(), ref(x)[0].detach().numpy())
    m.train()
    a, b = m(x)[0].detach().numpy(), m(x)[0].detach().numpy()
    assert not np.allclose(a, b)
    one = ember.nn.LSTM(I, H, num_layers=2, dropout=1.0)
    one.load_state_dict(m.state_dict())
    out = one(x)[0].detach().numpy()  # layer 2 sees zeros: equals a run on zero input
    zero_in = ember.nn.LSTM(H, H)
    zero_in.load_state_dict({k.replace("l1", "l0"): v for k, v in m.state_dict().items() if "l1" in k})
    np.testing.assert_allclose(out, zero_in(ember.zeros(5, 3, H))[0].detach().numpy(), atol=1e-6)
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        ember.nn.GRU(I, H, dropout=0.2)


def _err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e), str(e)
    return None


@pytest.mark.parametrize("case", range(8))
def test_errors_match_torch(case):
    def run(mod):
        nn = mod.nn
        cases = [
            lambda: nn.LSTM(10, 20)(mod.randn(5, 3, 12)),
            lambda: nn.RNN(10, 20)(mod.randn(5, 3, 10), mod.randn(1, 4, 20)),
            lambda: nn.LSTM(10, 20)(mod.randn(5, 3, 10), (mod.randn(1, 4, 20), mod.randn(1, 3, 20))),
            lambda: nn.LSTM(10, 20)(mod.randn(5, 3, 10), (mod.randn(1, 3, 20), mod.randn(1, 4, 20))),
            lambda: nn.GRU(10, 20)(mod.randn(2, 5, 3, 10)),
            lambda: nn.LSTMCell(10, 20)(mod.randn(3, 12)),
            lambda: nn.GRUCell(10, 20)(mod.randn(3, 10), mod.randn(4, 20)),
            lambda: nn.GRU(10, 20, proj_size=2),
        ]
        return _err(cases[case])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert run(ember) == run(torch)


def test_double_backward_raises_clear_error():
    m = ember.nn.LSTM(3, 4).double()
    x = ember.randn(2, 1, 3, dtype=ember.float64, requires_grad=True)
    (g,) = ember.autograd.grad(m(x)[0].sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="no double backward"):
        g.sum().backward()


# ------------------------------------------------------------------ nn.utils.rnn
def test_pack_pad_round_trip_and_errors():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 3, 2))
    for bf, sort in itertools.product([False, True], [True, False]):
        lengths = [5, 3, 2] if sort else [2, 5, 3]
        xx = x.transpose(1, 0, 2).copy() if bf else x
        tp = trnn.pack_padded_sequence(torch.tensor(xx), lengths, batch_first=bf, enforce_sorted=sort)
        ep = ernn.pack_padded_sequence(ember.tensor(xx), lengths, batch_first=bf, enforce_sorted=sort)
        _close(tp.data, ep.data, 0)
        for a, b in zip(tp[1:], ep[1:]):
            assert (a is None and b is None) or (a.numpy() == b.numpy()).all()
        tpad, tl = trnn.pad_packed_sequence(tp, batch_first=bf, padding_value=-2.0, total_length=7)
        epad, el = ernn.pad_packed_sequence(ep, batch_first=bf, padding_value=-2.0, total_length=7)
        _close(tpad, epad, 0)
        assert (tl.numpy() == el.numpy()).all()
        assert [s.numpy().tolist() for s in ernn.unpack_sequence(ep)] == \
            [s.numpy().tolist() for s in trnn.unpack_sequence(tp)]
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        ernn.pack_padded_sequence(ember.tensor(x), [2, 5, 3])
    with pytest.raises(ValueError, match="Expected total_length to be at least"):
        ernn.pad_packed_sequence(ernn.pack_padded_sequence(ember.tensor(x), [5, 3, 2]), total_length=2)


@pytest.mark.parametrize("batch_first,side", [(False, "right"), (True, "left"), (True, "right")])
def test_pad_sequence_and_pack_sequence(batch_first, side):
    rng = np.random.default_rng(5)
    seqs = [rng.standard_normal((n, 2)) for n in (3, 5, 1)]
    tp = trnn.pad_sequence([torch.tensor(s) for s in seqs], batch_first=batch_first, padding_value=1.5,
                           padding_side=side)
    ep = ernn.pad_sequence([ember.tensor(s) for s in seqs], batch_first=batch_first, padding_value=1.5,
                           padding_side=side)
    _close(tp, ep, 0)
    tps = trnn.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False)
    eps = ernn.pack_sequence([ember.tensor(s) for s in seqs], enforce_sorted=False)
    _close(tps.data, eps.data, 0)
    un = ernn.unpad_sequence(ep, ember.tensor([3, 5, 1]), batch_first=batch_first) if side == "right" else []
    for a, b in zip(un, seqs):
        np.testing.assert_array_equal(a.numpy(), b)


def test_packing_passes_gradients():
    x = ember.randn(4, 2, 3, requires_grad=True)
    p = ernn.pack_padded_sequence(x, [4, 2])
    ernn.pad_packed_sequence(p)[0].sum().backward()
    g = x.grad.numpy()
    assert g[:, 0].all() and g[:2, 1].all() and not g[2:, 1].any()
