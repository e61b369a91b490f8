"""BERT (Devlin et al. 2019) as d2l builds it: ``BERTEncoder``, the pretraining heads ``MaskLM`` and
``NextSentencePred``, ``BERTModel``, and fine-tuning heads ``BERTClassifier`` (sentence pairs, d2l's)
and ``BERTSentenceClassifier`` (one sentence)."""
from __future__ import annotations

import ember
from ember import nn
from ember.tensor import Tensor

from .transformer import TransformerEncoderBlock

__all__ = ["BERTEncoder", "MaskLM", "NextSentencePred", "BERTModel", "BERTClassifier", "BERTSentenceClassifier"]


class BERTEncoder(nn.Module):
    """Token + segment + learned position embeddings, then ``num_blks`` Transformer encoder blocks (with
    biases). Parameters: ``token_embedding`` (V, h), ``segment_embedding`` (2, h), ``pos_embedding``
    (1, max_len, h) ~ N(0, 1), ``blks``.

    Shape: tokens, segments (N, T) ids, ``valid_lens`` (N,) or None. Output (N, T, h).

    >>> import ember
    >>> enc = BERTEncoder(100, 24, 48, 4, 2, 0.2).eval()
    >>> enc(ember.ones(2, 8, dtype=ember.long), ember.zeros(2, 8, dtype=ember.long), None).shape
    ember.Size([2, 8, 24])
    """

    def __init__(self, vocab_size: int, num_hiddens: int, ffn_num_hiddens: int, num_heads: int, num_blks: int,
                 dropout: float, max_len: int = 1000) -> None:
        super().__init__()
        self.token_embedding = nn.Embedding(vocab_size, num_hiddens)
        self.segment_embedding = nn.Embedding(2, num_hiddens)
        self.blks = nn.Sequential()
        for i in range(num_blks):
            self.blks.add_module(f"{i}", TransformerEncoderBlock(num_hiddens, ffn_num_hiddens, num_heads, dropout, True))
        self.pos_embedding = nn.Parameter(ember.randn(1, max_len, num_hiddens))

    def forward(self, tokens: Tensor, segments: Tensor, valid_lens: Tensor | None) -> Tensor:
        if tokens.shape[1] > self.pos_embedding.shape[1]:
            raise ValueError(f"BERTEncoder: sequences of length {tokens.shape[1]} are longer than max_len "
                             f"{self.pos_embedding.shape[1]}")
        X = self.token_embedding(tokens.long()) + self.segment_embedding(segments.long())
        X = X + self.pos_embedding[:, :X.shape[1], :]
        for blk in self.blks:
            X = blk(X, valid_lens)
        return X


class MaskLM(nn.Module):
    """The masked-language-model head: gathers the encodings at ``pred_positions`` and maps them with
    Linear(h) -> ReLU -> LayerNorm -> Linear(V) (``mlp``).

    Shape: X (N, T, num_inputs), pred_positions (N, P). Output logits (N, P, V). ``num_inputs`` defaults
    to ``num_hiddens`` (d2l reads it lazily).

    >>> import ember
    >>> MaskLM(100, 24)(ember.ones(2, 8, 24), ember.tensor([[1, 5, 2], [6, 1, 5]])).shape
    ember.Size([2, 3, 100])
    """

    def __init__(self, vocab_size: int, num_hiddens: int, num_inputs: int | None = None) -> None:
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(num_inputs or num_hiddens, num_hiddens), nn.ReLU(),
                                 nn.LayerNorm(num_hiddens), nn.Linear(num_hiddens, vocab_size))

    def forward(self, X: Tensor, pred_positions: Tensor) -> Tensor:
        batch_size, num_pred_positions = X.shape[0], pred_positions.shape[1]
        batch_idx = ember.repeat_interleave(ember.arange(batch_size), num_pred_positions)
        masked_X = X[batch_idx, pred_positions.reshape(-1).long()]
        return self.mlp(masked_X.reshape(batch_size, num_pred_positions, -1))


class NextSentencePred(nn.Module):
    """The next-sentence head: Linear(num_inputs, 2) on the (transformed) ``<cls>`` encoding.
    Shape: (N, num_inputs) -> (N, 2).

    >>> import ember
    >>> NextSentencePred(24)(ember.ones(2, 24)).shape
    ember.Size([2, 2])
    """

    def __init__(self, num_inputs: int) -> None:
        super().__init__()
        self.output = nn.Linear(num_inputs, 2)

    def forward(self, X: Tensor) -> Tensor:
        return self.output(X)


