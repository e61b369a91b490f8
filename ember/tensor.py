"""The Tensor: one backend ndarray (``_data``) plus autograd metadata, in ``__slots__``.

Views are the backend's own strided views, so they share memory exactly as torch's do; views of one
storage share a version counter (``_vc``, a one-element list) that in-place ops bump. The math lives
in ``ember.ops``; its functions are bound here as methods (``x.exp()`` is ``ember.exp(x)``) by
``ember.ops.install`` at import time, the one edge that points upwards.

>>> import ember
>>> a = ember.tensor([[1., 2.], [3., 4.]], requires_grad=True)
>>> a
tensor([[1., 2.],
        [3., 4.]], requires_grad=True)
>>> a.t().is_contiguous(), a.t().stride()
(False, (1, 2))
"""
from __future__ import annotations

import warnings
import weakref
from typing import Any, Callable, Iterator

import numpy as np

from . import dtypes as _dt
from ._grad_mode import STATE
from ._format import tensor_repr
from .backends.device import _cupy, array_device, get_device, to_host as _to_host

Shape = tuple


class Tensor:
    """A strided n-dimensional array with reverse-mode autograd, as ``torch.Tensor``.

    ``ember.Tensor(2, 3)`` (uninitialised, default dtype) and ``ember.Tensor([1, 2])`` (a copy, default
    dtype) follow torch's legacy constructor; use ``ember.tensor`` in new code.
    """

    # Only _data, _requires_grad and _grad_fn are set on every tensor; the rest are set when used and
    # read through __getattr__'s defaults until then (a new tensor costs three stores).
    # _grad_fn is the tensor's edge into the graph: its Node, or (Node, output_nr) for output_nr > 0.
    __slots__ = ("_data", "_requires_grad", "_grad_fn", "grad", "_vc", "_base", "_view_fn", "_hooks",
                 "__weakref__")
    __array_priority__ = 1000  # make ndarray + Tensor defer to Tensor.__radd__

    def __new__(cls, *args, **kwargs):
        t = object.__new__(cls)
        if args and not (len(args) == 1 and isinstance(args[0], (list, tuple, np.ndarray, Tensor))) \
                and all(isinstance(a, int) for a in args):
            data = np.empty(args, dtype=_dt.get_default_dtype().np)
        elif len(args) == 1 and isinstance(args[0], (list, tuple, np.ndarray, float, int)):
            data = np.array(args[0], dtype=_dt.get_default_dtype().np)
        elif len(args) == 1 and isinstance(args[0], Tensor):
            data = args[0]._data
        elif not args:
            data = np.empty((0,), dtype=_dt.get_default_dtype().np)
        else:
            raise TypeError(f"Tensor(): invalid arguments {args!r}; use ember.tensor(data) or ember.empty(*size)")
        _init(t, data, False)
        return t

    def __init__(self, *args, **kwargs) -> None:  # all set in __new__ (so subclasses may add fields)
        pass

    # ------------------------------------------------------------------ metadata
    @property
    def shape(self) -> tuple:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        """The shape as a ``Size``, or one dimension's length."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim, "size")]

    @property
    def dtype(self) -> _dt.dtype:
        return _dt.from_numpy_dtype(self._data.dtype)

    @property
    def device(self):
        return array_device(self._data)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def is_cpu(self) -> bool:
        return self.device.type == "cpu"

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes)

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f" or self.dtype is _dt.bfloat16

    def is_complex(self) -> bool:
        return self._data.dtype.kind == "c"

    @property
    def is_sparse(self) -> bool:
        return False

    @property
    def layout(self) -> str:
        return "strided"

    def stride(self, dim: int | None = None):
        """Strides in elements, as torch counts them (NumPy counts bytes)."""
        isz = self._data.itemsize
        st = tuple(s // isz for s in self._data.strides)
        if self._data.size <= 1 or 0 in self._data.shape:
            st = _contiguous_strides(self._data.shape) if self._data.size == 0 else st
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim, "stride")]

    def storage_offset(self) -> int:
        root = _root(self._data)
        return (self.data_ptr() - _ptr(root)) // self._data.itemsize

    def data_ptr(self) -> int:
        return _ptr(self._data)

    def untyped_storage(self) -> "UntypedStorage":
        return UntypedStorage(_root(self._data))

    def storage(self) -> "UntypedStorage":
        return UntypedStorage(_root(self._data), self.dtype)

    def is_contiguous(self, memory_format: Any = None) -> bool:
        if memory_format is not None and getattr(memory_format, "name", "") == "channels_last":
            if self._data.ndim != 4:
                return False
            n, c, h, w = self._data.shape
            return self.stride() == (h * w * c, 1, w * c, c) or self._data.size <= 1
        return bool(self._data.flags.c_contiguous)

    def is_shared(self) -> bool:
        """Whether the storage is in shared memory (``share_memory_()`` put it there)."""
        import mmap

        base = self._data
        while base is not None and not isinstance(base, mmap.mmap):
            base = base.obj if isinstance(base, memoryview) else getattr(base, "base", None)
        return base is not None

    def is_pinned(self) -> bool:
        """Whether the storage is page-locked host memory (only ``pin_memory()`` with a GPU makes such)."""
        cp = _cupy()
        if cp is None or not isinstance(self._data, np.ndarray) or self._data.size == 0:
            return False
        attrs = cp.cuda.runtime.pointerGetAttributes(self._data.ctypes.data)
        return attrs.type == cp.cuda.runtime.memoryTypeHost

    def get_device(self) -> int:
        d = self.device
        return -1 if d.type == "cpu" else d.index or 0

    # ------------------------------------------------------------------ autograd metadata
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if self._grad_fn is not None:
            if not flag:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use a "
                    "computed variable in a subgraph that doesn't require differentiation use "
                    "var_no_grad = var.detach()."
                )
            return
        if flag and not (self.is_floating_point() or self.is_complex()):
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self._requires_grad = bool(flag)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def grad_fn(self):
        fn = self._grad_fn
        return fn[0] if type(fn) is tuple else fn

    @property
    def _output_nr(self) -> int:
        fn = self._grad_fn
        return fn[1] if type(fn) is tuple else 0

    def __getattr__(self, name: str):
        if name == "grad" and self._grad_fn is not None:
            self._grad_warn()
        try:
            return _SLOT_DEFAULTS[name]
        except KeyError:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'") from None

    @property
    def _version(self) -> int:
        return 0 if self._vc is None else self._vc[0]

    @property
    def retains_grad(self) -> bool:
        return self._hooks is not None and self._hooks.get("retain") is not None

    @property
    def data(self) -> "Tensor":
        """The same memory without history (``detach``), assignable like torch's ``.data``."""
        out = wrap(self._data)
        out._vc = self._version_cell()
        return out

    @data.setter
    def data(self, value: "Tensor") -> None:
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    def _version_cell(self) -> list:
        vc = self._vc
        if vc is None:
            vc = self._vc = [0]
        return vc

    def _bump(self) -> None:
        if self._vc is None:
            self._vc = [1]
        else:
            self._vc[0] += 1

    def _grad_warn(self) -> None:
        if self._grad_fn is not None and not self.retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed want "
                "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
                "non-leaf Tensor.", UserWarning, stacklevel=3)

    def detach(self) -> "Tensor":
        """A new tensor on the same memory, with no history (``requires_grad=False``)."""
        out = wrap(self._data)
        out._vc = self._version_cell()
        return out

    def detach_(self) -> "Tensor":
        """Cut this tensor out of the graph in place: it becomes a leaf."""
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel "
                "(DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of "
                "DDP buckets, and hence detach_() cannot be called on these gradients. To fix this "
                "error, please refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py "
                "as the solution.")
        self._grad_fn = None
        self._requires_grad = False
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` of a non-leaf tensor after backward."""
        if self._grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        hooks = self._hooks if self._hooks is not None else {}
        self._hooks = hooks
        if hooks.get("retain") is None:
            ref = weakref.ref(self)
            hooks["retain"] = ref
            self.grad_fn.add_retain(self._output_nr, ref)

    def register_hook(self, hook: Callable) -> "RemovableHandle":
        """Call ``hook(grad)`` when this tensor's gradient is computed; a non-None result replaces it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            return self.grad_fn.add_tensor_hook(self._output_nr, hook)
        hooks = self._hooks if self._hooks is not None else {}
        self._hooks = hooks
        lst = hooks.setdefault("leaf", [])
        lst.append(hook)
        return RemovableHandle(lst, hook)

    def register_post_accumulate_grad_hook(self, hook: Callable) -> "RemovableHandle":
        """Call ``hook(self)`` once this leaf's ``.grad`` holds its gradient from the running backward (as
        soon as every edge into it is done, so ``DistributedDataParallel`` can start an all-reduce while the
        rest of the graph is still being differentiated)."""
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        hooks = self._hooks if self._hooks is not None else {}
        self._hooks = hooks
        lst = hooks.setdefault("post_acc", [])
        lst.append(hook)
        return RemovableHandle(lst, hook)

    # ------------------------------------------------------------------ conversion
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(-1)[0].item()

    def tolist(self):
        return _to_host(self._data).tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The ndarray behind the tensor (shared memory), as ``torch.Tensor.numpy``."""
        if self._requires_grad and STATE.enabled and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if not isinstance(self._data, np.ndarray):
            if force:
                return _to_host(self._data)
            raise TypeError(
                f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to copy "
                "the tensor to host memory first.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        a = _to_host(self._data)
        return a if dtype is None else a.astype(dtype)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator["Tensor"]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(-1)[0])

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __complex__(self) -> complex:
        return complex(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return repr(self)

    def __reduce_ex__(self, proto):
        return _reduce_tensor(self)

    def __deepcopy__(self, memo):
        if self._grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment.  If you were attempting to deepcopy a module, this may be "
                "because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001")
        out = type(self).__new__(type(self)) if type(self) is not Tensor else object.__new__(Tensor)
        _init(out, self._data.copy(), self._requires_grad)
        for k in getattr(type(self), "_extra_slots", ()):
            setattr(out, k, getattr(self, k))
        if self.grad is not None:
            out.grad = self.grad.__deepcopy__(memo)
        memo[id(self)] = out
        return out

    def __setstate__(self, state):  # pickle support for Tensor subclasses
        pass


class Size(tuple):
    """torch.Size: a tuple of dimension lengths with ``numel()``."""

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __repr__(self) -> str:
        return f"{_dt.REPR_PREFIX}.Size({list(self)})"

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))


class UntypedStorage:
    """The memory under a tensor: the root ndarray its views come from."""

    __slots__ = ("_root", "dtype")

    def __init__(self, root, dtype=None) -> None:
        self._root = root
        self.dtype = dtype

    def data_ptr(self) -> int:
        return _ptr(self._root)

    def nbytes(self) -> int:
        return int(self._root.nbytes)

    def size(self) -> int:
        if self.dtype is not None:
            return int(self._root.nbytes // self.dtype.itemsize)
        return int(self._root.nbytes)

    def __len__(self) -> int:
        return self.size()

    def element_size(self) -> int:
        return 1 if self.dtype is None else self.dtype.itemsize

    def tolist(self):
        return self._root.reshape(-1).view(np.uint8 if self.dtype is None else self.dtype.np).tolist()

    def resize_(self, n: int) -> None:
        raise RuntimeError("ember storages are fixed-size; use Tensor.resize_")


class RemovableHandle:
    """Returned by ``register_hook``: ``remove()`` unregisters the hook."""

    def __init__(self, container, item) -> None:
        self._container, self._item = container, item

    def remove(self) -> None:
        c = self._container
        if isinstance(c, dict):
            c.pop(self._item, None)
        elif self._item in c:
            c.remove(self._item)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


# ---------------------------------------------------------------------- helpers
_new = object.__new__


_SLOT_DEFAULTS = {"grad": None, "_vc": None, "_base": None, "_view_fn": None, "_hooks": None}


def _init(t: Tensor, data, requires_grad: bool) -> None:
    t._data = data
    t._requires_grad = requires_grad
    t._grad_fn = None


def wrap(data, requires_grad: bool = False) -> Tensor:
    """The fast internal constructor: a leaf Tensor around an existing array (no copy)."""
    t = _new(Tensor)
    t._data = data
    t._requires_grad = requires_grad
    t._grad_fn = None
    return t


def _root(a):
    """The array that owns the memory of ``a`` (the end of its ``.base`` chain; as_strided views hide
    their array behind a small interface object, which is followed too)."""
    while True:
        b = a.base
        if isinstance(b, (np.ndarray, type(a))):
            a = b
            continue
        inner = getattr(b, "base", None)
        if isinstance(inner, (np.ndarray, type(a))):
            a = inner
            continue
        return a


def _ptr(a) -> int:
    if isinstance(a, np.ndarray):
        return a.__array_interface__["data"][0]
    return int(a.data.ptr)


# plain pickle of tensors (``Tensor.__reduce_ex__``; also Parameter's, which keeps its class)
def _reduce_tensor(t: Tensor):
    """``Tensor.__reduce_ex__``: pickle the owning array once, so views in one pickle stay views."""
    a = _to_host(t._data)
    root = _root(a)
    ok = (isinstance(root, np.ndarray) and root.flags.c_contiguous and a.size > 0
          and all(s >= 0 for s in a.strides))
    if ok:
        offset = _ptr(a) - _ptr(root)
        return (_rebuild_pickled, (type(t), root, offset, a.shape, a.strides, a.dtype, t.requires_grad))
    c = np.ascontiguousarray(a)
    return (_rebuild_pickled, (type(t), c, 0, c.shape, c.strides, c.dtype, t.requires_grad))


def _rebuild_pickled(cls, root: np.ndarray, offset: int, shape, strides, dtype, requires_grad: bool) -> Tensor:
    if root.size == 0 or 0 in shape:
        arr = np.empty(shape, dtype)
    else:
        arr = np.ndarray(shape, dtype, buffer=root, offset=offset, strides=strides)
    t = object.__new__(cls)
    _init(t, arr, False)
    if requires_grad:
        t._requires_grad = True
    return t


def _contiguous_strides(shape) -> tuple:
    st, acc = [], 1
    for s in reversed(shape):
        st.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(st))


def _wrap_dim(dim: int, ndim: int, op: str = "") -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim % n


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def _get_device(spec):
    return get_device(spec)
