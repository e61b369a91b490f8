"""dtypes as torch names them, and torch's type-promotion rules (not NumPy's).

Categories order ``bool < integer < floating < complex``. A dimensioned tensor decides the result
dtype unless a zero-dim tensor or a Python number belongs to a higher category; then the higher
category's type wins (a Python float becomes the default dtype).

>>> promote_types(int64, float16)
ember.float16
>>> promote_types(uint8, int8)
ember.int16
"""
from __future__ import annotations

import builtins

import numpy as np

# The module name in a dtype's and a Size's repr: "ember"; ``ember.compat.torch_alias`` sets "torch" while it
# is installed, so a script's printed output reads as it does under PyTorch.
REPR_PREFIX = "ember"

try:  # optional: bfloat16 comes from the ml_dtypes package
    import ml_dtypes as _ml

    _BF16 = np.dtype(_ml.bfloat16)
except ImportError:  # pragma: no cover - exercised when ml_dtypes is absent
    _BF16 = None

_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type, e.g. ``ember.float32``; ``np`` is the NumPy dtype behind it."""

    __slots__ = ("name", "np", "category", "itemsize", "is_signed")

    def __init__(self, name: str, np_dtype, category: int, is_signed: bool) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.category = category
        self.itemsize = self.np.itemsize
        self.is_signed = is_signed

    @property
    def is_floating_point(self) -> bool:
        return self.category == _FLOAT

    @property
    def is_complex(self) -> bool:
        return self.category == _COMPLEX

    def to_real(self) -> "dtype":
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self) -> "dtype":
        return {float64: complex128}.get(self, complex64) if self.category != _COMPLEX else self

    def __repr__(self) -> str:
        return f"{REPR_PREFIX}.{self.name}"

    def __reduce__(self):
        return (_by_name, (self.name,))


def _by_name(name: str) -> dtype:
    return globals()[name]


bool = dtype("bool", np.bool_, _BOOL, False)  # noqa: A001 - torch's name
uint8 = dtype("uint8", np.uint8, _INT, False)
int8 = dtype("int8", np.int8, _INT, True)
int16 = dtype("int16", np.int16, _INT, True)
int32 = dtype("int32", np.int32, _INT, True)
int64 = dtype("int64", np.int64, _INT, True)
float16 = dtype("float16", np.float16, _FLOAT, True)
float32 = dtype("float32", np.float32, _FLOAT, True)
float64 = dtype("float64", np.float64, _FLOAT, True)
complex64 = dtype("complex64", np.complex64, _COMPLEX, True)
complex128 = dtype("complex128", np.complex128, _COMPLEX, True)
bfloat16 = dtype("bfloat16", _BF16, _FLOAT, True) if _BF16 is not None else None

half, float, double = float16, float32, float64  # noqa: A001 - torch's aliases
short, int, long = int16, int32, int64  # noqa: A001
cfloat, cdouble = complex64, complex128

ALL = [bool, uint8, int8, int16, int32, int64, float16, float32, float64, complex64, complex128]
if bfloat16 is not None:
    ALL.append(bfloat16)
_FROM_NP = {d.np: d for d in ALL}

# quantized element types (torch.qint8, torch.quint8, torch.qint32): only ember.ao's quantized tensors carry
# them, so they stay out of the NumPy mapping above
qint8 = dtype("qint8", np.int8, _INT, True)
quint8 = dtype("quint8", np.uint8, _INT, False)
qint32 = dtype("qint32", np.int32, _INT, True)


def from_numpy_dtype(np_dtype) -> dtype:
    """The ember dtype of a NumPy dtype; raises TypeError for types torch lacks (e.g. uint16)."""
    d = _FROM_NP.get(np_dtype)
    if d is None:
        d = _FROM_NP.get(np.dtype(np_dtype))
        if d is None:
            raise TypeError(
                f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).name}. The only supported "
                "types are: float64, float32, float16, complex64, complex128, int64, int32, int16, "
                "int8, uint8, and bool."
            )
    return d


def to_dtype(d) -> dtype:
    """Accept an ember dtype, a NumPy dtype or a Python type (float, int, bool)."""
    if isinstance(d, dtype):
        return d
    if d is builtins.float:
        return float64
    if d is builtins.int:
        return int64
    if d is builtins.bool:
        return bool
    if d is builtins.complex:
        return complex128
    if hasattr(d, "name") and isinstance(getattr(d, "name"), str) and d.name in globals() and isinstance(globals()[d.name], dtype):
        return globals()[d.name]  # e.g. torch.float32 passed by drop-in code
    return from_numpy_dtype(d)


_default = float32


def set_default_dtype(d) -> None:
    """Set the dtype of Python floats turned into tensors (float32 or float64, as torch)."""
    global _default
    d = to_dtype(d)
    if d.category != _FLOAT:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default = d


def get_default_dtype() -> dtype:
    return _default


def default_complex() -> dtype:
    return complex128 if _default is float64 else complex64


def promote_types(a: dtype, b: dtype) -> dtype:
    """torch.promote_types: the smallest dtype both ``a`` and ``b`` cast to safely."""
    if a is b:
        return a
    if a.category != b.category:
        hi, lo = (a, b) if a.category > b.category else (b, a)
        if hi.category == _COMPLEX and lo.category == _FLOAT and lo.itemsize >= 8:
            return complex128
        return hi
    if {a, b} == {float16, bfloat16}:
        return float32
    return from_numpy_dtype(np.promote_types(a.np, b.np))


def _scalar_dtype(x) -> dtype:
    if isinstance(x, builtins.bool):
        return bool
    if isinstance(x, builtins.int):
        return int64
    if isinstance(x, builtins.complex):
        return default_complex()
    return _default


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    """torch's combine_categories: a higher-priority group's type wins unless it is a lower category."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.category == _COMPLEX:
        return higher
    if lower.category == _COMPLEX:
        return complex128 if higher is float64 else (default_complex() if higher.category < _FLOAT else complex64)
    if higher.category == _FLOAT:
        return higher
    if higher.category == _BOOL or lower.category == _FLOAT:
        return promote_types(higher, lower)
    return higher


