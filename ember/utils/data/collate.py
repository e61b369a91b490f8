"""``default_collate`` (a list of samples -> one batch) and ``default_convert`` (one sample, no batching).

Rules, as torch's: tensors are stacked along a new dim 0; NumPy arrays and NumPy scalars become
tensors of their dtype and are stacked; Python floats become float64, ints int64, bools bool; strings
and bytes stay a list; dicts, namedtuples, tuples and lists are collated field by field (tuples come
back as lists, as in torch). ``collate(batch, collate_fn_map=...)`` lets a caller add types.

>>> import ember
>>> from ember.utils.data import default_collate
>>> default_collate([{"x": ember.ones(2), "y": 1}, {"x": ember.zeros(2), "y": 2}])
{'x': tensor([[1., 1.],
        [0., 0.]]), 'y': tensor([1, 2])}
"""
from __future__ import annotations

import collections.abc
import copy
from typing import Any, Callable

import numpy as np

from ... import dtypes as _dt
from ...ops.joining import stack
from ...tensor import Tensor, wrap

_ERR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
_NP_STR = "SaUO"


def _stack_arrays(arrays: list) -> Tensor:
    shape = arrays[0].shape
    for a in arrays:
        if a.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 "
                               f"and {list(a.shape)} at entry {arrays.index(a)}")
    return wrap(np.stack(arrays))


def collate_tensor_fn(batch: list, *, collate_fn_map=None) -> Tensor:
    if any(t.requires_grad for t in batch):
        return stack(batch, 0)
    return _stack_arrays([t._data for t in batch])


def collate_numpy_array_fn(batch: list, *, collate_fn_map=None) -> Tensor:
    if batch[0].dtype.kind in _NP_STR:
        raise TypeError(_ERR.format(batch[0].dtype))
    _dt.from_numpy_dtype(batch[0].dtype)  # torch's TypeError for dtypes it lacks (uint16...)
    return _stack_arrays([np.asarray(a) for a in batch])


def collate_numpy_scalar_fn(batch: list, *, collate_fn_map=None) -> Tensor:
    return wrap(np.array(batch, dtype=batch[0].dtype))


def collate_float_fn(batch: list, *, collate_fn_map=None) -> Tensor:
    return wrap(np.array(batch, dtype=np.float64))


def collate_int_fn(batch: list, *, collate_fn_map=None) -> Tensor:
    if all(isinstance(b, bool) for b in batch):
        return wrap(np.array(batch, dtype=np.bool_))
    return wrap(np.array(batch, dtype=np.int64))


def collate_str_fn(batch: list, *, collate_fn_map=None) -> list:
    return batch


default_collate_fn_map: dict[type | tuple, Callable] = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    (str, bytes): collate_str_fn,
}


def collate(batch: list, *, collate_fn_map: dict | None = None) -> Any:
    """Collate ``batch`` with ``collate_fn_map`` (type -> function) for leaves; containers recurse."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type, fn in collate_fn_map.items():
            if isinstance(elem, collate_type):
                return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        values = {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map) for key in elem}
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(values)
            return clone
        try:
            return elem_type(values)
        except TypeError:
            return values
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(collate(list(s), collate_fn_map=collate_fn_map) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if not all(len(e) == size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = [list(s) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return [collate(s, collate_fn_map=collate_fn_map) for s in transposed]
        try:
            return elem_type([collate(s, collate_fn_map=collate_fn_map) for s in transposed])
        except TypeError:
            return [collate(s, collate_fn_map=collate_fn_map) for s in transposed]
    raise TypeError(_ERR.format(elem_type))


def default_collate(batch: list) -> Any:
    """Merge a list of samples into a batch (see the module docstring for the rules)."""
    return collate(batch, collate_fn_map=default_collate_fn_map)


def default_convert(data: Any) -> Any:
    """Turn NumPy arrays/scalars inside ``data`` into tensors (no batching; for ``batch_size=None``)."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        return data if data.dtype.kind in _NP_STR else wrap(data)
    if isinstance(data, (np.bool_, np.number)):
        return wrap(np.array(data))
    if isinstance(data, collections.abc.Mapping):
        values = {key: default_convert(data[key]) for key in data}
        if isinstance(data, collections.abc.MutableMapping):
            clone = copy.copy(data)
            clone.update(values)
            return clone
        try:
            return type(data)(values)
        except TypeError:
            return values
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return type(data)([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data
