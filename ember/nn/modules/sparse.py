"""Sparse layers: ``Embedding`` and ``EmbeddingBag``.

Embedding: y[j] = W[z_j]; W (num_embeddings, embedding_dim) ~ N(0, 1), with the ``padding_idx`` row
zeroed (it gets no gradient). Shape: Input (*) integer indices, Output (*, embedding_dim).
Gradient: dL/dW[i] = sum of g[j] over the j with z_j = i (a scatter-add; divided by the count of i
with ``scale_grad_by_freq``).

EmbeddingBag: the sum / mean / max of the embeddings of each bag, W ~ N(0, 1).
Shape: Input (B, N) or 1-D with offsets (B,), Output (B, embedding_dim).

>>> import ember
>>> emb = ember.nn.Embedding(10, 3, padding_idx=0)
>>> emb(ember.tensor([[0, 2], [4, 0]])).shape
ember.Size([2, 2, 3])
>>> emb.weight[0].tolist()
[0.0, 0.0, 0.0]
"""
from __future__ import annotations

from ..._grad_mode import no_grad
from ...ops.creation import empty
from .. import functional as F
from ..functional.sparse import _norm_padding
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Embedding", "EmbeddingBag"]


def _zero_padding_row(weight, padding_idx) -> None:
    if padding_idx is not None:
        with no_grad():
            weight[padding_idx].fill_(0)


def _make_weight(num_embeddings: int, embedding_dim: int, _weight, dtype):
    if _weight is None:
        return Parameter(empty((num_embeddings, embedding_dim), dtype=dtype)), True
    if list(_weight.shape) != [num_embeddings, embedding_dim]:
        raise AssertionError("Shape of weight does not match num_embeddings and embedding_dim")
    return Parameter(_weight), False


