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
"""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path

from . import _quantity_rules as R
from .dates import MONTHS
from .text import COUNTED_PHRASE_STOP_WORDS, WORD, ascii_words

__all__ = ["extract_quantities", "KEYS", "KINDS", "BOUNDS"]

logger = logging.getLogger(__name__)

KEYS = ("start", "end", "text", "low", "high", "approximate", "bound", "unit", "counted",
        "kind")
KINDS = ("count", "measure", "percent", "money", "year", "date", "time", "ordinal", "other")
BOUNDS = ("exact", "at_least", "at_most", "range")

_HYPHENS = frozenset("-‐‑")
_DASHES = frozenset("-‐‑–—")
_MINUS = frozenset("-−")
_METRE_CUES = frozenset({"high", "tall", "long", "wide", "deep", "thick", "away", "above",
                         "below", "underground", "underwater", "beneath", "from", "down",
                         "deeper", "higher", "across", "behind"})
_COMPOUND_TAILS = frozenset({"long", "wide", "deep", "high", "tall", "old", "thick"})

_TOKEN_RE = re.compile(
    r"(?P<n>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?(?![0-9])|[0-9]+(?:\.[0-9]+)?)"
    rf"|(?P<w>{WORD})"
    r"|(?P<s>\S)")


class _Tok:
    """One token: a number, a word or any other single character."""

    __slots__ = ("text", "low", "start", "end", "kind", "sp")

    def __init__(self, text: str, start: int, end: int, kind: str, sp: bool) -> None:
        self.text = text
        self.low = text.lower()
        self.start = start
        self.end = end
        self.kind = kind  # "n" number, "w" word, "s" symbol
        self.sp = sp  # whitespace (or the window start) comes before it


@dataclass
class _Core:
    """The number itself, before bounds, ranges, units and nouns are attached."""

    i: int
    j: int
    value: float | None
    low: float | None = None
    high: float | None = None
    words: bool = False
    scale: float = 1.0
    kind: str | None = None
    unit: str | None = None
    unit_kind: str | None = None
    vague: bool = False
    approx: bool = False
    commas: int = 0
    decimal: bool = False
    plain_int4: bool = False
    short: bool = False  # 1-2 plain digits: may be a day of month
    bare_scale: bool = False  # "hundred", "dozen": needs "a", "several"...
    m_suffix: bool = False
    start: int | None = None  # first token when the core reaches left ("a dozen")


@dataclass
class _State:
    """One expression being built: its token span and the fields found so far."""

    s: int
    e: int
    value: float | None
    low: float | None = None
    high: float | None = None
    approx: bool = False
    unit: str | None = None
    unit_kind: str | None = None
    vague: bool = False
    bound: str | None = None
    left_bound: str | None = None
    right_bound: str | None = None
    currency: str | None = None
    counted: str | None = None
    is_range: bool = False
    year_ctx: bool = False
    before: str = ""


def extract_quantities(text: str, start: int = 0, end: int | None = None) -> list[dict]:
    """Every number expressed in text[start:end], normalised; offsets index `text`."""
    if not isinstance(text, str):
        raise TypeError(f"extract_quantities() needs a str, got {type(text).__name__}.")
    lo, hi, _ = slice(start, end).indices(len(text))
    if lo >= hi or not _may_hold_number(text, lo, hi):
        return []
    try:
        return _Parser(text, _tokenize(text, lo, hi)).run()
    except (ArithmeticError, IndexError, KeyError, ValueError, TypeError, RecursionError):
        # A rule bug must not take the pipeline down; the sentence just loses its numbers.
        logger.warning("quantity extraction failed on %r", text[lo:hi][:200], exc_info=True)
        return []


_DIGIT_RE = re.compile(r"[0-9]")


def _may_hold_number(text: str, lo: int, hi: int) -> bool:
    """Cheap test run on every sentence: a digit or a number word."""
    if _DIGIT_RE.search(text, lo, hi):
        return True
    return not _number_words().isdisjoint(ascii_words(text[lo:hi]))


@functools.cache
def _number_words() -> frozenset[str]:
    return frozenset(set(R.UNIT_WORDS) | set(R.TEN_WORDS) | set(R.SCALE_WORDS)
                     | set(R.ORDINAL_WORDS) | set(R.VAGUE_PLURALS) | set(R.VAGUE_FIXED)
                     | set(R.FRACTION_WORDS) | set(_fold_words()) | {"dozen"})


@functools.cache
def _fold_words() -> dict[str, float]:
    """"twofold", "tenfold", "hundredfold" -> multiplier."""
    bases = {**R.UNIT_WORDS, **R.TEN_WORDS, "hundred": 100, "thousand": 1000}
    return {word + "fold": float(value) for word, value in bases.items() if value > 1}


@functools.cache
def _triggers() -> frozenset[str]:
    return frozenset(set(R.UNIT_WORDS) | set(R.TEN_WORDS) | set(R.SCALE_WORDS)
                     | set(R.ORDINAL_WORDS) | set(R.VAGUE_PLURALS) | set(R.VAGUE_FIXED)
                     | set(_fold_words()) | {"dozen", "half", "quarter"})


@functools.cache
def _quantulum_units() -> dict[str, tuple[str, str]]:
    """Lowercase unit words from quantulum3's lexicon -> (unit, kind); {} if absent."""
    # found, not imported: importing quantulum3 loads its unit classifier whenever
    # scikit-learn is installed (~190 MB and seconds), and only its lexicon is read here
    spec = importlib.util.find_spec("quantulum3")
    if spec is None or not spec.origin:
        logger.info("quantulum3 is not installed; using the built-in units only")
        return {}
    found: dict[str, tuple[str, str]] = {}
    root = Path(spec.origin).parent
    for path in (root / "units.json", root / "_lang" / "en_US" / "units.json"):
        try:
            table = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for name, unit in table.items():
            if unit.get("entity") not in R.QUANTULUM_ENTITIES:
                continue
            if unit["entity"] == "currency":
                norm, kind = unit.get("currency_code") or name, "money"
            else:
                norm, kind = (unit.get("symbols") or [name])[0], "measure"
            for surface in unit.get("surfaces", []):
                low = surface.lower()
                for form in (low, low + "s", low + "es", low[:-1] + "ies"):
                    if " " not in form and form not in R.QUANTULUM_REFUSED:
                        found.setdefault(form, (norm, kind))
    return found


