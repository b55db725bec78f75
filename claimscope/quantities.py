"""Every number in a sentence, found and normalised to a range.

    >>> q = extract_quantities("Hamas fired more than 4,000 rockets at Israel.")[0]
    >>> q["text"], q["low"], q["high"], q["bound"], q["counted"]
    ('more than 4,000 rockets', 4000.0, None, 'at_least', 'rockets')

Each quantity is a dict with exactly the keys in ``KEYS``:

- ``start``/``end``/``text``: the whole expression in the caller's ``text``,
  with its bound words, currency, unit and adjacent counted noun phrase.
- ``low``/``high``: the normalised range. Exact numbers have ``low == high``;
  ``at_least`` leaves ``high`` None, ``at_most`` leaves ``low`` None.
- ``bound``: ``exact``, ``at_least`` (more than, over, at least, well over,
  upwards of, in excess of, 2,000-plus, 2,000+, or more, 30-odd), ``at_most``
  (less than, fewer than, under, below, within, up to, at most, no more than,
  and "as many as"/"as much as", read as an upper bound), ``range`` (two
  numbers or a vague magnitude).
- ``approximate``: hedged (around, about, some, roughly, nearly, almost,
  approximately, an estimated, close to, ~, or so, -odd, just over/under) or
  vague. "nearly"/"almost" are hedges, not bounds: "nearly 300" is 300..300.
- ``unit``: "%", "pp" (percentage points), ISO 4217 codes for money ("$" ->
  "USD", "NIS"/"shekels" -> "ILS"), plural time units ("days", "years"),
  symbols for measures ("km", "m", "kg", "tonnes", "km2", "dunam"), "fraction"
  for "half of", "two-thirds", "one in four" (value 0.25), "×" for "three
  times"/"tenfold". Rarer units come from quantulum3's lexicon and use its
  first symbol ("gal", "bbl").
- ``counted``: the noun phrase after the number, as written, from the first
  word to the head noun ("240 Israeli captives" -> "Israeli captives", "150
  aid trucks" -> "aid trucks"); None for measures, money, percentages, dates
  and when no noun follows.
- ``kind``: count, measure, percent, money, year, date, time, ordinal, other.
  Years hold the year; dates the day of month (or the year for "October
  2023"); times the hour as a decimal on a 24 h clock (6:30 pm -> 18.5);
  ordinals their rank; identifiers ("F-16", "Resolution 2334") and fractions
  are "other".

Vague magnitudes are ranges, approximate: "tens of" 20..99, "dozens of"
24..99, "scores of" 40..199, "hundreds of" 200..999, "thousands of"
2000..9999, "tens of thousands of" 20000..99999 (in general "<10^k>s of" is
2*10^k..10^(k+1)-1, chained by product), "a few hundred" 200..500, "several
thousand" 3000..9000. "a dozen" is exactly 12, "a hundred" exactly 100.

Abbreviated ranges take the scale of their second number: "5 to 6 thousand"
-> 5000..6000, "7-8,000" -> 7000..8000, "2014-15" -> 2014..2015. "from 200 to
300" is read as two values (a change) unless a cue such as "ranging" comes
first. A bare 4-digit number from 1800 to 2100 without a comma is a year
unless a bound precedes it or a plural noun follows it with no "in"/"the"/
"since" before it. "1.2m" is a million unless a measure cue follows ("a 30m
wall", "5m high").

quantulum3 supplies the unit lexicon only: its parser averages ranges
("5 to 6 thousand" -> 3002.5), misses vague magnitudes, costs 1-5 ms a
sentence, and its classifier does not load with this scikit-learn.

How the parser reads a window: it scans the tokens left to right; at a number or a
number word, :func:`claimscope._quantity_numbers.read_core` reads the number itself,
then :func:`_expand` runs the named steps below on a :class:`_Draft` of the expression
(bounds and currency before it, a glued "m", the first unit, a ratio, a range, the
counted noun), and the expression's :class:`_Match` consumes its tokens.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from . import _quantity_rules as R
from ._quantity_numbers import Core, read_core, scaled
from ._quantity_tokens import (
    COMPOUND_TAILS,
    DASHES,
    HYPHENS,
    METRE_CUES,
    MINUS,
    Tok,
    Window,
    is_plural,
    number_words,
    tokenize,
    triggers,
)
from .text import COUNTED_PHRASE_STOP_WORDS, LINK_RE, ascii_words

__all__ = ["extract_quantities", "KEYS", "KINDS", "BOUNDS"]

logger = logging.getLogger(__name__)

KEYS = ("start", "end", "text", "low", "high", "approximate", "bound", "unit", "counted",
        "kind")
KINDS = ("count", "measure", "percent", "money", "year", "date", "time", "ordinal", "other")
BOUNDS = ("exact", "at_least", "at_most", "range")


def extract_quantities(text: str, start: int = 0, end: int | None = None) -> list[dict]:
    """Every number expressed in text[start:end], normalised; offsets index `text`."""
    if not isinstance(text, str):
        raise TypeError(f"extract_quantities() needs a str, got {type(text).__name__}.")
    lo, hi, _ = slice(start, end).indices(len(text))
    if lo >= hi or not _may_hold_number(text, lo, hi):
        return []
    try:
        found = _scan(Window(text, tokenize(text, lo, hi)))
    except (ArithmeticError, IndexError, KeyError, ValueError, TypeError, RecursionError):
        # A rule bug must not take the pipeline down; the sentence just loses its numbers.
        logger.warning("quantity extraction failed on %r", text[lo:hi][:200], exc_info=True)
        return []
    # digits of a link, or of a file name or identifier a translation cut out of one
    # ("...-2544916_24.php"), are not figures of the text
    links = [m.span() for m in LINK_RE.finditer(text, lo, hi)]
    return [q for q in found if not any(a <= q["start"] < b for a, b in links)
            and text[q["start"] - 1:q["start"]] != "_"
            and not _FILE_TAIL.match(text, q["end"])]


_DIGIT_RE = re.compile(r"[0-9]")
_FILE_TAIL = re.compile(r"_|\.(?:php|html?|aspx?|jpe?g|png|pdf)\b", re.I)


def _may_hold_number(text: str, lo: int, hi: int) -> bool:
    """Cheap test run on every sentence: a digit or a number word."""
    if _DIGIT_RE.search(text, lo, hi):
        return True
    return not number_words().isdisjoint(ascii_words(text[lo:hi]))


@dataclass(frozen=True, slots=True)
class _Match:
    """One quantity found: its tokens [s, e) and its normalised fields."""

    s: int
    e: int
    low: float | None
    high: float | None
    kind: str
    bound: str = "exact"
    approximate: bool = False
    unit: str | None = None
    counted: str | None = None

    @classmethod
    def point(cls, s: int, e: int, value: float | None, kind: str) -> _Match:
        """An exact, unhedged value with no unit or noun (a date, an identifier...)."""
        return cls(s, e, low=value, high=value, kind=kind)

    def to_dict(self, win: Window) -> dict:
        """The quantity as returned: character offsets into the text, fields in KEYS order."""
        a, b = win.toks[self.s].start, win.toks[self.e - 1].end
        return {
            "start": a, "end": b, "text": win.text[a:b],
            "low": None if self.low is None else float(self.low),
            "high": None if self.high is None else float(self.high),
            "approximate": bool(self.approximate), "bound": self.bound, "unit": self.unit,
            "counted": self.counted, "kind": self.kind,
        }


@dataclass(slots=True)
class _Draft:
    """The expression being built around a core, tokens [s, e): the one object the steps
    of :func:`_expand` change. Each step reads the core and the draft and widens or fills
    the draft."""

    s: int
    e: int
    value: float | None
    low: float | None = None
    high: float | None = None
    approx: bool = False
    unit: str | None = None
    unit_kind: str | None = None
    vague: bool = False
    scale: float = 1.0  # the core's, or 1e6 once a glued "m" reads as a million
    bound: str | None = None
    left_bound: str | None = None
    right_bound: str | None = None
    currency: str | None = None
    counted: str | None = None
    is_range: bool = False
    year_ctx: bool = False  # a word before the number makes a bare 4-digit number a year
    before: str = ""  # the word before the expression ("between", "from")


def _scan(win: Window) -> list[dict]:
    """Every quantity of a window, left to right; each match consumes its tokens."""
    out: list[dict] = []
    starts = triggers()
    i = floor = 0
    while i < win.n:
        t = win.toks[i]
        if t.kind == "n" or (t.kind == "w" and t.low in starts):
            core = read_core(win, i)
            found = _expand(win, core, floor) if core is not None else None
            if found is not None:
                out.append(found.to_dict(win))
                i = floor = max(found.e, i + 1)
                continue
        i += 1
    return out


def _expand(win: Window, c: Core, floor: int) -> _Match | None:
    """Attach dates, bounds, currency, ranges, units and the counted noun to a core.

    ``floor`` is the first token the expression may take (the previous one ends there).
    """
    s = c.start if c.start is not None and c.start >= floor else max(c.i, floor)
    fixed = _fixed_kind(win, c, s, floor)
    if fixed is not None:
        return fixed
    d = _Draft(s, c.j, c.value, c.low, c.high, approx=c.approx, unit=c.unit,
               unit_kind=c.unit_kind, vague=c.vague, scale=c.scale)
    if not _few_or_article(win, c, d, floor):
        return None
    _currency_before(win, d, floor)
    _negative_sign(win, c, d, floor)
    _left_words(win, d, floor)
    _million_or_metre(win, c, d)
    _first_unit(win, c, d)
    found = _ratio(win, d) or _range(win, c, d, floor)
    if found is not None:
        return found
    if not d.is_range and not d.vague:
        d.low = d.high = d.value
    if d.currency is not None:
        d.unit, d.unit_kind = d.currency, "money"
    _settle_bound_and_unit(win, d)
    if d.unit is None:
        found = _noun(win, d)
        if found is not None:
            return found
    return _bare_year(win, c, d) or _finish(d)


# --- forms with a fixed kind: no bounds or nouns attach ----------------------------------

def _fixed_kind(win: Window, c: Core, s: int, floor: int) -> _Match | None:
    """Identifiers, times, dates, decades and ordinals, complete as they stand."""
    found = _own_kind(c, s) or _day_of_month(win, c, s, floor) or _month_year(win, c, s, floor)
    if found is None and c.kind == "ordinal":
        found = _Match.point(s, c.j, c.value, "ordinal")  # "3rd", "twentieth"
    return found or _labelled(win, c, s, floor)


def _own_kind(c: Core, s: int) -> _Match | None:
    """A kind the core's form fixed: a name, a time, a written date, a decade."""
    if c.kind in ("other", "time") and c.unit != "fraction":
        return _Match.point(s, c.j, c.value, c.kind)
    if c.kind == "date":
        return _Match.point(s, c.j, c.value, "date")
    if c.kind == "year" and c.low is not None:
        return _Match(s, c.j, low=c.low, high=c.high, kind="year", bound="range")
    return None


