"""The tokens of a quantity window, and the questions the parser asks about them.

:func:`tokenize` splits a window into numbers, words and single symbols. A
:class:`Window` answers questions about its tokens and never changes them: is this a
month, a year, "am"/"pm", a unit; which bound and hedge words stand before or after a
number; which noun phrase follows it. :mod:`claimscope._quantity_numbers` reads the
number itself and :mod:`claimscope.quantities` builds the expression from both.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
import re
from pathlib import Path
from typing import NamedTuple

from . import _quantity_rules as R
from .dates import MONTHS
from .text import COUNTED_PHRASE_STOP_WORDS, GROUP_SPACE, WORD

# the parser's messages go out under the public module's name
logger = logging.getLogger("claimscope.quantities")

HYPHENS = frozenset("-‐‑")
DASHES = frozenset("-‐‑–—")
MINUS = frozenset("-−")
#: Words after a glued "m" that make it metres ("a 30m wall", "5m high"), not millions.
METRE_CUES = frozenset({"high", "tall", "long", "wide", "deep", "thick", "away", "above",
                        "below", "underground", "underwater", "beneath", "from", "down",
                        "deeper", "higher", "across", "behind"})
#: Second halves of a hyphenated measure ("3km-long", "20-year-old").
COMPOUND_TAILS = frozenset({"long", "wide", "deep", "high", "tall", "old", "thick"})

_TOKEN_RE = re.compile(
    r"(?P<n>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?(?![0-9])"
    r"|[0-9]{1,3}(?:" + GROUP_SPACE + r"[0-9]{3})+(?![0-9]|[,.][0-9])|[0-9]+(?:\.[0-9]+)?)"
    rf"|(?P<w>{WORD})"
    r"|(?P<s>\S)")


class Tok:
    """One token: a number, a word or any other single character."""

    __slots__ = ("text", "low", "start", "end", "kind", "sp")

    def __init__(self, text: str, start: int, end: int, kind: str, sp: bool) -> None:
        self.text = text
        self.low = text.lower()
        self.start = start
        self.end = end
        self.kind = kind  # "n" number, "w" word, "s" symbol
        self.sp = sp  # whitespace (or the window start) comes before it


def tokenize(text: str, lo: int, hi: int) -> list[Tok]:
    """The tokens of ``text[lo:hi]``, with offsets into ``text``."""
    toks: list[Tok] = []
    prev_end = lo
    for m in _TOKEN_RE.finditer(text, lo, hi):
        a, b = m.span()
        toks.append(Tok(m.group(), a, b, m.lastgroup or "s", a != prev_end or a == lo))
        prev_end = b
    return toks


# --- views of the lexicon ----------------------------------------------------------------

@functools.cache
def fold_words() -> dict[str, float]:
    """"twofold", "tenfold", "hundredfold" -> multiplier."""
    bases = {**R.UNIT_WORDS, **R.TEN_WORDS, "hundred": 100, "thousand": 1000}
    return {word + "fold": float(value) for word, value in bases.items() if value > 1}


@functools.cache
def number_words() -> frozenset[str]:
    """Every word that may be (part of) a number: a sentence without one or a digit has
    no quantity."""
    return frozenset(set(R.UNIT_WORDS) | set(R.TEN_WORDS) | set(R.SCALE_WORDS)
                     | set(R.ORDINAL_WORDS) | set(R.VAGUE_PLURALS) | set(R.VAGUE_FIXED)
                     | set(R.FRACTION_WORDS) | set(fold_words()) | {"dozen"})


@functools.cache
def triggers() -> frozenset[str]:
    """The words a quantity can start at (besides digits)."""
    return frozenset(set(R.UNIT_WORDS) | set(R.TEN_WORDS) | set(R.SCALE_WORDS)
                     | set(R.ORDINAL_WORDS) | set(R.VAGUE_PLURALS) | set(R.VAGUE_FIXED)
                     | set(fold_words()) | {"dozen", "half", "quarter"})


@functools.cache
def quantulum_units() -> dict[str, tuple[str, str]]:
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


def is_plural(word: str) -> bool:
    """Whether a word reads as a plural noun ("rockets", "people", "Israelis")."""
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


# --- answers -----------------------------------------------------------------------------

class UnitHit(NamedTuple):
    """A unit found at a token: its normalised form, its kind and the token after it."""

    unit: str
    kind: str
    end: int


class Modifiers(NamedTuple):
    """Bound and hedge words next to a number: where they stop, the bound, the hedge."""

    at: int
    bound: str | None
    approx: bool


class Counted(NamedTuple):
    """The counted noun phrase after a number and the token after its head noun."""

    text: str
    end: int


class _Word(NamedTuple):
    """One word of a noun phrase: its first token, the token after it, its text."""

    first: int
    end: int
    text: str


class Window:
    """One window's tokens and the read-only questions the parser asks about them."""

    __slots__ = ("text", "toks", "n")

    def __init__(self, text: str, toks: list[Tok]) -> None:
        self.text = text
        self.toks = toks
        self.n = len(toks)

    # -------------------------------------------------------------------- single tokens
    def tok(self, k: int) -> Tok | None:
        return self.toks[k] if 0 <= k < self.n else None

    # (these few are asked about every token, so they index the list themselves)
    def low(self, k: int) -> str:
        """Token k in lower case; "" outside the window."""
        return self.toks[k].low if 0 <= k < self.n else ""

    def glued(self, k: int) -> bool:
        """Token k touches the token before it."""
        return 0 <= k < self.n and not self.toks[k].sp

    def glued_number(self, k: int) -> bool:
        """Token k is a number touching the token before it ("6:30", "7/10", "10^6")."""
        return 0 <= k < self.n and self.toks[k].kind == "n" and not self.toks[k].sp

    def hyphen_joins(self, k: int) -> bool:
        """Token k is a hyphen touching the tokens on both sides ("30-member")."""
        return (0 <= k and k + 1 < self.n and self.toks[k].low in HYPHENS
                and not self.toks[k].sp and not self.toks[k + 1].sp)

    def glued_chain_end(self, k: int) -> int:
        """End of the run of touching words, numbers and hyphens starting at k."""
        m = k + 1
        while m < self.n and not self.toks[m].sp and (
                self.toks[m].kind in ("w", "n") or self.toks[m].text in HYPHENS):
            m += 1
        while m - 1 > k and self.toks[m - 1].text in HYPHENS:
            m -= 1
        return m

    # --------------------------------------------------------------------- dates, times
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

    # ---------------------------------------------------------------------------- units
    def unit_at(self, j: int, glued: bool, money_hint: bool = False) -> UnitHit | None:
        """The unit starting at token j: "%", a symbol ("km", "MW"), a unit word or
        phrase ("square kilometres"), then quantulum3's lexicon; "-long"/"-old" joins it.

        ``glued``: the unit touches the number, so one-letter symbols ("m", "t") count;
        ``money_hint``: "pounds" is money (a scale or a currency came first), not weight.
        """
        t = self.tok(j)
        if t is None:
            return None
        if t.text == "%" or t.text == "٪":
            return UnitHit("%", "percent", j + 1)
        best = self._listed_unit(j, glued)
        if best is None and t.kind == "w":
            if t.low in ("pound", "pounds"):
                best = UnitHit("GBP", "money", j + 1) if money_hint else UnitHit(
                    "lb", "measure", j + 1)
            elif len(t.low) > 2 and not t.text[0].isupper():
                hit = quantulum_units().get(t.low)
                if hit:
                    best = UnitHit(hit[0], hit[1], j + 1)
        if best is not None:
            end = best.end
            # "3km-long", "20-year-old"
            if self.hyphen_joins(end) and self.low(end + 1) in COMPOUND_TAILS:
                best = UnitHit(best.unit, best.kind, end + 2)
        return best

    def _listed_unit(self, j: int, glued: bool) -> UnitHit | None:
        """The longest unit of the built-in tables at token j (three tokens at most)."""
        for size in (3, 2, 1):
            if j + size > self.n:
                continue
            span = self.toks[j:j + size]
            if span[0].kind != "w" and span[0].text != "°":
                continue
            if any(x.kind == "s" and (x.text not in "/²³°." or x.sp) for x in span) \
                    or span[-1].text in "./":
                continue
            if all(not x.sp for x in span[1:]):
                symbol = "".join(x.text for x in span)
                hit = R.UNIT_SYMBOLS.get(symbol)
                if hit and (glued or symbol not in R.GLUED_ONLY_SYMBOLS):
                    return UnitHit(hit[0], hit[1], j + size)
            if any(x.kind == "n" for x in span):
                continue
            hit = R.UNIT_SURFACES.get(tuple(x.low for x in span
                                            if x.kind != "s" or x.text == "/"))
            if hit:
                return UnitHit(hit[0], hit[1], j + size)
        return None

    # ------------------------------------------------------------------ bounds, hedges
    def left_modifiers(self, s: int, floor: int) -> Modifiers:
        """Bounds and hedges written before token s ("more than", "an estimated", up to
        three stacked: "well over an estimated"); the first bound read wins."""
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
        return Modifiers(s, bound, approx)

    def right_modifiers(self, e: int, after_noun: bool = False) -> Modifiers:
        """Bounds and hedges written after the number: "2,000-plus", "or so"; after the
        counted noun only the spaced ones ("20 trucks or so")."""
        if not after_noun:
            glued = self._glued_modifier(e)
            if glued is not None:
                return glued
        t, nxt = self.low(e), self.low(e + 1)
        if t in ("or", "and") and nxt in ("more", "above", "over", "greater"):
            return Modifiers(e + 2, "at_least", False)
        if t == "or" and nxt in ("fewer", "less", "under", "below"):
            return Modifiers(e + 2, "at_most", False)
        if t == "or" and nxt == "so":
            return Modifiers(e + 2, None, True)
        return Modifiers(e, None, False)

    def _glued_modifier(self, e: int) -> Modifiers | None:
        """"-plus", "-odd", "+", "plus", "odd" right after the number."""
        t, nxt = self.low(e), self.low(e + 1)
        if self.hyphen_joins(e):
            if nxt == "plus":
                return Modifiers(e + 2, "at_least", False)
            if nxt == "odd":
                return Modifiers(e + 2, "at_least", True)
        elif t == "+" and self.glued(e):
            return Modifiers(e + 1, "at_least", False)
        elif t == "plus" and self.tok(e + 1) is not None and self.toks[e + 1].kind == "w" \
                and nxt not in triggers():
            return Modifiers(e + 1, "at_least", False)
        elif t == "odd":
            return Modifiers(e + 1, "at_least", True)
        return None

    # ---------------------------------------------------------------- counted phrases
    def counted(self, e: int, singular: bool) -> Counted | None:
        """The counted noun phrase starting at token e, from its first word to its head
        noun ("Israeli captives", "aid trucks"); a singular head after "one"."""
        words = self._phrase_words(e)
        first = 0
        while first < len(words) and words[first].text.lower() in R.SKIP_BEFORE_HEAD:
            first += 1
        if first == len(words):
            return None
        if singular:
            head = self._singular_head(words, first)
        else:
            head = self._plural_head(words, first)
        if head is None:
            return None
        a, b = self.toks[words[first].first].start, self.toks[words[head].end - 1].end
        return Counted(self.text[a:b], words[head].end)

    def _phrase_words(self, e: int) -> list[_Word]:
        """Up to five spaced words from token e, stopping at a function word, a number
        word, a possessive or a month; hyphenated words ("al-Qassam") are one word."""
        words: list[_Word] = []
        k = e
        starts = triggers()
        while len(words) < 5 and k < self.n:
            t = self.toks[k]
            if t.kind != "w" or (k > e and not t.sp):
                break
            if t.low in R.SKIP_BEFORE_HEAD and all(
                    w.text.lower() in R.SKIP_BEFORE_HEAD for w in words):
                words.append(_Word(k, k + 1, t.low))
                k += 1
                continue
            # "US" in capitals is the United States ("two US hostages"), not "us"
            if ((t.low in COUNTED_PHRASE_STOP_WORDS and t.text != "US") or t.low in starts
                    or "'" in t.text
                    or "’" in t.text or (t.low in MONTHS and t.text[0].isupper())):
                break
            end = self.glued_chain_end(k)
            words.append(_Word(k, end, self.text[t.start:self.toks[end - 1].end]))
            k = end
        return words

    def _singular_head(self, words: list[_Word], first: int) -> int | None:
        """The first lower-case word (or the first word); None for a participle."""
        head = next((idx for idx in range(first, len(words))
                     if not self.toks[words[idx].first].text[0].isupper()), first)
        word = words[head].text.lower()
        if word.endswith(("ed", "ing")) and word not in R.NOMINAL_HEADS:
            return None
        return head

    @staticmethod
    def _plural_head(words: list[_Word], first: int) -> int | None:
        """The first plural word, or a nominal first word ("20 wounded")."""
        head = next((idx for idx in range(first, len(words))
                     if is_plural(words[idx].text.rsplit("-", 1)[-1])), None)
        # "displaced people", "crew members": a collective word modifying a plural.
        if head is not None and head + 1 < len(words) \
                and words[head].text.lower() in R.IRREGULAR_PLURALS \
                and is_plural(words[head + 1].text):
            head += 1
        if head is None and words[first].text.lower() in R.NOMINAL_HEADS:
            head = first
        return head
