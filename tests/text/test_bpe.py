"""Byte-level BPE: learned merges by hand, exact round trips."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ember.text import BytePairEncoder

CORPUS = "the cat sat on the mat; the hat is flat. " * 3 + "Ünïcödé ✓ 日本語 tabs\tand\nnewlines  "


@pytest.fixture(scope="module")
def bpe():
    return BytePairEncoder().learn(CORPUS, vocab_size=270)


def test_first_merges_by_hand():
    # chunks: "aaab" x1 -> pairs (a,a) x2, (a,b) x1: first merge is "aa"; then
    # "aa"+"a" and "a"+"b" ... with counts 1 each -> stops (a pair must occur twice)
    bpe = BytePairEncoder().learn(["aaab"], vocab_size=400)
    assert bpe.merges == {(97, 97): 256}
    assert bpe.vocab[256] == b"aa"
    assert bpe.encode("aaab") == [256, 97, 98]
    assert bpe.encode("aaaa") == [256, 256]


def test_ties_take_smallest_pair():
    # "ab" and "cd" both occur twice: (97, 98) < (99, 100) is merged first
    bpe = BytePairEncoder().learn(["ab", "ab", "cd", "cd"], vocab_size=257)
    assert list(bpe.merges) == [(97, 98)]


def test_vocab_size_reached(bpe):
    assert len(bpe) == 270
    assert sorted(bpe.merges.values()) == list(range(256, 270))
    # each learned token is the concatenation of the pair it merges
    for (a, b), new in bpe.merges.items():
        assert bpe.vocab[new] == bpe.vocab[a] + bpe.vocab[b]


def test_encoding_compresses_training_text(bpe):
    text = "the cat sat on the mat"
    ids = bpe.encode(text)
    assert len(ids) < len(text.encode())
    assert "".join(bpe.tokens(ids)) == text


@pytest.mark.parametrize("text", ["", " ", "the cat", "  leading and trailing  ", "Ünïcödé ✓ 日本語",
                                  "emoji 🙂🙃 and\r\nCRLF\ttabs", "x_y__z 123.45 !!!", "\x00\x7f"])
def test_round_trip_exact(bpe, text):
    assert bpe.decode(bpe.encode(text)) == text


@settings(max_examples=60, deadline=None)
@given(st.text())
def test_round_trip_any_string(text):
    bpe = _shared()
    assert bpe.decode(bpe.encode(text)) == text


_BPE = []


def _shared():
    if not _BPE:
        _BPE.append(BytePairEncoder().learn(CORPUS, vocab_size=270))
    return _BPE[0]


def test_errors(bpe):
    with pytest.raises(ValueError, match="vocab_size must be >= 256"):
        BytePairEncoder().learn("abc", vocab_size=10)
    with pytest.raises(TypeError, match="expected str"):
        bpe.encode(b"bytes")
    with pytest.raises(IndexError, match="out of range"):
        bpe.decode([100000])


def _naive_merges(texts, vocab_size):
    """Reference: recount every pair after each merge (the textbook algorithm)."""
    from ember.text.bpe import _chunks, _merge
    import collections

    counts = collections.Counter(c for t in texts for c in _chunks(t))
    words = {tuple(c.encode()): f for c, f in counts.items()}
    merges = []
    while 256 + len(merges) < vocab_size:
        pairs = collections.Counter()
        for w, f in words.items():
            for p in zip(w, w[1:]):
                pairs[p] += f
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        if pairs[best] < 2:
            break
        merges.append(best)
        words = {tuple(_merge(list(w), best, 256 + len(merges) - 1)): f for w, f in words.items()}
    return merges


def test_incremental_learning_equals_naive_recount():
    from ember.text import read_book

    text = read_book()[:20000]
    bpe = BytePairEncoder().learn(text, vocab_size=400)
    assert list(bpe.merges) == _naive_merges([text], 400)
