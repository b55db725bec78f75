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

from .dates import day_mentions, days_in_force, period_starts
from .text import FIGURE_CONTEXT_STOP_WORDS, FIGURE_SCOPE_STOP_WORDS, SENTENCE_END_RE

__all__ = ["NUMERIC_KINDS", "interval", "comparable", "compare_quantities", "best_comparison",
           "head_noun", "day_mentions", "days_in_force", "is_total", "scope_words", "decisive",
           "day_for_total",
           "figure_at", "period", "measure_of", "is_cumulative", "other_place", "PERIODS"]

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


#: words for one thing counted ("UNRWA staff members" and "UNRWA staff")
_SAME_THING = {"personnel": "staff", "employee": "staff",
               "worker": "staff", "population": "people", "idp": "displaced",
               "fatality": "death"}
#: demonyms that a count of "people" may stand for (a match of value supports, no refutation)
_DEMONYMS = frozenset({"palestinian", "israeli", "gazan", "lebanese", "ukrainian", "russian"})


def head_noun(counted: str | None) -> str | None:
    """The folded head noun of a counted phrase ('aid trucks' -> 'truck'; 'displaced
    people' and 'IDPs' -> 'displaced'; 'staff members' -> 'staff')."""
    if not counted:
        return None
    words = [w for w in counted.replace("-", " ").split() if w[:1].isalpha()]
    if not words:
        return None
    if any(w.lower() in ("displaced", "idps", "idp") for w in words):
        return "displaced"
    head = _singular(words[-1])
    head = _SAME_THING.get(head, head)
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
    """'strong' (same thing counted), 'loose' ("people" against a demonym), 'weak' (one
    side names nothing) or None."""
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
        if ha == hb:
            return "strong"
        # a claim's "people" for a source's "Palestinians": the same figure may be meant
        # (supports only); a claim's "Israelis" is not borne out by any "people"; a toll of
        # deaths is a count of people killed, whoever they are
        if ha == "people" and hb in _DEMONYMS:
            return "loose"
        if "death" in (ha, hb) and {ha, hb} - {"death"} <= _DEMONYMS | {"people"}:
            return "loose"
        return None
    return "weak"


_EXCLUSIVE = re.compile(r"(?:over|more\s+than|in\s+excess\s+of|upwards\s+of|above|exceed\w*)\b",
                        re.I)


def compare_quantities(claim: dict[str, Any], source: dict[str, Any], *,
                       approx_tol: float = 0.10) -> dict[str, Any] | None:
    """The relation of a claim quantity to a source quantity, or None if not comparable."""
    strength = comparable(claim, source)
    if strength is None:
        return None
    c = interval(claim, approx_tol=approx_tol, round_tol=True)
    s = interval(source, approx_tol=approx_tol)
    relation = "consistent" if c[0] <= s[1] and s[0] <= c[1] else "inconsistent"
    # "at least 900" against "at least 355": a source's floor is the figure it counts, so
    # a claim's floor well above it is not borne out (and the same for ceilings)
    bound = claim.get("bound")
    if bound == source.get("bound") == "at_least" and math.isfinite(s[0]) \
            and c[0] > s[0] * (1 + approx_tol):
        relation = "inconsistent"
    if bound == source.get("bound") == "at_most" and math.isfinite(s[1]) \
            and c[1] < s[1] * (1 - approx_tol):
        relation = "inconsistent"
    # the source's figure lies within what the claim asserts: it can support the claim
    # (an approximate source counts its own figure: "about 13,162" lies within "13,000");
    # "more than 1,400" is not borne out by "at least 1,400"
    core = interval(source, approx_tol=0.0)
    contained = c[0] <= core[0] and core[1] <= c[1] and not (
        claim.get("bound") == "at_least" and core[0] <= c[0]
        and _EXCLUSIVE.match(claim.get("text") or "")
        and not _EXCLUSIVE.match(source.get("text") or ""))
    # a source's "at least 15,523" counts 15,523: it bears out "15,523 were killed"
    if not contained and relation == "consistent" and claim.get("bound") == "exact" \
            and not claim.get("approximate"):
        edge = s[0] if source.get("bound") == "at_least" else \
            s[1] if source.get("bound") == "at_most" else None
        if edge is not None and math.isfinite(edge) and c[0] <= edge <= c[1]:
            contained = True
    # "up to 12" asserts about 12 at most: "six to nine" does not bear it out
    if contained and claim.get("bound") == "at_most" and math.isfinite(c[1]) \
            and source.get("bound") != "at_most" and s[1] < 0.8 * c[1]:
        contained = False
    distance = _distance(c, s) if relation == "consistent" or not (
        c[0] <= s[1] and s[0] <= c[1]) else _distance((c[0], c[0]), (s[0], s[0]))
    return {"claim": claim.get("text"), "source": source.get("text"),
            "claim_interval": _jsonable(c), "source_interval": _jsonable(s),
            "counted": claim.get("counted") or source.get("counted"),
            "unit": claim.get("unit"), "kind": claim.get("kind"),
            "strength": strength, "relation": relation, "contained": contained,
            "distance": distance}


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


