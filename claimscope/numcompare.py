"""Compare a claim's figures with a source's figures, as intervals, not strings.

Quantities are the dicts of ``claimscope.quantities.extract_quantities`` (``low``/``high``
with None for an open end, ``bound``, ``approximate``, ``unit``, ``counted``, ``kind``).

- Two quantities are *comparable* when they are of the same kind (count, percent, money,
  measure), have the same unit (no currency conversion, "%" is not "pp") and count the same
  thing: the head nouns of ``counted`` agree (singular/plural and general words for people
  are folded). When one side names no counted noun the match is *weak* and the caller
  must know from context that both speak of the same thing.
- Each becomes an interval: ``at_least`` is [low, +inf), ``at_most`` (-inf, high], a range
  [low, high]; an approximate figure widens by ``approx_tol`` (10%), a round figure in the
  claim ("12,000") by half its last non-zero place (+-500), since claims round.
- ``consistent`` when the intervals meet, ``inconsistent`` when they are disjoint;
  ``contained`` when the source's interval lies inside the claim's (only then can a figure
  support a claim: "more than 900" does not support "about 1,200").
- With the texts given, figures are compared only when the words around them share a
  content word (``same_context``): "1,200 people were killed" is not compared with "240
  people are held captive"; and not when both sentences name days and none is the same
  (``day_mentions``): "23,000 litres on Wednesday" (15 November) is not compared with "On
  18 November, 123,000 litres entered": figures of another day neither support nor refute;
  nor does the whole of a part-of-whole figure (``is_total``): in "26 of Gaza's 36
  hospitals" the claim is about the 26, and "35 hospitals" elsewhere does not refute it;
  nor does a figure when the claim's names where it went ("300 litres of fuel delivered
  *to the hospital*") and the sentence of the source's figure does not mention that
  place (``scope_words``).

    >>> from claimscope.quantities import extract_quantities as q
    >>> compare_quantities(q("some 300 trucks entered")[0], q("117 trucks entered")[0])["relation"]
    'inconsistent'
    >>> compare_quantities(q("more than 12,000 people")[0], q("12,300 people")[0])["relation"]
    'consistent'
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any

__all__ = ["NUMERIC_KINDS", "interval", "comparable", "compare_quantities", "best_comparison",
           "head_noun", "day_mentions", "is_total", "scope_words", "decisive", "figure_at"]

#: kinds of quantity that are claims about amounts (years, dates, ordinals are not)
NUMERIC_KINDS = frozenset({"count", "percent", "money", "measure"})

#: generic words for people (demonyms such as Palestinians or Israelis are kept apart)
_PEOPLE = frozenset({"people", "person", "individual", "resident", "inhabitant", "human",
                     "life", "soul"})
_SINGULAR_IS = frozenset({"this", "his", "tennis", "iris", "chassis"})
_IRREGULAR = {"people": "people", "children": "child", "men": "man", "women": "woman",
              "lives": "life", "casualties": "casualty", "bodies": "body", "persons": "person",
              "tonnes": "tonne", "tons": "ton", "shelves": "shelf", "thieves": "thief"}


def _singular(word: str) -> str:
    w = word.lower().strip(".,;:'\"’")
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("ches", "shes", "xes", "sses")):
        return w[:-2]
    if w.endswith("is") and (w in _SINGULAR_IS or w.endswith(("sis", "xis"))):
        return w
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us")):
        return w[:-1]
    return w


def head_noun(counted: str | None) -> str | None:
    """The folded head noun of a counted phrase ('aid trucks' -> 'truck')."""
    if not counted:
        return None
    words = [w for w in counted.replace("-", " ").split() if w[:1].isalpha()]
    if not words:
        return None
    head = _singular(words[-1])
    return "people" if head in _PEOPLE else head


def interval(q: dict[str, Any], *, approx_tol: float = 0.10,
             round_tol: bool = False) -> tuple[float, float]:
    """The closed interval a quantity asserts (infinite ends for open bounds)."""
    low = q.get("low")
    high = q.get("high")
    lo = -math.inf if low is None else float(low)
    hi = math.inf if high is None else float(high)
    if q.get("bound") == "at_least":
        hi = math.inf
    elif q.get("bound") == "at_most":
        lo = -math.inf
    widen = 0.0
    if q.get("approximate"):
        widen = approx_tol
    if widen:
        if math.isfinite(lo):
            lo -= abs(lo) * widen
        if math.isfinite(hi):
            hi += abs(hi) * widen
    if round_tol and q.get("bound") == "exact" and math.isfinite(lo) and lo == hi:
        step = _round_step(lo)
        lo, hi = lo - step / 2, hi + step / 2
    return lo, hi


def _round_step(value: float) -> float:
    """Half-place tolerance of a round figure: 12,000 -> 1,000; 300 -> 100; 117 -> 0."""
    v = abs(value)
    if v < 100 or v != int(v):
        return 0.0
    n, step = int(v), 1
    while n % 10 == 0 and n:
        n //= 10
        step *= 10
    return float(step) if step >= 100 else 0.0


def comparable(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    """'strong' (same thing counted), 'weak' (one side names nothing) or None."""
    if a.get("kind") not in NUMERIC_KINDS or b.get("kind") not in NUMERIC_KINDS:
        return None
    if a.get("kind") != b.get("kind"):
        return None
    if (a.get("unit") or None) != (b.get("unit") or None):
        return None
    ha, hb = head_noun(a.get("counted")), head_noun(b.get("counted"))
    if a.get("kind") != "count":
        return "strong" if (ha == hb or ha is None or hb is None) else None
    if ha and hb:
        return "strong" if ha == hb else None
    return "weak"


def compare_quantities(claim: dict[str, Any], source: dict[str, Any], *,
                       approx_tol: float = 0.10) -> dict[str, Any] | None:
    """The relation of a claim quantity to a source quantity, or None if not comparable."""
    strength = comparable(claim, source)
    if strength is None:
        return None
    c = interval(claim, approx_tol=approx_tol, round_tol=True)
    s = interval(source, approx_tol=approx_tol)
    relation = "consistent" if c[0] <= s[1] and s[0] <= c[1] else "inconsistent"
    # the source's figure lies within what the claim asserts: it can support the claim
    contained = c[0] <= s[0] and s[1] <= c[1]
    return {"claim": claim.get("text"), "source": source.get("text"),
            "claim_interval": _jsonable(c), "source_interval": _jsonable(s),
            "counted": claim.get("counted") or source.get("counted"),
            "unit": claim.get("unit"), "kind": claim.get("kind"),
            "strength": strength, "relation": relation, "contained": contained,
            "distance": _distance(c, s)}


def _jsonable(iv: tuple[float, float]) -> list[float | None]:
    return [None if not math.isfinite(x) else x for x in iv]


def _distance(c: tuple[float, float], s: tuple[float, float]) -> float:
    """Relative gap between intervals (0 when they meet)."""
    if c[0] <= s[1] and s[0] <= c[1]:
        return 0.0
    gap = s[0] - c[1] if s[0] > c[1] else c[0] - s[1]
    scale = max(abs(x) for x in (*c, *s) if math.isfinite(x)) or 1.0
    return float(gap / scale)


_WORD = re.compile(r"[^\W\d_]{4,}")
_STOP = frozenset("""that this these those with from have has had been were was their there
about over under more than less some most many into after before since while also which who
whom what when where would could should said says according including among other them they
said reported reportedly total people""".split())


def context_stems(text: str, start: int, end: int, before: int = 60, after: int = 80) -> set[str]:
    """4-letter stems of the content words around a figure (what it is a figure *of*)."""
    words = _WORD.findall(text[max(0, start - before):start] + " " + text[end:end + after])
    # lower-case words carry the predicate (killed, captive, fuel); names (Israel, Gaza)
    # say where or who, and would match almost any two figures of a conflict
    return {w.lower()[:4] for w in words if w[0].islower() and w.lower() not in _STOP}


def figure_at(text: str, q: dict[str, Any], offset: int = 0) -> int:
    """Where quantity ``q`` starts in ``text``: its own ``start`` (less ``offset``, where
    ``text`` begins in the document ``q`` indexes) when the figure is there, else the first
    occurrence of its text; -1 if absent. A sentence that repeats a figure ("12 killed
    on Monday, 12 more on Tuesday") keeps each copy's own context."""
    figure = q.get("text") or "\x00"
    start = q.get("start")
    if start is not None and start >= offset \
            and text[start - offset:start - offset + len(figure)] == figure:
        return start - offset
    return text.find(figure)


def same_context(claim_text: str, cq: dict[str, Any], source_text: str,
                 sq: dict[str, Any], claim_offset: int = 0) -> bool:
    """Do the words around the two figures share a content word (killed, captive, fuel...)?

    "1,200 people were killed" and "240 people are held captive" count the same noun but
    not the same thing; their contexts share nothing, so they are not compared.
    """
    ci = figure_at(claim_text, cq, claim_offset)
    if ci < 0 or sq.get("start") is None:
        return True
    head = (head_noun(cq.get("counted")) or "")[:4]
    a = context_stems(claim_text, ci, ci + len(cq["text"])) - {head}
    b = context_stems(source_text, sq["start"], sq["end"]) - {head}
    return bool(a & b)


_PART_OF = re.compile(
    r"(?:(?<![\d,.])(?!(?:19|20)\d\d\b)\d[\d,.]*"  # a number, not a year
    r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens|hundreds"
    r"|thousands|all|most|half|many|some|none|several)\s+(?:out\s+)?of\s+"
    r"(?:(?:the|its|their|his|her|our|[A-Z][\w-]*(?:'s|’s))\s+){0,2}$", re.I)


def is_total(text: str, start: int) -> bool:
    """Is the figure at ``start`` the whole of a part-of-whole phrase ("26 of 36
    hospitals", "nine out of the 35 hospitals", "26 of Gaza's 36 hospitals")?"""
    return bool(_PART_OF.search(text[max(0, start - 60):start]))


_SCOPE = re.compile(r"\b(?:to|into|inside|at|for)\s+(?:the\s+|a\s+|an\s+|its\s+|their\s+)?"
                    r"([a-z][a-z-]{3,})")
_CLAUSE_END = re.compile(r"[;.,:!?()]|\s[-–]\s|\b(?:but|and|while|which|who)\b")
_NOT_SCOPE = _STOP | frozenset("""first last time times same next past rest whole entire
least most once date today daily hour hours week weeks month months year years days
hold keep make take give allow enter reach""".split())


def scope_words(text: str, end: int, after: int = 60) -> set[str]:
    """Stems of the common nouns a figure's clause says it went to or is at ("delivered
    300 litres *to the hospital*" -> {"hosp"}); names are left out (they say who or where
    on a map, and "to Gaza" matches most passages of a conflict)."""
    tail = text[end:end + after]
    stop = _CLAUSE_END.search(tail)
    tail = tail[:stop.start()] if stop else tail
    return {m.group(1)[:4] for m in _SCOPE.finditer(tail)
            if m.group(1) not in _NOT_SCOPE}


def sentence_stems(text: str, start: int, end: int) -> set[str]:
    """4-letter stems of the words of the sentence holding text[start:end]."""
    begin = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        begin = m.end()
    stop = _SENTENCE_END.search(text, end)
    return {w.lower()[:4] for w in _WORD.findall(text[begin:stop.start() if stop else len(text)])}


_MONTHS = {name: i for i, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")), 1) for name in names}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\b\.?", re.I)
_MONTH_DAY = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*:)", re.I)
_WEEKDAY = re.compile(rf"\b({'|'.join(_WEEKDAYS)})\b", re.I)
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z\"'“(])|\n")


