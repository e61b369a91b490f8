"""ember.text: tokenizers, vocabularies, shipped corpora, data iterators and metrics for text.

Names and signatures follow d2l 1.0's PyTorch code (``d2l/torch.py``), e.g.
``load_data_time_machine``, ``load_data_nmt``, ``load_data_wiki``, ``load_data_ptb``, ``bleu``.
Everything runs offline on corpora shipped in ``ember/text/_data`` (see ``corpora``).
"""
from .bert_data import WikiTextDataset, _WikiTextDataset, get_tokens_and_segments, load_data_wiki
from .bpe import BytePairEncoder
from .corpora import (book_paragraphs, load_corpus_time_machine, read_book, read_data_nmt, read_ptb,
                      read_text, read_time_machine, read_wiki)
from .datamodules import MTFraEng, TimeMachine
from .embedding import (PTBDataset, RandomGenerator, TokenEmbedding, batchify, get_centers_and_contexts,
                        get_negatives, load_data_ptb, load_glove, subsample)
from .lm_data import SeqDataLoader, load_data_time_machine, seq_data_iter_random, seq_data_iter_sequential
from .metrics import bleu, corpus_bleu, perplexity, tokenize_13a
from .nmt_data import (build_array_nmt, load_array, load_data_nmt, preprocess_nmt, tokenize_nmt,
                       truncate_pad)
from .tokenizers import count_corpus, tokenize
from .vocab import Vocab

BPE = BytePairEncoder

__all__ = ["tokenize", "count_corpus", "Vocab", "BytePairEncoder", "BPE",
           "read_text", "read_book", "read_time_machine", "load_corpus_time_machine", "read_data_nmt",
           "book_paragraphs", "read_wiki", "read_ptb",
           "seq_data_iter_random", "seq_data_iter_sequential", "SeqDataLoader", "load_data_time_machine",
           "TimeMachine", "MTFraEng",
           "preprocess_nmt", "tokenize_nmt", "truncate_pad", "build_array_nmt", "load_array",
           "load_data_nmt",
           "get_tokens_and_segments", "WikiTextDataset", "load_data_wiki",
           "subsample", "get_centers_and_contexts", "RandomGenerator", "get_negatives", "batchify",
           "PTBDataset", "load_data_ptb", "TokenEmbedding", "load_glove",
           "bleu", "corpus_bleu", "tokenize_13a", "perplexity"]
