"""The named steps of the quantity parser, one at a time.

tests/test_quantities.py checks whole expressions through ``extract_quantities``; these
pin what each step reads: the token window's answers (claimscope._quantity_tokens), the
number core (claimscope._quantity_numbers) and the expansion steps and result of
claimscope.quantities.
"""

from __future__ import annotations

import dataclasses

import pytest

from claimscope import quantities as Q
from claimscope._quantity_numbers import Core, read_core
from claimscope._quantity_tokens import Counted, Modifiers, UnitHit, Window, tokenize


def window(text: str) -> Window:
    return Window(text, tokenize(text, 0, len(text)))


# --- the token window --------------------------------------------------------------------

def test_tokenize_kinds_and_spacing() -> None:
    toks = tokenize("He paid US$3bn, 2,000-plus.", 3, 27)
    assert [(t.text, t.kind, t.sp) for t in toks] == [
        ("paid", "w", True), ("US", "w", True), ("$", "s", False), ("3", "n", False),
        ("bn", "w", False), (",", "s", False), ("2,000", "n", True), ("-", "s", False),
        ("plus", "w", False), (".", "s", False)]
    assert (toks[0].start, toks[-1].end) == (3, 27)


def test_window_joins_and_dates() -> None:
    w = window("a 30-member team on Oct. 7, 2023 at 6 p.m.")
    low = [t.low for t in w.toks]
    assert w.hyphen_joins(low.index("-")) and not w.hyphen_joins(0)
    assert w.glued_chain_end(1) == 4  # "30-member"
    seven = low.index("7")
    assert w.month_before(seven, 0) == low.index("oct")
    assert w.month_before(seven, seven) is None  # not before the floor
    assert w.year_at(low.index("2023")) and not w.year_at(seven)
    assert w.ampm(low.index("p")) == (True, len(low))
    assert window("7 of October").month_after(1) == 3


@pytest.mark.parametrize("text, j, glued, hint, expected", [
    ("3 km away", 1, False, False, UnitHit("km", "measure", 2)),
    ("a 3km-long wall", 2, True, False, UnitHit("km", "measure", 5)),  # "-long" joins it
    ("5 square kilometres", 1, False, False, UnitHit("km2", "measure", 3)),
    ("15%", 1, True, False, UnitHit("%", "percent", 2)),
    ("50 pounds", 1, False, False, UnitHit("lb", "measure", 2)),
    ("50 pounds", 1, False, True, UnitHit("GBP", "money", 2)),  # "£2m ... 50 pounds"
    ("5 m", 1, False, False, None),  # "m" only touching the digits
    ("5m", 1, True, False, UnitHit("m", "measure", 2)),
    ("5 Ma", 1, False, False, None),
])
def test_unit_at(text: str, j: int, glued: bool, hint: bool, expected: UnitHit | None) -> None:
    assert window(text).unit_at(j, glued=glued, money_hint=hint) == expected


def test_modifiers_before_and_after() -> None:
    w = window("well over an estimated 500 fighters or so")
    # stacked: the first bound read wins, a hedge makes it approximate
    assert w.left_modifiers(4, 0) == Modifiers(0, "at_least", True)
    assert w.left_modifiers(4, 2) == Modifiers(2, None, True)  # not past the floor
    assert w.right_modifiers(5) == Modifiers(5, None, False)
    assert w.right_modifiers(6, after_noun=True) == Modifiers(8, None, True)
    assert window("2,000-plus troops").right_modifiers(1) == Modifiers(3, "at_least", False)
    assert window("30-odd").right_modifiers(1) == Modifiers(3, "at_least", True)
    assert window("20 or more").right_modifiers(1) == Modifiers(3, "at_least", False)
    # glued marks count only right after the number, not after its noun
    assert window("2,000-plus").right_modifiers(1, after_noun=True) == Modifiers(1, None, False)


@pytest.mark.parametrize("text, singular, expected", [
    ("240 Israeli captives were taken", False, Counted("Israeli captives", 3)),
    ("150 more aid trucks", False, Counted("aid trucks", 4)),  # "more" is no part of it
    ("20 displaced people", False, Counted("displaced people", 3)),  # collective + plural
    ("20 wounded", False, Counted("wounded", 2)),  # a nominal head
    ("one Israeli soldier", True, Counted("Israeli soldier", 3)),
    ("one killed", True, None),  # a participle is no head
    ("5 October", False, None),  # a month ends the phrase
    ("300 were killed", False, None),
])
def test_counted(text: str, singular: bool, expected: Counted | None) -> None:
    assert window(text).counted(1, singular) == expected


# --- the number core ---------------------------------------------------------------------

def core(text: str, i: int = 0) -> Core | None:
    return read_core(window(text), i)