#: stems of words that say one thing happened ("entered", "crossed" -> "move")
_FOLD = {**dict.fromkeys(("ente", "cros", "deli", "arri", "brou"), "move"),
         **dict.fromkeys(("kill", "dead", "deat", "died", "fata", "slai", "murd", "peri", "fell"),
                        "kill"),
         **dict.fromkeys(("inju", "woun", "hurt"), "inju"),
         **dict.fromkeys(("disp", "flee", "fled", "uproo"), "disp"),
         **dict.fromkeys(("rele", "free", "freed"), "rele"),
         **dict.fromkeys(("capt", "host", "abdu", "kidn", "capi"), "capt"),
         **dict.fromkeys(("demo", "dest", "razed"), "dest")}


def _stem(word: str) -> str:
    w = word.lower()[:4]
    return _FOLD.get(w, w)


_BREAKDOWN = re.compile(r"\b(?:including|among\s+them|among\s+whom|of\s+whom|of\s+them|"
                        r"of\s+which)\b[^.;:()]{0,70}$", re.I)


def context_stems(text: str, start: int, end: int, before: int = 60, after: int = 80) -> set[str]:
    """4-letter stems of the content words around a figure (what it is a figure *of*);
    words for one event are folded ("entered", "crossed" -> "move"). A breakdown
    ("..., including 103 children") reads the clause of the figure it breaks down."""
    if _BREAKDOWN.search(text[max(0, start - 90):start]):
        before_lo = max(sentence_of(text, start, end)[0], start - 160)
    else:
        before_lo = max(0, start - before)
    words = _WORD.findall(text[before_lo:start] + " " + text[end:end + after])
    # lower-case words carry the predicate (killed, captive, fuel); names (Israel, Gaza)
    # say where or who, and would match almost any two figures of a conflict
    return {_stem(w) for w in words
            if w[0].islower() and w.lower() not in FIGURE_CONTEXT_STOP_WORDS}


_PREDICATE = re.compile(r"\b(?:[a-z]{3,}ed|taken|held|hit|struck|shot|brought|driven|"
                        r"thrown|stolen|beaten|born|missing|dead|killing|injuring|wounding|"
                        r"displacing|releasing|detaining|arresting)\b")
_NOT_PREDICATE = frozenset("""need allowed reportedly estimated recorded reported confirmed
based related limited needed required planned given taken seen been between often even
hidden sheltered registered counted verified documented children women men reached
increased decreased exceeded surpassed climbed passed risen fallen dropped doubled tripled
raised lowered updated revised bottled canned united armed""".split())
_PAREN = re.compile(r"\([^()]{0,80}\)")
_FAR_BREAK = re.compile(r"[.;!?]|\n")


#: what can happen to one counted thing, pairwise exclusive ("killed" is not "injured")
_OPPOSED = (frozenset({"kill", "inju"}), frozenset({"deni", "faci"}),
            frozenset({"kill", "capt"}), frozenset({"rele", "capt"}),
            frozenset({"deni", "appr"}), frozenset({"faci", "impe"}),
            frozenset({"kill", "miss"}), frozenset({"inju", "miss"}),
            frozenset({"kill", "arre"}), frozenset({"kill", "deta"}),
            frozenset({"kill", "rele"}))


def _opposed(a: set[str], b: set[str]) -> bool:
    """Do the two figures' predicates say exclusive things happened (and not also the
    same one)?"""
    if not a or not b or a & b:
        return False
    return any((x in a and y in b) or (y in a and x in b)
               for pair in _OPPOSED for x, y in [tuple(pair)])


_SEGMENT_END = re.compile(r"[,;.!?:]|\s[-–—]\s|\n")


def predicates(text: str, start: int, end: int) -> set[str]:
    """The folded stems of the past participles around a figure, up to the nearest ';' or
    sentence end on either side, parentheses left out: what its sentence says happened."""
    lo = max(0, start - 160)
    breaks = [m.end() for m in _FAR_BREAK.finditer(text, lo, start)]
    lo = breaks[-1] if breaks else lo
    stop = _FAR_BREAK.search(text, end, min(len(text), end + 160))
    hi = stop.start() if stop else min(len(text), end + 160)
    window = _PAREN.sub(" ", text[lo:start] + " " + text[end:hi])
    return {_stem(w) for w in _PREDICATE.findall(window) if w not in _NOT_PREDICATE}


