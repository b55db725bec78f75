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
  people are held captive".

    >>> from claimscope.quantities import extract_quantities as q
    >>> compare_quantities(q("some 300 trucks entered")[0], q("117 trucks entered")[0])["relation"]
    'inconsistent'
    >>> compare_quantities(q("more than 12,000 people")[0], q("12,300 people")[0])["relation"]
    'consistent'
"""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["NUMERIC_KINDS", "interval", "comparable", "compare_quantities", "best_comparison",
           "head_noun"]

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


def same_context(claim_text: str, cq: dict[str, Any], source_text: str,
                 sq: dict[str, Any]) -> bool:
    """Do the words around the two figures share a content word (killed, captive, fuel...)?

    "1,200 people were killed" and "240 people are held captive" count the same noun but
    not the same thing; their contexts share nothing, so they are not compared.
    """
    ci = claim_text.find(cq.get("text") or "\x00")
    if ci < 0 or sq.get("start") is None:
        return True
    head = (head_noun(cq.get("counted")) or "")[:4]
    a = context_stems(claim_text, ci, ci + len(cq["text"])) - {head}
    b = context_stems(source_text, sq["start"], sq["end"]) - {head}
    return bool(a & b)


def best_comparison(claim_qs: list[dict[str, Any]], source_qs: list[dict[str, Any]], *,
                    allow_weak: bool = False, claim_text: str | None = None,
                    source_text: str | None = None) -> list[dict[str, Any]]:
    """For each claim quantity, the most telling comparable source quantity.

    Strong matches beat weak ones; among them a consistent figure beats an inconsistent
    one (a source that states the claimed figure supports it, even if it also gives
    others), else the nearest inconsistent one is kept.
    """
    out = []
    for cq in claim_qs:
        if cq.get("kind") not in NUMERIC_KINDS:
            continue
        found = [r for sq in source_qs if (r := compare_quantities(cq, sq))
                 and (claim_text is None or source_text is None
                      or same_context(claim_text, cq, source_text, sq))]
        if not allow_weak:
            found = [r for r in found if r["strength"] == "strong"]
        if not found:
            continue
        found.sort(key=lambda r: (r["strength"] != "strong", r["relation"] != "consistent",
                                  r["distance"]))
        out.append(found[0])
    return out