class BERTModel(nn.Module):
    """``BERTEncoder`` + ``hidden`` (Linear(h, h), Tanh on ``<cls>``) + ``mlm`` + ``nsp``.

    ``forward(tokens, segments, valid_lens=None, pred_positions=None)`` -> (encodings (N, T, h),
    MLM logits (N, P, V) or None, NSP logits (N, 2)).

    >>> import ember
    >>> net = BERTModel(100, 24, 48, 4, 2, 0.2).eval()
    >>> tokens, segments = ember.ones(2, 8, dtype=ember.long), ember.zeros(2, 8, dtype=ember.long)
    >>> [t.shape for t in net(tokens, segments, None, ember.tensor([[1, 2], [3, 4]]))]
    [ember.Size([2, 8, 24]), ember.Size([2, 2, 100]), ember.Size([2, 2])]
    """

    def __init__(self, vocab_size: int, num_hiddens: int, ffn_num_hiddens: int, num_heads: int, num_blks: int,
                 dropout: float, max_len: int = 1000) -> None:
        super().__init__()
        self.encoder = BERTEncoder(vocab_size, num_hiddens, ffn_num_hiddens, num_heads, num_blks, dropout,
                                   max_len=max_len)
        self.hidden = nn.Sequential(nn.Linear(num_hiddens, num_hiddens), nn.Tanh())
        self.mlm = MaskLM(vocab_size, num_hiddens)
        self.nsp = NextSentencePred(num_hiddens)

    def forward(self, tokens: Tensor, segments: Tensor, valid_lens: Tensor | None = None,
                pred_positions: Tensor | None = None) -> tuple:
        encoded_X = self.encoder(tokens, segments, valid_lens)
        mlm_Y_hat = self.mlm(encoded_X, pred_positions) if pred_positions is not None else None
        nsp_Y_hat = self.nsp(self.hidden(encoded_X[:, 0, :]))
        return encoded_X, mlm_Y_hat, nsp_Y_hat


class BERTClassifier(nn.Module):
    """Fine-tuning head for sentence pairs (d2l's, for natural language inference): the pretrained
    encoder and ``hidden`` layer, then Linear(h, num_outputs) on ``<cls>``.

    ``forward((tokens, segments, valid_lens))`` -> logits (N, num_outputs).

    >>> import ember
    >>> clf = BERTClassifier(BERTModel(100, 24, 48, 4, 2, 0.2)).eval()
    >>> clf((ember.ones(2, 8, dtype=ember.long), ember.zeros(2, 8, dtype=ember.long), ember.tensor([8, 5]))).shape
    ember.Size([2, 3])
    """

    def __init__(self, bert: BERTModel, num_outputs: int = 3) -> None:
        super().__init__()
        self.encoder = bert.encoder
        self.hidden = bert.hidden
        self.output = nn.Linear(bert.hidden[0].out_features, num_outputs)

    def forward(self, inputs) -> Tensor:
        tokens_X, segments_X, valid_lens_x = inputs
        encoded_X = self.encoder(tokens_X, segments_X, valid_lens_x)
        return self.output(self.hidden(encoded_X[:, 0, :]))


class BERTSentenceClassifier(BERTClassifier):
    """Fine-tuning head for single sentences (sentiment, acceptability): as ``BERTClassifier`` with every
    segment id 0. ``forward((tokens, valid_lens))`` -> logits (N, num_outputs) (default 2 classes).

    >>> import ember
    >>> clf = BERTSentenceClassifier(BERTModel(100, 24, 48, 4, 2, 0.2)).eval()
    >>> clf((ember.ones(2, 8, dtype=ember.long), ember.tensor([8, 5]))).shape
    ember.Size([2, 2])
    """

    def __init__(self, bert: BERTModel, num_outputs: int = 2) -> None:
        super().__init__(bert, num_outputs)

    def forward(self, inputs) -> Tensor:
        tokens_X, valid_lens_x = inputs
        return super().forward((tokens_X, ember.zeros_like(tokens_X), valid_lens_x))
