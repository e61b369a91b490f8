"""Translation and language-model metrics: d2l's ``bleu``, sacreBLEU's corpus BLEU, perplexity."""
from __future__ import annotations

import collections
import math
import re
from typing import Sequence

__all__ = ["bleu", "corpus_bleu", "tokenize_13a", "perplexity"]


def bleu(pred_seq: str, label_seq: str, k: int) -> float:
    """Sentence BLEU as d2l defines it, on space-separated tokens.

    .. math::
        \\exp\\bigl(\\min(0, 1 - \\tfrac{len_{label}}{len_{pred}})\\bigr)
        \\prod_{n=1}^{k} p_n^{1/2^n}

    where :math:`p_n` is the clipped n-gram precision (each label n-gram matches at most as
    often as it occurs in the label). Orders above the prediction's length are skipped.

    >>> bleu("a b c d", "a b c d", k=2)
    1.0
    >>> round(bleu("a b", "a b c d", k=2), 6)   # brevity penalty exp(1 - 4/2)
    0.367879
    """
    pred_tokens, label_tokens = pred_seq.split(" "), label_seq.split(" ")
    len_pred, len_label = len(pred_tokens), len(label_tokens)
    score = math.exp(min(0.0, 1.0 - len_label / len_pred))
    for n in range(1, min(k, len_pred) + 1):
        label_counts = collections.Counter(
            tuple(label_tokens[i:i + n]) for i in range(len_label - n + 1))
        matches = 0
        for i in range(len_pred - n + 1):
            gram = tuple(pred_tokens[i:i + n])
            if label_counts[gram] > 0:
                matches += 1
                label_counts[gram] -= 1
        score *= math.pow(matches / (len_pred - n + 1), math.pow(0.5, n))
    return score


# mteval-v13a tokenisation, sacreBLEU's default (`tokenize='13a'`): split off punctuation and
# symbols, split '.' and ',' unless between digits, split a '-' that follows a digit.
_13A_RULES = [
    (re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])"), r" \1 "),
    (re.compile(r"([^0-9])([\.,])"), r"\1 \2 "),
    (re.compile(r"([\.,])([^0-9])"), r" \1 \2"),
    (re.compile(r"([0-9])(-)"), r"\1 \2 "),
]


def tokenize_13a(line: str) -> str:
    """sacreBLEU's default ``13a`` tokenisation of one segment (tokens joined by one space).

    >>> tokenize_13a("Hello, world! It costs $3.50 (approx.).")
    'Hello , world ! It costs $ 3.50 ( approx . ) .'
    """
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in line:
        line = (line.replace("&quot;", '"').replace("&amp;", "&")
                .replace("&lt;", "<").replace("&gt;", ">"))
    line = f" {line} "
    for pattern, repl in _13A_RULES:
        line = pattern.sub(repl, line)
    return " ".join(line.split())


def _ngrams(tokens: list[str], max_order: int) -> collections.Counter:
    return collections.Counter(tuple(tokens[i:i + n]) for n in range(1, max_order + 1)
                               for i in range(len(tokens) - n + 1))


_SMOOTH_DEFAULTS = {"none": None, "floor": 0.1, "add-k": 1, "exp": None}


def _references_per_segment(references, num_hyps: int) -> list[list[str]]:
    if len(references) and isinstance(references[0], str):
        streams = [list(references)]          # one reference per hypothesis
    else:
        streams = [list(s) for s in references]  # sacreBLEU's list of reference streams
    for s in streams:
        if len(s) != num_hyps:
            raise ValueError(f"corpus_bleu: a reference stream has {len(s)} segments but there are "
                             f"{num_hyps} hypotheses; give one reference per hypothesis")
    return [[s[i] for s in streams if s[i] is not None] for i in range(num_hyps)]


