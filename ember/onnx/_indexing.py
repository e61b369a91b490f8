"""Converters for scans, sorting and indexing: cumsum, cumprod, sort/argsort/topk, gather, scatter, masked_fill,
advanced (tensor) indexing and ``index_put``/``x[idx] = v``.

sort, argsort and topk compute their indices on raw arrays (not as ops), so the tape records the public
functions whole (``recorded_functions``) and they become one ONNX ``TopK`` each. An index tensor used in
``x[idx]`` is the array the key holds, so it keeps its value name (a graph input or an earlier result).
"""
from __future__ import annotations

import numpy as np

import ember

from ..nn.utils import rnn
from ..tensor import Tensor
from ._ops import _operand, converts


def recorded_functions() -> tuple:
    """(owner, attribute) of the functions the ONNX tape records whole."""
    names = ("sort", "argsort", "topk", "msort")
    return tuple((owner, n) for owner in (ember, ember.Tensor) for n in names if hasattr(owner, n)) + \
        ((rnn, "pack_padded_sequence"), (rnn, "pad_packed_sequence"))


def _cast(g, name: str, dtype) -> str:
    from onnx import helper

    return g.one("Cast", [name], to=helper.np_dtype_to_tensor_dtype(np.dtype(dtype)))


@converts("Cumsum")
def _cumsum(g, op, args, outs):
    x, dim = args[0], args[1]
    v = g.value(x)
    if outs[0]._data.dtype != x._data.dtype:  # cumsum(dtype=...)
        v = _cast(g, v, outs[0]._data.dtype)
    return [g.one("CumSum", [v, g.const(np.asarray(dim % max(x.ndim, 1), np.int64))])]


@converts("Cumprod")
def _cumprod(g, op, args, outs):
    """Opset 26 has ``CumProd`` (torch's dynamo exporter uses it from there); before, an ONNX ``Scan`` along
    ``dim`` whose body multiplies the running product by each slice: the same products in the same order as
    ember's (exact, zeros and negatives included; a dynamic length along ``dim`` stays dynamic)."""
    from onnx import helper

    x, dim = args[0], args[1]
    v = g.value(x)
    dtype = outs[0]._data.dtype
    if dtype != x._data.dtype:  # cumprod(dtype=...) or an integer input (accumulated in int64)
        v = _cast(g, v, dtype)
    if x.ndim == 0:
        return [g.one("Identity", [v])]
    dim = dim % x.ndim
    if g.opset >= 26:
        return [g.one("CumProd", [v, g.const(np.asarray(dim, np.int64))])]
    elem = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    rest = [None] * (x.ndim - 1)  # a slice across dim: the shape without dim
    body = helper.make_graph(
        [helper.make_node("Mul", ["prod_in", "x_i"], ["y_i"]), helper.make_node("Identity", ["y_i"], ["prod_out"])],
        g.fresh("cumprod_body").lstrip("/"),
        [helper.make_tensor_value_info("prod_in", elem, rest), helper.make_tensor_value_info("x_i", elem, rest)],
        [helper.make_tensor_value_info("prod_out", elem, rest), helper.make_tensor_value_info("y_i", elem, rest)])
    keep = g.one("Gather", [g.one("Shape", [v]), g.ints([i for i in range(x.ndim) if i != dim])])
    ones = g.one("ConstantOfShape", [keep], value=helper.make_tensor("one", elem, [1], [1]))
    _, y = g.node("Scan", [ones, v], 2, body=body, num_scan_inputs=1, scan_input_axes=[dim],
                  scan_output_axes=[dim])
    return [y]


def _size_of(g, x: str, dim: int) -> str:
    """The 1-element int64 tensor holding ``x.shape[dim]`` at run time (a dynamic axis stays dynamic)."""
    return g.one("Gather", [g.one("Shape", [x]), g.ints([dim])])


def _topk(g, x, k, dim: int, largest: bool):
    dim = dim % x.ndim
    xv = g.value(x)
    kv = _size_of(g, xv, dim) if k is None else g.ints([k])
    return g.node("TopK", [xv, kv], 2, axis=dim, largest=int(largest), sorted=1)


@converts("sort")
def _sort(g, op, args, outs):
    x, dim, descending = args[0], args[1], args[2]
    if x.ndim == 0:
        raise g.unsupported("ember::sort of a 0-d tensor")
    return _topk(g, x, None, dim, bool(descending))


@converts("msort")
def _msort(g, op, args, outs):
    return [_topk(g, args[0], None, 0, False)[0]]


