"""Text helpers shared by the HTML and Markdown renderers."""

from __future__ import annotations

import math
import re
from typing import Any

CHECKWORTHY = 0.5
#: kinds of numbers that name a day, a year, a time or a rank, not an amount
CALENDAR_KINDS = ("date", "year", "time", "ordinal")
SUBJECTIVE = 0.5

_OPEN_LOW = {"more_than": ">", "at_least": "≥"}
_OPEN_HIGH = {"less_than": "<", "at_most": "≤", "up_to": "≤"}


def as_float(value: Any) -> float | None:
    """Return ``value`` as a finite float, or None if it is not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def mapping(value: Any) -> dict[str, Any]:
    """``value`` if it is a dict, else an empty dict: reports may be partial or hand-edited."""
    return value if isinstance(value, dict) else {}


def records(value: Any) -> list[dict[str, Any]]:
    """The dict items of ``value`` if it is a list, else an empty list."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def text_of(article: dict[str, Any]) -> str:
    """The article text, or an empty string if it is missing."""
    text = article.get("text")
    return text if isinstance(text, str) else ""


def fmt_score(value: Any) -> str:
    """Format a probability with two decimals, or an en dash if missing."""
    score = as_float(value)
    return "–" if score is None else f"{score:.2f}"


def fmt_number(value: float, kind: str | None = None) -> str:
    """Format a normalised value: thousands separators, no trailing zeros."""
    if value.is_integer():
        # Years read wrong with a separator ("2,023").
        return str(int(value)) if kind == "year" else f"{int(value):,}"
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def label(value: Any) -> str:
    """Turn a machine label such as ``Loaded_Language`` into display text."""
    return str(value).replace("_", " ").strip()


def quantity_unit(q: dict[str, Any]) -> str | None:
    """The unit to show for a quantity; percentages get ``%`` by default."""
    unit = q.get("unit")
    if unit:
        return str(unit)
    return "%" if q.get("kind") == "percent" else None


def quantity_range(q: dict[str, Any]) -> str:
    """The normalised value of a quantity, e.g. ``≥ 4,000`` or ``15–25``."""
    kind = q.get("kind")
    low, high = as_float(q.get("low")), as_float(q.get("high"))
    bound = str(q.get("bound") or "")
    approx = "≈ " if q.get("approximate") else ""
    if low is not None and high is not None:
        if low == high:
            return approx + fmt_number(low, kind)
        return f"{approx}{fmt_number(low, kind)}–{fmt_number(high, kind)}"
    if low is not None:
        return f"{_OPEN_LOW.get(bound, '≥')} {fmt_number(low, kind)}"
    if high is not None:
        return f"{_OPEN_HIGH.get(bound, '≤')} {fmt_number(high, kind)}"
    return "?"


def quantity_tip(q: dict[str, Any]) -> str:
    """One line describing a quantity: ``≥ 4,000 rockets · at least · count``."""
    kind = q.get("kind")
    if kind in CALENDAR_KINDS:
        # a date or year is shown as written: "Nov 18 · date", never "18 · date"
        written = one_line(q.get("text") or "") or quantity_range(q)
        return f"{written} · {label(kind)}"
    value = quantity_range(q)
    unit = quantity_unit(q)
    if unit == "%":
        value += "%"
    elif unit:
        value += f" {unit}"
    if q.get("counted"):
        value += f" {q['counted']}"
    parts = [value, bound_text(q), label(q.get("kind") or "other")]
    return " · ".join(part for part in parts if part)


def bound_text(q: dict[str, Any]) -> str:
    """The bound of a quantity in words, e.g. ``at least`` or ``approximate``."""
    bound = label(q.get("bound") or "")
    if not q.get("approximate") or "approx" in bound:
        return bound
    return "approximate" if bound in ("", "exact") else f"{bound}, approximate"


def span_label(span: dict[str, Any], group: str) -> str:
    """The label of a generic span: its technique, label or kind, else the group name."""
    for key in ("technique", "label", "kind"):
        if span.get(key):
            return technique_name(span[key]) if key == "technique" else label(span[key])
    return label(group)


def is_checkworthy(sentence: dict[str, Any]) -> bool:
    """True if the sentence's check-worthiness probability is at least 0.5."""
    score = as_float(sentence.get("checkworthiness"))
    return score is not None and score >= CHECKWORTHY


def is_opinion(sentence: dict[str, Any]) -> bool:
    """True if the sentence's subjectivity probability is at least 0.5."""
    score = as_float(sentence.get("subjectivity"))
    return score is not None and score >= SUBJECTIVE


