"""``ember.distributed``: torch.distributed's API on MPI (mpi4py), launched with ``mpirun -n N``.

``pip install 'ember[mpi]'`` brings mpi4py and an MPI library (the ``mpich`` wheel, with its ``mpiexec``);
``python -m ember.distributed.run -n N script.py ...`` is a launcher that runs that ``mpiexec``. MPI is the
engine: every collective here is one MPI call on the tensor's memory. Process groups, collectives and
``async_op`` handles follow torch; ``DistributedDataParallel`` is in ``ember.nn.parallel`` and
``SyncBatchNorm`` in ``ember.nn``.

>>> import ember.distributed as dist
>>> dist.is_initialized()
False
>>> dist.ReduceOp.SUM, dist.ReduceOp.AVG
('sum', 'avg')
"""
from __future__ import annotations

from ._group import (Backend, GroupMember, ProcessGroup, destroy_process_group, get_backend,
                     get_global_rank, get_group_rank, get_process_group_ranks, get_rank, get_world_size,
                     init_process_group, is_available, is_initialized, is_mpi_available, new_group)
from .collectives import (ReduceOp, Work, all_gather, all_gather_into_tensor, all_gather_object, all_reduce,
                          barrier, broadcast, broadcast_object_list, irecv, isend, monitored_barrier, recv, reduce,
                          reduce_scatter, reduce_scatter_tensor, send)

group = GroupMember  # torch spells ``dist.group.WORLD``

__all__ = ["Backend", "GroupMember", "ProcessGroup", "ReduceOp", "Work", "all_gather", "all_gather_into_tensor",
           "all_gather_object", "all_reduce", "barrier", "broadcast", "broadcast_object_list",
           "destroy_process_group", "get_backend", "get_global_rank", "get_group_rank", "get_process_group_ranks",
           "get_rank", "get_world_size", "group", "init_process_group", "irecv", "is_available", "is_initialized",
           "is_mpi_available", "isend", "monitored_barrier", "new_group", "recv", "reduce", "reduce_scatter",
           "reduce_scatter_tensor", "send"]
