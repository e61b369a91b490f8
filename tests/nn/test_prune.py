"""ember.nn.utils.prune against torch.nn.utils.prune on the same weights: masks, names, forward and
gradients, iterative and global pruning, removal, and pruned checkpoints moving both ways."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.utils.prune as tprune

import ember
import ember.nn as nn
from ember.nn.utils import prune


def _twin(em, tm):
    tm.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in em.state_dict().items()})
    return tm


def _linear():
    ember.manual_seed(0)
    return nn.Linear(6, 5), torch.nn.Linear(6, 5)


def _conv():
    ember.manual_seed(1)
    return nn.Conv2d(3, 6, 3), torch.nn.Conv2d(3, 6, 3)


@pytest.mark.parametrize("amount", [0.3, 7, 0.0])
def test_l1_unstructured_matches_torch(amount):
    em, tm = _linear()
    _twin(em, tm)
    prune.l1_unstructured(em, "weight", amount)
    tprune.l1_unstructured(tm, "weight", amount)
    assert [k for k, _ in em.named_parameters()] == [k for k, _ in tm.named_parameters()]
    assert [k for k, _ in em.named_buffers()] == [k for k, _ in tm.named_buffers()]
    np.testing.assert_array_equal(em.weight_mask.numpy(), tm.weight_mask.numpy())
    x = np.random.default_rng(0).normal(size=(4, 6)).astype(np.float32)
    xe, xt = ember.tensor(x), torch.tensor(x)
    em(xe).pow(2).sum().backward()
    tm(xt).pow(2).sum().backward()
    np.testing.assert_allclose(em.weight.detach().numpy(), tm.weight.detach().numpy())
    np.testing.assert_allclose(em.weight_orig.grad.numpy(), tm.weight_orig.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_forward_sees_updates_of_orig():
    em, _ = _linear()
    prune.l1_unstructured(em, "weight", 0.5)
    with ember.no_grad():
        em.weight_orig.fill_(2.0)
    em(ember.ones(1, 6))  # the pre-hook recomputes weight = orig * mask
    np.testing.assert_allclose(em.weight.detach().numpy(), 2.0 * em.weight_mask.numpy())


@pytest.mark.parametrize("n,dim", [(2, 0), (1, 1), (float("inf"), -1)])
def test_ln_structured_matches_torch(n, dim):
    em, tm = _conv()
    _twin(em, tm)
    prune.ln_structured(em, "weight", 0.5, n, dim)
    tprune.ln_structured(tm, "weight", 0.5, n, dim)
    np.testing.assert_array_equal(em.weight_mask.numpy(), tm.weight_mask.numpy())


def test_iterative_pruning_acts_on_what_survived_like_torch():
    em, tm = _conv()
    _twin(em, tm)
    for mod, P in ((em, prune), (tm, tprune)):
        P.ln_structured(mod, "weight", 2, 2, 0)
        P.l1_unstructured(mod, "weight", 0.5)
        P.l1_unstructured(mod, "weight", 10)
    np.testing.assert_array_equal(em.weight_mask.numpy(), tm.weight_mask.numpy())
    hooks = [h for h in em._forward_pre_hooks.values() if isinstance(h, prune.BasePruningMethod)]
    assert len(hooks) == 1 and isinstance(hooks[0], prune.PruningContainer) and len(hooks[0]) == 3


def test_global_unstructured_matches_torch():
    ember.manual_seed(2)
    em = nn.Sequential(nn.Linear(8, 6), nn.ReLU(), nn.Linear(6, 4))
    tm = _twin(em, torch.nn.Sequential(torch.nn.Linear(8, 6), torch.nn.ReLU(), torch.nn.Linear(6, 4)))
    prune.global_unstructured([(em[0], "weight"), (em[2], "weight"), (em[2], "bias")], prune.L1Unstructured,
                              amount=0.4)
    tprune.global_unstructured([(tm[0], "weight"), (tm[2], "weight"), (tm[2], "bias")], tprune.L1Unstructured,
                               amount=0.4)
    for i, name in ((0, "weight"), (2, "weight"), (2, "bias")):
        np.testing.assert_array_equal(getattr(em[i], name + "_mask").numpy(), getattr(tm[i], name + "_mask").numpy())
    with pytest.raises(TypeError, match="unstructured"):
        prune.global_unstructured([(em[0], "weight")], prune.LnStructured, amount=1, n=2, dim=0)


def test_random_methods_prune_the_right_amount():
    em, _ = _conv()
    prune.random_unstructured(em, "weight", 0.25)
    assert int((em.weight_mask == 0).sum()) == round(0.25 * em.weight_mask.numel())
    em, _ = _conv()
    prune.random_structured(em, "weight", 2, dim=0)
    per_channel = em.weight_mask.sum(dim=(1, 2, 3)).numpy()
    assert sorted(per_channel.tolist()) == [0, 0] + [27] * 4


def test_importance_scores_custom_mask_identity():
    em, tm = _linear()
    _twin(em, tm)
    scores = np.random.default_rng(3).random((5, 6)).astype(np.float32)
    prune.l1_unstructured(em, "weight", 10, importance_scores=ember.tensor(scores))
    tprune.l1_unstructured(tm, "weight", 10, importance_scores=torch.tensor(scores))
    np.testing.assert_array_equal(em.weight_mask.numpy(), tm.weight_mask.numpy())
    mask = ember.tensor([1.0, 0.0, 1.0, 1.0, 0.0])
    prune.custom_from_mask(em, "bias", mask)
    np.testing.assert_array_equal(em.bias.detach().numpy() == 0, mask.numpy() == 0)
    lin = prune.identity(nn.Linear(2, 2), "weight")
    assert float(lin.weight_mask.sum()) == 4 and prune.is_pruned(lin)


def test_remove_makes_it_permanent():
    em, tm = _linear()
    _twin(em, tm)
    for mod, P in ((em, prune), (tm, tprune)):
        P.l1_unstructured(mod, "weight", 0.5)
        P.remove(mod, "weight")
    assert [k for k, _ in em.named_parameters()] == [k for k, _ in tm.named_parameters()]
    assert not prune.is_pruned(em) and not tprune.is_pruned(tm)
    assert isinstance(em.weight, nn.Parameter) and not list(em.named_buffers())
    np.testing.assert_array_equal(em.weight.detach().numpy(), tm.weight.detach().numpy())
    with pytest.raises(ValueError, match="has to be pruned before pruning can be removed"):
        prune.remove(em, "weight")


def test_errors_match_torch():
    for bad, exc in ((-1, ValueError), (1.5, ValueError), ("a", TypeError)):
        with pytest.raises(exc):
            tprune.L1Unstructured(bad)
        with pytest.raises(exc):
            prune.L1Unstructured(bad)
    with pytest.raises(ValueError, match="should be smaller than the number of parameters to prune=30"):
        prune.l1_unstructured(nn.Linear(6, 5), "weight", 31)
    with pytest.raises(ValueError, match="Structured pruning can only be applied to multidimensional tensors"):
        prune.ln_structured(nn.Linear(6, 5), "bias", 1, 2, 0)


def test_pruned_checkpoints_move_both_ways(tmp_path):
    em, tm = _conv()
    prune.ln_structured(em, "weight", 0.5, 2, 0)
    prune.l1_unstructured(em, "bias", 2)
    ember.save(em.state_dict(), tmp_path / "e.pt")
    tprune.identity(tm, "weight")
    tprune.identity(tm, "bias")
    tm.load_state_dict(torch.load(tmp_path / "e.pt", weights_only=True))
    x = np.random.default_rng(0).normal(size=(2, 3, 5, 5)).astype(np.float32)
    np.testing.assert_allclose(tm(torch.tensor(x)).detach().numpy(), em(ember.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    _, t2 = _conv()
    tprune.l1_unstructured(t2, "weight", 0.3)
    torch.save(t2.state_dict(), tmp_path / "t.pt")
    e2 = prune.identity(nn.Conv2d(3, 6, 3), "weight")
    e2.load_state_dict(ember.load(tmp_path / "t.pt"))
    np.testing.assert_array_equal(e2.weight_mask.numpy(), t2.weight_mask.numpy())
    np.testing.assert_allclose(e2(ember.tensor(x)).detach().numpy(), t2(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
