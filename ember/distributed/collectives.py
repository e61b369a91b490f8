"""Collectives on tensors, each one MPI call on the tensor's own memory (in place, as in torch).

``all_reduce(t, op)`` leaves op(t over ranks) in ``t`` on every rank (``ReduceOp.AVG`` is a sum divided by
the group size); ``broadcast(t, src)`` copies rank ``src``'s ``t`` into every rank's; ``all_gather``,
``reduce_scatter``, ``send``/``recv`` as torch. ``async_op=True`` starts MPI's non-blocking form and
returns a ``Work`` whose ``wait()`` finishes it. ``src``/``dst`` are global ranks, as in torch. A tensor
of a dtype MPI lacks (float16, bfloat16) travels as float32.
"""
from __future__ import annotations

import numpy as np

from ._group import _mpi, _resolve

__all__ = ["ReduceOp", "Work", "all_reduce", "broadcast", "all_gather", "all_gather_into_tensor",
           "all_gather_object", "broadcast_object_list", "reduce", "reduce_scatter", "reduce_scatter_tensor",
           "send", "recv", "isend", "irecv", "barrier", "monitored_barrier"]


class ReduceOp:
    """torch's reduction names: ``SUM``, ``AVG``, ``PRODUCT``, ``MIN``, ``MAX``, ``BAND``, ``BOR``, ``BXOR``."""

    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
    BAND = "band"
    BOR = "bor"
    BXOR = "bxor"


_MPI_OPS = {"sum": "SUM", "avg": "SUM", "product": "PROD", "min": "MIN", "max": "MAX", "band": "BAND",
            "bor": "BOR", "bxor": "BXOR"}


def _mpi_op(op):
    name = getattr(op, "name", op)
    key = str(name).lower()
    if key not in _MPI_OPS:
        raise ValueError(f"ember.distributed: unknown reduce op {op!r}; use ember.distributed.ReduceOp.SUM, AVG, "
                         "PRODUCT, MIN or MAX")
    return key, getattr(_mpi(), _MPI_OPS[key])


class Work:
    """The handle of an ``async_op=True`` collective: ``wait()`` blocks until it is done (and finishes it, e.g.
    the division of an AVG or the copy back into a non-contiguous tensor); ``is_completed()`` polls."""

    def __init__(self, request=None, finish=None) -> None:
        self._request, self._finish, self._done = request, finish, request is None
        if self._done and finish is not None:
            finish()

    def is_completed(self) -> bool:
        if not self._done and self._request.Test():
            self._complete()
        return self._done

    def _complete(self) -> None:
        self._done = True
        if self._finish is not None:
            self._finish()

    def wait(self, timeout=None) -> bool:
        if not self._done:
            self._request.Wait()
            self._complete()
        return True

    def result(self) -> list:
        return []


_WIRE = {"float16": np.float32, "bfloat16": np.float32, "bool": np.uint8}  # dtypes MPI lacks -> what they travel as


def _buffer(t):
    """(array MPI can use in place, function that writes it back into ``t``)."""
    d = t._data
    if not isinstance(d, np.ndarray):  # a CuPy array: through host memory (MPI here is not CUDA-aware)
        host = d.get()
        return host, lambda: (d.set(host), t._bump())
    wire = _WIRE.get(d.dtype.name)
    if wire is None and d.flags.c_contiguous:
        return d, t._bump
    buf = np.ascontiguousarray(d, dtype=wire or d.dtype)

    def back() -> None:
        d[...] = buf.astype(d.dtype, copy=False)
        t._bump()
    return buf, back


def _run(blocking, nonblocking, async_op: bool, finish):
    if async_op:
        return Work(nonblocking(), finish)
    blocking()
    finish()
    return None


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op: bool = False):
    """Reduce ``tensor`` over the group with ``op`` and leave the result in every rank's ``tensor``."""
    pg = _resolve(group)
    if pg is None:
        return None
    key, mop = _mpi_op(op)
    MPI = _mpi()
    buf, back = _buffer(tensor)

    def finish() -> None:
        if key == "avg":
            if buf.dtype.kind in "iub":
                np.floor_divide(buf, pg.size(), out=buf)
            else:
                np.divide(buf, pg.size(), out=buf)
        back()
    return _run(lambda: pg.comm.Allreduce(MPI.IN_PLACE, buf, op=mop),
                lambda: pg.comm.Iallreduce(MPI.IN_PLACE, buf, op=mop), async_op, finish)


