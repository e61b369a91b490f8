"""A small ctypes binding of oneDNN's C API (v3.2, the ``onednn-cpu-gomp`` wheel): engine, stream, memory
descriptors, memory objects, primitive descriptors, primitives and reorders. No headers ship with the
wheel; the enum values below are those of oneDNN v3.2's ``dnnl_types.h`` / ``dnnl_common_types.h``.

Every C function used gets ``argtypes`` and ``restype`` (a 64-bit pointer passed without them is
truncated to 32 bits). Importing this module raises ImportError when the library cannot be loaded; the
kernel switch (``ember.backends.kernels``) then keeps ember's own convolution kernels.

``EMBER_ONEDNN_LIB`` names the library file explicitly; else ``<prefix>/lib/libdnnl.so.3`` is used, where
pip puts it.
"""
from __future__ import annotations

import ctypes as C
import os
import site
import sys
import threading

import numpy as np

# ---------------------------------------------------------------- enum values (oneDNN v3.2 headers)
SUCCESS = 0
F32 = 3                      # dnnl_f32
CPU = 1                      # dnnl_cpu
STREAM_IN_ORDER = 1          # dnnl_stream_in_order
TAG_ANY, TAG_A = 1, 2        # dnnl_format_tag_any, dnnl_a
FORWARD_TRAINING, FORWARD_INFERENCE = 64, 96
BACKWARD_DATA, BACKWARD_WEIGHTS = 160, 192
BACKWARD = 128
CONVOLUTION_DIRECT = 0x1
ELTWISE_RELU = 0x20
BINARY_ADD, BINARY_MUL = 0x1fff0, 0x1fff1
POOLING_MAX = 0x1ff
POOLING_AVG_INCLUDE_PADDING = 0x2ff
ELTWISE_LOGISTIC_USE_DST = 0x104   # dnnl_eltwise_logistic_use_dst_for_bwd
USE_GLOBAL_STATS, USE_SCALE, USE_SHIFT = 0x1, 0x2, 0x4  # dnnl_normalization_flags_t
SCRATCHPAD_USER = 1          # dnnl_scratchpad_mode_user
Q_SRC, Q_DIFF_SRC, Q_WEIGHTS, Q_DIFF_WEIGHTS, Q_DST, Q_DIFF_DST = 129, 130, 131, 132, 133, 134
Q_WORKSPACE, Q_SCRATCHPAD = 135, 136
Q_IMPL_INFO = 8              # dnnl_query_impl_info_str
ARG_SRC, ARG_DST, ARG_WEIGHTS, ARG_BIAS = 1, 17, 33, 41
ARG_MEAN, ARG_VARIANCE, ARG_SCALE, ARG_SHIFT = 49, 50, 51, 52
ARG_SRC_1 = 2
ARG_WORKSPACE = 64
ARG_SCRATCHPAD = 80
ARG_DIFF_SCALE, ARG_DIFF_SHIFT = 255, 256
ARG_DIFF_SRC, ARG_DIFF_DST, ARG_DIFF_WEIGHTS, ARG_DIFF_BIAS = 129, 145, 161, 169
ARG_FROM, ARG_TO = ARG_SRC, ARG_DST
MAX_NDIMS = 12


def ARG_POST_OP(index: int, arg: int = ARG_SRC_1) -> int:
    """DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | arg: the argument of post-op ``index`` (a binary's operand)."""
    return 32768 * (index + 1) | arg

Dims = C.c_int64 * MAX_NDIMS
_p = C.c_void_p
_pp = C.POINTER(C.c_void_p)
_dims = C.POINTER(C.c_int64)


class ExecArg(C.Structure):
    """dnnl_exec_arg_t: an argument index and a memory object."""
    _fields_ = [("arg", C.c_int), ("memory", C.c_void_p)]


def _candidates() -> list:
    env = os.environ.get("EMBER_ONEDNN_LIB")
    if env:
        return [env]
    prefixes = [sys.prefix, getattr(sys, "base_prefix", sys.prefix)]
    try:
        prefixes.append(site.getuserbase())
    except Exception:  # pragma: no cover - site without a user base
        pass
    return [os.path.join(p, "lib", "libdnnl.so.3") for p in prefixes]