def _tokenize(text: str, lo: int, hi: int) -> list[_Tok]:
    toks: list[_Tok] = []
    prev_end = lo
    for m in _TOKEN_RE.finditer(text, lo, hi):
        a, b = m.span()
        toks.append(_Tok(m.group(), a, b, m.lastgroup or "s", a != prev_end or a == lo))
        prev_end = b
    return toks


def _number(raw: str) -> float | None:
    value = float(raw.replace(",", ""))
    return value if math.isfinite(value) else None


def _power(base: float | None, raw_exp: str) -> float | None:
    exp = float(raw_exp)
    if base is None or base <= 0 or exp * math.log10(base) > 300:
        return None
    return base ** exp


def _scaled(value: float | None, factor: float) -> float | None:
    if value is None:
        return None
    out = value * factor
    return out if math.isfinite(out) else None


def _is_plural(word: str) -> bool:
    low = word.lower()
    if low in R.IRREGULAR_PLURALS:
        return True
    if low in R.NOT_PLURAL or len(low) < 3 or "'" in low or "’" in low:
        return False
    if word.isupper():
        return False  # acronyms: "HIMARS", "ATACMS" (but "IEDs" is plural)
    if word[:1].isupper() and low.endswith(("ese", "is")):
        return True  # demonyms: "thousands of Sudanese", "60,000 Israelis"
    return low.endswith("s") and not low.endswith(("ss", "us", "is"))