def broadcast(tensor, src: int | None = None, group=None, async_op: bool = False, group_src: int | None = None):
    """Copy the ``tensor`` of rank ``src`` (a global rank) into every rank's ``tensor``."""
    pg = _resolve(group)
    if pg is None:
        return None
    root = group_src if group_src is not None else pg.group_rank(0 if src is None else src)
    buf, back = _buffer(tensor)
    return _run(lambda: pg.comm.Bcast(buf, root=root), lambda: pg.comm.Ibcast(buf, root=root), async_op, back)


def _check_list(name: str, tensors: list, n: int, like) -> None:
    if len(tensors) != n:
        raise ValueError(f"{name}: expected a list of {n} tensors (the group size), got {len(tensors)}")
    for t in tensors:
        if tuple(t.shape) != tuple(like.shape):
            raise ValueError(f"{name}: every tensor must have the shape {list(like.shape)}, got {list(t.shape)}")


def all_gather(tensor_list: list, tensor, group=None, async_op: bool = False):
    """``tensor_list[r]`` gets rank r's ``tensor`` on every rank."""
    pg = _resolve(group)
    if pg is None:
        return None
    _check_list("all_gather", tensor_list, pg.size(), tensor)
    send, _ = _buffer(tensor)
    send = np.ascontiguousarray(send)
    recv = np.empty((pg.size(),) + send.shape, send.dtype)

    def finish() -> None:
        for r, t in enumerate(tensor_list):
            if isinstance(t._data, np.ndarray):
                t._data[...] = recv[r].astype(t._data.dtype, copy=False)
            else:
                t._data.set(recv[r].astype(t._data.dtype, copy=False))
            t._bump()
    return _run(lambda: pg.comm.Allgather(send, recv), lambda: pg.comm.Iallgather(send, recv), async_op,
                finish)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op: bool = False):
    """``output_tensor`` (size ``world * input.numel()``) gets every rank's ``input_tensor``, in rank order."""
    pg = _resolve(group)
    if pg is None:
        return None
    if output_tensor.numel() != input_tensor.numel() * pg.size():
        raise ValueError(f"all_gather_into_tensor: output has {output_tensor.numel()} elements, expected "
                         f"{pg.size()} x {input_tensor.numel()}")
    send = np.ascontiguousarray(_buffer(input_tensor)[0])
    recv, back = _buffer(output_tensor)
    return _run(lambda: pg.comm.Allgather(send, recv), lambda: pg.comm.Iallgather(send, recv), async_op, back)


def all_gather_object(object_list: list, obj, group=None) -> None:
    """``object_list[r]`` gets rank r's picklable ``obj`` on every rank."""
    pg = _resolve(group)
    if pg is None:
        return None
    if len(object_list) != pg.size():
        raise ValueError(f"all_gather_object: object_list must have the group size {pg.size()}, "
                         f"got {len(object_list)}")
    object_list[:] = pg.comm.allgather(obj)
    return None


def broadcast_object_list(object_list: list, src: int | None = None, group=None, device=None,
                          group_src: int | None = None) -> None:
    """Rank ``src``'s picklable objects replace ``object_list``'s items on every rank."""
    pg = _resolve(group)
    if pg is None:
        return None
    root = group_src if group_src is not None else pg.group_rank(0 if src is None else src)
    object_list[:] = pg.comm.bcast(list(object_list), root=root)
    return None


