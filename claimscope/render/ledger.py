"""The outcome ledger of an article as an HTML table or Markdown, grouped by actor and domain.

    ledger_html(article, index)   -> Markup   (index: the 1-based article position)
    ledger_markdown(article)      -> str

Both take an article entry of the JSON report (``article["ledger"]``) and
escape everything that comes from the article. Each HTML row links to its
sentence in the page (``claimscope.render.sections.sentence_anchor``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from markupsafe import Markup

from claimscope.render._format import CALENDAR_KINDS, one_line, quantity_range, records
from claimscope.render.sections import sentence_anchor

__all__ = ["ledger_html", "ledger_markdown", "group_rows"]

DOMAIN_ORDER = ("military", "political", "diplomatic", "information", "humanitarian",
                "economic")
_MARK = {"achieved": "✔ achieved", "failed": "✘ failed", "neutral": "◎ aim"}


def group_rows(article: dict[str, Any]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Ledger rows by actor (most rows first) and domain (in DOMAIN_ORDER)."""
    by: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for row in records(article.get("ledger")):
        actor = str(row.get("actor") or "?")
        by[actor][str(row.get("domain") or "?")].append(row)
    order = sorted(by, key=lambda a: (-sum(len(v) for v in by[a].values()), a))
    return {a: {d: by[a][d] for d in sorted(by[a], key=_domain_key)} for a in order}


def _domain_key(d: str) -> tuple[int, str]:
    return (DOMAIN_ORDER.index(d) if d in DOMAIN_ORDER else len(DOMAIN_ORDER), d)


def _verdict(row: dict[str, Any]) -> str:
    if row.get("kind") == "objective":
        return _MARK["neutral"]
    return _MARK.get(str(row.get("polarity")), str(row.get("polarity")))


def _is_figure(q: dict[str, Any]) -> bool:
    """An amount worth listing: not a date, year, time or rank ("7 October"), and not a
    lone "one" written in words ("a single one of its goals")."""
    if q.get("kind") in CALENDAR_KINDS:
        return False
    text = str(q.get("text") or "")
    return any(ch.isdigit() for ch in text) or q.get("low") != 1 or bool(q.get("counted"))


def _figures(row: dict[str, Any]) -> str:
    out = []
    for q in filter(_is_figure, records(row.get("quantities"))):
        counted = f" {q['counted']}" if q.get("counted") else ""
        try:
            out.append(f"{quantity_range(q)}{counted}")
        except (TypeError, ValueError):
            out.append(str(q.get("text", "")))
    return "; ".join(out)


def _sentence_start(row: dict[str, Any]) -> int:
    sent = row.get("sentence")
    start = sent.get("start") if isinstance(sent, dict) else row.get("start")
    return start if isinstance(start, int) else -1


def ledger_html(article: dict[str, Any], index: int) -> Markup:
    """One table per actor, rows grouped by domain, each linking to its sentence."""
    groups = group_rows(article)
    if not groups:
        return Markup("")
    parts = [Markup('<section class="ledger" aria-label="Outcome ledger">'
                    '<h3>Outcome ledger</h3>'
                    '<p class="muted small">Who is said to want what, and to have achieved '
                    'or failed what, as the article (or a source it quotes) claims it. '
                    'Not a verdict of claimscope.</p>')]
    for actor, domains in groups.items():
        n = sum(len(v) for v in domains.values())
        parts.append(Markup('<table class="ledger-table"><caption>{} <span class="muted '
                            'small">({} row{})</span></caption>'
                            '<thead><tr><th scope="col">Domain</th><th scope="col">Claim'
                            '</th><th scope="col">Kind</th><th scope="col">Says who</th>'
                            '<th scope="col">Figures</th></tr></thead><tbody>').format(
            actor, n, "" if n == 1 else "s"))
        for domain, rows in domains.items():
            for k, row in enumerate(rows):
                anchor = sentence_anchor(index, article, _sentence_start(row))
                cell = (Markup('<th scope="rowgroup" rowspan="{}">{}</th>').format(
                    len(rows), domain) if k == 0 else Markup(""))
                parts.append(Markup(
                    '<tr class="ledger-{}">{}<td><a href="#{}">{}</a></td><td>{}</td>'
                    '<td>{}</td><td>{}</td></tr>').format(
                    str(row.get("polarity") or ""), cell, anchor,
                    one_line(row.get("text", "")), _verdict(row),
                    one_line(row.get("attributed_to", "")), _figures(row)))
        parts.append(Markup("</tbody></table>"))
    parts.append(Markup("</section>"))
    return Markup("").join(parts)


def _md(text: Any) -> str:
    from claimscope.render.markdown import md_escape

    return md_escape(text)


def ledger_markdown(article: dict[str, Any]) -> str:
    """The ledger as Markdown: a heading per actor, a table of its rows by domain."""
    groups = group_rows(article)
    if not groups:
        return ""
    lines = ["### Outcome ledger", "",
             "_Who is said to want what, and to have achieved or failed what, as claimed in "
             "the article; not a verdict of claimscope._", ""]
    for actor, domains in groups.items():
        lines += [f"#### {_md(actor)}", "", "| Domain | Claim | Kind | Says who | Figures |",
                  "| --- | --- | --- | --- | --- |"]
        for domain, rows in domains.items():
            for row in rows:
                lines.append("| " + " | ".join(_md(x) for x in (
                    domain, row.get("text", ""), _verdict(row), row.get("attributed_to", ""),
                    _figures(row))) + " |")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def actors_line(article: dict[str, Any]) -> str:
    """'Israel (22), Hamas (12), ...': the actors of an article, plain text."""
    return ", ".join(f"{a.get('name')} ({a.get('mentions')})"
                     for a in records(article.get("actors")))
