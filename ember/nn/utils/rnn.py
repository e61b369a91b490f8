"""``nn.utils.rnn``: packed sequences for variable-length batches, as torch.

A ``PackedSequence`` stores the valid steps of a batch of sequences time-major, without padding:
the rows of time step ``t`` are ``data[off_t : off_t + batch_sizes[t]]``, the sequences sorted by
decreasing length (``sorted_indices`` maps sorted position -> original batch index and
``unsorted_indices`` is its inverse). Every recurrent layer accepts one and returns one.

Packing and unpacking are single ``index_select`` gathers, so gradients flow through them.

>>> import ember
>>> from ember.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
>>> x = ember.arange(6.).reshape(3, 2)           # (T=3, B=2)
>>> p = pack_padded_sequence(x, [3, 1])
>>> p.data, p.batch_sizes
(tensor([0., 1., 2., 4.]), tensor([2, 1, 1]))
>>> pad_packed_sequence(p)[1]
tensor([3, 1])
"""
from __future__ import annotations

from collections import namedtuple
from typing import Sequence

import numpy as np

from ...ops.creation import full, tensor
from ...ops.joining import cat, stack
from ...tensor import Tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
           "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence"]

_Packed = namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


def _long(a) -> Tensor:
    return tensor(np.asarray(a, dtype=np.int64))


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse permutation: ``out[permutation[i]] = i``."""
    if permutation is None:
        return None
    p = permutation._data
    inv = np.empty_like(p)
    inv[p] = np.arange(p.shape[0], dtype=p.dtype)
    return _long(inv)


class PackedSequence(_Packed):
    """(data, batch_sizes, sorted_indices, unsorted_indices); build it with ``pack_*``, not by hand."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # PackedSequence((data, batch_sizes)) as torch accepts
            data, batch_sizes = data
        if not isinstance(batch_sizes, Tensor):
            batch_sizes = _long(batch_sizes)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _map_data(self, fn) -> "PackedSequence":
        return type(self)(fn(self.data), self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def to(self, *args, **kwargs) -> "PackedSequence":
        return self._map_data(lambda d: d.to(*args, **kwargs))

    def cpu(self) -> "PackedSequence":
        return self

    def double(self) -> "PackedSequence":
        return self._map_data(lambda d: d.double())

    def float(self) -> "PackedSequence":
        return self._map_data(lambda d: d.float())

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        return False


def _lengths_array(lengths) -> np.ndarray:
    if isinstance(lengths, Tensor):
        return lengths._data.astype(np.int64).reshape(-1)
    return np.asarray(lengths, dtype=np.int64).reshape(-1)


def _batch_sizes(sorted_lengths: np.ndarray) -> np.ndarray:
    """batch_sizes[t] = how many sequences are longer than t (lengths sorted decreasingly)."""
    steps = np.arange(int(sorted_lengths[0]))
    return (sorted_lengths[None, :] > steps[:, None]).sum(1).astype(np.int64)


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch ``(T, B, *)`` (``(B, T, *)`` if batch_first) of sequences of ``lengths``."""
    lens = _lengths_array(lengths)
    if enforce_sorted:
        if np.any(lens[:-1] < lens[1:]):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                               "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                               "pack_sequence to sidestep this requirement if you do not need ONNX "
                               "exportability.")
        order, sorted_indices = np.arange(lens.shape[0]), None
    else:
        order = np.argsort(-lens, kind="stable")
        sorted_indices = _long(order)
    slens = lens[order]
    if slens.shape[0] and slens[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    T, B = (input.shape[1], input.shape[0]) if batch_first else (input.shape[0], input.shape[1])
    if slens[0] > T:
        raise RuntimeError(f"Expected sequence length to be smaller than or equal to the padded length "
                           f"{T}, got {int(slens[0])}")
    bs = _batch_sizes(slens)
    if batch_first:
        rows = [order[:b] * T + t for t, b in enumerate(bs)]
    else:
        rows = [t * B + order[:b] for t, b in enumerate(bs)]
    flat = input.reshape(T * B, *input.shape[2:])
    data = flat.index_select(0, _long(np.concatenate(rows)))
    return PackedSequence(data, _long(bs), sorted_indices, invert_permutation(sorted_indices))


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple:
    """Inverse of ``pack_padded_sequence``: (padded ``(T, B, *)`` or ``(B, T, *)``, lengths as int64)."""
    data, bs = sequence.data, sequence.batch_sizes._data
    T, B, n = int(bs.shape[0]), int(bs[0]), data.shape[0]
    if total_length is not None:
        if total_length < T:
            raise ValueError(f"Expected total_length to be at least the length of the longest sequence in "
                             f"input, but got total_length={total_length} and max sequence length being {T}")
        T_out = total_length
    else:
        T_out = T
    unsorted = (sequence.unsorted_indices._data if sequence.unsorted_indices is not None
                else np.arange(B))
    offs = np.concatenate([[0], np.cumsum(bs)[:-1]])
    pos = unsorted[None, :]  # sorted position of each original batch entry
    active = np.zeros((T_out, 1), dtype=np.int64)
    active[:T, 0] = bs
    offs_full = np.zeros((T_out, 1), dtype=np.int64)
    offs_full[:T, 0] = offs
    idx = np.where(pos < active, offs_full + pos, n)  # (T_out, B): a data row or the padding row
    if batch_first:
        idx = idx.T
    pad_row = full((1, *data.shape[1:]), padding_value, dtype=data.dtype)
    padded = cat([data, pad_row]).index_select(0, _long(idx.reshape(-1)))
    padded = padded.reshape(*idx.shape, *data.shape[1:])
    lengths = (bs[:, None] > np.arange(B)[None, :]).sum(0)[unsorted]
    return padded, _long(lengths)


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack variable-length tensors ``(L_i, *)`` into ``(T, B, *)`` (``(B, T, *)`` if batch_first)."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))
    sequences = list(sequences)
    T = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        gap = T - s.shape[0]
        if gap == 0:
            padded.append(s)
            continue
        fill = full((gap, *s.shape[1:]), padding_value, dtype=s.dtype)
        padded.append(cat([s, fill]) if padding_side == "right" else cat([fill, s]))
    return stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences: Tensor, lengths, batch_first: bool = False) -> list:
    """Split a padded batch back into a list of ``(L_i, *)`` tensors."""
    lens = _lengths_array(lengths).tolist()
    if batch_first:
        return [padded_sequences[i, :n] for i, n in enumerate(lens)]
    return [padded_sequences[:n, i] for i, n in enumerate(lens)]


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of variable-length tensors ``(L_i, *)``."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """The list of tensors a ``PackedSequence`` was packed from."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
