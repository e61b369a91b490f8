"""BLEU (d2l's, by hand; corpus BLEU against sacreBLEU) and perplexity (against torch)."""
import math
import random

import pytest

from ember.text import bleu, corpus_bleu, perplexity, read_data_nmt, tokenize_13a

sacrebleu = pytest.importorskip("sacrebleu", reason="sacrebleu is the oracle for corpus BLEU")


def test_d2l_bleu_by_hand():
    # pred "a b b c" vs label "a b c d": no brevity penalty; p1 = 3/4 (second b is clipped),
    # p2 = 2/3 (ab, bc match; bb does not) -> (3/4)^(1/2) * (2/3)^(1/4)
    assert bleu("a b b c", "a b c d", k=2) == pytest.approx(0.75 ** 0.5 * (2 / 3) ** 0.25)
    # a 3-token prediction of a 5-token label: exp(1 - 5/3); p1 = 1, p2 = 1, p3 = 1
    assert bleu("a b c", "a b c d e", k=3) == pytest.approx(math.exp(1 - 5 / 3))
    # k larger than the prediction: orders above len(pred) are skipped
    assert bleu("x", "x", k=4) == 1.0
    assert bleu("a b", "c d", k=2) == 0.0
    # a longer prediction has no brevity penalty: p1 = 2/3, p2 = 1/2
    assert bleu("a b a", "a b", k=2) == pytest.approx((2 / 3) ** 0.5 * 0.5 ** 0.25)


def test_d2l_bleu_book_examples():
    # d2l prints: "go . => va !, bleu 1.000" and "i'm home . => je suis chez moi ., bleu 1.000"
    assert bleu("va !", "va !", k=2) == 1.0
    assert bleu("je suis chez moi .", "je suis chez moi .", k=2) == 1.0


@pytest.mark.parametrize("line", ["Hello, world!", "It costs $3.50 (approx.).", "1,000-2,000 km/h",
                                  "&quot;quoted&quot; &amp; <tags>", "a-b 3-4 x.y", "l'homme, c'est ça."])
def test_tokenize_13a_matches_sacrebleu(line):
    from sacrebleu.tokenizers.tokenizer_13a import Tokenizer13a
    assert tokenize_13a(line) == Tokenizer13a()(line)


def _test_corpus(n=150, seed=0):
    """Hypotheses: references with words dropped, swapped, replaced or duplicated."""
    rng = random.Random(seed)
    pairs = [line.split("\t") for line in read_data_nmt().strip().split("\n")]
    refs = [fr for _, fr in rng.sample(pairs, n)]
    hyps = []
    for ref in refs:
        words = ref.split()
        op = rng.randrange(5)
        if op == 0 and len(words) > 1:
            del words[rng.randrange(len(words))]
        elif op == 1 and len(words) > 1:
            i = rng.randrange(len(words) - 1)
            words[i], words[i + 1] = words[i + 1], words[i]
        elif op == 2:
            words[rng.randrange(len(words))] = "chose"
        elif op == 3:
            words = words + words[:2]
        hyps.append(" ".join(words))
    refs2 = [r.replace("le ", "un ") for r in refs]
    return hyps, refs, refs2


@pytest.mark.parametrize("smooth", ["exp", "floor", "add-k", "none"])
def test_corpus_bleu_equals_sacrebleu(smooth):
    hyps, refs, refs2 = _test_corpus()
    want = sacrebleu.corpus_bleu(hyps, [refs], smooth_method=smooth).score
    assert corpus_bleu(hyps, refs, smooth_method=smooth) == pytest.approx(want, abs=1e-9)
    want2 = sacrebleu.corpus_bleu(hyps, [refs, refs2], smooth_method=smooth).score
    assert corpus_bleu(hyps, [refs, refs2], smooth_method=smooth) == pytest.approx(want2, abs=1e-9)


def test_corpus_bleu_edge_cases_equal_sacrebleu():
    cases = [
        (["the cat"], ["the cat sat on the mat"]),                  # brevity penalty, short segment
        (["a b c d e"], ["v w x y z"]),                             # no match at all
        (["", "the cat sat"], ["the cat", "the cat sat"]),           # an empty hypothesis
        (["The Cat sat."], ["the cat sat."]),                        # case
        (["a b c x d e"], ["a b c y d e"]),                        # no 4-gram match -> smoothing
    ]
    for hyps, refs in cases:
        want = sacrebleu.corpus_bleu(hyps, [refs]).score
        assert corpus_bleu(hyps, refs) == pytest.approx(want, abs=1e-9), (hyps, refs)
        want = sacrebleu.corpus_bleu(hyps, [refs], lowercase=True).score
        assert corpus_bleu(hyps, refs, lowercase=True) == pytest.approx(want, abs=1e-9)
        want = sacrebleu.corpus_bleu(hyps, [refs], tokenize="none").score
        assert corpus_bleu(hyps, refs, tokenize="none") == pytest.approx(want, abs=1e-9)


def test_corpus_bleu_errors():
    with pytest.raises(ValueError, match="one reference per hypothesis"):
        corpus_bleu(["a", "b"], ["a"])
    with pytest.raises(ValueError, match="unknown smooth_method"):
        corpus_bleu(["a"], ["a"], smooth_method="bogus")
    with pytest.raises(TypeError, match="list of strings"):
        corpus_bleu("a", ["a"])


def test_perplexity_equals_torch_exp_cross_entropy():
    torch = pytest.importorskip("torch", reason="torch is the oracle")
    import ember
    import numpy as np

    logits = np.random.randn(12, 7).astype(np.float32)
    target = np.random.randint(0, 7, size=12)
    loss = ember.nn.functional.cross_entropy(ember.tensor(logits), ember.tensor(target))
    want = math.exp(torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(target)).item())
    assert perplexity(loss) == pytest.approx(want, rel=1e-5)
    total = ember.nn.functional.cross_entropy(ember.tensor(logits), ember.tensor(target), reduction="sum")
    assert perplexity(total, num_tokens=12) == pytest.approx(want, rel=1e-5)
    # a uniform model over V tokens has perplexity V
    assert perplexity(math.log(7)) == pytest.approx(7.0)
    with pytest.raises(ValueError, match="num_tokens must be positive"):
        perplexity(1.0, num_tokens=0)
