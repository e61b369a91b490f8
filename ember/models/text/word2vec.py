"""Skip-gram word2vec with negative sampling (Mikolov et al. 2013), as d2l trains it: ``skip_gram``,
``SkipGram``, ``SigmoidBCELoss``, ``train_word2vec`` and ``get_similar_tokens``."""
from __future__ import annotations

from typing import Iterable

import ember
from ember import nn
from ember.tensor import Tensor
from ember.nn import functional as F

__all__ = ["skip_gram", "SkipGram", "SigmoidBCELoss", "train_word2vec", "get_similar_tokens"]


def skip_gram(center: Tensor, contexts_and_negatives: Tensor, embed_v: nn.Module, embed_u: nn.Module) -> Tensor:
    """Scores u_o . v_c of each center word with its context and noise words.

    Shape: center (N, 1), contexts_and_negatives (N, M) ids. Output (N, 1, M).

    >>> import ember
    >>> emb = ember.nn.Embedding(20, 4)
    >>> skip_gram(ember.ones(2, 1, dtype=ember.long), ember.ones(2, 6, dtype=ember.long), emb, emb).shape
    ember.Size([2, 1, 6])
    """
    v = embed_v(center.long())
    u = embed_u(contexts_and_negatives.long())
    return ember.bmm(v, u.permute(0, 2, 1))


class SkipGram(nn.Module):
    """The two embedding tables of skip-gram: ``embed_v`` for center words (the word vectors one keeps)
    and ``embed_u`` for context words, each (V, embed_size) ~ N(0, 1). ``forward`` = ``skip_gram``.
    ``net[0]``, ``net[1]`` give the tables, as d2l's ``nn.Sequential`` of two embeddings.

    >>> import ember
    >>> SkipGram(20, 4)(ember.ones(2, 1, dtype=ember.long), ember.ones(2, 6, dtype=ember.long)).shape
    ember.Size([2, 1, 6])
    """

    def __init__(self, vocab_size: int, embed_size: int) -> None:
        super().__init__()
        self.embed_v = nn.Embedding(vocab_size, embed_size)
        self.embed_u = nn.Embedding(vocab_size, embed_size)

    def __getitem__(self, i: int) -> nn.Module:
        return (self.embed_v, self.embed_u)[i]

    def forward(self, center: Tensor, contexts_and_negatives: Tensor) -> Tensor:
        return skip_gram(center, contexts_and_negatives, self.embed_v, self.embed_u)


class SigmoidBCELoss(nn.Module):
    """Binary cross-entropy on logits, weighted by ``mask`` (0 for padding) and averaged per row:

        loss_i = (1/M) sum_j mask_ij * -[y_ij log s(x_ij) + (1 - y_ij) log(1 - s(x_ij))]

    Shape: inputs, target, mask (N, M). Output (N,).

    >>> import ember
    >>> loss = SigmoidBCELoss()
    >>> pred = ember.tensor([[1.1, -2.2, 3.3, -4.4]] * 2)
    >>> label = ember.tensor([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]])
    >>> mask = ember.tensor([[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 0.0, 0.0]])
    >>> loss(pred, label, mask) * mask.shape[1] / mask.sum(dim=1)
    tensor([0.9352, 1.8462])
    """

    def forward(self, inputs: Tensor, target: Tensor, mask: Tensor | None = None) -> Tensor:
        out = F.binary_cross_entropy_with_logits(inputs, target, weight=mask, reduction="none")
        return out.mean(dim=1)


def train_word2vec(net: SkipGram, data_iter: Iterable, lr: float, num_epochs: int, device=None,
                   log=None) -> list:
    """d2l's loop: Xavier-uniform init, Adam, per batch (center, contexts_negatives, mask, label) the
    masked ``SigmoidBCELoss`` normalised by each row's real length. Returns the mean loss per epoch;
    ``log(epoch, loss)`` is called after each epoch when given."""
    for m in (net[0], net[1]):
        nn.init.xavier_uniform_(m.weight)
    optimizer = ember.optim.Adam(net.parameters(), lr=lr)
    loss = SigmoidBCELoss()
    history = []
    for epoch in range(num_epochs):
        total, count = 0.0, 0
        for center, context_negative, mask, label in data_iter:
            optimizer.zero_grad()
            pred = net(center, context_negative)
            mask, label = mask.float(), label.float()
            l = loss(pred.reshape(label.shape).float(), label, mask) / mask.sum(dim=1) * mask.shape[1]
            l.sum().backward()
            optimizer.step()
            total += float(l.sum())
            count += l.numel()
        history.append(total / max(count, 1))
        if log is not None:
            log(epoch, history[-1])
    return history


def get_similar_tokens(query_token: str, k: int, embed: nn.Embedding, vocab) -> list:
    """The ``k`` tokens whose vectors have the largest cosine similarity with ``query_token``'s, as
    (token, cosine) pairs (the query itself left out)."""
    W = embed.weight.detach()
    x = W[vocab[query_token]]
    cos = ember.mv(W, x) / ember.sqrt((W * W).sum(dim=1) * (x * x).sum() + 1e-9)
    topk = ember.topk(cos, k=k + 1).indices.tolist()
    return [(vocab.idx_to_token[i], float(cos[i])) for i in topk[1:]]
