"""claimscope.text: the stop lists, word and stem tokenisers and sentence ends the rule
engines share."""

from __future__ import annotations

import re

import pytest

from claimscope import text as T


def test_stop_lists_stay_distinct() -> None:
    """Each list is its module's own: merging them would change that module's outputs."""
    counted, content = T.COUNTED_PHRASE_STOP_WORDS, T.CONTENT_STOP_WORDS
    assert counted != content
    # "were" ends a counted phrase ("240 captives were taken"); a claim's content words
    # drop it only because it is four letters and frequent
    assert {"were", "said", "the", "fired", "s"} <= counted
    assert {"were", "said", "according", "it's", "neither"} <= content
    assert "the" not in content and "neither" not in counted
    assert "people" not in counted | content


def test_word_set_splits_on_white_space() -> None:
    assert T.word_set(" a\nan  the\t") == frozenset({"a", "an", "the"})


@pytest.mark.parametrize("pattern, expected", [
    (T.WORD_RE, ["couldn't've", "Ma’an", "al", "Shifa", "F", "s"]),
    # at most one apostrophe: the cue trigger "couldn't" is found inside "couldn't've"
    (T.WORD_ONE_APOSTROPHE_RE, ["couldn't", "ve", "Ma’an", "al", "Shifa", "F", "s"]),
    (T.CONTENT_WORD_RE, ["couldn't've", "Ma’an", "al-Shifa", "F16s"]),
    (T.ASCII_WORD_RE, ["couldn", "t", "ve", "Ma", "an", "al", "Shifa", "F", "s"]),
])
def test_word_patterns(pattern: re.Pattern[str], expected: list[str]) -> None:
    assert pattern.findall("couldn't've Ma’an al-Shifa F16s") == expected


@pytest.mark.parametrize("text", [
    "Five İDF-run posts", "TEN\u212aTEN", "MİLLİON", "İran and Iraq", "plain words",
    "", "ÉCOLE des Beaux-Arts 3,000",
])
def test_ascii_words_is_ascii_runs_lower_cased(text: str) -> None:
    """The fast path (lower-case first) gives what the plain definition gives, also
    around the two characters whose lower case holds an ASCII letter."""
    assert T.ascii_words(text) == [w.lower() for w in re.findall(r"[A-Za-z]+", text)]


def test_ascii_words_keeps_the_dotted_capital_out() -> None:
    # lower-casing first would read "i" (a pronoun) out of "İ"; the runs do not
    assert T.ascii_words("İt FİVE") == ["t", "f", "ve"]


def test_stem4() -> None:
    assert [T.stem4(w) for w in ("Killed", "aid", "Palestinians", "")] == [
        "kill", "aid", "pale", ""]


def test_sentence_end_needs_a_capital_or_a_line_break() -> None:
    text = "On Nov. 3 it fell. the end? No.\nNext"
    # not "Nov." (a digit follows) nor "fell." (a lower-case word): "end?", "No." and "\n"
    assert [m.start() for m in T.SENTENCE_END_RE.finditer(text)] == [26, 30, 31]
    assert T.SENTENCE_END_RE.search("It fell. The army left.").start() == 7


@pytest.mark.parametrize("token, ends", [
    ("fell.", True), ("Gaza:", True), ("said:", True), ('said,"', True), ("“Yes”", True),
    ("—", True), ("-", True), ("word", False), ("Mr", False), ("(AP)", False),
])
def test_ends_sentence(token: str, ends: bool) -> None:
    assert T.ends_sentence(token) is ends


def test_last_sentence_break() -> None:
    assert T.last_sentence_break("He left. Why? Because! Then") == 21
    assert T.last_sentence_break("No break here.") == -1  # a full stop needs a space