def _day_of_month(win: Window, c: Core, s: int, floor: int) -> _Match | None:
    """"7 October 2023", "Oct. 7", "the 2nd of November, 2023"."""
    if not (c.short or (c.kind == "ordinal" and not c.words)):
        return None
    e, value = c.j, c.value
    month = win.month_before(s, floor)
    after = win.month_after(e) if month is None else None
    if value is None or not 1 <= value <= 31 or (month is None and not after):
        return None
    if month is not None:
        s = month
    else:
        e = after or e
    if win.low(e) == "," and win.year_at(e + 1):
        e += 2
    elif win.year_at(e) and win.toks[e].sp:
        e += 1
    return _Match.point(s, e, value, "date")


def _month_year(win: Window, c: Core, s: int, floor: int) -> _Match | None:
    """"October 2023": a date holding the year."""
    if c.plain_int4 and c.value is not None and 1000 <= c.value <= 2100:
        month = win.month_before(s, floor)
        if month is not None:
            return _Match.point(month, c.j, c.value, "date")
    return None


def _labelled(win: Window, c: Core, s: int, floor: int) -> _Match | None:
    """"Resolution 2334", "Route 60", "Operation 1027", "No. 10": a name, kind other."""
    prev = win.tok(s - 1)
    if prev is None or s - 1 < floor or c.words:
        return None
    if prev.kind == "w" and c.unit is None and c.scale == 1 and (
            (prev.low in R.ID_LABELS and prev.text[0].isupper())
            or prev.low in R.LOWER_ID_LABELS):
        return _Match.point(s - 1, c.j, c.value, "other")
    if prev.text == "." and s - 2 >= floor and win.low(s - 2) in ("no", "nos"):
        return _Match.point(s - 2, c.j, c.value, "other")
    return None


