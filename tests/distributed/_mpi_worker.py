"""Run by ``mpiexec -n N python _mpi_worker.py SCENARIO`` from test_ddp_mpi.py: every rank checks its own
result against a single-process reference computed on the same global batch, and prints ``OK rank``.

Scenarios: ``collectives``; ``ddp-sgd``, ``ddp-adam``, ``ddp-sgd-nosync``, ``ddp-adam-nosync``,
``ddp-unused``, ``ddp-small-buckets``; ``syncbn`` (vs torch's BatchNorm on the concatenated batch);
``raise`` (rank 1 raises; every rank must exit).
"""
from __future__ import annotations

import sys
import time

import numpy as np

import ember
import ember.distributed as dist
import ember.nn as nn
import ember.nn.functional as F
from ember.nn.parallel import DistributedDataParallel as DDP


def close(a, b, tol: float = 1e-6, what: str = "") -> None:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    err = float(np.abs(a - b).max()) if a.size else 0.0
    if a.shape != b.shape or err > tol:
        raise AssertionError(f"rank {dist.get_rank()}: {what} differs by {err:g} (shapes {a.shape} {b.shape})")


def collectives() -> None:
    r, n = dist.get_rank(), dist.get_world_size()
    base = np.arange(6.0).reshape(2, 3)
    for op, ref in ((dist.ReduceOp.SUM, lambda a: a.sum(0)), (dist.ReduceOp.AVG, lambda a: a.mean(0)),
                    (dist.ReduceOp.MAX, lambda a: a.max(0)), (dist.ReduceOp.MIN, lambda a: a.min(0)),
                    (dist.ReduceOp.PRODUCT, lambda a: a.prod(0))):
        every = np.stack([base * (k + 1) - k for k in range(n)])
        t = ember.tensor(every[r])
        dist.all_reduce(t, op=op)
        close(t.numpy(), ref(every), 1e-9, f"all_reduce {op}")
    t = ember.tensor(base + r).t()  # non-contiguous, async
    work = dist.all_reduce(t, async_op=True)
    work.wait()
    close(t.numpy(), (base * n + sum(range(n))).T, 1e-9, "async all_reduce of a transposed tensor")
    t = ember.full((3,), float(r))
    dist.broadcast(t, src=n - 1)
    close(t.numpy(), np.full(3, n - 1.0), 0, "broadcast")
    out = [ember.zeros(2, dtype=ember.int64) for _ in range(n)]
    dist.all_gather(out, ember.tensor([r, 10 * r]))
    close(np.stack([o.numpy() for o in out]), [[k, 10 * k] for k in range(n)], 0, "all_gather")
    objs = [None] * n
    dist.all_gather_object(objs, {"rank": r})
    if objs != [{"rank": k} for k in range(n)]:
        raise AssertionError(f"all_gather_object gave {objs}")
    got = ember.zeros(2)
    dist.reduce_scatter(got, [ember.full((2,), float(k + r)) for k in range(n)])
    close(got.numpy(), np.full(2, sum(r + k for k in range(n))), 0, "reduce_scatter")
    if r == 0:
        dist.send(ember.tensor([7.0, 8.0]), dst=n - 1)
    if r == n - 1:
        buf = ember.zeros(2)
        src = dist.recv(buf, src=0)
        close(buf.numpy(), [7.0, 8.0], 0, "send/recv")
        assert src == 0
    t = ember.full((2,), float(r + 1))
    dist.reduce(t, dst=n - 1, op=dist.ReduceOp.AVG)
    close(t.numpy(), np.full(2, (n + 1) / 2 if r == n - 1 else r + 1.0), 1e-12, "reduce AVG to the last rank")
    flat = ember.zeros(2 * n)
    dist.all_gather_into_tensor(flat, ember.tensor([r, -r], dtype=ember.float32))
    close(flat.numpy(), np.array([[k, -k] for k in range(n)]).ravel(), 0, "all_gather_into_tensor")
    piece = ember.zeros(2)
    dist.reduce_scatter_tensor(piece, ember.arange(2.0 * n) * (r + 1), op=dist.ReduceOp.MAX)
    close(piece.numpy(), np.arange(2.0 * n)[2 * r:2 * r + 2] * n, 0, "reduce_scatter_tensor MAX")
    objs = [f"from {r}", r]
    dist.broadcast_object_list(objs, src=1)
    if objs != ["from 1", 1]:
        raise AssertionError(f"broadcast_object_list gave {objs}")
    right, left = (r + 1) % n, (r - 1) % n
    inbox = ember.zeros(1)
    works = [dist.isend(ember.tensor([float(r)]), dst=right), dist.irecv(inbox, src=left)]
    for w in works:
        w.wait()
    close(inbox.numpy(), [float(left)], 0, "isend/irecv around a ring")
    sub = dist.new_group([0, n - 1])
    if r in (0, n - 1):
        t = ember.tensor([1.0])
        dist.all_reduce(t, group=sub)
        close(t.numpy(), [2.0], 0, "all_reduce in a subgroup")
        assert dist.get_world_size(sub) == 2 and dist.get_rank(sub) == (0 if r == 0 else 1)
    else:
        assert sub is dist.GroupMember.NON_GROUP_MEMBER and dist.get_rank(sub) == -1
    dist.barrier()


