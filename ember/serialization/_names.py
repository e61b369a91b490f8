"""torch's pickle names and how they map to ember: storage types, dtypes, the weights-only allow-list.

A checkpoint names globals such as ``torch._utils._rebuild_tensor_v2`` or ``torch FloatStorage``.
ember never imports torch: when writing it emits those names as ``TorchGlobal`` markers, and when
reading it maps each name to the ember object in ``allowed_globals()``. Anything not in that table
(or added with ``add_safe_globals``) is refused before it runs.
"""
from __future__ import annotations

import builtins
import codecs
import collections
from typing import Any

import numpy as np

from .. import dtypes as _dt
from ..backends.device import Device
from ..nn.parameter import Parameter
from ..tensor import Size, Tensor, wrap


class TorchGlobal:
    """A stand-in for a torch global (``module.name``) that the writer pickles as a GLOBAL opcode."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __repr__(self) -> str:
        return f"{self.module}.{self.name}"

    def __call__(self, *args, **kwargs):  # pickle requires reduce functions to be callable
        raise TypeError(f"{self!r} is a torch name without an ember equivalent")


class StorageType:
    """What a torch storage type (``torch.FloatStorage``) means to ember: its NumPy dtype."""

    __slots__ = ("name", "np")

    def __init__(self, name: str, np_dtype) -> None:
        self.name, self.np = name, (None if np_dtype is None else np.dtype(np_dtype))

    def __repr__(self) -> str:
        return f"torch.{self.name}"


def _optional(name: str):
    try:
        import ml_dtypes

        return np.dtype(getattr(ml_dtypes, name))
    except (ImportError, AttributeError):
        return None


# torch dtype name -> NumPy dtype (None: this NumPy has no such type; loading it raises a clear error)
TORCH_DTYPES: dict[str, Any] = {
    "float32": np.float32, "float64": np.float64, "float16": np.float16, "bfloat16": _optional("bfloat16"),
    "int64": np.int64, "int32": np.int32, "int16": np.int16, "int8": np.int8, "uint8": np.uint8,
    "bool": np.bool_, "complex64": np.complex64, "complex128": np.complex128,
    "uint16": np.uint16, "uint32": np.uint32, "uint64": np.uint64,
    "float8_e4m3fn": _optional("float8_e4m3fn"), "float8_e5m2": _optional("float8_e5m2"),
    "float8_e4m3fnuz": _optional("float8_e4m3fnuz"), "float8_e5m2fnuz": _optional("float8_e5m2fnuz"),
}
_ALIASES = {"float": "float32", "double": "float64", "half": "float16", "long": "int64", "int": "int32",
            "short": "int16", "cfloat": "complex64", "cdouble": "complex128"}

# typed storage class name -> NumPy dtype (torch writes these in persistent ids)
STORAGE_TYPES: dict[str, StorageType] = {n: StorageType(n, d) for n, d in [
    ("DoubleStorage", np.float64), ("FloatStorage", np.float32), ("HalfStorage", np.float16),
    ("BFloat16Storage", _optional("bfloat16")), ("LongStorage", np.int64), ("IntStorage", np.int32),
    ("ShortStorage", np.int16), ("CharStorage", np.int8), ("ByteStorage", np.uint8),
    ("BoolStorage", np.bool_), ("ComplexFloatStorage", np.complex64), ("ComplexDoubleStorage", np.complex128),
    ("UntypedStorage", np.uint8),
]}
_NP_TO_STORAGE = {st.np: name for name, st in STORAGE_TYPES.items()
                  if st.np is not None and name != "UntypedStorage"}


def storage_global(np_dtype) -> TorchGlobal:
    """The ``torch.<X>Storage`` global a torch checkpoint uses for arrays of ``np_dtype``."""
    name = _NP_TO_STORAGE.get(np.dtype(np_dtype))
    if name is None:
        raise TypeError(f"ember.save: no torch storage type for NumPy dtype {np.dtype(np_dtype)}")
    return TorchGlobal("torch", name)


def torch_dtype_name(np_dtype) -> str:
    return _dt.from_numpy_dtype(np_dtype).name


def np_dtype_of(torch_name: str) -> np.dtype:
    d = TORCH_DTYPES.get(_ALIASES.get(torch_name, torch_name))
    if d is None:
        raise TypeError(f"ember.load: the checkpoint holds torch.{torch_name} tensors, which ember cannot "
                        "represent (install ml_dtypes for bfloat16/float8)")
    return np.dtype(d)


def ember_tensor(arr: np.ndarray, requires_grad: bool = False):
    """An ember Tensor around ``arr`` (no copy); raises for dtypes ember lacks (uint16, float8...)."""
    try:
        _dt.from_numpy_dtype(arr.dtype)
    except TypeError:
        raise TypeError(f"ember.load: the checkpoint holds a tensor of dtype {arr.dtype}, which ember has "
                        "no dtype for (ember supports torch's bool, uint8, int8-64, float16/32/64, bfloat16, "
                        "complex64/128)") from None
    return wrap(arr, requires_grad=requires_grad)


# ---------------------------------------------------------------------- rebuild functions (torch's names)
def view_of_storage(storage: np.ndarray, offset: int, size, stride) -> np.ndarray:
    """The strided view (in elements) of the flat array ``storage``; bounds are checked."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride) or any(s < 0 for s in size) or any(s < 0 for s in stride) or offset < 0:
        raise RuntimeError(f"ember.load: invalid tensor geometry size={size} stride={stride} offset={offset}")
    if 0 in size:
        return np.empty(size, storage.dtype)
    last = offset + sum((n - 1) * s for n, s in zip(size, stride))
    if last >= storage.size:
        raise RuntimeError(f"ember.load: tensor of size {list(size)} at offset {offset} is out of bounds of "
                           f"its storage of {storage.size} elements (corrupted checkpoint?)")
    isz = storage.itemsize
    return np.ndarray(size, storage.dtype, buffer=storage, offset=offset * isz, strides=tuple(s * isz for s in stride))


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None,
                       metadata=None):
    """torch._utils._rebuild_tensor_v2: a strided view of ``storage`` (a flat NumPy array)."""
    return ember_tensor(view_of_storage(storage, storage_offset, size, stride), bool(requires_grad))


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype,
                       metadata=None):
    """torch._utils._rebuild_tensor_v3: like v2, but the storage is untyped and ``dtype`` says the type."""
    np_dtype = dtype.np if isinstance(dtype, _dt.dtype) else np_dtype_of(getattr(dtype, "name", str(dtype)))
    typed = storage.view(np_dtype) if storage.dtype != np_dtype else storage
    return ember_tensor(view_of_storage(typed, storage_offset, size, stride), bool(requires_grad))