class Embedding(Module):
    """A lookup table of ``num_embeddings`` vectors of size ``embedding_dim``: y[j] = weight[input[j]].

    Args:
        num_embeddings: the size of the table (indices run over 0 .. num_embeddings - 1).
        embedding_dim: the size of each vector.
        padding_idx: this row is initialised to zeros and gets no gradient (a "padding" token). Default: None.
        max_norm: if given, looked-up rows with a larger ``norm_type``-norm are renormalised in place to
            ``max_norm``. Default: None.
        norm_type: the p of the p-norm for ``max_norm``. Default: 2.
        scale_grad_by_freq: divide each row's gradient by the count of its index in the batch. Default: ``False``.
        sparse: accepted for torch compatibility; the gradient is dense.

    Shape:
        - Input: (*), an integer tensor of indices of any shape.
        - Output: (*, embedding_dim).

    Attributes:
        weight: (num_embeddings, embedding_dim), initialised from N(0, 1) (the ``padding_idx`` row zeroed).

    Gradient: dL/dweight[i] = sum of g[j] over the positions j with input[j] == i (a scatter-add; zero for
    padding_idx; divided by the count of i with scale_grad_by_freq). Indices get no gradient.

    Examples::

        >>> import ember
        >>> emb = ember.nn.Embedding(10, 3, padding_idx=0)
        >>> emb(ember.tensor([[1, 2, 4, 5], [4, 3, 2, 9]])).shape
        ember.Size([2, 4, 3])
        >>> emb.weight[0].tolist()
        [0.0, 0.0, 0.0]
        >>> pretrained = ember.nn.Embedding.from_pretrained(ember.tensor([[1.0, 2.3], [4.0, 5.1]]))
        >>> pretrained(ember.tensor([1])).tolist()
        [[4.0, 5.099999904632568]]
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight=None, _freeze: bool = False, device=None, dtype=None) -> None:
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = _norm_padding(padding_idx, num_embeddings)
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        self.weight, fresh = _make_weight(num_embeddings, embedding_dim, _weight, dtype)
        self.weight.requires_grad_(not _freeze)
        if fresh:
            self.reset_parameters()

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self) -> None:
        _zero_padding_row(self.weight, self.padding_idx)

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += ", scale_grad_by_freq=True"
        if self.sparse:
            s += ", sparse=True"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, padding_idx: int | None = None,
                        max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> "Embedding":
        """An Embedding whose weight is ``embeddings`` (2-D), frozen unless ``freeze=False``."""
        if embeddings.ndim != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
                   _weight=embeddings, _freeze=freeze)


class EmbeddingBag(Module):
    """Reduces bags of embeddings without materialising them: for bag b with indices z_b,
    y_b = sum_{j in b} s_j W[z_j] (``'sum'``), its mean over the bag (``'mean'``) or the elementwise max
    (``'max'``), with s_j the ``per_sample_weights`` (1 when not given; ``'sum'`` only).

    Gradient: dL/dW[i] = sum over the bag positions j with z_j = i of s_j g_b (``'sum'``), g_b / |b|
    (``'mean'``), or g_b at the argmax only (``'max'``); the ``padding_idx`` row gets none.

    Args:
        num_embeddings: the size of the dictionary.
        embedding_dim: the size of each embedding vector.
        max_norm: if given, rows with a larger ``norm_type`` norm are renormalized to max_norm when looked up.
        norm_type: the p of that norm. Default: 2.
        scale_grad_by_freq: divide the gradient by the index frequency in the mini-batch (not with 'max').
            Default: ``False``.
        mode: ``'sum'``, ``'mean'`` or ``'max'``. Default: ``'mean'``.
        sparse: accepted for torch's signature; the gradient is dense. Default: ``False``.
        include_last_offset: if ``True``, ``offsets`` has B + 1 entries, the last the end of the last bag.
            Default: ``False``.
        padding_idx: an index whose entries are skipped (they add nothing to a bag). Default: ``None``.

    Call: ``m(input, offsets=None, per_sample_weights=None)``.

    Shape:
        - Input: (B, N), B bags of N indices each (offsets must be ``None``), or 1-D (S,), all bags
          concatenated, with ``offsets`` (B,) the start of each bag.
        - per_sample_weights: the shape of the input.
        - Output: (B, embedding_dim).

    Attributes:
        weight: (num_embeddings, embedding_dim), drawn from N(0, 1), the ``padding_idx`` row zeroed.

    Examples::

        >>> import ember
        >>> w = ember.tensor([[1.0, 0.0], [2.0, 4.0], [0.0, 6.0]])
        >>> bag = ember.nn.EmbeddingBag.from_pretrained(w, mode="mean")
        >>> bag(ember.tensor([0, 1, 2, 2]), ember.tensor([0, 3]))
        tensor([[1.0000, 3.3333],
                [0.0000, 6.0000]])
        >>> ember.nn.EmbeddingBag(10, 3, mode="max")(ember.tensor([[1, 2, 4], [4, 3, 9]])).shape
        ember.Size([2, 3])
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, max_norm: float | None = None,
                 norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                 _weight=None, include_last_offset: bool = False, padding_idx: int | None = None,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.max_norm, self.norm_type, self.scale_grad_by_freq = max_norm, norm_type, scale_grad_by_freq
        self.padding_idx = _norm_padding(padding_idx, num_embeddings)
        self.weight, fresh = _make_weight(num_embeddings, embedding_dim, _weight, dtype)
        self.mode, self.sparse, self.include_last_offset = mode, sparse, include_last_offset
        if fresh:
            self.reset_parameters()

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        _zero_padding_row(self.weight, self.padding_idx)

    def forward(self, input, offsets=None, per_sample_weights=None):
        return F.embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type,
                               self.scale_grad_by_freq, self.mode, self.sparse, per_sample_weights,
                               self.include_last_offset, self.padding_idx)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += ", scale_grad_by_freq=True"
        s += f", mode={self.mode!r}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, max_norm: float | None = None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False, mode: str = "mean",
                        sparse: bool = False, include_last_offset: bool = False,
                        padding_idx: int | None = None) -> "EmbeddingBag":
        if embeddings.ndim != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        bag = cls(rows, cols, max_norm, norm_type, scale_grad_by_freq, mode, sparse, embeddings,
                  include_last_offset, padding_idx)
        bag.weight.requires_grad_(not freeze)
        return bag