def corpus_bleu(hypotheses: Sequence[str], references, smooth_method: str = "exp",
                smooth_value: float | None = None, lowercase: bool = False,
                tokenize: str = "13a", max_ngram_order: int = 4) -> float:
    """Corpus BLEU on 0-100, equal to ``sacrebleu.corpus_bleu(hypotheses, references).score``.

    n-gram matches and counts are summed over the corpus first, then

    .. math::
        \\mathrm{BLEU} = BP \\cdot \\exp\\Bigl(\\tfrac{1}{N}\\sum_{n=1}^{N} \\log p_n\\Bigr),
        \\quad BP = \\min\\bigl(1, e^{1 - r/c}\\bigr)

    with :math:`c` the hypothesis length, :math:`r` the sum over segments of the reference
    length closest to the hypothesis's (the shorter on ties), and clipped precisions
    :math:`p_n` (counts clipped by the max over references). Smoothing as sacreBLEU:
    ``'exp'`` (default; the k-th order with no match gets :math:`1/(2^k \\cdot total_n)`),
    ``'floor'``, ``'add-k'``, ``'none'``.

    Args:
        hypotheses: detokenised system outputs, one string per segment.
        references: a list of strings (one reference per hypothesis) or, as sacreBLEU, a list
            of reference streams, each a list with one string per hypothesis.
        tokenize: ``'13a'`` (sacreBLEU's default) or ``'none'`` (split on whitespace only).

    >>> round(corpus_bleu(["the cat sat on the mat"], ["the cat sat on the mat"]), 4)
    100.0
    """
    if smooth_method not in _SMOOTH_DEFAULTS:
        raise ValueError(f"corpus_bleu: unknown smooth_method {smooth_method!r}; "
                         f"use one of {sorted(_SMOOTH_DEFAULTS)}")
    if tokenize not in ("13a", "none"):
        raise ValueError(f"corpus_bleu: unknown tokenize {tokenize!r}; use '13a' or 'none'")
    if isinstance(hypotheses, str):
        raise TypeError("corpus_bleu: hypotheses must be a list of strings, got one str")
    if smooth_value is None:
        smooth_value = _SMOOTH_DEFAULTS[smooth_method]
    refs_per_seg = _references_per_segment(references, len(hypotheses))

    def prep(s: str) -> list[str]:
        s = s.lower() if lowercase else s
        return (tokenize_13a(s) if tokenize == "13a" else s.strip()).split()

    correct = [0] * max_ngram_order
    total = [0] * max_ngram_order
    sys_len = ref_len = 0
    for hyp, refs in zip(hypotheses, refs_per_seg):
        hyp_tokens = prep(hyp)
        ref_counts: collections.Counter = collections.Counter()
        ref_lens = []
        for ref in refs:
            ref_tokens = prep(ref)
            ref_lens.append(len(ref_tokens))
            for gram, c in _ngrams(ref_tokens, max_ngram_order).items():
                ref_counts[gram] = max(ref_counts[gram], c)
        sys_len += len(hyp_tokens)
        ref_len += min(ref_lens, key=lambda r: (abs(len(hyp_tokens) - r), r))
        for gram, c in _ngrams(hyp_tokens, max_ngram_order).items():
            total[len(gram) - 1] += c
            correct[len(gram) - 1] += min(c, ref_counts.get(gram, 0))
    return _bleu_from_counts(correct, total, sys_len, ref_len, smooth_method, smooth_value)


def _bleu_from_counts(correct, total, sys_len, ref_len, smooth_method, smooth_value) -> float:
    bp = 1.0
    if sys_len < ref_len:
        bp = math.exp(1 - ref_len / sys_len) if sys_len > 0 else 0.0
    if not any(correct):
        return 0.0
    order = len(correct)
    precisions = [0.0] * order
    exp_factor = 1.0
    correct, total = list(correct), list(total)
    for n in range(order):
        if smooth_method == "add-k" and n > 0:
            correct[n] += smooth_value
            total[n] += smooth_value
        if total[n] == 0:
            break
        if correct[n] == 0:
            if smooth_method == "exp":
                exp_factor *= 2
                precisions[n] = 100.0 / (exp_factor * total[n])
            elif smooth_method == "floor":
                precisions[n] = 100.0 * smooth_value / total[n]
        else:
            precisions[n] = 100.0 * correct[n] / total[n]
    log_sum = sum(math.log(p) if p > 0 else -9999999999 for p in precisions)
    return bp * math.exp(log_sum / order)


def perplexity(loss, num_tokens: int | None = None) -> float:
    """Perplexity ``exp(mean negative log-likelihood per token)``.

    ``loss`` is the mean cross-entropy per token (a float or a 0-d tensor), or the summed
    cross-entropy when ``num_tokens`` is given (then ``exp(loss / num_tokens)``).

    >>> perplexity(0.0), round(perplexity(6.0, num_tokens=3), 6)
    (1.0, 7.389056)
    """
    value = float(loss.item() if hasattr(loss, "item") else loss)
    if num_tokens is not None:
        if num_tokens <= 0:
            raise ValueError(f"perplexity: num_tokens must be positive, got {num_tokens}")
        value /= num_tokens
    return math.exp(value)
