"""BERT pretraining data (d2l's ``_WikiTextDataset``): next-sentence pairs and masked-LM inputs.

For each pair of consecutive sentences in a paragraph, the second is kept (``is_next=True``)
with probability 1/2, else replaced by a random sentence of the corpus. Of each input,
``max(1, round(0.15 * len))`` positions other than ``<cls>``/``<sep>`` are predicted; each of
them becomes ``<mask>`` with probability 0.8, stays itself with 0.1, or becomes a random
vocabulary token with 0.1. Randomness: Python's ``random``.
"""
from __future__ import annotations

import os
import random

import numpy as np

import ember
from ember.utils.data import DataLoader, Dataset

from .corpora import read_wiki
from .tokenizers import tokenize
from .vocab import Vocab

__all__ = ["get_tokens_and_segments", "WikiTextDataset", "_WikiTextDataset", "load_data_wiki"]

BERT_RESERVED = ["<pad>", "<mask>", "<cls>", "<sep>"]


def get_tokens_and_segments(tokens_a: list[str],
                            tokens_b: list[str] | None = None) -> tuple[list[str], list[int]]:
    """``<cls> A <sep> [B <sep>]`` and segment ids (0 for ``<cls>``, A and its ``<sep>``; 1 for B).

    >>> get_tokens_and_segments(["a", "b"], ["c"])
    (['<cls>', 'a', 'b', '<sep>', 'c', '<sep>'], [0, 0, 0, 0, 1, 1])
    """
    tokens = ["<cls>"] + list(tokens_a) + ["<sep>"]
    segments = [0] * (len(tokens_a) + 2)
    if tokens_b is not None:
        tokens += list(tokens_b) + ["<sep>"]
        segments += [1] * (len(tokens_b) + 1)
    return tokens, segments


def _get_next_sentence(sentence, next_sentence, paragraphs):
    if random.random() < 0.5:
        return sentence, next_sentence, True
    return sentence, random.choice(random.choice(paragraphs)), False


def _get_nsp_data_from_paragraph(paragraph, paragraphs, vocab, max_len):
    """(tokens, segments, is_next) for each consecutive sentence pair that fits in ``max_len``."""
    examples = []
    for i in range(len(paragraph) - 1):
        tokens_a, tokens_b, is_next = _get_next_sentence(paragraph[i], paragraph[i + 1], paragraphs)
        if len(tokens_a) + len(tokens_b) + 3 > max_len:  # one <cls> and two <sep>
            continue
        tokens, segments = get_tokens_and_segments(tokens_a, tokens_b)
        examples.append((tokens, segments, is_next))
    return examples


def _replace_mlm_tokens(tokens, candidate_pred_positions, num_mlm_preds, vocab):
    """Apply the 80/10/10 rule at ``num_mlm_preds`` shuffled candidate positions."""
    mlm_input_tokens = list(tokens)
    pred_positions_and_labels = []
    random.shuffle(candidate_pred_positions)
    for position in candidate_pred_positions:
        if len(pred_positions_and_labels) >= num_mlm_preds:
            break
        if random.random() < 0.8:
            masked_token = "<mask>"
        elif random.random() < 0.5:
            masked_token = tokens[position]
        else:
            masked_token = random.choice(vocab.idx_to_token)
        mlm_input_tokens[position] = masked_token
        pred_positions_and_labels.append((position, tokens[position]))
    return mlm_input_tokens, pred_positions_and_labels


def _get_mlm_data_from_tokens(tokens, vocab):
    """(input ids, sorted predicted positions, label ids) for one BERT input."""
    candidates = [i for i, tok in enumerate(tokens) if tok not in ("<cls>", "<sep>")]
    num_mlm_preds = max(1, round(len(tokens) * 0.15))
    mlm_input_tokens, pairs = _replace_mlm_tokens(tokens, candidates, num_mlm_preds, vocab)
    pairs = sorted(pairs, key=lambda pl: pl[0])
    pred_positions = [p for p, _ in pairs]
    labels = [label for _, label in pairs]
    return vocab[mlm_input_tokens], pred_positions, vocab[labels]