# --- words before the number -------------------------------------------------------------

def _few_or_article(win: Window, c: Core, d: _Draft, floor: int) -> bool:
    """"several hundred", "a few thousand" (vague), "a dozen", "a hundred"; False for a
    bare "hundred" or "dozen" with no such word before it."""
    if not c.words or c.vague or c.start is not None:
        return True
    few = _few_before(win, d.s, floor)
    if few is not None and c.bare_scale:
        d.s -= len(few[0])
        d.low = few[1][0] * (d.value or 0)
        d.high = few[1][1] * (d.value or 0)
        d.vague = d.approx = True
    elif d.s - 1 >= floor and win.low(d.s - 1) in ("a", "an") and (
            c.bare_scale or win.low(d.s) in ("hundred", "dozen")):
        d.s -= 1
    elif c.bare_scale:
        return False
    return True


def _few_before(win: Window, s: int, floor: int
                ) -> tuple[tuple[str, ...], tuple[int, int]] | None:
    """The longest "several"/"a few"/"a couple of" phrase ending at token s, with its
    multipliers (the first listed of the longest)."""
    few = None
    for key, mult in R.FEW_WORDS.items():
        size = len(key)
        if s - size >= floor and tuple(x.low for x in win.toks[s - size:s]) == key:
            if few is None or size > len(few[0]):
                few = key, mult
    return few


