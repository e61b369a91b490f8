"""``DistributedDataParallel``: one model replica per MPI rank, gradients averaged during backward.

At construction the parameters and buffers of rank 0 are broadcast, so every replica starts equal. Each
rank then runs forward and backward on its own shard of the batch. The gradients are averaged,

    grad_p <- (1 / world) * sum over ranks r of grad_p(r),

so after ``optimizer.step()`` every replica holds the weights that one process would reach on the whole
(global) batch. The averaging is bucketed: the parameters, in reverse registration order (roughly the
order backward produces their gradients), are packed into flat buffers of at most ``bucket_cap_mb``
(the first one 1 MiB, as torch). A post-accumulate-grad hook copies each gradient into its bucket as soon
as the autograd engine has finished it; a full bucket starts a non-blocking MPI all-reduce at once, so
communication overlaps the rest of backward. Buckets start in index order on every rank (MPI needs
collectives in the same order); the last hook waits for them all and writes the averages back to ``.grad``.

``no_sync()`` skips the averaging (the gradients accumulate locally; the next synced backward averages
the sum). ``find_unused_parameters=True`` walks the graph from the outputs after forward and marks the
parameters it does not reach as ready (their ``.grad`` stays untouched when no rank used them).
``broadcast_buffers=True`` copies rank 0's buffers (BatchNorm running statistics) before each forward.

>>> import ember
>>> from ember.nn.parallel import DistributedDataParallel
>>> DistributedDataParallel.__name__
'DistributedDataParallel'
"""
from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from ... import distributed as dist
from ..._grad_mode import is_grad_enabled, no_grad
from ...ops.creation import from_numpy
from ...tensor import Tensor
from ..modules.module import Module

__all__ = ["DistributedDataParallel"]

_FIRST_BUCKET_BYTES = 1024 * 1024  # torch's dist._DEFAULT_FIRST_BUCKET_BYTES


class _Bucket:
    """A flat buffer for some parameters' gradients and the state of its all-reduce."""

    def __init__(self, params: list, dtype) -> None:
        self.params = params
        self.offsets = np.cumsum([0] + [p._data.size for p in params]).tolist()
        self.buffer = np.zeros(self.offsets[-1], dtype)
        self.pending = len(params)
        self.work = None

    def slice(self, i: int) -> np.ndarray:
        return self.buffer[self.offsets[i]:self.offsets[i + 1]]


def _bucket_params(params: list, cap_bytes: int) -> list:
    """Group ``params`` (in reverse order) into lists of one dtype, each at most ``cap_bytes`` (the first 1 MiB)."""
    buckets, current, size, cap = [], [], 0, min(cap_bytes, _FIRST_BUCKET_BYTES)
    for p in reversed(params):
        nbytes = p._data.nbytes
        if current and (size + nbytes > cap or p._data.dtype != current[0]._data.dtype):
            buckets.append(current)
            current, size, cap = [], 0, cap_bytes
        current.append(p)
        size += nbytes
    if current:
        buckets.append(current)
    return buckets


def _tensors_in(obj) -> list:
    if isinstance(obj, Tensor):
        return [obj]
    if isinstance(obj, dict):
        obj = list(obj.values())
    if isinstance(obj, (list, tuple)):
        return [t for o in obj for t in _tensors_in(o)]
    return []


def _reachable_leaves(outputs: list) -> set:
    """ids of the leaf tensors the autograd graph of ``outputs`` reaches."""
    seen, leaves = set(), set()
    stack = [t.grad_fn for t in outputs if t.grad_fn is not None]
    leaves.update(id(t) for t in outputs if t.grad_fn is None and t.requires_grad)
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        for e in n.next:
            if e is None:
                continue
            if isinstance(e, Tensor):
                leaves.add(id(e))
            else:
                stack.append(e[0] if type(e) is tuple else e)
    return leaves


