"""The rhetoric section of an article: genre, frames and persuasion techniques per paragraph.

    rhetoric_html(article, index)   -> Markup   (index: the 1-based article position)
    rhetoric_markdown(article)      -> str

Both take an article entry of the JSON report (``genre``, ``frames``, ``paragraphs``,
``spans.persuasion``) and escape everything that comes from the article or the report.
Technique spans themselves are highlighted in the article text by the page; this section
lists the paragraph-level techniques (SemEval-2023 Task 3 taxonomy), the frames and the
genre, with the model's probabilities.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from markupsafe import Markup

from claimscope.render._format import (
    as_float,
    label,
    mapping,
    one_line,
    records,
    technique_name,
    text_of,
)
from claimscope.render.sections import sentence_anchor

__all__ = ["rhetoric_html", "rhetoric_markdown"]

EXCERPT = 140
_NOTE = ("What the models read as rhetoric in the text, with their probabilities; "
         "a reading aid, not a verdict of claimscope on the article or its side.")


def _score(value: Any) -> str:
    f = as_float(value)
    return f"{f:.2f}" if f is not None else "?"


def _excerpt(article: dict[str, Any], row: dict[str, Any]) -> str:
    text = text_of(article)
    start, end = row.get("start"), row.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
        piece = one_line(text[start:end])
    else:
        piece = one_line(row.get("text", ""))
    return piece if len(piece) <= EXCERPT else piece[:EXCERPT - 1].rstrip() + "…"


def _techniques(row: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in records(row.get("techniques")) if t.get("label")]


def _genre(article: dict[str, Any]) -> tuple[str, str] | None:
    genre = mapping(article.get("genre"))
    if not genre.get("label"):
        return None
    return label(genre["label"]), _score(genre.get("score"))


def _frames(article: dict[str, Any]) -> list[tuple[str, str]]:
    return [(label(f["label"]), _score(f.get("score")))
            for f in records(article.get("frames")) if f.get("label")]


def _span_counts(article: dict[str, Any]) -> list[tuple[str, int]]:
    spans = records(mapping(article.get("spans")).get("persuasion"))
    counts = Counter(technique_name(s.get("technique") or s.get("label") or "?") for s in spans)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def rhetoric_html(article: dict[str, Any], index: int) -> Markup:
    """Genre, frames, span technique counts and a table of paragraphs with techniques."""
    rows = [r for r in records(article.get("paragraphs")) if _techniques(r)]
    genre, frames, counts = _genre(article), _frames(article), _span_counts(article)
    if not (rows or genre or frames or counts):
        return Markup("")
    parts = [Markup('<section class="rhetoric" aria-label="Rhetoric"><h3>Rhetoric</h3>'
                    '<p class="muted small">{}</p>').format(_NOTE)]
    facts = []
    if genre:
        facts.append(Markup("<dt>Genre</dt><dd>{} <span class=\"muted\">({})</span></dd>")
                     .format(*genre))
    if frames:
        facts.append(Markup("<dt>Frames</dt><dd>{}</dd>").format(Markup(", ").join(
            Markup('{} <span class="muted">({})</span>').format(n, s) for n, s in frames)))
    if counts:
        facts.append(Markup("<dt>Technique spans</dt><dd>{}</dd>").format(Markup(", ").join(
            Markup('{} <span class="muted">×{}</span>').format(n, c) for n, c in counts)))
    if facts:
        parts.append(Markup('<dl class="meta">{}</dl>').format(Markup("").join(facts)))
    if rows:
        parts.append(Markup('<table class="rhetoric-table"><caption>Persuasion techniques by '
                            'paragraph <span class="muted small">({} of {} paragraphs)</span>'
                            '</caption><thead><tr><th scope="col">Paragraph</th>'
                            '<th scope="col">Techniques</th></tr></thead><tbody>').format(
            len(rows), len(records(article.get("paragraphs")))))
        for row in rows:
            start = row.get("start") if isinstance(row.get("start"), int) else -1
            anchor = sentence_anchor(index, article, start)
            techs = Markup(", ").join(
                Markup('{} <span class="muted">({})</span>').format(technique_name(t["label"]),
                                                                   _score(t.get("score")))
                for t in _techniques(row))
            parts.append(Markup('<tr><td><a href="#{}">{}</a></td><td>{}</td></tr>').format(
                anchor, _excerpt(article, row), techs))
        parts.append(Markup("</tbody></table>"))
    parts.append(Markup("</section>"))
    return Markup("").join(parts)


def _md(text: Any) -> str:
    from claimscope.render.markdown import md_escape

    return md_escape(text)


def rhetoric_markdown(article: dict[str, Any]) -> str:
    """The same content as Markdown."""
    rows = [r for r in records(article.get("paragraphs")) if _techniques(r)]
    genre, frames, counts = _genre(article), _frames(article), _span_counts(article)
    if not (rows or genre or frames or counts):
        return ""
    lines = ["### Rhetoric", "", f"_{_md(_NOTE)}_", ""]
    if genre:
        lines.append(f"- Genre: {_md(genre[0])} ({genre[1]})")
    if frames:
        lines.append("- Frames: " + ", ".join(f"{_md(n)} ({s})" for n, s in frames))
    if counts:
        lines.append("- Technique spans: " + ", ".join(f"{_md(n)} ×{c}" for n, c in counts))
    if genre or frames or counts:
        lines.append("")
    if rows:
        lines += ["| Paragraph | Techniques |", "| --- | --- |"]
        for row in rows:
            techs = ", ".join(f"{technique_name(t['label'])} ({_score(t.get('score'))})"
                              for t in _techniques(row))
            lines.append(f"| {_md(_excerpt(article, row))} | {_md(techs)} |")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