@converts("argsort")
def _argsort(g, op, args, outs):
    x, dim, descending = args[0], args[1], args[2]
    return [_topk(g, x, None, dim, bool(descending))[1]]


@converts("topk")
def _topk_fn(g, op, args, outs):
    x, k, dim, largest, ordered = args[:5]
    if not ordered:
        raise g.unsupported("ember::topk with sorted=False")
    return _topk(g, x, int(k), dim, bool(largest))


@converts("Gather")
def _gather(g, op, args, outs):
    x, dim, index = args[:3]
    return [g.one("GatherElements", [g.value(x), g.value(index)], axis=int(dim) % x.ndim)]


@converts("Scatter")
def _scatter(g, op, args, outs):
    x, dim, index, src = args[:4]
    reduce = args[4] if len(args) > 4 else None
    reduction = {None: "none", "add": "add", "sum": "add", "multiply": "mul"}.get(reduce)
    if reduction is None:
        raise g.unsupported(f"ember::scatter with reduce={reduce!r}")
    updates = _operand(g, src, x)
    if not isinstance(src, Tensor) or tuple(src.shape) != tuple(index.shape):  # a scalar src fills the index
        updates = g.one("Expand", [updates, g.one("Shape", [g.value(index)])])
    attrs = {"reduction": reduction} if reduction != "none" else {}
    return [g.one("ScatterElements", [g.value(x), g.value(index), updates], axis=int(dim) % x.ndim, **attrs)]


@converts("MaskedFill")
def _masked_fill(g, op, args, outs):
    x, mask, value = args[:3]
    return [g.one("Where", [g.value(mask), _operand(g, value, x), g.value(x)])]


def _split_key(x, key):
    """(array positions, other parts) of an advanced-indexing key, Ellipsis expanded to full slices."""
    key = key if isinstance(key, tuple) else (key,)
    real = sum(1 if not isinstance(k, np.ndarray) or k.dtype != np.bool_ else k.ndim
               for k in key if k is not None and k is not Ellipsis)
    dots = [i for i, k in enumerate(key) if k is Ellipsis]
    if dots:
        i = dots[0]
        key = key[:i] + (slice(None),) * (x.ndim - real) + key[i + 1:]
    key = key + (slice(None),) * (x.ndim - real)
    return key


def _full(k) -> bool:
    return isinstance(k, slice) and k == slice(None)


def _index_ints(g, k) -> str:
    return g.value(k) if k.dtype == np.int64 else _cast(g, g.value(k), np.int64)


@converts("Index")
def _index(g, op, args, outs):
    x, key = args[0], _split_key(args[0], args[1])
    arrays = [i for i, k in enumerate(key) if isinstance(k, np.ndarray)]
    others_full = all(_full(k) for i, k in enumerate(key) if i not in arrays)
    if not others_full:
        raise g.unsupported("ember::index mixing tensor indices with slices other than ':' or None")
    if len(arrays) == 1 and key[arrays[0]].dtype != np.bool_:  # x[idx], x[:, idx]: one Gather
        return [g.one("Gather", [g.value(x), _index_ints(g, key[arrays[0]])], axis=arrays[0])]
    if arrays == [0] and key[0].dtype == np.bool_:  # x[mask]: the positions of the True entries
        where = g.one("Transpose", [g.one("NonZero", [g.value(key[0])])], perm=[1, 0])
        return [g.one("GatherND", [g.value(x), where])]
    if arrays == list(range(len(arrays))) and all(key[i].dtype != np.bool_ for i in arrays) \
            and len({key[i].shape for i in arrays}) == 1:  # x[i, j]: leading index tensors of one shape
        parts = [g.one("Unsqueeze", [_index_ints(g, key[i]), g.ints([-1])]) for i in arrays]
        return [g.one("GatherND", [g.value(x), g.one("Concat", parts, axis=-1)])]
    raise g.unsupported("ember::index with this combination of tensor indices")