def _net(bn: bool = False, unused: bool = False):
    ember.manual_seed(1 + dist.get_rank())  # different init per rank: DDP must broadcast rank 0's
    layers = [nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 3)]
    if bn:
        layers.insert(1, nn.BatchNorm1d(16))
    net = nn.Sequential(*layers)
    return _WithUnused(net) if unused else net


class _WithUnused(nn.Module):
    """A net with a layer that forward never calls (``find_unused_parameters``)."""

    def __init__(self, net) -> None:
        super().__init__()
        self.net, self.extra = net, nn.Linear(5, 5)

    def forward(self, x):
        return self.net(x)


def _data(steps: int, global_batch: int):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((steps, global_batch, 5)).astype(np.float32)
    y = rng.integers(0, 3, (steps, global_batch))
    return x, y


def _optimizer(name: str, params):
    return ember.optim.SGD(params, lr=0.1, momentum=0.9) if name == "sgd" else ember.optim.Adam(params, lr=0.01)


def ddp(opt_name: str, accumulate: int = 1, unused: bool = False, bucket_cap_mb: float | None = None) -> None:
    r, n = dist.get_rank(), dist.get_world_size()
    steps, per_rank = 4, 4
    x, y = _data(steps * accumulate, per_rank * n)
    model = DDP(_net(unused=unused), find_unused_parameters=unused, bucket_cap_mb=bucket_cap_mb)
    ref = _net(unused=unused)
    ref.load_state_dict({k[len("module."):]: v for k, v in model.state_dict().items()})
    opt, ref_opt = _optimizer(opt_name, model.parameters()), _optimizer(opt_name, ref.parameters())
    launched_with_ready = []  # how many gradients were ready when each bucket's all-reduce started
    launch = model._launch
    model._launch = lambda bucket: (launched_with_ready.append(len(model._ready)), launch(bucket))
    for step in range(steps):
        opt.zero_grad()
        ref_opt.zero_grad()
        for micro in range(accumulate):
            i = step * accumulate + micro
            mine = slice(r * per_rank, (r + 1) * per_rank)
            xb, yb = ember.from_numpy(x[i, mine]), ember.from_numpy(y[i, mine])
            if micro < accumulate - 1:
                with model.no_sync():
                    F.cross_entropy(model(xb), yb).backward()
            else:
                F.cross_entropy(model(xb), yb).backward()
            F.cross_entropy(ref(ember.from_numpy(x[i])), ember.from_numpy(y[i])).backward()
        opt.step()
        ref_opt.step()
    for (name, p), q in zip(model.module.named_parameters(), ref.parameters()):
        if unused and name.startswith("extra"):
            assert p.grad is None, "a parameter no rank used keeps grad None"
            continue
        close(p.detach().numpy(), q.detach().numpy(), 1e-6, f"{opt_name} weight {name}")
    assert list(model.state_dict())[0].startswith("module.")
    total = sum(p.requires_grad for p in model.parameters())
    if bucket_cap_mb is not None:  # several buckets: the first starts while backward still has gradients to make
        assert len(model._buckets) > 1 and min(launched_with_ready) < total, launched_with_ready


