"""The pieces of claimscope.ledger's row builder, on hand-built sentences.

tests/stages/test_ledger.py runs the whole stage; here each step of a row is checked with
hand-built :class:`SentenceInfo` (one sentence a line) and, where a step reads a parse,
the ledger's own parser.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from claimscope.ledger import (
    Mention,
    SentenceInfo,
    _Actor,
    _Article,
    _Intro,
    _intro,
    _RowBuilder,
    extract_rows,
    find_cues,
)


def sentences(text: str, mentions: list[tuple[int, int, str, str]],
              bullets: tuple[int, ...] = ()) -> list[SentenceInfo]:
    """One SentenceInfo per line of ``text``, with the mentions that fall in it."""
    out, pos = [], 0
    for li, line in enumerate(text.split("\n")):
        inside = [m for m in mentions if pos <= m[0] < pos + len(line)]
        out.append(SentenceInfo(pos, pos + len(line), inside, li, li in bullets))
        pos += len(line) + 1
    return out


def builder(text: str, mentions: list[tuple[int, int, str, str]]) -> _RowBuilder:
    return _RowBuilder(_Article(text, sentences(text, mentions), []))


@pytest.fixture(scope="module")
def parse():
    from claimscope.stages.ledger import load_parser

    return load_parser()


def test_mentions_become_named_tuples() -> None:
    sent = SentenceInfo(0, 20, [(0, 6, "Russia", "countries")])
    (m,) = sent.mentions
    assert isinstance(m, Mention) and m == (0, 6, "Russia", "countries")
    assert (m.actor, m.via) == ("Russia", "countries")
    assert m.as_actor() == _Actor("Russia", "countries", 0)


def test_token_cache_is_per_builder_and_bounded() -> None:
    def fake_parse(n: int) -> list[SimpleNamespace]:
        return [SimpleNamespace(idx=5 * k, text="word") for k in range(n)]

    one, two = builder("x", []), builder("x", [])
    sdoc = fake_parse(3)
    assert one._token_at(sdoc, 11) is sdoc[2]
    assert one._token_at(sdoc, 9) is None  # between two tokens
    assert len(one._starts) == 1 and not two._starts  # nothing shared between articles
    kept = [fake_parse(2) for _ in range(_RowBuilder.STARTS_KEPT + 10)]
    for p in kept:
        assert one._token_at(p, 0) is p[0]
    assert len(one._starts) == _RowBuilder.STARTS_KEPT
    assert id(kept[-1]) in one._starts and id(sdoc) not in one._starts  # oldest out


@pytest.mark.parametrize("text, polarity", [
    ("Russia lost the initiative.", "failed"),
    ("Russia did not capture Kyiv.", "failed"),  # negation flips an outcome
    ("Russia will lose the war.", None),  # a forecast is no outcome
    ("Hamas vowed to destroy Israel.", "neutral"),
    ("Hamas did not vow to destroy Israel.", None),  # a negated objective is dropped
])
def test_final_polarity(text: str, polarity: str | None) -> None:
    b = builder(text, [])
    hit = find_cues(text)[0]
    start_polarity = "neutral" if hit.cue.kind == "objective" else hit.cue.polarity
    assert b._final_polarity(b.art.sentences[0], hit, start_polarity) == polarity


def test_fallback_actors() -> None:
    text = "The ceasefire was a blow to Russia."
    b = builder(text, [(28, 34, "Russia", "countries")])
    (hit,) = find_cues(text)
    assert b._fallback_actor(0, hit, None, None) == _Actor("Russia", "countries", 28)
    # no parse: the nearest mention before the cue
    text = "Hamas failed to stop the advance."
    b = builder(text, [(0, 5, "Hamas", "groups")])
    hit = find_cues(text)[0]
    assert b._fallback_actor(0, hit, None, None) == _Actor("Hamas", "groups", 0)
    # a list item: the actor of the list's introduction
    text = "Its gains:\n- it captured the town"
    b = _RowBuilder(_Article(text, sentences(text, [], bullets=(1,)), []))
    hit = find_cues(text, 11)[0]
    assert b._fallback_actor(1, hit, None, _Intro("Hamas", None, None)) == _Actor(
        "Hamas", "intro", -1)


def test_row_span_skips_the_bullet() -> None:
    text = "Gains:\n- Hamas captured the town; the army withdrew"
    b = _RowBuilder(_Article(text, sentences(text, [], bullets=(1,)), []))
    hit = find_cues(text, 7)[0]
    lo, hi = b._row_span(b.art.sentences[1], hit, None)
    assert text[lo:hi] == "Hamas captured the town"  # its clause, past "- "


def test_intro_and_list_item_rows() -> None:
    text = "Hamas's achievements:\n- the release of prisoners"
    infos = sentences(text, [(0, 5, "Hamas", "groups")], bullets=(1,))
    assert _intro(text, infos, 1) == _Intro("Hamas", "outcome", "achieved")
    (row,) = extract_rows(text, infos)
    assert (row["actor"], row["polarity"], row["cue"], row["text"]) == (
        "Hamas", "achieved", "(list item)", "the release of prisoners")


def test_rows_keep_their_keys() -> None:
    text = "Hamas failed to stop 3 tanks."
    q = {"start": 21, "end": 28, "text": "3 tanks"}
    (row,) = extract_rows(text, sentences(text, [(0, 5, "Hamas", "groups")]), [q])
    assert list(row) == ["actor", "kind", "polarity", "domain", "start", "end", "text",
                         "sentence", "attributed_to", "quantities", "cue"]
    assert row["quantities"] == [q] and row["attributed_to"] == "author"


@pytest.mark.parametrize("text, mentions, expected", [
    # the passive patient of an achievement verb failed
    ("Hamas was defeated in Khan Younis.", [(0, 5, "Hamas", "groups")],
     (_Actor("Hamas", "groups", 0), "failed")),
    # the active subject; the object is military, so the row counts
    ("Israel destroyed Hamas tunnels.",
     [(0, 6, "Israel", "countries"), (17, 22, "Hamas", "groups")],
     (_Actor("Israel", "countries", 0), "achieved")),
])
def test_verb_reading(parse, text: str, mentions: list, expected: tuple) -> None:
    b = builder(text, mentions)
    hit = find_cues(text)[0]
    tok = b._token_at(parse(text), hit.vstart)
    reading = b._read_parse(0, hit, tok)
    assert reading is not None
    assert (reading.actor, reading.polarity) == expected
    assert reading.span is not None


def test_verb_reading_drops_civilian_harm(parse) -> None:
    text = "Israel destroyed homes in Gaza."
    b = builder(text, [(0, 6, "Israel", "countries"), (26, 30, "Gaza", "places")])
    hit = find_cues(text)[0]
    assert b._read_parse(0, hit, b._token_at(parse(text), hit.vstart)) is None
