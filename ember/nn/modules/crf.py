"""``nn.CRF``: a linear-chain conditional random field over emission scores (ember's own layer).

For emissions e (T, N, K) and a tag path y of length L (the mask's count for that sequence):
    score(y) = start[y_1] + sum_{t=1..L} e_t[y_t] + sum_{t=2..L} A[y_(t-1), y_t] + end[y_L]
    log Z = log sum_y exp score(y)      (forward algorithm in log space, O(L K^2))
    NLL(y) = log Z - score(y)
``forward`` returns the NLL reduced by ``reduction``: 'sum' (default), 'mean' (over the batch),
'token_mean' (divided by the number of unmasked tokens) or 'none' (N,). ``decode`` returns the Viterbi
paths argmax_y score(y) as a list of lists. Gradients flow through ember ops (logsumexp, gather).

Parameters: ``start_transitions`` (K), ``end_transitions`` (K), ``transitions`` (K, K; from tag i to
tag j), all U(-0.1, 0.1).
Shape: emissions (T, N, K) ((N, T, K) with batch_first), tags (T, N) int64, mask (T, N) bool with the
first step on for every sequence (defaults to all on).

>>> import ember
>>> crf = ember.nn.CRF(5)
>>> em = ember.randn(4, 2, 5)
>>> crf(em, ember.randint(0, 5, (4, 2))).shape
ember.Size([])
>>> len(crf.decode(em)), len(crf.decode(em)[0])
(2, 4)
"""
from __future__ import annotations

import numpy as np

from ...ops.creation import empty, ones
from ...ops.reduction import logsumexp
from ...ops.ternary import where
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["CRF"]