class DistributedDataParallel(Module):
    """Data parallelism over the ranks of ``process_group`` (torch's signature; ``device_ids``,
    ``output_device`` and ``dim`` are accepted for it and unused on ember's one device per process).

    Gradient: ``grad_p = mean over ranks of grad_p(rank)`` after every backward outside ``no_sync()``.
    ``state_dict`` keys carry the ``module.`` prefix, as torch's.
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0,
                 broadcast_buffers: bool = True, process_group=None, bucket_cap_mb: float | None = None,
                 find_unused_parameters: bool = False, check_reduction: bool = False,
                 gradient_as_bucket_view: bool = False, static_graph: bool = False, **kwargs) -> None:
        super().__init__()
        if not dist.is_initialized():
            raise ValueError("DistributedDataParallel: the default process group has not been initialized; "
                             "call ember.distributed.init_process_group('mpi') first (and launch with mpirun)")
        self.module = module
        self.process_group = process_group
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.bucket_cap_mb = 25.0 if bucket_cap_mb is None else float(bucket_cap_mb)
        self.require_backward_grad_sync = True
        self.world_size = dist.get_world_size(process_group)
        self._dist = dist
        self._sync_module_states()
        params = [p for p in module.parameters() if p.requires_grad]
        cap = max(1, int(self.bucket_cap_mb * 1024 * 1024))
        self._buckets = [_Bucket(ps, ps[0]._data.dtype) for ps in _bucket_params(params, cap)]
        self._where = {}
        for b, bucket in enumerate(self._buckets):
            for i, p in enumerate(bucket.params):
                self._where[id(p)] = (b, i)
        self._grad_hooks = [p.register_post_accumulate_grad_hook(self._grad_ready) for p in params]
        self._reset()

    # ------------------------------------------------------------------ state
    def _sync_module_states(self) -> None:
        """Every rank takes rank 0's parameters and buffers (one broadcast per tensor)."""
        with no_grad():
            for t in list(self.module.parameters()) + [b for b in self.module.buffers() if b is not None]:
                self._dist.broadcast(t, src=self._root(), group=self.process_group)

    def _root(self) -> int:
        return self._dist.get_global_rank(self.process_group, 0) if self.process_group is not None else 0

    def _reset(self) -> None:
        self._next_launch, self._ready, self._unused, self._used = 0, set(), [], set()
        self._expect_sync = False
        for bucket in self._buckets:
            bucket.pending, bucket.work = len(bucket.params), None
            bucket.buffer[...] = 0

    # ------------------------------------------------------------------ forward
    def forward(self, *inputs, **kwargs):
        if self._expect_sync and self._ready:
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting a new one. This error "
                "indicates that your module has parameters that were not used in producing loss. You can enable "
                "unused parameter detection by passing the keyword argument `find_unused_parameters=True` to "
                "`ember.nn.parallel.DistributedDataParallel`, and by making sure all `forward` function outputs "
                "participate in calculating loss.")
        self._reset()
        if self.broadcast_buffers and self.world_size > 1 and self.training:
            with no_grad():
                for b in self.module.buffers():
                    if b is not None:
                        self._dist.broadcast(b, src=self._root(), group=self.process_group)
        out = self.module(*inputs, **kwargs)
        if self.require_backward_grad_sync and is_grad_enabled():
            self._expect_sync = True
            if self.find_unused_parameters:
                used = _reachable_leaves(_tensors_in(out))
                self._unused = [p for bucket in self._buckets for p in bucket.params if id(p) not in used]
                self._used = {id(p) for bucket in self._buckets for p in bucket.params if id(p) in used}
        return out

    @contextmanager
    def no_sync(self):
        """Inside, backward accumulates local gradients without averaging them (gradient accumulation)."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    # ------------------------------------------------------------------ backward
    def _grad_ready(self, p) -> None:
        if not self._expect_sync:
            return
        if self._unused:
            unused, self._unused = self._unused, []
            for q in unused:
                self._mark(q, None)
        self._mark(p, p.grad)

    def _mark(self, p, grad) -> None:
        key = id(p)
        if key in self._ready:
            return
        self._ready.add(key)
        b, i = self._where[key]
        bucket = self._buckets[b]
        if grad is not None:
            bucket.slice(i)[...] = grad._data.reshape(-1)
        bucket.pending -= 1
        while self._next_launch < len(self._buckets) and self._buckets[self._next_launch].pending == 0:
            self._launch(self._buckets[self._next_launch])
            self._next_launch += 1
        if self._next_launch == len(self._buckets):
            self._finalize()

    def _launch(self, bucket: _Bucket) -> None:
        np.divide(bucket.buffer, self.world_size, out=bucket.buffer)
        bucket.work = self._dist.all_reduce(from_numpy(bucket.buffer), group=self.process_group, async_op=True)

    def _finalize(self) -> None:
        """Wait for every bucket and write the averaged gradients back into ``.grad``."""
        used = None
        if self.find_unused_parameters:
            flags = np.array([id(p) in self._used for bucket in self._buckets for p in bucket.params], np.uint8)
            self._dist.all_reduce(from_numpy(flags), op=self._dist.ReduceOp.MAX, group=self.process_group)
            used = iter(flags.tolist())
        for bucket in self._buckets:
            bucket.work.wait()
            for i, p in enumerate(bucket.params):
                if used is not None and not next(used):
                    continue
                avg = bucket.slice(i).reshape(p._data.shape)
                g = p.grad
                if g is not None and g._data.flags.writeable and g._data.shape == avg.shape:
                    g._data[...] = avg
                    g._bump()
                else:
                    p.grad = from_numpy(avg.copy())
        self._expect_sync = False
        self._ready = set()

    def extra_repr(self) -> str:
        return f"world_size={self.world_size}, bucket_cap_mb={self.bucket_cap_mb:g}, buckets={len(self._buckets)}"
