"""The process group: MPI's communicator behind torch's ``init_process_group`` / ``new_group`` API.

MPI is the engine (mpi4py, ``pip install 'ember[mpi]'``); ember adds no transport. ``mpirun -n N python
train.py`` starts the ranks; ``init_process_group("mpi")`` wraps ``MPI.COMM_WORLD``. A group made by
``new_group(ranks)`` is an MPI communicator split from the world; ranks outside it get
``GroupMember.NON_GROUP_MEMBER``, on which collectives do nothing and return None (as in torch).

Failure: after ``init_process_group`` an uncaught exception on any rank prints its traceback, then one
line naming the rank, and calls ``MPI_Abort``, so every rank exits within seconds instead of waiting
forever in its next collective.
"""
from __future__ import annotations

import os
import sys
from datetime import timedelta

__all__ = ["Backend", "GroupMember", "ProcessGroup", "is_available", "is_initialized", "is_mpi_available",
           "init_process_group", "destroy_process_group", "new_group", "get_rank", "get_world_size",
           "get_backend", "get_process_group_ranks", "get_global_rank", "get_group_rank"]


def is_available() -> bool:
    """True when mpi4py (the engine behind ember.distributed) can be imported."""
    try:
        import mpi4py  # noqa: F401 (only whether it imports)
    except ImportError:
        return False
    return True


is_mpi_available = is_available


def _mpi():
    try:
        from mpi4py import MPI
    except ImportError:
        raise RuntimeError("ember.distributed needs mpi4py and an MPI library: pip install 'ember[mpi]' "
                           "(mpi4py and the mpich wheel)") from None
    return MPI


class Backend(str):
    """Backend names as torch spells them; ember has one, ``"mpi"``."""

    MPI = "mpi"
    GLOO = "gloo"
    NCCL = "nccl"
    UNDEFINED = "undefined"

    def __new__(cls, name: str):
        return str.__new__(cls, name.lower())


class ProcessGroup:
    """A set of ranks and the MPI communicator that joins them (``ranks``: their global ranks, in group order)."""

    def __init__(self, comm, ranks: list) -> None:
        self.comm, self.ranks = comm, list(ranks)

    def rank(self) -> int:
        return self.comm.Get_rank()

    def size(self) -> int:
        return self.comm.Get_size()

    def group_rank(self, global_rank: int) -> int:
        try:
            return self.ranks.index(global_rank)
        except ValueError:
            raise ValueError(f"Global rank {global_rank} is not part of group with ranks {self.ranks}") from None

    def __repr__(self) -> str:
        return f"ProcessGroup(backend='mpi', ranks={self.ranks})"


class GroupMember:
    """``GroupMember.WORLD`` is the default group once initialised; ``NON_GROUP_MEMBER`` is what ``new_group``
    returns on ranks left out of it."""

    WORLD: ProcessGroup | None = None
    NON_GROUP_MEMBER = object()


_groups: list = []  # every group made, so destroy_process_group frees them


def is_initialized() -> bool:
    """Whether ``init_process_group`` has run (and ``destroy_process_group`` has not)."""
    return GroupMember.WORLD is not None


def _env_int(name: str) -> int | None:
    v = os.environ.get(name)
    if v is None or v == "":
        return None
    try:
        return int(v)
    except ValueError:
        raise ValueError(f"Error initializing ember.distributed: environment variable {name} is {v!r}, "
                         "expected an integer") from None


def init_process_group(backend: str | None = None, init_method: str | None = None,
                       timeout: timedelta | None = None, world_size: int = -1, rank: int = -1, store=None,
                       group_name: str = "", pg_options=None, device_id=None) -> None:
    """Join the default process group: ``MPI.COMM_WORLD`` of the ranks ``mpirun -n N`` started.

    ``world_size``/``rank`` (or torchrun's ``WORLD_SIZE``/``RANK`` variables) are checked against MPI's;
    ``LOCAL_RANK``, ``RANK`` and ``WORLD_SIZE`` are set from MPI when absent. ``timeout`` is accepted for
    torch's signature; MPI has none, and a failing rank aborts the job instead (see the module docstring).
    """
    if GroupMember.WORLD is not None:
        raise ValueError("trying to initialize the default process group twice!")
    name = Backend(backend or "mpi")
    if name != Backend.MPI:
        raise ValueError(f"ember.distributed: backend {backend!r} is not available; ember runs on MPI: "
                         "use init_process_group('mpi') and launch with mpirun -n N")
    MPI = _mpi()
    comm = MPI.COMM_WORLD
    me, n = comm.Get_rank(), comm.Get_size()
    for label, given in (("world_size", world_size if world_size != -1 else _env_int("WORLD_SIZE")),
                         ("rank", rank if rank != -1 else _env_int("RANK"))):
        mpi_value = n if label == "world_size" else me
        if given is not None and given != mpi_value:
            raise RuntimeError(f"ember.distributed: {label}={given} (argument or environment) but MPI started "
                               f"this process with {label}={mpi_value}; launch with `mpirun -n N` "
                               f"(or `python -m ember.distributed.run -n N ...`), which sets both")
    local = comm.Split_type(MPI.COMM_TYPE_SHARED, key=me)
    os.environ.setdefault("RANK", str(me))
    os.environ.setdefault("WORLD_SIZE", str(n))
    os.environ.setdefault("LOCAL_RANK", str(local.Get_rank()))
    local.Free()
    GroupMember.WORLD = ProcessGroup(comm, list(range(n)))
    _install_abort_hook(comm)