def syncbn() -> None:
    import torch

    r, n = dist.get_rank(), dist.get_world_size()
    rng = np.random.default_rng(3)
    full = rng.standard_normal((2 * n, 3, 4, 4)).astype(np.float64) * 2 + 1
    dy = rng.standard_normal(full.shape)
    mine = slice(2 * r, 2 * r + 2)
    net = nn.SyncBatchNorm.convert_sync_batchnorm(nn.Sequential(nn.BatchNorm2d(3, momentum=0.3))).double()
    with ember.no_grad():
        net[0].weight.copy_(ember.tensor([1.0, 2.0, -1.0]))
        net[0].bias.copy_(ember.tensor([0.5, 0.0, 1.0]))
    x = ember.tensor(full[mine], requires_grad=True)
    out = net(x)
    out.backward(ember.tensor(dy[mine]))
    tbn = torch.nn.BatchNorm2d(3, momentum=0.3).double()
    with torch.no_grad():
        tbn.weight.copy_(torch.tensor([1.0, 2.0, -1.0]))
        tbn.bias.copy_(torch.tensor([0.5, 0.0, 1.0]))
    tx = torch.tensor(full, requires_grad=True)
    tout = tbn(tx)
    tout.backward(torch.tensor(dy))
    close(out.detach().numpy(), tout.detach().numpy()[mine], 1e-9, "SyncBatchNorm forward")
    close(x.grad.numpy(), tx.grad.numpy()[mine], 1e-9, "SyncBatchNorm input gradient")
    gw, gb = net[0].weight.grad.clone(), net[0].bias.grad.clone()
    dist.all_reduce(gw)
    dist.all_reduce(gb)
    close(gw.numpy(), tbn.weight.grad.numpy(), 1e-9, "SyncBatchNorm weight gradient (summed over ranks)")
    close(gb.numpy(), tbn.bias.grad.numpy(), 1e-9, "SyncBatchNorm bias gradient (summed over ranks)")
    close(net[0].running_mean.numpy(), tbn.running_mean.numpy(), 1e-9, "running_mean")
    close(net[0].running_var.numpy(), tbn.running_var.numpy(), 1e-9, "running_var")


def fail() -> None:
    if dist.get_rank() == 1:
        raise RuntimeError("rank 1 fails on purpose")
    t = ember.ones(1)
    dist.all_reduce(t)  # the other ranks wait here; the abort must end them
    time.sleep(60)


SCENARIOS = {
    "collectives": collectives,
    "ddp-sgd": lambda: ddp("sgd"),
    "ddp-adam": lambda: ddp("adam"),
    "ddp-sgd-nosync": lambda: ddp("sgd", accumulate=2),
    "ddp-adam-nosync": lambda: ddp("adam", accumulate=3),
    "ddp-unused": lambda: ddp("sgd", unused=True),
    "ddp-small-buckets": lambda: ddp("adam", bucket_cap_mb=0.0002),  # 3 buckets of a 4-tensor net
    "syncbn": syncbn,
    "raise": fail,
}

if __name__ == "__main__":
    dist.init_process_group("mpi")
    for name in sys.argv[1:]:
        SCENARIOS[name]()
    print(f"OK {dist.get_rank()}", flush=True)
    dist.destroy_process_group()