def _load() -> C.CDLL:
    for path in _candidates():
        if os.path.exists(path):
            try:
                return C.CDLL(path)
            except OSError as e:  # e.g. the system libgomp is missing
                raise ImportError(f"oneDNN at {path} could not be loaded: {e}") from e
    raise ImportError("oneDNN (libdnnl.so.3) not found; install the optional extra: pip install 'ember[onednn]'")


_lib = _load()


class Threads:
    """A context in which oneDNN primitives are built and run with ``n`` OpenMP threads of the calling thread
    (``omp_set_num_threads``, restored on exit; libgomp's setting is per thread, so other threads are not
    affected). A primitive fixes its thread count when its descriptor is made, and one made for one thread
    runs without opening a parallel region. Where libgomp's symbols are not found it does nothing. An instance
    keeps the caller's setting while inside, so one instance must not be entered by two threads at once."""

    __slots__ = ("n", "before")

    def __init__(self, n: int):
        self.n = n

    def __enter__(self) -> None:
        if _omp is not None:
            self.before = _omp.omp_get_max_threads()
            _omp.omp_set_num_threads(self.n)

    def __exit__(self, *exc) -> None:
        if _omp is not None:
            _omp.omp_set_num_threads(self.before)


def _load_omp():
    try:
        omp = C.CDLL("libgomp.so.1")  # the one oneDNN links (already loaded with it)
        omp.omp_get_max_threads.restype, omp.omp_get_max_threads.argtypes = C.c_int, []
        omp.omp_set_num_threads.restype, omp.omp_set_num_threads.argtypes = None, [C.c_int]
        return omp
    except (OSError, AttributeError):
        return None


_omp = _load_omp()

# name: (restype, argtypes). Functions returning dnnl_status_t are checked by ``call``.
_SIGNATURES = {
    "dnnl_engine_create": (C.c_int, [_pp, C.c_int, C.c_size_t]),
    "dnnl_stream_create": (C.c_int, [_pp, _p, C.c_uint]),
    "dnnl_memory_desc_create_with_tag": (C.c_int, [_pp, C.c_int, _dims, C.c_int, C.c_int]),
    "dnnl_memory_desc_create_with_strides": (C.c_int, [_pp, C.c_int, _dims, C.c_int, _dims]),
    "dnnl_memory_desc_clone": (C.c_int, [_pp, _p]),
    "dnnl_memory_desc_destroy": (C.c_int, [_p]),
    "dnnl_memory_desc_get_size": (C.c_size_t, [_p]),
    "dnnl_memory_desc_equal": (C.c_int, [_p, _p]),
    "dnnl_memory_create": (C.c_int, [_pp, _p, _p, _p]),
    "dnnl_memory_destroy": (C.c_int, [_p]),
    "dnnl_memory_set_data_handle": (C.c_int, [_p, _p]),
    "dnnl_primitive_attr_create": (C.c_int, [_pp]),
    "dnnl_primitive_attr_destroy": (C.c_int, [_p]),
    "dnnl_primitive_attr_set_scratchpad_mode": (C.c_int, [_p, C.c_int]),
    "dnnl_primitive_attr_set_post_ops": (C.c_int, [_p, _p]),
    "dnnl_post_ops_create": (C.c_int, [_pp]),
    "dnnl_post_ops_destroy": (C.c_int, [_p]),
    "dnnl_post_ops_append_eltwise": (C.c_int, [_p, C.c_int, C.c_float, C.c_float]),
    "dnnl_post_ops_append_binary": (C.c_int, [_p, C.c_int, _p]),
    "dnnl_binary_primitive_desc_create": (C.c_int, [_pp, _p, C.c_int, _p, _p, _p, _p]),
    "dnnl_convolution_forward_primitive_desc_create": (
        C.c_int, [_pp, _p, C.c_int, C.c_int, _p, _p, _p, _p, _dims, _dims, _dims, _dims, _p]),
    "dnnl_convolution_backward_data_primitive_desc_create": (
        C.c_int, [_pp, _p, C.c_int, _p, _p, _p, _dims, _dims, _dims, _dims, _p, _p]),
    "dnnl_convolution_backward_weights_primitive_desc_create": (
        C.c_int, [_pp, _p, C.c_int, _p, _p, _p, _p, _dims, _dims, _dims, _dims, _p, _p]),
    "dnnl_reorder_primitive_desc_create": (C.c_int, [_pp, _p, _p, _p, _p, _p]),
    "dnnl_pooling_forward_primitive_desc_create": (
        C.c_int, [_pp, _p, C.c_int, C.c_int, _p, _p, _dims, _dims, _dims, _dims, _dims, _p]),
    "dnnl_pooling_backward_primitive_desc_create": (
        C.c_int, [_pp, _p, C.c_int, _p, _p, _dims, _dims, _dims, _dims, _dims, _p, _p]),
    "dnnl_batch_normalization_forward_primitive_desc_create": (
        C.c_int, [_pp, _p, C.c_int, _p, _p, C.c_float, C.c_uint, _p]),
    "dnnl_batch_normalization_backward_primitive_desc_create": (
        C.c_int, [_pp, _p, C.c_int, _p, _p, _p, C.c_float, C.c_uint, _p, _p]),
    "dnnl_eltwise_forward_primitive_desc_create": (C.c_int, [_pp, _p, C.c_int, C.c_int, _p, _p, C.c_float,
                                                             C.c_float, _p]),
    "dnnl_eltwise_backward_primitive_desc_create": (C.c_int, [_pp, _p, C.c_int, _p, _p, _p, C.c_float, C.c_float,
                                                              _p, _p]),
    "dnnl_primitive_desc_query_md": (C.c_void_p, [_p, C.c_int, C.c_int]),
    "dnnl_primitive_desc_query": (C.c_int, [_p, C.c_int, C.c_int, _p]),
    "dnnl_primitive_desc_destroy": (C.c_int, [_p]),
    "dnnl_primitive_create": (C.c_int, [_pp, _p]),
    "dnnl_primitive_destroy": (C.c_int, [_p]),
    "dnnl_primitive_execute": (C.c_int, [_p, _p, C.c_int, C.POINTER(ExecArg)]),
    "dnnl_stream_wait": (C.c_int, [_p]),
}
for _name, (_res, _args) in _SIGNATURES.items():
    _f = getattr(_lib, _name)
    _f.restype, _f.argtypes = _res, _args
