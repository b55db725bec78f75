"""Hostile input cannot stall or exhaust the analysis: bounded work per article."""

from __future__ import annotations

import time

import pytest

import claimscope
from claimscope.stages.segment import MAX_SENTENCE, cut_long, for_tokenizer


@pytest.mark.parametrize("char", ["$", "&", "(", "«", "*", "=", "\U0001F600"])
def test_punctuation_runs_are_cut_before_the_tokenizer(char):
    text = "The army said so. " + char * 8000 + " Then it stopped."
    seen = for_tokenizer(text)
    assert len(seen) == len(text) and seen.startswith("The army said so. " + char * 32 + " ")
    nlp = claimscope.load(["segment"])
    nlp("Warm up.")
    t = time.perf_counter()
    doc = nlp(text)
    assert time.perf_counter() - t < 2.0  # 8 KB of '$' took ~10 s (20 KB: 74 s)
    for s in doc.sentences:  # offsets index the original text
        assert s.text == text[s.start:s.end] and s.text.strip() == s.text
    assert any(char * 40 in s.text for s in doc.sentences)


def test_ordinary_punctuation_is_read_unchanged():
    text = "Wait... what?! -- he said (again) ***** and $5, «quoted»\n" + "-" * 32
    assert for_tokenizer(text) == text


def test_long_sentences_are_cut_at_white_space():
    text = "word " * 1000
    pieces = cut_long(text, 0, len(text.rstrip()))
    assert all(0 < b - a <= MAX_SENTENCE for a, b in pieces)
    assert " ".join(text[a:b] for a, b in pieces) == text.rstrip()
    assert cut_long("x" * 5000, 0, 5000) == [(0, 2000), (2000, 4000), (4000, 5000)]


def test_one_long_sentence_of_ledger_cues_is_linear():
    """The ledger scans a sentence once per cue: quadratic in one unbroken sentence."""
    nlp = claimscope.load(["segment", "quantities", "actors", "ledger"])
    nlp("Israel said it destroyed Hamas tunnels.")
    text = "Israel said it destroyed Hamas tunnels and achieved its goal, and " * 900
    t = time.perf_counter()
    doc = nlp(text)
    assert time.perf_counter() - t < 6.0  # ~14 s before sentences were cut at 2,000 chars
    assert max(len(s) for s in doc.sentences) <= MAX_SENTENCE
    assert doc.fields["ledger"]
