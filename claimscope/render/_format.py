"""Text helpers shared by the HTML and Markdown renderers."""

from __future__ import annotations

import math
import re
from typing import Any

CHECKWORTHY = 0.5
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
            return label(span[key])
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