def clamp(span: dict[str, Any], length: int) -> tuple[int, int] | None:
    """Return the span's offsets clipped to ``[0, length]``, or None if empty/invalid."""
    start, end = span.get("start"), span.get("end")
    if isinstance(start, bool) or isinstance(end, bool):
        return None
    if not isinstance(start, int) or not isinstance(end, int):
        return None
    start, end = max(0, start), min(length, end)
    return (start, end) if start < end else None


def span_text(text: str, span: dict[str, Any]) -> str:
    """The span's text taken from the article by offsets, else its own ``text`` field."""
    offsets = clamp(span, len(text))
    if offsets is not None:
        return text[offsets[0] : offsets[1]]
    return str(span.get("text") or "")


def title_of(article: dict[str, Any], index: int) -> str:
    """The display title of an article: title, else id, else source, else a number."""
    for key in ("title", "id", "source"):
        if article.get(key):
            return " ".join(str(article[key]).split())
    return f"Article {index}"


def span_groups(article: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Non-empty span groups of an article, persuasion first."""
    spans = mapping(article.get("spans"))
    names = sorted(spans, key=lambda name: (name != "persuasion", str(name)))
    groups = [(str(name), records(spans[name])) for name in names]
    return [(name, items) for name, items in groups if items]


_WS = re.compile(r"\s+")


def one_line(text: Any) -> str:
    """Collapse all whitespace, newlines included, into single spaces."""
    return _WS.sub(" ", str(text)).strip()


# Techniques and colours ----------------------------------------------------------------
#: Display names of techniques, by ``technique_key``: SemEval-2020 Task 11 spans spell
#: "Name_Calling,Labeling" where SemEval-2023 Task 3 paragraphs spell "Name_Calling-Labeling".
TECHNIQUE_NAMES = {
    "appeal to authority": "Appeal to Authority",
    "appeal to fear prejudice": "Appeal to Fear, Prejudice",
    "bandwagon reductio ad hitlerum": "Bandwagon, Reductio ad Hitlerum",
    "black and white fallacy": "Black-and-White Fallacy",
    "causal oversimplification": "Causal Oversimplification",
    "doubt": "Doubt",
    "exaggeration minimisation": "Exaggeration, Minimisation",
    "flag waving": "Flag Waving",
    "loaded language": "Loaded Language",
    "name calling labeling": "Name Calling, Labeling",
    "repetition": "Repetition",
    "slogans": "Slogans",
    "thought terminating cliches": "Thought-terminating Clichés",
    "whataboutism straw men red herring": "Whataboutism, Straw Men, Red Herring",
    "false dilemma no choice": "False Dilemma, No Choice",
    "obfuscation vagueness confusion": "Obfuscation, Vagueness, Confusion",
}
#: the span techniques in palette order: each gets its own colour
_PALETTE_ORDER = list(TECHNIQUE_NAMES)[:14]
TECHNIQUE_COLOURS = 14
ACTOR_COLOURS = 24


def technique_key(name: Any) -> str:
    """One key for a technique however it is spelled (case, ``_``, ``,``, ``-``)."""
    return " ".join(w for w in re.split(r"[\s_,\-/]+", str(name).lower()) if w)


def technique_name(name: Any) -> str:
    """The display name of a technique: one spelling for both SemEval taxonomies."""
    return TECHNIQUE_NAMES.get(technique_key(name)) or label(name)


def _stable_index(text: str, n: int) -> int:
    import hashlib

    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) % n


def technique_colour(name: Any) -> int:
    """The palette index of a technique: fixed for the span techniques, else derived from
    the name, so a technique has the same colour in every report."""
    key = technique_key(name)
    if key in _PALETTE_ORDER:
        return _PALETTE_ORDER.index(key)
    return _stable_index(key, TECHNIQUE_COLOURS)


#: the actors of the shipped gazetteers, each with a colour of its own (warring sides far
#: apart on the palette); any other actor's colour is derived from its name
_ACTOR_ORDER = ["israel", "hamas", "russia", "ukraine", "united nations", "palestinians",
                "egypt", "hezbollah", "palestinian authority", "qatar", "united states",
                "iran", "houthis", "palestinian islamic jihad"]


def actor_colour(name: Any) -> int:
    """The palette index of an actor (a palette of its own, not the techniques'): fixed
    for the shipped gazetteers' actors, else derived from the name."""
    key = " ".join(str(name).lower().split())
    if key in _ACTOR_ORDER:
        return _ACTOR_ORDER.index(key)
    return _stable_index(key, ACTOR_COLOURS)