fn = _lib  # the declared functions: ``onednn.fn.dnnl_memory_create(...)``


def call(name: str, *args) -> None:
    """Call a status-returning function; raise RuntimeError naming it on failure."""
    status = getattr(_lib, name)(*args)
    if status != SUCCESS:
        raise RuntimeError(f"oneDNN {name} failed with status {status}")


def new(name: str, *args) -> int:
    """Call a ``dnnl_*_create`` function and return the handle it made."""
    out = C.c_void_p()
    call(name, C.byref(out), *args)
    return out.value


def dims(values) -> Dims:
    d = Dims()
    for i, v in enumerate(values):
        d[i] = int(v)
    return d


ENGINE = new("dnnl_engine_create", CPU, 0)
STREAM = new("dnnl_stream_create", ENGINE, STREAM_IN_ORDER)


class Desc:
    """An owned memory descriptor (destroyed with the object)."""

    __slots__ = ("h", "size")

    def __init__(self, handle: int):
        self.h = handle
        self.size = fn.dnnl_memory_desc_get_size(handle)

    @classmethod
    def tagged(cls, shape, tag: int) -> "Desc":
        return cls(new("dnnl_memory_desc_create_with_tag", len(shape), dims(shape), F32, tag))

    @classmethod
    def strided(cls, shape, strides_elems) -> "Desc":
        return cls(new("dnnl_memory_desc_create_with_strides", len(shape), dims(shape), F32, dims(strides_elems)))

    @classmethod
    def of(cls, pd: int, what: int) -> "Desc":
        """A copy of the memory descriptor that primitive descriptor ``pd`` chose for ``what``."""
        return cls(new("dnnl_memory_desc_clone", fn.dnnl_primitive_desc_query_md(pd, what, 0)))

    def __eq__(self, other) -> bool:
        return bool(fn.dnnl_memory_desc_equal(self.h, other.h))

    __hash__ = None

    def __del__(self):
        if fn is not None and self.h:
            fn.dnnl_memory_desc_destroy(self.h)