def _currency_before(win: Window, d: _Draft, floor: int) -> None:
    """A currency symbol or code before the number: "$2 billion", "NIS 50", "US$3bn"."""
    if d.s - 1 < floor:
        return
    p = win.toks[d.s - 1]
    if p.text in R.CURRENCY_PREFIXES and (p.kind == "s" or p.text.isupper()
                                          or p.text == "Rs"):
        d.currency = R.CURRENCY_PREFIXES[p.text]
        d.s -= 1
        if d.s - 1 >= floor and win.toks[d.s - 1].text in ("US", "A", "C") and not p.sp:
            d.s -= 1


def _negative_sign(win: Window, c: Core, d: _Draft, floor: int) -> None:
    """"minus 10 degrees", "-5C" (not the dash of a score, "3-0")."""
    if d.currency is not None or d.s - 1 < floor or d.value is None:
        return
    p = win.toks[d.s - 1]
    if p.low == "minus" or (
            p.text in MINUS and win.glued(d.s) and not c.words and p.sp
            and (d.s - 2 < 0 or win.toks[d.s - 2].kind != "n")):
        d.s -= 1
        d.value = -d.value


def _left_words(win: Window, d: _Draft, floor: int) -> None:
    """Bounds and hedges before the number ("more than", "about"), the word before them,
    and whether that context makes a bare 4-digit number a year ("in 2023")."""
    inner = d.s
    d.s, d.left_bound, approx = win.left_modifiers(d.s, floor)
    d.bound = d.left_bound
    d.approx = d.approx or approx
    d.before = win.low(d.s - 1) if d.s - 1 >= floor else ""
    d.year_ctx = (inner - 1 >= floor and win.low(inner - 1) in R.YEAR_CONTEXT) or (
        win.low(inner - 1) in HYPHENS and win.low(inner - 2) in R.GLUE_PREFIXES)


# --- right after the number --------------------------------------------------------------