def _parameter(data, requires_grad: bool):
    return Parameter(data, requires_grad)


def _rebuild_parameter(data, requires_grad, backward_hooks=None):
    return _parameter(data, bool(requires_grad))


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _parameter(data, bool(requires_grad))


def _rebuild_from_type_v2(func, new_type, args, state):
    """torch._tensor._rebuild_from_type_v2: rebuild with ``func(*args)``; subclasses map to Parameter."""
    out = func(*args)
    if new_type is _PARAMETER_MARK:
        out = _parameter(out, out.requires_grad)
    return out


_PARAMETER_MARK = TorchGlobal("torch.nn.parameter", "Parameter")


def _get_layout(name: str) -> str:
    return name.replace("torch.", "")


def _device(*args):
    return Device(*args)


def _size(*args):
    return Size(*args)


def _tensor_class():
    return Tensor


def _torch_table() -> dict[str, Any]:
    """torch's weights-only allow-list, each name mapped to the ember object that replaces it."""
    table: dict[str, Any] = {
        "collections.OrderedDict": collections.OrderedDict,
        "collections.Counter": collections.Counter,
        "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "torch.nn.parameter.Parameter": _PARAMETER_MARK,
        "torch.serialization._get_layout": _get_layout,
        "torch.Size": _size,
        "torch.device": _device,
        "torch.Tensor": _tensor_class(),
        "_codecs.encode": codecs.encode,  # protocol-2 bytes: encode(str, "latin1")
    }
    for name in ("set", "frozenset", "complex", "slice", "range", "bytearray", "bytes"):
        table[f"builtins.{name}"] = getattr(builtins, name)
        table[f"__builtin__.{name}"] = getattr(builtins, name)
    for name, st in STORAGE_TYPES.items():
        table[f"torch.{name}"] = st
    table["torch.storage.UntypedStorage"] = STORAGE_TYPES["UntypedStorage"]
    for name in list(TORCH_DTYPES) + list(_ALIASES):
        d = getattr(_dt, _ALIASES.get(name, name), None)
        table[f"torch.{name}"] = d if isinstance(d, _dt.dtype) else TorchGlobal("torch", name)
    return table


_TABLE: dict[str, Any] | None = None
_USER: dict[str, Any] = {}


def allowed_globals() -> dict[str, Any]:
    global _TABLE
    if _TABLE is None:
        _TABLE = _torch_table()
    return _TABLE


def user_globals() -> dict[str, Any]:
    return _USER


def global_name(obj: Any) -> str:
    return f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', getattr(obj, '__name__', ''))}"


def register(objs: list) -> None:
    for obj in objs:
        if isinstance(obj, tuple):
            if len(obj) != 2 or not isinstance(obj[1], str):
                raise ValueError(f"add_safe_globals: expected an object or (object, 'module.name'), got {obj!r}")
            _USER[obj[1]] = obj[0]
        else:
            _USER[global_name(obj)] = obj

