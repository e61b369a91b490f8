"""Losses beyond the op table (every reduction, gradients, gradcheck and gradgrad of each F.<name>_loss are rows of
tests/ops/op_db_nn_loss.py and op_db_nn_margin_loss.py): huge logits, CTC on longer sequences, torch's exact
messages and warnings."""
from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn.functional as F

torch = pytest.importorskip("torch", reason="torch is the test oracle")
TF = torch.nn.functional
R = np.random.default_rng(0)
X, Y = R.standard_normal((4, 5)), R.standard_normal((4, 5))
T = np.array([0, 3, 1, 4])
P = R.uniform(0.05, 0.95, (4, 5))
_PM = R.random((4, 5))  # drawn as before, so the arrays below keep their values
Q = R.dirichlet(np.ones(5), 4)


def test_cross_entropy_layouts_and_stability():
    x = R.standard_normal((2, 3, 4, 2)) * 1000  # huge logits: log-sum-exp keeps it finite
    t = R.integers(0, 3, (2, 4, 2))
    t[0, 0, 0] = -100
    for red in ("none", "mean", "sum"):
        e = F.cross_entropy(ember.tensor(x), ember.tensor(t), reduction=red).numpy()
        np.testing.assert_allclose(e, TF.cross_entropy(torch.tensor(x), torch.tensor(t), reduction=red).numpy(),
                                   rtol=1e-10)
    u = F.cross_entropy(ember.tensor(X[0]), ember.tensor(np.array(2)))
    np.testing.assert_allclose(u.item(), TF.cross_entropy(torch.tensor(X[0]), torch.tensor(2)).item())


def test_ctc_matches_torch():
    rng = np.random.default_rng(3)
    lp = rng.standard_normal((12, 3, 5))
    il, tl = np.array([12, 10, 2]), np.array([4, 2, 3])
    tg = np.array([[1, 2, 2, 3], [4, 1, 0, 0], [2, 3, 2, 0]])
    cat = np.concatenate([tg[0, :4], tg[1, :2], tg[2, :3]])
    for targets in (tg, cat):
        for red in ("none", "mean", "sum"):
            for zi in (False, True):
                e = ember.tensor(lp, requires_grad=True)
                t = torch.tensor(lp, requires_grad=True)
                ye = F.ctc_loss(e.log_softmax(2), ember.tensor(targets), il, tl, reduction=red, zero_infinity=zi)
                yt = TF.ctc_loss(t.log_softmax(2), torch.tensor(targets), torch.tensor(il), torch.tensor(tl),
                                 reduction=red, zero_infinity=zi)
                np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-10)
                if zi or red == "none":
                    (ye * (1 if red != "none" else ember.tensor([1.0, 1.0, 0.0]))).sum().backward()
                    (yt * (1 if red != "none" else torch.tensor([1.0, 1.0, 0.0]))).sum().backward()
                    np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), atol=1e-10)


def test_ctc_no_double_backward_as_torch():
    """create_graph=True gives a gradient with history whose own backward raises RuntimeError, as torch's."""
    lp = np.log(np.full((5, 2, 4), 0.25))
    tg, il, tl = np.array([[1, 2], [3, 1]]), np.array([5, 5]), np.array([2, 2])
    for lib, fn in ((torch, TF.ctc_loss), (ember, F.ctc_loss)):
        x = lib.tensor(lp, requires_grad=True)
        (g,) = lib.autograd.grad(fn(x, lib.tensor(tg), lib.tensor(il), lib.tensor(tl)), x, create_graph=True)
        assert g.requires_grad
        with pytest.raises(RuntimeError):
            g.sum().backward()


def _err(fn_e, fn_t):
    with pytest.raises(Exception) as te:
        fn_t()
    with pytest.raises(type(te.value), match=None) as ee:
        fn_e()
    assert str(ee.value) == str(te.value).replace("torch.", "ember."), (str(ee.value), str(te.value))


@pytest.mark.parametrize("case", [
    ("cross_entropy", lambda L: ((L.tensor(X), L.tensor(np.array([0, 1, 2]))), {})),
    ("cross_entropy", lambda L: ((L.tensor(X), L.tensor(np.array([0, 1, 5, 2]))), {})),
    ("cross_entropy", lambda L: ((L.tensor(X), L.tensor(np.array([0.0, 1, 2, 3]))), {})),
    ("cross_entropy", lambda L: ((L.tensor(X), L.tensor(T)), {"weight": L.ones(4)})),
    ("cross_entropy", lambda L: ((L.tensor(X), L.tensor(T)), {"label_smoothing": 1.5})),
    ("cross_entropy", lambda L: ((L.tensor(R.standard_normal((2, 3, 4))), L.tensor(np.zeros((2, 3), np.int64))), {})),
    ("nll_loss", lambda L: ((L.tensor(X), L.tensor(np.array([0, 1, -5, 2]))), {})),
    ("mse_loss", lambda L: ((L.tensor(X), L.tensor(Y)), {"reduction": "foo"})),
    ("binary_cross_entropy", lambda L: ((L.tensor(X), L.tensor(Q)), {})),
    ("binary_cross_entropy", lambda L: ((L.tensor(P), L.tensor(Q[:2])), {})),
    ("binary_cross_entropy_with_logits", lambda L: ((L.tensor(P), L.tensor(Q[:2])), {})),
    ("multi_margin_loss", lambda L: ((L.tensor(X), L.tensor(T)), {"p": 3})),
    ("gaussian_nll_loss", lambda L: ((L.tensor(X), L.tensor(Y), L.tensor(-P)), {})),
    ("gaussian_nll_loss", lambda L: ((L.tensor(X), L.tensor(Y), L.tensor(P[:, :2])), {})),
], ids=lambda c: c[0])
def test_errors_match_torch(case):
    name, make = case
    (ea, ek), (ta, tk) = make(ember), make(torch)
    _err(lambda: getattr(F, name)(*ea, **ek), lambda: getattr(TF, name)(*ta, **tk))


def test_warnings():
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        ember.nn.MSELoss(size_average=False)
    with pytest.warns(UserWarning, match="that is different to the input size"):
        F.mse_loss(ember.randn(3, 1), ember.randn(3))
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(ember.randn(3), ember.rand(3))


def test_bce_clamps_log():
    x = ember.tensor([0.0, 1.0], requires_grad=True)
    y = ember.tensor([1.0, 0.0])
    loss = F.binary_cross_entropy(x, y, reduction="none")
    np.testing.assert_allclose(loss.detach().numpy(), [100.0, 100.0])
    loss.sum().backward()
    assert np.isfinite(x.grad.numpy()).all()