def predicate(text: str, start: int, end: int) -> set[str]:
    """What happened to what the figure counts: the folded stem of the past participle
    nearest to it in its comma-delimited segment, after it ("370 Palestinians were
    injured", "42 per cent (8 out of 19) of missions were facilitated") else before it
    ("denied access to 30 per cent"); else the first one after it in its sentence
    ("65 trucks, carrying food, ..., crossed")."""
    def words(piece: str) -> list[str]:
        return [w for w in _PREDICATE.findall(_PAREN.sub(" ", piece))
                if w not in _NOT_PREDICATE]

    tail = _PAREN.sub(" ", text[end:end + 200])
    stop = _SEGMENT_END.search(tail)
    after = words(tail[:stop.start()] if stop else tail)
    if after:
        return {_stem(after[0])}
    head = text[max(0, start - 120):start]
    cuts = [m.end() for m in _SEGMENT_END.finditer(head)]
    before = words(head[cuts[-1]:] if cuts else head)
    if before:
        return {_stem(before[-1])}
    stop = _FAR_BREAK.search(tail)
    rest = words(tail[:stop.start()] if stop else tail)
    return {_stem(rest[0])} if rest else set()


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
    # "30 per cent denied access" is not "42 per cent facilitated", "370 deaths" not
    # "370 injured"
    # a figure whose own words say what happened ("13,000 wounded") is read by them alone
    if _opposed(_event_of(cq) or predicate(claim_text, ci, ci + len(cq["text"])),
                _event_of(sq) or predicate(source_text, sq["start"], sq["end"])):
        return False
    pa = predicates(claim_text, ci, ci + len(cq["text"]))
    pb = predicates(source_text, sq["start"], sq["end"])
    a = (context_stems(claim_text, ci, ci + len(cq["text"])) | pa
         | _event_of(cq)) - {head}
    b = (context_stems(source_text, sq["start"], sq["end"]) | pb
         | _event_of(sq)) - {head}
    return bool(a & b)


def _event_of(q: dict[str, Any]) -> set[str]:
    """The event a quantity's words imply ("fatalities" -> killed, "13,000 wounded" ->
    injured)."""
    words = f"{q.get('counted') or ''} {q.get('event') or ''}".split()
    return {_stem(w) for w in words} & {"kill", "inju", "disp", "capt", "miss", "deta", "arre"}


_PART_OF = re.compile(
    r"(?:(?<![\d,.])(?!(?:19|20)\d\d\b)\d[\d,.]*"  # a number, not a year
    r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens|hundreds"
    r"|thousands|all|most|half|many|some|none|several)\s+(?:out\s+)?of\s+"
    r"(?:(?:the|its|their|his|her|our|[A-Z][\w-]*(?:'s|’s))\s+){0,2}$", re.I)


def is_total(text: str, start: int) -> bool:
    """Is the figure at ``start`` the whole of a part-of-whole phrase ("26 of 36
    hospitals", "nine out of the 35 hospitals", "26 of Gaza's 36 hospitals")?"""
    return bool(_PART_OF.search(text[max(0, start - 60):start]))


#: "... in the Israel-Hamas war", "since the start of the conflict": the war as a whole
_WHOLE_WAR = re.compile(
    r"\b(?:in|of|during|throughout)\s+(?:the|this)\s+(?:[\w’'-]+\s+){0,3}?(?:war|conflict)\b"
    r"(?!\s+(?:in|on|inside|across)\s)", re.I)


def whole_war(text: str, end: int, after: int = 80) -> bool:
    """Does the clause after a figure count it over a whole war ("1400 people have died
    so far *in the Israel-Hamas war*")? One side's toll ("1,400 Israelis") is then a part
    of it, not the figure; "the war in Gaza" names a place, which decides instead."""
    tail = text[end:end + after]
    stop = SENTENCE_END_RE.search(tail)
    return bool(_WHOLE_WAR.search(tail[:stop.start()] if stop else tail))


_SCOPE = re.compile(r"\b(?:to|into|inside|at|for)\s+(?:the\s+|a\s+|an\s+|its\s+|their\s+)?"
                    r"([a-z][a-z-]{3,})")
_CLAUSE_END = re.compile(r"[;.,:!?()]|\s[-–]\s|\b(?:but|and|while|which|who)\b")


def scope_words(text: str, end: int, after: int = 60) -> set[str]:
    """Stems of the common nouns a figure's clause says it went to or is at ("delivered
    300 litres *to the hospital*" -> {"hosp"}); names are left out (they say who or where
    on a map, and "to Gaza" matches most passages of a conflict)."""
    tail = text[end:end + after]
    stop = _CLAUSE_END.search(tail)
    tail = tail[:stop.start()] if stop else tail
    return {m.group(1)[:4] for m in _SCOPE.finditer(tail)
            if m.group(1) not in FIGURE_SCOPE_STOP_WORDS}


def sentence_stems(text: str, start: int, end: int) -> set[str]:
    """4-letter stems of the words of the sentence holding text[start:end]."""
    begin, stop = sentence_of(text, start, end)
    return {w.lower()[:4] for w in _WORD.findall(text[begin:stop])}


