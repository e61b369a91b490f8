"""Masks for padded sequences: ``sequence_mask``, ``masked_softmax`` and ``MaskedSoftmaxCELoss`` (d2l).

A batch of sentences is padded to one length; ``valid_lens`` says how many leading entries of each
row are real. These helpers make the padding invisible to attention and to the loss.
"""
from __future__ import annotations

import ember
from ember.tensor import Tensor
from ember.nn import functional as F
from ember.nn.modules.loss import CrossEntropyLoss

__all__ = ["sequence_mask", "masked_softmax", "MaskedSoftmaxCELoss"]


def _as_lens(valid_len) -> Tensor:
    return valid_len if isinstance(valid_len, Tensor) else ember.tensor(valid_len)


def sequence_mask(X: Tensor, valid_len: Tensor, value: float = 0) -> Tensor:
    """Entries ``X[i, j]`` with ``j >= valid_len[i]`` replaced by ``value``.

    Shape: ``X`` (N, L, *), ``valid_len`` (N,). Returns a new tensor of ``X``'s shape (d2l writes into
    ``X``; the values are the same). The gradient flows to the kept entries only.

    >>> import ember
    >>> sequence_mask(ember.tensor([[1, 2, 3], [4, 5, 6]]), ember.tensor([1, 2]))
    tensor([[1, 0, 0],
            [4, 5, 0]])
    """
    valid_len = _as_lens(valid_len)
    if valid_len.dim() != 1 or valid_len.shape[0] != X.shape[0]:
        raise ValueError(f"sequence_mask: valid_len must have shape ({X.shape[0]},) for X of shape "
                         f"{tuple(X.shape)}, got {tuple(valid_len.shape)}")
    maxlen = X.shape[1]
    mask = ember.arange(maxlen, dtype=ember.float32)[None, :] < valid_len[:, None]
    mask = mask.reshape(mask.shape + (1,) * (X.dim() - 2))
    return X.masked_fill(~mask, value)


def masked_softmax(X: Tensor, valid_lens: Tensor | None) -> Tensor:
    """Softmax over the last axis that gives weight 0 to the positions at or past ``valid_lens``.

    ``softmax(X)`` with the masked scores set to -1e6 first (d2l's rule: a row with ``valid_len`` 0
    becomes uniform). Shape: ``X`` (N, Q, K); ``valid_lens`` None, (N,) (one length per batch entry, all
    queries) or (N, Q) (one per query).

    >>> import ember
    >>> masked_softmax(ember.zeros(1, 2, 4), ember.tensor([[1, 3]]))
    tensor([[[1.0000, 0.0000, 0.0000, 0.0000],
             [0.3333, 0.3333, 0.3333, 0.0000]]])
    """
    if valid_lens is None:
        return F.softmax(X, dim=-1)
    valid_lens = _as_lens(valid_lens)
    shape = X.shape
    if valid_lens.dim() == 1:
        if valid_lens.shape[0] != shape[0]:
            raise ValueError(f"masked_softmax: valid_lens of shape {tuple(valid_lens.shape)} does not match X of "
                             f"shape {tuple(shape)}; give one length per batch entry ({shape[0]},) or per query "
                             f"({shape[0]}, {shape[1]})")
        valid_lens = ember.repeat_interleave(valid_lens, shape[1])
    else:
        if tuple(valid_lens.shape) != tuple(shape[:2]):
            raise ValueError(f"masked_softmax: valid_lens of shape {tuple(valid_lens.shape)} does not match X of "
                             f"shape {tuple(shape)}; expected ({shape[0]},) or ({shape[0]}, {shape[1]})")
        valid_lens = valid_lens.reshape(-1)
    X = sequence_mask(X.reshape(-1, shape[-1]), valid_lens, value=-1e6)
    return F.softmax(X.reshape(shape), dim=-1)


class MaskedSoftmaxCELoss(CrossEntropyLoss):
    """Cross-entropy of each sequence averaged over its ``num_steps`` with the padding weighted 0:

        loss_i = (1 / L) sum_{t < valid_len_i} -log softmax(pred_i,t)[label_i,t]

    Shape: ``pred`` (N, L, V) logits, ``label`` (N, L) class indices, ``valid_len`` (N,). Output (N,).

    >>> import ember
    >>> loss = MaskedSoftmaxCELoss()
    >>> loss(ember.ones(3, 4, 10), ember.ones((3, 4), dtype=ember.long), ember.tensor([4, 2, 0]))
    tensor([2.3026, 1.1513, 0.0000])
    """

    def forward(self, pred: Tensor, label: Tensor, valid_len: Tensor) -> Tensor:  # type: ignore[override]
        weights = sequence_mask(ember.ones_like(label, dtype=pred.dtype), valid_len)
        unweighted = F.cross_entropy(pred.permute(0, 2, 1), label, weight=self.weight, ignore_index=self.ignore_index,
                                     reduction="none", label_smoothing=self.label_smoothing)
        return (unweighted * weights).mean(dim=1)
