"""What every op module shares: the method registry, operand promotion and small array helpers."""
from __future__ import annotations

import math

import numpy as np

from .. import dtypes as _dt
from ..backends import kernels
from ..autograd.function import Op, records  # noqa: F401 - Op re-exported for op modules
from ..tensor import Tensor, _root, wrap

METHODS: dict = {}


def method(fn=None, *, names: tuple = ()):
    """Register ``fn`` as a Tensor method too (``x.fn(...)`` is ``ember.fn(x, ...)``): one definition."""

    def register(f):
        for n in (f.__name__,) + tuple(names):
            METHODS[n] = f
        return f

    return register(fn) if fn is not None else register


def resize_storage(self: Tensor, shape: tuple) -> None:
    """``resize_``'s storage rule: shrinking keeps the leading elements in the same storage (so growing again
    shows them); growing copies them into a bigger one, as torch's realloc."""
    n = 1
    for s in shape:
        n *= s
    d = self._data
    root = _root(d)
    offset = (d.__array_interface__["data"][0] - root.__array_interface__["data"][0]) // d.itemsize
    if root.flags.c_contiguous and root.dtype == d.dtype and offset + n <= root.size:
        self._data = root.reshape(-1)[offset:offset + n].reshape(shape)
    else:  # a bigger storage holding the old one's elements from the offset on, as torch's realloc
        flat = root.reshape(-1)[offset:] if root.flags.c_contiguous and root.dtype == d.dtype else \
            np.ascontiguousarray(d).reshape(-1)
        new = np.empty(n, dtype=d.dtype)
        k = min(n, flat.size)
        new[:k] = flat[:k]
        self._data = new.reshape(shape)


def _write(self: Tensor, data, cast_check: bool) -> None:
    dst = self._data
    if cast_check and data.dtype != dst.dtype and not _dt.can_cast(_dt.from_numpy_dtype(data.dtype),
                                                                  _dt.from_numpy_dtype(dst.dtype)):
        raise RuntimeError(f"result type {_dt.scalar_type_name(_dt.from_numpy_dtype(data.dtype))} can't be "
                           f"cast to the desired output type {_dt.scalar_type_name(_dt.from_numpy_dtype(dst.dtype))}")
    if data.shape != dst.shape:
        raise RuntimeError(f"output with shape {list(dst.shape)} doesn't match the broadcast shape "
                           f"{list(data.shape)}")
    if not dst.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to "
                           "a single memory location. Please clone() the tensor before performing the "
                           "operation.")
    if dst.size and data is not dst:
        np.copyto(dst, data, casting="unsafe")


def copy_into_out(out: Tensor, result: Tensor) -> Tensor:
    """Write an op's result into the ``out=`` tensor, resizing it when its shape differs."""
    if records(out, result):
        raise RuntimeError("out=... arguments don't support automatic differentiation, but one of the "
                           "arguments requires grad.")
    if out._data.shape != result._data.shape:
        resize_storage(out, tuple(result._data.shape))
        out._bump()
    _write(out, result._data, True)
    out._bump()
    return out


def write_out(result, out):
    """The one ``out=`` helper: write ``result`` into ``out`` (resized as torch does) and return ``out``.

    ``out`` is a Tensor, or a tuple of Tensors for ops that return several (``max(x, 0, out=(v, i))``);
    ``None`` returns ``result`` unchanged. Every op's ``out=`` goes through here (``calling.bind`` adds it).
    """
    if out is None:
        return result
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result) or \
                not all(isinstance(o, Tensor) for o in out):
            raise TypeError(f"out= must be a tuple of {len(result)} Tensors for an op that returns "
                            f"{len(result)} tensors, but got {type(out).__name__}")
        for r, o in zip(result, out):
            copy_into_out(o, r)
        return type(result)(*out) if hasattr(result, "_fields") else tuple(out)
    if not isinstance(out, Tensor):
        raise TypeError(f"out= must be a Tensor, not {type(out).__name__}")
    return copy_into_out(out, result)


def as_tensor_arg(x, like: Tensor | None = None) -> Tensor:
    """A Tensor for ``x`` (numbers become 0-d tensors of torch's scalar dtype)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (bool, int, float, complex)):
        if like is not None:
            d = _dt.result_type_of([like.dtype] if like.ndim else [], [] if like.ndim else [like.dtype], [x])
            return wrap(np.asarray(x, dtype=d.np))
        return wrap(np.asarray(x, dtype=_dt._scalar_dtype(x).np))
    return wrap(np.asarray(x))


_RT_CACHE: dict = {}


def result_np_dtype(*args) -> np.dtype:
    """torch's result dtype (as a NumPy dtype) of Tensors and Python numbers."""
    key = tuple((a._data.dtype, a._data.ndim == 0) if isinstance(a, Tensor) else type(a) for a in args)
    r = _RT_CACHE.get(key)
    if r is None:
        dims = [_dt.from_numpy_dtype(a._data.dtype) for a in args if isinstance(a, Tensor) and a._data.ndim]
        zeros = [_dt.from_numpy_dtype(a._data.dtype) for a in args if isinstance(a, Tensor) and not a._data.ndim]
        wrapped = [a for a in args if not isinstance(a, Tensor)]
        r = _dt.result_type_of(dims, zeros, wrapped).np
        if not any(not isinstance(a, Tensor) and type(a) is float for a in args):
            _RT_CACHE[key] = r  # the default dtype can change: do not cache float scalars
    return r


def _scalar(x):
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return wrap(x)
    return x