def day_mentions(text: str, ref: _dt.date | None = None) -> set[tuple[int, int]]:
    """The days a text names, as (month, day): "15 November", "Nov. 15", and weekdays
    ("on Wednesday": the latest such day on or before ``ref``; skipped without ``ref``).

    >>> sorted(day_mentions("On Wednesday, 15 November, and on 7 Oct.", _dt.date(2023, 11, 18)))
    [(10, 7), (11, 15)]
    """
    days: set[tuple[int, int]] = set()
    for m in _DAY_MONTH.finditer(text):
        day, month = int(m.group(1)), _MONTHS[m.group(2).lower()]
        if 1 <= day <= 31:
            days.add((month, day))
    for m in _MONTH_DAY.finditer(text):
        month, day = _MONTHS[m.group(1).lower()], int(m.group(2))
        if m.group(1).lower() == "may" and not m.group(1)[0].isupper():
            continue  # the verb "may"
        if 1 <= day <= 31:
            days.add((month, day))
    if ref is not None:
        for m in _WEEKDAY.finditer(text):
            back = (ref.weekday() - _WEEKDAYS.index(m.group(1).lower())) % 7
            when = ref - _dt.timedelta(days=back)
            days.add((when.month, when.day))
    return days


def days_in_force(text: str, start: int, end: int,
                  ref: _dt.date | None = None) -> set[tuple[int, int]]:
    """The days the figure at start..end of ``text`` is about: those its sentence names,
    else those of the nearest earlier sentence that names some ("On 18 November, 123,000
    litres entered. The authorities said 70,000 litres would enter daily." -> 18 November
    for both)."""
    stop = _SENTENCE_END.search(text, end)
    begin, found = 0, set()
    for m in [*_SENTENCE_END.finditer(text, 0, stop.start() if stop else len(text)), None]:
        cut = m.end() if m else (stop.end() if stop else len(text))
        days = day_mentions(text[begin:cut], ref)
        if days:
            found = days
        begin = cut
    return found


