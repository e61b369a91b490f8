"""Text models of d2l (chapters 9-11, 15): the encoder-decoder interfaces, GRU seq2seq with and without
attention, attention scoring, the Transformer, character language models, BERT and skip-gram word2vec,
with d2l 1.0's class names; and decoding (greedy and beam search) for any encoder-decoder.

d2l builds many layers as ``nn.LazyLinear``; here every input size is an explicit keyword (defaulting to
the size d2l's models feed), so a model's ``state_dict`` loads before its first forward.

>>> import ember
>>> from ember.models.text import EncoderDecoder, TransformerEncoder, TransformerDecoder, greedy_search
>>> net = EncoderDecoder(TransformerEncoder(20, 16, 32, 4, 2, 0.1), TransformerDecoder(20, 16, 32, 4, 2, 0.1))
>>> src, lens = ember.ones(2, 6, dtype=ember.long), ember.tensor([4, 6])
>>> net(src, ember.ones(2, 5, dtype=ember.long), lens).shape
ember.Size([2, 5, 20])
>>> greedy_search(net.eval(), src, lens, bos=1, eos=2, max_len=8).sequences.shape
ember.Size([2, 8])
"""
from __future__ import annotations

from .attention import AdditiveAttention, DotProductAttention, MultiHeadAttention
from .bert import BERTClassifier, BERTEncoder, BERTModel, BERTSentenceClassifier, MaskLM, NextSentencePred
from .decoding import Hypotheses, beam_search, greedy_search
from .interfaces import AttentionDecoder, Decoder, Encoder, EncoderDecoder, select_batch
from .masking import MaskedSoftmaxCELoss, masked_softmax, sequence_mask
from .positional import PositionalEncoding
from .rnnlm import RNNLM, RNNLMScratch, RNNScratch
from .seq2seq import Seq2SeqAttentionDecoder, Seq2SeqDecoder, Seq2SeqEncoder, init_seq2seq
from .transformer import (AddNorm, PositionWiseFFN, TransformerDecoder, TransformerDecoderBlock, TransformerEncoder,
                          TransformerEncoderBlock)
from .word2vec import SigmoidBCELoss, SkipGram, get_similar_tokens, skip_gram, train_word2vec

__all__ = ["Encoder", "Decoder", "AttentionDecoder", "EncoderDecoder", "select_batch",
           "Seq2SeqEncoder", "Seq2SeqDecoder", "Seq2SeqAttentionDecoder", "init_seq2seq",
           "AdditiveAttention", "DotProductAttention", "MultiHeadAttention",
           "masked_softmax", "sequence_mask", "MaskedSoftmaxCELoss", "PositionalEncoding",
           "RNNScratch", "RNNLMScratch", "RNNLM",
           "PositionWiseFFN", "AddNorm", "TransformerEncoderBlock", "TransformerEncoder",
           "TransformerDecoderBlock", "TransformerDecoder",
           "BERTEncoder", "MaskLM", "NextSentencePred", "BERTModel", "BERTClassifier", "BERTSentenceClassifier",
           "skip_gram", "SkipGram", "SigmoidBCELoss", "train_word2vec", "get_similar_tokens",
           "Hypotheses", "greedy_search", "beam_search"]
