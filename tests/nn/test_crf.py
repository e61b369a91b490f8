"""nn.CRF: NLL against brute-force enumeration of all tag paths, float64 gradcheck, Viterbi against
brute-force argmax, masks and reductions."""
import itertools

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck


def _brute(crf, e, m):
    """(log Z, best path) per sequence by enumerating every path; e (T, N, K), m (T, N) bool."""
    st = crf.start_transitions.detach().numpy()
    en = crf.end_transitions.detach().numpy()
    tr = crf.transitions.detach().numpy()
    out = []
    for n in range(e.shape[1]):
        L = int(m[:, n].sum())
        scores = {}
        for path in itertools.product(range(crf.num_tags), repeat=L):
            s = st[path[0]] + en[path[-1]] + sum(e[t, n, y] for t, y in enumerate(path))
            s += sum(tr[a, b] for a, b in zip(path[:-1], path[1:]))
            scores[path] = s
        vals = np.array(list(scores.values()))
        logz = vals.max() + np.log(np.exp(vals - vals.max()).sum())
        out.append((logz, scores, list(max(scores, key=scores.get))))
    return out


def _inputs(T=4, N=3, K=3, seed=0):
    rng = np.random.default_rng(seed)
    e = rng.standard_normal((T, N, K))
    tags = rng.integers(0, K, (T, N))
    m = np.ones((T, N), bool)
    m[3:, 1] = False
    m[2:, 2] = False
    return e, tags, m


def test_nll_matches_brute_force_and_decode():
    crf = ember.nn.CRF(3).double()
    e, tags, m = _inputs()
    nll = crf(ember.tensor(e), ember.tensor(tags), ember.tensor(m), reduction="none").detach().numpy()
    ref = _brute(crf, e, m)
    for n, (logz, scores, best) in enumerate(ref):
        L = int(m[:, n].sum())
        assert nll[n] == pytest.approx(logz - scores[tuple(tags[:L, n])], abs=1e-10)
    assert crf.decode(ember.tensor(e), ember.tensor(m)) == [r[2] for r in ref]


def test_reductions_and_batch_first():
    crf = ember.nn.CRF(3).double()
    e, tags, m = _inputs()
    args = (ember.tensor(e), ember.tensor(tags), ember.tensor(m))
    none = crf(*args, reduction="none").detach().numpy()
    assert crf(*args).item() == pytest.approx(none.sum())
    assert crf(*args, reduction="mean").item() == pytest.approx(none.mean())
    assert crf(*args, reduction="token_mean").item() == pytest.approx(none.sum() / m.sum())
    crf_bf = ember.nn.CRF(3, batch_first=True).double()
    crf_bf.load_state_dict(crf.state_dict())
    bf = crf_bf(*(ember.tensor(a.swapaxes(0, 1).copy()) for a in (e, tags, m)), reduction="none")
    np.testing.assert_allclose(bf.detach().numpy(), none)
    assert crf_bf.decode(ember.tensor(e.swapaxes(0, 1).copy()), ember.tensor(m.T.copy())) == \
        crf.decode(ember.tensor(e), ember.tensor(m))


def test_no_mask_is_all_on():
    crf = ember.nn.CRF(2).double()
    e, tags, _ = _inputs(K=2)
    a = crf(ember.tensor(e), ember.tensor(tags))
    b = crf(ember.tensor(e), ember.tensor(tags), ember.tensor(np.ones(tags.shape, bool)))
    assert a.item() == pytest.approx(b.item())


def test_gradcheck_float64():
    crf = ember.nn.CRF(3).double()
    e, tags, m = _inputs(T=3, N=3)
    em = ember.tensor(e, requires_grad=True)
    tg, mk = ember.tensor(tags), ember.tensor(m)
    # the parameters are perturbed in place by gradcheck, so the module sees the perturbation
    params = (crf.start_transitions, crf.end_transitions, crf.transitions)
    assert gradcheck(lambda x, a, b, c: crf(x, tg, mk, reduction="none"), (em, *params))


def test_errors():
    crf = ember.nn.CRF(3)
    e = ember.randn(3, 2, 3)
    with pytest.raises(ValueError, match="first timestep"):
        crf(e, ember.zeros(3, 2, dtype=ember.int64), ember.tensor(np.zeros((3, 2), bool)))
    with pytest.raises(ValueError, match="last dimension"):
        crf(ember.randn(3, 2, 4), ember.zeros(3, 2, dtype=ember.int64))
    with pytest.raises(ValueError, match="reduction"):
        crf(e, ember.zeros(3, 2, dtype=ember.int64), reduction="avg")


def test_training_reduces_nll():
    ember.manual_seed(0)
    crf = ember.nn.CRF(4)
    e = ember.randn(6, 5, 4, requires_grad=True)
    tags = ember.randint(0, 4, (6, 5))
    first = crf(e, tags).item()
    for _ in range(20):
        loss = crf(e, tags)
        crf.zero_grad()
        e.grad = None
        loss.backward()
        with ember.no_grad():
            for p in list(crf.parameters()) + [e]:
                p -= 0.1 * p.grad
    assert crf(e, tags).item() < first