def sentence_of(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence of ``text`` holding text[start:end]."""
    begin = 0
    for m in SENTENCE_END_RE.finditer(text, 0, start):
        begin = m.end()
    stop = SENTENCE_END_RE.search(text, end)
    return begin, stop.start() if stop else len(text)


def other_days(claim_days: set[tuple[int, int]], source_text: str, sq: dict[str, Any],
               source_ref: _dt.date | None = None) -> bool:
    """Do the claim and the source figure both name days (``days_in_force``), and no day
    in common? Then the figures are about different days and are not compared."""
    if not claim_days or sq.get("start") is None:
        return False
    days = days_in_force(source_text, sq["start"], sq["end"], source_ref, period_starts=False)
    return bool(days) and not (days & claim_days)


#: what a figure measures: what is needed, what is allowed, what was delivered
_MEASURES = {
    "need": re.compile(r"\b(?:needs?|needed|requir\w*|demand\w*|shortfall)\b", re.I),
    "allowed": re.compile(r"\b(?:allow\w*|permit\w*|approv\w*|authori[sz]\w*|agreed|quotas?|"
                          r"cap(?:ped)?|limit\w*|pledg\w*|promis\w*|plans?|planned)\b", re.I),
    "delivered": re.compile(r"\b(?:enter\w*|deliver\w*|cross\w*|arriv\w*|reach\w*|"
                            r"receiv\w*|distribut\w*|brought|dispatched|went\s+in)\b", re.I),
}
_RATE = re.compile(r"\b(?:daily|a\s+day|per\s+day|each\s+day|every\s+(?:working\s+)?day|"
                   r"a\s+week|per\s+week|weekly|an\s+hour|per\s+hour|a\s+month|per\s+month|"
                   r"monthly|(?:in|over|during)\s+the\s+(?:past|last|previous)\s+\d+\s+hours|"
                   r"(?:in|over|during)\s+the\s+(?:past|last|previous)\s+(?:day|week|month)|"
                   r"overnight|additional|single[-\s]day|in\s+(?:a|one)\s+(?:single\s+)?day)\b",
                   re.I)
_CUMULATIVE = re.compile(r"\b(?:since|so\s+far|in\s+total|total|cumulative\w*|to\s+date|"
                         r"tolls?|overall|in\s+all|altogether|as\s+of|ha(?:ve|s|d)\s+(?:been|held)|"
                         r"are\s+(?:now\s+|still\s+)?(?:staying|sheltering|displaced|held|"
                         r"detained|dead)|still|held\s+(?:captive|hostage)|in\s+captivity|"
                         r"remain\w*|currently|now|stands?\s+at|risen\s+to|rose\s+to|"
                         r"exceeded|surpassed|topped)\b", re.I)
_REGIONS = {"west bank": re.compile(r"\bwest\s+bank\b", re.I),
            "gaza": re.compile(r"\bgaza\b", re.I),
            "israel": re.compile(r"\bin\s+israel\b|\bsouthern\s+israel\b", re.I),
            "lebanon": re.compile(r"\blebanon\b", re.I),
            "east jerusalem": re.compile(r"\beast\s+jerusalem\b", re.I)}
#: words of the West Bank's own story: a claim with them is about the West Bank
_WEST_BANK_WORDS = re.compile(r"\b(?:settlers?|settlements?|Jenin|Nablus|Hebron|Ramallah|"
                              r"Tulkarm|Qalqiliya|Jericho|Bethlehem|Tubas|Salfit)\b", re.I)
#: names that say which side or which conflict, not which place or thing
_GENERIC_NAMES = frozenset("""gaza strip israel israeli israelis palestine palestinian
palestinians hamas west bank un ocha moh ministry health idf egypt egyptian international
humanitarian authorities authority government media office civil defence defense red crescent
cross army forces military jerusalem gmo idp idps ngo ngos uae usa""".split())


def clause_of(text: str, start: int, end: int, reach: int = 90) -> tuple[int, int]:
    """The clause around text[start:end]: from the last clause break before it to the next
    one after it, within ``reach`` characters."""
    lo = max(0, start - reach)
    head = text[lo:start]
    cuts = [m.end() for m in _CLAUSE_END.finditer(head)]
    begin = lo + cuts[-1] if cuts else lo
    tail = text[end:end + reach]
    stop = _CLAUSE_END.search(tail)
    return begin, end + (stop.start() if stop else len(tail))


def measure_of(text: str, start: int, end: int) -> tuple[frozenset[str], bool]:
    """(what the figure at start..end measures, is it a rate) from the words of its
    clause: {"need"}, {"allowed"}, {"delivered"}; a rate is "a day", "per week", ..."""
    lo, hi = clause_of(text, start, end)
    piece = text[lo:hi]
    kinds = frozenset(k for k, rx in _MEASURES.items() if rx.search(piece))
    return kinds, bool(_RATE.search(piece))


#: a count over a window of days ("between the afternoons of 8 and 9 February") that
#: does not start at the war's start ("between 7 October and 9 December" is a total)
_WINDOW = re.compile(r"\bbetween\s+(?:the\s+)?(?:afternoons?\s+of\s+|morning\s+of\s+)?"
                     r"(?!7\s+October\b)\d{1,2}(?:\s+[A-Z][a-z]+)?(?:\s+\([^)]{0,20}\))?"
                     r"\s+and\b", re.I)


def other_measure(claim_text: str, ci: int, cq: dict[str, Any], source_text: str,
                  sq: dict[str, Any], claim_sentence: str | None = None) -> bool:
    """Does one figure measure another thing than the other (a need against an
    allowance, a daily rate against a total)? A rate in the claim's sentence counts
    ("Over 700 people were killed, the highest single-day toll")."""
    if ci < 0 or sq.get("start") is None:
        return False
    ck, crate = measure_of(claim_text, ci, ci + len(cq["text"]))
    if not crate and claim_sentence:
        crate = bool(_RATE.search(claim_sentence))
    sk, srate = measure_of(source_text, sq["start"], sq["end"])
    if crate != srate:
        return True
    # a running total ("200 people are dead", "killed since 7 October") is not a count
    # over a few days ("between 9 and 12 February, 164 were killed"), nor the reverse
    s_piece = source_text[slice(*sentence_of(source_text, sq["start"], sq["end"]))]
    c_piece = claim_sentence or claim_text
    if bool(_WINDOW.search(s_piece)) != bool(_WINDOW.search(c_piece)) and (
            is_cumulative(claim_text, ci, ci + len(cq["text"]))
            or is_cumulative(source_text, sq["start"], sq["end"])):
        return True
    # an event of a named day ("released 10 hostages on Tuesday") is not a running total
    # ("since 24 November, 50 hostages have been released")
    if claim_sentence and (day_mentions(claim_sentence, period_starts=False)
                           or _RELATIVE_DAY.search(claim_sentence)) \
            and not _RUNNING.search(claim_text):
        piece = source_text[slice(*sentence_of(source_text, sq["start"], sq["end"]))]
        # a sentence that names its own day ("On 15 November, ... the first such
        # delivery since 7 October") tells that day's event, not a running total
        if _RUNNING.search(piece) and not day_mentions(piece, period_starts=False):
            return True
    return bool(ck and sk and not ck & sk)


def _names(text: str) -> set[str]:
    """Names in a claim clause that say which place, body or thing: capitalised words
    inside the sentence and acronyms ("UNRWA"), less those of the sides and the conflict."""
    from .relevance import names

    found = set(names(" " + text))
    found |= {w.lower() for w in re.findall(r"\b[A-Z]{3,6}\b", text)}
    return {n for n in found if n not in _GENERIC_NAMES}


def other_place(claim_text: str, ci: int, cq: dict[str, Any], source_text: str,
                sq: dict[str, Any], source_context: str | None = None) -> bool:
    """Is the source figure about another place or thing than the claim's? The claim's
    figure clause names a place or body ("al-Shifa", "Kerem Shalom", "UNRWA") the source
    passage never names; or a region ("the West Bank") when the passage names only another
    one; or the passage (with the heading it sits under, ``source_context``) is about the
    West Bank, Israel or Lebanon alone and the claim names no region (a claim that names
    none is most often about Gaza)."""
    if ci < 0 or sq.get("start") is None:
        return False
    lo, hi = clause_of(claim_text, ci, ci + len(cq["text"]))
    claim_piece = claim_text[lo:hi]
    c_regions = {k for k, rx in _REGIONS.items() if rx.search(claim_text)}
    if _WEST_BANK_WORDS.search(claim_text):
        c_regions.add("west bank")
    s_regions = {k for k, rx in _REGIONS.items() if rx.search(source_text)}
    if c_regions and s_regions and not c_regions & s_regions:
        return True
    # a passage under a West Bank (or Israel, Lebanon) heading, for a claim that names no
    # region: most such claims are about Gaza
    heading = {k for k, rx in _REGIONS.items() if rx.search(source_context or "")}
    if not c_regions and heading and "gaza" not in heading | s_regions:
        return True
    wanted = _names(claim_piece)
    if not wanted:
        return False
    have = source_text.lower()
    return not any(n in have for n in wanted)


def is_cumulative(text: str, start: int, end: int) -> bool:
    """Is the figure a running total ("since 7 October", "the toll", "so far")?"""
    lo, hi = sentence_of(text, start, end)
    return bool(_CUMULATIVE.search(text[lo:hi]))


#: explicit markers of a running total or of a figure of another period than the day's
_RUNNING = re.compile(r"\b(?:since|so\s+far|in\s+total|cumulative\w*|to\s+date|"
                      r"overall|altogether|before\s+the|prior\s+to|previously|until)\b", re.I)
_RELATIVE_DAY = re.compile(r"\b(?:today|yesterday|tonight|last\s+night|this\s+morning|"
                           r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)
#: the periods a figure comparison can be for
PERIODS = ("same", "previous", "near", "other", "undated", "unknown")


def period(claim_text: str, claim_ref: _dt.date | None, source_text: str, sq: dict[str, Any],
           source_ref: _dt.date | None, *, near_days: int = 3,
           cumulative: bool = False, unit_text: str | None = None) -> str:
    """Is the source figure about the claim's day or period?

    - ``same``: both name a day and share one; or one names a day and the other text is
      dated that day (or the day after: a report of D+1 tells what happened on D); or
      the claim names no day and the source is dated the claim's date;
    - ``previous``: the claim names no day and the source is dated the day before (an
      article often quotes yesterday's figure): it may support, not refute, and a source
      of the claim's own date outranks it;
    - ``near``: the source is dated up to ``near_days`` before the claim (or a day after):
      a figure that agrees may support, one that disagrees proves nothing;
    - ``other``: another day or period; ``undated``: the claim has no date at all (a
      figure that agrees, from any day, supports it; none refutes it); ``unknown``: the
      claim names a day ("on Friday") that nothing dates.

    A day the claim names outside its own clause (``unit_text``: "the ministry said on
    Friday that ...") does not make it unknown. Days a period starts from ("since 7
    October") are not the figure's day. A running
    total (``cumulative``) of a claim that names no day is the one in force on the
    claim's date: the source report's date decides, not the days its sentence names
    ("as of 3 February", "the vast majority on 7 October").
    """
    claim_days = day_mentions(claim_text, claim_ref, period_starts=False)
    if not claim_days and claim_ref is None and _RELATIVE_DAY.search(unit_text or claim_text):
        return "unknown"
    src_days = (days_in_force(source_text, sq["start"], sq["end"], source_ref,
                              period_starts=False)
                if sq.get("start") is not None and not (cumulative and not claim_days)
                else set())

    def md(d: _dt.date) -> tuple[int, int]:
        return (d.month, d.day)

    one = _dt.timedelta(days=1)
    if claim_days:
        if src_days:
            return "same" if claim_days & src_days else "other"
        if source_ref is None:
            return "unknown"
        if md(source_ref) in claim_days or md(source_ref - one) in claim_days:
            return "same"
        return "other"
    if claim_ref is None:
        return "undated"
    if src_days:
        if md(claim_ref) in src_days or md(claim_ref - one) in src_days:
            return "same"
        back = [(claim_ref - _dt.timedelta(days=k)) for k in range(near_days + 1)]
        return "near" if any(md(d) in src_days for d in back) else "other"
    if source_ref is None:
        return "unknown"
    delta = (claim_ref - source_ref).days
    if delta == 0:
        return "same"
    if delta == 1:
        return "previous"
    if -1 <= delta <= near_days:
        return "near"
    return "other"


_PART_NEXT = re.compile(r"\s+(?:out\s+)?of\s+")
#: words a quantity parser may take for the counted noun that say what happened to it
_PARTICIPLES = frozenset({"killed", "wounded", "injured", "dead", "missing", "detained",
                          "arrested", "abducted", "kidnapped", "displaced", "evacuated",
                          "released", "freed"})
#: "the death toll ... rose to 700", "the number of displaced people ... exceeded 600,000"
_TALLY_BEFORE = re.compile(
    r"\b(?:(?P<toll>death\s+toll|toll)|(?:number|total|tally|count)\s+of\s+"
    r"(?:[\w-]+\s+){0,3}?(?P<noun>[a-z]+s))\b[^.;]{0,80}?\b(?:to|at|of|reached|exceeded|"
    r"surpassed|passed|topped|hit|is|was|stands?\s+at|now)\s+(?:(?:more|over|at\s+least|"
    r"about|nearly|some|almost|around)\s+(?:than\s+)?)?$", re.I)
#: "240 people are held captive", "199 people taken hostage": a count of hostages
_HELD_NEXT = re.compile(r"\s+(?:(?:[\w-]+,?\s+){0,4}?(?:are|were|is|was|remain|remained|"
                        r"still|currently|being|have\s+been|had\s+been)\s+)?(?:still\s+)?"
                        r"(?:held\s+(?:captive|hostage|in\s+captivity)|in\s+captivity|"
                        r"(?<=remain\s)captive|(?<=remained\s)captive|"
                        r"taken\s+(?:captive|hostage))\b", re.I)
_ELIDED_NEXT = re.compile(r"\s+(?:(?:\w+\s+)?(?:are|were|have|had|has|was|is)\b|"
                          r"[a-z]{3,}ed\b)")


def whole_of(text: str, q: dict[str, Any], qs: list[dict[str, Any]],
             offset: int = 0) -> float | None:
    """The value of the whole when ``q`` is the part of a part-of-whole phrase ("26 of
    Gaza's 36 hospitals" -> 36), else None."""
    at = q["end"] - offset
    if q.get("start") is None or not (0 <= at <= len(text)) or not _PART_NEXT.match(text, at):
        return None
    nxt = next((r for r in qs if r.get("start") is not None and r["start"] > q["start"]
                and r["start"] - q["end"] < 60 and r.get("kind") == "count"), None)
    return nxt.get("low") if nxt else None


def inherit_counted(text: str, qs: list[dict[str, Any]], offset: int = 0) -> list[dict[str, Any]]:
    """Counts that name no noun take one from their phrase: the part of a part-of-whole
    ("1.4 million of the 2.2 million people" -> people) or an elided repeat ("17,700
    Palestinians were killed ... and over 48,700 are reportedly injured" -> Palestinians).
    Returns new dicts; ``offset`` is where ``text`` starts in the quantities' text."""
    out = [dict(q) for q in qs]
    for q in out:
        # "13,000 wounded": what happened, not what is counted
        if q.get("counted") and q["counted"].split()[-1].lower() in _PARTICIPLES:
            q["event"], q["counted"] = q["counted"], None
    counts = [q for q in out if q.get("kind") == "count" and q.get("start") is not None]
    for q in counts:
        at = q["end"] - offset
        if q.get("counted") and head_noun(q["counted"]) in _DEMONYMS | {"people"} \
                and 0 <= at <= len(text) and _HELD_NEXT.match(text, at):
            q["counted"] = "hostages"
    for i, q in enumerate(counts):
        if q.get("counted"):
            continue
        at = q["end"] - offset
        if at < 0 or at > len(text):
            continue
        if _PART_NEXT.match(text, at):
            nxt = next((r for r in counts[i + 1:] if r.get("counted")
                        and r["start"] - q["end"] < 60), None)
            if nxt:
                q["counted"] = nxt["counted"]
                continue
        tally = _TALLY_BEFORE.search(text, max(0, q["start"] - offset - 160),
                                     max(0, q["start"] - offset))
        if tally:
            q["counted"] = "deaths" if tally.group("toll") else tally.group("noun")
            continue
        if _ELIDED_NEXT.match(text, at) or q.get("event"):
            # the nearest figure before it in the sentence that is not a breakdown
            # ("4,137 Palestinians killed, including 1,661 children and 908 women, and
            # about 13,162 have been injured": Palestinians, not women)
            prev = next((r for r in reversed(counts[:i]) if r.get("counted")
                         and q["start"] - r["end"] < 160
                         and not SENTENCE_END_RE.search(text, r["end"] - offset,
                                                      q["start"] - offset)
                         and not _BREAKDOWN.search(text[max(0, r["start"] - offset - 90):
                                                        r["start"] - offset])), None)
            if prev:
                q["counted"] = prev["counted"]
    return out


_GENERIC = frozenset("""least most once more less than over under about some reached reach
reported report according said says since total number people figure figures including
estimated estimate during their there other another further additional""".split())


def claim_words(claim_text: str) -> set[str]:
    """The content words of a claim (4-letter stems of lower-case words that are neither
    stop words nor generic reporting words), less those of a phrase that says when a
    period starts ("held since the Hamas attacks of October 7": when, not what)."""
    for a, b in period_starts(claim_text):
        claim_text = claim_text[:a] + " " * (b - a) + claim_text[b:]
    return {w.lower()[:4] for w in _WORD.findall(claim_text)
            if w[0].islower() and w.lower() not in FIGURE_CONTEXT_STOP_WORDS
            and w.lower() not in _GENERIC}


def source_stems(source_text: str) -> set[str]:
    """The stems a source passage uses, in both forms a claim word may be matched by."""
    return {_stem(w) for w in _WORD.findall(source_text)} | \
        {w.lower()[:4] for w in _WORD.findall(source_text)}


def unmatched_words(words: set[str], have: set[str]) -> set[str]:
    """The claim's content ``words`` (:func:`claim_words` of a claim unit: the figure's
    clause) that the source passage, whose :func:`source_stems` are ``have``, never uses:
    "1.4 million reached with water and sanitation assistance" against a passage about
    food assistance leaves {"wate", "sani"}: not the same series."""
    return {w for w in words if w not in have and _FOLD.get(w, w) not in have}


def day_for_total(comparison: dict[str, Any]) -> bool:
    """Is this one day's count set against a running total ("one truck went in on 17
    November" against "1,100 trucks had entered since 21 October")? It can neither refute
    nor outrank the total."""
    return bool(comparison.get("claim_sentence_cumulative")
                and comparison.get("source_one_day"))


def decisive(comparison: dict[str, Any]) -> bool:
    """Can this comparison decide the claim (not of another day, place, measure, or a
    total, and its clause's words not foreign to the source)?"""
    unmatched = len(comparison.get("unmatched") or ())
    return not (comparison.get("other_day") or comparison.get("other_scope")
                or comparison.get("other_measure") or comparison.get("total")
                or unmatched > max(1.0, 0.4 * comparison.get("claim_words", 0)))


def best_comparison(claim_qs: list[dict[str, Any]], source_qs: list[dict[str, Any]], *,
                    allow_weak: bool = False, claim_text: str | None = None,
                    source_text: str | None = None, claim_ref: _dt.date | None = None,
                    source_ref: _dt.date | None = None,
                    claim_offset: int = 0, claim_sentence: str | None = None,
                    near_days: int = 3, source_context: str | None = None
                    ) -> list[dict[str, Any]]:
    """For each claim quantity, the most telling comparable source quantity.

    Strong matches beat weak ones; among them a consistent figure beats an inconsistent
    one (a source that states the claimed figure supports it, even if it also gives
    others), else the nearest inconsistent one is kept. With the texts, each comparison
    says whether it is of another day (``other_day``: both name days, none shared), the
    whole of a part-of-whole phrase (``total``), of another place or thing
    (``other_scope``: the claim's figure goes "to the hospital", names "al-Shifa" or "the
    West Bank", and the source figure's sentence does not), of another measure
    (``other_measure``: a need against an allowance, a daily rate against a total); its
    ``period`` (see :func:`period`; the claim's days are read from ``claim_sentence``,
    default ``claim_text``) and whether either figure is a running total
    (``cumulative``; the claim's by its clause and by its sentence, the source's, and
    whether the source's is one day's count: see :func:`day_for_total`). Comparisons
    that are not ``decisive`` come last. ``claim_offset`` is where ``claim_text`` starts
    in the text the claim quantities' offsets index.
    """
    out = []
    texts = claim_text is not None and source_text is not None
    days_text = claim_sentence if claim_sentence is not None else claim_text
    claim_days = day_mentions(days_text, claim_ref, period_starts=False) if texts else set()
    other: dict[int, bool] = {}  # per source figure, whichever claim figure asks
    words: dict[int, set[str]] = {}
    # the claim's content words and the source's stems, the same for every figure pair
    content = claim_words(claim_text) if texts else set()
    have = source_stems(source_text) if texts else set()

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

    kinds: dict[int, tuple[bool, bool]] = {}

    def source_kind(k: int) -> tuple[bool, bool]:
        """(a running total, one day's count) for source figure k: "one truck ...
        reportedly went in on 17 November" is one day's count."""
        if k not in kinds:
            sq = source_qs[k]
            running = is_cumulative(source_text, sq["start"], sq["end"])
            lo, hi = sentence_of(source_text, sq["start"], sq["end"])
            kinds[k] = (running, not running and bool(
                day_mentions(source_text[lo:hi], source_ref, period_starts=False)))
        return kinds[k]

    if texts:
        claim_qs = inherit_counted(claim_text, claim_qs, claim_offset)
        source_qs = inherit_counted(source_text, source_qs)
    source_total = [texts and sq.get("start") is not None and is_total(source_text, sq["start"])
                    for sq in source_qs]
    for cq in claim_qs:
        if cq.get("kind") not in NUMERIC_KINDS:
            continue
        at = figure_at(claim_text, cq, claim_offset) if texts else -1
        claim_total = at >= 0 and is_total(claim_text, at)
        claim_whole = whole_of(claim_text, cq, claim_qs, claim_offset) if texts else None
        scope = scope_words(claim_text, at + len(cq["text"])) if at >= 0 else set()
        claim_war = at >= 0 and whole_war(claim_text, at + len(cq["text"]))
        claim_running = texts and at >= 0 and is_cumulative(claim_text, at, at + len(cq["text"]))
        # the claim's sentence may say "since" outside the unit's clause ("..., had entered
        # Gaza since deliveries resumed on 21 October"): a running total only a running
        # total can contradict
        pos = days_text.find(cq["text"]) if texts and days_text else -1
        sentence_running = claim_running or (
            pos >= 0 and is_cumulative(days_text, pos, pos + len(cq["text"])))
        found = []
        for k, sq in enumerate(source_qs):
            r = compare_quantities(cq, sq)
            if r is None or (texts and not same_context(claim_text, cq, source_text, sq,
                                                         claim_offset)):
                continue
            # parts of different wholes ("26 of 36 hospitals", "nine out of the 35") are
            # two breakdowns, not one figure
            source_whole = whole_of(source_text, sq, source_qs) if texts else None
            r = dict(r, other_day=other_day(k),
                     other_scope=(bool(scope and stems(k)) and not scope <= stems(k))
                     or (texts and other_place(claim_text, at, cq, source_text, sq,
                                               source_context))
                     or (claim_whole is not None and source_whole is not None
                         and claim_whole != source_whole)
                     # "people" of a whole war against one side's demonym
                     or (r["strength"] == "loose" and claim_war),
                     other_measure=bool(texts and other_measure(claim_text, at, cq,
                                                                source_text, sq,
                                                                claim_sentence)),
                     total=claim_total or source_total[k],
                     unmatched=sorted(unmatched_words(content, have))
                     if texts and at >= 0 else [], claim_words=len(content))
            if texts and sq.get("start") is not None:
                r["claim_cumulative"] = claim_running
                r["claim_sentence_cumulative"] = sentence_running
                r["source_cumulative"], r["source_one_day"] = source_kind(k)
                r["cumulative"] = r["source_cumulative"] or r["claim_cumulative"]
                r["period"] = period(days_text, claim_ref, source_text, sq, source_ref,
                                     near_days=near_days, cumulative=r["cumulative"],
                                     unit_text=claim_text)
            found.append(r)
        if not allow_weak:
            # a figure with no counted noun is kept only when it is the very same figure
            found = [r for r in found if r["strength"] in ("strong", "loose")
                     or (r["relation"] == "consistent"
                         and r["claim_interval"] == r["source_interval"])]
        if not found:
            continue
        # against a running total, a count the source ties to one day comes last
        found.sort(key=lambda r: (not decisive(r), day_for_total(r),
                                  r.get("period") not in ("same", "undated"),
                                  r["strength"] != "strong", r["relation"] != "consistent",
                                  r["distance"]))
        out.append(found[0])
    return out