class Memory:
    """A memory object of descriptor ``desc`` whose buffer is set per call (``bind``)."""

    __slots__ = ("h", "desc")

    def __init__(self, desc: Desc):
        self.desc = desc
        self.h = new("dnnl_memory_create", desc.h, ENGINE, None)

    def bind(self, array: np.ndarray) -> None:
        fn.dnnl_memory_set_data_handle(self.h, array.ctypes.data)

    def __del__(self):
        if fn is not None and self.h:
            fn.dnnl_memory_destroy(self.h)


def aligned(nbytes: int, align: int = 64) -> np.ndarray:
    """A uint8 buffer of ``nbytes`` whose address is a multiple of ``align`` (oneDNN's scratchpad)."""
    raw = np.empty(nbytes + align, dtype=np.uint8)
    off = (-raw.ctypes.data) % align
    return raw[off:off + nbytes]


_tls = threading.local()


def buffer(slot: str, nbytes: int) -> np.ndarray:
    """A per-thread, 64-byte-aligned temporary (a blocked copy or the scratchpad), grown as needed."""
    bufs = getattr(_tls, "bufs", None)
    if bufs is None:
        bufs = _tls.bufs = {}
    buf = bufs.get(slot)
    if buf is None or buf.nbytes < nbytes:
        buf = bufs[slot] = aligned(max(nbytes, 64))
    return buf


def strides(shape, order) -> tuple:
    """Element strides of ``shape`` stored with its dims in ``order`` (outermost first)."""
    st = [0] * len(shape)
    step = 1
    for d in reversed(tuple(order)):
        st[d] = step
        step *= shape[d]
    return tuple(st)


class Primitive:
    """A primitive made from a primitive descriptor, with its argument array built once; ``run`` binds
    the arrays and executes. The descriptor stays alive with it (its mds are queried from it)."""

    def __init__(self, pd: int, args: dict):
        self.pd = pd
        self.h = new("dnnl_primitive_create", pd)
        self.mems = list(args.values())
        self.args = (ExecArg * len(args))(*(ExecArg(k, m.h) for k, m in args.items()))

    def run(self, *arrays) -> None:
        """Bind ``arrays`` to the memories in the order given at construction and execute."""
        for m, a in zip(self.mems, arrays):
            fn.dnnl_memory_set_data_handle(m.h, a.ctypes.data)
        call("dnnl_primitive_execute", self.h, STREAM, len(self.mems), self.args)

    def impl(self) -> str:
        s = C.c_char_p()
        call("dnnl_primitive_desc_query", self.pd, Q_IMPL_INFO, 0, C.byref(s))
        return s.value.decode()

    def __del__(self):
        if fn is not None:
            fn.dnnl_primitive_destroy(self.h)
            fn.dnnl_primitive_desc_destroy(self.pd)


def reorder(src: Desc, dst: Desc) -> Primitive | None:
    """A reorder from layout ``src`` to layout ``dst``, or None when they are the same."""
    if src == dst:
        return None
    pd = new("dnnl_reorder_primitive_desc_create", src.h, ENGINE, dst.h, ENGINE, None)
    return Primitive(pd, {ARG_FROM: Memory(src), ARG_TO: Memory(dst)})


def attr(relu: bool = False, binary: tuple = ()) -> int:
    """Primitive attributes: user-managed scratchpad (one shared buffer), and post-ops applied to the result
    in this order: each ``(alg, desc)`` of ``binary`` (an elementwise operand, e.g. a per-channel vector
    broadcast as (1, C, 1): argument ``ARG_POST_OP(i)``), then a ReLU when ``relu``."""
    a = new("dnnl_primitive_attr_create")
    call("dnnl_primitive_attr_set_scratchpad_mode", a, SCRATCHPAD_USER)
    if relu or binary:
        ops = new("dnnl_post_ops_create")
        for alg, desc in binary:
            call("dnnl_post_ops_append_binary", ops, alg, desc.h)
        if relu:
            call("dnnl_post_ops_append_eltwise", ops, ELTWISE_RELU, 0.0, 0.0)
        call("dnnl_primitive_attr_set_post_ops", a, ops)
        fn.dnnl_post_ops_destroy(ops)
    return a