def _million_or_metre(win: Window, c: Core, d: _Draft) -> None:
    """Resolve a glued "m": "1.2m Gazans" (million) or "a 30m wall" (metres)."""
    if not c.m_suffix:
        return
    nxt = win.tok(d.e)
    tail = win.low(d.e) in HYPHENS and win.low(d.e + 1) in COMPOUND_TAILS
    metre = d.currency is None and (tail or (
        nxt is not None and nxt.kind == "w" and (
            nxt.low in METRE_CUES or (not is_plural(nxt.text)
                                      and nxt.low not in R.NOMINAL_HEADS
                                      and nxt.low not in COUNTED_PHRASE_STOP_WORDS
                                      and not nxt.text[0].isupper()))))
    if metre:
        d.unit, d.unit_kind = "m", "measure"
        if tail and win.glued(d.e):
            d.e += 2
    else:
        d.scale = 1e6
        d.value = scaled(d.value, 1e6)


def _first_unit(win: Window, c: Core, d: _Draft) -> None:
    """The unit right after the first number ("3 km", "three-day"), then "-plus"."""
    if d.unit is None and c.unit != "fraction":
        hint = d.scale > 1 or d.currency is not None
        if win.hyphen_joins(d.e):
            hit = win.unit_at(d.e + 1, glued=True, money_hint=hint)
        else:
            hit = win.unit_at(d.e, glued=False, money_hint=hint)
        if hit is not None:
            d.unit, d.unit_kind, d.e = hit
    _right_bound(win, d)


def _right_bound(win: Window, d: _Draft) -> None:
    """Bounds and hedges after the number: "2,000-plus", "30-odd", "or more", "or so"."""
    d.e, d.right_bound, approx = win.right_modifiers(d.e)
    d.approx = d.approx or approx


def _ratio(win: Window, d: _Draft) -> _Match | None:
    """"one in four", "3 out of 4": a fraction."""
    e = d.e
    if d.unit is not None or d.right_bound or d.scale != 1 or d.value is None \
            or d.value < 1 or d.value != int(d.value):
        return None
    if win.low(e) == "in":
        k = e + 1
    elif win.low(e) == "out" and win.low(e + 1) == "of":
        k = e + 2
    else:
        return None
    nxt = win.tok(k)
    if nxt is None or not (nxt.kind == "n" or nxt.low in R.UNIT_WORDS
                           or nxt.low in R.TEN_WORDS):
        return None
    b = read_core(win, k)
    if b is None or b.kind is not None or b.value is None or b.scale != 1 \
            or not d.value < b.value <= 1000 or b.plain_int4 or b.decimal:
        return None
    if win.unit_at(b.j, glued=False) is not None:
        return None  # "3 in 2 days"
    frac = d.value / b.value
    return _Match(d.s, b.j, low=frac, high=frac, kind="other", bound=d.bound or "exact",
                  approximate=d.approx, unit="fraction")


# --- ranges ------------------------------------------------------------------------------

def _range(win: Window, c: Core, d: _Draft, floor: int) -> _Match | None:
    """"5 to 6 thousand", "7-8,000", "between 300 and 400", "15 to 25%", "7-8 October".

    Sets d.is_range and the bounds on success; returns a match only for ranges of years
    and dates, which are complete as they stand.
    """
    sep = _range_separator(win, c, d)
    if sep is None:
        return None
    second = _range_second(win, c, d, sep)
    if second is None:
        return None
    b, nxt = second
    values = _range_values(c, d, b, sep, nxt)
    if values is None:
        return None
    a_val, b_val, b_scale = values
    end = b.j
    b_unit = (b.unit, b.unit_kind) if b.unit is not None else None
    if b_unit is None:
        hit = win.unit_at(end, glued=False, money_hint=b_scale > 1 or d.currency is not None)
        if hit is not None:
            b_unit, end = (hit.unit, hit.kind), hit.end
    if b_unit is not None and d.unit is not None and b_unit[0] != d.unit:
        return None  # "by 68% to 10.8 trillion roubles": two values
    d.is_range = True
    d.low, d.high, d.e = a_val, b_val, end
    if b_unit is not None:
        d.unit, d.unit_kind = b_unit
    if d.before in ("between", "from") and sep.low in ("and", "to"):
        d.s -= 1
    found = _year_range(win, c, d, b, nxt) or _date_range(win, c, d, b, floor)
    if found is None:
        _right_bound(win, d)
    return found