def operands(a, b):
    """``a`` and ``b`` as arrays (or Python numbers) that NumPy combines into torch's result dtype."""
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        da, db = a._data, b._data
        if da.dtype == db.dtype:
            return da, db
        rt = result_np_dtype(a, b)
        return (da if da.dtype == rt else da.astype(rt)), (db if db.dtype == rt else db.astype(rt))
    if not isinstance(a, Tensor):
        db, da = operands(b, a)
        return da, db
    b = _scalar(b)
    if isinstance(b, Tensor):
        return operands(a, b)
    da = a._data
    kind = da.dtype.kind
    if isinstance(b, bool):
        return da, b
    if isinstance(b, int):
        if kind == "b":
            return da.astype(np.int64), b
        if kind in "iu":
            return da, _wrap_int(b, da.dtype)
        return da, b
    if isinstance(b, float):
        if kind in "fc" or da.dtype == _bf16():
            return da, b
        return da.astype(_dt.get_default_dtype().np), b
    if isinstance(b, complex):
        if kind == "c":
            return da, b
        return da.astype(_dt.default_complex().np if kind != "f" or da.dtype.itemsize < 8
                         else np.complex128), b
    raise TypeError(f"unsupported operand type: {type(b).__name__}")


def _wrap_int(v: int, dt: np.dtype) -> int:
    """A Python int cast to an integer dtype as torch casts a scalar operand: modulo 2**bits (NumPy 2
    raises OverflowError instead)."""
    bits = 8 * dt.itemsize
    lo = -(1 << (bits - 1)) if dt.kind == "i" else 0
    if lo <= v < lo + (1 << bits):
        return v
    if not -(1 << 63) <= v < (1 << 64):
        raise OverflowError("int too big to convert")
    v &= (1 << bits) - 1
    return v - (1 << bits) if dt.kind == "i" and v >= 1 << (bits - 1) else v


def _bf16():
    return _dt.bfloat16.np if _dt.bfloat16 is not None else None


def is_low_precision(t) -> bool:
    """float16 or bfloat16: GEMM-based ops (matmul, linear, conv) compute those through :func:`in_float32`."""
    return isinstance(t, Tensor) and t.dtype in (_dt.float16, _dt.bfloat16)


def in_float32(fn, *args, **kwargs) -> Tensor:
    """``fn`` on float32 copies of the low-precision tensor arguments, the result rounded back to the first
    argument's dtype: NumPy has no fast half-precision GEMM (float16 runs a scalar loop, bfloat16 none), and
    torch too accumulates low-precision products in float32. Differentiable (the casts are ops)."""
    low = args[0].dtype
    args = tuple(a.float() if is_low_precision(a) else a for a in args)
    kwargs = {k: (v.float() if is_low_precision(v) else v) for k, v in kwargs.items()}
    return fn(*args, **kwargs).to(low)


def float_arr(x: np.ndarray) -> np.ndarray:
    """Integer and bool inputs of floating ops (exp, sqrt, ...) become the default dtype, as in torch."""
    if x.dtype.kind in "fc":
        return x
    return x.astype(_dt.get_default_dtype().np)


def rows(a):
    """``a`` (an array or a Tensor) as a matrix (rows, last dim): the leading dims merged. Their count is
    spelled out because ``reshape(-1, n)`` is ambiguous (and fails) when a size is 0."""
    return a.reshape(math.prod(a.shape[:-1]), a.shape[-1])


def matmul_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x (..., k) @ y (k, n) as one GEMM over all leading dims of x (np.matmul would run one per batch entry)."""
    return kernels.gemm(rows(x), y).reshape(x.shape[:-1] + (y.shape[-1],))


def norm_dims(dim, ndim: int) -> tuple:
    """Normalise ``dim`` (None, int, or sequence) into a sorted tuple of non-negative axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        dim = (int(dim),)
    n = max(ndim, 1)
    out = []
    for d in dim:
        if not -n <= d < n:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})")
        out.append(d % n if ndim else 0)
    if len(set(out)) != len(out):
        raise RuntimeError(f"dim {out[0]} appears multiple times in the list of dims")
    return tuple(sorted(out)) if ndim else ()


def wrap_dim(dim: int, ndim: int) -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim % n


def shape_arg(size) -> tuple:
    """Accept ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` and ``f(Size)``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s.item())
        if not isinstance(s, (int, np.integer)):
            raise TypeError(f"expected a sequence of integers for a size, but got {type(s).__name__}")
        out.append(int(s))
    return tuple(out)


def broadcast_shapes_or_raise(a: tuple, b: tuple) -> tuple:
    """The broadcast shape, or torch's "The size of tensor a ... must match" error."""
    n = max(len(a), len(b))
    pa, pb = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    out = []
    for i, (x, y) in enumerate(zip(pa, pb)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                               f"non-singleton dimension {i}")
        out.append(y if x == 1 else x)
    return tuple(out)


def check_broadcast(da, db) -> None:
    sa, sb = getattr(da, "shape", ()), getattr(db, "shape", ())
    if sa != sb:
        broadcast_shapes_or_raise(sa, sb)


def type_name(d) -> str:
    return _dt.scalar_type_name(d if isinstance(d, _dt.dtype) else _dt.from_numpy_dtype(d))


def xp_of(a):
    """The array module of an array (numpy, or cupy for GPU arrays)."""
    return np if isinstance(a, np.ndarray) or isinstance(a, np.generic) else _cp()


def _cp():
    import cupy  # type: ignore

    return cupy