def _pad_bert_inputs(examples, max_len, vocab):
    """Pad to ``max_len`` tokens and ``round(0.15 * max_len)`` predictions; arrays per field."""
    max_num_mlm_preds = round(max_len * 0.15)
    n = len(examples)
    pad = vocab["<pad>"]
    token_ids = np.full((n, max_len), pad, dtype=np.int64)
    segments = np.zeros((n, max_len), dtype=np.int64)
    valid_lens = np.zeros(n, dtype=np.float32)
    pred_positions = np.zeros((n, max_num_mlm_preds), dtype=np.int64)
    mlm_weights = np.zeros((n, max_num_mlm_preds), dtype=np.float32)
    mlm_labels = np.zeros((n, max_num_mlm_preds), dtype=np.int64)
    nsp_labels = np.zeros(n, dtype=np.int64)
    for i, (ids, positions, label_ids, segs, is_next) in enumerate(examples):
        token_ids[i, :len(ids)] = ids
        segments[i, :len(segs)] = segs
        valid_lens[i] = len(ids)           # excludes the <pad> tokens
        pred_positions[i, :len(positions)] = positions
        mlm_weights[i, :len(label_ids)] = 1.0  # padded predictions get weight 0 in the loss
        mlm_labels[i, :len(label_ids)] = label_ids
        nsp_labels[i] = int(is_next)
    return token_ids, segments, valid_lens, pred_positions, mlm_weights, mlm_labels, nsp_labels


class WikiTextDataset(Dataset):
    """BERT pretraining examples from paragraphs (d2l's ``_WikiTextDataset``).

    Args:
        paragraphs: a list of paragraphs, each a list of sentence strings (``read_wiki``).
        max_len: length of each padded input.
        min_freq: vocabulary cut-off (d2l: 5); the vocabulary reserves
            ``<pad>``, ``<mask>``, ``<cls>``, ``<sep>``.

    Each item is ``(token_ids, segments, valid_len, pred_positions, mlm_weights, mlm_labels,
    nsp_label)`` with shapes ``(max_len,)``, ``(max_len,)``, ``()``, ``(P,)``, ``(P,)``,
    ``(P,)``, ``()``, ``P = round(0.15 * max_len)``; ids int64, ``valid_len`` and weights float32.

    >>> random.seed(0)
    >>> ds = WikiTextDataset([["a b c", "d e f", "a b"], ["c d", "e f a"]], max_len=16, min_freq=1)
    >>> len(ds), [tuple(t.shape) for t in ds[0]]
    (3, [(16,), (16,), (), (2,), (2,), (2,), ()])
    """

    def __init__(self, paragraphs: list[list[str]], max_len: int, min_freq: int = 5) -> None:
        paragraphs = [tokenize(paragraph, token="word") for paragraph in paragraphs]
        sentences = [sentence for paragraph in paragraphs for sentence in paragraph]
        self.vocab = Vocab(sentences, min_freq=min_freq, reserved_tokens=BERT_RESERVED)
        examples = []
        for paragraph in paragraphs:
            examples.extend(_get_nsp_data_from_paragraph(paragraph, paragraphs, self.vocab, max_len))
        examples = [_get_mlm_data_from_tokens(tokens, self.vocab) + (segments, is_next)
                    for tokens, segments, is_next in examples]
        arrays = _pad_bert_inputs(examples, max_len, self.vocab)
        (self.all_token_ids, self.all_segments, self.valid_lens, self.all_pred_positions,
         self.all_mlm_weights, self.all_mlm_labels, self.nsp_labels) = [
            ember.from_numpy(a) for a in arrays]

    def __getitem__(self, idx: int):
        return (self.all_token_ids[idx], self.all_segments[idx], self.valid_lens[idx],
                self.all_pred_positions[idx], self.all_mlm_weights[idx],
                self.all_mlm_labels[idx], self.nsp_labels[idx])

    def __len__(self) -> int:
        return len(self.all_token_ids)


_WikiTextDataset = WikiTextDataset  # d2l's name


def load_data_wiki(batch_size: int, max_len: int, path: str | os.PathLike | None = None,
                   min_freq: int = 5, num_workers: int = 0) -> tuple[DataLoader, Vocab]:
    """``(train_iter, vocab)``: a shuffled DataLoader over ``WikiTextDataset`` (d2l API).

    Without ``path``: paragraphs of the shipped book; with it: a WikiText-format file.
    """
    train_set = WikiTextDataset(read_wiki(path), max_len, min_freq=min_freq)
    train_iter = DataLoader(train_set, batch_size, shuffle=True, num_workers=num_workers)
    return train_iter, train_set.vocab