def other_days(claim_days: set[tuple[int, int]], source_text: str, sq: dict[str, Any],
               source_ref: _dt.date | None = None) -> bool:
    """Do the claim and the source figure both name days (``days_in_force``), and no day
    in common? Then the figures are about different days and are not compared."""
    if not claim_days or sq.get("start") is None:
        return False
    days = days_in_force(source_text, sq["start"], sq["end"], source_ref)
    return bool(days) and not (days & claim_days)


def decisive(comparison: dict[str, Any]) -> bool:
    """Can this comparison decide the claim (not of another day, place, or a total)?"""
    return not (comparison.get("other_day") or comparison.get("other_scope")
                or comparison.get("total"))


def best_comparison(claim_qs: list[dict[str, Any]], source_qs: list[dict[str, Any]], *,
                    allow_weak: bool = False, claim_text: str | None = None,
                    source_text: str | None = None, claim_ref: _dt.date | None = None,
                    source_ref: _dt.date | None = None,
                    claim_offset: int = 0) -> list[dict[str, Any]]:
    """For each claim quantity, the most telling comparable source quantity.

    Strong matches beat weak ones; among them a consistent figure beats an inconsistent
    one (a source that states the claimed figure supports it, even if it also gives
    others), else the nearest inconsistent one is kept. With the texts, a figure of
    another day (``other_days``; ``claim_ref`` and ``source_ref`` are the dates of the two
    texts, which resolve weekdays) is marked ``other_day``, one where either figure is the
    whole of a part-of-whole phrase (``is_total``) ``total``, and one whose claim figure
    names a place the source figure's sentence does not mention (``scope_words``)
    ``other_scope``: these come last and cannot decide the claim (``decisive``), but
    still say that the passage's figures are not the claim's. ``claim_offset`` is where
    ``claim_text`` starts in the text the claim quantities' offsets index (0: in
    ``claim_text`` itself).
    """
    out = []
    texts = claim_text is not None and source_text is not None
    claim_days = day_mentions(claim_text, claim_ref) if texts else set()
    other: dict[int, bool] = {}  # per source figure, whichever claim figure asks
    words: dict[int, set[str]] = {}

    def stems(k: int) -> set[str]:
        """The words of the sentence that gives source figure k (where it went)."""
        if k not in words:
            sq = source_qs[k]
            words[k] = (sentence_stems(source_text, sq["start"], sq["end"])
                        if texts and sq.get("start") is not None else set())
        return words[k]

    def other_day(k: int) -> bool:
        if k not in other:
            other[k] = texts and other_days(claim_days, source_text, source_qs[k], source_ref)
        return other[k]

    source_total = [texts and sq.get("start") is not None and is_total(source_text, sq["start"])
                    for sq in source_qs]
    for cq in claim_qs:
        if cq.get("kind") not in NUMERIC_KINDS:
            continue
        at = figure_at(claim_text, cq, claim_offset) if texts else -1
        claim_total = at >= 0 and is_total(claim_text, at)
        scope = scope_words(claim_text, at + len(cq["text"])) if at >= 0 else set()
        found = [dict(r, other_day=other_day(k), other_scope=bool(scope and stems(k))
                      and not scope <= stems(k), total=claim_total or source_total[k])
                 for k, sq in enumerate(source_qs) if (r := compare_quantities(cq, sq))
                 and (not texts or same_context(claim_text, cq, source_text, sq, claim_offset))]
        if not allow_weak:
            found = [r for r in found if r["strength"] == "strong"]
        if not found:
            continue
        found.sort(key=lambda r: (not decisive(r), r["strength"] != "strong",
                                  r["relation"] != "consistent", r["distance"]))
        out.append(found[0])
    return out