class _Parser:
    """Scans one window's tokens left to right; each match consumes its tokens."""

    def __init__(self, text: str, toks: list[_Tok]) -> None:
        self.text = text
        self.toks = toks
        self.n = len(toks)

    # ------------------------------------------------------------------ driver
    def run(self) -> list[dict]:
        out: list[dict] = []
        triggers = _triggers()
        i = floor = 0
        while i < self.n:
            t = self.toks[i]
            if t.kind == "n" or (t.kind == "w" and t.low in triggers):
                found = self._match(i, floor)
                if found is not None:
                    out.append(found[0])
                    i = floor = max(found[1], i + 1)
                    continue
            i += 1
        return out

    def _match(self, i: int, floor: int) -> tuple[dict, int] | None:
        core = self._digit_core(i) if self.toks[i].kind == "n" else self._word_core(i)
        if core is None:
            return None
        return self._expand(core, floor)

    # ------------------------------------------------------------ small helpers
    def tok(self, k: int) -> _Tok | None:
        return self.toks[k] if 0 <= k < self.n else None

    def low(self, k: int) -> str:
        t = self.tok(k)
        return t.low if t is not None else ""

    def glued(self, k: int) -> bool:
        """Token k touches the token before it."""
        t = self.tok(k)
        return t is not None and not t.sp

    def is_month(self, k: int) -> bool:
        t = self.tok(k)
        return t is not None and t.kind == "w" and t.low in MONTHS and t.text[0].isupper()

    def month_before(self, k: int, floor: int) -> int | None:
        """Index of a month name just before token k ("October 7", "Oct. 7")."""
        if k - 1 >= floor and self.is_month(k - 1):
            return k - 1
        if (k - 2 >= floor and self.low(k - 1) == "." and self.glued(k - 1)
                and self.is_month(k - 2)):
            return k - 2
        return None

    def month_after(self, k: int) -> int | None:
        """End index after a month name at k (with "of" and "Oct." handled)."""
        if self.low(k) == "of" and self.is_month(k + 1):
            k += 1
        if not self.is_month(k):
            return None
        k += 1
        if self.low(k) == "." and self.glued(k) and len(self.toks[k - 1].text) <= 4:
            k += 1
        return k

    def year_at(self, k: int) -> bool:
        t = self.tok(k)
        return (t is not None and t.kind == "n" and len(t.text) == 4 and t.text.isdigit()
                and 1000 <= int(t.text) <= 2100)

    def ampm(self, k: int) -> tuple[bool, int] | None:
        """(is_pm, end index) for "am", "pm", "a.m.", "p.m." at k."""
        t = self.tok(k)
        if t is None or t.kind != "w":
            return None
        if t.low in ("am", "pm"):
            return t.low == "pm", k + 1
        if (t.low in ("a", "p") and self.low(k + 1) == "." and self.glued(k + 1)
                and self.low(k + 2) == "m" and self.glued(k + 2)):
            end = k + 4 if self.low(k + 3) == "." and self.glued(k + 3) else k + 3
            return t.low == "p", end
        return None

    def glued_chain_end(self, k: int) -> int:
        """End of the run of touching words, numbers and hyphens starting at k."""
        m = k + 1
        while m < self.n and not self.toks[m].sp and (
                self.toks[m].kind in ("w", "n") or self.toks[m].text in _HYPHENS):
            m += 1
        while m - 1 > k and self.toks[m - 1].text in _HYPHENS:
            m -= 1
        return m

    # ------------------------------------------------------------------ cores
    def _digit_core(self, i: int) -> _Core | None:
        toks, t = self.toks, self.toks[i]
        c = _Core(i, i + 1, _number(t.text), commas=t.text.count(","),
                  decimal="." in t.text)
        c.plain_int4 = len(t.text) == 4 and t.text.isdigit()
        c.short = len(t.text) <= 2 and t.text.isdigit()
        prev, prev2 = self.tok(i - 1), self.tok(i - 2)
        if not t.sp and prev is not None:
            if prev.kind == "w" and prev.low not in R.GLUE_PREFIXES:
                return self._identifier(c)
            if (prev.text in _HYPHENS and not prev.sp and prev2 is not None
                    and prev2.kind == "w" and prev2.low not in R.GLUE_PREFIXES
                    and prev2.low not in MONTHS):
                return self._identifier(c)
        j = i + 1
        if (self.low(j) == "^" and self.glued(j) and self.tok(j + 1) is not None
                and toks[j + 1].kind == "n" and self.glued(j + 1)):
            c.value, j = _power(c.value, toks[j + 1].text), j + 2
            c.plain_int4 = c.short = False
        c.j = j
        # H:MM clock times, with am/pm and a time zone when present.
        if (self.low(j) == ":" and self.glued(j) and self.tok(j + 1) is not None
                and toks[j + 1].kind == "n" and self.glued(j + 1)
                and len(toks[j + 1].text) == 2 and int(toks[j + 1].text) < 60
                and c.value is not None and c.value <= 24):
            return self._time(c, c.value + float(toks[j + 1].text) / 60, j + 2)
        ampm = self.ampm(j)
        if ampm is not None and c.value is not None and 0 < c.value < 13 and (
                self.glued(j) or not c.decimal):
            whole, _, frac = t.text.partition(".")
            hours = float(whole) + (float(frac) / 60 if frac else 0.0)
            return self._time(c, hours, j)
        if (c.plain_int4 and c.value is not None and c.value <= 2359 and c.value % 100 < 60
                and self.low(j) in R.TIME_ZONES and self.toks[j].text.isupper()):
            return self._time(c, c.value // 100 + (c.value % 100) / 60, j)
        # Numeric dates and fractions: 7/10/2023, 9/11, 2023-10-07, 2/3.
        if self.low(j) == "/" and self.glued(j) and self.tok(j + 1) is not None \
                and toks[j + 1].kind == "n" and self.glued(j + 1):
            return self._slashed(c, j)
        if (c.plain_int4 and self.low(j) in _HYPHENS and self.glued(j)
                and self.tok(j + 3) is not None and toks[j + 1].kind == "n"
                and self.glued(j + 1) and self.low(j + 2) in _HYPHENS and self.glued(j + 2)
                and toks[j + 3].kind == "n" and self.glued(j + 3)
                and len(toks[j + 1].text) <= 2 and len(toks[j + 3].text) <= 2):
            c.kind, c.value, c.j = "date", float(toks[j + 3].text), j + 4
            return c
        # Suffix glued to the digits.
        suffix = self.tok(j)
        if suffix is not None and suffix.kind == "w" and not suffix.sp:
            s = suffix.text
            if suffix.low in R.ORDINAL_SUFFIXES and c.value is not None \
                    and c.value == int(c.value) and not c.decimal:
                c.kind, c.j = "ordinal", j + 1
            elif s in R.SCALE_SUFFIXES:
                c.scale = R.SCALE_SUFFIXES[s]
                c.value, c.j = _scaled(c.value, c.scale), j + 1
                c.plain_int4 = c.short = False
            elif s in ("m", "M"):
                c.m_suffix, c.j = True, j + 1
                c.plain_int4 = c.short = False
            elif suffix.low == "s":
                c.j = j + 1
                if self.low(j + 1) == "of" and c.value in (10, 100, 1000, 1e6):
                    c.vague, c.low, c.high = True, 2 * c.value, 10 * c.value - 1
                elif c.plain_int4 and c.value is not None and c.value % 10 == 0:
                    c.kind, c.low, c.high = "year", c.value, c.value + 9
                else:
                    return self._identifier(c)
            else:
                unit = self._unit_at(j, glued=True)
                if unit is None:
                    return self._identifier(c)
                c.unit, c.unit_kind, c.j = unit
                c.plain_int4 = c.short = False
            after = self.tok(c.j)
            if after is not None and not after.sp and after.kind in ("w", "n") \
                    and c.kind != "year":
                return self._identifier(c)
            if c.kind is not None or c.vague or c.unit is not None:
                return c
        # Spaced scale words: "1.5 million", "5 hundred thousand", "two and a half".
        j = c.j
        while self.low(j) in R.SCALE_WORDS or self.low(j) == "dozen":
            factor = R.SCALE_WORDS.get(self.low(j), 12.0)
            c.scale *= factor
            c.value = _scaled(c.value, factor)
            c.plain_int4 = c.short = False
            j += 1
        c.j = j
        return c

    def _identifier(self, c: _Core) -> _Core:
        k = c.i
        while k - 1 >= 0 and not self.toks[k].sp and (
                self.toks[k - 1].kind in ("w", "n") or self.toks[k - 1].text in _HYPHENS):
            k -= 1
        c.start, c.j, c.kind = k, self.glued_chain_end(c.i), "other"
        return c

    def _time(self, c: _Core, hours: float, j: int) -> _Core:
        ampm = self.ampm(j)
        if ampm is not None:
            is_pm, j = ampm
            hours = hours % 12 + (12 if is_pm else 0)
        if self.low(j) in R.TIME_ZONES and self.toks[j].text.isupper():
            j += 1
        elif self.low(j) == "local" and self.low(j + 1) == "time":
            j += 2
        c.kind, c.value, c.j = "time", hours, j
        return c

    def _slashed(self, c: _Core, j: int) -> _Core:
        a, b = c.value or 0.0, float(self.toks[j + 1].text)
        end = j + 2
        third = (self.low(end) == "/" and self.glued(end) and self.tok(end + 1) is not None
                 and self.toks[end + 1].kind == "n" and self.glued(end + 1))
        c.j = end + 2 if third else end
        if c.plain_int4 and not third and 1000 <= a <= 2100:
            # "2023/24" is a span of years.
            b_full = b if b >= 1000 else (a // 100) * 100 + b
            c.kind, c.low, c.high = "year", a, b_full if b_full > a else a
            return c
        if not third and 0 < a < b <= 10:
            c.kind, c.unit, c.value = "other", "fraction", a / b
            return c
        if a == 24 and b == 7 and not third:
            c.kind = "other"
            return c
        if 1 <= a <= 31 and 1 <= b <= 31 and (a <= 12 or b <= 12):
            day = a if a > 12 else b if b > 12 else a
            c.kind, c.value = "date", day
            return c
        c.kind = "other"
        return c

    def _word_core(self, i: int) -> _Core | None:
        t = self.toks[i]
        w = t.low
        if w in R.VAGUE_PLURALS or w in R.VAGUE_FIXED:
            return self._vague_core(i)
        if w == "half":
            return self._half(i)
        if w in _fold_words():
            return _Core(i, i + 1, _fold_words()[w], words=True, unit="×", unit_kind="other")
        prev = self.low(i - 1)
        if w in R.FRACTION_WORDS and prev in ("a", "one") and self.low(i + 1) == "of":
            return _Core(i, i + 1, 1 / R.FRACTION_WORDS[w], words=True, kind="other",
                         unit="fraction", start=i - 1)
        if w == "quarter":
            return None
        if w in R.ORDINAL_WORDS:
            if prev == "at" and w == "first":
                return None
            return _Core(i, i + 1, float(R.ORDINAL_WORDS[w]), words=True, kind="ordinal")
        total, cur, last, last_scale, j = 0.0, 0.0, "", math.inf, i
        while j < self.n:
            tk = self.toks[j]
            lw = tk.low
            nxt = self.low(j + 1)
            if tk.text in _HYPHENS and not tk.sp and last == "ten" and self.glued(j + 1):
                if 1 <= R.UNIT_WORDS.get(nxt, 0) <= 9:
                    j += 1
                    continue
                if 1 <= R.ORDINAL_WORDS.get(nxt, 0) <= 9:
                    value = cur + R.ORDINAL_WORDS[nxt]
                    return _Core(i, j + 2, total + value, words=True, kind="ordinal")
                break
            if tk.kind != "w":
                break
            if lw in R.UNIT_WORDS and last in ("", "hundred", "scale", "ten") and (
                    last != "ten" or 1 <= R.UNIT_WORDS[lw] <= 9):
                cur += R.UNIT_WORDS[lw]
                last = "unit"
            elif lw in R.TEN_WORDS and last in ("", "hundred", "scale"):
                cur += R.TEN_WORDS[lw]
                last = "ten"
            elif lw == "hundred" and last in ("", "unit", "ten") and cur < 100:
                cur = (cur or 1.0) * 100
                last = "hundred"
            elif lw in R.SCALE_WORDS and lw != "hundred" \
                    and last in ("", "unit", "ten", "hundred") \
                    and R.SCALE_WORDS[lw] < last_scale:
                total += (cur or 1.0) * R.SCALE_WORDS[lw]
                cur, last, last_scale = 0.0, "scale", R.SCALE_WORDS[lw]
            elif lw == "dozen" and last in ("", "unit", "ten"):
                cur = (cur or 1.0) * 12
                last = "dozen"
            elif lw == "and" and last in ("hundred", "scale") and (
                    nxt in R.UNIT_WORDS or nxt in R.TEN_WORDS):
                j += 1
                continue
            elif (lw == "and" and last in ("unit", "ten") and nxt == "a"
                  and self.low(j + 2) == "half"):
                cur += 0.5
                j += 3
                continue
            else:
                break
            j += 1
        if j == i:
            return None
        c = _Core(i, j, total + cur, words=True)
        c.bare_scale = j == i + 1 and (w in R.SCALE_WORDS or w == "dozen")
        if c.bare_scale:
            c.scale = c.value or 1.0
        elif any(self.low(k) in R.SCALE_WORDS or self.low(k) == "dozen" for k in range(i, j)):
            c.scale = 1e3 if (c.value or 0) >= 1e3 else 1.0
        # "two-thirds", "one fifth", "three quarters".
        k = j + 1 if self.low(j) in _HYPHENS and self.glued(j) and self.glued(j + 1) else j
        den = R.FRACTION_WORDS.get(self.low(k))
        if den and c.value is not None and 1 <= c.value < den and j == i + 1:
            if den != 2 and (self.low(k).endswith("s") or c.value == 1):
                c.kind, c.unit, c.value, c.j = "other", "fraction", c.value / den, k + 1
                return c
        if j == i + 1 and w == "one" and (
                prev in ("no", "any", "every", "each", "the", "this", "that", "which", "only",
                         "anyone", "someone", "everyone", "no-one")
                or self.low(j) == "another"
                or (self.low(j) == "by" and self.low(j + 1) == "one")):
            return None
        return c

    def _half(self, i: int) -> _Core | None:
        nxt = self.low(i + 1)
        if self.glued(i + 1):
            return None
        if nxt in ("a", "an"):
            third = self.low(i + 2)
            if third in R.SCALE_WORDS or third == "dozen":
                factor = R.SCALE_WORDS.get(third, 12.0)
                return _Core(i, i + 3, 0.5 * factor, words=True, scale=factor)
            if self._unit_at(i + 2, glued=False) is not None:
                return _Core(i, i + 2, 0.5, words=True)
            return None
        if nxt in R.HALF_FOLLOWERS:
            return _Core(i, i + 1, 0.5, words=True, kind="other", unit="fraction")
        return None

    def _vague_core(self, i: int) -> _Core | None:
        w = self.low(i)
        if w in R.VAGUE_NEED_OF and self.low(i + 1) != "of":
            return None
        j = i + 1
        if w in R.VAGUE_FIXED:
            low, high = R.VAGUE_FIXED[w]
        else:
            base = R.VAGUE_PLURALS[w]
            while self.low(j) == "of" and self.low(j + 1) in R.VAGUE_PLURALS \
                    and R.VAGUE_PLURALS[self.low(j + 1)] >= 1e3:
                base *= R.VAGUE_PLURALS[self.low(j + 1)]
                j += 2
            low, high = 2 * base, 10 * base - 1
        return _Core(i, j, None, low=low, high=high, words=True, vague=True, approx=True)

    # ------------------------------------------------------------------ units
    def _unit_at(self, j: int, glued: bool, money_hint: bool = False
                 ) -> tuple[str, str, int] | None:
        """(unit, kind, end) for a unit starting at token j."""
        t = self.tok(j)
        if t is None:
            return None
        if t.text == "%" or t.text == "٪":
            return "%", "percent", j + 1
        best: tuple[str, str, int] | None = None
        for size in (3, 2, 1):
            if j + size > self.n:
                continue
            span = self.toks[j:j + size]
            if span[0].kind != "w" and span[0].text != "°":
                continue
            if any(x.kind == "s" and (x.text not in "/²³°." or x.sp) for x in span) \
                    or span[-1].text in "./":
                continue
            key = tuple(x.low for x in span if x.kind != "s" or x.text == "/")
            if all(not x.sp for x in span[1:]):
                symbol = "".join(x.text for x in span)
                hit = R.UNIT_SYMBOLS.get(symbol)
                if hit and (glued or symbol not in R.GLUED_ONLY_SYMBOLS):
                    best = (hit[0], hit[1], j + size)
                    break
            if any(x.kind == "n" for x in span):
                continue
            hit = R.UNIT_SURFACES.get(key)
            if hit:
                best = (hit[0], hit[1], j + size)
                break
        if best is None and t.kind == "w":
            if t.low in ("pound", "pounds"):
                best = ("GBP", "money", j + 1) if money_hint else ("lb", "measure", j + 1)
            elif len(t.low) > 2 and not t.text[0].isupper():
                hit = _quantulum_units().get(t.low)
                if hit:
                    best = (hit[0], hit[1], j + 1)
        if best is not None:
            end = best[2]
            # "3km-long", "20-year-old"
            if self.low(end) in _HYPHENS and self.glued(end) and self.glued(end + 1) \
                    and self.low(end + 1) in _COMPOUND_TAILS:
                best = (best[0], best[1], end + 2)
        return best

    # ----------------------------------------------------------- the rest
    def _left_modifiers(self, s: int, floor: int) -> tuple[int, str | None, bool]:
        bound: str | None = None
        approx = False
        for _ in range(3):
            hit = None
            for size in range(min(R.LEFT_MODIFIER_MAX, s - floor), 0, -1):
                key = tuple(x.low for x in self.toks[s - size:s])
                if key in R.LEFT_MODIFIERS:
                    hit = size, R.LEFT_MODIFIERS[key]
                    break
            if hit is None:
                break
            size, (b, a) = hit
            if b is not None and bound is None:
                bound = b
            approx = approx or a
            s -= size
        return s, bound, approx

    def _right_modifiers(self, e: int, after_noun: bool = False
                         ) -> tuple[int, str | None, bool]:
        """Bounds and hedges written after the number: "2,000-plus", "or so"."""
        t, nxt = self.low(e), self.low(e + 1)
        if after_noun:
            pass
        elif t in _HYPHENS and self.glued(e) and self.glued(e + 1):
            if nxt == "plus":
                return e + 2, "at_least", False
            if nxt == "odd":
                return e + 2, "at_least", True
        elif t == "+" and self.glued(e):
            return e + 1, "at_least", False
        elif t == "plus" and self.tok(e + 1) is not None and self.toks[e + 1].kind == "w" \
                and nxt not in _triggers():
            return e + 1, "at_least", False
        elif t == "odd":
            return e + 1, "at_least", True
        if t in ("or", "and") and nxt in ("more", "above", "over", "greater"):
            return e + 2, "at_least", False
        if t == "or" and nxt in ("fewer", "less", "under", "below"):
            return e + 2, "at_most", False
        if t == "or" and nxt == "so":
            return e + 2, None, True
        return e, None, False

    def _counted(self, e: int, singular: bool) -> tuple[str, int] | None:
        """The counted noun phrase starting at token e, and its end index."""
        words: list[tuple[int, int, str]] = []  # (first token, end token, text)
        k = e
        triggers = _triggers()
        while len(words) < 5 and k < self.n:
            t = self.toks[k]
            if t.kind != "w" or (k > e and not t.sp):
                break
            if t.low in R.SKIP_BEFORE_HEAD and all(
                    w[2].lower() in R.SKIP_BEFORE_HEAD for w in words):
                words.append((k, k + 1, t.low))
                k += 1
                continue
            if (t.low in COUNTED_PHRASE_STOP_WORDS or t.low in triggers or "'" in t.text
                    or "’" in t.text or (t.low in MONTHS and t.text[0].isupper())):
                break
            end = self.glued_chain_end(k)
            words.append((k, end, self.text[t.start:self.toks[end - 1].end]))
            k = end
        first = 0
        while first < len(words) and words[first][2].lower() in R.SKIP_BEFORE_HEAD:
            first += 1
        if first == len(words):
            return None
        head = None
        if singular:
            for idx in range(first, len(words)):
                if not self.toks[words[idx][0]].text[0].isupper():
                    head = idx
                    break
            if head is None:
                head = first
            word = words[head][2].lower()
            if word.endswith(("ed", "ing")) and word not in R.NOMINAL_HEADS:
                return None
        else:
            for idx in range(first, len(words)):
                if _is_plural(words[idx][2].rsplit("-", 1)[-1]):
                    head = idx
                    break
            # "displaced people", "crew members": a collective word modifying a plural.
            if head is not None and head + 1 < len(words) \
                    and words[head][2].lower() in R.IRREGULAR_PLURALS \
                    and _is_plural(words[head + 1][2]):
                head += 1
            if head is None and words[first][2].lower() in R.NOMINAL_HEADS:
                head = first
        if head is None:
            return None
        a, b = self.toks[words[first][0]].start, self.toks[words[head][1] - 1].end
        return self.text[a:b], words[head][1]

    def _expand(self, c: _Core, floor: int) -> tuple[dict, int] | None:
        """Attach dates, bounds, currency, ranges, units and the counted noun to a core."""
        s = c.start if c.start is not None and c.start >= floor else max(c.i, floor)
        st = _State(s, c.j, c.value, c.low, c.high, approx=c.approx, unit=c.unit,
                    unit_kind=c.unit_kind, vague=c.vague)
        fixed = self._fixed_kind(c, st, floor)
        if fixed is not None:
            return fixed
        if not self._left(c, st, floor):
            return None
        self._million_or_metre(c, st)
        self._first_unit(c, st)
        ratio = self._ratio(c, st)
        if ratio is not None:
            return ratio
        ranged = self._range(c, st, floor)
        if ranged is not None:
            return ranged
        if not st.is_range and not st.vague:
            st.low = st.high = st.value
        if st.currency is not None:
            st.unit, st.unit_kind = st.currency, "money"
        other = self._nouns(c, st)
        if other is not None:
            return other
        return self._finish(c, st)

    def _fixed_kind(self, c: _Core, st: _State, floor: int) -> tuple[dict, int] | None:
        """Identifiers, times, dates, decades and ordinals: no bounds or nouns attach."""
        s, e, value = st.s, st.e, st.value
        if c.kind in ("other", "time") and c.unit != "fraction":
            return self._emit(s, e, value, value, False, "exact", None, None, c.kind)
        if c.kind == "date":
            return self._emit(s, e, value, value, False, "exact", None, None, "date")
        if c.kind == "year" and c.low is not None:
            return self._emit(s, e, c.low, c.high, False, "range", None, None, "year")
        # "7 October 2023", "Oct. 7", "the 2nd of November", "October 2023".
        if c.short or (c.kind == "ordinal" and not c.words):
            month = self.month_before(s, floor)
            after = self.month_after(e) if month is None else None
            if value is not None and 1 <= value <= 31 and (month is not None or after):
                if month is not None:
                    s = month
                else:
                    e = after or e
                if self.low(e) == "," and self.year_at(e + 1):
                    e += 2
                elif self.year_at(e) and self.toks[e].sp:
                    e += 1
                return self._emit(s, e, value, value, False, "exact", None, None, "date")
        if c.plain_int4 and value is not None and 1000 <= value <= 2100:
            month = self.month_before(s, floor)
            if month is not None:
                return self._emit(month, e, value, value, False, "exact", None, None, "date")
        if c.kind == "ordinal":
            return self._emit(s, e, value, value, False, "exact", None, None, "ordinal")
        # "Resolution 2334", "Route 60", "Operation 1027", "No. 10".
        prev = self.tok(s - 1)
        if prev is None or s - 1 < floor or c.words:
            return None
        if prev.kind == "w" and c.unit is None and c.scale == 1 and (
                (prev.low in R.ID_LABELS and prev.text[0].isupper())
                or prev.low in R.LOWER_ID_LABELS):
            return self._emit(s - 1, e, value, value, False, "exact", None, None, "other")
        if prev.text == "." and s - 2 >= floor and self.low(s - 2) in ("no", "nos"):
            return self._emit(s - 2, e, value, value, False, "exact", None, None, "other")
        return None

    def _left(self, c: _Core, st: _State, floor: int) -> bool:
        """Words before the number; False when a bare "hundred"/"dozen" has none."""
        toks = self.toks
        # "a dozen", "half a million" (in the core), "several hundred", "a few thousand".
        if c.words and not c.vague and c.start is None:
            few = None
            for key, mult in R.FEW_WORDS.items():
                size = len(key)
                if st.s - size >= floor and tuple(
                        x.low for x in toks[st.s - size:st.s]) == key:
                    if few is None or size > len(few[0]):
                        few = key, mult
            if few is not None and c.bare_scale:
                st.s -= len(few[0])
                st.low = few[1][0] * (st.value or 0)
                st.high = few[1][1] * (st.value or 0)
                st.vague = st.approx = True
            elif st.s - 1 >= floor and self.low(st.s - 1) in ("a", "an") and (
                    c.bare_scale or self.low(st.s) in ("hundred", "dozen")):
                st.s -= 1
            elif c.bare_scale:
                return False
        # Currency symbol or code: "$2 billion", "NIS 50 million", "US$3bn".
        if st.s - 1 >= floor:
            p = toks[st.s - 1]
            if p.text in R.CURRENCY_PREFIXES and (p.kind == "s" or p.text.isupper()
                                                  or p.text == "Rs"):
                st.currency = R.CURRENCY_PREFIXES[p.text]
                st.s -= 1
                if st.s - 1 >= floor and toks[st.s - 1].text in ("US", "A", "C") and not p.sp:
                    st.s -= 1
        # Negative numbers: "minus 10 degrees", "-5C" (not the dash of "3-0").
        if st.currency is None and st.s - 1 >= floor and st.value is not None:
            p = toks[st.s - 1]
            if p.low == "minus" or (
                    p.text in _MINUS and self.glued(st.s) and not c.words and p.sp
                    and (st.s - 2 < 0 or toks[st.s - 2].kind != "n")):
                st.s -= 1
                st.value = -st.value
        inner = st.s
        st.s, st.left_bound, approx = self._left_modifiers(st.s, floor)
        st.bound = st.left_bound
        st.approx = st.approx or approx
        st.before = self.low(st.s - 1) if st.s - 1 >= floor else ""
        st.year_ctx = (inner - 1 >= floor and self.low(inner - 1) in R.YEAR_CONTEXT) or (
            self.low(inner - 1) in _HYPHENS and self.low(inner - 2) in R.GLUE_PREFIXES)
        return True

    def _million_or_metre(self, c: _Core, st: _State) -> None:
        """Resolve a glued "m": "1.2m Gazans" (million) or "a 30m wall" (metres)."""
        if not c.m_suffix:
            return
        nxt = self.tok(st.e)
        tail = self.low(st.e) in _HYPHENS and self.low(st.e + 1) in _COMPOUND_TAILS
        metre = st.currency is None and (tail or (
            nxt is not None and nxt.kind == "w" and (
                nxt.low in _METRE_CUES or (not _is_plural(nxt.text)
                                           and nxt.low not in R.NOMINAL_HEADS
                                           and nxt.low not in COUNTED_PHRASE_STOP_WORDS
                                           and not nxt.text[0].isupper()))))
        if metre:
            st.unit, st.unit_kind = "m", "measure"
            if tail and self.glued(st.e):
                st.e += 2
        else:
            c.scale = 1e6
            st.value = _scaled(st.value, 1e6)

    def _first_unit(self, c: _Core, st: _State) -> None:
        """The unit right after the first number ("3 km", "three-day"), then "-plus"."""
        if st.unit is None and c.unit != "fraction":
            hint = c.scale > 1 or st.currency is not None
            e = st.e
            if self.low(e) in _HYPHENS and self.glued(e) and self.glued(e + 1):
                hit = self._unit_at(e + 1, glued=True, money_hint=hint)
            else:
                hit = self._unit_at(e, glued=False, money_hint=hint)
            if hit is not None:
                st.unit, st.unit_kind, st.e = hit
        st.e, st.right_bound, approx = self._right_modifiers(st.e)
        st.approx = st.approx or approx

    def _ratio(self, c: _Core, st: _State) -> tuple[dict, int] | None:
        """"one in four", "3 out of 4": a fraction."""
        e = st.e
        if st.unit is not None or st.right_bound or c.scale != 1 or st.value is None \
                or st.value < 1 or st.value != int(st.value):
            return None
        if self.low(e) == "in":
            k = e + 1
        elif self.low(e) == "out" and self.low(e + 1) == "of":
            k = e + 2
        else:
            return None
        nxt = self.tok(k)
        if nxt is None or not (nxt.kind == "n" or nxt.low in R.UNIT_WORDS
                               or nxt.low in R.TEN_WORDS):
            return None
        b = self._digit_core(k) if nxt.kind == "n" else self._word_core(k)
        if b is None or b.kind is not None or b.value is None or b.scale != 1 \
                or not st.value < b.value <= 1000 or b.plain_int4 or b.decimal:
            return None
        if self._unit_at(b.j, glued=False) is not None:
            return None  # "3 in 2 days"
        frac = st.value / b.value
        return self._emit(st.s, b.j, frac, frac, st.approx, st.bound or "exact", "fraction",
                          None, "other")

    def _range(self, c: _Core, st: _State, floor: int) -> tuple[dict, int] | None:
        """"5 to 6 thousand", "7-8,000", "between 300 and 400", "15 to 25%", "7-8 October".

        Sets st.is_range and the bounds on success; returns an expression only for
        ranges of years and dates, which are complete as they stand.
        """
        toks = self.toks
        sep = self.tok(st.e)
        if sep is None or st.right_bound is not None or st.vague or c.unit == "fraction" \
                or st.value is None:
            return None
        from_cue = st.before == "from" and (
            self.low(st.s - 2) in R.RANGE_FROM_CUES or c.plain_int4)
        if not (sep.text in _DASHES or sep.low == "or"
                or (sep.low == "to" and (st.before != "from" or from_cue))
                or (sep.low == "and" and st.before == "between")):
            return None
        k = st.e + 1
        if self.tok(k) is not None and toks[k].text in R.CURRENCY_PREFIXES and st.currency:
            k += 1
        nxt = self.tok(k)
        if nxt is None or not (nxt.kind == "n" or (
                nxt.kind == "w" and (nxt.low in R.UNIT_WORDS or nxt.low in R.TEN_WORDS))):
            return None
        if sep.text in _DASHES and nxt.kind == "w" and not c.words:
            return None
        b = self._digit_core(k) if nxt.kind == "n" else self._word_core(k)
        if b is None or b.value is None or b.kind is not None or b.vague or b.bare_scale:
            return None
        a_val, b_val = st.value, b.value
        if c.plain_int4 and sep.text in _DASHES and len(nxt.text) == 2 and nxt.text.isdigit():
            b_val = (a_val // 100) * 100 + b_val  # "2014-15"
            if b_val <= a_val:
                b_val += 100
        if b.m_suffix:
            b.scale, b_val = 1e6, b_val * 1e6
        if b.scale > 1 and c.scale == 1 and a_val * b.scale <= b_val:
            a_val *= b.scale  # "5 to 6 thousand"
        elif (b.commas and not c.commas and not c.decimal and not c.words
              and a_val < 1000 and sep.low != "or"):
            factor = 1000.0 ** b.commas  # "7-8,000"
            if a_val * factor <= b_val < a_val * factor * 10:
                a_val *= factor
        if not a_val < b_val:
            return None
        end = b.j
        b_unit = (b.unit, b.unit_kind) if b.unit is not None else None
        if b_unit is None:
            hit = self._unit_at(end, glued=False,
                                money_hint=b.scale > 1 or st.currency is not None)
            if hit is not None:
                b_unit, end = (hit[0], hit[1]), hit[2]
        if b_unit is not None and st.unit is not None and b_unit[0] != st.unit:
            return None  # "by 68% to 10.8 trillion roubles": two values
        st.is_range = True
        st.low, st.high, st.e = a_val, b_val, end
        if b_unit is not None:
            st.unit, st.unit_kind = b_unit
        if st.before in ("between", "from") and sep.low in ("and", "to"):
            st.s -= 1
        if c.plain_int4 and (b.plain_int4 or len(nxt.text) == 2) and st.unit is None \
                and 1800 <= a_val and b_val <= 2100 and st.bound is None \
                and self._counted(st.e, False) is None:
            return self._emit(st.s, st.e, a_val, b_val, st.approx, "range", None, None, "year")
        if c.short and b.short:
            month = self.month_before(st.s, floor)
            after = self.month_after(st.e) if month is None else None
            if month is not None or after:
                s = month if month is not None else st.s
                e = after or st.e
                if self.year_at(e):
                    e += 1
                return self._emit(s, e, a_val, b_val, False, "range", None, None, "date")
        st.e, st.right_bound, approx = self._right_modifiers(st.e)
        st.approx = st.approx or approx
        return None

    def _nouns(self, c: _Core, st: _State) -> tuple[dict, int] | None:
        """The counted noun phrase, or a unit after "-odd"/"of"; may turn it "other"."""
        toks = self.toks
        if st.right_bound is not None and st.bound is None:
            st.bound = st.right_bound
        if st.unit is None and (st.right_bound is not None or st.approx):
            hit = self._unit_at(st.e, glued=False, money_hint=c.scale > 1)
            if hit is not None:
                st.unit, st.unit_kind, st.e = hit
        e = st.e
        if st.unit is not None:
            return None
        if self.low(e) in _HYPHENS and self.glued(e) and self.glued(e + 1) \
                and self.tok(e + 1) is not None and toks[e + 1].kind == "w":
            # A noun glued by a hyphen: "a 30-member delegation", "a 5,000-strong force".
            tail = self.glued_chain_end(e + 1)
            word = self.text[toks[e + 1].start:toks[tail - 1].end]
            st.e = tail
            if word.lower() == "strong":
                found = self._counted(tail, singular=True)
                if found is not None:
                    st.counted, st.e = found
            elif word.lower().endswith(("ed", "ing", "ly", "way")):
                return self._emit(st.s, st.e, st.low, st.high, st.approx, st.bound or "exact",
                                  None, None, "other")
            else:
                st.counted = word
        elif st.vague and self.low(e) == "of":
            hit = self._unit_at(e + 1, glued=False, money_hint=True)
            if hit is not None:
                st.unit, st.unit_kind, st.e = hit
            else:
                found = self._counted(e + 1, singular=False)
                if found is not None:
                    st.counted, st.e = found
        else:
            singular = not st.is_range and not st.vague and st.value == 1
            found = self._counted(e, singular)
            if found is not None:
                st.counted, st.e = found
                st.e, bound, approx = self._right_modifiers(st.e, after_noun=True)
                st.bound = st.bound or bound
                st.approx = st.approx or approx
        return None

    def _finish(self, c: _Core, st: _State) -> tuple[dict, int]:
        # A bare 4-digit number is a year unless something marks it as a count.
        value = st.value
        if (c.plain_int4 and not st.is_range and st.unit is None and value is not None
                and 1000 <= value <= 2100 and st.left_bound is None and st.right_bound is None
                and (st.year_ctx or (st.counted is None and value >= 1800))):
            end = c.j + 1 if self.low(c.j) in R.YEAR_SUFFIXES else c.j
            return self._emit(st.s, end, value, value, st.approx, "exact", None, None, "year")
        bound = st.bound or ("range" if st.is_range or st.vague else "exact")
        low, high = st.low, st.high
        if bound == "at_least":
            high = None
        elif bound == "at_most":
            low = None
        counted = st.counted
        if st.unit_kind in ("money", "percent", "measure"):
            kind, counted = st.unit_kind, None
        elif st.unit == "fraction" or st.unit_kind == "other":
            kind = "other"
        elif value is None and not st.vague and not st.is_range:
            kind = "other"
        else:
            kind = "count"
        return self._emit(st.s, st.e, low, high, st.approx, bound, st.unit, counted, kind)

    def _emit(self, s: int, e: int, low: float | None, high: float | None, approx: bool,
              bound: str, unit: str | None, counted: str | None, kind: str
              ) -> tuple[dict, int]:
        a, b = self.toks[s].start, self.toks[e - 1].end
        return {
            "start": a, "end": b, "text": self.text[a:b],
            "low": None if low is None else float(low),
            "high": None if high is None else float(high),
            "approximate": bool(approx), "bound": bound, "unit": unit, "counted": counted,
            "kind": kind,
        }, e