@pytest.mark.parametrize("text, i, fields", [
    # digits, then what touches them
    ("F-16 jets", 2, dict(kind="other", start=0, j=3, value=16.0)),  # a label before it
    ("10^6 cells", 0, dict(value=1e6, j=3, plain_int4=False)),
    ("6:30 pm GMT", 0, dict(kind="time", value=18.5, j=5)),
    ("1430 GMT", 0, dict(kind="time", value=14.5, j=2)),
    ("7/10/2023", 0, dict(kind="date", value=7.0, j=5)),
    ("2023/24", 0, dict(kind="year", low=2023.0, high=2024.0)),
    ("2/3", 0, dict(kind="other", unit="fraction", value=2 / 3)),
    ("2023-10-07", 0, dict(kind="date", value=7.0, j=5)),
    ("21st", 0, dict(kind="ordinal", value=21.0, j=2)),
    ("US$3bn", 2, dict(scale=1e9, value=3e9, j=4)),
    ("1.2m Gazans", 0, dict(m_suffix=True, value=1.2, j=2)),  # million or metres: later
    ("3km away", 0, dict(unit="km", unit_kind="measure", j=2)),
    ("1990s", 0, dict(kind="year", low=1990.0, high=1999.0)),
    ("1000s of", 0, dict(vague=True, low=2000.0, high=9999.0)),
    ("1.5 million", 0, dict(scale=1e6, value=1.5e6, j=2)),
    ("1967", 0, dict(plain_int4=True, short=False, j=1)),
    # words
    ("twenty-first", 0, dict(kind="ordinal", value=21.0, j=3)),
    ("two hundred and five", 0, dict(value=205.0, j=4, words=True)),
    ("two and a half", 0, dict(value=2.5, j=4)),
    ("two-thirds of", 0, dict(kind="other", unit="fraction", value=2 / 3, j=3)),
    ("a third of", 1, dict(kind="other", unit="fraction", start=0)),
    ("half a million", 0, dict(value=5e5, scale=1e6, j=3)),
    ("tens of thousands of", 0, dict(vague=True, low=20000.0, high=99999.0, j=3)),
    ("dozens of", 0, dict(vague=True, low=24, high=99)),
    ("hundred", 0, dict(bare_scale=True, scale=100.0)),
    ("tenfold", 0, dict(value=10.0, unit="×")),
])
def test_read_core(text: str, i: int, fields: dict) -> None:
    c = core(text, i)
    assert c is not None
    assert {k: getattr(c, k) for k in fields} == pytest.approx(fields)


@pytest.mark.parametrize("text, i", [
    ("no one came", 1), ("one another", 0), ("one by one", 0),  # pronouns
    ("a quarter", 1), ("at first", 1), ("tens", 0),  # need more
])
def test_read_core_refuses(text: str, i: int) -> None:
    assert core(text, i) is None


def test_core_is_immutable() -> None:
    c = core("4,000 rockets")
    assert c is not None
    with pytest.raises(AttributeError):
        c.value = 1.0  # type: ignore[misc]
    assert c._replace(j=9).j == 9 and c.j == 1


# --- the expansion steps and the result ---------------------------------------------------

def draft(text: str, i: int = 0, floor: int = 0) -> tuple[Window, Core, Q._Draft]:
    w = window(text)
    c = read_core(w, i)
    assert c is not None
    s = c.start if c.start is not None and c.start >= floor else max(c.i, floor)
    return w, c, Q._Draft(s, c.j, c.value, c.low, c.high, approx=c.approx, unit=c.unit,
                          unit_kind=c.unit_kind, vague=c.vague, scale=c.scale)


@pytest.mark.parametrize("text, i, kind, span", [
    ("on 7 October 2023", 1, "date", "7 October 2023"),
    ("Oct. 7, 2023", 2, "date", "Oct. 7, 2023"),
    ("in October 2023", 2, "date", "October 2023"),
    ("Resolution 2334", 1, "other", "Resolution 2334"),
    ("No. 10", 2, "other", "No. 10"),
    ("the 3rd day", 1, "ordinal", "3rd"),
    ("F-16", 2, "other", "F-16"),
])
def test_fixed_kind(text: str, i: int, kind: str, span: str) -> None:
    w, c, d = draft(text, i)
    found = Q._fixed_kind(w, c, d.s, 0)
    assert found is not None
    got = found.to_dict(w)
    assert (got["kind"], got["text"]) == (kind, span)


def test_fixed_kind_leaves_counts() -> None:
    w, c, d = draft("4,000 rockets")
    assert Q._fixed_kind(w, c, d.s, 0) is None


@pytest.mark.parametrize("text, i, s, low, high, approx", [
    ("several hundred", 1, 0, 300, 900, True),  # vague: 3..9 x 100
    ("a few thousand", 2, 0, 2000, 5000, True),
    ("a dozen", 1, 0, None, None, False),  # "a" joins, the value stays
])
def test_few_or_article(text: str, i: int, s: int, low, high, approx: bool) -> None:
    w, c, d = draft(text, i)
    assert Q._few_or_article(w, c, d, 0)
    assert (d.s, d.low, d.high, d.approx) == (s, low, high, approx)


def test_bare_scale_needs_a_word_before_it() -> None:
    w, c, d = draft("hundred")
    assert not Q._few_or_article(w, c, d, 0)