def reduce(tensor, dst: int | None = None, op=ReduceOp.SUM, group=None, async_op: bool = False,
           group_dst: int | None = None):
    """Reduce ``tensor`` over the group into rank ``dst``'s ``tensor`` (the others keep theirs)."""
    pg = _resolve(group)
    if pg is None:
        return None
    root = group_dst if group_dst is not None else pg.group_rank(0 if dst is None else dst)
    key, mop = _mpi_op(op)
    MPI = _mpi()
    buf, back = _buffer(tensor)
    mine = pg.rank() == root
    scratch = None if mine else np.empty_like(buf)
    send = MPI.IN_PLACE if mine else buf

    def finish() -> None:
        if mine:
            if key == "avg":
                buf[...] = buf / pg.size()
            back()
    return _run(lambda: pg.comm.Reduce(send, buf if mine else scratch, op=mop, root=root),
                lambda: pg.comm.Ireduce(send, buf if mine else scratch, op=mop, root=root), async_op, finish)


def reduce_scatter(output, input_list: list, op=ReduceOp.SUM, group=None, async_op: bool = False):
    """``output`` on rank r gets op over ranks of ``input_list[r]``."""
    pg = _resolve(group)
    if pg is None:
        return None
    _check_list("reduce_scatter", input_list, pg.size(), output)
    send = np.stack([np.ascontiguousarray(_buffer(t)[0]) for t in input_list])
    return _reduce_scatter(pg, output, send, op, async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op: bool = False):
    """The flat form of ``reduce_scatter``: ``input`` holds the group's ``output``-sized pieces in rank order."""
    pg = _resolve(group)
    if pg is None:
        return None
    if input.numel() != output.numel() * pg.size():
        raise ValueError(f"reduce_scatter_tensor: input has {input.numel()} elements, expected "
                         f"{pg.size()} x {output.numel()}")
    return _reduce_scatter(pg, output, np.ascontiguousarray(_buffer(input)[0]), op, async_op)


def _reduce_scatter(pg, output, send, op, async_op: bool):
    key, mop = _mpi_op(op)
    buf, back = _buffer(output)

    def finish() -> None:
        if key == "avg":
            buf[...] = buf / pg.size()
        back()
    return _run(lambda: pg.comm.Reduce_scatter_block(send, buf, op=mop),
                lambda: pg.comm.Ireduce_scatter_block(send, buf, op=mop), async_op, finish)


def send(tensor, dst: int | None = None, group=None, tag: int = 0, group_dst: int | None = None) -> None:
    """Send ``tensor`` to rank ``dst`` (blocks until the matching ``recv`` may take it)."""
    isend(tensor, dst, group, tag, group_dst).wait()


def recv(tensor, src: int | None = None, group=None, tag: int = 0, group_src: int | None = None) -> int:
    """Receive into ``tensor`` from rank ``src`` (any rank when None); returns the sender's global rank."""
    pg = _resolve(group)
    if pg is None:
        return -1
    MPI = _mpi()
    buf, back = _buffer(tensor)
    status = MPI.Status()
    root = group_src if group_src is not None else (MPI.ANY_SOURCE if src is None else pg.group_rank(src))
    pg.comm.Recv(buf, source=root, tag=tag, status=status)
    back()
    return pg.ranks[status.Get_source()]


def isend(tensor, dst: int | None = None, group=None, tag: int = 0, group_dst: int | None = None) -> Work | None:
    pg = _resolve(group)
    if pg is None:
        return None
    if dst is None and group_dst is None:
        raise ValueError("send: give the destination rank (dst=...)")
    to = group_dst if group_dst is not None else pg.group_rank(dst)
    buf = np.ascontiguousarray(_buffer(tensor)[0])
    return Work(pg.comm.Isend(buf, dest=to, tag=tag))


def irecv(tensor, src: int | None = None, group=None, tag: int = 0, group_src: int | None = None) -> Work | None:
    pg = _resolve(group)
    if pg is None:
        return None
    MPI = _mpi()
    buf, back = _buffer(tensor)
    root = group_src if group_src is not None else (MPI.ANY_SOURCE if src is None else pg.group_rank(src))
    return Work(pg.comm.Irecv(buf, source=root, tag=tag), back)


def barrier(group=None, async_op: bool = False, device_ids=None):
    """Wait until every rank of the group has reached this call."""
    pg = _resolve(group)
    if pg is None:
        return None
    return _run(pg.comm.Barrier, pg.comm.Ibarrier, async_op, lambda: None)


def monitored_barrier(group=None, timeout=None, wait_all_ranks: bool = False) -> None:
    barrier(group)
