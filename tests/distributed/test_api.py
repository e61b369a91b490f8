"""What needs no MPI job: the post-accumulate hook DDP relies on (vs torch), errors before
``init_process_group``, SyncBatchNorm's conversion and its one-process path (vs torch), the launcher."""
from __future__ import annotations

import sys

import numpy as np
import pytest
import torch

import ember
import ember.distributed as dist
from ember.distributed.run import command


def _graph(lib, w, v):
    return ((w * 2).sum() * 3 + (w * v).sum() + (v.exp() * w).sum()).tanh()


def test_post_accumulate_grad_hook_sees_each_final_grad_once_like_torch():
    rng = np.random.default_rng(0)
    wn, vn = rng.standard_normal(4), rng.standard_normal(4)
    seen = {}
    for lib in (ember, torch):
        w = lib.tensor(wn, requires_grad=True)
        v = lib.tensor(vn, requires_grad=True)
        calls = []
        for name, p in (("w", w), ("v", v)):
            p.register_post_accumulate_grad_hook(lambda t, name=name: calls.append((name, t.grad.detach().clone())))
        _graph(lib, w, v).backward()
        assert sorted(c[0] for c in calls) == ["v", "w"]
        for name, g in calls:
            np.testing.assert_allclose(g.numpy(), (w if name == "w" else v).grad.numpy(), rtol=1e-12)
        seen[lib.__name__] = {name: g.numpy() for name, g in calls}
    for name in ("w", "v"):
        np.testing.assert_allclose(seen["ember"][name], seen["torch"][name], rtol=1e-10)


def test_post_accumulate_grad_hook_errors_like_torch():
    x = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="non-leaf"):
        (x * 2).register_post_accumulate_grad_hook(lambda t: None)
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ember.ones(2).register_post_accumulate_grad_hook(lambda t: None)
    h = x.register_post_accumulate_grad_hook(lambda t: pytest.fail("removed hook ran"))
    h.remove()
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


def test_uninitialised_group_errors_like_torch():
    assert not dist.is_initialized() and not torch.distributed.is_initialized()
    for lib in (dist, torch.distributed):
        with pytest.raises(ValueError, match="Default process group has not been initialized"):
            lib.get_rank()
    with pytest.raises(ValueError, match="init_process_group"):
        ember.nn.parallel.DistributedDataParallel(ember.nn.Linear(2, 2))
    with pytest.raises(ValueError, match="ember runs on MPI"):
        dist.init_process_group("nccl")
    assert {dist.ReduceOp.SUM, dist.ReduceOp.AVG, dist.ReduceOp.MAX, dist.ReduceOp.MIN, dist.ReduceOp.PRODUCT}


def test_convert_sync_batchnorm_like_torch():
    def build(nn):
        return nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.Sequential(nn.BatchNorm1d(4)))

    ours = ember.nn.SyncBatchNorm.convert_sync_batchnorm(build(ember.nn))
    theirs = torch.nn.SyncBatchNorm.convert_sync_batchnorm(build(torch.nn))
    assert [type(m).__name__ for m in ours.modules()] == [type(m).__name__ for m in theirs.modules()]
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_sync_batchnorm_on_one_process_is_batchnorm():
    x = np.random.default_rng(1).standard_normal((4, 3, 5, 5))
    ours = ember.nn.SyncBatchNorm(3).double()
    theirs = torch.nn.BatchNorm2d(3).double()
    a, b = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yb = ours(a), theirs(b)
    (ya * ya).sum().backward()
    (yb * yb).sum().backward()
    np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(ours.running_var.numpy(), theirs.running_var.numpy(), atol=1e-12)
    with pytest.raises(ValueError, match="expected at least 2D input"):
        ours(ember.ones(3))


def test_launcher_command_line():
    assert command(["ember", "train", "--ddp"]) == [sys.executable, "-m", "ember", "train", "--ddp"]
    assert command(["x.py", "-a"]) == [sys.executable, "x.py", "-a"]
    assert command(["-m", "pkg"]) == [sys.executable, "-m", "pkg"]


def test_ddp_flag_is_for_the_classify_task(capsys):
    from ember.cli import main

    assert main(["train", "--task", "charlm", "--ddp"]) == 2
    assert capsys.readouterr().err.strip() == "ember train: error: --ddp is supported by --task classify, not 'charlm'"