def _range_separator(win: Window, c: Core, d: _Draft) -> Tok | None:
    """The dash, "to", "or" or "and" that may join a second number; "from 200 to 300"
    is two values (a change) unless a cue such as "ranging" or a year comes first."""
    sep = win.tok(d.e)
    if sep is None or d.right_bound is not None or d.vague or c.unit == "fraction" \
            or d.value is None:
        return None
    from_cue = d.before == "from" and (win.low(d.s - 2) in R.RANGE_FROM_CUES or c.plain_int4)
    if not (sep.text in DASHES or sep.low == "or"
            or (sep.low == "to" and (d.before != "from" or from_cue))
            or (sep.low == "and" and d.before == "between")):
        return None
    return sep


def _range_second(win: Window, c: Core, d: _Draft, sep: Tok) -> tuple[Core, Tok] | None:
    """The second number of a range (after a repeated currency: "$5 to $6") and its
    first token; None when it cannot end a range."""
    k = d.e + 1
    if win.tok(k) is not None and win.toks[k].text in R.CURRENCY_PREFIXES and d.currency:
        k += 1
    nxt = win.tok(k)
    if nxt is None or not (nxt.kind == "n" or (
            nxt.kind == "w" and (nxt.low in R.UNIT_WORDS or nxt.low in R.TEN_WORDS))):
        return None
    if sep.text in DASHES and nxt.kind == "w" and not c.words:
        return None
    b = read_core(win, k)
    if b is None or b.value is None or b.kind is not None or b.vague or b.bare_scale:
        return None
    return b, nxt