@converts("IndexPut")
def _index_put(g, op, args, outs):
    x, key, values = args[0], _split_key(args[0], args[1]), args[2]
    accumulate = bool(args[3]) if len(args) > 3 else False
    arrays = [i for i, k in enumerate(key) if isinstance(k, np.ndarray)]
    xv = g.value(x)
    vv = _operand(g, values, x)
    if arrays == [0] and key[0].dtype == np.bool_ and key[0].shape == tuple(x.shape) and not accumulate:
        return [g.one("Where", [g.value(key[0]), vv, xv])]  # x[mask] = v
    if arrays == [0] and key[0].dtype != np.bool_ and all(_full(k) for k in key[1:]) and key[0].ndim == 1:
        idx = g.one("Unsqueeze", [_index_ints(g, key[0]), g.ints([-1])])  # x[idx] = v along dim 0
        target = g.one("Concat", [g.one("Shape", [g.value(key[0])]),
                                  g.one("Slice", [g.one("Shape", [xv]), g.ints([1]), g.ints([x.ndim])])], axis=0)
        updates = g.one("Expand", [vv, target])
        attrs = {"reduction": "add"} if accumulate else {}
        return [g.one("ScatterND", [xv, idx, updates], **attrs)]
    raise g.unsupported("ember::index_put with this index (supported: x[mask] = v, x[idx] = v along dim 0)")


_COMPARE = {"Eq": "Equal", "Lt": "Less", "Le": "LessOrEqual", "Gt": "Greater", "Ge": "GreaterOrEqual"}


@converts(*_COMPARE, "Ne")
def _compare(g, op, args, outs):
    a, b = args[0], args[1]
    like = a if isinstance(a, Tensor) else b
    y = g.one(_COMPARE.get(op, "Equal"), [_operand(g, a, like), _operand(g, b, like)])
    return [g.one("Not", [y]) if op == "Ne" else y]


_LOGICAL = {"bitwise_and": "And", "bitwise_or": "Or", "bitwise_xor": "Xor"}


@converts(*_LOGICAL)
def _logical(g, op, args, outs):
    a, b = args[0], args[1]
    if outs[0]._data.dtype != np.bool_:
        raise g.unsupported(f"ember::{op} of integer tensors")
    like = a if isinstance(a, Tensor) else b
    return [g.one(_LOGICAL[op], [_operand(g, a, like), _operand(g, b, like)])]


@converts("ToCopy")
def _to_copy(g, op, args, outs):
    x, dt = g.value(args[0]), outs[0]._data.dtype
    return [x if dt == args[0]._data.dtype else _cast(g, x, dt)]


@converts("pack_padded_sequence")
def _pack(g, op, args, outs):
    """The padded input itself (time-major) stands for the PackedSequence; its lengths (int32) go to the
    recurrent layer's ``sequence_lens``, which skips the padding (ONNX's LSTM/GRU/RNN)."""
    x, lengths, batch_first = args[0], args[1], args[2]
    lens = g.value(lengths) if isinstance(lengths, Tensor) else g.const(np.asarray(lengths, np.int64))
    xv = g.value(x)
    if batch_first:
        xv = g.one("Transpose", [xv], perm=[1, 0] + list(range(2, x.ndim)))
    if not hasattr(g, "packed"):
        g.packed = {}
    g.packed[xv] = _cast(g, lens, np.int32)
    g.packed_lengths = getattr(g, "packed_lengths", {})
    g.packed_lengths[xv] = lens
    return [xv] + [None] * (len(outs) - 1)


@converts("pad_packed_sequence")
def _pad(g, op, args, outs):
    """The recurrent output, time-major, cut to the longest sequence (or ``total_length``); the recurrent
    ops already wrote zeros past each sequence's end."""
    seq, batch_first, padding_value, total_length = args[:4]
    if padding_value != 0.0:
        raise g.unsupported("ember::pad_packed_sequence with padding_value != 0")
    y = g.value(seq.data)
    seq_lens = g.packed.get(y) if hasattr(g, "packed") else None
    if seq_lens is None:
        raise g.unsupported("ember::pad_packed_sequence of a PackedSequence not made by pack_padded_sequence")
    lens64 = _cast(g, seq_lens, np.int64)
    if total_length is None:
        top = g.one("Reshape", [g.one("ReduceMax", [lens64], keepdims=1), g.ints([1])])
    else:
        top = g.ints([int(total_length)])
    y = g.one("Slice", [y, g.ints([0]), top, g.ints([0])])
    if total_length is not None:  # padded further than the input: zeros after
        extra = g.one("Sub", [top, g.one("Gather", [g.one("Shape", [y]), g.ints([0])])])
        pads = g.one("Concat", [g.ints([0]), g.ints([0] * (outs[0].ndim - 1)), extra,
                                g.ints([0] * (outs[0].ndim - 1))], axis=0)
        y = g.one("Pad", [y, pads])
    if batch_first:
        y = g.one("Transpose", [y], perm=[1, 0] + list(range(2, outs[0].ndim)))
    return [y, lens64]
