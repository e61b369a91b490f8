"""``ember train --ddp``: the classify loop on every rank of ``mpirun -n N`` (or ``python -m
ember.distributed.run -n N ember train --ddp ...``).

``--batch-size`` stays the global batch: rank r takes items r, r + N, ... of each shuffled batch, the
BatchNorm layers become ``SyncBatchNorm`` and ``DistributedDataParallel`` averages the gradients, so N
ranks train the same model as one process (up to float rounding). Rank 0 alone evaluates, prints,
writes ``metrics.*``, the PNG and the checkpoint (the inner model's ``state_dict``, without the
``module.`` prefix, so ``ember evaluate``/``--resume`` read it as any other run); the others wait at a
barrier. An error on any rank prints one line and aborts every rank (no rank is left waiting).
"""
from __future__ import annotations

import sys
from contextlib import contextmanager

import numpy as np

from . import UsageError


class Ranks:
    """This process's place in the job: ``rank``, ``world``, and the helpers the loop calls."""

    def __init__(self, enabled: bool) -> None:
        self.enabled, self.rank, self.world = enabled, 0, 1
        if not enabled:
            return
        import ember.distributed as dist

        if not dist.is_available():
            raise UsageError("ember train: error: --ddp needs mpi4py and MPI: pip install 'ember[mpi]', then "
                             "mpirun -n N ember train --ddp ...")
        if not dist.is_initialized():
            dist.init_process_group("mpi")
        self.dist, self.rank, self.world = dist, dist.get_rank(), dist.get_world_size()

    @property
    def main(self) -> bool:
        """Whether this rank writes files and prints (rank 0)."""
        return self.rank == 0

    def wrap(self, model):
        """The model to train: ``DistributedDataParallel(SyncBatchNorm-converted model)`` under --ddp."""
        if not self.enabled:
            return model
        from ..nn import SyncBatchNorm
        from ..nn.parallel import DistributedDataParallel

        return DistributedDataParallel(SyncBatchNorm.convert_sync_batchnorm(model))

    def shard(self, batches: list) -> list:
        """This rank's part of every global batch."""
        if not self.enabled:
            return batches
        return [b[self.rank::self.world] for b in batches]

    def totals(self, *values: float) -> list:
        """The sums over ranks of ``values`` (epoch loss, correct count, images seen)."""
        if not self.enabled:
            return list(values)
        import ember

        t = ember.from_numpy(np.array(values, np.float64))
        self.dist.all_reduce(t)
        return t.tolist()

    def barrier(self) -> None:
        if self.enabled:
            self.dist.barrier()

    @contextmanager
    def abort_on_error(self):
        """Under --ddp with more than one rank, an exception on this rank prints one line and aborts all."""
        try:
            yield
        except (Exception, KeyboardInterrupt) as e:
            if self.enabled and self.world > 1:
                text = str(e) if isinstance(e, UsageError) else f"ember: error: {type(e).__name__}: {e}"
                print(f"{text} (rank {self.rank} of {self.world}; aborting every rank)", file=sys.stderr, flush=True)
                from mpi4py import MPI

                MPI.COMM_WORLD.Abort(2 if isinstance(e, UsageError) else 1)
            raise


class Silent:
    """The progress bar of a rank other than 0: nothing."""

    def update(self, n: int, **stats) -> None:
        pass

    def close(self, **stats) -> None:
        pass


def inner(model):
    """The model inside a ``DistributedDataParallel`` (itself otherwise)."""
    return getattr(model, "module", model) if type(model).__name__ == "DistributedDataParallel" else model
