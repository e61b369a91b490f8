"""Shipped corpora: present, small, readable offline; the book's text and the pair file."""
import os

import ember.text
from ember.text import book_paragraphs, corpora, read_book, read_ptb, read_text


def test_shipped_files_small_and_listed():
    names = sorted(os.listdir(corpora.DATA_DIR))
    assert {"alice29.txt.gz", "fra-eng.txt.gz", "README.txt"} <= set(names)
    total = sum(os.path.getsize(os.path.join(corpora.DATA_DIR, n)) for n in names)
    assert total < 1_000_000
    readme = read_text(os.path.join(corpora.DATA_DIR, "README.txt"))
    assert "brotli" in readme and "public domain" in readme and "GENERATED" in readme


def test_book_text():
    text = read_book()
    assert len(text) > 140_000 and "\r" not in text
    assert "Alice was beginning to get very tired" in text
    assert text.rstrip().endswith("THE END")


def test_book_paragraphs_layout():
    paragraphs = book_paragraphs()
    assert len(paragraphs) > 500
    assert paragraphs[2].startswith("Alice was beginning") and paragraphs[2].endswith(" ?")
    assert all("  " not in p and "`" not in p for p in paragraphs)
    assert "CHAPTER I" not in paragraphs


def test_read_ptb_sentences():
    sentences = read_ptb()
    assert ["down", "the", "rabbit", "hole"] in sentences
    assert all(w == w.lower() and w.replace("'", "").isalpha() for s in sentences for w in s)


def test_public_api_names():
    for name in ember.text.__all__:
        assert hasattr(ember.text, name), name