def _install_abort_hook(comm) -> None:
    """An uncaught exception on one rank aborts them all (MPI_Abort), so no rank hangs in a collective."""
    previous = sys.excepthook

    def hook(kind, value, tb) -> None:
        aborting = GroupMember.WORLD is not None and comm.Get_size() > 1
        if aborting:  # the one-line reason first: mpiexec may drop what a rank writes just before the abort
            sys.stderr.write(f"ember.distributed: rank {comm.Get_rank()} raised {kind.__name__}: {value}; "
                             f"aborting all {comm.Get_size()} ranks\n")
            sys.stderr.flush()
        previous(kind, value, tb)
        if aborting:
            sys.stderr.flush()
            comm.Abort(1)

    if getattr(sys.excepthook, "_ember_abort", False):
        return
    hook._ember_abort = True
    sys.excepthook = hook


def _default() -> ProcessGroup:
    if GroupMember.WORLD is None:
        raise ValueError("Default process group has not been initialized, please make sure to call "
                         "init_process_group.")
    return GroupMember.WORLD


def _resolve(group) -> ProcessGroup | None:
    """The ProcessGroup for ``group`` (None -> the world); None on a rank outside ``group``."""
    if group is None or group is GroupMember.WORLD:
        return _default()
    if group is GroupMember.NON_GROUP_MEMBER:
        return None
    if not isinstance(group, ProcessGroup):
        raise TypeError(f"expected a ProcessGroup from ember.distributed.new_group, got {type(group).__name__}")
    return group


def new_group(ranks=None, timeout: timedelta | None = None, backend: str | None = None, pg_options=None,
              use_local_synchronization: bool = False, group_desc: str | None = None):
    """A group of the given global ``ranks`` (all when None). Every rank of the world must call it."""
    world = _default()
    n = world.size()
    ranks = sorted(range(n) if ranks is None else (int(r) for r in ranks))
    for r in ranks:
        if not 0 <= r < n:
            raise ValueError(f"new_group: rank {r} is out of range for a world of size {n}")
    if len(set(ranks)) != len(ranks):
        raise ValueError(f"new_group: ranks {ranks} contain duplicates")
    MPI = _mpi()
    me = world.rank()
    color = 0 if me in ranks else MPI.UNDEFINED
    comm = world.comm.Split(color, ranks.index(me) if me in ranks else 0)
    if comm == MPI.COMM_NULL:
        return GroupMember.NON_GROUP_MEMBER
    pg = ProcessGroup(comm, ranks)
    _groups.append(pg)
    return pg


def destroy_process_group(group=None) -> None:
    """Free ``group``'s communicator, or every group and the default one when None (MPI itself is finalised
    by mpi4py at exit)."""
    if group is None:
        for pg in _groups:
            pg.comm.Free()
        _groups.clear()
        GroupMember.WORLD = None
        return
    if group is GroupMember.NON_GROUP_MEMBER:
        return
    if group in _groups:
        _groups.remove(group)
        group.comm.Free()


def get_rank(group=None) -> int:
    """This process's rank in ``group`` (-1 when it is not a member)."""
    pg = _resolve(group)
    return -1 if pg is None else pg.rank()


def get_world_size(group=None) -> int:
    """The number of ranks in ``group`` (-1 when this process is not a member)."""
    pg = _resolve(group)
    return -1 if pg is None else pg.size()


def get_backend(group=None) -> str:
    _resolve(group)
    return Backend.MPI


def get_process_group_ranks(group) -> list:
    pg = _resolve(group)
    return [] if pg is None else list(pg.ranks)


def get_global_rank(group, group_rank: int) -> int:
    return _resolve(group).ranks[group_rank]


def get_group_rank(group, global_rank: int) -> int:
    return _resolve(group).group_rank(global_rank)