def test_words_before_the_number() -> None:
    w, c, d = draft("since US$3bn", 3)
    Q._currency_before(w, d, 0)
    assert (d.currency, d.s) == ("USD", 1)
    w, c, d = draft("at -5C", 2)
    Q._negative_sign(w, c, d, 0)
    assert (d.value, d.s) == (-5.0, 1)
    w, c, d = draft("3-0", 2)  # a score, not a negative number
    Q._negative_sign(w, c, d, 0)
    assert (d.value, d.s) == (0.0, 2)
    w, c, d = draft("more than 4,000", 2)
    Q._left_words(w, d, 0)
    assert (d.s, d.bound, d.approx, d.before) == (0, "at_least", False, "")
    w, c, d = draft("in 2023", 1)
    Q._left_words(w, d, 0)
    assert d.year_ctx and d.before == "in"


@pytest.mark.parametrize("text, unit, scale, value", [
    ("1.2m Gazans", None, 1e6, 1.2e6), ("a 30m wall", "m", 1.0, 30.0),
    ("5m high", "m", 1.0, 5.0), ("$1.2m", None, 1e6, 1.2e6),
])
def test_million_or_metre(text: str, unit: str | None, scale: float, value: float) -> None:
    i = next(k for k, t in enumerate(window(text).toks) if t.kind == "n")
    w, c, d = draft(text, i)
    Q._currency_before(w, d, 0)
    Q._million_or_metre(w, c, d)
    assert (d.unit, d.scale, d.value) == (unit, scale, pytest.approx(value))


@pytest.mark.parametrize("text, expected", [
    ("2014-15", (2014.0, 2015.0, 1.0)),
    ("1999-02", (1999.0, 2002.0, 1.0)),  # the century rolls over
    ("5 to 6 thousand", (5000.0, 6000.0, 1000.0)),
    ("7-8,000", (7000.0, 8000.0, 1.0)),
    ("5-6m", (5e6, 6e6, 1e6)),
    ("9 to 5", None),  # not increasing: two values
])
def test_range_values(text: str, expected: tuple | None) -> None:
    w, c, d = draft(text)
    sep = Q._range_separator(w, c, d)
    assert sep is not None
    second = Q._range_second(w, c, d, sep)
    assert second is not None
    b, nxt = second
    assert Q._range_values(c, d, b, sep, nxt) == expected


def test_range_separator_from_to() -> None:
    """"from 200 to 300" is a change of two values, unless a cue makes it a range."""
    for text, i, is_range in (("rose from 200 to 300", 2, False),
                              ("ranging from 200 to 300", 2, True)):
        w, c, d = draft(text, i)
        Q._left_words(w, d, 0)
        assert (Q._range_separator(w, c, d) is not None) is is_range


def test_ratio() -> None:
    w, c, d = draft("one in four children")
    found = Q._ratio(w, d)
    assert found is not None
    assert (found.low, found.unit, found.kind) == (0.25, "fraction", "other")
    w, c, d = draft("3 in 2 days")  # a rate, not a ratio
    assert Q._ratio(w, d) is None


@pytest.mark.parametrize("text, counted, end", [
    ("a 5,000-strong force", "force", 5),  # "-strong": the noun after it
    ("a 30-member delegation", "member", 4),
])
def test_hyphen_noun(text: str, counted: str, end: int) -> None:
    w, c, d = draft(text, 1)
    assert Q._noun(w, d) is None
    assert (d.counted, d.e) == (counted, end)


def test_hyphen_participle_makes_other() -> None:
    w, c, d = draft("a 3-pronged attack", 1)
    found = Q._noun(w, d)
    assert found is not None and found.kind == "other"


def test_bare_year_and_finish() -> None:
    w, c, d = draft("in 1967", 1)
    Q._left_words(w, d, 0)
    d.low = d.high = d.value
    found = Q._bare_year(w, c, d)
    assert found is not None and (found.kind, found.low) == ("year", 1967.0)
    d = Q._Draft(0, 2, 4000.0, 4000.0, 4000.0, bound="at_least", counted="rockets")
    assert Q._finish(d) == Q._Match(0, 2, low=4000.0, high=None, kind="count",
                                    bound="at_least", counted="rockets")
    d = Q._Draft(0, 2, 5.0, 5.0, 5.0, unit="USD", unit_kind="money", counted="aid")
    assert (Q._finish(d).kind, Q._finish(d).counted) == ("money", None)


def test_match_to_dict_has_the_keys_in_order() -> None:
    w = window("about 20 km")
    m = Q._Match(0, 3, low=20, high=20, kind="measure", approximate=True, unit="km")
    got = m.to_dict(w)
    assert tuple(got) == Q.KEYS
    assert got["text"] == "about 20 km" and got["low"] == 20.0 and isinstance(got["low"], float)
    assert Q._Match.point(1, 2, 20.0, "other").to_dict(w)["bound"] == "exact"
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.kind = "count"  # type: ignore[misc]
