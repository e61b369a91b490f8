"""safetensors files (``.safetensors``) through the ``safetensors`` package, byte-compatible with
``safetensors.torch``: a JSON header (dtype, shape, offsets) and raw little-endian data, no pickle.

>>> import ember
>>> from ember.utils import safetensors as st
>>> blob = st.save({"w": ember.ones(2, 3)})
>>> st.load(blob)["w"].shape
ember.Size([2, 3])
"""
from __future__ import annotations

import os
from typing import Dict, Optional

import numpy as np

from .. import dtypes as _dt
from ..tensor import Tensor, _to_host, wrap

_TO_ST = {"float64": "F64", "float32": "F32", "float16": "F16", "bfloat16": "BF16", "int64": "I64",
          "int32": "I32", "int16": "I16", "int8": "I8", "uint8": "U8", "bool": "BOOL", "complex64": "C64"}
_FROM_ST = {v: k for k, v in _TO_ST.items()}


def _package():
    try:
        import safetensors
        import safetensors.numpy
    except ImportError:
        raise ImportError("ember.utils.safetensors needs the 'safetensors' package: pip install safetensors") from None
    return safetensors


def _arrays(tensors: Dict[str, Tensor]) -> Dict[str, np.ndarray]:
    """Contiguous NumPy arrays for safetensors.numpy (which checks dtypes and byte order)."""
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, Tensor] but received {type(tensors).__name__}")
    out = {}
    for name, t in tensors.items():
        if not isinstance(t, Tensor):
            raise ValueError(f"Key `{name}` is invalid, expected ember.Tensor but received {type(t).__name__}")
        if t.dtype.name not in _TO_ST:
            raise ValueError(f"safetensors has no dtype for {t.dtype} (tensor `{name}`)")
        out[name] = np.ascontiguousarray(_to_host(t._data))
    return out


def _tensor(dtype_code: str, shape, data) -> Tensor:
    name = _FROM_ST.get(dtype_code)
    d = getattr(_dt, name, None) if name else None
    if d is None:
        raise ValueError(f"ember has no dtype for safetensors dtype {dtype_code}")
    return wrap(np.frombuffer(bytearray(data), dtype=d.np).reshape(shape))


def save(tensors: Dict[str, Tensor], metadata: Optional[Dict[str, str]] = None) -> bytes:
    """The safetensors bytes of a dict of tensors (non-contiguous tensors are written contiguous)."""
    return _package().numpy.save(_arrays(tensors), metadata=metadata)


def save_file(tensors: Dict[str, Tensor], filename, metadata: Optional[Dict[str, str]] = None) -> None:
    """Write a ``.safetensors`` file; ``metadata`` is a str -> str dict stored in the header."""
    _package().numpy.save_file(_arrays(tensors), os.fspath(filename), metadata=metadata)


def load(data: bytes) -> Dict[str, Tensor]:
    """Tensors from safetensors bytes (each a fresh, writable array)."""
    return {name: _tensor(v["dtype"], v["shape"], v["data"]) for name, v in _package().deserialize(data)}


def load_file(filename, device: str = "cpu") -> Dict[str, Tensor]:
    """Tensors from a ``.safetensors`` file."""
    with open(filename, "rb") as fh:
        return load(fh.read())