def result_type_of(dims: list, zeros: list, wrapped: list) -> dtype:
    """Result dtype from dimensioned-tensor dtypes, zero-dim tensor dtypes and Python numbers."""

    def fold(ds):
        out = None
        for d in ds:
            out = d if out is None else promote_types(out, d)
        return out

    w = None
    for x in wrapped:
        d = _scalar_dtype(x)
        # a wrapped float/complex keeps only its category: use the default type of that category
        w = d if w is None else promote_types(w, d)
    return _combine(fold(dims), _combine(fold(zeros), w))


def can_cast(from_: dtype, to: dtype) -> bool:
    """torch.can_cast: False when casting would lower the category (float -> int, int -> bool)."""
    return from_.category <= to.category


_CAT_NAMES = {_BOOL: "Bool", _INT: None, _FLOAT: None, _COMPLEX: None}
_TORCH_SCALAR_NAMES = {
    "bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int",
    "int64": "Long", "float16": "Half", "float32": "Float", "float64": "Double",
    "complex64": "ComplexFloat", "complex128": "ComplexDouble", "bfloat16": "BFloat16",
}


def scalar_type_name(d: dtype) -> str:
    """torch's C++ name of a dtype as its error messages print it (float32 -> "Float")."""
    return _TORCH_SCALAR_NAMES[d.name]


class finfo:
    """Machine limits of a floating dtype (torch.finfo): bits, eps, max, min, tiny, resolution."""

    def __init__(self, type: dtype | None = None) -> None:  # noqa: A002 - torch's name
        d = to_dtype(type) if type is not None else _default
        if d.category not in (_FLOAT, _COMPLEX):
            raise TypeError(f"torch.finfo() requires a floating point input type, got {d}")
        f = np.finfo(d.to_real().np)
        self.dtype = d.to_real().name
        self.bits = f.bits
        self.eps = builtins.float(f.eps)
        self.max = builtins.float(f.max)
        self.min = builtins.float(f.min)
        self.tiny = self.smallest_normal = builtins.float(f.tiny)
        self.resolution = builtins.float(f.resolution)

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype (torch.iinfo): bits, min, max."""

    def __init__(self, type: dtype) -> None:  # noqa: A002
        d = to_dtype(type)
        if d.category == _BOOL:
            self.bits, self.min, self.max, self.dtype = 8, 0, 1, "bool"
            return
        if d.category != _INT:
            raise TypeError(f"torch.iinfo() requires an integer input type, got {d}")
        i = np.iinfo(d.np)
        self.bits, self.min, self.max, self.dtype = i.bits, builtins.int(i.min), builtins.int(i.max), d.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"
