"""The number at the heart of a quantity: digits, spelled words, vague magnitudes.

:func:`read_core` reads the number that starts at a token ("4,000", "1.2m", "10^6",
"two and a half", "tens of thousands", "6:30 pm", "7/10/2023", "F-16") into an immutable
:class:`Core`. :mod:`claimscope.quantities` then attaches bounds, ranges, units and the
counted noun phrase around it.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

from . import _quantity_rules as R
from ._quantity_tokens import HYPHENS, Window, fold_words
from .dates import MONTHS
from .text import GROUP_SPACE


class Core(NamedTuple):
    """The number itself, tokens [i, j), before bounds, ranges, units and nouns attach.

    Immutable: a reading step returns a changed copy (``c._replace(...)``), and the steps
    that build the expression around it only read it. (A named tuple, not a frozen
    dataclass: it is made for every number token, and builds about three times faster.)
    """

    i: int
    j: int
    value: float | None
    low: float | None = None  # set for vague magnitudes, decades and spans of years
    high: float | None = None
    words: bool = False  # spelled out ("twelve", "a dozen")
    scale: float = 1.0  # of a scale word or suffix ("million", "bn")
    kind: str | None = None  # a kind fixed by the form: date, time, year, ordinal, other
    unit: str | None = None
    unit_kind: str | None = None
    vague: bool = False
    approx: bool = False
    commas: int = 0  # thousands separators ("7-8,000" scales the 7)
    decimal: bool = False
    plain_int4: bool = False  # four plain digits: may be a year
    short: bool = False  # 1-2 plain digits: may be a day of month
    bare_scale: bool = False  # "hundred", "dozen": needs "a", "several"...
    m_suffix: bool = False  # a glued "m": a million or metres, decided in context
    start: int | None = None  # first token when the core reaches left ("a dozen")


def read_core(win: Window, i: int) -> Core | None:
    """The number starting at token i (a number or a number word), or None."""
    return _digit_core(win, i) if win.toks[i].kind == "n" else _word_core(win, i)


#: what separates groups of thousands in a digit token: "12,945", "25 000" (any space)
_GROUP_SEPARATORS = re.compile(r",|" + GROUP_SPACE)


def number(raw: str) -> float | None:
    """The value of a digit token ("12,945" -> 12945.0); None when not finite."""
    value = float(_GROUP_SEPARATORS.sub("", raw))
    return value if math.isfinite(value) else None


def scaled(value: float | None, factor: float) -> float | None:
    """``value * factor``; None for None or an overflow."""
    if value is None:
        return None
    out = value * factor
    return out if math.isfinite(out) else None


def _power(base: float | None, raw_exp: str) -> float | None:
    exp = float(raw_exp)
    if base is None or base <= 0 or exp * math.log10(base) > 300:
        return None
    return base ** exp


# --- digits ------------------------------------------------------------------------------

def _digit_core(win: Window, i: int) -> Core:
    """Digits and what touches them, in this order: a label before them ("F-16"), an
    exponent ("10^6"), a clock time, a written date, a glued suffix ("1.2m", "3km",
    "1990s", "21st"), spaced scale words ("1.5 million")."""
    t = win.toks[i]
    digits = t.text.isdigit()
    c = Core(i, i + 1, number(t.text), commas=t.text.count(","), decimal="." in t.text,
             plain_int4=len(t.text) == 4 and digits, short=len(t.text) <= 2 and digits)
    if _after_label(win, i):
        return _identifier(win, c)
    c = _exponent(win, c)
    fixed = _clock_time(win, c, t.text)
    if fixed is None:
        fixed = _written_date(win, c)
    if fixed is not None:
        return fixed
    c, done = _glued_suffix(win, c)
    return c if done else _spaced_scale(win, c)


def _after_label(win: Window, i: int) -> bool:
    """The digits touch a word before them ("M23", "F-16"; not "pre-1967", "Oct-7")."""
    t, prev, prev2 = win.toks[i], win.tok(i - 1), win.tok(i - 2)
    if t.sp or prev is None:
        return False
    if prev.kind == "w" and prev.low not in R.GLUE_PREFIXES:
        return True
    return (prev.text in HYPHENS and not prev.sp and prev2 is not None
            and prev2.kind == "w" and prev2.low not in R.GLUE_PREFIXES
            and prev2.low not in MONTHS)


def _identifier(win: Window, c: Core) -> Core:
    """The whole glued run around the digits as a name ("F-16", "Su-34s"): kind other."""
    k = c.i
    while k - 1 >= 0 and not win.toks[k].sp and (
            win.toks[k - 1].kind in ("w", "n") or win.toks[k - 1].text in HYPHENS):
        k -= 1
    return c._replace(start=k, j=win.glued_chain_end(c.i), kind="other")


def _exponent(win: Window, c: Core) -> Core:
    """"10^6": the power; no longer a year or a day."""
    j = c.j
    if win.low(j) == "^" and win.glued(j) and win.glued_number(j + 1):
        return c._replace(value=_power(c.value, win.toks[j + 1].text), j=j + 2,
                       plain_int4=False, short=False)
    return c


def _clock_time(win: Window, c: Core, raw: str) -> Core | None:
    """"6:30", "6 pm", "6.30pm", "1430 GMT": the hour on a 24 h clock."""
    j, toks = c.j, win.toks
    if (win.low(j) == ":" and win.glued(j) and win.glued_number(j + 1)
            and len(toks[j + 1].text) == 2 and int(toks[j + 1].text) < 60
            and c.value is not None and c.value <= 24):
        return _time(win, c, c.value + float(toks[j + 1].text) / 60, j + 2)
    ampm = win.ampm(j)
    if ampm is not None and c.value is not None and 0 < c.value < 13 and (
            win.glued(j) or not c.decimal):
        whole, _, frac = raw.partition(".")
        hours = float(whole) + (float(frac) / 60 if frac else 0.0)
        return _time(win, c, hours, j)
    if (c.plain_int4 and c.value is not None and c.value <= 2359 and c.value % 100 < 60
            and win.low(j) in R.TIME_ZONES and toks[j].text.isupper()):
        return _time(win, c, c.value // 100 + (c.value % 100) / 60, j)
    return None


def _time(win: Window, c: Core, hours: float, j: int) -> Core:
    """A time ending at token j, with am/pm and a time zone when present."""
    ampm = win.ampm(j)
    if ampm is not None:
        is_pm, j = ampm
        hours = hours % 12 + (12 if is_pm else 0)
    if win.low(j) in R.TIME_ZONES and win.toks[j].text.isupper():
        j += 1
    elif win.low(j) == "local" and win.low(j + 1) == "time":
        j += 2
    return c._replace(kind="time", value=hours, j=j)


def _written_date(win: Window, c: Core) -> Core | None:
    """Numeric dates and fractions: 7/10/2023, 9/11, 2/3, 2023/24, 2023-10-07."""
    j, toks = c.j, win.toks
    if win.low(j) == "/" and win.glued(j) and win.glued_number(j + 1):
        return _slashed(win, c, j)
    if (c.plain_int4 and win.hyphen_joins(j) and win.glued_number(j + 1)
            and win.low(j + 2) in HYPHENS and win.glued(j + 2) and win.glued_number(j + 3)
            and len(toks[j + 1].text) <= 2 and len(toks[j + 3].text) <= 2):
        return c._replace(kind="date", value=float(toks[j + 3].text), j=j + 4)
    return None


def _slashed(win: Window, c: Core, j: int) -> Core:
    """Numbers joined by "/" at token j: a span of years, a fraction, 24/7 or a date."""
    a, b = c.value or 0.0, float(win.toks[j + 1].text)
    end = j + 2
    third = win.low(end) == "/" and win.glued(end) and win.glued_number(end + 1)
    end = end + 2 if third else end
    if c.plain_int4 and not third and 1000 <= a <= 2100:
        # "2023/24" is a span of years.
        b_full = b if b >= 1000 else (a // 100) * 100 + b
        return c._replace(j=end, kind="year", low=a, high=b_full if b_full > a else a)
    if not third and 0 < a < b <= 10:
        return c._replace(j=end, kind="other", unit="fraction", value=a / b)
    if a == 24 and b == 7 and not third:
        return c._replace(j=end, kind="other")
    if 1 <= a <= 31 and 1 <= b <= 31 and (a <= 12 or b <= 12):
        day = a if a > 12 else b if b > 12 else a
        return c._replace(j=end, kind="date", value=day)
    return c._replace(j=end, kind="other")


def _glued_suffix(win: Window, c: Core) -> tuple[Core, bool]:
    """A word glued to the digits: ordinal, scale, "m", "s" or a unit; or a name.

    Returns the core and whether it is complete (no scale word may follow).
    """
    j = c.j
    suffix = win.tok(j)
    if suffix is None or suffix.kind != "w" or suffix.sp:
        return c, False
    if suffix.low in R.ORDINAL_SUFFIXES and c.value is not None \
            and c.value == int(c.value) and not c.decimal:
        c = c._replace(kind="ordinal", j=j + 1)
    elif suffix.text in R.SCALE_SUFFIXES:
        scale = R.SCALE_SUFFIXES[suffix.text]
        c = c._replace(scale=scale, value=scaled(c.value, scale), j=j + 1,
                    plain_int4=False, short=False)
    elif suffix.text in ("m", "M"):
        c = c._replace(m_suffix=True, j=j + 1, plain_int4=False, short=False)
    elif suffix.low == "s":
        plural = _plural_digits(win, c._replace(j=j + 1))
        if plural is None:
            return _identifier(win, c), True
        c = plural
    else:
        unit = win.unit_at(j, glued=True)
        if unit is None:
            return _identifier(win, c), True
        c = c._replace(unit=unit.unit, unit_kind=unit.kind, j=unit.end, plain_int4=False,
                    short=False)
    after = win.tok(c.j)
    if after is not None and not after.sp and after.kind in ("w", "n") and c.kind != "year":
        return _identifier(win, c), True
    return c, c.kind is not None or c.vague or c.unit is not None


def _plural_digits(win: Window, c: Core) -> Core | None:
    """"1000s of" (a vague magnitude) or "1990s" (a decade); None otherwise."""
    if win.low(c.j) == "of" and c.value in (10, 100, 1000, 1e6):
        return c._replace(vague=True, low=2 * c.value, high=10 * c.value - 1)
    if c.plain_int4 and c.value is not None and c.value % 10 == 0:
        return c._replace(kind="year", low=c.value, high=c.value + 9)
    return None


def _spaced_scale(win: Window, c: Core) -> Core:
    """Scale words after the digits: "1.5 million", "5 hundred thousand", "3 dozen"."""
    j, scale, value = c.j, c.scale, c.value
    while win.low(j) in R.SCALE_WORDS or win.low(j) == "dozen":
        factor = R.SCALE_WORDS.get(win.low(j), 12.0)
        scale *= factor
        value = scaled(value, factor)
        j += 1
    if j == c.j:
        return c
    return c._replace(j=j, scale=scale, value=value, plain_int4=False, short=False)


# --- words -------------------------------------------------------------------------------

def _word_core(win: Window, i: int) -> Core | None:
    """A number in words: a vague magnitude, "half", "tenfold", "a third of", an ordinal
    word, or a spelled number ("two hundred and five")."""
    w = win.toks[i].low
    if w in R.VAGUE_PLURALS or w in R.VAGUE_FIXED:
        return _vague_core(win, i)
    if w == "half":
        return _half(win, i)
    if w in fold_words():
        return Core(i, i + 1, fold_words()[w], words=True, unit="×", unit_kind="other")
    prev = win.low(i - 1)
    if w in R.FRACTION_WORDS and prev in ("a", "one") and win.low(i + 1) == "of":
        return Core(i, i + 1, 1 / R.FRACTION_WORDS[w], words=True, kind="other",
                    unit="fraction", start=i - 1)
    if w == "quarter":
        return None
    if w in R.ORDINAL_WORDS:
        if prev == "at" and w == "first":
            return None
        return Core(i, i + 1, float(R.ORDINAL_WORDS[w]), words=True, kind="ordinal")
    return _spelled_number(win, i)


def _spelled_number(win: Window, i: int) -> Core | None:
    """"twenty-one", "two hundred and five", "three million", "a dozen", "two-thirds"."""
    value, j, ordinal = _read_number_words(win, i)
    if ordinal:
        return Core(i, j, value, words=True, kind="ordinal")  # "twenty-first"
    if j == i:
        return None
    w = win.low(i)
    bare = j == i + 1 and (w in R.SCALE_WORDS or w == "dozen")
    if bare:
        scale = value or 1.0
    elif any(win.low(k) in R.SCALE_WORDS or win.low(k) == "dozen" for k in range(i, j)):
        scale = 1e3 if (value or 0) >= 1e3 else 1.0
    else:
        scale = 1.0
    c = Core(i, j, value, words=True, scale=scale, bare_scale=bare)
    fraction = _spelled_fraction(win, c)
    if fraction is not None:
        return fraction
    if _pronoun_one(win, c):
        return None
    return c


def _read_number_words(win: Window, i: int) -> tuple[float, int, bool]:
    """(value, end token, is an ordinal) of the number words from token i ("twenty-first"
    is an ordinal). Each word must fit the one before it: "hundred" after a unit, a
    larger scale after a smaller one, "and" before units and tens."""
    total, cur, last, last_scale, j = 0.0, 0.0, "", math.inf, i
    while j < win.n:
        tk = win.toks[j]
        lw = tk.low
        nxt = win.low(j + 1)
        if tk.text in HYPHENS and not tk.sp and last == "ten" and win.glued(j + 1):
            if 1 <= R.UNIT_WORDS.get(nxt, 0) <= 9:  # "twenty-one"
                j += 1
                continue
            if 1 <= R.ORDINAL_WORDS.get(nxt, 0) <= 9:  # "twenty-first"
                value = cur + R.ORDINAL_WORDS[nxt]
                return total + value, j + 2, True
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
              and win.low(j + 2) == "half"):
            cur += 0.5
            j += 3
            continue
        else:
            break
        j += 1
    return total + cur, j, False


def _spelled_fraction(win: Window, c: Core) -> Core | None:
    """"two-thirds", "one fifth", "three quarters" (not "two halves")."""
    k = c.j + 1 if win.hyphen_joins(c.j) else c.j
    den = R.FRACTION_WORDS.get(win.low(k))
    if den and c.value is not None and 1 <= c.value < den and c.j == c.i + 1:
        if den != 2 and (win.low(k).endswith("s") or c.value == 1):
            return c._replace(kind="other", unit="fraction", value=c.value / den, j=k + 1)
    return None


def _pronoun_one(win: Window, c: Core) -> bool:
    """"one" as a pronoun: "no one", "the one", "one another", "one by one"."""
    return c.j == c.i + 1 and win.low(c.i) == "one" and (
        win.low(c.i - 1) in ("no", "any", "every", "each", "the", "this", "that", "which",
                             "only", "anyone", "someone", "everyone", "no-one")
        or win.low(c.j) == "another"
        or (win.low(c.j) == "by" and win.low(c.j + 1) == "one"))


def _half(win: Window, i: int) -> Core | None:
    """"half a million", "half a kilometre", "half of", "half the population"."""
    nxt = win.low(i + 1)
    if win.glued(i + 1):
        return None
    if nxt in ("a", "an"):
        third = win.low(i + 2)
        if third in R.SCALE_WORDS or third == "dozen":
            factor = R.SCALE_WORDS.get(third, 12.0)
            return Core(i, i + 3, 0.5 * factor, words=True, scale=factor)
        if win.unit_at(i + 2, glued=False) is not None:
            return Core(i, i + 2, 0.5, words=True)
        return None
    if nxt in R.HALF_FOLLOWERS:
        return Core(i, i + 1, 0.5, words=True, kind="other", unit="fraction")
    return None


def _vague_core(win: Window, i: int) -> Core | None:
    """"hundreds", "tens of thousands", "dozens", "scores of": a range, approximate."""
    w = win.low(i)
    if w in R.VAGUE_NEED_OF and win.low(i + 1) != "of":
        return None
    j = i + 1
    if w in R.VAGUE_FIXED:
        low, high = R.VAGUE_FIXED[w]
    else:
        base = R.VAGUE_PLURALS[w]
        while win.low(j) == "of" and win.low(j + 1) in R.VAGUE_PLURALS \
                and R.VAGUE_PLURALS[win.low(j + 1)] >= 1e3:
            base *= R.VAGUE_PLURALS[win.low(j + 1)]
            j += 2
        low, high = 2 * base, 10 * base - 1
    return Core(i, j, None, low=low, high=high, words=True, vague=True, approx=True)