class CRF(Module):
    """Linear-chain conditional random field over emission scores (Lafferty et al., 2001; ember's own layer):
    the negative log-likelihood of a tag path in ``forward``, the Viterbi path in ``decode``.

    For emissions e (T, N, K) and a tag path y of length L (the mask's count for that sequence):
        score(y) = start[y_1] + sum_{t=1..L} e_t[y_t] + sum_{t=2..L} A[y_(t-1), y_t] + end[y_L]
        log Z = log sum_y exp score(y)      (the forward algorithm in log space, O(L K^2))
        NLL(y) = log Z - score(y)

    Gradient: composed of ember ops (logsumexp, gather), so dNLL/de_t[k] = P(y_t = k | e) - [y_t = k], the
    tag marginals minus the observed tags, and likewise for the transitions.

    Args:
        num_tags: K, the number of tags.
        batch_first: if ``True``, emissions are (N, T, K) and tags / mask (N, T). Default: ``False``.

    Call: ``m(emissions, tags, mask=None, reduction='sum')``, reduction one of ``'sum'``, ``'mean'`` (over the
    batch), ``'token_mean'`` (divided by the unmasked tokens) or ``'none'``; ``m.decode(emissions, mask=None)``
    returns the best path of each sequence as a list of lists of ints.

    Shape:
        - Emissions: (T, N, K), or (N, T, K) with batch_first.
        - Tags: (T, N) int64 (or (N, T)).
        - Mask: (T, N) bool (or (N, T)), the first step on for every sequence. Default: all on.
        - Output: a scalar, or (N,) with ``reduction='none'``.

    Attributes:
        start_transitions: (K,), end_transitions: (K,), transitions: (K, K) (from tag i to tag j), all
        drawn from U(-0.1, 0.1).

    Examples::

        >>> import ember
        >>> crf = ember.nn.CRF(5)
        >>> emissions = ember.randn(4, 2, 5)
        >>> crf(emissions, ember.randint(0, 5, (4, 2))).shape
        ember.Size([])
        >>> paths = crf.decode(emissions)
        >>> len(paths), len(paths[0])
        (2, 4)
    """

    def __init__(self, num_tags: int, batch_first: bool = False) -> None:
        if num_tags <= 0:
            raise ValueError(f"invalid number of tags: {num_tags}")
        super().__init__()
        self.num_tags, self.batch_first = num_tags, batch_first
        self.start_transitions = Parameter(empty(num_tags))
        self.end_transitions = Parameter(empty(num_tags))
        self.transitions = Parameter(empty(num_tags, num_tags))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.uniform_(self.start_transitions, -0.1, 0.1)
        init.uniform_(self.end_transitions, -0.1, 0.1)
        init.uniform_(self.transitions, -0.1, 0.1)

    def extra_repr(self) -> str:
        return f"num_tags={self.num_tags}"

    def _prepare(self, emissions, tags=None, mask=None) -> tuple:
        if emissions.dim() != 3:
            raise ValueError(f"emissions must have dimension of 3, got {emissions.dim()}")
        if emissions.size(2) != self.num_tags:
            raise ValueError(f"expected last dimension of emissions is {self.num_tags}, got {emissions.size(2)}")
        if self.batch_first:
            emissions = emissions.transpose(0, 1)
            tags = tags.transpose(0, 1) if tags is not None else None
            mask = mask.transpose(0, 1) if mask is not None else None
        if tags is not None and tuple(tags.shape) != tuple(emissions.shape[:2]):
            raise ValueError(f"the first two dimensions of emissions and tags must match, got "
                             f"{tuple(emissions.shape[:2])} and {tuple(tags.shape)}")
        if mask is None:
            mask = ones(emissions.shape[:2], dtype=emissions.dtype)
        else:
            if tuple(mask.shape) != tuple(emissions.shape[:2]):
                raise ValueError(f"the first two dimensions of emissions and mask must match, got "
                                 f"{tuple(emissions.shape[:2])} and {tuple(mask.shape)}")
            if not bool(mask[0].bool().all()):
                raise ValueError("mask of the first timestep must all be on")
            mask = mask.to(emissions.dtype)
        return emissions, tags, mask

    def forward(self, emissions, tags, mask=None, reduction: str = "sum"):
        """The negative log-likelihood of ``tags`` given ``emissions``."""
        if reduction not in ("none", "sum", "mean", "token_mean"):
            raise ValueError(f"invalid reduction: {reduction}")
        emissions, tags, mask = self._prepare(emissions, tags, mask)
        nll = self._log_partition(emissions, mask) - self._score(emissions, tags, mask)
        if reduction == "none":
            return nll
        if reduction == "sum":
            return nll.sum()
        if reduction == "mean":
            return nll.mean()
        return nll.sum() / mask.sum()

    def _score(self, emissions, tags, mask):
        """score(y) of the given paths, (N,)."""
        T, N = tags.shape
        gold = emissions.gather(2, tags.unsqueeze(2)).squeeze(2)  # (T, N)
        score = self.start_transitions[tags[0]] + (gold * mask).sum(0)
        if T > 1:
            score = score + (self.transitions[tags[:-1], tags[1:]] * mask[1:]).sum(0)
        last = mask.sum(0).long() - 1
        last_tags = tags.gather(0, last.unsqueeze(0)).squeeze(0)
        return score + self.end_transitions[last_tags]

    def _log_partition(self, emissions, mask):
        """log Z by the forward algorithm, (N,)."""
        alpha = self.start_transitions + emissions[0]  # (N, K)
        trans = self.transitions.unsqueeze(0)
        for t in range(1, emissions.shape[0]):
            nxt = logsumexp(alpha.unsqueeze(2) + trans + emissions[t].unsqueeze(1), dim=1)
            alpha = where(mask[t].unsqueeze(1) > 0, nxt, alpha)
        return logsumexp(alpha + self.end_transitions, dim=1)

    def decode(self, emissions, mask=None) -> list:
        """Viterbi: the best tag path of each sequence (a list of lists of ints)."""
        emissions, _, mask = self._prepare(emissions, None, mask)
        e = emissions.detach().numpy()
        m = mask.detach().numpy() > 0
        start = self.start_transitions.detach().numpy()
        end = self.end_transitions.detach().numpy()
        trans = self.transitions.detach().numpy()
        T, N, _ = e.shape
        score = start + e[0]
        back = np.zeros((T, N, self.num_tags), dtype=np.int64)
        for t in range(1, T):
            cand = score[:, :, None] + trans[None] + e[t][:, None, :]
            best = cand.argmax(1)
            back[t] = best
            score = np.where(m[t][:, None], np.take_along_axis(cand, best[:, None, :], 1)[:, 0], score)
        score = score + end
        lengths = m.sum(0)
        paths = []
        for n in range(N):
            tag = int(score[n].argmax())
            path = [tag]
            for t in range(int(lengths[n]) - 1, 0, -1):
                tag = int(back[t, n, tag])
                path.append(tag)
            paths.append(path[::-1])
        return paths