def _range_values(c: Core, d: _Draft, b: Core, sep: Tok, nxt: Tok
                  ) -> tuple[float, float, float] | None:
    """(low, high, scale of the second number): an abbreviated first number takes the
    second's scale ("2014-15", "5 to 6 thousand", "7-8,000"); None unless low < high."""
    a_val, b_val, b_scale = d.value, b.value, b.scale
    if a_val is None or b_val is None:
        return None  # (never: _range_separator and _range_second refused them)
    if c.plain_int4 and sep.text in DASHES and len(nxt.text) == 2 and nxt.text.isdigit():
        b_val = (a_val // 100) * 100 + b_val  # "2014-15"
        if b_val <= a_val:
            b_val += 100
    if b.m_suffix:
        b_scale, b_val = 1e6, b_val * 1e6
    if b_scale > 1 and d.scale == 1 and a_val * b_scale <= b_val:
        a_val *= b_scale  # "5 to 6 thousand"
    elif (b.commas and not c.commas and not c.decimal and not c.words
          and a_val < 1000 and sep.low != "or"):
        factor = 1000.0 ** b.commas  # "7-8,000"
        if a_val * factor <= b_val < a_val * factor * 10:
            a_val *= factor
    if not a_val < b_val:
        return None
    return a_val, b_val, b_scale


def _year_range(win: Window, c: Core, d: _Draft, b: Core, nxt: Tok) -> _Match | None:
    """"2014-15", "1948 to 1967" with no unit, bound or counted noun: a span of years."""
    if d.low is None or d.high is None:
        return None  # (never: _range set both just before)
    if c.plain_int4 and (b.plain_int4 or len(nxt.text) == 2) and d.unit is None \
            and 1800 <= d.low and d.high <= 2100 and d.bound is None \
            and win.counted(d.e, False) is None:
        return _Match(d.s, d.e, low=d.low, high=d.high, kind="year", bound="range",
                      approximate=d.approx)
    return None


def _date_range(win: Window, c: Core, d: _Draft, b: Core, floor: int) -> _Match | None:
    """"7-8 October", "October 7 to 9": days of a month."""
    if not (c.short and b.short):
        return None
    month = win.month_before(d.s, floor)
    after = win.month_after(d.e) if month is None else None
    if month is None and not after:
        return None
    s = month if month is not None else d.s
    e = after or d.e
    if win.year_at(e):
        e += 1
    return _Match(s, e, low=d.low, high=d.high, kind="date", bound="range")


# --- the counted noun and the kind -------------------------------------------------------

def _settle_bound_and_unit(win: Window, d: _Draft) -> None:
    """A bound written after the number counts when none came before; a unit may follow
    a bound or hedge ("2,000-plus km", "30-odd km")."""
    if d.right_bound is not None and d.bound is None:
        d.bound = d.right_bound
    if d.unit is None and (d.right_bound is not None or d.approx):
        hit = win.unit_at(d.e, glued=False, money_hint=d.scale > 1)
        if hit is not None:
            d.unit, d.unit_kind, d.e = hit


def _noun(win: Window, d: _Draft) -> _Match | None:
    """The counted noun: glued by a hyphen, after the "of" of a vague magnitude, or
    spaced; a match only when a hyphenated word makes the expression "other"."""
    e = d.e
    if win.hyphen_joins(e) and win.tok(e + 1) is not None and win.toks[e + 1].kind == "w":
        return _hyphen_noun(win, d)
    if d.vague and win.low(e) == "of":
        _of_phrase(win, d)
    else:
        _counted_noun(win, d)
    return None


def _hyphen_noun(win: Window, d: _Draft) -> _Match | None:
    """A word glued by a hyphen: "a 30-member delegation", "a 5,000-strong force"; a
    participle or an adverb ("a 3-pronged attack", "a two-way road") makes it "other"."""
    toks = win.toks
    tail = win.glued_chain_end(d.e + 1)
    word = win.text[toks[d.e + 1].start:toks[tail - 1].end]
    d.e = tail
    if word.lower() == "strong":
        found = win.counted(tail, singular=True)
        if found is not None:
            d.counted, d.e = found
    elif word.lower().endswith(("ed", "ing", "ly", "way")):
        return _Match(d.s, d.e, low=d.low, high=d.high, kind="other",
                      bound=d.bound or "exact", approximate=d.approx)
    else:
        d.counted = word
    return None


def _of_phrase(win: Window, d: _Draft) -> None:
    """After "thousands of": a unit ("millions of dollars") or the counted noun."""
    hit = win.unit_at(d.e + 1, glued=False, money_hint=True)
    if hit is not None:
        d.unit, d.unit_kind, d.e = hit
    else:
        found = win.counted(d.e + 1, singular=False)
        if found is not None:
            d.counted, d.e = found


def _counted_noun(win: Window, d: _Draft) -> None:
    """The counted noun phrase after the number ("rockets", "Israeli captives"), then
    a hedge or bound after it ("20 trucks or so")."""
    singular = not d.is_range and not d.vague and d.value == 1
    found = win.counted(d.e, singular)
    if found is not None:
        d.counted, d.e = found
        d.e, bound, approx = win.right_modifiers(d.e, after_noun=True)
        d.bound = d.bound or bound
        d.approx = d.approx or approx


def _bare_year(win: Window, c: Core, d: _Draft) -> _Match | None:
    """A bare 4-digit number is a year ("in 2023", "1967 borders") unless something
    marks it as a count (a bound, a unit, a plural noun after it)."""
    value = d.value
    if (c.plain_int4 and not d.is_range and d.unit is None and value is not None
            and 1000 <= value <= 2100 and d.left_bound is None and d.right_bound is None
            and (d.year_ctx or (d.counted is None and value >= 1800))):
        end = c.j + 1 if win.low(c.j) in R.YEAR_SUFFIXES else c.j
        return _Match(d.s, end, low=value, high=value, kind="year", approximate=d.approx)
    return None


def _finish(d: _Draft) -> _Match:
    """The match of a finished draft: its bound (an open end dropped), unit and kind."""
    bound = d.bound or ("range" if d.is_range or d.vague else "exact")
    low, high = d.low, d.high
    if bound == "at_least":
        high = None
    elif bound == "at_most":
        low = None
    counted = d.counted
    if d.unit_kind in ("money", "percent", "measure"):
        kind, counted = d.unit_kind, None
    elif d.unit == "fraction" or d.unit_kind == "other":
        kind = "other"
    elif d.value is None and not d.vague and not d.is_range:
        kind = "other"
    else:
        kind = "count"
    return _Match(d.s, d.e, low=low, high=high, kind=kind, bound=bound,
                  approximate=d.approx, unit=d.unit, counted=counted)
